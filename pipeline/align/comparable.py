"""Comparable-corpus alignment: an Arabic paragraph links to 0..k English paragraphs, in any document and
any order; most link to nothing.

Score of a pair (documented with its reasons in the README):

    xling  = cos(ar, en) + margin_weight · (margin(ar, en) − 1)
    mtside = cos(mt, en) + margin_weight · (margin(mt, en) − 1)       (only when MT is present)
    score  = (1 − mt_weight) · xling + mt_weight · mtside + anchor_weight · anchor_strength

``equivalent`` needs score ≥ equivalent_threshold and the pair to be the best of its row and column, or
of one of them while scoring within merge_gap of the other's best (a split paragraph; one says what the
other says); ``related`` needs score ≥ related_threshold, at least related_min_anchors shared anchors,
and the pair among the related_rank best of both its row and its column (a specific detail, not the
common topic), or share a specific phrase (``phrase`` anchors) with score ≥ phrase_floor.
Everything is data: scores, features and decisions are returned, nothing is printed.
"""

from __future__ import annotations

import math
import numpy as np

from pipeline.align.anchors import Anchor, shared_anchors
from pipeline.align.knn import knn_pairs
from pipeline.align.pairs import Pairs, dense_pairs
from pipeline.align.scoring import chrf_similarity
from pipeline.align.settings import AlignSettings
from pipeline.progress import progress
from pipeline.records import Link, Segment, Unaligned

# Phrase anchors decide related links only (see decide_pairs); they add nothing to the score, whose
# weights and thresholds are calibrated on numbers, dates and names.
ANCHOR_WEIGHTS = {"number": 1.0, "date": 1.0, "name": 0.5, "phrase": 0.0}


def anchor_strength(anchors: list[Anchor]) -> float:
    """0..1, saturating: one shared number or date ≈ 0.63, two ≈ 0.86; a name counts half."""
    return 1.0 - math.exp(-sum(ANCHOR_WEIGHTS[a.kind] for a in anchors))


def pair_scores(pairs: Pairs, settings: AlignSettings) -> np.ndarray:
    """The score of each pair before anchors (anchors are added only where they exist)."""
    xling = pairs.cosine + settings.margin_weight * (pairs.margin - 1.0)
    if pairs.mt_cosine is None or pairs.mt_margin is None:
        return xling
    mtside = pairs.mt_cosine + settings.margin_weight * (pairs.mt_margin - 1.0)
    return (1.0 - settings.mt_weight) * xling + settings.mt_weight * mtside


def pair_anchors(
    ar_rows: list[Segment], en_rows: list[Segment], i: np.ndarray, j: np.ndarray, look: np.ndarray
) -> tuple[np.ndarray, np.ndarray, dict[int, list[Anchor]]]:
    """Anchor strength and anchor count per pair where ``look`` is set (0 elsewhere), and the anchors
    found, keyed by pair position."""
    strength = np.zeros(len(i), dtype=np.float32)
    count = np.zeros(len(i), dtype=np.int32)
    found: dict[int, list[Anchor]] = {}
    todo = np.nonzero(look)[0].tolist()
    with progress(len(todo), "align: anchors", unit="pair") as bar:
        for k in todo:
            a, b = int(i[k]), int(j[k])
            anchors = shared_anchors(ar_rows[a].text, en_rows[b].text, ar_rows[a].mt_text)
            if anchors:
                found[k] = anchors
                strength[k] = anchor_strength(anchors)
                count[k] = len(anchors)
            bar.update()
    return strength, count, found


def candidate_floor(settings: AlignSettings) -> float:
    """Below this base score no anchor can lift a pair over a threshold, so anchors are not looked for."""
    return min(settings.related_threshold, settings.equivalent_threshold) - settings.anchor_weight


