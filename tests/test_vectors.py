"""A side's vectors held in blocks (``pipeline.align.vectors``): whichever holders hold which blocks, every
answer the aligner asks of them is the same, bit for bit. That is what lets the Ray engine keep an
archive's vectors on its workers and still write the embedded engine's outputs."""

import numpy as np
import pytest

from pipeline.align.ann import NeighbourIndex
from pipeline.align.vectors import LocalVectors, SideVectors, VectorBlocks

BLOCK = 64


class SplitVectors(SideVectors):
    """The vectors held here by several holders, each a run of whole blocks (as the Ray engine's actors)."""

    def __init__(self, vectors: np.ndarray, cuts: list[int]):
        self.n, self.dim = vectors.shape
        edges = [0, *[c * BLOCK for c in cuts], self.n]
        self.ranges = list(zip(edges, edges[1:], strict=False))
        self.holders = [VectorBlocks(vectors[a:b], a, BLOCK) for a, b in self.ranges]

    def _each(self, method, args=None, only=None):
        return [
            None if only is not None and not only(a, b) else getattr(h, method)(*(args(a, b) if args else ()))
            for h, (a, b) in zip(self.holders, self.ranges, strict=True)
        ]


def unit(rng, n, dim=16):
    x = rng.normal(size=(n, dim)).astype(np.float32)
    x[n // 3] = x[n // 5]  # equal similarities, to be broken by the lower row
    return x / np.linalg.norm(x, axis=1, keepdims=True)


@pytest.fixture(scope="module")
def side():
    rng = np.random.default_rng(3)
    return unit(rng, 300), unit(rng, 40), np.sort(rng.integers(0, 23, size=300))


@pytest.mark.parametrize("cuts", [[1], [2], [1, 2, 3], [4]])
def test_holders_give_one_holders_answers(side, cuts):
    vectors, queries, doc = side
    one, split = LocalVectors(vectors, block=BLOCK), SplitVectors(vectors, cuts)
    rows = np.array([299, 0, 65, 64, 63, 128, 7])
    assert np.array_equal(split.gather(rows), vectors[rows])
    for a, b in zip(one.top_k(queries, 9), split.top_k(queries, 9), strict=True):
        assert np.array_equal(a, b)
    assert np.array_equal(one.doc_means(queries, doc), split.doc_means(queries, doc))
    i, j = np.repeat(np.arange(40), 8), np.tile(np.arange(0, 300, 38), 40)
    assert np.array_equal(one.pair_cosines(queries, i, j), split.pair_cosines(queries, i, j))


@pytest.mark.parametrize("ivf_min", [0, 10_000])
@pytest.mark.parametrize("cuts", [[1], [1, 2, 3]])
def test_rows_searched_where_they_are_held_as_here(side, ivf_min, cuts):
    """The held rows as queries against the other side's index (exact, or an inverted file sent to the
    holders): the neighbours and the inner products counted of searching them here, block by block."""
    vectors, queries, _ = side
    index = NeighbourIndex(queries, ivf_min, 0.9, 6, queries=vectors)
    here = [index.search(vectors[s : s + BLOCK], 6) for s in range(0, 300, BLOCK)]
    sims, ids, _ = SplitVectors(vectors, cuts).neighbours(index.portable(), 6)
    assert np.array_equal(sims, np.concatenate([h[0] for h in here]))
    assert np.array_equal(ids, np.concatenate([h[1] for h in here]))


@pytest.mark.parametrize("cuts", [[1], [2], [1, 2, 3]])
def test_an_inverted_file_filled_by_holders_finds_the_neighbours_of_one(side, cuts):
    vectors, queries, _ = side
    results = []
    for held in (LocalVectors(vectors, block=BLOCK), SplitVectors(vectors, cuts)):
        index = NeighbourIndex(held, 0, 0.9, 6, queries=queries)
        results.append((index.nprobe, *index.search(queries, 6)))
    assert results[0][0] == results[1][0]
    assert np.array_equal(results[0][1], results[1][1]) and np.array_equal(results[0][2], results[1][2])


def test_a_holder_starts_at_a_block():
    with pytest.raises(ValueError, match="multiple of its block"):
        VectorBlocks(np.zeros((3, 4), np.float32), first=5, block=BLOCK)
