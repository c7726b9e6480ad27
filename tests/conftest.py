import json
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


def run_udhr_parallel(folder: Path, sections: int | None = None, *extra) -> Path:
    """The UDHR fixture's first ``sections`` sections (all by default), one paragraph a line, through
    ``run --mode parallel`` without MT (``extra``: more flags); returns the output folder."""
    data = json.loads((FIXTURES / "udhr_ar_en_sections.json").read_text(encoding="utf-8"))[:sections]
    for lang in ("ar", "en"):
        (folder / f"udhr.{lang}.txt").write_text("\n".join(p for s in data for p in s[lang]) + "\n", encoding="utf-8")
    out = folder / "out"
    ar, en = folder / "udhr.ar.txt", folder / "udhr.en.txt"
    result = run_cli("run", "--ar", ar, "--en", en, "--out", out, "--mode", "parallel", "--mt-model", "none", *extra)
    assert result.returncode == 0, result.stderr
    return out


def run_flores_fixture(folder: Path, name: str, both: float) -> Path:
    """The held-out FLORES fixture (tests/fixtures/flores_articles.json) as one Arabic document against one
    English document per article, ``both``: share of sentences kept on both sides (``equivalent`` links;
    0: every link the aligner makes is ``related``), run without MT; returns the output folder."""
    from pipeline.evaluation.gold import flores_documents, gold_texts, write_gold_set

    articles = json.loads((FIXTURES / "flores_articles.json").read_text(encoding="utf-8"))
    write_gold_set(flores_documents(name, articles, seed=5, both=both), folder)
    texts = gold_texts(folder / f"{name}.gold.tsv")
    out = folder / "out"
    result = run_cli("run", "--ar", *texts["ar"], "--en", *texts["en"], "--out", out, "--mt-model", "none")
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="session")
def related_run(tmp_path_factory):
    """A comparable run with thematic links only, the IHEC corpus's shape on held-out text."""
    return run_flores_fixture(tmp_path_factory.mktemp("related_run"), "related", both=0.0)


@pytest.fixture(scope="session")
def tiny_marian(tmp_path_factory):
    """A tiny MarianMT model folder with random weights and a real MarianTokenizer whose SentencePiece
    models are trained on the corpus; loadable with from_pretrained like a downloaded OPUS-MT model."""
    from pipeline.ingest.corpus import corpus_lines
    from pipeline.bench.random_model import build_random_marian

    arabic, english = corpus_lines(ROOT / "corpus")
    return build_random_marian(tmp_path_factory.mktemp("models") / "tiny-marian", arabic, english, seed=7)
