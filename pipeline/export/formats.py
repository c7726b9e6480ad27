"""The registered export formats (see :mod:`pipeline.export.base`); each renders from the same RunResult.
Sentence beads go with their paragraph counterparts: sentences.jsonl with jsonl, parallel.sent.ar /
parallel.sent.en with moses, alignments.sent.tmx with tmx."""

from __future__ import annotations

import json

from pipeline.export.base import MANIFEST, register
from pipeline.export.html import render_report
from pipeline.export.sentences import sentence_moses_files, sentence_tmx_bytes
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
        "sentences.jsonl": jsonl_text(result.sentences).encode(),
    }


@register("tsv")
def tsv_file(result: RunResult) -> dict[str, bytes]:
    return {"alignments.tsv": tsv_text(result.links).encode()}


@register("moses")
def moses_text_files(result: RunResult) -> dict[str, bytes]:
    files = {**moses_files(result.links), **sentence_moses_files(result.sentences)}
    return {name: text.encode() for name, text in files.items()}


@register("tmx")
def tmx_file(result: RunResult) -> dict[str, bytes]:
    return {"alignments.tmx": tmx_bytes(result.links), "alignments.sent.tmx": sentence_tmx_bytes(result.sentences)}


@register("html")
def report_file(result: RunResult) -> dict[str, bytes]:
    return {"report.html": render_report(result).encode()}


@register(MANIFEST)
def manifest_file(result: RunResult) -> dict[str, bytes]:
    return {"manifest.json": (json.dumps(result.manifest, ensure_ascii=False, indent=2) + "\n").encode()}
