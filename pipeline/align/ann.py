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
shard holding every vector; the Ray engine (``pipeline.engine.ray_engine.ray_shards``) fills one shard
per actor and sends each chunk of queries to every shard. A shard's lists hold its vectors in id order
and every shard probes the same lists (same trained quantizer, same nprobe), so the shards' results,
merged by :func:`merge_top_k` (similarity, then the lower id), are the one-shard result.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from pipeline.errors import PipelineError
from pipeline.progress import log, progress

# Queries searched at once: bounds the result buffers and gives the progress bar its steps.
CHUNK = 8192
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


def _faiss():
    try:
        import faiss
    except ImportError:
        raise PipelineError(None, "aligning this many paragraphs needs faiss-cpu installed") from None
    return faiss


def _f32(x: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(x, dtype=np.float32)


class NeighbourIndex:
    """The base vectors, searchable for each query's k most similar (inner product)."""

    def __init__(
        self,
        base: np.ndarray,
        ivf_min: int,
        recall: float,
        k: int,
        queries: np.ndarray | None = None,
        seed: int = 0,
        shards: ShardsFactory | None = None,
    ):
        """``shards`` fills the trained inverted file with ``base`` (default: :func:`local_shards`, one
        shard in this process)."""
        faiss = _faiss()
        self.base = _f32(base)
        self.n, dim = self.base.shape
        self.nlist = 0
        self.nprobe = 0
        if self.n < ivf_min:
            self.index = faiss.IndexFlatIP(dim)
            self.index.add(self.base)
            return
        self.nlist = max(16, round(LISTS_PER_ROOT * math.sqrt(self.n)))
        rng = np.random.default_rng(seed)
        sample = self.base[np.sort(rng.choice(self.n, size=min(self.n, TRAIN_PER_LIST * self.nlist), replace=False))]
        quantizer = faiss.IndexFlatIP(dim)
        trained = faiss.IndexIVFFlat(quantizer, dim, self.nlist, faiss.METRIC_INNER_PRODUCT)
        trained.cp.seed = seed
        trained.train(sample)
        STATS.distances += len(sample) * self.nlist * trained.cp.niter  # k-means assignments
        self.shards = (shards or local_shards)(faiss.serialize_index(trained), self.base)
        self.nprobe = self._choose_nprobe(self.base if queries is None else _f32(queries), recall, k, rng)
        log(f"align: inverted file over {self.n} paragraphs, {self.nlist} lists, searching {self.nprobe} per query")

    def _choose_nprobe(self, queries: np.ndarray, recall: float, k: int, rng: np.random.Generator) -> int:
        """The smallest nprobe whose k-recall@k on a sample of ``queries`` (those the index will answer: the
        other side's paragraphs) reaches ``recall`` (all lists where none does): doubled from 1 until one
        does, then bisected between it and the last that did not."""
        queries = queries[np.sort(rng.choice(len(queries), size=min(len(queries), RECALL_SAMPLE), replace=False))]
        k = min(k, self.n)
        exact = _faiss().IndexFlatIP(self.base.shape[1])
        exact.add(self.base)
        _, truth = exact.search(queries, k)
        STATS.distances += len(queries) * self.n

        def enough(nprobe: int) -> bool:
            _, found, _ = self._search_ivf(queries, k, nprobe)
            return k_recall(found, truth) >= recall

        return smallest_sufficient(enough, self.nlist)

    def _search_ivf(self, queries: np.ndarray, k: int, nprobe: int, bar=None):
        """Every query chunk searched in every shard, the shards' results merged: (sims, ids, inner products)."""
        sims = np.empty((len(queries), k), dtype=np.float32)
        ids = np.empty((len(queries), k), dtype=np.int64)
        bounds = [(start, min(start + CHUNK, len(queries))) for start in range(0, len(queries), CHUNK)]
        distances = 0
        for (start, stop), found in zip(
            bounds, self.shards([queries[start:stop] for start, stop in bounds], k, nprobe), strict=True
        ):
            sims[start:stop], ids[start:stop] = merge_top_k([f[0] for f in found], [f[1] for f in found], k)
            distances += sum(f[2] for f in found)
            if bar is not None:
                bar.update(stop - start)
        return sims, ids, distances

    def search(self, queries: np.ndarray, k: int, desc: str | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(similarities, indices) of each query's ``k`` nearest base vectors, best first."""
        queries = _f32(queries)
        k = min(k, self.n)
        sims = np.empty((len(queries), k), dtype=np.float32)
        ids = np.empty((len(queries), k), dtype=np.int64)
        ivf = self.nlist > 0
        with progress(len(queries), desc or "nearest neighbours", unit="par") as bar:
            if ivf:
                sims, ids, distances = self._search_ivf(queries, k, self.nprobe, bar)
            else:
                for start in range(0, len(queries), CHUNK):
                    stop = min(start + CHUNK, len(queries))
                    sims[start:stop], ids[start:stop] = self.index.search(queries[start:stop], k)
                    bar.update(stop - start)
        if ivf:
            # A query whose nprobe lists hold fewer than k vectors gets -1 ids: search those exactly.
            short = np.nonzero((ids < 0).any(axis=1))[0]
            for start in range(0, len(short), CHUNK):
                rows = short[start : start + CHUNK]
                full = queries[rows] @ self.base.T
                top = np.argsort(-full, axis=1, kind="stable")[:, :k]
                ids[rows], sims[rows] = top, np.take_along_axis(full, top, axis=1)
                STATS.distances += len(rows) * self.n
            STATS.distances += distances + len(queries) * self.nlist
            STATS.ivf_searches += 1
            STATS.nprobe += (self.nprobe,)
        else:
            STATS.distances += len(queries) * self.n
        STATS.searches += 1
        return sims, ids


class IndexShard:
    """Part of an inverted file: the trained (empty) index, serialized, filled with ``vectors`` under the
    ids ``first_id``, ``first_id + 1``, …; searched for each query's ``k`` best in its ``nprobe`` lists.
    The same code fills and searches the one local shard and each Ray actor's."""

    def __init__(self, trained: bytes, vectors: np.ndarray, first_id: int = 0):
        faiss = _faiss()
        self.index = faiss.deserialize_index(np.frombuffer(trained, dtype=np.uint8))
        vectors = _f32(vectors)
        self.index.add_with_ids(vectors, np.arange(first_id, first_id + len(vectors), dtype=np.int64))

    def search(self, queries: np.ndarray, k: int, nprobe: int) -> tuple[np.ndarray, np.ndarray, int]:
        """(similarities, ids, inner products computed) of each query's ``k`` best in this shard."""
        faiss = _faiss()
        self.index.nprobe = nprobe
        faiss.cvar.indexIVF_stats.reset()
        sims, ids = self.index.search(_f32(queries), k)
        return sims, ids, int(faiss.cvar.indexIVF_stats.ndis)


ShardSearch = Callable[[list[np.ndarray], int, int], Iterator[list[tuple[np.ndarray, np.ndarray, int]]]]
"""Searches chunks of queries (k, nprobe): yields, for each chunk in order, every shard's result."""
ShardsFactory = Callable[[bytes, np.ndarray], ShardSearch]
"""Fills a trained inverted file (serialized) with the base vectors; returns how to search it."""


def local_shards(trained: bytes, base: np.ndarray) -> ShardSearch:
    """The whole base in one shard, in this process."""
    shard = IndexShard(trained, base)

    def search(chunks: list[np.ndarray], k: int, nprobe: int) -> Iterator[list[tuple[np.ndarray, np.ndarray, int]]]:
        for chunk in chunks:
            yield [shard.search(chunk, k, nprobe)]

    return search


def merge_top_k(sims: list[np.ndarray], ids: list[np.ndarray], k: int) -> tuple[np.ndarray, np.ndarray]:
    """Each row's ``k`` best over the shards' results: by similarity, equal similarities by the lower id,
    missing (-1) last. One shard's result comes out in this same order, so shards do not change it."""
    all_sims = np.concatenate(sims, axis=1)
    all_ids = np.concatenate(ids, axis=1)
    missing = all_ids < 0
    order = np.lexsort((np.where(missing, np.iinfo(np.int64).max, all_ids), -all_sims, missing), axis=1)[:, :k]
    return np.take_along_axis(all_sims, order, axis=1), np.take_along_axis(all_ids, order, axis=1)


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
    """Mean share of each query's true k nearest neighbours among the k found (k-recall@k)."""
    if truth.size == 0:
        return 1.0
    hits = sum(len(set(f.tolist()) & set(t.tolist())) for f, t in zip(found, truth, strict=True))
    return hits / truth.size
