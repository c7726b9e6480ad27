"""The command line as users meet it: one MT default for the CLI and make (a missing model said once, the
run goes on), --version, --quiet / --verbose, and --help under the name it was called by."""

import json
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT, run_cli
from pipeline import __version__
from pipeline.config import MT_MODEL as DEFAULT_MT_MODEL

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


def test_version():
    result = run_cli("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"python -m pipeline {__version__}"


def test_help_names_the_console_script_it_was_called_as(tmp_path):
    script = tmp_path / "arabic-align"
    script.write_text(f"#!{sys.executable}\nimport sys\nfrom pipeline.cli import main\nsys.exit(main())\n")
    script.chmod(0o755)
    env = {"PYTHONPATH": str(ROOT)}
    done = subprocess.run([str(script), "run", "--help"], capture_output=True, text=True, env=env, cwd=ROOT)
    assert done.returncode == 0 and done.stdout.startswith("usage: arabic-align run")
    assert run_cli("--help").stdout.startswith("usage: python -m pipeline")


@pytest.mark.parametrize(
    "flag, expected, unexpected",
    [
        ("--quiet", [], ["ingest:", "align (comparable)", "read "]),
        ("--verbose", ["ingest:", f"read {ARABIC} as 002_fb358afb9b89a1aa (ar): text, utf-8 (utf-8)"], []),
        (None, ["ingest:", "align (comparable)"], ["read "]),
    ],
)
def test_quiet_and_verbose(tmp_path, flag, expected, unexpected):
    args = ["run", "--ar", ARABIC, "--en", ENGLISH, "--out", tmp_path / "o", "--mt-model", "none", "--formats", "jsonl"]
    result = run_cli(*args, *([flag] if flag else []))
    assert result.returncode == 0, result.stderr
    assert all(text in result.stderr for text in expected), result.stderr
    assert not any(text in result.stderr for text in unexpected), result.stderr
    if flag == "--quiet":
        assert result.stderr == ""
