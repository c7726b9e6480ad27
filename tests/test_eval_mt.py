"""`eval mt` reproduces the published leaderboard scores of real system outputs (sacreBLEU defaults)."""

import json

import pytest

from conftest import FIXTURES, run_cli

D = FIXTURES / "mt_outputs"


@pytest.mark.parametrize(
    "hyp, ref, bleu, chrf, chrfpp",
    [
        ("nllb-200-distilled-600M.flores200-devtest.ara-eng.output", "eng_Latn.devtest", 37.6, 62.695, 60.914),
        ("opus-mt-tc-big-ar-en.flores200-devtest.ara-eng.output", "eng_Latn.devtest", 42.8, 67.161, 65.403),
        ("opus-mt-ar-en.flores101-devtest.ara-eng.output", "flores101.eng.devtest", 33.97, 61.03, None),
    ],
)
def test_published_scores(hyp, ref, bleu, chrf, chrfpp):
    result = run_cli("eval", "mt", "--hyp", D / hyp, "--ref", D / ref)
    assert result.returncode == 0, result.stderr
    scores = json.loads(result.stdout.strip().splitlines()[-1])
    digits = len(str(bleu).split(".")[1])
    assert round(scores["bleu"], digits) == bleu
    assert round(scores["chrf"], len(str(chrf).split(".")[1])) == chrf
    if chrfpp is not None:
        assert round(scores["chrf++"], 3) == chrfpp
    assert "tok:13a" in scores["signature"]["bleu"] and "nw:2" in scores["signature"]["chrf++"]


def test_line_count_mismatch_is_refused(tmp_path):
    hyp = tmp_path / "hyp.txt"
    hyp.write_text("one line\n", encoding="utf-8")
    result = run_cli("eval", "mt", "--hyp", hyp, "--ref", D / "eng_Latn.devtest")
    assert result.returncode == 2 and str(hyp) in result.stderr and "Traceback" not in result.stderr
