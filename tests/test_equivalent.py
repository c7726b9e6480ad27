"""The `equivalent` decision without MT: which pairs may be equivalent (structure), the length evidence,
the calibrated equivalence model deciding in the aligner, and its F1 on held-out gold shipped with the
tests (16 FLORES-200 devtest articles of the *test* half, never used to calibrate:
tests/fixtures/flores_articles.json), as sentences shuffled on both sides (the `flores-chunks` shape) and
inside the product's documents with thematic links around them (the `flores-mixed` shape)."""

import json
import os

import numpy as np
import pytest

from conftest import FIXTURES, run_cli
from pipeline.align.comparable import decide_equivalent_pairs
from pipeline.align.equivalence import eligible, length_deviation
from pipeline.align.model import LinkModel
from pipeline.align.pairs import Pairs
from pipeline.align.settings import AlignSettings
from pipeline.evaluation.gold import comparable, flores_documents, gold_texts, write_gold_set
from pipeline.records import Segment


def _pairs(matrix):
    score = np.asarray(matrix, dtype=np.float64)
    i, j = np.indices(score.shape)
    return i.ravel(), j.ravel(), score.ravel(), score.shape


@pytest.mark.parametrize(
    "name, matrix, expected_eligible, expected_mutual",
    [
        ("mutual best pairs", [[0.9, 0.1], [0.2, 0.8]], {(0, 0), (1, 1)}, {(0, 0), (1, 1)}),
        # Low scores do not matter here: structure only (the model or the threshold judges the score).
        ("weak but mutual", [[0.3, 0.1], [0.2, 0.25]], {(0, 0), (1, 1)}, {(0, 0), (1, 1)}),
        # English 0 and 1 are the two halves of Arabic 0: English 1's best is Arabic 0, close to its best.
        ("a split paragraph", [[0.85, 0.80], [0.1, 0.2]], {(0, 0), (0, 1)}, {(0, 0)}),
        # English 1's best is Arabic 0, far below Arabic 0's own link: a near neighbour, not eligible.
        ("a near neighbour of a linked paragraph", [[1.15, 0.90], [0.1, 0.2]], {(0, 0)}, {(0, 0)}),
    ],
)
def test_eligible_pairs(name, matrix, expected_eligible, expected_mutual):
    i, j, score, (n_ar, n_en) = _pairs(matrix)
    ok, mutual = eligible(i, j, score, n_ar, n_en, merge_gap=0.15)
    assert {(int(a), int(b)) for a, b in zip(i[ok], j[ok], strict=True)} == expected_eligible, name
    assert {(int(a), int(b)) for a, b in zip(i[mutual], j[mutual], strict=True)} == expected_mutual, name


def _rows(lang, lengths):
    return [Segment.bare(f"{lang}:{k}", lang, lang, "x" * n) for k, n in enumerate(lengths)]


@pytest.mark.parametrize(
    "name, ar_lengths, en_lengths, pair, mutual_pairs, expected",
    [
        # The run's translations are half as long in Arabic: a pair with that ratio deviates by nothing.
        ("the run's own ratio", [50, 100], [100, 200], (0, 0), [(0, 0), (1, 1)], 0.0),
        ("twice too short", [50, 100], [100, 200], (0, 1), [(0, 0), (1, 1)], np.log(2)),
        ("twice too long", [50, 100], [100, 200], (1, 0), [(0, 0), (1, 1)], np.log(2)),
        # The centre is the median of the mutual pairs, so one odd pair does not move it.
        ("one odd mutual pair", [50, 100, 100], [100, 200, 20], (2, 2), [(0, 0), (1, 1), (2, 2)], np.log(10)),
    ],
)
def test_length_deviation_is_measured_from_the_runs_own_ratio(
    name, ar_lengths, en_lengths, pair, mutual_pairs, expected
):
    ar, en = _rows("ar", ar_lengths), _rows("en", en_lengths)
    i = np.array([a for a, _ in mutual_pairs] + [pair[0]])
    j = np.array([b for _, b in mutual_pairs] + [pair[1]])
    mutual = np.array([True] * len(mutual_pairs) + [False])
    assert length_deviation(ar, en, i, j, mutual)[-1] == pytest.approx(expected, abs=1e-9), name


# A hand-made equivalence model that follows the cosine only: P = 0.5 at cosine 0.5.
COSINE_MODEL = LinkModel(
    ("cosine", "margin", "length", "anchors"),
    (0.5, 0, 0, 0),
    (0.05, 1, 1, 1),
    (1, 0, 0, 0),
    0.0,
    0.5,
    1,
)


