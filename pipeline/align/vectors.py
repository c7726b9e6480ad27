"""One side's paragraph vectors, wherever they are held: in this process (:class:`LocalVectors`) or on the
workers that made them (``pipeline.engine.ray_engine.RayVectors``: the Ray engine's driver no longer holds
an archive's vectors, issue 25).

What the aligner asks of an archive's English side is small next to the vectors themselves: rows by
index (the candidate documents'), each query's exact top k, each document's mean cosine with the queries,
the cosines of given pairs, the side's rows searched as queries against the other side's index, and an
inverted file filled with them. A holder (:class:`VectorBlocks`) answers these for a contiguous range of
rows, always a fixed block of :data:`BLOCK` rows at a time, blocks starting at multiples of it; the caller
combines the blocks' answers in block order. So where the blocks are held, and how many holders share
them, changes no bit of any answer: the embedded engine (one holder) and the Ray engine (one holder per
actor) make the same links.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from pipeline.errors import PipelineError

# Rows a holder works at once, and the query chunk of every search: the same rows go through the same
# faiss call whichever engine holds them (BLAS may sum a product in another order for another shape).
BLOCK = 8192
# Pairs whose cosines are computed at once (their gathered vectors, not every pair's).
PAIR_BLOCK = 8192


def faiss_module():
    try:
        import faiss
    except ImportError:
        raise PipelineError(None, "aligning this many paragraphs needs faiss-cpu installed") from None
    return faiss


def f32(x: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(x, dtype=np.float32)


class IndexShard:
    """Part of an inverted file: the trained (empty) index, serialized, filled with ``vectors`` under the
    ids ``first_id``, ``first_id + 1``, …; searched for each query's ``k`` best in its ``nprobe`` lists.
    The same code fills and searches the one local shard and each Ray actor's."""

    def __init__(self, trained: bytes, vectors: np.ndarray, first_id: int = 0):
        faiss = faiss_module()
        self.index = faiss.deserialize_index(np.frombuffer(trained, dtype=np.uint8))
        vectors = f32(vectors)
        self.index.add_with_ids(vectors, np.arange(first_id, first_id + len(vectors), dtype=np.int64))

    def search(self, queries: np.ndarray, k: int, nprobe: int) -> tuple[np.ndarray, np.ndarray, int]:
        """(similarities, ids, inner products computed) of each query's ``k`` best in this shard."""
        faiss = faiss_module()
        self.index.nprobe = nprobe
        faiss.cvar.indexIVF_stats.reset()
        sims, ids = self.index.search(f32(queries), k)
        return sims, ids, int(faiss.cvar.indexIVF_stats.ndis)


ShardSearch = Callable[[list[np.ndarray], int, int], Iterator[list[tuple[np.ndarray, np.ndarray, int]]]]
"""Searches chunks of queries (k, nprobe): yields, for each chunk in order, every shard's result."""


def local_shards(trained: bytes, base: np.ndarray) -> ShardSearch:
    """The whole base in one shard, in this process."""
    shard = IndexShard(trained, base)

    def search(chunks: list[np.ndarray], k: int, nprobe: int) -> Iterator[list[tuple[np.ndarray, np.ndarray, int]]]:
        for chunk in chunks:
            yield [shard.search(chunk, k, nprobe)]

    return search


def merge_top_k(sims: list[np.ndarray], ids: list[np.ndarray], k: int) -> tuple[np.ndarray, np.ndarray]:
    """Each row's ``k`` best over the shards' results: by similarity, equal similarities by the lower id,
    missing (-1) last. One shard's result comes out in this same order, so shards do not change it, and
    the order is total, so neither does the grouping of the shards."""
    all_sims = np.concatenate(sims, axis=1)
    all_ids = np.concatenate(ids, axis=1)
    missing = all_ids < 0
    order = np.lexsort((np.where(missing, np.iinfo(np.int64).max, all_ids), -all_sims, missing), axis=1)[:, :k]
    return np.take_along_axis(all_sims, order, axis=1), np.take_along_axis(all_ids, order, axis=1)


