"""Stage code as batch functions and callable classes, shared by the engines.

The embedded engine embeds a side with :meth:`pipeline.encoders.base.Encoder.encode`, which cuts the
texts into batches of the encoder's ``batch_size``. :func:`text_chunks` cuts them the same way and
:class:`EmbedChunks` embeds each chunk with the same ``encode``, so an engine that hands chunks to
workers gets the very same vectors, bit for bit (a batch's padding can move the last bits of a vector,
so the chunks must be the embedded engine's batches, not any batching).

Translation likewise: :func:`pipeline.mt.translate.translate_sentences` decides what to translate (the
cache, the splits under the model's limit) and cuts it into chunks; :class:`TranslateChunks` translates
chunk rows with the same ``Translator.translate`` the embedded engine calls on each chunk.
"""

from __future__ import annotations

import json

import numpy as np


def text_chunks(texts: list[str], size: int, side: int = 0, lang: str = "ar") -> list[dict]:
    """Rows ``{"side", "chunk", "lang", "texts"}``: the texts in the batches ``Encoder.encode`` would make."""
    return [
        {"side": side, "chunk": c, "lang": lang, "texts": list(texts[start : start + size])}
        for c, start in enumerate(range(0, len(texts), size))
    ]


class EmbedChunks:
    """Loads the encoder once (per worker), then embeds batches of chunk rows: ``{"side", "chunk", "lang",
    "texts"}`` → ``{"side", "chunk", "vectors"}`` (float32 bytes, row-major, ``dim`` wide)."""

    def __init__(self, encoder_name: str, threads: int | None = None):
        from pipeline.encoders import get_encoder

        self.encoder = get_encoder(encoder_name, threads)

    def __call__(self, batch: dict) -> dict:
        vectors = [
            self.encoder.encode([str(t) for t in texts], str(lang)).tobytes()
            for texts, lang in zip(batch["texts"], batch["lang"], strict=True)
        ]
        return {
            "side": np.asarray(batch["side"]),
            "chunk": np.asarray(batch["chunk"]),
            "vectors": np.array(vectors, dtype=object),
        }


def join_chunks(sides: list[int], chunks: list[int], vectors: list[bytes], dim: int, count: int) -> list[np.ndarray]:
    """Each of ``count`` sides' (n, dim) matrix back from chunk rows in any order."""
    out = []
    for side in range(count):
        rows = sorted((c, k) for k, (s, c) in enumerate(zip(sides, chunks, strict=True)) if s == side)
        parts = [np.frombuffer(vectors[k], dtype=np.float32).reshape(-1, dim) for _, k in rows]
        out.append(np.concatenate(parts) if parts else np.zeros((0, dim), dtype=np.float32))
    return out


class TranslateChunks:
    """Loads the MT model once (per worker), then translates batches of chunk rows: ``{"chunk",
    "sentences"}`` → ``{"chunk", "translations"}`` (each row's translations as a JSON list, so that rows of
    any length travel as one string)."""

    def __init__(self, model: str, backend: str, threads: int, decoding, allow_download: bool = False):
        from pipeline.mt import load_translator

        self.translator = load_translator(model, backend, threads, allow_download, decoding=decoding)

    def __call__(self, batch: dict) -> dict:
        translations = [
            json.dumps(self.translator.translate([str(s) for s in sentences]), ensure_ascii=False)
            for sentences in batch["sentences"]
        ]
        return {"chunk": np.asarray(batch["chunk"]), "translations": np.array(translations, dtype=object)}
