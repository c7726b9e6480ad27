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