@pytest.mark.parametrize(
    "name, matrix, with_model, with_mt, expected",
    [
        # The rule (threshold 0.77) refuses a mutual pair at 0.6; the model (P ≥ 0.5 from cosine 0.5) takes it.
        ("the model decides without MT", [[0.6, 0.1], [0.2, 0.4]], True, False, {(0, 0)}),
        ("settings without a model: the rule", [[0.6, 0.1], [0.2, 0.4]], False, False, set()),
        ("with MT: the rule", [[0.6, 0.1], [0.2, 0.4]], True, True, set()),
        ("with MT, above the threshold: the rule links it", [[0.9, 0.1], [0.2, 0.4]], True, True, {(0, 0)}),
        # The model judges only eligible pairs: Arabic 1's best is English 0, whose own best (Arabic 0)
        # scores more than merge_gap higher: a near neighbour, however high its cosine.
        ("the model never links a non-eligible pair", [[0.9, 0.1], [0.7, 0.2]], True, False, {(0, 0)}),
        ("a split pair within merge_gap", [[0.9, 0.1], [0.8, 0.2]], True, False, {(0, 0), (1, 0)}),
    ],
)
def test_decide_equivalent_pairs(name, matrix, with_model, with_mt, expected):
    i, j, score, (n_ar, n_en) = _pairs(matrix)
    cosine = score.astype(np.float32)
    pairs = Pairs(
        i, j, cosine, np.ones_like(cosine), cosine if with_mt else None, np.ones_like(cosine) if with_mt else None
    )
    settings = AlignSettings(
        margin_weight=0.0,
        equivalent_threshold=0.77,
        equivalent_models={"encoder": COSINE_MODEL.to_json()} if with_model else {},
    )
    mask = decide_equivalent_pairs(_rows("ar", [10] * n_ar), _rows("en", [10] * n_en), pairs, score, settings, None)
    assert {(int(a), int(b)) for a, b in zip(i[mask], j[mask], strict=True)} == expected, name


def test_shipped_settings_have_an_equivalence_model_for_each_dictionary_state():
    from pipeline.align.settings import load_settings

    settings = load_settings()
    for name, extra in (("encoder", ()), ("encoder+dictionary", ("lexical",))):
        model = settings.equivalent_model(name)
        assert model is not None and model.features == ("cosine", "margin", "length", "anchors", *extra)
        assert 0.0 < model.threshold < 1.0 and model.training["sets"]


def _articles():
    return json.loads((FIXTURES / "flores_articles.json").read_text(encoding="utf-8"))


def _fixture_set(name):
    if name == "chunks":  # every sentence a unit, each side a random 60%, shuffled: as flores-chunks-*
        chunks = [(x, y) for a in _articles() for x, y in zip(a["ar"], a["en"], strict=True)]
        return comparable("fixture-chunks", chunks, seed=5)
    return flores_documents("fixture-mixed", _articles(), seed=5, both=0.3)


@pytest.fixture(scope="module")
def equivalent_scores(tmp_path_factory):
    """Equivalent P/R/F1 of runs without MT on the fixture's two shapes, with the dictionary (when
    installed) and without it (``PIPELINE_DICTIONARY`` pointing nowhere: the model trained without it)."""
    folder = tmp_path_factory.mktemp("equivalent")
    scores = {}
    for name in ("chunks", "mixed"):
        write_gold_set(_fixture_set(name), folder)
        gold_path = folder / f"fixture-{name}.gold.tsv"
        texts = gold_texts(gold_path)
        for dictionary in (True, False):
            env = None if dictionary else {**os.environ, "PIPELINE_DICTIONARY": str(folder / "no-such-dictionary")}
            out = folder / f"out-{name}-{dictionary}"
            args = ["run", "--ar", *texts["ar"], "--en", *texts["en"], "--out", out, "--mt-model", "none"]
            result = run_cli(*args, "--formats", "jsonl", env=env)
            assert result.returncode == 0, result.stderr
            scored = run_cli("eval", "align", "--pred", out, "--gold", gold_path)
            assert scored.returncode == 0, scored.stderr
            scores[name, dictionary] = json.loads(scored.stdout.strip().splitlines()[-1])["equivalent"]
    return scores


# Held-out floors a little under what the shipped models measure here (equivalent P / R / F1 1.00 / 1.00 /
# 1.00 on both shapes, with and without the dictionary). The score rule these models replaced measured
# mixed R 0.926, F1 0.962 (with and without the dictionary): the mixed floors fail on it. The chunks set
# (30 gold links) is too easy to tell them apart and guards against a regression only.
@pytest.mark.parametrize(
    "name, dictionary, min_recall, min_f1",
    [
        ("chunks", True, 0.97, 0.97),
        ("chunks", False, 0.97, 0.97),
        ("mixed", True, 0.96, 0.975),
        ("mixed", False, 0.96, 0.975),
    ],
)
def test_held_out_equivalent_without_mt(equivalent_scores, name, dictionary, min_recall, min_f1):
    scores = equivalent_scores[name, dictionary]
    assert scores["recall"] >= min_recall, scores
    assert scores["f1"] >= min_f1, scores
