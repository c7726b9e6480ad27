"""Exact and near-duplicate paragraphs (re-posted bodies, repeated titles), within one language, in time
linear in the number of paragraphs, whatever the text.

A paragraph is a duplicate of the first earlier paragraph (same language) with the same matching key, or
whose character 5-gram set overlaps its own with Jaccard ≥ ``threshold``. Comparing with every earlier
paragraph is quadratic (4,000 paragraphs took 325 s). The index before this one probed the posting lists
of a paragraph's rarest shingles, exact, but on text from a limited vocabulary (random words, issue 23)
no shingle is rare and every list grows with the input: 13,000 lines took 3.2 times as long as 6,600.

Candidates now come from MinHash locality-sensitive hashing (Broder 1997): BANDS bands of ROWS minimum
hashes of the shingle codes; two paragraphs become candidates when one band agrees, which for a pair at
Jaccard J happens with probability 1 − (1 − J^ROWS)^BANDS: 0.99965 at the 0.8 threshold, 1 − 8·10⁻⁶ at
0.85, 1 − 2·10⁻⁸ at 0.9, and about 2·10⁻⁵ for two paragraphs of unrelated news (J ≈ 0.1). Candidates
are then checked exactly (key, then the Jaccard of the shingle strings) in the order they were seen, so
the decision is the exhaustive scan's whenever the true match is a candidate; the hashes are seeded, so a
rerun decides the same. The work per paragraph is its shingles and its few candidates; the index keeps
each paragraph's key, its band hashes, its signature and its number of shingles, not its shingles; a
candidate's shingles are made again only when its size and signature allow the threshold (PREFILTER_SLACK).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

SHINGLE_SIZE = 5
# Two paragraphs whose character 5-gram sets overlap this much (Jaccard) say the same thing in the same
# words: a re-posted body with a changed quote mark or a dropped word. Distinct news paragraphs on the same
# event stay far below (< 0.3 in this corpus).
NEAR_DUPLICATE_JACCARD = 0.8


def shingles_of(key: str, size: int = SHINGLE_SIZE) -> frozenset[str]:
    """Character ``size``-grams of ``key`` with runs of non-word characters squeezed to one space."""
    squeezed = re.sub(r"\W+", " ", key).strip()
    return frozenset(squeezed[i : i + size] for i in range(max(1, len(squeezed) - size + 1)))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


@dataclass(frozen=True)
class Match:
    """The earlier paragraph a new one duplicates: its position in the index, and how."""

    position: int
    exact: bool  # same matching key
    similarity: float  # shingle Jaccard (1.0 for an exact match)


BANDS, ROWS = 20, 5
_SEED = 13  # fixed: the same candidates, hence the same decisions, on every run and machine
_MULTIPLIERS = np.random.default_rng(_SEED).integers(1, 2**63, BANDS * ROWS, dtype=np.uint64) | np.uint64(1)
_OFFSETS = np.random.default_rng(_SEED + 1).integers(0, 2**63, BANDS * ROWS, dtype=np.uint64)
_PRIME = np.uint64(0x100000001B3)


def shingle_codes(key: str, size: int = SHINGLE_SIZE) -> np.ndarray:
    """The shingles of :func:`shingles_of` as 64-bit codes of their code points (unique, sorted)."""
    squeezed = re.sub(r"\W+", " ", key).strip()
    points = np.frombuffer(squeezed.encode("utf-32-le"), dtype="<u4").astype(np.uint64)
    width = min(size, len(points))
    codes = np.zeros(max(1, len(points) - size + 1), dtype=np.uint64)
    with np.errstate(over="ignore"):  # the codes wrap around 2⁶⁴ on purpose
        for offset in range(width):
            codes = codes * _PRIME + points[offset : offset + len(codes)]
    return np.unique(codes)


def min_hashes(codes: np.ndarray) -> np.ndarray:
    """The BANDS · ROWS minimum hashes of the shingle codes (the paragraph's MinHash signature)."""
    with np.errstate(over="ignore"):
        return (np.multiply.outer(_MULTIPLIERS, codes) + _OFFSETS[:, None]).min(axis=1)


def band_hashes(codes: np.ndarray, minima: np.ndarray | None = None) -> list[int]:
    """One number per band: its ROWS minimum hashes (over the shingle codes) folded together."""
    if minima is None:
        minima = min_hashes(codes)
    with np.errstate(over="ignore"):
        folded = (minima.reshape(BANDS, ROWS) * _PRIME ** np.arange(ROWS, dtype=np.uint64)).sum(axis=1)
    return [int(value) for value in folded]


# A candidate whose signature agrees with the paragraph's in fewer than (threshold − this) of its hashes is
# not checked exactly (issue 25: an archive's paragraphs that share a sentence are candidates of each other,
# and re-making every candidate's shingles made ingest grow faster than the archive). The share of agreeing
# hashes estimates the Jaccard with a standard deviation of at most 0.05 (100 hashes), so a pair at the 0.8
# threshold is skipped with probability under 10⁻⁶, below the bands' own 3.5·10⁻⁴ miss at 0.8.
PREFILTER_SLACK = 0.25


@dataclass
class DuplicateIndex:
    """The paragraphs kept so far in one language; :meth:`find` then :meth:`add` for each new paragraph."""

    threshold: float
    keys: list[str] = field(default_factory=list)
    first_with_key: dict[str, int] = field(default_factory=dict)
    # Per band: band hash → the positions with it (an int while there is one: most buckets hold one).
    buckets: list[dict[int, int | list[int]]] = field(default_factory=lambda: [{} for _ in range(BANDS)])
    signatures: list[np.ndarray] = field(default_factory=list)  # each kept paragraph's min_hashes
    sizes: list[int] = field(default_factory=list)  # and its number of shingles
    _last: tuple[str, list[int], np.ndarray] | None = None

    def _hashes(self, key: str) -> tuple[list[int], np.ndarray]:
        if self._last is None or self._last[0] != key:
            codes = shingle_codes(key)
            minima = min_hashes(codes)
            self._last = (key, band_hashes(codes, minima), minima)
        return self._last[1], self._last[2]

    def _bands(self, key: str) -> list[int]:
        return self._hashes(key)[0]

    def find(self, key: str, grams: frozenset[str]) -> Match | None:
        """The earliest indexed paragraph with the same key or shingle Jaccard ≥ threshold, among the
        candidates (the same key, or a band in common)."""
        candidates: set[int] = set()
        for bucket, value in zip(self.buckets, self._bands(key), strict=True):
            found = bucket.get(value)
            if found is not None:
                candidates.update(found if isinstance(found, list) else (found,))
        exact = self.first_with_key.get(key)
        if exact is not None:
            candidates.add(exact)
        low, high = self.threshold * len(grams) - 1e-9, len(grams) / self.threshold + 1e-9
        signature = self._hashes(key)[1]
        agree = (self.threshold - PREFILTER_SLACK) * len(signature)
        for position in sorted(candidates):
            if self.keys[position] == key:
                return Match(position, True, 1.0)
            if not low <= self.sizes[position] <= high:  # Jaccard ≥ t needs t·|x| ≤ |y| ≤ |x|/t
                continue
            if np.count_nonzero(self.signatures[position] == signature) < agree:
                continue
            similarity = jaccard(grams, shingles_of(self.keys[position]))
            if similarity >= self.threshold:
                return Match(position, False, similarity)
        return None

    def add(self, key: str, grams: frozenset[str]) -> int:
        position = len(self.keys)
        self.keys.append(key)
        self.first_with_key.setdefault(key, position)
        self.signatures.append(self._hashes(key)[1])
        self.sizes.append(len(grams))
        for bucket, value in zip(self.buckets, self._bands(key), strict=True):
            found = bucket.get(value)
            if found is None:
                bucket[value] = position
            elif isinstance(found, list):
                found.append(position)
            else:
                bucket[value] = [found, position]
        return position
