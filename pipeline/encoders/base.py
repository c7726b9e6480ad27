"""The encoder interface: texts in, L2-normalised float32 rows out, plus a signature for reproducibility."""

from __future__ import annotations

import abc

import numpy as np


class Encoder(abc.ABC):
    name: str = "encoder"
    batch_size: int = 64

    @abc.abstractmethod
    def _encode_batch(self, texts: list[str], lang: str) -> np.ndarray:
        """Embed one batch (rows need not be normalised)."""

    def signature(self) -> dict:
        """What identifies the embeddings: a different signature means different vectors."""
        return {"encoder": self.name}

    def encode(self, texts: list[str], lang: str, desc: str | None = None) -> np.ndarray:
        """Embed ``texts`` (language code ``lang``) as an (n, dim) float32 array with unit-length rows;
        a progress bar (on a terminal) says ``desc``."""
        from pipeline.progress import progress

        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts = []
        with progress(len(texts), desc or f"embed ({lang})", unit="par") as bar:
            for i in range(0, len(texts), self.batch_size):
                batch = list(texts[i : i + self.batch_size])
                parts.append(np.asarray(self._encode_batch(batch, lang), dtype=np.float32))
                bar.update(len(batch))
        vectors = np.concatenate(parts, axis=0)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-12)

    @property
    @abc.abstractmethod
    def dim(self) -> int:
        """Embedding size."""
