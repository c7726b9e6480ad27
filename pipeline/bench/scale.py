"""How the stages grow with input size: inputs of many distinct paragraphs, ingest timed alone, the whole
path (ingest → embed → align → export) timed through :func:`pipeline.run.run_pipeline`, and log-log slopes.

Distinct paragraphs are drawn word by word from real text (FLORES-200 devtest, or the corpus when it is
absent) with the words' real frequencies, 30–50 words each, a full stop every 8–20 words. Real news
paragraphs rarely repeat sentences; tiling whole sentences would make every paragraph share long
stretches with hundreds of others, which is not what an archive of distinct paragraphs looks like.
"""

from __future__ import annotations

import math
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pipeline.errors import PipelineError
from pipeline.progress import log


@dataclass
class StageTiming:
    what: str  # "ingest" or "whole path"
    paragraphs: int  # per side
    seconds: float
    kept: int  # paragraphs kept by ingest (both sides for the whole path)
    links: int | None = None
    stages: dict | None = None  # the run's own timings per stage (whole path)


def source_lines(flores: Path | None, corpus: Path) -> tuple[list[str], list[str]]:
    if flores and (flores / "arb_Arab.devtest").is_file():
        return (
            flores.joinpath("arb_Arab.devtest").read_text(encoding="utf-8").splitlines(),
            flores.joinpath("eng_Latn.devtest").read_text(encoding="utf-8").splitlines(),
        )
    from pipeline.ingest.corpus import corpus_lines

    ar, en = corpus_lines(corpus)
    if not ar or not en:
        raise PipelineError(flores or corpus, "no text to benchmark with")
    return ar, en


def distinct_paragraphs(lines: list[str], count: int, seed: int = 0) -> list[str]:
    """``count`` paragraphs of words sampled from ``lines`` (with their frequencies)."""
    words = np.array([w.strip(".,;:!?؟،؛\"'()") for line in lines for w in line.split()], dtype=object)
    words = words[[bool(w) for w in words]]
    rng = np.random.default_rng(seed)
    lengths = rng.integers(30, 51, size=count)
    drawn = words[rng.integers(0, len(words), size=int(lengths.sum()))]
    stops = rng.integers(8, 21, size=int(lengths.sum()))
    paragraphs, at = [], 0
    for length in lengths.tolist():
        chunk = drawn[at : at + length]
        parts, since = [], 0
        for k, word in enumerate(chunk.tolist()):
            since += 1
            end = k == length - 1 or since >= stops[at + k]
            parts.append(word + ("." if end else ""))
            since = 0 if end else since
        paragraphs.append(" ".join(parts))
        at += length
    return paragraphs


def write_inputs(folder: Path, ar: list[str], en: list[str]) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    ar_path, en_path = folder / "ar.txt", folder / "en.txt"
    ar_path.write_text("\n\n".join(ar) + "\n", encoding="utf-8")
    en_path.write_text("\n\n".join(en) + "\n", encoding="utf-8")
    return ar_path, en_path


def time_ingest(ar_lines: list[str], sizes) -> list[StageTiming]:
    """Ingest alone of n distinct Arabic paragraphs (one document), for each n."""
    from pipeline.ingest.documents import Document
    from pipeline.ingest.stage import ingest_documents

    rows = []
    for n in sizes:
        text = "\n\n".join(distinct_paragraphs(ar_lines, n, seed=n)) + "\n"
        doc = Document(id="ar", lang="ar", path="ar.txt", text=text, sha256="", meta={})
        log(f"bench: ingest of {n} paragraphs")
        mark = time.perf_counter()
        result = ingest_documents([doc])
        rows.append(StageTiming("ingest", n, round(time.perf_counter() - mark, 2), len(result.segments)))
    return rows


@dataclass
class IngestBySize:
    """The load and ingest stages of ``run`` (read and check the file, identify its language, ingest it) on
    one input of ``megabytes``."""

    megabytes: float
    paragraphs: int
    load_seconds: float
    ingest_seconds: float
    kept: int
    peak_rss_mb: float

    @property
    def seconds(self) -> float:
        return round(self.load_seconds + self.ingest_seconds, 2)


def paragraphs_of_size(lines: list[str], megabytes: float, seed: int) -> list[str]:
    """Distinct paragraphs (:func:`distinct_paragraphs`) adding up to ``megabytes`` of UTF-8 text."""
    target = int(megabytes * 1024 * 1024)
    sample = distinct_paragraphs(lines, 200, seed=seed)
    per_paragraph = sum(len(p.encode()) + 2 for p in sample) / len(sample)
    paragraphs = distinct_paragraphs(lines, int(target / per_paragraph), seed=seed)
    while paragraphs and sum(len(p.encode()) + 2 for p in paragraphs) > target:
        paragraphs.pop()
    return paragraphs


