"""One MT default for the command line and make; the missing model is said once and the run goes on."""

import json
import shutil
import subprocess

import pytest

from conftest import ROOT, run_cli
from pipeline.mt.models import DEFAULT_MT_MODEL

ARABIC = ROOT / "corpus" / "raw" / "002_fb358afb9b89a1aa.txt"
ENGLISH = ROOT / "corpus" / "raw" / "003_0bc7bc607c2ae275.txt"


def test_run_without_mt_model_uses_the_default_and_continues_when_it_is_absent(tmp_path):
    out = tmp_path / "out"
    result = run_cli(
        "run",
        "--ar",
        ARABIC,
        "--en",
        ENGLISH,
        "--out",
        out,
        "--formats",
        "jsonl",
        env={"PIPELINE_MODELS": str(tmp_path / "no-models")},
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("MT MODEL MISSING") == 1 and DEFAULT_MT_MODEL in result.stderr
    translation = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["translation"]
    assert translation["model"] == DEFAULT_MT_MODEL and translation["status"].startswith("missing")


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
@pytest.mark.parametrize(
    "variables, expected",
    [
        ([], None),  # make leaves the choice to the CLI's default
        (["MT_MODEL=none"], "--mt-model none"),
        (["MT_MODEL=models/my-marian"], "--mt-model models/my-marian"),
    ],
)
def test_make_passes_a_model_only_when_one_is_chosen(variables, expected):
    commands = subprocess.run(
        ["make", "-n", "-o", "setup", "run", *variables], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    run_line = next(line for line in commands.splitlines() if " -m pipeline run " in line)
    if expected is None:
        assert "--mt-model" not in run_line
    else:
        assert expected in run_line
