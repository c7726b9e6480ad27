"""``python -m pipeline bench sentences``: how long sentence alignment takes, embeddings aside, and how
it grows with document length.

The vectors are real: FLORES-200 devtest's 1,012 sentences per side (and each pair of neighbours joined)
embedded once with the default encoder (timed apart). A document of n sentences is those vectors block
after block, each block of 1,012 under its own random rotation, the same for both sides (as
``bench-align`` tiles paragraphs): each block is a real alignment problem, only the length is synthetic.
Every English 20th sentence is dropped so that the path is not the diagonal. Results are data.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pipeline.errors import PipelineError
from pipeline.progress import log

SIZES = (1000, 2000, 5000, 10000, 20000)


@dataclass
class SentenceBenchRow:
    what: str
    n_ar: int
    n_en: int
    seconds: float  # wall clock
    cpu_seconds: (
        float  # CPU time of this process (all its threads): what other processes on a busy machine do not inflate
    )
    beads: int
    right: float  # share of the Arabic sentences paired with their own translation


def _rotations(blocks: int, dim: int, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [np.linalg.qr(rng.normal(size=(dim, dim)))[0].astype(np.float32) for _ in range(blocks)]


def _tile(vectors: np.ndarray, n: int, rotations: list[np.ndarray]) -> np.ndarray:
    size = len(vectors)
    return np.concatenate([vectors @ rotations[b] for b in range(-(-n // size))])[:n]


def run_bench(
    flores: Path = Path("../shared/data/flores200_devtest"), sizes=SIZES, threads: int | None = None
) -> list[SentenceBenchRow]:
    from pipeline.align.sentence_align import Side, align_sides, pair_texts
    from pipeline.align.sentence_stage import load_sentence_settings
    from pipeline.encoders import get_encoder

    path_ar, path_en = Path(flores) / "arb_Arab.devtest", Path(flores) / "eng_Latn.devtest"
    if not path_ar.is_file() or not path_en.is_file():
        raise PipelineError(flores, "no FLORES-200 devtest here (bench sentences needs ../shared/data)")
    ar = path_ar.read_text(encoding="utf-8").splitlines()
    en = path_en.read_text(encoding="utf-8").splitlines()
    settings = load_sentence_settings()
    encoder = get_encoder("usem3", threads)
    encoder.encode(["warm-up"], "en")
    mark, cpu = time.perf_counter(), time.process_time()
    vecs = {
        lang: (encoder.encode(texts, lang), encoder.encode(pair_texts(texts), lang))
        for lang, texts in (("ar", ar), ("en", en))
    }
    rows = [
        SentenceBenchRow(
            "embedding sentences and pairs (not in the times below)",
            len(ar),
            len(en),
            round(time.perf_counter() - mark, 2),
            round(time.process_time() - cpu, 2),
            0,
            float("nan"),
        )
    ]
    rotations = _rotations(-(-max(sizes) // len(ar)), vecs["ar"][0].shape[1])
    for n in sizes:
        single = {lang: _tile(v[0], n, rotations) for lang, v in vecs.items()}
        # Pair vectors follow their block; the last pair of a block joins two blocks (one wrong vector per block).
        pair = {lang: _tile(np.concatenate([v[1], v[1][-1:]]), n, rotations)[: n - 1] for lang, v in vecs.items()}
        keep = np.array([k % 20 != 19 for k in range(n)])
        en_index = np.flatnonzero(keep)
        en_single = single["en"][keep]
        en_pair = np.array([pair["en"][k] if k + 1 < n and keep[k + 1] else single["en"][k] for k in en_index[:-1]])
        # Sentence lengths tile with their sentences, so the length term is part of the time.
        chars = {
            lang: np.array([len(texts[k % len(texts)]) for k in range(n)]) for lang, texts in (("ar", ar), ("en", en))
        }
        log(f"bench sentences: {n} × {len(en_index)}")
        mark, cpu = time.perf_counter(), time.process_time()
        beads = align_sides(
            Side(single["ar"], pair["ar"], chars["ar"]), Side(en_single, en_pair, chars["en"][keep]), settings
        )
        seconds, cpu_seconds = time.perf_counter() - mark, time.process_time() - cpu
        right = sum(1 for b in beads if len(b.src) == 1 and len(b.tgt) == 1 and en_index[b.tgt[0]] == b.src[0]) / n
        rows.append(
            SentenceBenchRow(
                "sentence alignment only",
                n,
                len(en_index),
                round(seconds, 2),
                round(cpu_seconds, 2),
                len(beads),
                round(right, 4),
            )
        )
    return rows


def format_table(rows: list[SentenceBenchRow]) -> str:
    head = f"{'what':<56} {'Arabic':>7} {'English':>7} {'seconds':>8} {'CPU s':>7} {'CPU s/1k':>8} {'beads':>6} "
    head += f"{'right':>6}"
    lines = [head]
    for r in rows:
        per = f"{r.cpu_seconds / r.n_ar * 1000:.3f}" if r.beads else ""
        right = f"{r.right:.4f}" if r.beads else ""
        lines.append(
            f"{r.what:<56} {r.n_ar:>7} {r.n_en:>7} {r.seconds:>8.2f} {r.cpu_seconds:>7.2f} {per:>8} {r.beads:>6} "
            f"{right:>6}"
        )
    return "\n".join(lines)
