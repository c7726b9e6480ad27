"""Calibration of the theme layer: the only place its weights, match floor and models come from.

Steps: load each tune theme run (its texts through the real ingest, the paragraphs embedded once, the
real MT of its Arabic side from ``NAME.mt.tsv``) → for each point of a small grid of the key-term settings
(phrase-match floor, rarity and specificity powers) the theme features of every pair, and a logistic
model's out-of-fold average precision (folds by run, so a run never scores a model fitted on itself) →
at the best point, per variant (with/without the dictionary, with/without MT), a logistic model on every
pair of every tune run (target: the pair is a ``theme`` gold link), with the range of each feature it saw;
its probability threshold and links-per-paragraph cap: the best pooled F1 among the choices whose pooled
precision reaches :data:`PRECISION_TARGET` (a reader must be able to trust a theme link) → write
``pipeline/themes/calibrated.json`` (refuses to overwrite without ``force``). Tune runs only; ``eval
themes`` reports the test runs.
"""

from __future__ import annotations

import csv
import itertools
import json
from dataclasses import replace
from pathlib import Path

import numpy as np

from pipeline.align.lexicon import load_glossary
from pipeline.align.model import LinkModel, fit_logistic, fitted_link_model, keep_links
from pipeline.encoders import get_encoder
from pipeline.errors import PipelineError
from pipeline.evaluation.gold import gold_texts
from pipeline.fileio import atomic_write_text
from pipeline.ingest.documents import read_document
from pipeline.ingest.stage import ingest_documents
from pipeline.mt.precomputed import load_translations
from pipeline.progress import log
from pipeline.themes.features import FEATURES
from pipeline.themes.passages import FEATURES as PASSAGE_FEATURES
from pipeline.themes.link import embed_rows, inputs_for, theme_features, theme_vocabulary
from pipeline.themes.settings import ThemeSettings, theme_variant

TERM_FLOORS = (0.5, 0.55, 0.6, 0.65, 0.7)
TERM_RANKS = (1, 3, 10)
RARITY_POWERS = (1.0, 2.0, 4.0)
SPECIFICITY_POWERS = (0.0, 0.5, 1.0)
PROBABILITY_THRESHOLDS = np.round(np.arange(0.05, 0.96, 0.01), 2)
LINK_CAPS = (1, 2, 3, 5, 8)
# The precision a reader is promised (pooled over the tune runs): 0.75 without MT, 0.8 with it, the
# levels the theme links were asked to reach (issue 22); fixed before calibrating.
PRECISION_TARGET = {"mt": 0.8, "no mt": 0.75}
FOLDS = 4


def variant_features(variant: str) -> tuple[str, ...]:
    """The features a variant's model reads: the dictionary's share of the match mass only with the
    dictionary; the translation's features only with MT."""
    names = [f for f in FEATURES if f != "theme_exact" or "+dictionary" in variant] + list(PASSAGE_FEATURES)
    if variant.endswith("+mt"):
        names += [f"mt_{f}" for f in FEATURES + PASSAGE_FEATURES]
    return tuple(names)


def read_theme_gold(path: Path) -> dict[str, set[tuple[str, str]]]:
    """The gold pairs of a theme run by label (``theme``; ``topic`` and ``none`` are labelled negatives)."""
    with Path(path).open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader((line for line in handle if not line.startswith("#")), delimiter="\t")]
    if rows and not {"ar_id", "en_id", "label"} <= set(rows[0]):
        raise PipelineError(path, "a theme gold file needs the columns ar_id, en_id, label")
    out: dict[str, set[tuple[str, str]]] = {}
    for row in rows:
        out.setdefault(row["label"], set()).add((row["ar_id"], row["en_id"]))
    return out


