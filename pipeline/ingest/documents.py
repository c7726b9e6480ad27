"""Reading input documents: every way a file can be wrong is refused here, before anything is written."""

from __future__ import annotations

from pathlib import Path

from pipeline.errors import PipelineError
from pipeline.records import Document
from pipeline.text.script import script_ratio

LANGUAGE_NAMES = {"ar": "Arabic", "en": "English"}
# A document must have at least this share of its letters in its language's script. Real Arabic news text
# scores > 0.9 (Latin names and acronyms are a few percent); an English file passed as --ar scores ~0.
MIN_SCRIPT_SHARE = 0.5
MAX_BYTES = 50 * 1024 * 1024


def read_document(path, lang: str, doc_id: str | None = None, meta: dict | None = None) -> Document:
    """Read and validate one UTF-8 plain-text document.

    Raises PipelineError (naming ``path``) for: a missing file, a folder, an unreadable, empty, binary or
    non-UTF-8 file, or text that is not in the expected language's script.
    """
    import hashlib

    path = Path(path)
    if lang not in LANGUAGE_NAMES:
        raise PipelineError(path, f"unknown language {lang!r} (expected one of {', '.join(LANGUAGE_NAMES)})")
    if not path.exists():
        raise PipelineError(path, "no such file")
    if path.is_dir():
        raise PipelineError(path, "is a folder, expected a UTF-8 text file")
    if not path.is_file():
        raise PipelineError(path, "is not a regular file")
    try:
        if path.stat().st_size > MAX_BYTES:
            raise PipelineError(path, f"file is larger than {MAX_BYTES // (1024 * 1024)} MiB")
        data = path.read_bytes()
    except OSError as exc:
        raise PipelineError(path, f"cannot be read ({exc.strerror})") from None
    if not data.strip():
        raise PipelineError(path, "empty file (no text)")
    if b"\x00" in data:
        raise PipelineError(path, "binary data (contains NUL bytes), expected UTF-8 text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PipelineError(
            path, f"not UTF-8 text (invalid byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls > max(8, len(text) // 100):
        raise PipelineError(path, f"binary data ({controls} control characters), expected UTF-8 text")
    ratio = script_ratio(text)
    if ratio["letters"] == 0:
        raise PipelineError(path, "no letters in the file, expected running text")
    share = ratio["arabic"] if lang == "ar" else ratio["latin"]
    if share < MIN_SCRIPT_SHARE:
        found = "Arabic" if ratio["arabic"] > ratio["latin"] else "Latin" if ratio["latin"] else "other"
        raise PipelineError(
            path,
            f"expected {LANGUAGE_NAMES[lang]} text (given as --{lang}) but only {share:.0%} of its letters "
            f"are in {'Arabic' if lang == 'ar' else 'Latin'} script (mostly {found} script)",
        )
    return Document(
        id=doc_id or default_doc_id(path),
        lang=lang,
        path=str(path),
        text=text,
        sha256=hashlib.sha256(data).hexdigest(),
        meta=dict(meta or {}),
    )


def default_doc_id(path: Path) -> str:
    """A document id from its file name: the stem, with ``:``, spaces and dots replaced (``x.ar.txt`` → ``x-ar``)."""
    return Path(path).stem.replace(":", "_").replace(" ", "_").replace(".", "-")
