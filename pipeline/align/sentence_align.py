"""Sentence alignment: a monotonic dynamic programme over sentence embeddings, in the vecalign manner.

Pure functions over embedding matrices (no encoder, no text here):

- Each side comes as :class:`Side`: one unit-length row per sentence (``single``) and one per pair of
  consecutive sentences embedded as one text (``pair[i]`` = sentences i and i+1 joined), so that merged
  beads are judged by what the merged text means, not by an average of its parts.
- Beads 1-1, 1-2, 2-1, 2-2 cost ``2 (1 − cos) / (norm_x + norm_y)`` (Thompson & Koehn 2019): ``norm`` is
  one minus a vector's mean cosine to a sample of the other side, so a hub sentence (close to everything:
  a dateline, "He said.") is not cheap to pair with anything. A merged bead pays that times
  ``1 + merge_weight · (a·b − 1)`` (vecalign: ``a · b``) plus ``merge_penalty`` per sentence beyond the
  first on each side: with a small weight and a penalty near the skip cost, merging a sentence or leaving
  it out is decided by which of the two matches its neighbour's translation better, where vecalign's
  ``a · b`` merges a short sentence the other side lacks (it hardly moves the merged vector). A Gale &
  Church length term (the bead's log length ratio against the document's) separates the two further.
  1-0 and 0-1 beads cost ``skip_cost``. All four are calibrated on FLORES tune articles. Costs are in
  units of a random pair: a random pair costs about 1, a translation about 0.3.
- Search: documents up to ``full_dp_max`` sentences a side get the whole matrix. Larger ones are aligned
  coarse to fine (vecalign's approximation of FastDTW): neighbouring sentences are summed into one vector,
  the half-length documents aligned recursively with 1-1 and skips, and the fine search keeps only a band
  of ``band`` nodes either side of the coarse path, so time and memory grow linearly with length.
- The DP is vectorised along each row of the band with numpy (the 0-1 chain within a row is a running
  minimum), so nothing is compiled.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np

PAIR_BEADS = ((1, 1), (1, 2), (2, 1), (2, 2))
SKIP_BEADS = ((1, 0), (0, 1))
BEADS = PAIR_BEADS + SKIP_BEADS
_INF = np.inf
# Characters (both sides) of a typical sentence pair: the length term's unit (see _length_term).
LENGTH_SCALE = 200.0


@dataclass(frozen=True)
class SentenceAlignSettings:
    skip_cost: float = 0.4  # cost of leaving one sentence out (1-0 / 0-1); calibrated: sentence_calibrated.json
    merge_weight: float = 0.25  # how much a merged bead pays for the sentences it swallows (1: vecalign's a·b)
    merge_penalty: float = 0.3  # added once per sentence a bead holds beyond the first on each side
    length_weight: float = 0.5  # Gale & Church length term's weight (_length_term)
    band: int = 8  # nodes either side of the coarse path searched at the finer level
    full_dp_max: int = 250  # up to this many sentences a side, the whole matrix is searched
    norm_samples: int = 200  # vectors of the other side the hub normalisation averages over


@dataclass(frozen=True)
class Side:
    """Embeddings of one document: ``single`` (n, d) and ``pair`` (max(n − 1, 0), d), unit-length rows;
    ``chars``: each sentence's length in characters (None: no length term)."""

    single: np.ndarray
    pair: np.ndarray
    chars: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.single)

    def level(self, size: int) -> np.ndarray:
        return self.single if size == 1 else self.pair

    def log_chars(self, size: int) -> np.ndarray:
        """log of the characters of each window of ``size`` sentences (joined by a space)."""
        chars = np.maximum(np.asarray(self.chars, dtype=np.float64), 1.0)
        return np.log(chars if size == 1 else chars[:-1] + chars[1:] + 1.0)


@dataclass(frozen=True)
class Bead:
    src: tuple[int, ...]  # sentence indexes on the source (Arabic) side, empty for 0-1
    tgt: tuple[int, ...]  # sentence indexes on the target (English) side, empty for 1-0
    cost: float  # the bead's cost (skip_cost for 1-0 / 0-1)
    cosine: float | None  # cosine of the bead's two (merged) embeddings; None for skips

    @property
    def kind(self) -> str:
        return f"{len(self.src)}-{len(self.tgt)}"


def pair_texts(sentences: list[str]) -> list[str]:
    """The texts embedded for :attr:`Side.pair`: each sentence joined with the next by a space."""
    return [f"{a} {b}" for a, b in pairwise(sentences)]


