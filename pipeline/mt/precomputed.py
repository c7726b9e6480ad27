"""``precomputed`` backend: translations made elsewhere (a human translation, another MT system).

Accepted files (UTF-8, a leading byte-order mark is ignored), one format per file, decided once from
the extension or ``--translations-format``, never guessed from the content:
- ``jsonl`` (``.jsonl``, ``.ndjson``): ``{"id": "<paragraph id>", "mt_text": "..."}`` (or ``"text"``) per line;
- ``tsv`` (``.tsv``): ``<paragraph id>\\t<translation>`` per line (the text taken as it is, tabs included);
- ``lines`` (``.txt``): one translation per line, line n for the n-th Arabic paragraph of the run.
Lines end at ``\\n`` only (a ``\\r`` before it is dropped): U+2028 and other Unicode line separators are
text. Every id must be one of the run's Arabic paragraphs and appear once; control characters (NUL,
ESC, ...) in a translation are refused, since they would end up in every export.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from pipeline.errors import PipelineError

FORMATS = ("jsonl", "tsv", "lines")
EXTENSIONS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".tsv": "tsv", ".txt": "lines"}
# C0 and C1 controls but tab and newline (newline can only reach a text through a JSON "\n" escape).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def translations_format(path: Path, given: str | None = None) -> str:
    """The file's format: ``given`` when set, else from its extension; PipelineError when neither says."""
    if given:
        if given not in FORMATS:
            raise PipelineError(None, f"unknown translations format {given!r} (expected {', '.join(FORMATS)})")
        return given
    fmt = EXTENSIONS.get(Path(path).suffix.lower())
    if fmt is None:
        raise PipelineError(
            path,
            f"cannot tell the translations format from the extension {Path(path).suffix!r}: "
            "name the file .jsonl, .tsv or .txt, or pass --translations-format jsonl|tsv|lines",
        )
    return fmt


def _lines(path: Path) -> list[str]:
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PipelineError(path, f"translations file is not UTF-8 text (invalid byte at offset {exc.start})") from None
    except OSError as exc:
        raise PipelineError(path, f"cannot be read ({exc.strerror})") from None
    text = text.removeprefix("\ufeff")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line.removesuffix("\r") for line in lines]


def _jsonl_rows(path: Path, lines: list[str]):
    """(line number, id, translation) of each non-blank JSONL line, fields as they are (checked by the caller)."""
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise PipelineError(path, f"line {number}: not valid JSON ({exc.msg})") from None
        if not isinstance(row, dict) or "id" not in row or not ({"mt_text", "text"} & set(row)):
            raise PipelineError(path, f"line {number}: expected a JSON object with \"id\" and \"mt_text\"")
        yield number, row["id"], row["mt_text"] if "mt_text" in row else row["text"]


def _tsv_rows(path: Path, lines: list[str]):
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        if "\t" not in line:
            raise PipelineError(path, f"line {number}: expected <paragraph id><TAB><translation>")
        pid, text = line.split("\t", 1)
        yield number, pid, text


def _line_rows(path: Path, lines: list[str], ar_ids: list[str]):
    if len(lines) != len(ar_ids):
        raise PipelineError(
            path,
            f"has {len(lines)} lines but the run has {len(ar_ids)} Arabic paragraphs "
            "(use JSONL or TSV keyed by paragraph id instead)",
        )
    for number, (pid, line) in enumerate(zip(ar_ids, lines, strict=True), 1):
        yield number, pid, line


def _check_row(path: Path, number: int, pid, text, known: set[str], first_line: dict[str, int]) -> None:
    if not isinstance(pid, str):
        raise PipelineError(path, f"line {number}: \"id\" must be a string, not {type(pid).__name__}")
    if not isinstance(text, str):
        raise PipelineError(
            path, f"line {number}: the translation of {pid!r} must be a string, not {type(text).__name__}"
        )
    if pid not in known:
        raise PipelineError(path, f"line {number}: unknown paragraph id {pid!r} (not an Arabic paragraph of this run)")
    if pid in first_line:
        raise PipelineError(path, f"line {number}: paragraph id {pid!r} again (first on line {first_line[pid]})")
    bad = _CONTROL.search(text)
    if bad:
        raise PipelineError(
            path, f"line {number}: control character U+{ord(bad.group()):04X} in the translation of {pid!r}"
        )


def load_translations(path: Path, ar_ids: list[str], fmt: str | None = None) -> dict[str, str]:
    """Paragraph id → translation. Raises PipelineError naming the file (and the line) for a missing or
    unreadable file, an unknown format, bad JSON, a field of the wrong type, an unknown or repeated
    paragraph id, a control character, or (``lines``) a line count that does not match."""
    path = Path(path)
    if not path.is_file():
        raise PipelineError(
            path, "no such translations file" if not path.is_dir() else "is a folder, expected a translations file"
        )
    fmt = translations_format(path, fmt)
    lines = _lines(path)
    if fmt == "jsonl":
        rows = _jsonl_rows(path, lines)
    elif fmt == "tsv":
        rows = _tsv_rows(path, lines)
    else:
        rows = _line_rows(path, lines, ar_ids)
    known = set(ar_ids)
    out: dict[str, str] = {}
    first_line: dict[str, int] = {}
    for number, pid, text in rows:
        _check_row(path, number, pid, text, known, first_line)
        first_line[pid] = number
        out[pid] = text
    return out
