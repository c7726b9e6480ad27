"""Sentence alignment: every bead type on small synthetic fixtures, the banded search against the full
one, the scorer's definitions, the gold builder, and the pipeline's sentence outputs end to end."""

import json
from dataclasses import replace

import numpy as np
import pytest
from conftest import run_cli, run_udhr_parallel
from lxml import etree
from translate.storage.tmx import tmxfile

from pipeline.align.sentence_align import (
    LENGTH_SCALE,
    SentenceAlignSettings,
    Side,
    _length_term,
    align_sides,
    bead_costs,
    block_windows,
    windows_from_path,
)
from pipeline.align.sentence_stage import SENTENCE_SETTINGS_PATH, EmbeddingMemo, load_sentence_settings, refine_links
from pipeline.records import equivalent_groups
from pipeline import config
from pipeline.evaluation.sentence_gold import (
    SentenceDoc,
    _edit,
    _resplit,
    draw_of,
    pooled_test_draws,
    sentence_gold_sets,
)
from pipeline.evaluation.sentence_scores import score_beads
from pipeline.evaluation.sentence_suite import per_draw_scores
from pipeline.records import Segment

DIM = 64
SETTINGS = SentenceAlignSettings()


class AtomEncoder:
    """A stand-in encoder: a text is a string of meaning atoms ("a b c"); its vector is the sum of its
    atoms' random vectors (and a little language-specific noise), so a merged text means what its parts
    mean together, as with a real encoder."""

    dim = DIM

    def __init__(self, noise: float = 0.15, seed: int = 0):
        self.rng = np.random.default_rng(seed)
        self.atoms: dict[str, np.ndarray] = {}
        self.noise = noise

    def _atom(self, name: str) -> np.ndarray:
        if name not in self.atoms:
            self.atoms[name] = self.rng.normal(size=DIM)
        return self.atoms[name]

    def encode(self, texts, lang):
        rows = []
        for text in texts:
            vec = sum(self._atom(a) for a in text.split())
            vec = vec / np.linalg.norm(vec)
            vec = vec + self.noise * self._atom(f"{lang}:{text}") / np.sqrt(DIM)
            rows.append(vec / np.linalg.norm(vec))
        return np.array(rows, dtype=np.float32).reshape(-1, DIM)

    def signature(self):
        return {"encoder": "atoms"}


def _align(ar: list[str], en: list[str], settings=SETTINGS, **kwargs):
    memo = EmbeddingMemo(AtomEncoder())
    beads = align_sides(memo.side(ar, "ar"), memo.side(en, "en"), settings, **kwargs)
    return [(list(b.src), list(b.tgt)) for b in beads]


# A document is a list of atoms per sentence; "x y" is a sentence meaning x and y together.
@pytest.mark.parametrize(
    "name, ar, en, expected",
    [
        ("1-1", ["a", "b", "c"], ["a", "b", "c"], [([0], [0]), ([1], [1]), ([2], [2])]),
        ("1-2", ["a", "b c", "d"], ["a", "b", "c", "d"], [([0], [0]), ([1], [1, 2]), ([2], [3])]),
        ("2-1", ["a", "b", "c", "d"], ["a", "b c", "d"], [([0], [0]), ([1, 2], [1]), ([3], [2])]),
        ("2-2", ["a", "b c", "d", "e"], ["a", "b", "c d", "e"], [([0], [0]), ([1, 2], [1, 2]), ([3], [3])]),
        ("1-0", ["a", "b", "x", "c"], ["a", "b", "c"], [([0], [0]), ([1], [1]), ([2], []), ([3], [2])]),
        ("0-1", ["a", "b", "c"], ["a", "y", "b", "c"], [([0], [0]), ([], [1]), ([1], [2]), ([2], [3])]),
        (
            "mixed",
            ["a", "b", "c d", "x", "e", "f", "g"],
            ["a", "b", "c", "d", "e", "y", "f g"],
            [([0], [0]), ([1], [1]), ([2], [2, 3]), ([3], []), ([4], [4]), ([], [5]), ([5, 6], [6])],
        ),
        ("empty side", ["a", "b"], [], [([0], []), ([1], [])]),
    ],
)
def test_every_bead_type(name, ar, en, expected):
    assert _align(ar, en) == expected