def time_ingest_by_size(lines: list[str], lang: str, megabytes: float, work: Path) -> IngestBySize:
    """One input of ``megabytes`` through the stages before embedding, as ``run`` takes them (in this
    process: call it in a fresh one for a clean peak memory)."""
    from pipeline.bench.memory import peak_rss_mb, reset_peak_rss
    from pipeline.ingest.documents import read_document
    from pipeline.run import check_languages, ingest_stage

    paragraphs = paragraphs_of_size(lines, megabytes, seed=int(megabytes * 10))
    path = work / f"{lang}-{megabytes}MB.txt"
    path.write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    del paragraphs
    reset_peak_rss()
    mark = time.perf_counter()
    doc = read_document(path, lang)
    check_languages([doc])
    loaded = time.perf_counter()
    segments, _ = ingest_stage([doc])
    done = time.perf_counter()
    size = path.stat().st_size / 1024 / 1024
    return IngestBySize(
        round(size, 1),
        len(doc.text.split("\n\n")),
        round(loaded - mark, 2),
        round(done - loaded, 2),
        len(segments),
        peak_rss_mb(),
    )


def time_whole_path(
    ar_lines: list[str], en_lines: list[str], sizes, threads: int | None = None, work: Path | None = None
) -> list[StageTiming]:
    """``python -m pipeline run`` (no MT) on n distinct Arabic and n distinct English paragraphs."""
    from pipeline.run import RunConfig, run_pipeline

    rows = []
    with tempfile.TemporaryDirectory(dir=work) as tmp:
        for n in sizes:
            folder = Path(tmp) / str(n)
            ar_path, en_path = write_inputs(
                folder, distinct_paragraphs(ar_lines, n, seed=n), distinct_paragraphs(en_lines, n, seed=n + 1)
            )
            log(f"bench: whole path, {n} × {n} paragraphs")
            mark = time.perf_counter()
            result = run_pipeline(
                RunConfig(ar=[ar_path], en=[en_path], out=folder / "out", mt_model="none", threads=threads, cache=None)
            )
            seconds = round(time.perf_counter() - mark, 2)
            rows.append(
                StageTiming(
                    "whole path", n, seconds, len(result.segments), len(result.links), result.manifest["timings"]
                )
            )
    return rows


def loglog_slope(sizes, seconds) -> float | None:
    """The exponent b of seconds ≈ a·size^b fitted by least squares on logs (None with fewer than two sizes)."""
    points = [(math.log(n), math.log(s)) for n, s in zip(sizes, seconds, strict=True) if s and s > 0]
    if len(points) < 2:
        return None
    x, y = np.array(points).T
    return round(float(np.polyfit(x, y, 1)[0]), 2)


def run_ingest_bench(flores: Path | None, corpus: Path, megabytes, lang: str = "ar") -> list[IngestBySize]:
    """:func:`time_ingest_by_size` for each size, each in a fresh process (its own peak memory)."""
    import json
    import subprocess
    import sys

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in megabytes:
            log(f"bench: load and ingest of {size} MB of {lang} text")
            script = (
                "import json, sys\nfrom dataclasses import asdict\nfrom pathlib import Path\n"
                "from pipeline.bench.scale import source_lines, time_ingest_by_size\n"
                "flores = Path(sys.argv[1]) if sys.argv[1] else None\n"
                "ar, en = source_lines(flores, Path(sys.argv[2]))\n"
                "row = time_ingest_by_size(ar if sys.argv[3] == 'ar' else en, sys.argv[3], float(sys.argv[4]), "
                "Path(sys.argv[5]))\nprint(json.dumps(asdict(row)))\n"
            )
            done = subprocess.run(
                [sys.executable, "-c", script, str(flores or ""), str(corpus), lang, str(size), tmp],
                capture_output=True,
                text=True,
                env={**__import__("os").environ, "PIPELINE_VERBOSITY": "0"},
            )
            if done.returncode != 0:
                raise PipelineError(None, f"bench ingest of {size} MB failed: {done.stderr.strip()[-300:]}")
            rows.append(IngestBySize(**json.loads(done.stdout.splitlines()[-1])))
    return rows


def format_ingest_table(rows: list[IngestBySize]) -> str:
    lines = [
        "| input MB | paragraphs | load s | ingest s | total s | MB/s | peak RSS MB |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.megabytes} | {r.paragraphs:,} | {r.load_seconds} | {r.ingest_seconds} | {r.seconds} | "
            f"{r.megabytes / r.seconds:.2f} | {r.peak_rss_mb} |"
        )
    slope = loglog_slope([r.megabytes for r in rows], [r.seconds for r in rows])
    if slope is not None:
        lines.append(f"log-log slope of total seconds against input size: {slope}")
    return "\n".join(lines)