def exact_rows(queries: np.ndarray, base: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Each query's ``k`` best in ``base`` by a full product (equal similarities: the lower index)."""
    full = queries @ base.T
    top = np.argsort(-full, axis=1, kind="stable")[:, :k]
    return np.take_along_axis(full, top, axis=1), top


def mean_cosines(queries: np.ndarray, sums: np.ndarray, doc: np.ndarray) -> np.ndarray:
    """(n_queries, n_docs): each query's mean cosine with each document's rows, from the documents' summed
    vectors ``sums`` (float64) and each row's document ``doc`` (mean of dot products = dot with the mean)."""
    counts = np.bincount(doc, minlength=len(sums))[:, None]
    return (queries @ (sums / np.maximum(counts, 1)).T).astype(np.float32)


@dataclass(frozen=True)
class PortableIndex:
    """An index that travels to where the queries are held: its base vectors and, for an inverted file, the
    trained (empty) index and the nprobe chosen for it. Searched by :func:`search_portable`."""

    base: np.ndarray
    trained: bytes | None
    nprobe: int
    nlist: int


def search_portable(index: PortableIndex, chunks: Iterator[np.ndarray], k: int) -> Iterator[tuple]:
    """(similarities, ids, inner products) of each chunk of queries against ``index``, as
    :meth:`pipeline.align.ann.NeighbourIndex.search` finds them for the same chunk: exact, or the inverted
    file's ``nprobe`` lists with the queries whose lists hold fewer than k vectors searched exactly."""
    faiss = faiss_module()
    n = len(index.base)
    k = min(k, n)
    if index.trained is None:
        flat = faiss.IndexFlatIP(index.base.shape[1])
        flat.add(f32(index.base))
        for chunk in chunks:
            sims, ids = flat.search(f32(chunk), k)
            yield sims, ids, len(chunk) * n
        return
    shard = IndexShard(index.trained, index.base)
    for chunk in chunks:
        chunk = f32(chunk)
        found = [shard.search(chunk, k, index.nprobe)]
        yield ivf_chunk_answer(chunk, found, k, index.nlist, n, lambda q: exact_rows(q, index.base, k))


def ivf_chunk_answer(queries: np.ndarray, found: list, k: int, nlist: int, n: int, exact) -> tuple:
    """One chunk's inverted-file answer from its shards' results ``found`` (similarities, ids, inner
    products each): merged (:func:`merge_top_k`), the queries whose lists hold fewer than k vectors (-1
    ids) replaced by ``exact(their queries)``; with the inner products: the list vectors scanned, the
    queries' products with the ``nlist`` centroids, and the exact rows' ``n`` each."""
    sims, ids = merge_top_k([f[0] for f in found], [f[1] for f in found], k)
    short = np.nonzero((ids < 0).any(axis=1))[0]
    if len(short):
        sims[short], ids[short] = exact(queries[short])
    return sims, ids, sum(f[2] for f in found) + len(queries) * nlist + len(short) * n


class VectorBlocks:
    """Rows ``first``… of a side's vectors (``first`` a multiple of ``block``, :data:`BLOCK` but in tests),
    and the work the aligner asks of them, a block at a time. Records the seconds (wall and CPU) each kind
    of work took."""

    def __init__(self, vectors: np.ndarray, first: int = 0, block: int = BLOCK):
        if first % block:
            raise ValueError(f"a holder's rows start at a multiple of its block ({block}), not at {first}")
        self.vectors = f32(vectors)
        self.first = first
        self.block = block
        self.shard: IndexShard | None = None
        self.seconds: dict[str, list[float]] = {}

    def _timed(self, name: str, started: tuple[float, float]) -> None:
        wall, cpu = self.seconds.setdefault(name, [0.0, 0.0])
        self.seconds[name] = [wall + time.perf_counter() - started[0], cpu + time.process_time() - started[1]]

    @staticmethod
    def _now() -> tuple[float, float]:
        return time.perf_counter(), time.process_time()

    def _blocks(self) -> Iterator[tuple[int, np.ndarray]]:
        for start in range(0, len(self.vectors), self.block):
            yield start, self.vectors[start : start + self.block]

    def describe(self) -> dict:
        return {
            "first_row": self.first,
            "rows": len(self.vectors),
            "mb": round(self.vectors.nbytes / 2**20, 1),
            "seconds": {name: [round(w, 3), round(c, 3)] for name, (w, c) in sorted(self.seconds.items())},
        }

    def rows(self, idx: np.ndarray) -> np.ndarray:
        return self.vectors[np.asarray(idx, dtype=np.int64) - self.first]

    def top_k(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Each query's ``k`` best rows here (exact; ids are global rows; -1 where fewer than k rows)."""
        started = self._now()
        faiss = faiss_module()
        queries = f32(queries)
        sims, ids = [], []
        for start, block in self._blocks():
            flat = faiss.IndexFlatIP(block.shape[1])
            flat.add(block)
            s, i = flat.search(queries, min(k, len(block)))
            sims.append(s)
            ids.append(np.where(i < 0, -1, i + self.first + start))
        if not sims:
            return np.full((len(queries), 0), -np.inf, np.float32), np.full((len(queries), 0), -1, np.int64)
        merged = merge_top_k(sims, ids, k)
        self._timed("top_k", started)
        return merged

    def doc_sums(self, docs: np.ndarray) -> list[tuple[int, np.ndarray, np.ndarray]]:
        """Per block: (its global block number, the documents of its rows, their rows' sums, float64)."""
        started = self._now()
        out = []
        for start, block in self._blocks():
            in_block, local = np.unique(docs[start : start + len(block)], return_inverse=True)
            sums = np.zeros((len(in_block), block.shape[1]), dtype=np.float64)
            np.add.at(sums, local, block)
            out.append(((self.first + start) // self.block, in_block, sums))
        self._timed("doc_sums", started)
        return out

    def pair_cosines(self, queries: np.ndarray, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        """cos(queries[i], row j) for pairs whose row j is held here (j global)."""
        started = self._now()
        out = np.empty(len(i), dtype=np.float32)
        for start in range(0, len(i), PAIR_BLOCK):
            a, b = i[start : start + PAIR_BLOCK], j[start : start + PAIR_BLOCK] - self.first
            out[start : start + PAIR_BLOCK] = np.einsum("ij,ij->i", queries[a], self.vectors[b])
        self._timed("pair_cosines", started)
        return out

    def neighbours(self, index: PortableIndex, k: int) -> tuple[np.ndarray, np.ndarray, int]:
        """This holder's rows as queries against ``index``, a block a chunk: (similarities, ids, inner
        products)."""
        started = self._now()
        found = list(search_portable(index, (block for _, block in self._blocks()), k))
        self._timed("neighbours", started)
        width = min(k, len(index.base))
        return (
            np.concatenate([f[0] for f in found]) if found else np.zeros((0, width), np.float32),
            np.concatenate([f[1] for f in found]) if found else np.zeros((0, width), np.int64),
            sum(f[2] for f in found),
        )

    def fill(self, trained: bytes) -> None:
        started = self._now()
        self.shard = IndexShard(trained, self.vectors, self.first)
        self._timed("ivf_fill", started)

    def search_filled(
        self, queries: np.ndarray, k: int, nprobe: int, trained: bytes
    ) -> tuple[np.ndarray, np.ndarray, int]:
        """``queries`` searched in this holder's part of the inverted file (``trained``: filled first where
        it is not, as in a holder restarted after losing its process)."""
        if self.shard is None:
            self.fill(trained)
        assert self.shard is not None
        started = self._now()
        found = self.shard.search(queries, k, nprobe)
        self._timed("ivf_search", started)
        return found


class SideVectors:
    """A side's vectors (``n`` × ``dim``, float32) held in contiguous ranges of rows by holders
    (:class:`VectorBlocks` or actors with its methods). Subclasses say how a holder is called
    (:meth:`_each`); what is combined how is here, once."""

    n: int
    dim: int
    ranges: list[tuple[int, int]]

    @property
    def shape(self) -> tuple[int, int]:
        return self.n, self.dim

    def __len__(self) -> int:
        return self.n

    def _each(self, method: str, args: Callable[[int, int], tuple] | None = None, only=None) -> list:
        """Each holder's ``method(*args(first, stop))`` (holders whose ``only(first, stop)`` is false are not
        called; their entries are None), in row order."""
        raise NotImplementedError

    def close(self) -> None:
        """Let the holders go (nothing to do for vectors held here)."""

    def describe(self) -> list[dict]:
        return self._each("describe")

    def _by_holder(self, method: str, rows: np.ndarray, args: Callable[[np.ndarray], tuple]) -> list[tuple]:
        """``method(*args(mask))`` of each holder with entries of ``rows`` in its range (``mask``: those
        entries; holders with none are not called): (mask, answer) pairs, for the caller to put back."""
        masks = {(a, b): (rows >= a) & (rows < b) for a, b in self.ranges}
        answers = self._each(method, lambda a, b: args(masks[a, b]), lambda a, b: bool(masks[a, b].any()))
        return [(masks[r], answer) for r, answer in zip(self.ranges, answers, strict=True) if answer is not None]

    def gather(self, idx: np.ndarray) -> np.ndarray:
        """The rows ``idx`` (any order) as one float32 matrix here."""
        idx = np.asarray(idx, dtype=np.int64)
        out = np.empty((len(idx), self.dim), dtype=np.float32)
        for mask, part in self._by_holder("rows", idx, lambda mask: (idx[mask],)):
            out[mask] = part
        return out

    def __getitem__(self, idx) -> np.ndarray:
        if isinstance(idx, slice):
            idx = np.arange(self.n)[idx]
        return self.gather(idx)

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        whole = self.gather(np.arange(self.n))
        return whole if dtype is None else whole.astype(dtype)

    def top_k(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Each query's ``k`` best rows (exact; equal similarities: the lower row)."""
        k = min(k, self.n)
        found = [f for f in self._each("top_k", lambda a, b: (queries, k), lambda a, b: b > a) if f is not None]
        return merge_top_k([f[0] for f in found], [f[1] for f in found], k)

    def doc_means(self, queries: np.ndarray, doc: np.ndarray) -> np.ndarray:
        """(n_queries, n_docs): each query's mean cosine with each document's rows (``doc``: each row's
        document, 0…), from the documents' summed vectors, the blocks' sums added in block order."""
        n_docs = int(doc.max()) + 1 if len(doc) else 0
        sums = np.zeros((n_docs, self.dim), dtype=np.float64)
        parts = [
            p for held in self._each("doc_sums", lambda a, b: (doc[a:b],), lambda a, b: b > a) if held for p in held
        ]
        for _, docs, partial in sorted(parts, key=lambda p: p[0]):
            sums[docs] += partial
        return mean_cosines(queries, sums, doc)

    def pair_cosines(self, queries: np.ndarray, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        """cos(queries[i], row j) of each pair."""
        out = np.empty(len(i), dtype=np.float32)
        for mask, part in self._by_holder("pair_cosines", j, lambda mask: (queries, i[mask], j[mask])):
            out[mask] = part
        return out

    def neighbours(self, index: PortableIndex, k: int) -> tuple[np.ndarray, np.ndarray, int]:
        """Every row as a query against ``index`` (the other side's): (similarities, ids, inner products)."""
        found = [f for f in self._each("neighbours", lambda a, b: (index, k), lambda a, b: b > a) if f is not None]
        width = min(k, len(index.base))
        if not found:
            return np.zeros((0, width), np.float32), np.zeros((0, width), np.int64), 0
        return np.concatenate([f[0] for f in found]), np.concatenate([f[1] for f in found]), sum(f[2] for f in found)

    def _search_filled(self, chunk: np.ndarray, k: int, nprobe: int, trained: bytes) -> list:
        found = self._each("search_filled", lambda a, b: (chunk, k, nprobe, trained), lambda a, b: b > a)
        return [f for f in found if f is not None]

    def fill(self, trained: bytes) -> ShardSearch:
        """The trained inverted file filled with the rows (each holder its own, under their row ids);
        returns how to search it (every chunk of queries in every holder)."""
        self._each("fill", lambda a, b: (trained,), lambda a, b: b > a)

        def search(chunks: list[np.ndarray], k: int, nprobe: int):
            for chunk in chunks:
                yield self._search_filled(chunk, k, nprobe, trained)

        return search


class LocalVectors(SideVectors):
    """The vectors held in this process, in one holder."""

    def __init__(self, vectors: np.ndarray, block: int = BLOCK):
        self.holder = VectorBlocks(vectors, 0, block)
        self.n, self.dim = self.holder.vectors.shape
        self.ranges = [(0, self.n)]

    def _each(self, method, args=None, only=None):
        if only is not None and not only(0, self.n):
            return [None]
        return [getattr(self.holder, method)(*(args(0, self.n) if args else ()))]

    def gather(self, idx: np.ndarray) -> np.ndarray:
        return self.holder.vectors[np.asarray(idx, dtype=np.int64)]