def _unit_rows(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    return (
        x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
        if len(x)
        else x.reshape(0, x.shape[-1] if x.ndim == 2 else 0)
    )


def hub_norms(vectors: np.ndarray, pool: np.ndarray, samples: int) -> np.ndarray:
    """``1 − mean cosine`` of each row of ``vectors`` to (an evenly spaced, so deterministic, sample of)
    ``pool``: large for a specific sentence, small for a hub."""
    if len(vectors) == 0:
        return np.zeros(0, dtype=np.float32)
    if len(pool) == 0:
        return np.ones(len(vectors), dtype=np.float32)
    if len(pool) > samples:
        pool = pool[np.linspace(0, len(pool) - 1, samples).astype(int)]
    return np.maximum(1.0 - (vectors @ pool.mean(axis=0)), 1e-3).astype(np.float32)


def _norms(side: Side, pool: np.ndarray, samples: int) -> dict[int, np.ndarray]:
    return {1: hub_norms(side.single, pool, samples), 2: hub_norms(side.pair, pool, samples)}


def _pool(side: Side) -> np.ndarray:
    return np.concatenate([side.single, side.pair]) if len(side.pair) else side.single


def bead_costs(sims, norm_sum, a: int, b: int, merge_weight: float, merge_penalty: float):
    """Cost of an a × b bead from the cosine of its (merged) embeddings and the sum of their hub norms:
    the normalised cost ``2 (1 − cos) / norm_sum`` times ``1 + merge_weight · (a·b − 1)`` (weight 1 is
    vecalign's ``a · b``), plus ``merge_penalty`` for each sentence beyond the first on each side."""
    return 2.0 * (1.0 - sims) / norm_sum * (1.0 + merge_weight * (a * b - 1)) + merge_penalty * (a + b - 2)


def _length_term(src: Side, tgt: Side, weight: float):
    """Gale & Church's length model as a cost: ``weight · (log(tgt chars / src chars) − r)² · chars /
    LENGTH_SCALE``, r the whole document's log ratio (taken from the document, not from a language
    pair) and chars the bead's characters on both sides (a long bead's ratio varies less, as in Gale &
    Church). A bead that leaves out a sentence its translation holds, or swallows one it lacks, is far
    from the ratio. None when the weight is 0 or a side has no lengths."""
    if not weight or src.chars is None or tgt.chars is None or len(src) == 0 or len(tgt) == 0:
        return None
    logs = {(side, size): s.log_chars(size) for side, s in ((0, src), (1, tgt)) for size in (1, 2)}
    ratio = float(np.log(max(float(np.sum(tgt.chars)), 1.0) / max(float(np.sum(src.chars)), 1.0)))

    def term(a: int, b: int, i, j):
        src_log, tgt_log = logs[(0, a)][i], logs[(1, b)][j]
        return weight * np.square(tgt_log - src_log - ratio) * (np.exp(src_log) + np.exp(tgt_log)) / LENGTH_SCALE

    return term


def full_windows(n: int, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Every node of every row: the exact DP."""
    return np.zeros(n + 1, dtype=np.int64), np.full(n + 1, m, dtype=np.int64)


def windows_from_path(
    path: list[tuple[int, int]], n: int, m: int, band: int, scale: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Node columns ``[lo[i], hi[i]]`` searched in each row i of an n × m lattice: the nodes of ``path``
    (a monotone list of nodes, in coordinates ``scale`` times coarser), every node between consecutive
    path nodes, and ``band`` nodes either side; widened to stay monotone so that every kept node can be
    reached."""
    lo = np.full(n + 1, m + 1, dtype=np.int64)
    hi = np.full(n + 1, -1, dtype=np.int64)
    for (i0, j0), (i1, j1) in pairwise(path):
        r0, r1 = min(i0 * scale, n), min(i1 * scale, n)
        c0, c1 = min(j0 * scale, m), min(j1 * scale, m)
        lo[r0 : r1 + 1] = np.minimum(lo[r0 : r1 + 1], c0)
        hi[r0 : r1 + 1] = np.maximum(hi[r0 : r1 + 1], c1)
    if len(path) == 1:
        lo[:] = 0
        hi[:] = m
    lo = np.clip(lo - band, 0, m)
    hi = np.clip(hi + band, 0, m)
    lo = np.minimum.accumulate(lo[::-1])[::-1]
    hi = np.maximum.accumulate(hi)
    lo[0], hi[-1] = 0, m
    return lo, np.maximum(hi, lo)


def _dp(
    src: Side,
    tgt: Side,
    src_norms,
    tgt_norms,
    lo,
    hi,
    skip_cost: float,
    beads,
    merge_weight: float = 1.0,
    merge_penalty: float = 0.0,
    length=None,
):
    """Fill the banded DP; returns (cost table, bead table) with row i holding nodes lo[i]..hi[i]."""
    n, m = len(src), len(tgt)
    width = int((hi - lo).max()) + 1
    cost = np.full((n + 1, width), _INF)
    back = np.full((n + 1, width), -1, dtype=np.int8)
    pair_beads = [(k, a, b) for k, (a, b) in enumerate(beads) if a and b]
    src_skip = next((k for k, (a, b) in enumerate(beads) if (a, b) == (1, 0)), None)
    tgt_skip = next((k for k, (a, b) in enumerate(beads) if (a, b) == (0, 1)), None)
    for i in range(n + 1):
        j0, j1 = int(lo[i]), int(hi[i])
        cand = np.full(j1 - j0 + 1, _INF)
        pick = np.full(j1 - j0 + 1, -1, dtype=np.int8)
        if i == 0:
            cand[0] = 0.0 if j0 == 0 else _INF
        for k, a, b in pair_beads:
            if i < a:
                continue
            p = i - a
            # bead ends at node (i, j), starts at (p, j − b): sentences p..i−1 and j−b..j−1.
            start = max(j0, int(lo[p]) + b, b)  # j − b ≥ lo[p] and ≥ 0
            stop = min(j1, int(hi[p]) + b, m)
            if start > stop:
                continue
            vec = src.level(a)[p]
            cols = slice(start - b, stop - b + 1)  # window start indexes j − b
            sims = tgt.level(b)[cols] @ vec
            bead_cost = bead_costs(sims, src_norms[a][p] + tgt_norms[b][cols], a, b, merge_weight, merge_penalty)
            if length is not None:
                bead_cost = bead_cost + length(a, b, p, cols)
            prev = cost[p, start - b - int(lo[p]) : stop - b - int(lo[p]) + 1]
            total = prev + bead_cost
            seg = slice(start - j0, stop - j0 + 1)
            better = total < cand[seg]
            cand[seg] = np.where(better, total, cand[seg])
            pick[seg] = np.where(better, k, pick[seg])
        if src_skip is not None and i >= 1:
            p = i - 1
            start, stop = max(j0, int(lo[p])), min(j1, int(hi[p]))
            if start <= stop:
                total = cost[p, start - int(lo[p]) : stop - int(lo[p]) + 1] + skip_cost
                seg = slice(start - j0, stop - j0 + 1)
                better = total < cand[seg]
                cand[seg] = np.where(better, total, cand[seg])
                pick[seg] = np.where(better, src_skip, pick[seg])
        if tgt_skip is not None:
            # cost[j] = min(cand[j], cost[j − 1] + skip): a running minimum of cand[k] − k·skip.
            steps = np.arange(len(cand)) * skip_cost
            shifted = cand - steps
            running = np.minimum.accumulate(shifted)
            from_left = running < shifted
            cand = running + steps
            pick = np.where(from_left, tgt_skip, pick).astype(np.int8)
        cost[i, : len(cand)] = cand
        back[i, : len(cand)] = pick
    return cost, back


def _traceback(cost, back, lo, n: int, m: int, beads) -> list[tuple[int, int, int]]:
    """Beads (kind index, start row, start column) from (0, 0) to (n, m)."""
    if not np.isfinite(cost[n, m - int(lo[n])]):
        raise ValueError("no monotone path inside the search band")
    path = []
    i, j = n, m
    while (i, j) != (0, 0):
        k = int(back[i, j - int(lo[i])])
        a, b = beads[k]
        i, j = i - a, j - b
        path.append((k, i, j))
    return path[::-1]


def _downsample(vectors: np.ndarray) -> np.ndarray:
    """Neighbouring vectors summed, centred and renormalised (vecalign's coarse level)."""
    if len(vectors) % 2:
        vectors = np.concatenate([vectors, np.zeros((1, vectors.shape[1]), dtype=vectors.dtype)])
    summed = vectors[0::2] + vectors[1::2]
    summed = summed - summed.mean(axis=0)
    return _unit_rows(summed)


def _coarse_path(src: np.ndarray, tgt: np.ndarray, settings: SentenceAlignSettings) -> list[tuple[int, int]]:
    """Nodes of a 1-1/skip alignment of the single-sentence vectors, coarse to fine as far as needed."""
    n, m = len(src), len(tgt)
    beads = ((1, 1), (1, 0), (0, 1))
    empty = np.zeros((0, src.shape[1]), dtype=np.float32)
    src_side, tgt_side = Side(src, empty), Side(tgt, empty)
    if max(n, m) <= settings.full_dp_max:
        lo, hi = full_windows(n, m)
    else:
        coarse = _coarse_path(_downsample(src), _downsample(tgt), settings)
        lo, hi = windows_from_path(coarse, n, m, settings.band, scale=2)
    src_norms = {1: hub_norms(src, tgt, settings.norm_samples)}
    tgt_norms = {1: hub_norms(tgt, src, settings.norm_samples)}
    cost, back = _dp(src_side, tgt_side, src_norms, tgt_norms, lo, hi, settings.skip_cost, beads)
    nodes = [(0, 0)]
    for k, i, j in _traceback(cost, back, lo, n, m, beads):
        a, b = beads[k]
        nodes.append((i + a, j + b))
    return nodes


def align_sides(
    src: Side,
    tgt: Side,
    settings: SentenceAlignSettings = SentenceAlignSettings(),
    windows: tuple[np.ndarray, np.ndarray] | None = None,
    src_pool: np.ndarray | None = None,
    tgt_pool: np.ndarray | None = None,
) -> list[Bead]:
    """Best monotone sequence of beads covering every sentence of both sides exactly once.

    ``windows`` (lo, hi per source node row) restricts the search, e.g. to paragraph beads already found;
    without it, small documents are searched whole and large ones coarse to fine. ``src_pool`` /
    ``tgt_pool``: vectors the hub normalisation of the *other* side compares against (default: the
    sides themselves; a refinement inside one paragraph passes its whole document's sentences)."""
    n, m = len(src), len(tgt)
    if n == 0 or m == 0:
        return [Bead((i,), (), settings.skip_cost, None) for i in range(n)] + [
            Bead((), (j,), settings.skip_cost, None) for j in range(m)
        ]
    src = Side(_unit_rows(src.single), _unit_rows(src.pair), src.chars)
    tgt = Side(_unit_rows(tgt.single), _unit_rows(tgt.pair), tgt.chars)
    if windows is None:
        if max(n, m) <= settings.full_dp_max:
            windows = full_windows(n, m)
        else:
            coarse = _coarse_path(_downsample(src.single), _downsample(tgt.single), settings)
            windows = windows_from_path(coarse, n, m, settings.band, scale=2)
    lo, hi = (np.asarray(w, dtype=np.int64) for w in windows)
    src_norms = _norms(src, _pool(tgt) if tgt_pool is None else tgt_pool, settings.norm_samples)
    tgt_norms = _norms(tgt, _pool(src) if src_pool is None else src_pool, settings.norm_samples)
    length = _length_term(src, tgt, settings.length_weight)
    cost, back = _dp(
        src,
        tgt,
        src_norms,
        tgt_norms,
        lo,
        hi,
        settings.skip_cost,
        BEADS,
        settings.merge_weight,
        settings.merge_penalty,
        length,
    )
    beads = []
    for k, i, j in _traceback(cost, back, lo, n, m, BEADS):
        a, b = BEADS[k]
        if a and b:
            cos = float(src.level(a)[i] @ tgt.level(b)[j])
            bead_cost = bead_costs(
                cos, src_norms[a][i] + tgt_norms[b][j], a, b, settings.merge_weight, settings.merge_penalty
            )
            if length is not None:
                bead_cost = bead_cost + float(length(a, b, i, j))
            beads.append(
                Bead(tuple(range(i, i + a)), tuple(range(j, j + b)), round(float(bead_cost), 6), round(cos, 6))
            )
        else:
            beads.append(Bead(tuple(range(i, i + a)), tuple(range(j, j + b)), settings.skip_cost, None))
    return beads


def block_windows(
    blocks: list[tuple[int, int, int, int]], n: int, m: int, buffer: int
) -> tuple[np.ndarray, np.ndarray]:
    """Windows from aligned blocks of sentences (paragraph beads): ``(src_start, src_end, tgt_start,
    tgt_end)`` half-open, in order. Each block's rectangle of nodes is searched, plus ``buffer`` sentences
    across its edges, so a sentence the translator moved into the neighbouring paragraph is still found."""
    path = [(0, 0)]
    for s0, s1, t0, t1 in blocks:
        path.append((s0, t0))
        path.append((s1, t1))
    path.append((n, m))
    return windows_from_path(path, n, m, buffer)
