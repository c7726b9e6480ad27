"""The project corpus: ``corpus/manifest.tsv`` lists each document's id, file, language, outlet, date and role."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import PipelineError

MANIFEST_COLUMNS = ("id", "file", "lang", "outlet", "date", "role", "sha256", "description")


@dataclass(frozen=True)
class CorpusEntry:
    id: str
    path: Path
    lang: str
    meta: dict
    sha256: str = ""  # what the file's sha256 must be (the manifest pins each copy)
    manifest: Path | None = None


def load_manifest(corpus_dir: Path) -> list[CorpusEntry]:
    """Read ``corpus_dir/manifest.tsv``; raises PipelineError naming the manifest (and the row) on a
    missing file, a missing column, an unknown language, a repeated id or a malformed sha256."""
    corpus_dir = Path(corpus_dir)
    manifest = corpus_dir / "manifest.tsv"
    if not manifest.is_file():
        raise PipelineError(manifest, "no such corpus manifest (give --ar/--en files instead)")
    numbered = [
        (number, line)
        for number, line in enumerate(manifest.read_text(encoding="utf-8").split("\n"), 1)
        if line.strip() and not line.startswith("#")
    ]
    rows = list(csv.DictReader([line.rstrip("\r") for _, line in numbered], delimiter="\t"))
    if not rows:
        raise PipelineError(manifest, "lists no documents")
    missing = [c for c in MANIFEST_COLUMNS if c not in rows[0]]
    if missing:
        raise PipelineError(manifest, f"missing column(s): {', '.join(missing)}")
    entries = []
    first_row: dict[str, int] = {}
    for (number, _), row in zip(numbered[1:], rows, strict=False):
        if row["lang"] not in ("ar", "en"):
            raise PipelineError(manifest, f"line {number}: language {row['lang']!r} is not ar or en")
        if row["id"] in first_row:
            raise PipelineError(
                manifest, f"line {number}: document id {row['id']!r} again (first on line {first_row[row['id']]})"
            )
        first_row[row["id"]] = number
        if not re.fullmatch(r"[0-9a-f]{64}", row["sha256"] or ""):
            raise PipelineError(
                manifest, f"line {number}: sha256 of {row['file']!r} is {row['sha256']!r}, expected 64 hex digits"
            )
        meta = {k: row[k] for k in ("outlet", "date", "role", "description")}
        entries.append(CorpusEntry(row["id"], corpus_dir / row["file"], row["lang"], meta, row["sha256"], manifest))
    return entries


def read_entry(entry: CorpusEntry):
    """Read and validate one listed document, and check it is the copy the manifest pins (sha256)."""
    from pipeline.ingest.documents import read_document

    doc = read_document(entry.path, entry.lang, entry.id, entry.meta)
    if entry.sha256 and doc.sha256 != entry.sha256:
        raise PipelineError(
            entry.path,
            f"sha256 is {doc.sha256}, but {entry.manifest or 'the corpus manifest'} pins {entry.sha256}: "
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
