"""Comparable-corpus alignment: an Arabic paragraph links to 0..k English paragraphs, in any document and
any order; most link to nothing.

Score of a pair, for the ``equivalent`` decision (documented with its reasons in docs/linking.md):

    xling  = cos(ar, en) + margin_weight · (margin(ar, en) − 1)
    mtside = cos(mt, en) + margin_weight · (margin(mt, en) − 1)       (only when MT is present)
    score  = (1 − mt_weight) · xling + mt_weight · mtside + anchor_weight · anchor_strength

``equivalent`` needs the pair to be the best of its row and column, or of one of them while scoring
within merge_gap of the other's best (a split paragraph; one says what the other says), and then, without
MT, the calibrated equivalence model's probability (``pipeline.align.equivalence``: cosine, margin,
length ratio, anchors, dictionary overlap) at or above its threshold; with MT, score ≥
equivalent_threshold. ``related``: the calibrated link model (``pipeline.align.model``) gives every other pair a
probability from its features (``pipeline.align.features``); pairs at or above the model's threshold are
linked, at most the model's ``max_links`` per Arabic paragraph, most probable first.
Everything is data: scores, features and decisions are returned, nothing is printed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipeline.align.anchors import pair_anchors
from pipeline.align.equivalence import (
    EquivalentDecision,
    decide_equivalent_model,
    eligible,
    equivalence_features,
    equivalent_variant,
)
from pipeline.align.features import TIERS, centroid_means, doc_indexes, run_shape, split_tier
from pipeline.align.knn import knn_pairs
from pipeline.align.pairs import Pairs, dense_pairs
from pipeline.align.scoring import chrf_similarity
from pipeline.align.settings import AlignSettings
from pipeline.align.vectors import LocalVectors, SideVectors
from pipeline.align.model import RunShape
from pipeline.progress import log
from pipeline.records import Link, Segment, Unaligned

TIER_WORDS = {
    ":paragraphs": "the model without the features that choose among English documents",
    ":pair": "the model on the pair's own similarities only",
}


def pair_scores(pairs: Pairs, settings: AlignSettings) -> np.ndarray:
    """The score of each pair before anchors (anchors are added only where they exist)."""
    xling = pairs.cosine + settings.margin_weight * (pairs.margin - 1.0)
    if pairs.mt_cosine is None or pairs.mt_margin is None:
        return xling
    mtside = pairs.mt_cosine + settings.margin_weight * (pairs.mt_margin - 1.0)
    return (1.0 - settings.mt_weight) * xling + settings.mt_weight * mtside


def candidate_floor(settings: AlignSettings) -> float:
    """Below this base score no anchor can lift a pair over the equivalent threshold, so anchors are not
    looked for (links below it get theirs as evidence afterwards)."""
    return settings.equivalent_threshold - settings.anchor_weight


def decide_equivalent(
    i: np.ndarray, j: np.ndarray, score: np.ndarray, n_ar: int, n_en: int, settings: AlignSettings
) -> np.ndarray:
    """Mask of the candidate pairs (parallel arrays) that are ``equivalent`` by the score rule (the
    decision with MT, and without MT when the settings have no equivalence model): score ≥ the threshold
    and eligible (:func:`pipeline.align.equivalence.eligible`). Candidate pairs must include each row's
    and column's best pair. Shared by the aligner and the calibration."""
    ok, _ = eligible(i, j, score, n_ar, n_en, settings.merge_gap)
    return (score >= settings.equivalent_threshold) & ok


def decide_equivalent_pairs(
    ar_rows: list[Segment],
    en_rows: list[Segment],
    pairs: Pairs,
    score: np.ndarray,
    settings: AlignSettings,
    lexical: np.ndarray | None,
) -> np.ndarray:
    """The ``equivalent`` mask of the candidate pairs of a run the size of the calibration's (see
    :func:`equivalent_decision`). Shared by the aligner and the calibration, so a calibrated threshold
    means what the aligner does."""
    return equivalent_decision(
        ar_rows, en_rows, pairs, score, settings, {"lexical": lexical} if lexical is not None else {}
    ).mask


