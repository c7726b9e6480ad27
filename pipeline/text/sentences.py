"""Sentence splitting for Arabic and English, with offsets into the paragraph text.

Boundaries: `.`, `!`, `?`, the Arabic question mark `؟`, the ellipsis, and line ends; closing quotes and
brackets stay with their sentence. Never the Arabic comma `،` (Arabic prose chains clauses with it).
An English full stop after a known abbreviation or a single initial is not a boundary, and a piece of
fewer than two words is joined to the next sentence (e.g. the source tag "(المستقلة)…." before the text).
"""

from __future__ import annotations

import re

_BOUNDARY_RE = re.compile(r"[.!?؟…]+[\"'”’»)\]]*(?=\s|$)|\n+")
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof gen maj col lt capt sgt st jr sr no nos vs etc inc ltd co corp dept gov rep sen "
    "jan feb mar apr jun jul aug sep sept oct nov dec u.s u.n u.k e.g i.e a.m p.m".split()
)
MIN_WORDS = 2


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Return (start, end) character spans of the sentences of ``text``, whitespace excluded."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _BOUNDARY_RE.finditer(text):
        end = match.end()
        if match.group().startswith(".") and not match.group().startswith(".."):
            word = re.search(r"([\w.]+)\.$", text[start : match.start() + 1])
            if word and (word.group(1).lower() in _ABBREVIATIONS or re.fullmatch(r"[A-Z]", word.group(1))):
                continue
        if len(text[start:end].split()) < MIN_WORDS:
            continue
        _append_trimmed(spans, text, start, end)
        start = end
    _append_trimmed(spans, text, start, len(text))
    return spans


def _append_trimmed(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        spans.append((start, end))
