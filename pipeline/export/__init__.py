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


def render(result, formats) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for fmt in formats:
        if fmt == "jsonl":
            files["segments.jsonl"] = jsonl_text(result.segments).encode()
            files["removed.jsonl"] = jsonl_text(result.removed).encode()
            files["alignments.jsonl"] = jsonl_text(result.links).encode()
            files["unaligned.jsonl"] = jsonl_text(result.unaligned).encode()
        elif fmt == "tsv":
            files["alignments.tsv"] = tsv_text(result.links).encode()
        elif fmt == "moses":
            files.update({name: text.encode() for name, text in moses_files(result.links).items()})
        elif fmt == "tmx":
            files["alignments.tmx"] = tmx_bytes(result.links)
        elif fmt == "html":
            files["report.html"] = render_report(result).encode()
        elif fmt == "manifest":
            files["manifest.json"] = (json.dumps(result.manifest, ensure_ascii=False, indent=2) + "\n").encode()
        else:
            raise PipelineError(None, f"unknown format {fmt!r} (expected jsonl, tsv, moses, tmx, html)")
    return files