# vecalign's cost (a merged bead pays a·b times its normalised cost, no penalty, no length term): the
# settings before the merge penalty and the length term were calibrated.
VECALIGN_COST = SentenceAlignSettings(skip_cost=0.4, merge_weight=1.0, merge_penalty=0.0, length_weight=0.0)


# A short sentence next to a matched one: merged when its translation holds it, left out when it does not.
# "b b b" is a sentence three times as long as "c" (the encoder sums atoms, so a merge with "c" moves the
# vector little). Under vecalign's cost the short sentence the other side lacks was merged as well
# (``old``): a·b scales a cost that the short sentence hardly changes, and nothing else tells the two apart.
@pytest.mark.parametrize(
    "name, ar, en, expected, old",
    [
        (
            "short sentence its translation holds: 1-2",
            ["a", "b b b c", "d"],
            ["a", "b b b", "c", "d"],
            [([0], [0]), ([1], [1, 2]), ([2], [3])],
            [([0], [0]), ([1], [1, 2]), ([2], [3])],
        ),
        (
            "short sentence its translation holds: 2-1",
            ["a", "b b b", "c", "d"],
            ["a", "b b b c", "d"],
            [([0], [0]), ([1, 2], [1]), ([3], [2])],
            [([0], [0]), ([1, 2], [1]), ([3], [2])],
        ),
        (
            "short sentence the Arabic lacks: 0-1",
            ["a", "b b b", "d"],
            ["a", "b b b", "c", "d"],
            [([0], [0]), ([1], [1]), ([], [2]), ([2], [3])],
            [([0], [0]), ([1], [1, 2]), ([2], [3])],
        ),
        (
            "short sentence the English lacks: 1-0",
            ["a", "b b b", "c", "d"],
            ["a", "b b b", "d"],
            [([0], [0]), ([1], [1]), ([2], []), ([3], [2])],
            [([0], [0]), ([1, 2], [1]), ([3], [2])],
        ),
        (
            "between long neighbours, lacked",
            ["p q r s", "b b b", "t u v w"],
            ["p q r s", "b b b", "c", "t u v w"],
            [([0], [0]), ([1], [1]), ([], [2]), ([2], [3])],
            [([0], [0]), ([1], [1, 2]), ([2], [3])],
        ),
        (
            "between long neighbours, held",
            ["p q r s", "b b b c", "t u v w"],
            ["p q r s", "b b b", "c", "t u v w"],
            [([0], [0]), ([1], [1, 2]), ([2], [3])],
            [([0], [0]), ([1], [1, 2]), ([2], [3])],
        ),
    ],
)
def test_short_sentence_merged_only_where_its_translation_holds_it(name, ar, en, expected, old):
    assert _align(ar, en) == expected
    assert _align(ar, en, VECALIGN_COST) == old


@pytest.mark.parametrize(
    "cos, norm_sum, a, b, weight, penalty, expected",
    [
        (0.7, 2.0, 1, 1, 1.0, 0.3, 0.3),  # 1-1: the normalised cost alone, 2 (1 − cos) / norm_sum
        (0.7, 1.5, 1, 1, 0.25, 0.3, 0.4),  # a hub (small norms) costs more for the same cosine
        (0.7, 2.0, 1, 2, 1.0, 0.0, 0.6),  # vecalign: a 1-2 bead pays a·b = 2 times
        (0.7, 2.0, 2, 1, 0.25, 0.3, 0.3 * 1.25 + 0.3),  # a·b − 1 = 1 extra, one sentence beyond the first
        (0.7, 2.0, 2, 2, 0.25, 0.3, 0.3 * 1.75 + 0.6),  # a·b − 1 = 3, two sentences beyond the first
    ],
)
def test_bead_cost_table(cos, norm_sum, a, b, weight, penalty, expected):
    assert bead_costs(np.float64(cos), norm_sum, a, b, weight, penalty) == pytest.approx(expected)


