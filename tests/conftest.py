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
    return subprocess.run([sys.executable, "-m", "pipeline", *map(str, args)], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="session")
def corpus_run(tmp_path_factory):
    """One run of the whole pipeline on the project corpus (no MT), shared by the tests that read it."""
    out = tmp_path_factory.mktemp("corpus_run")
    result = run_cli("run", "--out", out, "--mt-model", "none")
    assert result.returncode == 0, result.stderr
    return out


def corpus_texts() -> tuple[list[str], list[str]]:
    """The Arabic and English lines of the project corpus (what the test tokenizers are trained on)."""
    from pipeline.corpus import load_manifest

    arabic, english = [], []
    for entry in load_manifest(ROOT / "corpus"):
        lines = [l for l in Path(entry.path).read_text(encoding="utf-8").splitlines() if l.strip()]
        (arabic if entry.lang == "ar" else english).extend(lines)
    return arabic, english


@pytest.fixture(scope="session")
def tiny_marian(tmp_path_factory):
    """A tiny MarianMT model folder with random weights and a real MarianTokenizer whose SentencePiece
    models are trained on the corpus; loadable with from_pretrained like a downloaded OPUS-MT model."""
    from pipeline.mt.random_model import build_random_marian

    arabic, english = corpus_texts()
    return build_random_marian(tmp_path_factory.mktemp("models") / "tiny-marian", arabic, english, seed=7)