def equivalent_decision(
    ar_rows: list[Segment],
    en_rows: list[Segment],
    pairs: Pairs,
    score: np.ndarray,
    settings: AlignSettings,
    features: dict[str, np.ndarray],
    shape: RunShape | None = None,
) -> EquivalentDecision:
    """The ``equivalent`` decision: without MT by the calibrated equivalence model of the run's variant
    (``features``: the run's per-candidate features, ``lexical`` among them with a dictionary), with MT
    (or settings without such a model) by the score rule, its probability from the rule's score model.
    A run smaller than the model needs (``shape`` against ``requires``; None: as large as calibration's)
    is decided by the pair-only tier, which needs nothing of the run."""
    lexical = features.get("lexical")
    mt = pairs.mt_cosine is not None
    name = equivalent_variant(lexical is not None, mt)
    model = settings.equivalent_model(name)
    shortfall = shape.shortfall(model.requires) if model is not None and shape is not None else []
    pair_model = (
        settings.equivalent_model(equivalent_variant(lexical is not None, mt, pair=True)) if shortfall else None
    )
    probability = np.full(len(score), np.nan)
    if pair_model is not None:
        extra = {"gloss_cosine": features["gloss_cosine"]} if "gloss_cosine" in pair_model.features else {}
        if pairs.mt_cosine is not None:
            extra["mt_cosine"] = pairs.mt_cosine
        keep, feats = equivalence_features(
            ar_rows,
            en_rows,
            pairs.i,
            pairs.j,
            score,
            pairs.cosine,
            pairs.margin,
            settings.merge_gap,
            lexical,
            settings.length_centre,
            extra,
        )
        probability[keep] = pair_model.probability(feats) if keep.size else probability[keep]
        return EquivalentDecision(
            decide_equivalent_model(len(score), keep, feats, pair_model),
            probability,
            equivalent_variant(lexical is not None, mt, pair=True),
            shortfall,
        )
    if mt or model is None:
        mask = decide_equivalent(pairs.i, pairs.j, score, len(ar_rows), len(en_rows), settings)
        if model is not None:  # the rule's score model: the probability shown, not the decision
            ok, _ = eligible(pairs.i, pairs.j, score, len(ar_rows), len(en_rows), settings.merge_gap)
            probability[ok] = model.probability({"score": score[ok]})
        return EquivalentDecision(mask, probability, name if model is not None else "score rule", [])
    keep, feats = equivalence_features(
        ar_rows, en_rows, pairs.i, pairs.j, score, pairs.cosine, pairs.margin, settings.merge_gap, lexical
    )
    if keep.size:
        probability[keep] = model.probability(feats)
    return EquivalentDecision(decide_equivalent_model(len(score), keep, feats, model), probability, name, [])


def link_model_for(settings: AlignSettings, name: str, shape: RunShape):
    """(variant, model): the first tier of variant ``name`` (``pipeline.align.features.TIERS``) whose model
    the run has enough paragraphs and documents for; the last tier (pair features only) needs nothing.
    Settings without tiers have only the full model, which then decides."""
    for tier in TIERS:
        if name + tier not in settings.link_models:
            continue
        model = settings.link_model(name + tier)
        if model.fits(shape) or tier == TIERS[-1]:
            return name + tier, model
    return name, settings.link_model(name)


@dataclass
class Decisions:
    """What the aligner decided for every candidate pair (parallel to the pairs' arrays)."""

    score: np.ndarray  # the equivalent score (base + anchors)
    probability: np.ndarray  # the link model's P(link)
    equivalent: np.ndarray  # masks
    related: np.ndarray
    features: dict[str, np.ndarray]
    model: str  # the link model's variant
    equivalent_probability: np.ndarray  # the equivalence model's P(equivalent) (NaN where none applies)
    equivalent_model: str  # the variant that decided `equivalent`
    shape: RunShape
    # What the run lacked for each label's full model, when a pair-only tier decided (label → words).
    shortfalls: dict[str, list[str]]