# The shipped calibration (sentence_calibrated.json): trial names "skip S, merge W, penalty P, length L".
CALIBRATION = json.loads(SENTENCE_SETTINGS_PATH.read_text(encoding="utf-8"))
TRIALS = CALIBRATION["calibration"]["mean_tune_f1_strict"]
TRIAL_AXES = {"skip": "skip_cost", "merge": "merge_weight", "penalty": "merge_penalty", "length": "length_weight"}


def _trial_point(name: str) -> dict[str, float]:
    return {TRIAL_AXES[axis]: float(value) for axis, value in (part.split() for part in name.split(", "))}


def test_shipped_sentence_costs_are_the_calibrations_best_trial():
    best = max(TRIALS, key=TRIALS.get)  # the first best in grid order, as calibrate_costs settles ties
    loaded = load_sentence_settings()
    assert _trial_point(best) == {key: getattr(loaded, key) for key in TRIAL_AXES.values()}


@pytest.mark.parametrize("key", TRIAL_AXES.values())
def test_calibrated_cost_lies_inside_its_grid(key):
    # A best value on a grid's edge may only be the edge: the grid must reach past it on both sides.
    values = sorted({_trial_point(name)[key] for name in TRIALS})
    assert values[0] < CALIBRATION["settings"][key] < values[-1]


def _chars_side(chars: list[int]) -> Side:
    vectors = np.eye(len(chars), 4, dtype=np.float32)
    return Side(vectors, vectors[:-1], np.array(chars, dtype=np.float64))


@pytest.mark.parametrize(
    "src_chars, tgt_chars, bead, expected",
    [
        # The document's ratio is 2 (English 400 characters, Arabic 200): a bead at that ratio costs nothing.
        ([50, 50, 100], [100, 50, 250], (1, 1, 0, 0), 0.0),
        # Half the document's ratio: (log 1/2)² times the bead's characters over LENGTH_SCALE.
        ([50, 50, 100], [100, 50, 250], (1, 1, 2, 0), np.log(0.5) ** 2 * 200 / LENGTH_SCALE),
        # The same deviation in a shorter bead costs less (Gale & Church: long sentences vary less).
        ([50, 50, 100], [100, 50, 250], (1, 1, 0, 1), np.log(0.5) ** 2 * 100 / LENGTH_SCALE),
        # A 1-2 bead: English sentences 0 and 1 and the space between, 151 characters, against 50.
        ([50, 50, 100], [100, 50, 250], (1, 2, 0, 0), np.log(151 / 50 / 2) ** 2 * 201 / LENGTH_SCALE),
    ],
)
def test_length_term_table(src_chars, tgt_chars, bead, expected):
    a, b, i, j = bead
    term = _length_term(_chars_side(src_chars), _chars_side(tgt_chars), 1.0)
    assert float(term(a, b, i, j)) == pytest.approx(expected)


def test_length_term_is_off_without_weight_or_lengths():
    side = _chars_side([10, 20, 30])
    assert _length_term(side, side, 0.0) is None
    bare = Side(side.single, side.pair)  # no lengths (embeddings only, as bench sentences may pass)
    assert _length_term(bare, side, 1.0) is None
    beads = align_sides(bare, Side(side.single, side.pair), SentenceAlignSettings(length_weight=1.0))
    assert [b.kind for b in beads] == ["1-1"] * 3


def _long_document(n: int, seed: int):
    """n meanings with random merges and drops on either side; returns texts and the gold beads."""
    import random

    pairs = [(f"m{k}", f"m{k}") for k in range(n)]
    ar, en, gold = _edit(pairs, random.Random(seed), merge=0.1, drop=0.05)
    return ar, en, [(list(s), list(t)) for s, t in gold]


def test_banded_search_finds_the_full_search_path():
    ar, en, gold = _long_document(600, seed=3)
    full = _align(ar, en, replace(SETTINGS, full_dp_max=10_000))
    banded = _align(ar, en, replace(SETTINGS, full_dp_max=40))  # four coarse levels
    assert banded == full
    scores = score_beads([[(tuple(s), tuple(t)) for s, t in gold]], [[(tuple(s), tuple(t)) for s, t in full]])
    assert scores["f1_strict"] >= 0.95


