"""Features of candidate (Arabic, English) pairs, the evidence the calibrated link model weighs.

Each feature is one number per pair, computed over the pairs' parallel arrays (``Pairs``) so the dense
path (every pair) and the nearest-neighbour path (candidates only) share the code. Names are stable: the
model file lists the features it was trained with, and the aligner computes exactly those.

- ``cosine``, ``margin``: the encoder's similarity and its ratio margin (hubness-corrected);
- ``row_rank``, ``col_rank``: 1/(1 + rank) of the pair by cosine in its Arabic row and English column;
- ``doc_best``: the Arabic paragraph's best cosine with any paragraph of the English paragraph's
  document (a paragraph that has its counterpart in a document relates to the rest of that document);
- ``context``: the same for the Arabic paragraph's neighbours (i − 1, i + 1 in its document): a
  passage that talks about a story supports each of its paragraphs' links to that story;
- ``story``: best plus mean cosine with the English document, averaged over the Arabic paragraph and
  its neighbours; ``story_z``: how many standard deviations that stands above the same paragraph's
  story scores with the other English documents;
- ``on_path``, ``path_score``, ``path_unique``: the story segmentation of the Arabic document
  (``pipeline.align.segmentation``): the pair's document is the one the Viterbi path assigns to the
  Arabic paragraph, the path segment's mean story score, and whether that segment is the document's best;
- ``anchors``: strength of shared numbers, dates and names (``pipeline.align.anchors``);
- ``lexical``: IDF-weighted share of the paragraphs' content words that a bilingual dictionary translates
  into each other (``pipeline.align.lexicon``; missing without the dictionary);
- ``gloss_cosine``: the encoder's cosine of the Arabic paragraph's dictionary gloss (a word-by-word
  pseudo-translation, ``lexicon.gloss_text``) with the English paragraph; ``gloss_story``: the same as
  ``story`` with the gloss's cosines (only with the dictionary and without MT);
- ``mt_cosine``, ``mt_lexical``: with MT, the translation's cosine with the English paragraph and its
  IDF-weighted word overlap.
Pure functions; nothing is printed.
"""

from __future__ import annotations

import numpy as np

from pipeline.align.pairs import Pairs
from pipeline.align.vectors import mean_cosines
from pipeline.records import Segment


def rank_within(group: np.ndarray, score: np.ndarray) -> np.ndarray:
    """Each pair's rank (0 = best) by score among the pairs of its group (its row or its column)."""
    order = np.lexsort((-score, group))
    ranks = np.empty(len(score), dtype=np.int64)
    sorted_group = group[order]
    starts = np.r_[0, np.nonzero(np.diff(sorted_group))[0] + 1] if len(order) else np.zeros(0, dtype=np.int64)
    first = np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    ranks[order] = np.arange(len(order)) - first
    return ranks


def doc_best(i: np.ndarray, en_doc_of_pair: np.ndarray, cosine: np.ndarray, n_ar: int, n_docs: int) -> np.ndarray:
    """(n_ar, n_docs): each Arabic paragraph's best cosine with any candidate paragraph of each English
    document; 0 where it has none (cosines of unrelated text sit near 0)."""
    best = np.zeros(n_ar * n_docs, dtype=np.float32)
    np.maximum.at(best, i.astype(np.int64) * n_docs + en_doc_of_pair, cosine.astype(np.float32))
    return best.reshape(n_ar, n_docs)


def doc_mean(i: np.ndarray, en_doc_of_pair: np.ndarray, cosine: np.ndarray, n_ar: int, n_docs: int) -> np.ndarray:
    """(n_ar, n_docs): each Arabic paragraph's mean cosine with the candidate paragraphs of each English
    document (0 where it has none)."""
    key = i.astype(np.int64) * n_docs + en_doc_of_pair
    total = np.bincount(key, weights=cosine, minlength=n_ar * n_docs)
    count = np.bincount(key, minlength=n_ar * n_docs)
    return (total / np.maximum(count, 1)).reshape(n_ar, n_docs).astype(np.float32)