def decide(
    ar_rows: list[Segment],
    en_rows: list[Segment],
    pairs: Pairs,
    settings: AlignSettings,
    lexicon=None,
    doc_means: np.ndarray | None = None,
    gloss_cosine: np.ndarray | None = None,
    gloss_doc_means: np.ndarray | None = None,
) -> Decisions:
    """Equivalent by :func:`decide_equivalent_pairs` (the equivalence model without MT, the score rule
    with it), related by the calibrated link model. ``doc_means``: see
    :func:`pipeline.align.features.pair_features` (needed when the pairs are nearest neighbours only);
    ``gloss_cosine``: see :func:`pipeline.align.features.link_features` (needed with ``lexicon`` and no MT)."""
    from pipeline.align.features import link_features, variant
    from pipeline.align.model import keep_links

    base = pair_scores(pairs, settings)
    strength, _, _ = pair_anchors(ar_rows, en_rows, pairs.i, pairs.j, base >= candidate_floor(settings))
    score = base + settings.anchor_weight * strength
    shape = run_shape(ar_rows, en_rows)
    name, model = link_model_for(settings, variant(lexicon is not None, pairs.mt_cosine is not None), shape)
    shortfalls = {}
    if split_tier(name)[1]:
        shortfalls["related"] = shape.shortfall(settings.link_model(split_tier(name)[0]).requires)
    features = link_features(
        ar_rows, en_rows, pairs, lexicon, doc_means, settings.story_penalty, gloss_cosine, gloss_doc_means
    )
    equivalent = equivalent_decision(ar_rows, en_rows, pairs, score, settings, features, shape)
    if equivalent.shortfall:
        shortfalls["equivalent"] = equivalent.shortfall
    probability = model.probability(features)
    related = keep_links(pairs.i, probability, ~equivalent.mask, model.threshold, model.max_links)
    return Decisions(
        score,
        probability,
        equivalent.mask,
        related,
        features,
        name,
        equivalent.probability,
        equivalent.variant,
        shape,
        shortfalls,
    )


def align_comparable(
    ar_rows: list[Segment],
    en_rows: list[Segment],
    ar_vecs: np.ndarray,
    en_vecs: np.ndarray | SideVectors,
    settings: AlignSettings,
    mt_vecs: np.ndarray | None = None,
    lexicon=None,
    gloss_vecs: np.ndarray | None = None,
) -> tuple[list[Link], list[Unaligned], dict]:
    """Decide the links of each Arabic row (``id``, ``doc``, ``text``, optional ``mt_text``) to the English
    rows (``id``, ``doc``, ``text``). Returns the links (Arabic order, equivalent first, then most
    probable first), the unlinked rows with their nearest miss, and what was decided how (for the manifest).

    Up to ``settings.dense_limit`` pairs, every pair is a candidate; past it, each side's
    ``knn_candidates`` nearest neighbours (faiss), with the same margins and decisions; ``en_vecs`` may then
    be held elsewhere (:class:`pipeline.align.vectors.SideVectors`), and only the candidate documents' rows
    are gathered here. ``lexicon``
    (``pipeline.align.lexicon``) adds the dictionary features and their evidence;
    ``gloss_vecs`` are the embeddings of the dictionary's glosses of the Arabic rows
    (``lexicon.gloss_text``), required with ``lexicon`` without MT."""
    from pipeline.align.evidence import link_evidence
    from pipeline.align.features import pair_cosine

    n_ar, n_en = len(ar_rows), len(en_rows)
    doc_means = gloss_doc_means = None
    narrowed: dict = {}
    if n_ar * n_en <= settings.dense_limit:
        en_vecs = np.asarray(en_vecs)  # a side held elsewhere is gathered: every pair is scored here
        pairs = dense_pairs(ar_vecs, en_vecs, settings, mt_vecs)
    else:
        held = en_vecs if isinstance(en_vecs, SideVectors) else LocalVectors(en_vecs)
        pairs = knn_pairs(ar_vecs, held, settings, mt_vecs)
        en_doc = doc_indexes(en_rows)
        keep = candidate_documents(pairs, en_doc, held.doc_means(ar_vecs, en_doc), settings.retrieval_documents)
        if settings.retrieval_documents and not keep.all():
            rows = np.flatnonzero(keep[en_doc])
            narrowed = {"en_documents": int(len(keep)), "candidate_documents": int(keep.sum())}
            log(
                f"align: {narrowed['candidate_documents']:,} of {len(keep):,} English documents are candidates "
                f"({len(rows):,} of {n_en:,} paragraphs)"
            )
            pairs = restrict_pairs(pairs, rows)
            # Only the candidate documents' vectors come here (an archive's stay with their holders).
            en_rows, en_vecs = [en_rows[r] for r in rows.tolist()], held.gather(rows)
        else:
            en_vecs = np.asarray(held)
        doc_means = centroid_means(ar_vecs, en_vecs, doc_indexes(en_rows))
        if gloss_vecs is not None:
            gloss_doc_means = centroid_means(gloss_vecs, en_vecs, doc_indexes(en_rows))
    gloss_cosine = pair_cosine(gloss_vecs, en_vecs, pairs.i, pairs.j) if gloss_vecs is not None else None
    decided = decide(ar_rows, en_rows, pairs, settings, lexicon, doc_means, gloss_cosine, gloss_doc_means)
    for label, lacks in sorted(decided.shortfalls.items()):
        model = decided.equivalent_model if label == "equivalent" else decided.model
        log(
            f"align: {label} links decided by {model}, {TIER_WORDS[split_tier(model)[1]]}: "
            f"this run has {', '.join(lacks)}"
        )
    # Each link shows its own label's probability: the equivalence model's for `equivalent`, the link
    # model's for `related`.
    shown = np.where(decided.equivalent, decided.equivalent_probability, decided.probability)
    keep = np.nonzero(decided.equivalent | decided.related)[0]
    order = keep[np.lexsort((pairs.j[keep], -np.nan_to_num(shown[keep]), ~decided.equivalent[keep], pairs.i[keep]))]
    links: list[Link] = []
    linked: set[int] = set()
    for k in order.tolist():
        i, j = int(pairs.i[k]), int(pairs.j[k])
        linked.add(i)
        ar, en = ar_rows[i], en_rows[j]
        label = "equivalent" if decided.equivalent[k] else "related"
        evidence = link_evidence(ar, en, {name: float(v[k]) for name, v in decided.features.items()}, lexicon)
        probability = None if np.isnan(shown[k]) else round(float(shown[k]), 4)
        evidence |= {
            "probability": probability,
            "model": decided.equivalent_model if label == "equivalent" else decided.model,
        }
        if pairs.mt_cosine is not None:
            evidence["chrf"] = round(chrf_similarity(ar.mt_text or "", en.text), 4)
        links.append(
            Link(
                ar.id,
                ar.text,
                ar.mt_text,
                en.doc,
                en.id,
                en.text,
                round(float(decided.score[k]), 4),
                label,
                evidence,
                probability,
            )
        )
    # Each unlinked row's nearest miss: its most probable English paragraph.
    best: dict[int, int] = {}
    for k in np.lexsort((pairs.j, -decided.probability, pairs.i)).tolist():
        best.setdefault(int(pairs.i[k]), k)
    unaligned = []
    for i, ar in enumerate(ar_rows):
        if i in linked:
            continue
        k = best.get(i)
        unaligned.append(
            Unaligned(
                ar.id,
                ar.text,
                ar.mt_text,
                en_rows[int(pairs.j[k])].id if k is not None else None,
                round(float(decided.score[k]), 4) if k is not None else None,
                round(float(decided.probability[k]), 4) if k is not None else None,
            )
        )
    return (
        links,
        unaligned,
        {
            "link_model": decided.model,
            "equivalent_model": decided.equivalent_model,
            "run_shape": decided.shape.to_json(),
            # Why a label was decided by a smaller tier of its model: what the run lacked, in words.
            "smaller_tiers": {label: lacks for label, lacks in sorted(decided.shortfalls.items())},
        }
        | ({"retrieval": narrowed} if narrowed else {}),
    )