def test_paragraph_windows_still_find_sentences_moved_across_the_edge():
    # Paragraph beads: Arabic [a b c d] ~ English [a b], Arabic [e f] ~ English [c d e f]: the translator
    # moved c and d into the next paragraph. The band reaches across the edge, so they are still paired.
    ar, en = ["a", "b", "c", "d", "e", "f"], ["a", "b", "c", "d", "e", "f"]
    blocks = [(0, 4, 0, 2), (4, 6, 2, 6)]
    assert _align(ar, en, windows=block_windows(blocks, 6, 6, buffer=2)) == [([k], [k]) for k in range(6)]
    assert _align(ar, en, windows=block_windows(blocks, 6, 6, buffer=0)) != [([k], [k]) for k in range(6)]


def test_windows_are_monotone_and_cover_the_path():
    lo, hi = windows_from_path([(0, 0), (2, 3), (5, 5)], 5, 5, band=0)
    assert list(lo) == [0, 0, 0, 3, 3, 3] and list(hi) == [3, 3, 5, 5, 5, 5]
    assert all(np.diff(lo) >= 0) and all(np.diff(hi) >= 0)


@pytest.mark.parametrize(
    "gold, test, expected",
    [
        # (precision strict, recall strict, precision lax, recall lax)
        ([((0,), (0,)), ((1,), (1,))], [((0,), (0,)), ((1,), (1,))], (1.0, 1.0, 1.0, 1.0)),
        # a split bead: the 1-1 part is laxly right, the 0-1 is wrong both ways; recall of the 1-2 is lax only
        ([((0,), (0,)), ((1,), (1, 2))], [((0,), (0,)), ((1,), (1,)), ((), (2,))], (1 / 3, 1 / 2, 2 / 3, 1.0)),
        # a right deletion counts for precision; deletions never count for recall
        ([((0,), (0,)), ((1,), ())], [((0,), (0,)), ((1,), ())], (1.0, 1.0, 1.0, 1.0)),
        # a wrong pair shares nothing with gold: wrong both ways
        ([((0,), (0,)), ((1,), (1,))], [((0,), (1,)), ((1,), (0,))], (0.0, 0.0, 0.0, 0.0)),
    ],
)
def test_scorer_follows_vecalign_definitions(gold, test, expected):
    s = score_beads([gold], [test])
    got = (s["precision_strict"], s["recall_strict"], s["precision_lax"], s["recall_lax"])
    assert got == pytest.approx([round(x, 4) for x in expected])


def test_resplit_gold_joins_pieces_sharing_a_sentence():
    # "Mr." is a known abbreviation: the pieces are the lines. "approx." is not: the splitter breaks
    # the English line in two, and the gold joins both pieces to the Arabic sentence (a 1-2 bead).
    article = {"ar": ["جاء السيد سميث.", "ثم غادر."], "en": ["Mr. Smith came.", "Then he left."]}
    _, en, beads = _resplit([article])
    assert en == ["Mr. Smith came.", "Then he left."] and beads == [((0,), (0,)), ((1,), (1,))]
    article = {"ar": ["بلغ طوله نحو 5 كم.", "ثم غادر."], "en": ["It measured approx. 5 km long.", "Then he left."]}
    _, en, beads = _resplit([article])
    assert en == ["It measured approx.", "5 km long.", "Then he left."]
    assert beads == [((0,), (0, 1)), ((1,), (2,))]


def test_equivalent_links_are_grouped_through_shared_paragraphs():
    links = [
        {"ar_id": "a:1", "en_id": "e:1", "label": "equivalent"},
        {"ar_id": "a:1", "en_id": "e:2", "label": "equivalent"},  # a paragraph split in two
        {"ar_id": "a:2", "en_id": "e:3", "label": "related"},  # related links are not refined
        {"ar_id": "a:3", "en_id": "e:4", "label": "equivalent"},
    ]
    assert equivalent_groups(links) == [([0, 1], ["a:1"], ["e:1", "e:2"]), ([3], ["a:3"], ["e:4"])]


