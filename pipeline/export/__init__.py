"""Exports: every format is rendered from one in-memory RunResult, so the formats can never disagree.

``render(result, formats)`` returns file name → bytes; :func:`pipeline.run.write_outputs` moves them
into the output folder atomically. Formats: jsonl (segments, removed, alignments, unaligned), tsv,
moses (parallel.ar / parallel.en / parallel.mt), tmx, html (report.html), manifest (manifest.json).
"""

from __future__ import annotations

import json

from pipeline.errors import PipelineError
from pipeline.export.html import render_report
from pipeline.export.tabular import moses_files, tsv_text
from pipeline.export.tmx import tmx_bytes
from pipeline.fileio import jsonl_text
from pipeline.progress import progress


def render(result, formats) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    with progress(len(formats), "export", unit="format") as bar:
        for fmt in formats:
            bar.set_postfix_str(fmt)
            files.update(_render_one(result, fmt))
            bar.update()
    return files


def _render_one(result, fmt: str) -> dict[str, bytes]:
    if fmt == "jsonl":
        return {
            "segments.jsonl": jsonl_text(result.segments).encode(),
            "removed.jsonl": jsonl_text(result.removed).encode(),
            "alignments.jsonl": jsonl_text(result.links).encode(),
            "unaligned.jsonl": jsonl_text(result.unaligned).encode(),
        }
    if fmt == "tsv":
        return {"alignments.tsv": tsv_text(result.links).encode()}
    if fmt == "moses":
        return {name: text.encode() for name, text in moses_files(result.links).items()}
    if fmt == "tmx":
        return {"alignments.tmx": tmx_bytes(result.links)}
    if fmt == "html":
        return {"report.html": render_report(result).encode()}
    if fmt == "manifest":
        return {"manifest.json": (json.dumps(result.manifest, ensure_ascii=False, indent=2) + "\n").encode()}
    raise PipelineError(None, f"unknown format {fmt!r} (expected jsonl, tsv, moses, tmx, html)")
