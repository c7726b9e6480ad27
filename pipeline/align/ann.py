"""Nearest neighbours by inner product: exact (faiss ``IndexFlatIP``) for small bases, an inverted file
(``IndexIVFFlat``) past ``ivf_min`` vectors, so that search grows like n^1.5 instead of n².

The inverted file keeps the vectors uncompressed (Flat, not PQ): margins divide by neighbours' true
similarities, so returned similarities must be exact; only *which* neighbours are found is approximate.
It has about 2√n lists, trained on a fixed random sample (k-means), and searches the ``nprobe`` lists
nearest each query. ``nprobe`` is chosen per index, not fixed: a sample of queries is searched exactly,
and nprobe is the smallest whose inverted file finds at least ``recall`` of their exact k nearest
neighbours (k-recall@k): doubled until it does, then bisected. That keeps recall where it is wanted
whatever the data's geometry, and no more lists are searched than it needs (doubling alone went from 8
lists, just short, to 16 at 320,000 a side).
Distance computations are counted in :data:`STATS` (the benchmark reports them).

The inverted file is trained once, then filled and searched in shards (:class:`IndexShard`): here one
shard holding every vector; a side held elsewhere (:class:`pipeline.align.vectors.SideVectors`, the Ray
engine's English vectors on its workers) is filled by its holders, one shard each, and each chunk of
queries goes to every shard. A shard's lists hold its vectors in id order and every shard probes the
same lists (same trained quantizer, same nprobe), so the shards' results, merged by :func:`merge_top_k`
(similarity, then the lower id), are the one-shard result. An index whose base is here also travels to
where another side's rows are held (:meth:`NeighbourIndex.portable`), to search them as queries there.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from pipeline.align.vectors import (
    BLOCK,
    IndexShard,
    PortableIndex,
    ShardSearch,
    SideVectors,
    exact_rows,
    f32,
    faiss_module,
    ivf_chunk_answer,
    local_shards,
    merge_top_k,
)
from pipeline.progress import log, progress

__all__ = ["IndexShard", "NeighbourIndex", "ShardSearch", "local_shards", "merge_top_k"]

# Queries searched at once: bounds the result buffers and gives the progress bar its steps; a side held
# in blocks (pipeline.align.vectors) is searched a block a chunk, so the two are one size.
CHUNK = BLOCK
# k-means wants tens of training points per list (faiss warns under 39); more only slows training.
TRAIN_PER_LIST = 40
# Queries searched exactly to choose nprobe: enough to measure recall to about ±0.01.
RECALL_SAMPLE = 1000
# Lists per √n. A query costs about nlist centroid products plus nprobe · n / nlist list vectors. With √n
# lists the nprobe that reaches the recall target grew with n (4 at 160,000 a side, 16 at 320,000); with
# 2√n it stays at 4–5 over 80,000–320,000 (the alignment step at 320,000: 323 → 164 s), while k-means
# training (about nlist² products) stays a few seconds (docs/scale.md, `bench align`). faiss suggests
# 4–16√n for up to a million vectors; 4√n trained three times longer at 320,000 for less than it saved.
LISTS_PER_ROOT = 2


@dataclass
class SearchStats:
    """Inner products computed by the searches since the last :meth:`reset` (exact: queries × base;
    inverted file: the list vectors scanned plus the queries' distances to the list centroids)."""

    distances: int = 0
    searches: int = 0
    ivf_searches: int = 0
    nprobe: tuple = ()

    def reset(self) -> None:
        self.distances, self.searches, self.ivf_searches, self.nprobe = 0, 0, 0, ()


STATS = SearchStats()


class NeighbourIndex:
    """The base vectors, searchable for each query's k most similar (inner product)."""

    def __init__(
        self,
        base: np.ndarray | SideVectors,
        ivf_min: int,
        recall: float,
        k: int,
        queries: np.ndarray | SideVectors | None = None,
        seed: int = 0,
        items: str = "paragraphs",
        recall_floor: float | None = None,
    ):
        """``base``: the vectors here, or a side held elsewhere (:class:`pipeline.align.vectors.SideVectors`:
        the training sample and exact checks are asked of its holders, which also fill the inverted file;
        below ``ivf_min`` it is gathered here); a ``base`` held here fills one shard in this process
        (:func:`local_shards`). ``queries``: those the index will answer (for choosing nprobe; default the
        base). ``items``: what the vectors are, for the log.
        ``recall_floor``: the recall that chooses nprobe counts only the true neighbours at least this similar
        (for a caller that keeps no other: the nearer ones lie in the nearer lists, so fewer lists do)."""
        faiss = faiss_module()
        self.n, dim = base.shape
        self.nlist = 0
        self.nprobe = 0
        self.trained: bytes | None = None
        self.store = base if isinstance(base, SideVectors) and self.n >= ivf_min else None
        self.base = None if self.store is not None else f32(np.asarray(base))
        if self.n < ivf_min:
            self.index = faiss.IndexFlatIP(dim)
            self.index.add(self._here())
            return
        self.nlist = max(16, round(LISTS_PER_ROOT * math.sqrt(self.n)))
        rng = np.random.default_rng(seed)
        sample = base[np.sort(rng.choice(self.n, size=min(self.n, TRAIN_PER_LIST * self.nlist), replace=False))]
        quantizer = faiss.IndexFlatIP(dim)
        trained = faiss.IndexIVFFlat(quantizer, dim, self.nlist, faiss.METRIC_INNER_PRODUCT)
        trained.cp.seed = seed
        trained.train(f32(sample))
        STATS.distances += len(sample) * self.nlist * trained.cp.niter  # k-means assignments
        self.trained = faiss.serialize_index(trained)
        if self.store is not None:
            self.shards = self.store.fill(self.trained)
        else:
            self.shards = local_shards(self.trained, self._here())
        self.nprobe = self._choose_nprobe(base if queries is None else queries, recall, k, rng, recall_floor)
        log(f"align: inverted file over {self.n} {items}, {self.nlist} lists, searching {self.nprobe} per query")

    def _here(self) -> np.ndarray:
        """The base vectors, held here (an index over a side held elsewhere has none)."""
        if self.base is None:
            raise ValueError("this index's base is held elsewhere")
        return self.base

    def _exact(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Each query's exact ``k`` best in the whole base (equal similarities: the lower id)."""
        if self.store is not None:
            return self.store.top_k(queries, k)
        return exact_rows(queries, self._here(), k)

    def _choose_nprobe(
        self, queries, recall: float, k: int, rng: np.random.Generator, floor: float | None = None
    ) -> int:
        """The smallest nprobe whose k-recall@k on a sample of ``queries`` (those the index will answer: the
        other side's paragraphs) reaches ``recall`` (all lists where none does): doubled from 1 until one
        does, then bisected between it and the last that did not. With ``floor``, only the true neighbours
        at least that similar count."""
        queries = f32(queries[np.sort(rng.choice(len(queries), size=min(len(queries), RECALL_SAMPLE), replace=False))])
        k = min(k, self.n)
        if self.store is not None:
            truth_sims, truth = self.store.top_k(queries, k)
        else:
            # Not self._exact: exact_rows sorts a full (sample × base) product, 3.5 GB for 1,000 queries against
            # 865,038 terms; the flat index keeps only each query's k best.
            exact = faiss_module().IndexFlatIP(self._here().shape[1])
            exact.add(self._here())
            truth_sims, truth = exact.search(queries, k)
        STATS.distances += len(queries) * self.n
        if floor is not None:
            truth = np.where(truth_sims >= floor, truth, -1)

        def enough(nprobe: int) -> bool:
            _, found, _ = self._search_ivf(queries, k, nprobe)
            return k_recall(found, truth) >= recall

        return smallest_sufficient(enough, self.nlist)

    def _search_ivf(self, queries: np.ndarray, k: int, nprobe: int, bar=None, fill: bool = False):
        """Every query chunk searched in every shard, the shards' results merged (``fill``: a chunk's queries
        whose lists hold fewer than k vectors then searched exactly): (sims, ids, inner products)."""
        sims = np.empty((len(queries), k), dtype=np.float32)
        ids = np.empty((len(queries), k), dtype=np.int64)
        bounds = [(start, min(start + CHUNK, len(queries))) for start in range(0, len(queries), CHUNK)]
        distances = 0
        for (start, stop), found in zip(
            bounds, self.shards([queries[start:stop] for start, stop in bounds], k, nprobe), strict=True
        ):
            if fill:
                sims[start:stop], ids[start:stop], spent = ivf_chunk_answer(
                    queries[start:stop], found, k, self.nlist, self.n, lambda q: self._exact(q, k)
                )
            else:
                sims[start:stop], ids[start:stop] = merge_top_k([f[0] for f in found], [f[1] for f in found], k)
                spent = sum(f[2] for f in found)
            distances += spent
            if bar is not None:
                bar.update(stop - start)
        return sims, ids, distances

    def search(self, queries: np.ndarray, k: int, desc: str | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(similarities, indices) of each query's ``k`` nearest base vectors, best first."""
        queries = f32(queries)
        k = min(k, self.n)
        sims = np.empty((len(queries), k), dtype=np.float32)
        ids = np.empty((len(queries), k), dtype=np.int64)
        with progress(len(queries), desc or "nearest neighbours", unit="par") as bar:
            if self.nlist:
                sims, ids, distances = self._search_ivf(queries, k, self.nprobe, bar, fill=True)
            else:
                for start in range(0, len(queries), CHUNK):
                    stop = min(start + CHUNK, len(queries))
                    sims[start:stop], ids[start:stop] = self.index.search(queries[start:stop], k)
                    bar.update(stop - start)
                distances = len(queries) * self.n
        self._count(distances)
        return sims, ids

    def _count(self, distances: int) -> None:
        STATS.distances += distances
        STATS.searches += 1
        if self.nlist:
            STATS.ivf_searches += 1
            STATS.nprobe += (self.nprobe,)

    def portable(self) -> PortableIndex:
        """This index as it travels to a side's holders (its base must be held here)."""
        return PortableIndex(self._here(), self.trained, self.nprobe, self.nlist)

    def search_held(self, held: SideVectors, k: int, desc: str) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`search` with every row of ``held`` as the queries, searched where they are held, a block a
        chunk: the same neighbours and counts as searching them here."""
        k = min(k, self.n)
        with progress(len(held), desc, unit="par") as bar:
            sims, ids, distances = held.neighbours(self.portable(), k)
            bar.update(len(held))
        self._count(distances)
        return sims, ids


def smallest_sufficient(enough: Callable[[int], bool], limit: int) -> int:
    """The smallest n in 1..``limit`` for which ``enough(n)`` holds (``limit`` where none below it does),
    for an ``enough`` that stays true once true: doubled from 1 until it holds, then bisected between
    that n and the last that did not, so about 2·log2(answer) calls."""
    short, n = 0, 1  # the largest n known too small, the smallest known (or taken as) enough
    while n < limit and not enough(n):
        short, n = n, min(2 * n, limit)
    while n - short > 1:
        middle = (short + n) // 2
        short, n = (short, middle) if enough(middle) else (middle, n)
    return n


def k_recall(found: np.ndarray, truth: np.ndarray) -> float:
    """Mean share of each query's true k nearest neighbours among the k found (k-recall@k); true neighbours
    marked -1 (none, or left out) do not count."""
    wanted = int((truth >= 0).sum())
    if wanted == 0:
        return 1.0
    hits = sum(len(set(f.tolist()) & (set(t.tolist()) - {-1})) for f, t in zip(found, truth, strict=True))
    return hits / wanted
