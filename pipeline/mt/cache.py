"""Content-addressed translation cache (SQLite, stdlib): key = sha256(backend signature + sentence).

A second run of the same input with the same model, revision, backend and decoding settings translates
nothing; changing any of them changes every key.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path


def cache_key(signature: dict, sentence: str) -> str:
    blob = json.dumps(signature, sort_keys=True, ensure_ascii=False) + "\x00" + sentence
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class TranslationCache:
    def __init__(self, path: Path | None):
        self.path = Path(path) if path else None
        self._db = None
        if self.path:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(self.path))
            self._db.execute("CREATE TABLE IF NOT EXISTS mt (key TEXT PRIMARY KEY, translation TEXT NOT NULL)")

    def get_many(self, keys: list[str]) -> dict[str, str]:
        if not self._db or not keys:
            return {}
        found: dict[str, str] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            rows = self._db.execute(
                f"SELECT key, translation FROM mt WHERE key IN ({','.join('?' * len(chunk))})", chunk
            )
            found.update(rows.fetchall())
        return found

    def put_many(self, items: dict[str, str]) -> None:
        if self._db and items:
            with self._db:
                self._db.executemany("INSERT OR REPLACE INTO mt VALUES (?, ?)", items.items())

    def close(self) -> None:
        if self._db:
            self._db.close()
            self._db = None
