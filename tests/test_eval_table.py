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
