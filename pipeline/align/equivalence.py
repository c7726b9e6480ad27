"""The calibrated ``equivalent`` decision without MT: a logistic model over the evidence that two
paragraphs translate each other, applied to the pairs the structural rule allows.

Only a pair that is the best of its row and its column, or of one of them while scoring within
``merge_gap`` of the other's best (:func:`eligible`: a paragraph split in two), can be ``equivalent``;
among those, the model (:class:`pipeline.align.model.LinkModel`, the same kind as the related link model,
trained by ``calibrate`` on the tune sets with the target "equivalent") gives a probability, and pairs at
or above its threshold are linked. Features (one number per eligible pair):

- ``cosine``, ``margin``: the encoder's similarity and its ratio margin;
- ``length``: |log(Arabic characters / English characters) − the run's centre|, the centre being the
  median of that log ratio over the run's mutual best pairs: translations have correlated lengths
  (Gale & Church 1993), and taking the centre from the run keeps a translator's or a script's habits
  (the UDHR's Arabic is shorter than FLORES's for the same English) from counting against every pair;
- ``anchors``: strength of shared numbers, dates and names (``pipeline.align.anchors``);
- ``lexical``: the dictionary's IDF-weighted overlap (``pipeline.align.lexicon``), only in the variant
  trained with the dictionary.
Each was kept because leaving it out lowers the pooled F1 on the tune sets (docs/linking.md, "The equivalence
model"); a ``mutual`` flag (best of both row and column, against a split pair) did not, and was left out.

A run smaller than the model needs (``LinkModel.requires``: the margin's neighbourhood on each side) is
decided by the pair-only tier (``encoder:pair``): ``cosine``, ``length`` from the calibration's centre
(``AlignSettings.length_centre``; one pair cannot set a centre of its own), ``anchors``, and
``gloss_cosine`` (the dictionary's gloss) or ``mt_cosine`` (the translation) when the run has them.
With MT the score rule decides (``equivalent_threshold``), and its link's probability comes from a
logistic model of the score (variant ``encoder+mt``) fitted on the same tune sets.
Pure functions; nothing is printed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipeline.align.anchors import pair_anchors
from pipeline.align.features import split_tier
from pipeline.records import Segment

BASE_FEATURES = ("cosine", "margin", "length", "anchors")
LEXICAL_FEATURES = ("lexical",)
PAIR_TIER_FEATURES = ("cosine", "length", "anchors")
SCORE_FEATURES = ("score",)  # the MT score rule's probability model


def equivalent_variant(lexical: bool, mt: bool = False, pair: bool = False) -> str:
    """Name of the equivalence model variant for a run with/without the dictionary and MT (its pair-only
    tier with ``pair``: ``encoder:pair``)."""
    name = "+".join(["encoder"] + (["dictionary"] if lexical else []) + (["mt"] if mt else []))
    return name + (":pair" if pair else "")


def variant_features(name: str) -> tuple[str, ...]:
    base, tier = split_tier(name)
    parts = base.split("+")
    if tier == ":pair":
        return (
            PAIR_TIER_FEATURES
            + (("gloss_cosine",) if "dictionary" in parts and "mt" not in parts else ())
            + (("mt_cosine",) if "mt" in parts else ())
        )
    if "mt" in parts:
        return SCORE_FEATURES
    return BASE_FEATURES + (LEXICAL_FEATURES if "dictionary" in parts else ())


def _group_max(group: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    top = np.full(size, -np.inf)
    np.maximum.at(top, group, values)
    return top


def eligible(
    i: np.ndarray, j: np.ndarray, score: np.ndarray, n_ar: int, n_en: int, merge_gap: float
) -> tuple[np.ndarray, np.ndarray]:
    """(eligible, mutual) masks over the candidate pairs: mutual best of row and column, or the best of
    one of them while scoring within ``merge_gap`` of the other's best (a paragraph the translator split
    in two: both halves score alike; otherwise a near neighbour of a paragraph that already has its
    equivalent, such as an Easter paragraph next to Christmas)."""
    if score.size == 0:
        empty = np.zeros(0, dtype=bool)
        return empty, empty
    row_top, col_top = _group_max(i, score, n_ar), _group_max(j, score, n_en)
    row_best = score >= row_top[i]
    col_best = score >= col_top[j]
    mutual = row_best & col_best
    split = (row_best & (score >= col_top[j] - merge_gap)) | (col_best & (score >= row_top[i] - merge_gap))
    return mutual | split, mutual


def log_length_ratio(ar_rows: list[Segment], en_rows: list[Segment], i, j) -> np.ndarray:
    """log(Arabic characters / English characters) of each pair (``i``, ``j``)."""
    ar_len = np.array([max(len(r.text), 1) for r in ar_rows], dtype=np.float64)
    en_len = np.array([max(len(r.text), 1) for r in en_rows], dtype=np.float64)
    return np.log(ar_len[i] / en_len[j])


def length_deviation(
    ar_rows: list[Segment], en_rows: list[Segment], i, j, mutual: np.ndarray, centre: float | None = None
) -> np.ndarray:
    """|log length ratio − the median log ratio of the ``mutual`` pairs| for each pair (``i``, ``j``), or
    from ``centre`` when given (the calibration's, for the pair-only tier)."""
    ratio = log_length_ratio(ar_rows, en_rows, i, j)
    if centre is None:
        centre = float(np.median(ratio[mutual])) if mutual.any() else 0.0
    return np.abs(ratio - centre)


def equivalence_features(
    ar_rows: list[Segment],
    en_rows: list[Segment],
    i: np.ndarray,
    j: np.ndarray,
    score: np.ndarray,
    cosine: np.ndarray,
    margin: np.ndarray,
    merge_gap: float,
    lexical: np.ndarray | None = None,
    centre: float | None = None,
    extra: dict[str, np.ndarray] | None = None,
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The eligible pairs (positions into the candidate arrays) and their features. ``score``: the rule's
    score of every candidate (eligibility, and the ``score`` feature); ``lexical``: the dictionary feature
    of every candidate, when the run has a dictionary; ``centre``: the length centre for the pair-only
    tier (None: the run's own); ``extra``: more per-candidate features (``gloss_cosine``, ``mt_cosine``).
    Shared by the aligner and the calibration."""
    ok, mutual = eligible(i, j, score, len(ar_rows), len(en_rows), merge_gap)
    keep = np.nonzero(ok)[0]
    ei, ej = i[keep], j[keep]
    strength = pair_anchors(ar_rows, en_rows, ei, ej, np.ones(len(keep), dtype=bool))[0]
    features = {
        "cosine": cosine[keep].astype(np.float64),
        "margin": margin[keep].astype(np.float64),
        "length": length_deviation(ar_rows, en_rows, ei, ej, mutual[keep], centre),
        "anchors": strength.astype(np.float64),
        "score": score[keep].astype(np.float64),
    }
    if lexical is not None:
        features["lexical"] = np.asarray(lexical, dtype=np.float64)[keep]
    for name, values in (extra or {}).items():
        features[name] = np.asarray(values, dtype=np.float64)[keep]
    return keep, features


def decide_equivalent_model(n_pairs: int, keep: np.ndarray, features: dict[str, np.ndarray], model) -> np.ndarray:
    """Mask over the ``n_pairs`` candidates: eligible pairs (``keep``) whose probability reaches the
    model's threshold."""
    out = np.zeros(n_pairs, dtype=bool)
    if keep.size:
        out[keep] = model.probability(features) >= model.threshold
    return out


@dataclass
class EquivalentDecision:
    """The ``equivalent`` decision over the candidate pairs: the mask, each eligible pair's probability
    from the equivalence model that decided (NaN for the others, and where settings have no such model),
    the variant that decided, and why a smaller tier did (empty when the run had what the model needs)."""

    mask: np.ndarray
    probability: np.ndarray
    variant: str
    shortfall: list[str]