def test_refine_links_pairs_sentences_inside_each_equivalent_link():
    def row(pid, lang, sentences):
        segment = Segment.bare(pid, pid.split(":")[0], lang, " ".join(sentences))
        segment.sentences = [{"text": s} for s in sentences]
        return segment

    segments = [
        row("a:1", "ar", ["p", "q r", "s"]),
        row("a:2", "ar", ["t"]),
        row("e:1", "en", ["p", "q"]),
        row("e:2", "en", ["r", "s"]),
        row("e:3", "en", ["u"]),
    ]
    links = [
        {"ar_id": "a:1", "en_id": "e:1", "label": "equivalent"},
        {"ar_id": "a:1", "en_id": "e:2", "label": "equivalent"},
        {"ar_id": "a:2", "en_id": "e:3", "label": "related"},
    ]
    rows = refine_links(segments, links, EmbeddingMemo(AtomEncoder()), SETTINGS)
    assert [(r["ar_ids"], r["en_ids"], r["bead"]) for r in rows] == [
        (["a:1#0"], ["e:1#0"], "1-1"),
        (["a:1#1"], ["e:1#1", "e:2#0"], "1-2"),
        (["a:1#2"], ["e:2#1"], "1-1"),
    ]
    assert {r["group"] for r in rows} == {0} and rows[0]["links"] == [0, 1]
    assert rows[1]["en_text"] == "q r"
    assert refine_links(segments, links[2:], EmbeddingMemo(AtomEncoder()), SETTINGS) == []


@pytest.fixture(scope="module")
def udhr_sentence_run(tmp_path_factory):
    """The UDHR's preamble and first articles through ``run --mode parallel`` with the real encoder."""
    return run_udhr_parallel(tmp_path_factory.mktemp("udhr-sentences"), 6, "--formats", "jsonl,moses,tmx")


def test_parallel_mode_writes_sentence_pairs(udhr_sentence_run):
    out = udhr_sentence_run
    rows = [json.loads(line) for line in (out / "sentences.jsonl").read_text(encoding="utf-8").splitlines()]
    pairs = [r for r in rows if r["ar_ids"] and r["en_ids"]]
    # The English preamble's "friendly relations" recital has no Arabic: a sentence left out, not paired.
    friendly = [r for r in rows if "friendly relations" in r["en_text"]]
    assert len(friendly) == 1 and friendly[0]["ar_ids"] == [] and friendly[0]["bead"] == "0-1"
    # Article 1's two sentences are two pairs, each its own translation.
    dignity = next(r for r in pairs if r["en_text"].startswith("All human beings are born free"))
    assert (
        dignity["bead"] == "1-1"
        and dignity["ar_text"].startswith("يولد جميع الناس")
        and "conscience" not in dignity["en_text"]
    )
    torture = next(r for r in pairs if r["en_text"].startswith("No one shall be subjected to torture"))
    assert torture["bead"] == "1-1" and torture["ar_text"].startswith("لا يعرض أي إنسان للتعذيب")
    assert torture["score"] > 0.7
    ar_lines = (out / "parallel.sent.ar").read_text(encoding="utf-8").splitlines()
    en_lines = (out / "parallel.sent.en").read_text(encoding="utf-8").splitlines()
    assert len(ar_lines) == len(en_lines) == len(pairs)
    tree = etree.parse(str(out / "alignments.sent.tmx"))
    assert tree.find("header").get("segtype") == "sentence"
    units = [u for u in tmxfile((out / "alignments.sent.tmx").read_bytes(), "ar", "en").units if u.source]
    assert [(u.source, u.target) for u in units] == [(r["ar_text"], r["en_text"]) for r in pairs]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"]["sentence_pairs"] == len(pairs)


def test_corpus_without_equivalent_links_writes_empty_sentence_files(corpus_run):
    assert (corpus_run / "sentences.jsonl").read_text(encoding="utf-8") == ""
    assert (corpus_run / "parallel.sent.ar").read_text(encoding="utf-8") == ""
    assert (corpus_run / "parallel.sent.en").read_text(encoding="utf-8") == ""
    tree = etree.parse(str(corpus_run / "alignments.sent.tmx"))
    assert tree.find("header").get("segtype") == "sentence" and tree.findall("body/tu") == []


