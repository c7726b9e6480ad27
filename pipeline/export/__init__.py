"""Exports: every format is rendered from one in-memory RunResult, so the formats can never disagree.

``render(result, formats)`` returns file name → bytes; :func:`pipeline.run.write_outputs` moves them
into the output folder atomically. Formats: jsonl (segments, removed, alignments, unaligned), tsv,
moses (parallel.ar / parallel.en / parallel.mt), tmx, html (report.html), manifest (manifest.json).
Sentence beads go with their paragraph counterparts: sentences.jsonl with jsonl, parallel.sent.ar /
parallel.sent.en with moses, alignments.sent.tmx with tmx.
"""

from __future__ import annotations

import json

from pipeline.errors import PipelineError
from pipeline.export.html import render_report
from pipeline.export.sentences import sentence_moses_files, sentence_tmx_bytes
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
            files["sentences.jsonl"] = jsonl_text(result.sentences).encode()
        elif fmt == "tsv":
            files["alignments.tsv"] = tsv_text(result.links).encode()
        elif fmt == "moses":
            files.update({name: text.encode() for name, text in moses_files(result.links).items()})
            files.update({name: text.encode() for name, text in sentence_moses_files(result.sentences).items()})
        elif fmt == "tmx":
            files["alignments.tmx"] = tmx_bytes(result.links)
            files["alignments.sent.tmx"] = sentence_tmx_bytes(result.sentences)
        elif fmt == "html":
            files["report.html"] = render_report(result).encode()
        elif fmt == "manifest":
            files["manifest.json"] = (json.dumps(result.manifest, ensure_ascii=False, indent=2) + "\n").encode()
        else:
            raise PipelineError(None, f"unknown format {fmt!r} (expected jsonl, tsv, moses, tmx, html)")
    return files