def window(values: np.ndarray, ar_doc: np.ndarray) -> np.ndarray:
    """(n_ar, n_docs): the mean of ``values`` over each Arabic paragraph and its neighbours in the same
    Arabic document (i − 1, i, i + 1)."""
    total = values.astype(np.float64).copy()
    count = np.ones(len(values))
    if len(values) > 1:
        same = ar_doc[1:] == ar_doc[:-1]
        total[1:] += np.where(same[:, None], values[:-1], 0.0)
        total[:-1] += np.where(same[:, None], values[1:], 0.0)
        count[1:] += same
        count[:-1] += same
    return total / count[:, None]


def centroid_means(ar_vecs: np.ndarray, en_vecs: np.ndarray, en_doc: np.ndarray) -> np.ndarray:
    """(n_ar, n_docs): the mean cosine of each Arabic vector with each English document's vectors, exactly,
    from the documents' summed vectors (mean of dot products = dot product with the mean)."""
    n_docs = int(en_doc.max()) + 1 if len(en_doc) else 0
    sums = np.zeros((n_docs, en_vecs.shape[1]), dtype=np.float64)
    np.add.at(sums, en_doc, en_vecs)
    return mean_cosines(ar_vecs, sums, en_doc)


def neighbour_support(best: np.ndarray, ar_doc: np.ndarray) -> np.ndarray:
    """(n_ar, n_docs): for each Arabic paragraph, the larger ``best`` of its previous and next paragraph
    in the same Arabic document (0 at a document's edge)."""
    n_ar = best.shape[0]
    out = np.zeros_like(best)
    if n_ar < 2:
        return out
    same_prev = ar_doc[1:] == ar_doc[:-1]  # row k and k - 1 share a document
    out[1:] = np.where(same_prev[:, None], best[:-1], 0.0)
    out[:-1] = np.maximum(out[:-1], np.where(same_prev[:, None], best[1:], 0.0))
    return out


def pair_features(
    i: np.ndarray,
    j: np.ndarray,
    cosine: np.ndarray,
    margin: np.ndarray,
    ar_doc: np.ndarray,
    en_doc: np.ndarray,
    extra: dict[str, np.ndarray] | None = None,
    doc_means: np.ndarray | None = None,
    story_penalty: float | None = None,
) -> dict[str, np.ndarray]:
    """The features of each candidate pair (parallel arrays ``i``, ``j``), ``ar_doc``/``en_doc`` the
    document index of each Arabic/English paragraph. ``extra`` adds features computed elsewhere
    (anchors, lexical, MT) under their names. ``doc_means`` (n_ar, n_docs): each Arabic paragraph's mean
    cosine with each English document, when the candidates are not every pair (:func:`centroid_means`).
    ``story_penalty``: the story path's switch penalty (calibrated); the path features need it."""
    from pipeline.align.segmentation import path_features, story_scores

    n_ar = len(ar_doc)
    n_docs = int(en_doc.max()) + 1 if len(en_doc) else 0
    pair_doc = en_doc[j]
    best = doc_best(i, pair_doc, cosine, n_ar, n_docs)
    support = neighbour_support(best, ar_doc)
    means = doc_means if doc_means is not None else doc_mean(i, pair_doc, cosine, n_ar, n_docs)
    story = window(best, ar_doc) + window(means, ar_doc)
    # How far the story score of this document stands above the Arabic paragraph's scores with the other
    # documents, in standard deviations: with a few documents on one topic nothing stands out far.
    spread = story.std(axis=1, keepdims=True) if n_docs > 1 else np.ones((n_ar, 1))
    story_z = (story - story.mean(axis=1, keepdims=True)) / np.maximum(spread, 1e-6)
    features = {
        "cosine": cosine.astype(np.float64),
        "margin": margin.astype(np.float64),
        "row_rank": 1.0 / (1.0 + rank_within(i, cosine)),
        "col_rank": 1.0 / (1.0 + rank_within(j, cosine)),
        "doc_best": best[i, pair_doc].astype(np.float64),
        "context": support[i, pair_doc].astype(np.float64),
        "story": story[i, pair_doc],
        "story_z": story_z[i, pair_doc],
    }
    if story_penalty is not None:
        features |= path_features(i, pair_doc, story_scores(best, means), ar_doc, story_penalty)
    for name, values in (extra or {}).items():
        features[name] = np.asarray(values, dtype=np.float64)
    return features


