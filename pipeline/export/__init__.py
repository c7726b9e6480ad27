"""Exports: every format is rendered from one in-memory RunResult, so the formats can never disagree.

``render(result, formats)`` returns file name → bytes; :func:`pipeline.run.write_outputs` moves them
into the output folder atomically. Formats are registered in :mod:`pipeline.export.formats` behind the
interface of :mod:`pipeline.export.base`: jsonl (segments, removed, alignments, unaligned), tsv, moses
(parallel.ar / parallel.en / parallel.mt), tmx, html (report.html), manifest (manifest.json).
"""

from __future__ import annotations

from pipeline.export import formats as _formats  # noqa: F401  (registers the formats)
from pipeline.export.base import check_formats, format_names, register, render

__all__ = ["check_formats", "format_names", "register", "render"]