def load_theme_run(gold_path: Path, encoder) -> dict:
    """A theme run: its rows through the real ingest, every pair (row-major), the paragraphs' cosines, the
    MT's (when ``NAME.mt.tsv`` is beside it) and the gold label of each pair."""
    gold_path = Path(gold_path)
    stem = gold_path.name.removesuffix(".gold.tsv")
    files = gold_texts(gold_path)
    docs = [read_document(path, lang) for lang in ("ar", "en") for path in files[lang]]
    segments = ingest_documents(docs).segments
    ar = [s for s in segments if s.lang == "ar"]
    en = [s for s in segments if s.lang == "en"]
    ar_vecs, en_vecs = encoder.encode([s.text for s in ar], "ar"), encoder.encode([s.text for s in en], "en")
    i, j = (x.ravel() for x in np.indices((len(ar), len(en))))
    gold = read_theme_gold(gold_path)
    run = {
        "name": stem,
        "ar": ar,
        "en": en,
        "i": i,
        "j": j,
        "cosine": np.einsum("pd,pd->p", ar_vecs[i], en_vecs[j]),
        "y": np.asarray([(ar[a].id, en[b].id) in gold.get("theme", set()) for a, b in zip(i, j, strict=True)]),
        "n_gold": len(gold.get("theme", set())),
        "mt": None,
        "embedded": (embed_rows(ar, ar_vecs, "ar", encoder), embed_rows(en, en_vecs, "en", encoder), None),
    }
    mt_path = gold_path.with_name(f"{stem}.mt.tsv")
    if mt_path.is_file():
        translations = load_translations(mt_path, [s.id for s in ar])
        run["mt"] = [translations.get(s.id) for s in ar]
        translated = [replace(s, mt_text=t) for s, t in zip(ar, run["mt"], strict=True)]
        mt_vecs = encoder.encode([t or "" for t in run["mt"]], "en")
        run["embedded"] = (*run["embedded"][:2], embed_rows(translated, mt_vecs, "en", encoder, use_mt=True))
    return run


def run_features(run: dict, settings: ThemeSettings, encoder, lexicon, use_mt: bool) -> dict[str, np.ndarray]:
    """Every theme feature of every pair of a run (as the aligner computes them); the run's vocabulary is
    kept in the run, so a grid over the settings builds it once."""
    key = ("vocabulary", lexicon is not None, use_mt)
    if key not in run:
        run[key] = theme_vocabulary(
            [s.text for s in run["ar"]], [s.text for s in run["en"]], run["mt"] if use_mt else None, encoder, lexicon
        )
    inputs = inputs_for(run[key], settings)
    ar, en, mt = run["embedded"]
    return theme_features(inputs, run["i"], run["j"], ar, en, mt if use_mt else None, settings)


def _matrix(features: list[dict[str, np.ndarray]], names: tuple[str, ...]) -> np.ndarray:
    return np.concatenate([np.column_stack([f[n] for n in names]) for f in features])


def average_precision(scores: np.ndarray, labels: np.ndarray) -> float:
    """Area under the precision–recall curve (mean of the precisions at each positive, best first; ties
    broken against the positives, so a constant score earns nothing)."""
    if not labels.any():
        return 0.0
    order = np.lexsort((labels, -scores))
    hits = labels[order].astype(np.float64)
    precision = np.cumsum(hits) / np.arange(1, len(hits) + 1)
    return float((precision * hits).sum() / hits.sum())


def out_of_fold_ap(features: list[dict[str, np.ndarray]], runs: list[dict], names: tuple[str, ...]) -> float:
    """Average precision of logistic models scored on the runs they were not fitted on (runs in
    :data:`FOLDS` folds by position)."""
    scores, labels = [], []
    for fold in range(FOLDS):
        train = [k for k in range(len(runs)) if k % FOLDS != fold]
        test = [k for k in range(len(runs)) if k % FOLDS == fold]
        if not test:
            continue
        y = np.concatenate([runs[k]["y"] for k in train]).astype(np.float64)
        if not y.any():
            continue
        mean, scale, coef, intercept = fit_logistic(_matrix([features[k] for k in train], names), y)
        x = _matrix([features[k] for k in test], names)
        scores.append(((x - mean) / scale) @ coef + intercept)
        labels.append(np.concatenate([runs[k]["y"] for k in test]))
    return average_precision(np.concatenate(scores), np.concatenate(labels)) if scores else 0.0


