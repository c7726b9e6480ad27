"""Exact and near-duplicate paragraphs (re-posted bodies, repeated titles), within one language."""

from __future__ import annotations

import re

from pipeline.records import Segment

# Two paragraphs whose character 5-gram sets overlap this much (Jaccard) say the same thing in the same
# words: a re-posted body with a changed quote mark or a dropped word. Distinct news paragraphs on the same
# event stay far below (< 0.3 in this corpus).
NEAR_DUPLICATE_JACCARD = 0.8


def shingles_of(key: str, size: int = 5) -> set[str]:
    squeezed = re.sub(r"\W+", " ", key).strip()
    return {squeezed[i : i + size] for i in range(max(1, len(squeezed) - size + 1))}


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def find_duplicate(
    key: str, shingles: set[str], lang: str, seen: list[tuple[Segment, set[str]]], title: str | None
) -> tuple[str, str] | None:
    """(rule, reason) when ``key`` repeats a kept paragraph of ``lang`` in ``seen``, else None."""
    for other, other_shingles in seen:
        if other.lang != lang:
            continue
        if key == other.key:
            if other.kind == "title":
                return "repeated_title", f"repeated title (same as {other.id})"
            return "duplicate", f"exact duplicate of {other.id}"
        similarity = jaccard(shingles, other_shingles)
        if similarity >= NEAR_DUPLICATE_JACCARD:
            return "near_duplicate", f"near-duplicate of {other.id} (5-gram Jaccard {similarity:.2f})"
    return None
