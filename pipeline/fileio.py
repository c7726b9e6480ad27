"""Atomic writes and JSONL, so an interrupted run never leaves a half-written file behind."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Iterable

from pipeline.errors import PipelineError


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, fsync it, then rename it over ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def dumps_json(obj) -> str:
    """One canonical JSON form: UTF-8 kept readable, keys in the order given (dataclass field order)."""
    return json.dumps(obj, ensure_ascii=False, separators=(", ", ": "))


def jsonl_text(rows: Iterable[dict]) -> str:
    return "".join(dumps_json(row) + "\n" for row in rows)


def read_jsonl(path: Path) -> list[dict]:
    """Read a JSONL file; raises PipelineError naming the file and line on a missing file or bad JSON."""
    path = Path(path)
    if not path.is_file():
        raise PipelineError(path, "no such file (run the stage that writes it first)")
    rows = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise PipelineError(path, f"line {number} is not valid JSON ({exc.msg})") from None
    return rows


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
