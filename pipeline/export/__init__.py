"""Exports: every format is rendered from one in-memory RunResult, so the formats can never disagree.

``render(result, formats)`` returns file name → bytes; :func:`pipeline.run.write_outputs` moves them
into the output folder atomically. Formats: jsonl (segments, removed, alignments, unaligned, related),
tsv (alignments, related), moses (parallel.ar / .en / .mt, parallel.meta.tsv, and parallel.index in
parallel mode: translations only), tmx (translations only), html (report.html), manifest (manifest.json).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pipeline.errors import PipelineError
from pipeline.export.html import render_report
from pipeline.export.selection import translation_beads
from pipeline.export.tabular import alignment_index, moses_files, tsv_text
from pipeline.export.tmx import creation_date, tmx_bytes
from pipeline.fileio import jsonl_text


def _related(links: list[dict]) -> list[dict]:
    return [link for link in links if link["label"] == "related"]


def _jsonl(result) -> dict[str, str]:
    return {
        "segments.jsonl": jsonl_text(result.segments),
        "removed.jsonl": jsonl_text(result.removed),
        "alignments.jsonl": jsonl_text(result.links),
        "unaligned.jsonl": jsonl_text(result.unaligned),
        "related.jsonl": jsonl_text(_related(result.links)),
    }


def _tsv(result) -> dict[str, str]:
    return {"alignments.tsv": tsv_text(result.links), "related.tsv": tsv_text(_related(result.links))}


def _moses(result) -> dict[str, str]:
    beads = translation_beads(result.links, result.segments)
    files = moses_files(beads)
    if result.manifest.get("parameters", {}).get("mode") == "parallel":
        files["parallel.index"] = alignment_index(beads, result.segments)
    return files


def _tmx(result) -> dict[str, bytes]:
    export = result.manifest.get("export", {})
    date = (
        export["tmx_creationdate"]
        if "tmx_creationdate" in export
        else creation_date(result.manifest.get("inputs", []))[0]
    )
    return {"alignments.tmx": tmx_bytes(translation_beads(result.links, result.segments), date)}


def _html(result) -> dict[str, str]:
    return {"report.html": render_report(result)}


def _manifest(result) -> dict[str, str]:
    return {"manifest.json": json.dumps(result.manifest, ensure_ascii=False, indent=2) + "\n"}


@dataclass(frozen=True)
class Format:
    """One export format: ``render(result)`` gives file name → text or bytes; ``files`` names every file
    it may write, so that a re-export removes those it no longer writes."""

    render: Callable[[Any], Mapping[str, str | bytes]]
    files: tuple[str, ...]


FORMATS: dict[str, Format] = {
    "jsonl": Format(
        _jsonl, ("segments.jsonl", "removed.jsonl", "alignments.jsonl", "unaligned.jsonl", "related.jsonl")
    ),
    "tsv": Format(_tsv, ("alignments.tsv", "related.tsv")),
    "moses": Format(_moses, ("parallel.ar", "parallel.en", "parallel.mt", "parallel.meta.tsv", "parallel.index")),
    "tmx": Format(_tmx, ("alignments.tmx",)),
    "html": Format(_html, ("report.html",)),
    "manifest": Format(_manifest, ("manifest.json",)),
}


def render(result, formats) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for fmt in formats:
        if fmt not in FORMATS:
            choices = ", ".join(f for f in FORMATS if f != "manifest")
            raise PipelineError(None, f"unknown format {fmt!r} (expected {choices})")
        for name, data in FORMATS[fmt].render(result).items():
            files[name] = data if isinstance(data, bytes) else data.encode()
    return files


def possible_files(formats) -> set[str]:
    """Every file the formats may write (whether or not this result needs each one)."""
    return {name for fmt in formats for name in FORMATS[fmt].files}
