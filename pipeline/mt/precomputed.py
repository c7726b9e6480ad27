"""``precomputed`` backend: translations made elsewhere (a human translation, another MT system).

Accepted files (UTF-8):
- JSONL with ``{"id": "<paragraph id>", "mt_text": "..."}`` (or ``"text"``) per line;
- TSV with ``<paragraph id>\\t<translation>`` per line;
- plain text, one translation per line, line n for the n-th Arabic paragraph of the run.
"""

from __future__ import annotations

import json
from pathlib import Path

from pipeline.errors import PipelineError


def load_translations(path: Path, ar_ids: list[str]) -> dict[str, str]:
    """Paragraph id → translation. Raises PipelineError naming the file for a missing or unreadable file,
    bad JSON, an unknown paragraph id, or a line count that does not match the Arabic paragraphs."""
    path = Path(path)
    if not path.is_file():
        raise PipelineError(
            path, "no such translations file" if not path.is_dir() else "is a folder, expected a translations file"
        )
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        raise PipelineError(path, "translations file is not UTF-8 text") from None
    known = set(ar_ids)
    if lines and lines[0].lstrip().startswith("{"):
        out = {}
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                pid, text = row["id"], row.get("mt_text", row.get("text"))
            except (json.JSONDecodeError, KeyError, TypeError):
                raise PipelineError(
                    path, f"line {number}: expected a JSON object with \"id\" and \"mt_text\""
                ) from None
            out[pid] = text
    elif lines and all("\t" in line and line.split("\t", 1)[0] in known for line in lines if line.strip()):
        out = dict(line.split("\t", 1) for line in lines if line.strip())
    else:
        if len(lines) != len(ar_ids):
            raise PipelineError(
                path,
                f"has {len(lines)} lines but the run has {len(ar_ids)} Arabic paragraphs "
                "(use JSONL or TSV keyed by paragraph id instead)",
            )
        out = dict(zip(ar_ids, lines, strict=True))
    unknown = sorted(set(out) - known)
    if unknown:
        raise PipelineError(path, f"translations for unknown paragraph ids: {', '.join(unknown[:5])}")
    return out