def candidate_documents(pairs: Pairs, en_doc: np.ndarray, doc_means: np.ndarray, k: int) -> np.ndarray:
    """Mask of the English documents an archive-sized run decides on (retrieval first, issue 25): for each
    Arabic paragraph, the documents of its ``k`` most similar candidate paragraphs and its ``k`` documents
    of highest mean cosine (``doc_means``, n_ar × n_docs). At most 2k documents an Arabic paragraph, so the
    document-level work and what its features are standardised over do not grow with the archive."""
    n_ar, n_docs = doc_means.shape
    keep = np.zeros(n_docs, dtype=bool)
    if n_docs <= k or k == 0:
        keep[:] = True
        return keep
    # each row's k best pairs by cosine (ties: the lower English paragraph), as in the rows' neighbour lists
    order = np.lexsort((pairs.j, -pairs.cosine, pairs.i))
    rank = np.arange(len(order)) - np.searchsorted(pairs.i[order], pairs.i[order], side="left")
    best = order[rank < k]
    keep[en_doc[pairs.j[best]]] = True
    top = np.argsort(-doc_means, axis=1, kind="stable")[:, :k]
    keep[top.ravel()] = True
    return keep


def restrict_pairs(pairs: Pairs, rows: np.ndarray) -> Pairs:
    """The pairs whose English paragraph is among ``rows`` (sorted indexes), renumbered into them."""
    inside = np.isin(pairs.j, rows)
    pick = np.flatnonzero(inside)
    out = Pairs(pairs.i[pick], np.searchsorted(rows, pairs.j[pick]), pairs.cosine[pick], pairs.margin[pick])
    if pairs.mt_cosine is not None and pairs.mt_margin is not None:
        out.mt_cosine, out.mt_margin = pairs.mt_cosine[pick], pairs.mt_margin[pick]
    return out
