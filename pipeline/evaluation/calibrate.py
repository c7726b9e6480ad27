"""Calibration: the only place the aligner's weights, thresholds and link models come from.

Steps: load each tune gold set (its texts through the real ingest) → embed once →
1. ``equivalent``: grid-search the score's weights and threshold with the aligner's own decision
   (F1 pooled over the sets, so a false `equivalent` link in a purely comparable set counts against);
   of the thresholds within one standard error of the best F1, the highest (an `equivalent` link claims
   a translation, so of equally good choices the one claiming least); this rule decides with MT. Without
   MT the equivalence model decides (``pipeline.align.equivalence``): per variant (with/without the
   dictionary) a logistic regression on the pairs the rule's structure allows (mutual best, or a split),
   target "equivalent", its probability threshold the best pooled F1;
2. the story path's switch penalty (``pipeline.align.segmentation``): the one that puts the most
   gold-linked Arabic paragraphs of the related sets on their gold English document;
3. ``related``: per model variant (with/without the dictionary, with/without MT) fit the logistic link
   model on every candidate pair of the document sets (related or same-topic gold: a corpus-shaped bundle
   without its story's report has negatives only; target: the pair is linked), then
   choose its probability threshold and links-per-paragraph cap: the best pooled related F1 among the
   choices whose precision reaches PRECISION_TARGET on each family of sets (a tune set with its extra
   draws, ``gold.draw_family``, pooled: a reader must be able to trust a link in a purely comparable
   collection too, not only on average with the easier mixed one, and one draw is too noisy to say so);
4. the two baselines' own settings (cosine threshold, mutual top-k), tuned on the same sets;
→ write a versioned settings file with the figures (refuses to overwrite without ``force``). Thresholds
are tuned on ``*-tune`` sets only; ``make eval`` reports them on the ``*-test`` sets.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np

from pipeline.align.anchors import pair_anchors
from pipeline.align.comparable import equivalent_decision, pair_scores
from pipeline.align.equivalence import equivalence_features, equivalent_variant, log_length_ratio
from pipeline.align.equivalence import variant_features as equivalent_features_of
from pipeline.align.features import (
    TIERS,
    doc_best,
    doc_indexes,
    doc_mean,
    link_features,
    pair_cosine,
    required_shape,
    variant,
    variant_features,
)
from pipeline.align.lexicon import dictionary_path, gloss_text, lexical_features, load_lexicon
from pipeline.align.model import LinkModel, RunShape, fitted_link_model, keep_links
from pipeline.align.pairs import matrix_pairs
from pipeline.align.scoring import cosine_matrix, margin_denominator
from pipeline.align.segmentation import calibrate_penalty, story_scores
from pipeline.align.settings import AlignSettings
from pipeline.config import ENCODER
from pipeline.encoders import get_encoder
from pipeline.errors import PipelineError
from pipeline.evaluation.gold import draw_family, gold_texts
from pipeline.evaluation.metrics import prf, read_gold
from pipeline.fileio import atomic_write_text
from pipeline.ingest.documents import read_document
from pipeline.ingest.stage import ingest_documents
from pipeline.mt.precomputed import load_translations
from pipeline.progress import log

MARGIN_WEIGHTS = (0.0, 0.25, 0.5, 1.0)
ANCHOR_WEIGHTS = (0.0, 0.03, 0.06)
MT_WEIGHTS = (0.25, 0.5, 0.75, 1.0)
THRESHOLDS = np.round(np.arange(0.30, 1.40, 0.01), 2)
PROBABILITY_THRESHOLDS = np.round(np.arange(0.05, 0.96, 0.01), 2)
LINK_CAPS = (1, 2, 3, 5)
PRECISION_TARGET = 0.7
NEVER = 1.01  # the threshold of a model that must link nothing (no probability reaches it)
TOP_K = (1, 2, 3, 5)


def load_gold_set(gold_path: Path, encoder) -> dict:
    """A gold set's rows (through the real ingest), cosine matrices (and MT's, when the set has
    ``NAME.mt.tsv``) and gold pairs by label."""
    gold_path = Path(gold_path)
    stem = gold_path.name.removesuffix(".gold.tsv")
    files = gold_texts(gold_path)
    docs = [read_document(path, lang) for lang in ("ar", "en") for path in files[lang]]
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
        "en_vecs": en_vecs,
        "encoder": encoder,
        "gold": {
            label: {(g["ar_id"], g["en_id"]) for g in gold if g["label"] == label}
            for label in ("equivalent", "related", "same-topic")
        },
    }
    mt_path = gold_path.with_name(f"{stem}.mt.tsv")
    if mt_path.is_file():
        translations = load_translations(mt_path, [s.id for s in ar])
        data["mt"] = [translations.get(s.id) or s.text for s in ar]
        data["mt_cos"] = cosine_matrix(encoder.encode(data["mt"], "en"), en_vecs)
    return data


def set_anchors(data: dict) -> None:
    """The anchors strength of every pair of a set (row-major; pairs under cosine 0.2 get none), which the
    equivalent decision reads: computed once per set."""
    if "anchors" not in data:
        i, j = np.indices(data["cos"].shape)
        data["anchors"] = pair_anchors(data["ar"], data["en"], i.ravel(), j.ravel(), data["cos"].ravel() >= 0.2)[0]


def _pairs(data: dict, settings: AlignSettings, use_mt: bool):
    key = ("pairs", settings.margin_k, settings.margin_floor, use_mt)
    if key not in data:  # margins depend on neither the weights nor the thresholds the grid varies
        data[key] = matrix_pairs(
            data["cos"], settings.margin_k, data["mt_cos"] if use_mt else None, settings.margin_floor
        )
    return data[key]


def run_shape_of(data: dict) -> dict:
    """The run shape of a set (``pipeline.align.model.RunShape`` fields)."""
    return {
        "ar_paragraphs": len(data["ar"]),
        "en_paragraphs": len(data["en"]),
        "en_documents": len({r.doc for r in data["en"]}),
    }


def smallest_shape(sets: list[dict]) -> dict:
    """The fewest Arabic paragraphs, English paragraphs and English documents any of ``sets`` has."""
    shapes = [run_shape_of(d) for d in sets]
    return {key: min(s[key] for s in shapes) for key in shapes[0]}


def calibrate_margin_floor(sets: list[dict], margin_k: int) -> float:
    """The smallest ratio-margin denominator (neighbourhood mean) over every pair of ``sets``, with and
    without MT, rounded down to 4 decimals: the margins calibration sees are unchanged, and a run whose
    neighbourhoods are emptier than any of them (a two-line input) divides by this instead of a mean near
    zero or below it."""
    lowest = min(
        float(margin_denominator(d[key], margin_k).min()) for d in sets for key in ("cos", "mt_cos") if key in d
    )
    return float(np.floor(lowest * 1e4) / 1e4)


def calibrate_length_centre(sets: list[dict]) -> float:
    """The median log(Arabic / English characters) of the sets' equivalent gold pairs, the length centre
    of a run too small to take its own (the pair-only equivalence tier)."""
    ratios = []
    for data in sets:
        index = {r.id: k for k, r in enumerate(data["ar"])} | {r.id: k for k, r in enumerate(data["en"])}
        pairs = sorted(data["gold"]["equivalent"])
        i = np.array([index[a] for a, _ in pairs], dtype=np.int64)
        j = np.array([index[e] for _, e in pairs], dtype=np.int64)
        ratios.append(log_length_ratio(data["ar"], data["en"], i, j))
    return round(float(np.median(np.concatenate(ratios))), 4)


def equivalent_mask(data: dict, settings: AlignSettings, use_mt: bool = False, lexicon=None) -> np.ndarray:
    """The aligner's ``equivalent`` decision on every pair of a set (the rule, or without MT the
    settings' equivalence model of the variant with/without ``lexicon``; a set smaller than the model
    needs, such as a corpus-shaped bundle, by its pair-only tier, as the aligner decides it)."""
    pairs = _pairs(data, settings, use_mt)
    score = pair_scores(pairs, settings) + settings.anchor_weight * data["anchors"]
    features = {}
    if lexicon is not None:
        features["lexical"] = set_lexical(data, lexicon)
        if not use_mt and settings.equivalent_models:
            features["gloss_cosine"] = set_gloss_cosine(data, lexicon)
    shape = RunShape(**run_shape_of(data))
    return equivalent_decision(data["ar"], data["en"], pairs, score, settings, features, shape).mask


def set_lexical(data: dict, lexicon) -> np.ndarray:
    """The dictionary feature of every pair of a set (row-major), computed once."""
    if "lexical" not in data:
        pairs = _pairs(data, AlignSettings(), False)
        data["lexical"] = lexical_features(
            [r.text for r in data["ar"]], [r.text for r in data["en"]], pairs.i, pairs.j, lexicon
        )["lexical"]
    return data["lexical"]


def set_gloss_cosine(data: dict, lexicon) -> np.ndarray:
    """Each pair's cosine of the Arabic paragraph's dictionary gloss with the English one (row-major), as
    the aligner computes it without MT; computed once per set."""
    if "gloss_cosine" not in data:
        pairs = _pairs(data, AlignSettings(), False)
        gloss_vecs = data["encoder"].encode([gloss_text(r.text, lexicon) for r in data["ar"]], "en")
        data["gloss_cosine"] = pair_cosine(gloss_vecs, data["en_vecs"], pairs.i, pairs.j)
    return data["gloss_cosine"]


def equivalent_candidates(data: dict, settings: AlignSettings, lexicon, use_mt: bool, pair: bool) -> dict:
    """The eligible pairs of a set with the features of the equivalence variant (with/without the
    dictionary and MT; ``pair``: its pair-only tier) and whether each is an equivalent gold link."""
    pairs = _pairs(data, settings, use_mt)
    score = pair_scores(pairs, settings) + settings.anchor_weight * data["anchors"]
    lexical = set_lexical(data, lexicon) if lexicon is not None else None
    extra = {}
    if pair and lexicon is not None and not use_mt:
        extra["gloss_cosine"] = set_gloss_cosine(data, lexicon)
    if pair and use_mt:
        extra["mt_cosine"] = pairs.mt_cosine
    keep, features = equivalence_features(
        data["ar"],
        data["en"],
        pairs.i,
        pairs.j,
        score,
        pairs.cosine,
        pairs.margin,
        settings.merge_gap,
        lexical,
        settings.length_centre if pair else None,
        extra,
    )
    gold = data["gold"]["equivalent"]
    ids = [(data["ar"][a].id, data["en"][b].id) for a, b in zip(pairs.i[keep], pairs.j[keep], strict=True)]
    return {"features": features, "labels": np.array([p in gold for p in ids], dtype=bool), "n_gold": len(gold)}


def pooled_candidate_scores(cands: list[dict], chosen: list[np.ndarray]) -> dict:
    """P/R/F1 pooled over the sets of the eligible pairs ``chosen`` (a mask per set) against the gold."""
    n_gold = sum(c["n_gold"] for c in cands)
    tp = sum(int(m[c["labels"]].sum()) for c, m in zip(cands, chosen, strict=True))
    n_pred = sum(int(m.sum()) for m in chosen)
    precision, recall = tp / n_pred if n_pred else 0.0, tp / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def pooled_threshold_trials(cands: list[dict], probabilities: list[np.ndarray]) -> list[tuple]:
    """(F1, threshold, P/R/F1) of each probability threshold, pooled over the sets."""
    trials = []
    for threshold in PROBABILITY_THRESHOLDS:
        scores = pooled_candidate_scores(cands, [p >= threshold for p in probabilities])
        trials.append((round(scores["f1"], 6), float(threshold), scores))
    return trials


def fit_equivalent_model(
    sets: list[dict], settings: AlignSettings, lexicon, use_mt: bool = False, pair: bool = False
) -> LinkModel:
    """An equivalence model (``pipeline.align.equivalence``) of the variant with/without ``lexicon`` and
    MT, or its pair-only tier: a logistic regression on the eligible pairs of every tune set (target: the
    pair is an equivalent gold link), its probability threshold the one with the best F1 pooled over the
    sets (a false `equivalent` in a purely comparable set counts against it); of equal F1, the highest.
    With MT and not ``pair`` it is the score rule's probability model (feature ``score``): the rule
    decides, and the model's threshold is its probability at the rule's threshold."""
    name = equivalent_variant(lexicon is not None, use_mt, pair)
    names = equivalent_features_of(name)
    cands = [equivalent_candidates(data, settings, lexicon, use_mt, pair) for data in sets]
    x = np.concatenate([np.column_stack([c["features"][f] for f in names]) for c in cands])
    y = np.concatenate([c["labels"] for c in cands]).astype(np.float64)
    requires = required_shape(names, settings.margin_k, smallest_shape(sets), ":pair" if pair else "")
    model = fitted_link_model(names, x, y, 0.5, requires)
    model = LinkModel.from_json(model.to_json())  # the threshold is chosen with the coefficients as stored
    probabilities = [model.probability(c["features"]) for c in cands]
    training = {"sets": [d["name"] for d in sets], "pairs": int(len(y)), "positives": int(y.sum())}
    if names == ("score",):
        at_rule = model.probability({"score": np.array([settings.equivalent_threshold])})[0]
        threshold = round(float(at_rule), 4)
        rule = pooled_candidate_scores(cands, [c["features"]["score"] >= settings.equivalent_threshold for c in cands])
        training["equivalent_pooled"] = {k: round(v, 4) for k, v in rule.items()}
        log(
            f"calibrate: the score rule's probability model {name}: probability {threshold} at the rule's "
            f"threshold {settings.equivalent_threshold}"
        )
        return replace(model, threshold=threshold, training=training)
    best = max(pooled_threshold_trials(cands, probabilities), key=lambda t: t[:2])
    training["equivalent_pooled"] = {k: round(v, 4) for k, v in best[2].items()}
    log(
        f"calibrate: equivalence model {name}: equivalent P {best[2]['precision']:.4f} R {best[2]['recall']:.4f} "
        f"F1 {best[2]['f1']:.4f} at probability ≥ {best[1]}"
    )
    return replace(model, threshold=best[1], training=training)


def pair_ids(data: dict, mask: np.ndarray) -> set[tuple[str, str]]:
    pairs = _pairs(data, AlignSettings(), False)
    return {(data["ar"][a].id, data["en"][b].id) for a, b in zip(pairs.i[mask], pairs.j[mask], strict=True)}


def pooled(preds: list[set], golds: list[set]) -> dict:
    """P/R/F1 over the sets together (micro average)."""
    tp = sum(len(p & g) for p, g in zip(preds, golds, strict=True))
    n_pred, n_gold = sum(len(p) for p in preds), sum(len(g) for g in golds)
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def family_precisions(found: list[set], gold: list[set], names: list[str]) -> dict[str, float]:
    """Pooled precision of each family of sets (a tune set and its extra draws, ``gold.draw_family``), from
    each set's found and gold pairs. The related precision target holds on every family: a purely
    comparable set must not pay for the mixed one's easy links, and one draw alone is too noisy to say
    whether it holds."""
    families: dict[str, list[int]] = {}
    for k, name in enumerate(names):
        families.setdefault(draw_family(name), []).append(k)
    return {
        family: pooled([found[k] for k in members], [gold[k] for k in members])["precision"]
        for family, members in families.items()
    }


def _labels(data: dict, pairs) -> dict[str, np.ndarray]:
    ids = [(data["ar"][a].id, data["en"][b].id) for a, b in zip(pairs.i.tolist(), pairs.j.tolist(), strict=True)]
    return {label: np.array([p in gold for p in ids]) for label, gold in data["gold"].items()}


def calibrate_equivalent(sets: list[dict], fixed: dict, base: AlignSettings) -> tuple[AlignSettings, float]:
    grid = []
    for margin_weight in [fixed["margin_weight"]] if "margin_weight" in fixed else MARGIN_WEIGHTS:
        for anchor_weight in [fixed["anchor_weight"]] if "anchor_weight" in fixed else ANCHOR_WEIGHTS:
            scores = []
            for threshold in [fixed["equivalent_threshold"]] if "equivalent_threshold" in fixed else THRESHOLDS:
                settings = replace(
                    base,
                    margin_weight=margin_weight,
                    anchor_weight=anchor_weight,
                    equivalent_threshold=float(threshold),
                )
                f1 = pooled(
                    [pair_ids(d, equivalent_mask(d, settings)) for d in sets], [d["gold"]["equivalent"] for d in sets]
                )["f1"]
                scores.append((round(f1, 6), settings))
            grid.append(scores)
    best_f1 = max(f1 for scores in grid for f1, _ in scores)
    # The one-standard-error rule: the F1 of n gold links is known to about sqrt(F1 (1 − F1) / n), so
    # every threshold within one standard error of the best is as good; an `equivalent` link claims a
    # translation, so of those the highest (claiming least) is taken, with the first weights (smaller)
    # that reach the best F1.
    n_gold = sum(len(d["gold"]["equivalent"]) for d in sets)
    floor = best_f1 - float(np.sqrt(best_f1 * (1.0 - best_f1) / max(n_gold, 1)))
    scores = next(scores for scores in grid if any(f1 == best_f1 for f1, _ in scores))
    plateau = [settings for f1, settings in scores if f1 >= floor]
    log(
        f"calibrate: equivalent F1 {best_f1:.4f} at best; thresholds within one standard error (F1 ≥ {floor:.4f}): "
        f"{plateau[0].equivalent_threshold}–{plateau[-1].equivalent_threshold}"
    )
    return plateau[-1], next(f1 for f1, s in scores if s == plateau[-1])


def calibrate_mt_weight(sets: list[dict], settings: AlignSettings) -> AlignSettings:
    mt_sets = [d for d in sets if "mt_cos" in d]
    if not mt_sets:
        return settings
    scored = []
    for mt_weight in MT_WEIGHTS:
        trial = replace(settings, mt_weight=mt_weight)
        f1 = pooled(
            [pair_ids(d, equivalent_mask(d, trial, True)) for d in mt_sets], [d["gold"]["equivalent"] for d in mt_sets]
        )["f1"]
        scored.append((round(f1, 6), -mt_weight, mt_weight))
    best = max(scored)
    log(f"calibrate: with MT, equivalent F1 {best[0]:.4f} at mt_weight={best[2]}")
    return replace(settings, mt_weight=best[2])


def related_candidates(data: dict, settings: AlignSettings, lexicon, use_mt: bool) -> dict:
    """Features, labels and the equivalent decision of every pair of a set, for one variant."""
    key = ("related", lexicon is not None, use_mt)
    if key not in data:
        pairs = _pairs(data, settings, use_mt)
        ar = [replace(r, mt_text=m) for r, m in zip(data["ar"], data["mt"], strict=True)] if use_mt else data["ar"]
        # As the aligner: without MT, the dictionary's gloss, embedded.
        gloss_cosine = set_gloss_cosine(data, lexicon) if lexicon is not None and not use_mt else None
        features = link_features(
            ar, data["en"], pairs, lexicon, story_penalty=settings.story_penalty, gloss_cosine=gloss_cosine
        )
        data[key] = {
            "pairs": pairs,
            "features": features,
            "labels": _labels(data, pairs),
            "equivalent": equivalent_mask(data, settings, use_mt, lexicon),
        }
    return data[key]


def fit_link_model(sets: list[dict], settings: AlignSettings, lexicon, use_mt: bool, tier: str = "") -> LinkModel:
    """The link model of the variant with/without ``lexicon`` and MT, and ``tier``
    (``pipeline.align.features.TIERS``), with its threshold and cap (see the module's step 3). A tier whose
    precision cannot reach the target on every family at any threshold and cap links nothing (its
    threshold is above 1): a link must be trustworthy, or not be made."""
    name = variant(lexicon is not None, use_mt, tier)
    names = variant_features(name)
    cands = [related_candidates(d, settings, lexicon, use_mt) for d in sets]
    x = np.concatenate([np.column_stack([c["features"][f] for f in names]) for c in cands])
    y = np.concatenate([(c["labels"]["related"] | c["labels"]["equivalent"]).astype(np.float64) for c in cands])
    model = fitted_link_model(names, x, y, 1.0, required_shape(names, settings.margin_k, smallest_shape(sets), tier))
    probabilities = [model.probability(c["features"]) for c in cands]
    names_of_sets = [d["name"] for d in sets]
    trials = []
    for cap in LINK_CAPS:
        for threshold in PROBABILITY_THRESHOLDS:
            preds = [
                keep_links(c["pairs"].i, p, ~c["equivalent"], float(threshold), cap)
                for c, p in zip(cands, probabilities, strict=True)
            ]
            found = [set(np.nonzero(m)[0].tolist()) for m in preds]
            gold = [set(np.nonzero(c["labels"]["related"])[0].tolist()) for c in cands]
            score = pooled(found, gold)
            each = family_precisions(found, gold, names_of_sets)
            trials.append(
                (
                    min(each.values()) >= PRECISION_TARGET,
                    round(score["f1"], 6),
                    -cap,
                    -threshold,
                    float(threshold),
                    cap,
                    score,
                    each,
                )
            )
    best = max(
        trials, key=lambda t: t[:4]
    )  # precision target met on every family first, then F1; fewer links, higher threshold on ties
    training = {
        "sets": [d["name"] for d in sets],
        "pairs": int(len(y)),
        "positives": int(y.sum()),
        "related_pooled": {k: round(v, 4) for k, v in best[6].items()},
        "family_precision": {k: round(v, 4) for k, v in best[7].items()},
        "precision_target_met": bool(best[0]),
        "story_penalty": settings.story_penalty,
    }
    if not best[0]:
        log(
            f"calibrate: link model {name}: no threshold reaches precision {PRECISION_TARGET} on every "
            "family: it links nothing"
        )
        return replace(model, threshold=NEVER, max_links=best[5], training=training)
    log(
        f"calibrate: link model {name}: related P {best[6]['precision']:.4f} R {best[6]['recall']:.4f} "
        f"F1 {best[6]['f1']:.4f} at probability ≥ {best[4]}, at most {best[5]} per paragraph"
    )
    return replace(model, threshold=best[4], max_links=best[5], training=training)


def calibrate_story_penalty(sets: list[dict], settings: AlignSettings) -> AlignSettings:
    """The story path's switch penalty: the best pooled share of gold-linked Arabic paragraphs (related
    or equivalent gold) whose path document is their gold document (``segmentation.calibrate_penalty``)."""
    paths = []
    for data in sets:
        pairs = _pairs(data, settings, False)
        ar_doc, en_doc = doc_indexes(data["ar"]), doc_indexes(data["en"])
        n_ar, n_docs = len(ar_doc), int(en_doc.max()) + 1
        pair_doc = en_doc[pairs.j]
        scores = story_scores(
            doc_best(pairs.i, pair_doc, pairs.cosine, n_ar, n_docs),
            doc_mean(pairs.i, pair_doc, pairs.cosine, n_ar, n_docs),
        )
        labels = _labels(data, pairs)
        linked = labels["related"] | labels["equivalent"]
        gold_doc = np.full(n_ar, -1, dtype=np.int64)
        gold_doc[pairs.i[linked]] = pair_doc[linked]
        paths.append((scores, ar_doc, gold_doc))
    penalty, accuracy = calibrate_penalty(paths)
    log(f"calibrate: story path switch penalty {penalty}: {accuracy:.4f} of linked Arabic paragraphs on their document")
    return replace(settings, story_penalty=penalty)


def set_measurements(data: dict, settings: AlignSettings, model: LinkModel, lexicon, use_mt: bool) -> dict:
    c = related_candidates(data, settings, lexicon, use_mt)
    related = keep_links(
        c["pairs"].i, model.probability(c["features"]), ~c["equivalent"], model.threshold, model.max_links
    )
    topic = c["labels"]["same-topic"]
    return {
        "equivalent": prf(pair_ids(data, c["equivalent"]), data["gold"]["equivalent"]),
        "related": prf(pair_ids(data, related), data["gold"]["related"]),
        "same_topic_false_links": round(float((related | c["equivalent"])[topic].mean()), 4) if topic.any() else None,
    }


def calibrate_baselines(sets: list[dict]) -> dict:
    """The baselines' own settings, tuned like the model on the sets with related gold: a cosine
    threshold (every pair at or above it is linked) and mutual top-k (j among i's k most similar and i
    among j's), each scored on related links (pairs of equivalent gold left aside)."""
    from pipeline.align.features import rank_within

    def score(masks):
        return pooled(
            [pair_ids(d, m) - d["gold"]["equivalent"] for d, m in zip(sets, masks, strict=True)],
            [d["gold"]["related"] for d in sets],
        )["f1"]

    pairs = [_pairs(d, AlignSettings(), False) for d in sets]
    cosine = max((round(score([p.cosine >= t for p in pairs]), 6), -t, float(t)) for t in THRESHOLDS[THRESHOLDS < 1.0])
    top_k = max(
        (round(score([(rank_within(p.i, p.cosine) < k) & (rank_within(p.j, p.cosine) < k) for p in pairs]), 6), -k, k)
        for k in TOP_K
    )
    return {
        "cosine_threshold": cosine[2],
        "mutual_top_k": top_k[2],
        "tune_related_f1": {"cosine_threshold": round(cosine[0], 4), "mutual_top_k": round(top_k[0], 4)},
    }


def expand_gold_paths(paths: list[Path]) -> list[Path]:
    """Each gold file as given, each folder as its ``*.gold.tsv`` files sorted by name (``build-gold``'s
    ``tune-bundles/``). Raises PipelineError for a path that is neither, or a folder without gold sets."""
    out: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found = sorted(path.glob("*.gold.tsv"))
            if not found:
                raise PipelineError(path, "folder has no gold sets (*.gold.tsv); run build-gold")
            out += found
        elif path.is_file():
            out.append(path)
        else:
            raise PipelineError(path, "gold set not found (run build-gold)")
    return out


def calibrate(
    gold_paths: list[Path],
    write: Path | None = None,
    encoder: str = ENCODER,
    force: bool = False,
    fixed: dict | None = None,
) -> dict:
    """Tune on ``gold_paths`` (gold files, or folders of them: :func:`expand_gold_paths`); returns the
    settings (with the measurements) and writes them to ``write``.
    ``fixed`` pins any of margin_weight, anchor_weight, equivalent_threshold to one value. Raises
    PipelineError when ``write`` exists and not ``force``."""
    fixed = fixed or {}
    if write and Path(write).exists() and not force:
        raise PipelineError(write, "settings file exists (use --force to overwrite)")
    gold_paths = expand_gold_paths(gold_paths)
    enc = get_encoder(encoder)
    sets = [load_gold_set(p, enc) for p in gold_paths]
    for data in sets:
        set_anchors(data)
    # Extra draws of a set (``gold.TUNE_DRAWS``) and the bundles (named as draws) serve the related decision
    # only: its features are the pair's context (story, path, document), which a new draw changes; the
    # equivalent features belong to the pair itself, so another draw mostly repeats the same translation pairs.
    first_draws = [d for d in sets if draw_family(d["name"]) == d["name"]]
    base = AlignSettings(
        margin_floor=calibrate_margin_floor(first_draws, AlignSettings.margin_k),
        length_centre=calibrate_length_centre(first_draws),
    )
    log(f"calibrate: margin floor {base.margin_floor}, length centre {base.length_centre}")
    settings, f1 = calibrate_equivalent(first_draws, fixed, base)
    log(
        f"calibrate: equivalent F1 {f1:.4f} with margin_weight={settings.margin_weight}, "
        f"anchor_weight={settings.anchor_weight}, equivalent_threshold={settings.equivalent_threshold}"
    )
    settings = calibrate_mt_weight(first_draws, settings)
    lexicon = load_lexicon()
    if lexicon is None:
        log(f"calibrate: DICTIONARY MISSING ({dictionary_path()}.index): only the models without it are trained")
    with_mt = [False, True] if all("mt_cos" in d for d in first_draws) else [False]
    settings = replace(
        settings,
        equivalent_models={
            equivalent_variant(lex is not None, use_mt, pair): fit_equivalent_model(
                first_draws, settings, lex, use_mt, pair
            ).to_json()
            for lex in ([None, lexicon] if lexicon is not None else [None])
            for use_mt in with_mt
            for pair in (False, True)
        },
    )
    # The document sets: related gold, or only same-topic pairs (a bundle without the story's own report,
    # where every link is wrong, belongs in the link model's training and in its precision too).
    related_sets = [d for d in sets if d["gold"]["related"] or d["gold"]["same-topic"]]
    if not any(d["gold"]["related"] for d in related_sets):
        raise PipelineError(
            None, "no gold set with related links among the sets given (build-gold makes flores-*-tune)"
        )
    settings = calibrate_story_penalty(related_sets, settings)
    models, measurements = {}, {}
    for lex in [None, lexicon] if lexicon is not None else [None]:
        for use_mt in (False, True):
            if use_mt and not all("mt_cos" in d for d in related_sets):
                continue
            name = variant(lex is not None, use_mt)
            for tier in TIERS:
                models[name + tier] = fit_link_model(related_sets, settings, lex, use_mt, tier).to_json()
            model = LinkModel.from_json(models[name])
            measurements[name] = {
                d["name"]: set_measurements(d, settings, model, lex, use_mt)
                for d in sets
                if not use_mt or "mt_cos" in d
            }
    settings = replace(
        settings,
        link_models=models,
        calibrated_on=", ".join(d["name"] for d in sets)
        + (f" (fixed: {', '.join(f'{k}={v}' for k, v in sorted(fixed.items()))})" if fixed else ""),
    )
    out = {**settings.to_json(), "baselines": calibrate_baselines(related_sets), "measurements": measurements}
    if write:
        atomic_write_text(Path(write), json.dumps(out, ensure_ascii=False, indent=2) + "\n")
    return out
