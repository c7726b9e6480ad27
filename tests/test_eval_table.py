"""`make eval`'s table: P and R in their own columns, "n/a" where a set has no gold of a label (never
nan or a made-up 0.0000), and a short JSON last line pointing at the details."""

import json
from pathlib import Path

import pytest

from pipeline.evaluation.metrics import prf
from pipeline.evaluation.suite import TABLE_HEADER, short_summary, table_row

TRANSLATIONS = {  # a FLORES-like set: equivalent links only
    "equivalent": prf({(1, 1), (2, 2), (3, 4)}, {(1, 1), (2, 2), (3, 3)}),
    "related": None,
    "sections": None,
    "tuned_on": False,
}
CORPUS = {  # the corpus: related links only, none equivalent
    "equivalent": None,
    "related": prf({(1, 1), (1, 2), (2, 5), (3, 3)}, {(1, 1), (3, 3), (4, 4)}),
    "sections": None,
    "tuned_on": False,
}
PARALLEL = {
    "equivalent": prf({(1, 1)}, {(1, 1)}),
    "related": None,
    "sections": {"right": 31, "total": 31},
    "tuned_on": False,
}
WRONG_EQUIVALENTS = {
    "equivalent": prf({(1, 1), (2, 2)}, set()),
    "related": CORPUS["related"],
    "sections": None,
    "tuned_on": False,
}


@pytest.mark.parametrize(
    "entry, baseline, cells",
    [
        (
            TRANSLATIONS,
            {"mutual_best": prf({(1, 1)}, {(1, 1), (2, 2)}), "cosine_threshold": prf(set(), set())},
            ["t", "test", "0.6667", "0.6667", "0.6667", "0.6667", *["n/a"] * 8],
        ),
        (CORPUS, None, ["t", "test", "n/a", "n/a", "n/a", "n/a", "0.5000", "0.6667", "0.5714", *["n/a"] * 5]),
        (PARALLEL, None, ["t", "test", "1.0000", "1.0000", "1.0000", *["n/a"] * 8, "31/31"]),
        (
            WRONG_EQUIVALENTS,
            None,
            ["t", "test", "n/a (2 predicted)", "n/a", "n/a", "n/a", "0.5000", "0.6667", "0.5714", *["n/a"] * 5],
        ),
    ],
)
def test_table_rows(entry, baseline, cells):
    row = table_row("t", entry, baseline)
    assert row == "| " + " | ".join(cells) + " |"
    assert row.count("|") == TABLE_HEADER.count("|")
    assert "nan" not in row


def test_json_last_line_is_short_and_points_at_the_details(tmp_path):
    summary = {
        "alignment": {f"set-{k}": TRANSLATIONS for k in range(12)} | {"corpus": CORPUS},
        "mt": {"opus-mt-ar-en.flores101-devtest.ara-eng.output": {"bleu": 33.971, "chrf": 61.03}},
    }
    line = json.dumps(short_summary(summary, tmp_path / "summary.json"))
    assert len(line) < 1000 and "nan" not in line.lower()
    parsed = json.loads(line)
    assert Path(parsed["details"]) == tmp_path / "summary.json"
    assert parsed["equivalent_f1"]["set-0"] == 0.6667 and "corpus" not in parsed["equivalent_f1"]
    assert parsed["related_f1"] == {"corpus": 0.5714}
    assert parsed["bleu"] == {"opus-mt-ar-en.flores101-devtest.ara-eng.output": 33.97}


def _link(ar, en, label, probability):
    return {"ar_id": ar, "en_id": en, "label": label, "probability": probability}


def test_reliability_counts_links_by_the_probability_shown_and_label():
    """`make eval`'s reliability table: per label, the links shown in each probability bin and how many
    are right; a link counts for a label only where the gold set lists every link of it."""
    from pipeline.evaluation.metrics import reliability_counts, reliability_table

    gold = [
        {"ar_id": "a1", "en_id": "e1", "label": "equivalent"},
        {"ar_id": "a2", "en_id": "e2", "label": "related"},
        {"ar_id": "a3", "en_id": "e9", "label": "same-topic"},
    ]
    links = [
        _link("a1", "e1", "equivalent", 0.95),  # right
        _link("a2", "e2", "equivalent", 0.91),  # the pair is related, not a translation: wrong
        _link("a2", "e2", "related", 0.85),  # right
        _link("a3", "e9", "related", 0.82),  # a same-topic negative: wrong
        _link("a4", "e4", "related", 1.0),  # the top bin holds 1.0
        _link("a5", "e5", "related", None),  # parallel mode: no probability, not counted
    ]
    counts = reliability_counts(links, gold)
    assert counts["equivalent"][9] == [2, 1]
    assert counts["related"][8] == [2, 1] and counts["related"][9] == [1, 0]
    assert sum(n for n, _ in counts["related"]) == 3
    assert "| related | 0.8–0.9 | 2 | 1 | 0.500 |" in reliability_table(counts)
    assert "| equivalent | 0.0–0.1 | 0 | 0 | – |" in reliability_table(counts)
    # A set of translations says nothing about related links: they are not counted there.
    assert set(reliability_counts(links, gold[:1])) == {"equivalent"}


def test_reliability_of_many_runs_is_summed():
    from pipeline.evaluation.suite import pooled_reliability

    one = {"related": [[1, 1]] + [[0, 0]] * 9}
    two = {"related": [[2, 0]] + [[0, 0]] * 9, "equivalent": [[0, 0]] * 9 + [[3, 3]]}
    pooled = pooled_reliability([{"reliability": one}, {"reliability": two}, {}])
    assert pooled["related"][0] == [3, 1] and pooled["equivalent"][9] == [3, 3]
