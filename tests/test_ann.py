"""The inverted file (pipeline/align/ann.py) against exact search: recall, links, and its edge cases."""

import json
import random
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from pipeline.align.ann import NeighbourIndex, k_recall, smallest_sufficient
from pipeline.records import Segment

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.mark.parametrize(
    "found, truth, expected",
    [
        ([[1, 2, 3]], [[1, 2, 3]], 1.0),
        ([[3, 2, 1]], [[1, 2, 3]], 1.0),  # order does not matter
        ([[1, 2, 9]], [[1, 2, 3]], 2 / 3),
        ([[-1, -1, -1]], [[1, 2, 3]], 0.0),  # nothing found
        ([[1, 2, 3], [7, 8, 9]], [[1, 2, 3], [4, 5, 6]], 0.5),
        ([[1, 8, 9]], [[1, 2, -1]], 0.5),  # true neighbours left out (-1) do not count
        ([[7, 8, 9]], [[-1, -1, -1]], 1.0),  # none wanted: nothing missed
    ],
)
def test_k_recall(found, truth, expected):
    assert k_recall(np.array(found), np.array(truth)) == pytest.approx(expected)


@pytest.fixture(scope="module")
def udhr_vectors():
    """UDHR paragraphs embedded with the default encoder, the English shuffled."""
    from pipeline.encoders import get_encoder

    sections = json.loads((FIXTURES / "udhr_ar_en_sections.json").read_text(encoding="utf-8"))
    ar = [Segment.bare(f"ar:{k}", "ar", "ar", t) for k, t in enumerate(p for s in sections for p in s["ar"])]
    en = [Segment.bare(f"en:{k}", "en", "en", t) for k, t in enumerate(p for s in sections for p in s["en"])]
    random.Random(3).shuffle(en)
    encoder = get_encoder("usem3")
    return ar, en, encoder.encode([r.text for r in ar], "ar"), encoder.encode([r.text for r in en], "en")


def tiled(rows, vecs, blocks, lang):
    from pipeline.bench.align import _rotations, _tiled

    n = len(vecs) * blocks
    return (
        [replace(rows[k % len(rows)], id=f"{lang}:{k}") for k in range(n)],
        _tiled(vecs, n, _rotations(blocks, vecs.shape[1])),
    )


def test_inverted_file_keeps_the_exact_links(udhr_vectors):
    """UDHR paragraphs tiled to a few thousand a side: the inverted file's neighbours reach the recall it
    was asked for on queries it was not tuned on, and the aligner keeps ≥ 99% of the exact path's links
    with the same labels."""
    from pipeline.align.comparable import align_comparable
    from pipeline.align.settings import load_settings

    ar_rows, en_rows, ar_vecs, en_vecs = udhr_vectors
    ar_n, a = tiled(ar_rows, ar_vecs, 12, "ar")
    en_n, e = tiled(en_rows, en_vecs, 12, "en")
    settings = replace(load_settings(), dense_limit=0)
    exact, _, _ = align_comparable(ar_n, en_n, a, e, replace(settings, ivf_min=len(a) + 1))
    approx, _, _ = align_comparable(ar_n, en_n, a, e, replace(settings, ivf_min=0))
    exact_set = {(l.ar_id, l.en_id, l.label) for l in exact}
    assert len(exact_set) > 500
    assert len(exact_set & {(l.ar_id, l.en_id, l.label) for l in approx}) / len(exact_set) >= 0.99

    index = NeighbourIndex(e, 0, 0.95, 16, queries=a)
    assert 1 <= index.nprobe < index.nlist, "nprobe should be chosen, not every list"
    queries = a[np.random.default_rng(5).choice(len(a), 500, replace=False)]
    _, found = index.search(queries, 16)
    _, truth = NeighbourIndex(e, len(e) + 1, 1.0, 16).search(queries, 16)
    assert k_recall(found, truth) >= 0.95


@pytest.mark.parametrize("recall", [0.0, 1.0])
def test_nprobe_follows_the_recall_asked_for(udhr_vectors, recall):
    _, _, ar_vecs, en_vecs = udhr_vectors
    _, a = tiled([Segment.bare("a", "ar", "ar", "a")], ar_vecs, 8, "ar")
    _, e = tiled([Segment.bare("e", "en", "en", "e")], en_vecs, 8, "en")
    index = NeighbourIndex(e, 0, recall, 8, queries=a)
    if recall == 0.0:
        assert index.nprobe == 1
    else:
        _, found = index.search(a[:300], 8)
        _, truth = NeighbourIndex(e, len(e) + 1, 1.0, 8).search(a[:300], 8)
        assert k_recall(found, truth) >= 0.99


