"""Content-addressed paragraph-vector cache (SQLite, stdlib), for ``run --embedding-cache``: key = sha256(encoder
signature + language + text), value = the float32 vector as the encoder made it.

An archive is embedded once: a later run against it (another statement, the same archive with a few new
documents) embeds only the texts it has not seen. The vectors read back are the bits the first run made, so
a run repeated on a warm cache gives the outputs it gave; the encoder's forward pass sums in an order that
depends on its batch, so a text embedded among other texts can differ in the seventh decimal from a fresh
run's (hence opt-in: without the flag every vector is made by the run itself).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import numpy as np

CACHE_FILE = "embeddings.sqlite"


def vector_key(signature: dict, lang: str, text: str) -> str:
    blob = json.dumps(signature, sort_keys=True, ensure_ascii=False) + "\x00" + lang + "\x00" + text
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class VectorCache:
    """The vectors in ``folder/embeddings.sqlite`` (created when missing)."""

    def __init__(self, folder: Path):
        self.path = Path(folder) / CACHE_FILE
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(self.path))
        self._db.execute("CREATE TABLE IF NOT EXISTS vec (key TEXT PRIMARY KEY, v BLOB NOT NULL)")

    def get_many(self, keys: list[str]) -> dict[str, bytes]:
        found: dict[str, bytes] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            rows = self._db.execute(f"SELECT key, v FROM vec WHERE key IN ({','.join('?' * len(chunk))})", chunk)
            found.update(rows.fetchall())
        return found

    def put_many(self, items: list[tuple[str, bytes]]) -> None:
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO vec VALUES (?, ?)", items)

    def close(self) -> None:
        self._db.close()


def cached_encode(encoder, texts: list[str], lang: str, desc: str | None, cache: VectorCache) -> np.ndarray:
    """``encoder.encode(texts, lang, desc)``, the texts found in ``cache`` read from it and the others
    embedded (in their order, each distinct text once) and stored."""
    if not texts:
        return encoder.encode(texts, lang, desc)
    signature = encoder.signature()
    keys = [vector_key(signature, lang, t) for t in texts]
    found = cache.get_many(sorted(set(keys)))
    missing = list(dict.fromkeys(k for k in keys if k not in found))
    if missing:
        text_of = dict(zip(keys, texts, strict=True))
        vectors = encoder.encode([text_of[k] for k in missing], lang, desc)
        made = [(k, np.ascontiguousarray(v, dtype=np.float32).tobytes()) for k, v in zip(missing, vectors, strict=True)]
        cache.put_many(made)
        found.update(made)
    return np.stack([np.frombuffer(found[k], dtype=np.float32) for k in keys])
