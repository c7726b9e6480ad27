"""The project corpus: ``corpus/manifest.tsv`` lists each document's id, file, language, outlet, date and role."""

from __future__ import annotations

import csv
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


def load_manifest(corpus_dir: Path) -> list[CorpusEntry]:
    """Read ``corpus_dir/manifest.tsv``; raises PipelineError naming the manifest on a missing file,
    a missing column or an unknown language."""
    corpus_dir = Path(corpus_dir)
    manifest = corpus_dir / "manifest.tsv"
    if not manifest.is_file():
        raise PipelineError(manifest, "no such corpus manifest (give --ar/--en files instead)")
    lines = [line for line in manifest.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    rows = list(csv.DictReader(lines, delimiter="\t"))
    if not rows:
        raise PipelineError(manifest, "lists no documents")
    missing = [c for c in MANIFEST_COLUMNS if c not in rows[0]]
    if missing:
        raise PipelineError(manifest, f"missing column(s): {', '.join(missing)}")
    entries = []
    for number, row in enumerate(rows, 2):
        if row["lang"] not in ("ar", "en"):
            raise PipelineError(manifest, f"row {number}: language {row['lang']!r} is not ar or en")
        meta = {k: row[k] for k in ("outlet", "date", "role", "description")}
        entries.append(CorpusEntry(row["id"], corpus_dir / row["file"], row["lang"], meta))
    return entries


def corpus_lines(corpus_dir: Path) -> tuple[list[str], list[str]]:
    """The non-empty lines of the corpus's Arabic and English documents, raw (what the tokenizers of the
    tests' and the benchmark's random-weight MT models are trained on). Raises PipelineError as
    :func:`load_manifest` and :func:`pipeline.ingest.documents.read_document` do."""
    from pipeline.ingest.documents import read_document

    arabic: list[str] = []
    english: list[str] = []
    for entry in load_manifest(corpus_dir):
        doc = read_document(entry.path, entry.lang, entry.id, entry.meta)
        (arabic if entry.lang == "ar" else english).extend(line for line in doc.text.splitlines() if line.strip())
    return arabic, english
