"""Comparable-corpus alignment: an Arabic paragraph links to 0..k English paragraphs, in any document and
any order; most link to nothing.

Score of a pair (documented with its reasons in the README):

    xling  = cos(ar, en) + margin_weight · (margin(ar, en) − 1)
    mtside = cos(mt, en) + margin_weight · (margin(mt, en) − 1)       (only when MT is present)
    score  = (1 − mt_weight) · xling + mt_weight · mtside + anchor_weight · anchor_strength

``equivalent`` needs score ≥ equivalent_threshold and the pair to be the best of its row or column (one
says what the other says); ``related`` needs score ≥ related_threshold and at least related_min_anchors
shared anchors (same specific detail). Everything is data: scores, features and decisions are returned,
nothing is printed.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np

from pipeline.align.anchors import Anchor, shared_anchors
from pipeline.align.scoring import chrf_matrix, cosine_matrix, ratio_margin
from pipeline.align.settings import AlignSettings

ANCHOR_WEIGHTS = {"number": 1.0, "date": 1.0, "name": 0.5}


@dataclass
class Link:
    ar_id: str
    ar_text: str
    mt_text: str | None
    en_doc: str
    en_id: str
    en_text: str
    score: float
    label: str
    evidence: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return asdict(self)


@dataclass
class Unaligned:
    ar_id: str
    ar_text: str
    mt_text: str | None
    best_en_id: str | None
    best_score: float | None

    def to_json(self) -> dict:
        return asdict(self)


@dataclass
class PairFeatures:
    cosine: np.ndarray
    margin: np.ndarray
    mt_cosine: np.ndarray | None
    mt_margin: np.ndarray | None
    chrf: np.ndarray | None


def anchor_strength(anchors: list[Anchor]) -> float:
    """0..1, saturating: one shared number or date ≈ 0.63, two ≈ 0.86; a name counts half."""
    return 1.0 - math.exp(-sum(ANCHOR_WEIGHTS[a.kind] for a in anchors))


def pair_features(ar_vecs: np.ndarray, en_vecs: np.ndarray, settings: AlignSettings,
                  mt_vecs: np.ndarray | None = None, mt_texts: list[str] | None = None,
                  en_texts: list[str] | None = None) -> PairFeatures:
    cos = cosine_matrix(ar_vecs, en_vecs)
    features = PairFeatures(cos, ratio_margin(cos, settings.margin_k), None, None, None)
    if mt_vecs is not None:
        mt_cos = cosine_matrix(mt_vecs, en_vecs)
        features.mt_cosine, features.mt_margin = mt_cos, ratio_margin(mt_cos, settings.margin_k)
        features.chrf = chrf_matrix(mt_texts or [], en_texts or [])
    return features


def combined_scores(features: PairFeatures, settings: AlignSettings) -> np.ndarray:
    """The score matrix before anchors (anchors are added only where they exist, see align_comparable)."""
    xling = features.cosine + settings.margin_weight * (features.margin - 1.0)
    if features.mt_cosine is None:
        return xling
    mtside = features.mt_cosine + settings.margin_weight * (features.mt_margin - 1.0)
    return (1.0 - settings.mt_weight) * xling + settings.mt_weight * mtside


def anchor_matrix(ar_rows: list[dict], en_rows: list[dict], candidates: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray, dict[tuple[int, int], list[Anchor]]]:
    """Anchor strength and anchor count for the candidate pairs (a boolean mask); 0 elsewhere."""
    strength = np.zeros(candidates.shape, dtype=np.float32)
    count = np.zeros(candidates.shape, dtype=np.int32)
    found: dict[tuple[int, int], list[Anchor]] = {}
    for i, j in zip(*np.nonzero(candidates)):
        i, j = int(i), int(j)
        anchors = shared_anchors(ar_rows[i]["text"], en_rows[j]["text"], ar_rows[i].get("mt_text"))
        if anchors:
            found[(i, j)] = anchors
            strength[i, j] = anchor_strength(anchors)
            count[i, j] = len(anchors)
    return strength, count, found


def candidate_floor(settings: AlignSettings) -> float:
    """Below this base score no anchor can lift a pair over a threshold, so anchors are not looked for."""
    return min(settings.related_threshold, settings.equivalent_threshold) - settings.anchor_weight


def decide_links(base: np.ndarray, strength: np.ndarray, count: np.ndarray, settings: AlignSettings
                 ) -> list[tuple[int, int, float, str]]:
    """(i, j, score, label) for every kept link, at most ``max_links`` per Arabic row, strongest first.
    Shared by the aligner and the calibration, so calibrated thresholds mean what the aligner does."""
    if base.size == 0:
        return []
    score = base + settings.anchor_weight * strength
    row_best = base.argmax(axis=1)
    col_best = base.argmax(axis=0)
    best = np.zeros(base.shape, dtype=bool)
    best[np.arange(base.shape[0]), row_best] = True
    best[col_best, np.arange(base.shape[1])] = True
    equivalent = (score >= settings.equivalent_threshold) & best
    related = ~equivalent & (score >= settings.related_threshold) & (count >= settings.related_min_anchors)
    out = []
    for i in range(base.shape[0]):
        row = [(float(score[i, j]), j, "equivalent" if equivalent[i, j] else "related")
               for j in np.nonzero(equivalent[i] | related[i])[0].tolist()]
        row.sort(key=lambda item: (-item[0], item[1]))
        out.extend((i, j, s, label) for s, j, label in row[: settings.max_links])
    return out


def align_comparable(ar_rows: list[dict], en_rows: list[dict], ar_vecs: np.ndarray, en_vecs: np.ndarray,
                     settings: AlignSettings, mt_vecs: np.ndarray | None = None) -> tuple[list[Link], list[Unaligned]]:
    """Decide the links of each Arabic row (``id``, ``text``, optional ``mt_text``) to the English rows
    (``id``, ``doc``, ``text``). Returns the links (Arabic order, strongest first) and the unlinked rows."""
    mt_texts = [row.get("mt_text") or "" for row in ar_rows]
    en_texts = [row["text"] for row in en_rows]
    features = pair_features(ar_vecs, en_vecs, settings, mt_vecs, mt_texts if mt_vecs is not None else None, en_texts)
    base = combined_scores(features, settings)
    strength, count, anchors = anchor_matrix(ar_rows, en_rows, base >= candidate_floor(settings))
    row_best = base.argmax(axis=1) if base.size else np.zeros(0, dtype=int)
    col_best = base.argmax(axis=0) if base.size else np.zeros(0, dtype=int)
    links: list[Link] = []
    linked: set[int] = set()
    for i, j, score, label in decide_links(base, strength, count, settings):
        linked.add(i)
        evidence = {
            "cosine": round(float(features.cosine[i, j]), 4),
            "margin": round(float(features.margin[i, j]), 4),
            "anchor_strength": round(float(strength[i, j]), 4),
            "anchors": [{"kind": a.kind, "ar": a.ar, "en": a.en} for a in anchors.get((i, j), [])],
            "best_of_row": int(row_best[i]) == j, "best_of_column": int(col_best[j]) == i,
        }
        if features.mt_cosine is not None:
            evidence |= {"mt_cosine": round(float(features.mt_cosine[i, j]), 4),
                         "mt_margin": round(float(features.mt_margin[i, j]), 4),
                         "chrf": round(float(features.chrf[i, j]), 4)}
        ar, en = ar_rows[i], en_rows[j]
        links.append(Link(ar["id"], ar["text"], ar.get("mt_text"), en["doc"], en["id"], en["text"],
                          round(score, 4), label, evidence))
    unaligned = []
    for i, ar in enumerate(ar_rows):
        if i in linked:
            continue
        j = int(row_best[i]) if base.shape[1] else None
        unaligned.append(Unaligned(ar["id"], ar["text"], ar.get("mt_text"),
                                   en_rows[j]["id"] if j is not None else None,
                                   round(float(base[i, j]), 4) if j is not None else None))
    return links, unaligned
