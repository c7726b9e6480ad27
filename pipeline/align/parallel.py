"""Parallel mode: the English is a translation. Monotonic alignment by dynamic programming over beads
1-1, 1-2, 2-1, 1-0 and 0-1, in the vecalign / Bertalign manner: a merged bead is scored by the
embedding of the joined paragraphs, so a paragraph the translator split in two aligns to both halves.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

BEADS = ((1, 1), (1, 2), (2, 1), (1, 0), (0, 1))
# A bead must beat skipping: a 1-1 pair scores cos − SKIP_FLOOR, so pairs below the floor are left
# unaligned. A merge pays MERGE_PENALTY so that 1-1 wins ties (most paragraphs translate 1-1).
SKIP_FLOOR = 0.3
MERGE_PENALTY = 0.05
# Leaving a paragraph out costs this much: in a translation nearly every paragraph has a counterpart,
# so a paragraph the other side lacks is better merged into its neighbour's bead than dropped, unless
# the merge hurts the similarity by more than this (as vecalign's skip cost).
SKIP_PENALTY = 0.15


def align_monotonic(
    n_ar: int, n_en: int, bead_similarity: Callable[[int, int, int, int], float]
) -> list[tuple[list[int], list[int], float]]:
    """Best monotonic path; ``bead_similarity(i, a, j, b)`` is the similarity of Arabic paragraphs
    i..i+a−1 with English paragraphs j..j+b−1. Returns beads (ar indexes, en indexes, similarity);
    skipped paragraphs appear as beads with an empty side."""
    best = np.full((n_ar + 1, n_en + 1), -np.inf)
    back: dict[tuple[int, int], tuple[int, int, float]] = {}
    best[0, 0] = 0.0
    for i in range(n_ar + 1):
        for j in range(n_en + 1):
            if best[i, j] == -np.inf:
                continue
            for a, b in BEADS:
                if i + a > n_ar or j + b > n_en:
                    continue
                if a and b:
                    sim = bead_similarity(i, a, j, b)
                    gain = sim - SKIP_FLOOR - (MERGE_PENALTY if a + b > 2 else 0.0)
                else:
                    sim, gain = 0.0, -SKIP_PENALTY
                if best[i, j] + gain > best[i + a, j + b]:
                    best[i + a, j + b] = best[i, j] + gain
                    back[(i + a, j + b)] = (a, b, sim)
    beads = []
    i, j = n_ar, n_en
    while (i, j) != (0, 0):
        a, b, sim = back[(i, j)]
        beads.append((list(range(i - a, i)), list(range(j - b, j)), sim))
        i, j = i - a, j - b
    return beads[::-1]