def _group_max(group: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """The largest value per group (per Arabic row when ``group`` is the pairs' ``i``, per English column
    for ``j``); -inf for a group with no pair."""
    top = np.full(size, -np.inf)
    np.maximum.at(top, group, values)
    return top


def _rank_within(group: np.ndarray, score: np.ndarray) -> np.ndarray:
    """Each pair's rank (0 = best) by score among the pairs of its group (its row or its column)."""
    order = np.lexsort((-score, group))
    ranks = np.empty(len(score), dtype=np.int64)
    sorted_group = group[order]
    starts = np.r_[0, np.nonzero(np.diff(sorted_group))[0] + 1]
    first = np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    ranks[order] = np.arange(len(order)) - first
    return ranks


def decide_pairs(
    i: np.ndarray,
    j: np.ndarray,
    base: np.ndarray,
    strength: np.ndarray,
    count: np.ndarray,
    n_ar: int,
    n_en: int,
    settings: AlignSettings,
    phrase: np.ndarray | None = None,
) -> list[tuple[int, int, float, str]]:
    """(i, j, score, label) for every kept link among the candidate pairs (parallel arrays), at most
    ``max_links`` per Arabic row, strongest first. Candidate pairs must include each row's and column's
    best pair (all pairs, or each side's nearest neighbours). Shared by the aligner and the calibration,
    so calibrated thresholds mean what the aligner does."""
    if base.size == 0:
        return []
    score = base + settings.anchor_weight * strength
    row_top, col_top = _group_max(i, score, n_ar), _group_max(j, score, n_en)
    row_best = score >= row_top[i]
    col_best = score >= col_top[j]
    # A pair that is the best of its row or of its column can be equivalent; when it is the best of only
    # one of them, it must score nearly as well as the other side's best link (a paragraph the translator
    # split in two: both halves score alike), otherwise it is a near neighbour of a paragraph that
    # already has its equivalent (Easter vs. Christmas).
    mutual = row_best & col_best
    split = (row_best & (score >= col_top[j] - settings.merge_gap)) | (
        col_best & (score >= row_top[i] - settings.merge_gap)
    )
    equivalent = (score >= settings.equivalent_threshold) & (mutual | split)
    # Related: a specific shared detail, not the corpus's common topic. The pair must stand out both ways,
    # among the related_rank best of its row and of its column: a boilerplate paragraph close to
    # everything is nobody's near-best, a paragraph on the same event detail is.
    specific = (_rank_within(i, score) < settings.related_rank) & (_rank_within(j, score) < settings.related_rank)
    related = ~equivalent & (score >= settings.related_threshold) & (count >= settings.related_min_anchors) & specific
    if phrase is not None:
        # Both paragraphs name the same specific thing ("memory sticks" ~ "عصا الذاكرة"): related even when
        # the rest of the paragraphs differ, as long as they are not unrelated outright.
        related |= ~equivalent & phrase & (score >= settings.phrase_floor)
    keep = np.nonzero(equivalent | related)[0]
    order = keep[np.lexsort((j[keep], -score[keep], i[keep]))]
    out: list[tuple[int, int, float, str]] = []
    per_row: dict[int, int] = {}
    for k in order.tolist():
        row = int(i[k])
        if per_row.get(row, 0) < settings.max_links:
            per_row[row] = per_row.get(row, 0) + 1
            out.append((row, int(j[k]), float(score[k]), "equivalent" if equivalent[k] else "related"))
    return out


def align_comparable(
    ar_rows: list[Segment],
    en_rows: list[Segment],
    ar_vecs: np.ndarray,
    en_vecs: np.ndarray,
    settings: AlignSettings,
    mt_vecs: np.ndarray | None = None,
    phrases: dict[tuple[int, int], list] | None = None,
) -> tuple[list[Link], list[Unaligned]]:
    """Decide the links of each Arabic row (``id``, ``text``, optional ``mt_text``) to the English rows
    (``id``, ``doc``, ``text``). Returns the links (Arabic order, strongest first) and the unlinked rows.

    Up to ``settings.dense_limit`` pairs, every pair is scored from dense matrices; past it, only each
    side's ``knn_candidates`` nearest neighbours (faiss), with the same margins and decisions.
    ``phrases`` (from :func:`pipeline.align.phrases.phrase_matches`, only sought on the dense path) adds
    shared specific phrases as anchors."""
    n_ar, n_en = len(ar_rows), len(en_rows)
    if n_ar * n_en <= settings.dense_limit:
        pairs = dense_pairs(ar_vecs, en_vecs, settings, mt_vecs)
    else:
        pairs = knn_pairs(ar_vecs, en_vecs, settings, mt_vecs)
    base = pair_scores(pairs, settings)
    strength, count, anchors = pair_anchors(ar_rows, en_rows, pairs.i, pairs.j, base >= candidate_floor(settings))
    codes = pairs.i.astype(np.int64) * n_en + pairs.j  # ascending: pairs come in row-major order
    phrase = None
    if phrases:
        phrase = np.zeros(len(base), dtype=bool)
        for (a, b), found in phrases.items():
            k = int(np.searchsorted(codes, a * n_en + b))
            if k < len(codes) and codes[k] == a * n_en + b:
                phrase[k] = True
                anchors[k] = anchors.get(k, []) + [Anchor("phrase", m.en.lower(), m.ar, m.en) for m in found]
                strength[k] = anchor_strength(anchors[k])
                count[k] = len(anchors[k])
    decided = decide_pairs(pairs.i, pairs.j, base, strength, count, n_ar, n_en, settings, phrase)
    # Evidence and the unaligned rows' nearest paragraph speak of the base score (anchors aside).
    row_top, col_top = _group_max(pairs.i, base, n_ar), _group_max(pairs.j, base, n_en)
    links: list[Link] = []
    linked: set[int] = set()
    for i, j, score, label in decided:
        k = int(np.searchsorted(codes, i * n_en + j))
        linked.add(i)
        evidence = {
            "cosine": round(float(pairs.cosine[k]), 4),
            "margin": round(float(pairs.margin[k]), 4),
            "anchor_strength": round(float(strength[k]), 4),
            "anchors": [{"kind": a.kind, "ar": a.ar, "en": a.en} for a in anchors.get(k, [])],
            "best_of_row": bool(base[k] >= row_top[i]),
            "best_of_column": bool(base[k] >= col_top[j]),
        }
        ar, en = ar_rows[i], en_rows[j]
        if pairs.mt_cosine is not None and pairs.mt_margin is not None:
            evidence |= {
                "mt_cosine": round(float(pairs.mt_cosine[k]), 4),
                "mt_margin": round(float(pairs.mt_margin[k]), 4),
                "chrf": round(chrf_similarity(ar.mt_text or "", en.text), 4),
            }
        links.append(
            Link(
                ar.id,
                ar.text,
                ar.mt_text,
                en.doc,
                en.id,
                en.text,
                round(score, 4),
                label,
                evidence,
            )
        )
    best_of_row: dict[int, int] = {}
    for k in np.nonzero(base >= row_top[pairs.i])[0].tolist():
        best_of_row.setdefault(int(pairs.i[k]), k)
    unaligned = []
    for i, ar in enumerate(ar_rows):
        if i in linked:
            continue
        best = best_of_row.get(i)
        unaligned.append(
            Unaligned(
                ar.id,
                ar.text,
                ar.mt_text,
                en_rows[int(pairs.j[best])].id if best is not None else None,
                round(float(base[best]), 4) if best is not None else None,
            )
        )
    return links, unaligned
