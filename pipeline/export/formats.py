"""The registered export formats (see :mod:`pipeline.export.base`); each renders from the same RunResult.

Moses and TMX hold translations only: ``equivalent`` links grouped into beads (one line each side per
bead); ``related`` links go to related.jsonl / related.tsv and the report. Sentence beads go with their
paragraph counterparts: sentences.jsonl with jsonl, parallel.sent.ar / parallel.sent.en with moses,
alignments.sent.tmx with tmx.

An export's filter (``RunResult.shown``, ``--labels`` / ``--min-probability``) shapes every file but
the run's record: segments, removed, alignments, unaligned and sentences JSONL hold the whole run, so a
later export reads every link back and can lift the filter.
"""

from __future__ import annotations

import json

from pipeline.export.base import MANIFEST, register
from pipeline.export.html import render_report
from pipeline.export.selection import translation_beads
from pipeline.export.sentences import sentence_moses_files, sentence_tmx_bytes
from pipeline.export.tabular import alignment_index, moses_files, tsv_text
from pipeline.export.tmx import creation_date, tmx_bytes
from pipeline.fileio import jsonl_text
from pipeline.records import RunResult


def _related(links: list[dict]) -> list[dict]:
    return [link for link in links if link["label"] == "related"]


@register(
    "jsonl",
    (
        "segments.jsonl",
        "removed.jsonl",
        "alignments.jsonl",
        "unaligned.jsonl",
        "related.jsonl",
        "sentences.jsonl",
        "themes.jsonl",
    ),
)
def jsonl_files(result: RunResult) -> dict[str, bytes]:
    return {
        "themes.jsonl": jsonl_text(result.themes).encode(),
        "segments.jsonl": jsonl_text(result.segments).encode(),
        "removed.jsonl": jsonl_text(result.removed).encode(),
        "alignments.jsonl": jsonl_text(result.links).encode(),
        "unaligned.jsonl": jsonl_text(result.unaligned).encode(),
        "related.jsonl": jsonl_text(_related(result.view().links)).encode(),
        "sentences.jsonl": jsonl_text(result.sentences).encode(),
    }


@register("tsv", ("alignments.tsv", "related.tsv"))
def tsv_files(result: RunResult) -> dict[str, bytes]:
    links = result.view().links
    return {
        "alignments.tsv": tsv_text(links).encode(),
        "related.tsv": tsv_text(_related(links)).encode(),
    }


@register(
    "moses",
    (
        "parallel.ar",
        "parallel.en",
        "parallel.mt",
        "parallel.meta.tsv",
        "parallel.index",
        "parallel.sent.ar",
        "parallel.sent.en",
    ),
)
def moses_text_files(result: RunResult) -> dict[str, bytes]:
    result = result.view()
    beads = translation_beads(result.links, result.segments)
    # A run with MT writes parallel.mt even when it made no link (an empty file, like parallel.ar/.en).
    with_mt = any(row.get("mt_text") for row in result.segments)
    files = {**moses_files(beads, with_mt), **sentence_moses_files(result.sentences)}
    if result.manifest.get("parameters", {}).get("mode") == "parallel":
        files["parallel.index"] = alignment_index(beads, result.segments)
    return {name: text.encode() for name, text in files.items()}


@register("tmx", ("alignments.tmx", "alignments.sent.tmx"))
def tmx_file(result: RunResult) -> dict[str, bytes]:
    # The run records its date; an older folder without one gets it from the inputs' dates.
    export = result.manifest.get("export", {})
    if "tmx_creationdate" in export:
        date = export["tmx_creationdate"]
    else:
        date = creation_date(result.manifest.get("inputs", []))[0]
    view = result.view()
    return {
        "alignments.tmx": tmx_bytes(translation_beads(view.links, view.segments), date),
        "alignments.sent.tmx": sentence_tmx_bytes(view.sentences),
    }


@register("html", ("report.html",))
def report_file(result: RunResult) -> dict[str, bytes]:
    return {"report.html": render_report(result.view()).encode()}


@register(MANIFEST, ("manifest.json",))
def manifest_file(result: RunResult) -> dict[str, bytes]:
    return {"manifest.json": (json.dumps(result.manifest, ensure_ascii=False, indent=2) + "\n").encode()}
