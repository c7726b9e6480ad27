"""Calibration: tune the aligner's weights and thresholds on gold sets by maximising F1 (BUCC-style).

Steps: load each gold set (its texts through the real ingest) → embed once → grid-search the weights and
thresholds with the aligner's own decision function → write a versioned settings file (refuses to
overwrite without ``force``). Thresholds are tuned on ``*-tune`` sets and checked on others by ``make eval``.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np

from pipeline.align.comparable import decide_pairs, pair_anchors, pair_scores
from pipeline.align.pairs import matrix_pairs
from pipeline.align.scoring import cosine_matrix
from pipeline.align.settings import AlignSettings
from pipeline.ingest.documents import read_document
from pipeline.encoders import get_encoder
from pipeline.config import ENCODER
from pipeline.errors import PipelineError
from pipeline.evaluation.metrics import prf, read_gold
from pipeline.fileio import atomic_write_text
from pipeline.ingest.stage import ingest_documents
from pipeline.mt.precomputed import load_translations
from pipeline.progress import log

MARGIN_WEIGHTS = (0.0, 0.25, 0.5, 1.0)
# Anchor weights above 0.06 let shared years and round numbers make false `equivalent` links on corpora
# about one topic (the IHEC corpus) while gaining nothing measurable on the tune sets.
ANCHOR_WEIGHTS = (0.0, 0.03, 0.06)
MT_WEIGHTS = (0.25, 0.5, 0.75, 1.0)
THRESHOLDS = np.round(np.arange(0.30, 1.40, 0.01), 2)


def load_gold_set(gold_path: Path, encoder) -> dict:
    gold_path = Path(gold_path)
    stem = gold_path.name.removesuffix(".gold.tsv")
    docs = [read_document(gold_path.with_name(f"{stem}.{lang}.txt"), lang, f"{stem}-{lang}") for lang in ("ar", "en")]
    segments = ingest_documents(docs).segments
    ar = [s for s in segments if s.lang == "ar"]
    en = [s for s in segments if s.lang == "en"]
    en_vecs = encoder.encode([s.text for s in en], "en")
    cos = cosine_matrix(encoder.encode([s.text for s in ar], "ar"), en_vecs)
    gold = read_gold(gold_path)
    data = {
        "name": stem,
        "ar": ar,
        "en": en,
        "cos": cos,
        "gold": {
            label: {(g["ar_id"], g["en_id"]) for g in gold if g["label"] == label}
            for label in ("equivalent", "related")
        },
    }
    mt_path = gold_path.with_name(f"{stem}.mt.tsv")
    if mt_path.is_file():
        # Real MT of the Arabic units (build-gold writes it for FLORES): calibrates mt_weight.
        translations = load_translations(mt_path, [s.id for s in ar])
        mt = encoder.encode([translations.get(s.id) or s.text for s in ar], "en")
        data["mt_cos"] = cosine_matrix(mt, en_vecs)
    return data


def predicted(data: dict, settings: AlignSettings, use_mt: bool = False) -> dict[str, set]:
    """Predicted (ar id, en id) pairs per label on gold set ``data`` (anchors from data["anchors"])."""
    strength, count = data["anchors"]
    mt_cos = data.get("mt_cos") if use_mt else None
    key = ("pairs", settings.margin_k, mt_cos is not None)
    if key not in data:  # margins depend on neither the weights nor the thresholds the grid varies
        data[key] = matrix_pairs(data["cos"], settings.margin_k, mt_cos)
    pairs = data[key]
    out: dict[str, set] = {"equivalent": set(), "related": set()}
    n_ar, n_en = data["cos"].shape
    for i, j, _, label in decide_pairs(
        pairs.i, pairs.j, pair_scores(pairs, settings), strength, count, n_ar, n_en, settings
    ):
        out[label].add((data["ar"][i].id, data["en"][j].id))
    return out


def calibrate(
    gold_paths: list[Path],
    write: Path | None = None,
    encoder: str = ENCODER,
    force: bool = False,
    fixed: dict | None = None,
) -> dict:
    """Tune on ``gold_paths``; returns the settings (with the measurements) and writes them to ``write``.
    ``fixed`` pins any of margin_weight, anchor_weight, equivalent_threshold to one value (the rest and
    the related threshold are still tuned). Raises PipelineError when ``write`` exists and not ``force``."""
    fixed = fixed or {}
    if write and Path(write).exists() and not force:
        raise PipelineError(write, "settings file exists (use --force to overwrite)")
    enc = get_encoder(encoder)
    sets = [load_gold_set(p, enc) for p in gold_paths]
    for data in sets:
        i, j = np.indices(data["cos"].shape)
        data["anchors"] = pair_anchors(data["ar"], data["en"], i.ravel(), j.ravel(), data["cos"].ravel() >= 0.2)[:2]
    base_settings = AlignSettings(encoder=encoder, related_threshold=99.0, related_min_anchors=0)
    trials = []
    for margin_weight in [fixed["margin_weight"]] if "margin_weight" in fixed else MARGIN_WEIGHTS:
        for anchor_weight in [fixed["anchor_weight"]] if "anchor_weight" in fixed else ANCHOR_WEIGHTS:
            for threshold in [fixed["equivalent_threshold"]] if "equivalent_threshold" in fixed else THRESHOLDS:
                settings = replace(
                    base_settings,
                    margin_weight=margin_weight,
                    anchor_weight=anchor_weight,
                    equivalent_threshold=float(threshold),
                )
                f1s = [prf(predicted(d, settings)["equivalent"], d["gold"]["equivalent"])["f1"] for d in sets]
                trials.append((float(np.mean(f1s)), settings))
    best = max(trials, key=lambda t: t[0])  # the first of equal F1s: smaller weights, lower threshold
    settings = best[1]
    log(
        f"calibrate: equivalent F1 {best[0]:.4f} with margin_weight={settings.margin_weight}, "
        f"anchor_weight={settings.anchor_weight}, equivalent_threshold={settings.equivalent_threshold}"
    )
    # The related threshold: the one below the equivalent threshold that maximises the mean related F1 on
    # the sets that have related gold links (equivalent decisions stay as tuned above).
    related_sets = [d for d in sets if d["gold"]["related"]]
    best_related = (-1.0, settings.equivalent_threshold)
    for threshold in THRESHOLDS[THRESHOLDS < settings.equivalent_threshold]:
        trial = replace(settings, related_threshold=float(threshold))
        f1s = [prf(predicted(d, trial)["related"], d["gold"]["related"])["f1"] for d in related_sets]
        if f1s and np.mean(f1s) > best_related[0] + 1e-9:
            best_related = (float(np.mean(f1s)), float(threshold))
    # mt_weight: with the weights and thresholds above, the share of the score taken from the translation's
    # English-side similarity that maximises equivalent F1 on the sets that have real MT.
    mt_sets = [d for d in sets if "mt_cos" in d]
    if mt_sets:
        scored = []
        for mt_weight in MT_WEIGHTS:
            trial = replace(settings, mt_weight=mt_weight)
            f1s = [prf(predicted(d, trial, use_mt=True)["equivalent"], d["gold"]["equivalent"])["f1"] for d in mt_sets]
            scored.append((float(np.mean(f1s)), -mt_weight, mt_weight))
        best_mt = max(scored)
        log(f"calibrate: with MT, equivalent F1 {best_mt[0]:.4f} at mt_weight={best_mt[2]}")
        settings = replace(settings, mt_weight=best_mt[2])
    settings = replace(
        settings,
        related_threshold=best_related[1],
        calibrated_on=", ".join(d["name"] for d in sets)
        + (f" (fixed: {', '.join(f'{k}={v}' for k, v in sorted(fixed.items()))})" if fixed else ""),
    )
    measurements = {
        d["name"]: {label: prf(pred, d["gold"][label]) for label, pred in predicted(d, settings).items()} for d in sets
    }
    measurements |= {
        f"{d['name']} + MT": {
            label: prf(pred, d["gold"][label]) for label, pred in predicted(d, settings, use_mt=True).items()
        }
        for d in sets
        if "mt_cos" in d
    }
    out = {**settings.to_json(), "measurements": measurements}
    if write:
        atomic_write_text(Path(write), json.dumps(out, ensure_ascii=False, indent=2) + "\n")
    return out
