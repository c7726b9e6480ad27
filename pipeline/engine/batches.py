"""Stage code as batch functions and callable classes, shared by the engines.

The embedded engine embeds a side with :meth:`pipeline.encoders.base.Encoder.encode`, which cuts the
texts into batches of the encoder's ``batch_size``. :func:`text_chunks` cuts them the same way and
:class:`EmbedChunks` embeds each chunk with the same ``encode``, so an engine that hands chunks to
workers gets the very same vectors, bit for bit (a batch's padding can move the last bits of a vector,
so the chunks must be the embedded engine's batches, not any batching).
"""

from __future__ import annotations

import numpy as np


def text_chunks(texts: list[str], size: int) -> list[dict]:
    """Rows ``{"chunk", "texts"}``: the texts in the batches ``Encoder.encode`` would make."""
    return [
        {"chunk": c, "texts": list(texts[start : start + size])} for c, start in enumerate(range(0, len(texts), size))
    ]


class EmbedChunks:
    """Loads the encoder once (per worker), then embeds batches of chunk rows: ``{"chunk", "texts"}`` →
    ``{"chunk", "vectors"}`` (float32 bytes, row-major, ``dim`` wide)."""

    def __init__(self, encoder_name: str, lang: str, threads: int | None = None):
        from pipeline.encoders import get_encoder

        self.encoder = get_encoder(encoder_name, threads)
        self.lang = lang

    def __call__(self, batch: dict) -> dict:
        vectors = [self.encoder.encode([str(t) for t in texts], self.lang).tobytes() for texts in batch["texts"]]
        return {"chunk": np.asarray(batch["chunk"]), "vectors": np.array(vectors, dtype=object)}


def join_chunks(chunks: list[int], vectors: list[bytes], dim: int) -> np.ndarray:
    """The embedded side's (n, dim) matrix back from chunk rows in any order."""
    order = np.argsort(np.asarray(chunks), kind="stable")
    if not len(order):
        return np.zeros((0, dim), dtype=np.float32)
    return np.concatenate([np.frombuffer(vectors[k], dtype=np.float32).reshape(-1, dim) for k in order])
