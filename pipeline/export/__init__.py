"""Exports: every format is rendered from one in-memory RunResult, so the formats can never disagree.

``render(result, formats)`` returns file name → bytes; :class:`pipeline.outdir.OutputFolder`
publishes them into the output folder in one step. Formats are registered in :mod:`pipeline.export.formats` behind the
interface of :mod:`pipeline.export.base`: jsonl (segments, removed, alignments, unaligned, related), tsv
(alignments, related), moses (parallel.ar / .en / .mt, parallel.meta.tsv, and parallel.index in parallel
mode: translations only), tmx (translations only), html (report.html), manifest (manifest.json).
"""

from __future__ import annotations

from pipeline.export import formats as _formats  # noqa: F401  (registers the formats)
from pipeline.export.base import check_formats, format_names, formats_present, possible_files, register, render

__all__ = ["check_formats", "format_names", "formats_present", "possible_files", "register", "render"]