# The features each variant of the link model uses; the variant is chosen by what the run has (a
# dictionary, MT), so a missing dictionary means the model trained without it, never a silent zero.
BASE_FEATURES = (
    "cosine",
    "row_rank",
    "col_rank",
    "doc_best",
    "context",
    "story",
    "story_z",
    "on_path",
    "path_score",
    "path_unique",
)
LEXICAL_FEATURES = ("lexical", "story_lexical")
# The dictionary's gloss stands in for a translation: only without MT (with it, measured: no gain).
GLOSS_FEATURES = ("gloss_cosine", "gloss_story")
MT_FEATURES = ("mt_cosine", "mt_lexical")


# Tiers of a variant, for runs too small for some features (``pipeline.align.model.RunShape``): the full
# model; ``:paragraphs`` without the features that describe an (Arabic paragraph, English document) pair
# (one English article: every pair of a row shares them, story_z is 0 and every pair is on the story
# path, so they only lift or lower the whole row, by an amount no run with one document calibrated; in a
# document of 13,000 lines of random words the best of them looks like a story); ``:pair``, the pair's
# own similarities only, which mean the same whatever else the run holds (one English paragraph: every
# rank is 1, IDF weights and story scores compare nothing). A run is decided by the first tier it has
# enough for.
TIERS = ("", ":paragraphs", ":pair")
PAIR_FEATURES = ("cosine", "gloss_cosine", "mt_cosine")
DOCUMENT_FEATURES = (
    "doc_best",
    "context",
    "story",
    "story_z",
    "on_path",
    "path_score",
    "path_unique",
    "story_lexical",
    "gloss_story",
)
# A z-score among fewer than three documents is ±1 or 0 whatever the texts say.
MIN_DOCUMENTS = 3


def split_tier(name: str) -> tuple[str, str]:
    """``"encoder+mt:pair"`` → ``("encoder+mt", ":pair")``."""
    base, colon, tier = name.partition(":")
    return base, colon + tier


def tier_features(features: tuple[str, ...], tier: str) -> tuple[str, ...]:
    """The features a tier of a variant keeps."""
    if tier == ":pair":
        return tuple(f for f in features if f in PAIR_FEATURES)
    if tier == ":paragraphs":
        return tuple(f for f in features if f not in DOCUMENT_FEATURES)
    return features


def variant(lexical: bool, mt: bool, tier: str = "") -> str:
    """Name of the model variant for a run with/without the dictionary and MT, and its ``tier``."""
    return "+".join(["encoder"] + (["dictionary"] if lexical else []) + (["mt"] if mt else [])) + tier


def variant_features(name: str) -> tuple[str, ...]:
    base, tier = split_tier(name)
    parts = base.split("+")
    lexical = "dictionary" in parts
    mt = "mt" in parts
    features = (
        BASE_FEATURES
        + (LEXICAL_FEATURES if lexical else ())
        + (GLOSS_FEATURES if lexical and not mt else ())
        + (MT_FEATURES if mt else ())
    )
    return tier_features(features, tier)


def required_shape(features: tuple[str, ...], margin_k: int, smallest: dict, tier: str = "") -> dict:
    """The smallest run on which ``features`` mean what they meant in calibration (``RunShape`` fields): a
    feature that compares a pair with the run's other paragraphs (margin, ranks, IDF, story scores, the
    length centre) needs the margin's neighbourhood, ``margin_k`` paragraphs on each side, and one that
    chooses among documents needs MIN_DOCUMENTS English documents; where calibration trained on smaller
    runs (``smallest``: the fewest of each that its sets had), those were seen and are allowed. The pair
    tier needs nothing."""
    if tier == ":pair":
        return {}
    needs = {"ar_paragraphs": margin_k, "en_paragraphs": margin_k, "en_documents": 1}
    if any(f in DOCUMENT_FEATURES for f in features):
        needs["en_documents"] = MIN_DOCUMENTS
    return {key: min(need, smallest[key]) for key, need in needs.items()}