def test_a_recall_floor_counts_only_the_neighbours_kept(udhr_vectors):
    """Counting only the true neighbours at least as similar as the floor (the nearest, in the nearest
    lists) needs no more lists than counting all k, and still finds those."""
    _, _, ar_vecs, en_vecs = udhr_vectors
    _, a = tiled([Segment.bare("a", "ar", "ar", "a")], ar_vecs, 8, "ar")
    _, e = tiled([Segment.bare("e", "en", "en", "e")], en_vecs, 8, "en")
    every = NeighbourIndex(e, 0, 0.96, 8, queries=a)
    floored = NeighbourIndex(e, 0, 0.96, 8, queries=a, recall_floor=0.5)
    assert floored.nprobe <= every.nprobe
    _, found = floored.search(a[:300], 8)
    sims, truth = NeighbourIndex(e, len(e) + 1, 1.0, 8).search(a[:300], 8)
    assert (sims >= 0.5).sum() > 100
    assert k_recall(found, np.where(sims >= 0.5, truth, -1)) >= 0.9


@pytest.mark.parametrize(
    "first_enough, limit, expected",
    [
        (1, 16, 1),
        (2, 16, 2),
        (3, 16, 3),
        (5, 566, 5),
        (9, 566, 9),
        (16, 566, 16),
        (17, 566, 17),
        (400, 566, 400),
        (566, 566, 566),
        (None, 566, 566),
        (None, 1, 1),
    ],
)
def test_nprobe_is_the_smallest_that_reaches_the_recall(first_enough, limit, expected):
    """Not the next power of two (9 lists enough must not search 16), and in about 2·log2 tries."""
    tried = []

    def enough(n):
        tried.append(n)
        return first_enough is not None and n >= first_enough

    assert smallest_sufficient(enough, limit) == expected
    assert len(tried) <= 2 * max(1, expected).bit_length() + 1
    assert all(1 <= n <= limit for n in tried)


def test_queries_with_too_few_vectors_in_their_lists_are_searched_exactly():
    """With a list or two per query, some queries see fewer than k vectors; they must still get their
    true k nearest, never the -1 placeholders faiss returns."""
    rng = np.random.default_rng(0)
    base = rng.normal(size=(40, 8)).astype(np.float32)
    base /= np.linalg.norm(base, axis=1, keepdims=True)
    index = NeighbourIndex(base, 0, 0.0, 6)
    assert index.nprobe == 1
    sims, ids = index.search(base, 6)
    truth = np.argsort(-(base @ base.T), axis=1, kind="stable")[:, :6]
    assert (ids >= 0).all()
    assert k_recall(ids, truth) == 1.0
    assert np.allclose(sims, np.take_along_axis(base @ base.T, ids, axis=1), atol=1e-5)


@pytest.mark.parametrize("shards", [1, 2, 3, 7])
def test_shards_merged_give_the_one_shard_search(shards):
    """The trained inverted file filled in shards (contiguous id ranges) and searched in each, the
    results merged, gives the one-shard neighbours and similarities bit for bit, also where duplicate
    vectors tie (the lower id first)."""
    import faiss

    from pipeline.align.ann import IndexShard, merge_top_k

    rng = np.random.default_rng(0)
    base = rng.standard_normal((3000, 32)).astype(np.float32)
    base[[100, 7, 2999]] = base[[2400, 1500, 0]]  # exact ties across shards
    base /= np.linalg.norm(base, axis=1, keepdims=True)
    queries = np.concatenate([base[[2400, 1500, 0]], rng.standard_normal((300, 32)).astype(np.float32)])
    trained = faiss.IndexIVFFlat(faiss.IndexFlatIP(32), 32, 40, faiss.METRIC_INNER_PRODUCT)
    trained.train(base)
    blob = faiss.serialize_index(trained)
    one = IndexShard(blob, base).search(queries, 10, 4)
    edges = [len(base) * s // shards for s in range(shards + 1)]
    parts = [IndexShard(blob, base[a:b], a).search(queries, 10, 4) for a, b in zip(edges, edges[1:], strict=False)]
    sims, ids = merge_top_k([p[0] for p in parts], [p[1] for p in parts], 10)
    want_sims, want_ids = merge_top_k([one[0]], [one[1]], 10)
    assert np.array_equal(ids, want_ids) and sims.tobytes() == want_sims.tobytes()
    assert sum(p[2] for p in parts) == one[2]  # the same inner products, only spread over shards
    assert ids[0][:2].tolist() == [100, 2400] and ids[2][:2].tolist() == [0, 2999]