def fit_theme_model(runs: list[dict], features: list[dict[str, np.ndarray]], variant: str) -> tuple[LinkModel, dict]:
    """The variant's model on every pair of the runs, its threshold and cap the best pooled F1 at pooled
    precision ≥ PRECISION_TARGET (no choice reaches it: the most precise one); the figures it reached."""
    names = variant_features(variant)
    target = PRECISION_TARGET["mt" if variant.endswith("+mt") else "no mt"]
    x = _matrix(features, names)
    y = np.concatenate([r["y"] for r in runs]).astype(np.float64)
    # Thresholds are chosen with the coefficients as stored.
    model = LinkModel.from_json(fitted_link_model(names, x, y, 0.5).to_json())
    probabilities = [model.probability(f) for f in features]
    n_gold = sum(r["n_gold"] for r in runs)
    trials = []
    for threshold, cap in itertools.product(PROBABILITY_THRESHOLDS, LINK_CAPS):
        tp = n_pred = 0
        for run, p in zip(runs, probabilities, strict=True):
            linked = keep_links(run["i"], p, np.ones(len(p), dtype=bool), float(threshold), cap)
            tp += int((linked & run["y"]).sum())
            n_pred += int(linked.sum())
        precision = tp / n_pred if n_pred else 0.0
        recall = tp / n_gold if n_gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        trials.append((precision >= target, round(f1, 6), round(precision, 6), float(threshold), cap))
    best = max(trials, key=lambda t: (t[0], t[1] if t[0] else t[2], t[3], -t[4]))
    reached, f1, precision, threshold, cap = best
    figures = {
        "precision": round(precision, 4),
        "f1": round(f1, 4),
        "precision_target_reached": reached,
        "pairs": int(len(y)),
        "positives": int(y.sum()),
    }
    chosen = replace(model, threshold=threshold, max_links=cap, training={"runs": [r["name"] for r in runs], **figures})
    log(f"calibrate-themes: {variant}: P {precision:.3f} F1 {f1:.3f} at probability ≥ {threshold}, ≤ {cap} a paragraph")
    return chosen, figures


def calibrate_themes(
    gold: list[Path], write: Path | None = None, encoder_name: str = "usem3", force: bool = False
) -> dict:
    """Calibrate on the theme runs ``gold`` (``*.gold.tsv`` files or folders of them); write the settings
    to ``write`` when given. Raises PipelineError when ``write`` exists and ``force`` is not set, or when
    no run has a theme link."""
    if write is not None and Path(write).exists() and not force:
        raise PipelineError(write, "already exists (use --force to overwrite)")
    paths = sorted(p for g in gold for p in (Path(g).glob("*.gold.tsv") if Path(g).is_dir() else [Path(g)]))
    encoder = get_encoder(encoder_name)
    runs = [load_theme_run(p, encoder) for p in paths]
    if not any(r["y"].any() for r in runs):
        raise PipelineError(None, "no theme link in the calibration runs")
    lexicon = load_glossary()
    has_mt = all(r["mt"] is not None for r in runs)
    variant = theme_variant(lexicon is not None, False)
    grid = []
    for floor, rank, rarity_power, specificity_power in itertools.product(
        TERM_FLOORS, TERM_RANKS, RARITY_POWERS, SPECIFICITY_POWERS
    ):
        trial = ThemeSettings(
            term_floor=floor, term_rank=rank, rarity_power=rarity_power, specificity_power=specificity_power
        )
        features = [run_features(r, trial, encoder, lexicon, False) for r in runs]
        ap = round(out_of_fold_ap(features, runs, variant_features(variant)), 6)
        grid.append((ap, -floor, -rank, trial))  # of equal AP, the strictest matching
    ap, _, _, best = max(grid, key=lambda t: t[:3])
    log(
        f"calibrate-themes: term floor {best.term_floor}, mutual rank < {best.term_rank}, rarity^{best.rarity_power}, "
        f"specificity^{best.specificity_power} (out-of-fold AP {ap:.3f})"
    )
    models, measurements = {}, {}
    for with_dictionary, use_mt in itertools.product((False, True), (False, True)):
        if (with_dictionary and lexicon is None) or (use_mt and not has_mt):
            continue
        name = theme_variant(with_dictionary, use_mt)
        features = [run_features(r, best, encoder, lexicon if with_dictionary else None, use_mt) for r in runs]
        model, figures = fit_theme_model(runs, features, name)
        models[name] = model.to_json()
        measurements[name] = figures
    settings = replace(best, calibrated_on=", ".join(r["name"] for r in runs), models=models)
    out = {**settings.to_json(), "measurements": {"out_of_fold_ap": ap, **measurements}}
    if write is not None:
        atomic_write_text(Path(write), json.dumps(out, indent=1, ensure_ascii=False) + "\n")
    return out
