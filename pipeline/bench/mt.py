"""``python -m pipeline bench mt``: CPU throughput of the MT backends on opus-mt-ar-en's architecture.

No pretrained weights can be downloaded here, so the benchmark builds a random-weight MarianMT model with
opus-mt-ar-en's exact shape (6+6 layers, d_model 512, 8 heads, FFN 2048, 62,834-piece vocabulary) and a
real tokenizer trained on the corpus, converts it to CTranslate2 int8, and times each backend translating
real Arabic sentences from the corpus with a fixed output length (random weights never stop early,
min = max new tokens makes every backend do the same work). Each (backend, batch size) runs in a fresh
process, so peak memory is that configuration's own.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from pipeline import config
from pipeline.bench.memory import peak_rss_mb
from pipeline.config import MT_BACKENDS as BACKENDS
from pipeline.errors import PipelineError
from pipeline.mt.base import Translator
from pipeline.progress import log


@dataclass
class BenchResult:
    backend: str
    batch_size: int
    workers: int  # batches translated at once (CTranslate2's inter_threads); 1 for transformers
    src_tokens_per_s: float  # from the median time of the repeats
    peak_rss_mb: float
    sentences: int
    src_tokens: int
    seconds: float  # median
    slowest_tokens_per_s: float = 0.0  # the spread over the repeats
    fastest_tokens_per_s: float = 0.0


def corpus_sentences(corpus: Path, count: int) -> list[str]:
    """``count`` Arabic sentences of the corpus (after ingest), in order, cycling when the corpus has fewer."""
    from pipeline.run import RunConfig, ingest_stage, load_inputs

    segments, _ = ingest_stage(load_inputs(RunConfig(corpus=corpus)))
    sentences = [s["text"] for row in segments if row.lang == "ar" for s in row.sentences]
    if not sentences:
        raise PipelineError(corpus, "no Arabic sentences to translate in this corpus")
    return [sentences[i % len(sentences)] for i in range(count)]


def prepare_model(corpus: Path, model_dir: Path) -> tuple[Path, Path]:
    """The random opus-mt-ar-en-shaped model and its CTranslate2 int8 conversion (built once, reused)."""
    from pipeline.ingest.corpus import corpus_lines
    from pipeline.mt.ct2 import convert_to_ct2
    from pipeline.bench.random_model import OPUS_MT_AR_EN, build_random_marian

    hf_dir, ct2_dir = model_dir / "transformers", model_dir / "ct2-int8"
    if not (hf_dir / "config.json").is_file():
        log(f"bench mt: building a random-weight opus-mt-ar-en-shaped model in {hf_dir}")
        arabic, english = corpus_lines(corpus)
        build_random_marian(hf_dir, arabic, english, OPUS_MT_AR_EN, spm_vocab=8000, seed=0)
    convert_to_ct2(str(hf_dir), ct2_dir, "int8")
    return hf_dir, ct2_dir


def measure(job: dict) -> BenchResult:
    """One configuration, in this process: load the backend, warm up, time the sentences."""
    from pipeline.mt.base import Decoding

    decoding = Decoding(
        num_beams=job["beams"],
        max_new_tokens=job["new_tokens"],
        min_new_tokens=job["new_tokens"],
        batch_size=job["batch_size"],
    )
    translator: Translator
    if job["backend"] == "transformers":
        from pipeline.mt.hf import TransformersTranslator

        translator = TransformersTranslator(job["model"], threads=job["threads"], decoding=decoding)
    else:
        from pipeline.mt.ct2 import CTranslate2Translator

        translator = CTranslate2Translator(
            job["model"],
            threads=job["threads"],
            decoding=decoding,
            ct2_dir=Path(job["ct2_dir"]),
            workers=job["ct2_workers"],
        )
    sentences = job["sentences"]
    translator.translate(sentences[: job["batch_size"]])  # warm-up: first-call allocations are not throughput
    timings = []
    for repeat in range(job["repeats"]):
        started = time.perf_counter()
        translator.translate(sentences)
        timings.append(time.perf_counter() - started)
        if job["repeats"] > 1:
            log(f"  repeat {repeat + 1}/{job['repeats']}: {timings[-1]:.1f} s")
    seconds = statistics.median(timings)  # the median: a shared machine's slow moments skew a single timing
    tokens = sum(translator.count_tokens(s) for s in sentences)
    return BenchResult(
        job["backend"],
        job["batch_size"],
        getattr(translator, "workers", 1),
        round(tokens / seconds, 1),
        peak_rss_mb(),
        len(sentences),
        tokens,
        round(seconds, 3),
        round(tokens / max(timings), 1),
        round(tokens / min(timings), 1),
    )


def run_bench(
    corpus: Path = config.CORPUS,
    model_dir: Path = config.CACHE / "bench-mt",
    backends=BACKENDS,
    batch_sizes=(1, 8, 16),
    sentences: int = 64,
    new_tokens: int = 32,
    beams: int = 4,
    threads: int | None = None,
    ct2_workers: int | None = None,
    repeats: int = 1,
) -> list[BenchResult]:
    """Every (backend, batch size), each in its own process, timed ``repeats`` times (the median counts).
    Raises PipelineError for an unknown backend, fewer than one repeat or CTranslate2 worker, or a worker
    process that fails."""
    unknown = [b for b in backends if b not in BACKENDS]
    if unknown:
        raise PipelineError(None, f"unknown backend(s) {', '.join(unknown)} (expected {', '.join(BACKENDS)})")
    if repeats < 1:
        raise PipelineError(None, f"--repeats must be at least 1, not {repeats}")
    if ct2_workers is not None and ct2_workers < 1:
        raise PipelineError(None, f"--ct2-workers must be at least 1, not {ct2_workers}")
    hf_dir, ct2_dir = prepare_model(Path(corpus), Path(model_dir))
    texts = corpus_sentences(Path(corpus), sentences)
    results = []
    configurations = [(backend, batch_size) for backend in backends for batch_size in batch_sizes]
    for number, (backend, batch_size) in enumerate(configurations, 1):
        job = {
            "backend": backend,
            "batch_size": batch_size,
            "model": str(hf_dir),
            "ct2_dir": str(ct2_dir),
            "sentences": texts,
            "new_tokens": new_tokens,
            "beams": beams,
            "threads": threads or os.cpu_count() or 1,
            "ct2_workers": ct2_workers,
            "repeats": repeats,
        }
        log(f"bench mt [{number}/{len(configurations)}]: {backend}, batch size {batch_size}, {repeats} timing(s)")
        started = time.perf_counter()
        # The worker's messages (its repeats) go straight to this terminal: progress while it runs.
        done = subprocess.run(
            [sys.executable, "-c", "import sys; from pipeline.bench.mt import _worker; sys.exit(_worker())"],
            input=json.dumps(job),
            stdout=subprocess.PIPE,
            text=True,
        )
        if done.returncode != 0:
            raise PipelineError(None, f"bench mt worker for {backend} failed (its messages are above)")
        result = BenchResult(**json.loads(done.stdout.strip().splitlines()[-1]))
        results.append(result)
        log(
            f"bench mt [{number}/{len(configurations)}]: {result.src_tokens_per_s:.1f} source tokens/s "
            f"({spread(result)}), {time.perf_counter() - started:.0f} s with loading"
        )
    return results


def spread(result: BenchResult) -> str:
    """The slowest and fastest of the repeats, in tokens/s."""
    return f"{result.slowest_tokens_per_s:.0f}–{result.fastest_tokens_per_s:.0f}"


def format_table(results: list[BenchResult]) -> str:
    base = next((r.src_tokens_per_s for r in results if r.backend == "transformers"), None)
    base_run = max((r for r in results if r.backend == "transformers"), key=lambda r: r.src_tokens_per_s, default=None)
    lines = [
        f"{'backend':<13} {'batch':>5} {'workers':>7} {'src tok/s':>10} {'spread':>11} {'× tf fp32':>9} "
        f"{'peak RSS MB':>11} {'seconds':>8}"
    ]
    for r in results:
        same_batch = next(
            (b.src_tokens_per_s for b in results if b.backend == "transformers" and b.batch_size == r.batch_size), base
        )
        ratio = f"{r.src_tokens_per_s / same_batch:.2f}" if same_batch else "-"
        lines.append(
            f"{r.backend:<13} {r.batch_size:>5} {r.workers:>7} {r.src_tokens_per_s:>10.1f} {spread(r):>11} "
            f"{ratio:>9} {r.peak_rss_mb:>11.1f} {r.seconds:>8.2f}"
        )
    if base_run:
        best = max(results, key=lambda r: r.src_tokens_per_s)
        lines.append(
            f"fastest: {best.backend} batch {best.batch_size}, "
            f"{best.src_tokens_per_s / base_run.src_tokens_per_s:.2f}× "
            f"the fastest transformers fp32 configuration, at {best.peak_rss_mb / base_run.peak_rss_mb:.0%} "
            f"of its peak memory"
        )
    return "\n".join(lines)


def _worker() -> int:
    job = json.loads(sys.stdin.read())
    print(json.dumps(asdict(measure(job))))
    return 0