def test_eval_align_sentences_scores_bead_files(tmp_path):
    gold = [{"doc": "d", "ar": [0], "en": [0]}, {"doc": "d", "ar": [1], "en": [1, 2]}]
    pred = [{"doc": "d", "ar": [0], "en": [0]}, {"doc": "d", "ar": [1], "en": [1]}, {"doc": "d", "ar": [], "en": [2]}]
    for name, rows in (("gold", gold), ("pred", pred)):
        (tmp_path / f"{name}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    result = run_cli(
        "eval", "align", "--sentences", "--gold", tmp_path / "gold.jsonl", "--pred", tmp_path / "pred.jsonl"
    )
    assert result.returncode == 0, result.stderr
    scores = json.loads(result.stdout.strip().splitlines()[-1])
    assert (scores["precision_strict"], scores["recall_strict"], scores["recall_lax"]) == (0.3333, 0.5, 1.0)
    bad = run_cli("eval", "align", "--sentences", "--gold", tmp_path / "gold.jsonl")
    assert bad.returncode == 2 and "give both --pred and --gold" in bad.stderr


def _doc(name: str, beads) -> SentenceDoc:
    n_ar = sum(len(s) for s, _ in beads)
    n_en = sum(len(t) for _, t in beads)
    return SentenceDoc(name, [f"a{k}" for k in range(n_ar)], [f"e{k}" for k in range(n_en)], list(beads))


def test_per_draw_scores_count_the_draws_where_ours_is_at_least_the_peers():
    gold = [((0,), (0,)), ((1,), (1,))]
    wrong = [((0,), (1,)), ((1,), (0,))]
    docs = [
        _doc("flores-test-merges-s13-0", gold),
        _doc("flores-test-merges-s13-1", gold),
        _doc("flores-test-merges-s14-0", gold),
    ]
    # draw s13: ours right in both documents, the peer wrong in one; draw s14: ours wrong, the peer right
    ours = [gold, gold, wrong]
    peer = [gold, wrong, gold]
    got = per_draw_scores(docs, ours, peer)
    assert got == {"draws": 2, "ours": [1.0, 0.0], "vecalign": [0.5, 1.0], "ours_at_least_vecalign": 1}
    assert per_draw_scores(docs, ours, None) == {"draws": 2, "ours": [1.0, 0.0]}


@pytest.mark.skipif(not config.SHARED_DATA.is_dir(), reason="needs ../shared/data (absent in a user's clone)")
def test_pooled_test_draws_hold_each_draw_of_the_test_half_once():
    pooled = pooled_test_draws(config.SHARED_DATA, draws=3)
    assert set(pooled) == {f"flores-test-{v}-draws" for v in ("merges", "drops", "merges+drops")}
    single = sentence_gold_sets(config.SHARED_DATA)
    for variant in ("merges", "drops", "merges+drops"):
        docs = pooled[f"flores-test-{variant}-draws"]
        assert len({d.name for d in docs}) == len(docs)
        draws: dict[str, list] = {}
        for d in docs:
            draws.setdefault(draw_of(d.name), []).append(d)
        assert list(draws) == ["s13", "s14", "s15"]
        # the first draw is the table's own test set; the others are new edits of the same articles
        assert [(d.ar, d.en, d.beads) for d in draws["s13"]] == [
            (d.ar, d.en, d.beads) for d in single[f"flores-test-{variant}"]
        ]
        assert [d.beads for d in draws["s14"]] != [d.beads for d in draws["s13"]]
    assert pooled_test_draws(config.SHARED_DATA, draws=0) == {}


def test_eval_sentences_refuses_a_negative_number_of_test_draws():
    result = run_cli("eval", "align", "--sentences", "--test-draws", "-1")
    assert result.returncode == 2
    assert "--test-draws must be 0 or more" in result.stderr and "Traceback" not in result.stderr
