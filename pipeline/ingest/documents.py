"""Reading input documents: every way a file can be wrong is refused here, before anything is written."""

from __future__ import annotations

import re
from pathlib import Path

from pipeline.errors import PipelineError
from pipeline.records import Document
from pipeline.text.script import script_ratio

LANGUAGE_NAMES = {"ar": "Arabic", "en": "English"}
# A document must have at least this share of its letters in its language's script. Real Arabic news text
# scores > 0.9 (Latin names and acronyms are a few percent); an English file passed as --ar scores ~0.
MIN_SCRIPT_SHARE = 0.5
MAX_BYTES = 50 * 1024 * 1024
_CONTROLS = re.compile(
    "[\x00-\x08\x0b\x0e-\x1f]"
)  # control characters text never has (tab, line ends and form feed aside)
# What a user can say about a document (``--meta``, a manifest file); the manifest always carries these keys.
DOCUMENT_META = ("outlet", "date", "title")


def read_document(
    path, lang: str, doc_id: str | None = None, meta: dict | None = None, encoding: str | None = None
) -> Document:
    """Read and validate one document: plain text, HTML, DOCX or PDF (decided by its content).

    Text and HTML that are not UTF-8 are decoded with ``encoding`` or a detected code page (recorded in
    the Document). ``meta`` (outlet, date, title, ...) wins over what the file says about itself.
    Raises PipelineError (naming ``path``) for: a missing file, a folder, an unreadable, empty, binary or
    undecodable file, an unsupported container, or text that is not in the expected language's script.
    """
    import hashlib

    from pipeline.ingest.formats import extract

    path = Path(path)
    if lang not in LANGUAGE_NAMES:
        raise PipelineError(path, f"unknown language {lang!r} (expected one of {', '.join(LANGUAGE_NAMES)})")
    if not path.exists():
        raise PipelineError(path, "no such file")
    if path.is_dir():
        raise PipelineError(path, "is a folder, expected a text, HTML, DOCX or PDF file")
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
    meta = dict(meta or {})
    encoding = encoding or meta.pop("encoding", None)
    meta.pop("encoding", None)
    extracted = extract(data, path, lang, encoding)
    text = extracted.text
    if not text.strip():
        raise PipelineError(path, "empty file (no text)")
    decoded = (
        ""
        if extracted.encoding_source in (None, "utf-8", "bom")
        else f"not UTF-8, read as {extracted.encoding} ({extracted.encoding_source})"
    )
    controls = _CONTROLS.subn("", text)[1]
    if "\x00" in text or controls > max(8, len(text) // 100):
        raise PipelineError(
            path, f"{decoded + ': ' if decoded else ''}binary data ({controls} control characters), expected text"
        )
    ratio = script_ratio(text)
    if ratio["letters"] == 0:
        raise PipelineError(path, f"{decoded + ': ' if decoded else ''}no letters in the file, expected running text")
    share = ratio["arabic"] if lang == "ar" else ratio["latin"]
    if share < MIN_SCRIPT_SHARE:
        raise PipelineError(path, wrong_script_message(lang, share, ratio, decoded, _mostly_accented(text)))
    merged = {**extracted.meta, **{k: v for k, v in meta.items() if v not in (None, "")}}
    return Document(
        id=doc_id or default_doc_id(path),
        lang=lang,
        path=str(path),
        text=text,
        sha256=hashlib.sha256(data).hexdigest(),
        meta=merged,
        format=extracted.format,
        encoding=extracted.encoding,
        encoding_source=extracted.encoding_source,
        dropped=dict(extracted.dropped),
    )


def _mostly_accented(text: str) -> bool:
    """Latin letters mostly accented (À–ɏ): Arabic bytes read with a Western code page, not English."""
    plain = len(_PLAIN_LATIN.findall(text[:100_000]))
    accented = len(_ACCENTED_LATIN.findall(text[:100_000]))
    return accented > plain


_PLAIN_LATIN = re.compile("[A-Za-z]")
_ACCENTED_LATIN = re.compile("[\u00c0-\u00ff\u0100-\u024f]")


def wrong_script_message(lang: str, share: float, ratio: dict, decoded: str, accented: bool = False) -> str:
    """Why a document is not in its language's script, and what to do: given on the wrong side when it is
    mostly the other language's script (the decoding made real letters, so --encoding would not help);
    when it is mostly some third script, or Latin letters mostly accented (``accented``: Arabic bytes read
    with a Western code page), a text in another code page read with the wrong one."""
    other = "en" if lang == "ar" else "ar"
    script = {"ar": "Arabic", "en": "Latin"}
    found = "Arabic" if ratio["arabic"] > ratio["latin"] else "Latin" if ratio["latin"] else "other"
    head = (
        f"expected {LANGUAGE_NAMES[lang]} text (given as --{lang}), but only {share:.0%} of its letters are in "
        f"{script[lang]} script"
    )
    how = f" ({decoded})" if decoded else ""
    if found == script[other] and not (found == "Latin" and accented):
        return f"{head}: it is mostly {found} script{how}; if it is {LANGUAGE_NAMES[other]}, give it as --{other}"
    hint = "; give the file's encoding with --encoding" if decoded else ""
    return f"{head}: it is mostly {found} script{how}{hint}"


def default_doc_id(path: Path) -> str:
    """A document id from its file name: the stem, with ``:``, spaces and dots replaced (``x.ar.txt`` → ``x-ar``)."""
    return Path(path).stem.replace(":", "_").replace(" ", "_").replace(".", "-")
