"""``python -m pipeline bench align``: how long comparable alignment takes, and how it grows with size.

1. The whole path: 1,000 Arabic × 1,000 English paragraphs (three consecutive FLORES-200 devtest
   sentences each when ``--flores`` is there, else windows of the corpus's sentences) written as two
   files and run through ``run_pipeline`` without MT: ingest → embed (encoder load included) → align →
   export, with the run's own time per stage.
2. Ingest alone on 1,000 / 2,000 / 4,000 distinct paragraphs (``pipeline.bench.scale``).
3. Scaling: the alignment step alone (scores, margins, anchors, decisions) on n × n paragraphs, exact
   nearest neighbours against the inverted file (``pipeline.align.ann``). Vectors for n > 1,000 are the
   real embeddings again under a random rotation per block of 1,000 (the same for both sides), texts
   cycle the real ones: each block is a real alignment problem, the blocks are unrelated, only the size
   is synthetic.
Results are data (:class:`BenchRow`); printing is in the CLI.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from pipeline import config
from pipeline.bench.memory import peak_rss_mb, reset_peak_rss
from pipeline.errors import PipelineError
from pipeline.progress import log
from pipeline.records import Segment


@dataclass
class BenchRow:
    what: str
    n_ar: int
    n_en: int
    path: str  # "run", "index" (ingest), "dense", "exact" (faiss flat) or "ivf" (faiss inverted file)
    seconds: float
    links: int
    distances: int | None = None  # inner products computed (the faiss paths count theirs)
    nprobe: int | None = None  # lists searched per query (ivf)
    recall: float | None = None  # k-recall@k against exact search, on held-out queries (ivf)
    links_kept: float | None = None  # share of the exact path's links found with the same label (ivf)
    peak_rss_mb: float | None = None  # the process's peak resident memory during this row's alignment (align rows)


def bench_texts(flores: Path | None, corpus: Path, count: int) -> tuple[list[str], list[str]]:
    """``count`` Arabic and English paragraphs of three consecutive sentences; the English in another order."""
    if flores and (flores / "arb_Arab.devtest").is_file():
        ar = flores.joinpath("arb_Arab.devtest").read_text(encoding="utf-8").splitlines()
        en = flores.joinpath("eng_Latn.devtest").read_text(encoding="utf-8").splitlines()
    else:
        from pipeline.ingest.corpus import corpus_lines

        ar, en = corpus_lines(corpus)
    if not ar or not en:
        raise PipelineError(flores or corpus, "no text to benchmark with")

    # 1,012 FLORES sentences make 1,000 windows only by overlapping: neighbouring windows share sentences,
    # which gives each paragraph a few related links besides its equivalent.
    def windows(lines: list[str]) -> list[str]:
        return [" ".join(lines[(k + d) % len(lines)] for d in range(3)) for k in range(count)]

    order = np.random.default_rng(0).permutation(count)
    return windows(ar), [windows(en)[k] for k in order]


def _rows(texts: list[str], lang: str) -> list[Segment]:
    return [Segment.bare(f"{lang}:{k}", lang, lang, t) for k, t in enumerate(texts)]


def _rotations(blocks: int, dim: int, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [np.linalg.qr(rng.normal(size=(dim, dim)))[0].astype(np.float32) for _ in range(blocks)]


def _tiled(vectors: np.ndarray, n: int, rotations: list[np.ndarray]) -> np.ndarray:
    """n vectors: the real ones, block after block, each block under its own random rotation. Within a
    block the geometry (and so every true pair) is the real one; across blocks vectors are unrelated."""
    size = len(vectors)
    return np.concatenate([vectors @ rotations[b] for b in range(-(-n // size))])[:n]


def _rows_n(rows: list[Segment], n: int, lang: str) -> list[Segment]:
    return [replace(rows[k % len(rows)], id=f"{lang}:{k}") for k in range(n)]


def whole_path(ar_texts: list[str], en_texts: list[str], threads: int | None) -> BenchRow:
    """``python -m pipeline run`` (no MT) on the 1,000 × 1,000 paragraphs written as two files:
    ingest → embed (encoder load included) → align → export."""
    import tempfile

    from pipeline.bench.scale import write_inputs
    from pipeline.run import RunConfig, run_pipeline

    with tempfile.TemporaryDirectory() as tmp:
        ar_path, en_path = write_inputs(Path(tmp), ar_texts, en_texts)
        log(f"bench align: whole path, {len(ar_texts)} × {len(en_texts)}")
        mark = time.perf_counter()
        result = run_pipeline(
            RunConfig(ar=[ar_path], en=[en_path], out=Path(tmp) / "out", mt_model="none", threads=threads, cache=None)
        )
        seconds = time.perf_counter() - mark
    stages = " ".join(f"{k} {v:.2f}" for k, v in result.manifest["timings"].items() if isinstance(v, float))
    return BenchRow(f"whole path ({stages})", len(ar_texts), len(en_texts), "run", round(seconds, 2), len(result.links))


def align_scaling(
    ar_rows: list[Segment],
    en_rows: list[Segment],
    ar_vecs: np.ndarray,
    en_vecs: np.ndarray,
    settings,
    sizes,
    exact_max: int,
    dense_max: int = 0,
) -> list[BenchRow]:
    """The alignment step alone on n × n tiled paragraphs: exact nearest neighbours up to ``exact_max``
    (and dense matrices up to ``dense_max``), the inverted file at every size. For the inverted file:
    inner products computed, nprobe chosen, k-recall@k on 1,000 queries it was not tuned on, and the
    share of the exact path's links it keeps with the same label. Every row has its peak resident memory
    (the tiled vectors and rows of its size included), from a reset before it where the system allows
    (Linux), else the process's peak so far."""
    from pipeline.align import ann
    from pipeline.align.comparable import align_comparable

    rows = []
    rotations = _rotations(-(-max(sizes) // len(ar_vecs)), ar_vecs.shape[1])
    depth = max(settings.knn_candidates, settings.margin_k)
    for n in sizes:
        a, e = _tiled(ar_vecs, n, rotations), _tiled(en_vecs, n, rotations)
        ar_n, en_n = _rows_n(ar_rows, n, "ar"), _rows_n(en_rows, n, "en")
        exact_links = None
        paths = (["dense"] if n <= dense_max else []) + (["exact"] if n <= exact_max else []) + ["ivf"]
        for path in paths:
            trial = replace(
                settings, dense_limit=n * n if path == "dense" else 0, ivf_min=0 if path == "ivf" else n + 1
            )
            log(f"bench align: {n} × {n}, {path}")
            ann.STATS.reset()
            reset_peak_rss()
            mark = time.perf_counter()
            links, _, _ = align_comparable(ar_n, en_n, a, e, trial)
            seconds = round(time.perf_counter() - mark, 2)
            peak = peak_rss_mb()
            row = BenchRow(
                "alignment only",
                n,
                n,
                path,
                seconds,
                len(links),
                distances=ann.STATS.distances if path != "dense" else n * n,
                peak_rss_mb=peak,
            )
            decided = {(l.ar_id, l.en_id, l.label) for l in links}
            if path == "exact":
                exact_links = decided
            if path == "ivf":
                row.nprobe = max(ann.STATS.nprobe)
                row.recall = _held_out_recall(a, e, trial, depth)
                if exact_links is not None:
                    row.links_kept = round(len(decided & exact_links) / max(1, len(exact_links)), 4)
            rows.append(row)
    return rows


def _held_out_recall(a: np.ndarray, e: np.ndarray, settings, depth: int) -> float:
    """k-recall@k of the English index (built as the aligner builds it) for 1,000 Arabic queries drawn
    with another seed than the ones nprobe was chosen on."""
    from pipeline.align.ann import NeighbourIndex, k_recall

    index = NeighbourIndex(e, 0, settings.ivf_recall, depth, queries=a)
    queries = a[np.sort(np.random.default_rng(1).choice(len(a), size=min(len(a), 1000), replace=False))]
    _, found = index.search(queries, depth, "bench: recall sample")
    _, truth = NeighbourIndex(e, len(e) + 1, 1.0, depth).search(queries, depth, "bench: exact sample")
    return round(k_recall(found, truth), 4)


def run_bench(
    flores: Path | None = config.FLORES200_DEVTEST,
    corpus: Path = config.CORPUS,
    sizes=(10000, 20000, 40000),
    exact_max: int = 40000,
    dense_max: int = 0,
    ingest_sizes=(1000, 2000, 4000),
    threads: int | None = None,
    parts=("whole", "ingest", "align"),
) -> tuple[list[BenchRow], dict]:
    """Rows, and the fitted log-log slopes (``ingest``, ``ivf``, ``exact``), of the ``parts`` asked for."""
    from pipeline.align.settings import load_settings
    from pipeline.bench.scale import loglog_slope, source_lines, time_ingest
    from pipeline.encoders import get_encoder

    settings = load_settings()
    ar_texts, en_texts = bench_texts(flores, corpus, 1000)
    rows = [whole_path(ar_texts, en_texts, threads)] if "whole" in parts else []
    if "ingest" in parts:
        ar_lines, _ = source_lines(flores, corpus)
        for timing in time_ingest(ar_lines, ingest_sizes):
            rows.append(BenchRow("ingest only (distinct paragraphs)", timing.paragraphs, 0, "index", timing.seconds, 0))
    if "align" in parts:
        encoder = get_encoder(settings.encoder, threads)
        ar_vecs, en_vecs = encoder.encode(ar_texts, "ar"), encoder.encode(en_texts, "en")
        rows += align_scaling(
            _rows(ar_texts, "ar"), _rows(en_texts, "en"), ar_vecs, en_vecs, settings, sizes, exact_max, dense_max
        )
    slopes = {}
    for label, what, path in (
        ("ingest", "ingest only (distinct paragraphs)", "index"),
        ("exact", "alignment only", "exact"),
        ("ivf", "alignment only", "ivf"),
    ):
        picked = [r for r in rows if r.what == what and r.path == path]
        slopes[label] = loglog_slope([r.n_ar for r in picked], [r.seconds for r in picked])
    return rows, slopes


def format_table(rows: list[BenchRow], slopes: dict | None = None) -> str:
    lines = [
        (
            f"{'what':<36} {'Arabic':>7} {'English':>7} {'path':>6} {'seconds':>8} {'links':>7} "
            f"{'distances':>15} {'nprobe':>6} {'recall':>6} {'kept':>6} {'peak MB':>8}"
        )
    ]

    def blank(value, fmt: str) -> str:
        return format(value, fmt) if value is not None else ""

    for r in rows:
        lines.append(
            f"{r.what[:36]:<36} {r.n_ar:>7} {r.n_en:>7} {r.path:>6} {r.seconds:>8.2f} {r.links:>7} "
            f"{blank(r.distances, ',d'):>15} {blank(r.nprobe, 'd'):>6} {blank(r.recall, '.4f'):>6} "
            f"{blank(r.links_kept, '.4f'):>6} {blank(r.peak_rss_mb, '.0f'):>8}"
        )
        if len(r.what) > 36:
            lines.append(f"  {r.what}")
    if slopes:
        lines.append("log-log slopes (seconds ~ size^slope): " + ", ".join(f"{k} {v}" for k, v in slopes.items()))
    return "\n".join(lines)
