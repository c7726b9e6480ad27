"""The project corpus: ``corpus/manifest.tsv`` lists each document's id, file, language, outlet, date and role."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import PipelineError

MANIFEST_COLUMNS = ("id", "file", "lang", "outlet", "date", "role", "sha256", "description")
# A user's manifest needs only these; id defaults to the file name, the other columns are optional.
REQUIRED_COLUMNS = ("file", "lang")


@dataclass(frozen=True)
class CorpusEntry:
    id: str
    path: Path
    lang: str
    meta: dict  # outlet, date, title, role, description, encoding (pipeline.ingest.metadata)
    sha256: str | None = None  # what the file's sha256 must be, when the manifest pins it
    manifest: Path | None = None


def load_manifest(location: Path) -> list[CorpusEntry]:
    """Read a manifest TSV: ``location`` is the file, or a folder holding ``manifest.tsv``. Files are
    relative to the manifest's folder. Raises PipelineError naming the manifest (and the line) on a
    missing file, a missing column, an unknown language or field, a malformed date, a repeated id, or,
    in a manifest with a sha256 column (the corpus's pins every copy), a row without a well-formed one."""
    from pipeline.ingest.documents import default_doc_id
    from pipeline.ingest.metadata import META_KEYS, check_meta

    location = Path(location)
    manifest = location / "manifest.tsv" if location.is_dir() or not location.suffix else location
    if not manifest.is_file():
        raise PipelineError(
            manifest, "no such manifest (give --ar/--en files, or a manifest TSV with file and lang columns)"
        )
    try:
        text = manifest.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise PipelineError(manifest, "not UTF-8 text (save the manifest as UTF-8)") from None
    numbered = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip() and not line.startswith("#")]
    rows = list(csv.DictReader([line for _, line in numbered], delimiter="\t"))
    if not rows:
        raise PipelineError(manifest, "lists no documents")
    missing = [c for c in REQUIRED_COLUMNS if c not in rows[0]]
    if missing:
        raise PipelineError(manifest, f"missing column(s): {', '.join(missing)}")
    entries = []
    first_row: dict[str, int] = {}
    pins_hashes = "sha256" in rows[0]
    for (number, _), row in zip(numbered[1:], rows, strict=True):
        where = f"{manifest} line {number}"
        if row["lang"] not in ("ar", "en"):
            raise PipelineError(where, f"language {row['lang']!r} is not ar or en")
        if not row.get("file"):
            raise PipelineError(where, "no file given")
        meta = check_meta({k: row[k] for k in META_KEYS if row.get(k)}, where)
        path = manifest.parent / row["file"]
        doc_id = row.get("id") or default_doc_id(path)
        if doc_id in first_row:
            raise PipelineError(
                manifest, f"line {number}: document id {doc_id!r} again (first on line {first_row[doc_id]})"
            )
        first_row[doc_id] = number
        if pins_hashes and not re.fullmatch(r"[0-9a-f]{64}", row["sha256"] or ""):
            raise PipelineError(
                manifest, f"line {number}: sha256 of {row['file']!r} is {row['sha256']!r}, expected 64 hex digits"
            )
        entries.append(CorpusEntry(doc_id, path, row["lang"], meta, row.get("sha256") or None, manifest))
    return entries


def read_entry(entry: CorpusEntry, encoding: str | None = None):
    """Read and validate one listed document (its own ``encoding`` field first, then ``encoding``), and
    check it is the copy the manifest pins (sha256)."""
    from pipeline.ingest.documents import read_document

    doc = read_document(entry.path, entry.lang, entry.id, entry.meta, entry.meta.get("encoding") or encoding)
    if entry.sha256 and doc.sha256 != entry.sha256:
        raise PipelineError(
            entry.path,
            f"sha256 is {doc.sha256}, but {entry.manifest or 'the manifest'} pins {entry.sha256}: "
            "the file changed since the manifest was written (update the manifest if the change is meant)",
        )
    return doc


def corpus_lines(corpus_dir: Path) -> tuple[list[str], list[str]]:
    """The non-empty lines of the corpus's Arabic and English documents, raw (what the tokenizers of the
    tests' and the benchmark's random-weight MT models are trained on). Raises PipelineError as
    :func:`load_manifest` and :func:`pipeline.ingest.documents.read_document` do."""
    arabic: list[str] = []
    english: list[str] = []
    for entry in load_manifest(corpus_dir):
        doc = read_entry(entry)
        (arabic if entry.lang == "ar" else english).extend(line for line in doc.text.splitlines() if line.strip())
    return arabic, english
