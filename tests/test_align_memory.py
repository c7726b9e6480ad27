"""The align step's memory: candidate pairs are scored in blocks, with exactly the figures of scoring
them all at once, and the alignment benchmark reports each size's peak resident memory."""

import sys

import numpy as np
import pytest

from pipeline.align import knn, vectors
from pipeline.bench.align import BenchRow, format_table
from pipeline.bench.memory import peak_rss_mb, reset_peak_rss


@pytest.mark.parametrize(
    "dtype, block",
    [
        (np.float32, 8192),  # the aligner's block: more than the pairs here, one block
        (np.float32, 1000),  # blocks end mid-row
        (np.float32, 7),
        (np.float64, 333),  # queries in float64: cosines rounded to float32 as before
    ],
)
def test_blocked_pair_cosines_are_bit_identical_to_gathering_every_pair(monkeypatch, dtype, block):
    rng = np.random.default_rng(0)
    src = rng.normal(size=(300, 64)).astype(dtype)
    tgt = rng.normal(size=(250, 64)).astype(np.float32)  # a held side is float32, as the encoders make it
    i, j = np.sort(rng.integers(0, 300, 5000)), rng.integers(0, 250, 5000)
    d_st = np.sort(rng.random((300, 8), dtype=np.float32), axis=1)[:, ::-1]
    d_ts = np.sort(rng.random((250, 8), dtype=np.float32), axis=1)[:, ::-1]
    whole = np.einsum("ij,ij->i", src[i], tgt[j]).astype(np.float32)
    monkeypatch.setattr(vectors, "PAIR_BLOCK", block)
    cos = vectors.LocalVectors(tgt).pair_cosines(src, i, j)
    assert cos.dtype == np.float32
    assert np.array_equal(cos.view(np.uint32), whole.view(np.uint32))
    margin = knn._margins(cos, i, j, 4, d_st, d_ts)
    expected = whole / np.maximum((d_st[:, :4].mean(axis=1)[i] + d_ts[:, :4].mean(axis=1)[j]) / 2.0, 1e-6)
    assert np.array_equal(margin, expected)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the peak is reset through /proc on Linux")
def test_peak_rss_is_reset_between_benchmark_rows():
    block = np.ones(200 * 1024 * 1024 // 8)  # 200 MB, touched
    high = peak_rss_mb()
    del block
    assert reset_peak_rss()
    assert peak_rss_mb() < high - 150


def test_align_table_shows_each_rows_peak_memory():
    rows = [
        BenchRow("alignment only", 10000, 10000, "ivf", 18.1, 9412, 46894806, 8, 0.9864, None, 612.4),
        BenchRow("ingest only (distinct paragraphs)", 1000, 0, "index", 0.8, 0),
    ]
    header, ivf, ingest = format_table(rows).splitlines()
    assert header.split()[-2:] == ["peak", "MB"]
    assert ivf.split()[-1] == "612"
    assert ingest.split()[-1] == "0"  # the links column: no peak figure for an ingest row


def _bags(rng, count: int, words: list[str]) -> list[set[str]]:
    return [set(rng.sample(words, rng.randint(0, 40))) for _ in range(count)]


@pytest.mark.parametrize("chunk", [1024, 77, 1])
def test_sparse_lexical_rows_give_back_the_dense_rows_exactly(chunk):
    import random

    from pipeline.align.lexicon import _idf, _SparseRows, _vectors

    rng = random.Random(chunk)
    words = [f"w{k}" for k in range(500)]
    bags, en_bags = _bags(rng, 300, words) + [set()], _bags(rng, 200, words)
    idf = _idf(en_bags)
    vocab = {s: k for k, s in enumerate(sorted({s for b in en_bags for s in b}))}
    rows = np.array([300, 5, 5, 0, 299, 17])  # an empty bag, a row twice
    assert np.array_equal(_SparseRows(bags, vocab, idf, chunk).dense(rows), _vectors(bags, vocab, idf)[rows])


def test_lexical_overlap_of_many_pairs_is_bit_identical_to_dense_rows():
    """Past 4,000,000 bag pairs the overlap is computed pair block by pair block from sparse rows; the
    figures are those of the dense (bags × vocabulary) rows."""
    import random

    from pipeline.align.lexicon import _idf, _vectors, overlap

    rng = random.Random(0)
    words = [f"w{k}" for k in range(3000)]
    src_bags, en_bags = _bags(rng, 2500, words), _bags(rng, 2000, words)  # 5,000,000 bag pairs
    idf = _idf(en_bags)
    pick = np.random.default_rng(0)
    i, j = np.sort(pick.integers(0, 2500, 20000)), pick.integers(0, 2000, 20000)
    vocab = {s: k for k, s in enumerate(sorted({s for b in en_bags for s in b}))}
    src, dst = _vectors(src_bags, vocab, idf), _vectors(en_bags, vocab, idf)
    expected = np.concatenate(
        [np.einsum("pk,pk->p", src[i[s : s + 512]], dst[j[s : s + 512]]) for s in range(0, len(i), 512)]
    )
    got = overlap(i, j, src_bags, en_bags, idf)
    assert (got > 0).mean() > 0.1
    assert np.array_equal(got.view(np.uint32), expected.view(np.uint32))