def run_shape(ar_rows: list[Segment], en_rows: list[Segment]):
    """The run's :class:`pipeline.align.model.RunShape`."""
    from pipeline.align.model import RunShape

    return RunShape(len(ar_rows), len(en_rows), len({r.doc for r in en_rows}))


def pair_cosine(a_vecs: np.ndarray, b_vecs: np.ndarray, i: np.ndarray, j: np.ndarray, block: int = 65536) -> np.ndarray:
    """Cosine of ``a_vecs[i]`` and ``b_vecs[j]`` (unit-length rows) for each pair, a block at a time."""
    out = np.empty(len(i), dtype=np.float32)
    for start in range(0, len(i), block):
        a, b = i[start : start + block], j[start : start + block]
        out[start : start + block] = np.einsum("pk,pk->p", a_vecs[a], b_vecs[b])
    return out


def gloss_features(
    i: np.ndarray,
    j: np.ndarray,
    gloss_cosine: np.ndarray,
    ar_doc: np.ndarray,
    en_doc: np.ndarray,
    doc_means: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """``gloss_cosine`` and ``gloss_story`` (best plus mean gloss cosine with the pair's English document,
    averaged over the Arabic paragraph and its neighbours, as ``story``)."""
    n_docs = int(en_doc.max()) + 1 if len(en_doc) else 0
    pair_doc = en_doc[j]
    best = doc_best(i, pair_doc, gloss_cosine, len(ar_doc), n_docs)
    means = doc_means if doc_means is not None else doc_mean(i, pair_doc, gloss_cosine, len(ar_doc), n_docs)
    story = window(best, ar_doc) + window(means, ar_doc)
    return {"gloss_cosine": gloss_cosine, "gloss_story": story[i, pair_doc]}


def doc_indexes(rows: list[Segment]) -> np.ndarray:
    """Each row's document as 0, 1, ... in order of first appearance."""
    ids: dict[str, int] = {}
    return np.array([ids.setdefault(r.doc, len(ids)) for r in rows], dtype=np.int64)


def link_features(
    ar_rows: list[Segment],
    en_rows: list[Segment],
    pairs: Pairs,
    lexicon,
    doc_means: np.ndarray | None = None,
    story_penalty: float | None = None,
    gloss_cosine: np.ndarray | None = None,
    gloss_doc_means: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Every feature the run can compute for the candidate ``pairs``: the base ones, the dictionary's when a
    dictionary is given (without MT also ``gloss_cosine``: each pair's cosine of the Arabic gloss with the
    English, which the caller embeds; ``gloss_doc_means`` as ``doc_means`` for the glosses), the MT ones when the
    Arabic rows have ``mt_text`` (and the pairs have ``mt_cosine``).
    Shared by the aligner and the calibration, so a model means the same in both."""
    from pipeline.align.lexicon import lexical_features

    i, j, mt_cosine = pairs.i, pairs.j, pairs.mt_cosine
    mt_texts = [r.mt_text for r in ar_rows] if mt_cosine is not None else None
    ar_doc, en_doc = doc_indexes(ar_rows), doc_indexes(en_rows)
    extra = lexical_features(
        [r.text for r in ar_rows], [r.text for r in en_rows], i, j, lexicon, mt_texts, ar_doc, en_doc
    )
    if mt_cosine is not None:
        extra["mt_cosine"] = mt_cosine
    if lexicon is not None and mt_cosine is None:
        if gloss_cosine is None:
            raise ValueError("a dictionary's features without MT need each pair's gloss cosine (gloss_cosine)")
        extra |= gloss_features(i, j, gloss_cosine, ar_doc, en_doc, gloss_doc_means)
    return pair_features(i, j, pairs.cosine, pairs.margin, ar_doc, en_doc, extra, doc_means, story_penalty)
