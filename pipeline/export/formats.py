"""The registered export formats (see :mod:`pipeline.export.base`); each renders from the same RunResult."""

from __future__ import annotations

import json

from pipeline.export.base import MANIFEST, register
from pipeline.export.html import render_report
from pipeline.export.tabular import moses_files, tsv_text
from pipeline.export.tmx import tmx_bytes
from pipeline.fileio import jsonl_text
from pipeline.records import RunResult


@register("jsonl")
def jsonl_files(result: RunResult) -> dict[str, bytes]:
    return {
        "segments.jsonl": jsonl_text(result.segments).encode(),
        "removed.jsonl": jsonl_text(result.removed).encode(),
        "alignments.jsonl": jsonl_text(result.links).encode(),
        "unaligned.jsonl": jsonl_text(result.unaligned).encode(),
    }


@register("tsv")
def tsv_file(result: RunResult) -> dict[str, bytes]:
    return {"alignments.tsv": tsv_text(result.links).encode()}


@register("moses")
def moses_text_files(result: RunResult) -> dict[str, bytes]:
    return {name: text.encode() for name, text in moses_files(result.links).items()}


@register("tmx")
def tmx_file(result: RunResult) -> dict[str, bytes]:
    return {"alignments.tmx": tmx_bytes(result.links)}


@register("html")
def report_file(result: RunResult) -> dict[str, bytes]:
    return {"report.html": render_report(result).encode()}


@register(MANIFEST)
def manifest_file(result: RunResult) -> dict[str, bytes]:
    return {"manifest.json": (json.dumps(result.manifest, ensure_ascii=False, indent=2) + "\n").encode()}
