"""``python -m pipeline bench align``: how long comparable alignment takes, and how it grows with size.

1. End to end: 1,000 Arabic × 1,000 English paragraphs (three consecutive FLORES-200 devtest sentences
   each when ``--flores`` is there, else windows of the corpus's sentences), embedded with the default
   encoder and aligned, timed with and without the encoder's one-off load.
2. Scaling: the alignment step alone (scores, margins, anchors, decisions) on n × n paragraphs, dense
   matrices against faiss nearest neighbours. Vectors for n > 1,000 are the real embeddings plus small
   vectors again under a random rotation per block of 1,000 (the same for both sides), texts cycle the
   real ones: each block is a real alignment problem, the blocks are unrelated, only the size is synthetic.
Results are data (:class:`BenchRow`); printing is in the CLI.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from pipeline import config
from pipeline.errors import PipelineError
from pipeline.records import Segment
from pipeline.progress import log


@dataclass
class BenchRow:
    what: str
    n_ar: int
    n_en: int
    path: str  # "dense" or "faiss"
    seconds: float  # median of the repeats
    links: int
    fastest: float = 0.0  # the spread over the repeats, seconds
    slowest: float = 0.0


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


def run_bench(
    flores: Path | None = config.FLORES200_DEVTEST,
    corpus: Path = config.CORPUS,
    sizes=(1000, 2000, 5000, 10000, 20000, 40000),
    dense_max: int = 5000,
    threads: int | None = None,
    repeats: int = 1,
) -> list[BenchRow]:
    """End to end once, then the alignment step at each of ``sizes``, on the dense path up to ``dense_max``
    paragraphs a side and on faiss, each timed ``repeats`` times (the median counts, the spread is kept)."""
    from pipeline.align.comparable import align_comparable
    from pipeline.align.settings import load_settings
    from pipeline.encoders import get_encoder

    if repeats < 1:
        raise PipelineError(None, f"--repeats must be at least 1, not {repeats}")
    settings = load_settings()
    ar_texts, en_texts = bench_texts(flores, corpus, 1000)
    ar_rows, en_rows = _rows(ar_texts, "ar"), _rows(en_texts, "en")
    rows = []
    trials = [(n, path) for n in sizes for path in ("dense", "faiss") if path == "faiss" or n <= dense_max]
    total = len(trials) + 1
    log(f"bench align [1/{total}]: 1000 × 1000 end to end (encoder load, embeddings, alignment)")
    started = time.perf_counter()
    encoder = get_encoder(settings.encoder, threads)
    encoder.encode(["warm-up"], "en")  # the encoder loads its weights on first use
    loaded = time.perf_counter()
    ar_vecs, en_vecs = encoder.encode(ar_texts, "ar"), encoder.encode(en_texts, "en")
    links, _, _ = align_comparable(ar_rows, en_rows, ar_vecs, en_vecs, settings)
    done = time.perf_counter()
    path = "dense" if 1000 * 1000 <= settings.dense_limit else "faiss"
    rows.append(BenchRow("end to end, encoder load included", 1000, 1000, path, round(done - started, 2), len(links)))
    rows.append(BenchRow("end to end, embeddings + alignment", 1000, 1000, path, round(done - loaded, 2), len(links)))
    log(f"bench align [1/{total}]: {done - loaded:.1f} s ({done - started:.1f} s with the encoder's load)")
    rotations = _rotations(-(-max(sizes) // 1000), ar_vecs.shape[1])
    for number, (n, path) in enumerate(trials, 2):
        a, e = _tiled(ar_vecs, n, rotations), _tiled(en_vecs, n, rotations)
        ar_n = [replace(ar_rows[k % 1000], id=f"ar:{k}") for k in range(n)]
        en_n = [replace(en_rows[k % 1000], id=f"en:{k}") for k in range(n)]
        trial = replace(settings, dense_limit=n * n if path == "dense" else 0)
        log(f"bench align [{number}/{total}]: {n} × {n}, {path}, {repeats} timing(s)")
        timings = []
        for _ in range(repeats):
            mark = time.perf_counter()
            links, _, _ = align_comparable(ar_n, en_n, a, e, trial)
            timings.append(time.perf_counter() - mark)
        row = BenchRow(
            "alignment only",
            n,
            n,
            path,
            round(statistics.median(timings), 2),
            len(links),
            round(min(timings), 2),
            round(max(timings), 2),
        )
        rows.append(row)
        log(f"bench align [{number}/{total}]: {row.seconds:.2f} s ({spread(row)})")
    return rows


def spread(row: BenchRow) -> str:
    """The fastest and slowest of the repeats, seconds ("" for a single timing)."""
    return f"{row.fastest:.2f}–{row.slowest:.2f}" if row.slowest > row.fastest else ""


def format_table(rows: list[BenchRow]) -> str:
    lines = [f"{'what':<36} {'Arabic':>7} {'English':>7} {'path':>6} {'seconds':>8} {'spread':>12} {'links':>7}"]
    lines += [
        f"{r.what:<36} {r.n_ar:>7} {r.n_en:>7} {r.path:>6} {r.seconds:>8.2f} {spread(r):>12} {r.links:>7}" for r in rows
    ]
    return "\n".join(lines)
