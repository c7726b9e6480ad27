import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def run_cli(*args, cwd=ROOT, env=None):
    """Run ``python -m pipeline`` as a user would; returns the CompletedProcess."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *map(str, args)],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="session")
def corpus_run(tmp_path_factory):
    """One run of the whole pipeline on the project corpus (no MT), shared by the tests that read it."""
    out = tmp_path_factory.mktemp("corpus_run")
    result = run_cli("run", "--out", out, "--mt-model", "none")
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="session")
def tiny_marian(tmp_path_factory):
    """A tiny MarianMT model folder with random weights and a real MarianTokenizer whose SentencePiece
    models are trained on the corpus; loadable with from_pretrained like a downloaded OPUS-MT model."""
    from pipeline.ingest.corpus import corpus_lines
    from pipeline.bench.random_model import build_random_marian

    arabic, english = corpus_lines(ROOT / "corpus")
    return build_random_marian(tmp_path_factory.mktemp("models") / "tiny-marian", arabic, english, seed=7)
