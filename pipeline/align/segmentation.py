"""Story segmentation of the Arabic documents: which English document each Arabic paragraph tells.

A news document tells its stories one after another, so neighbouring paragraphs mostly belong to the
same story. Each Arabic paragraph gets a story score with every English document (``story_scores``);
a Viterbi path through each Arabic document (``story_path``) assigns every paragraph one English
document, paying ``penalty`` (in the scores' standard deviations) at each change of document, so a
paragraph whose own best document disagrees with its neighbours' follows them unless its evidence is
clearly stronger. ``penalty`` is chosen by ``calibrate`` on the tune sets (``calibrate_penalty``: the
share of paragraphs whose path document is their gold one), never by hand.

The link model reads three features of the path (``path_features``):
- ``on_path``: the pair's English document is the path's document at its Arabic paragraph;
- ``path_score``: the mean story score of the path's segment (the run of paragraphs on that document),
  0 off the path: a long, clear segment is stronger evidence than one weak paragraph;
- ``path_unique``: on the path, and the segment is the best of the Arabic document's segments on that
  English document (a story is told once in a document, so a second, weaker segment on the same
  document is more likely a different story that resembles it).
Pure functions of numpy arrays; nothing is printed.
"""

from __future__ import annotations

import numpy as np

PATH_FEATURES = ("on_path", "path_score", "path_unique")


def _standardise(values: np.ndarray, axis: int) -> np.ndarray:
    mean = values.mean(axis=axis, keepdims=True)
    spread = values.std(axis=axis, keepdims=True)
    return (values - mean) / np.maximum(spread, 1e-6)


def story_scores(doc_best: np.ndarray, doc_mean: np.ndarray) -> np.ndarray:
    """(n_ar, n_docs): how far each (Arabic paragraph, English document) pair's best-plus-mean cosine
    stands out in its row (among the paragraph's documents) plus how far it stands out in its column
    (among the document's paragraphs): a document that matches every paragraph (hubness) or a paragraph
    that matches every document stands out in neither."""
    raw = np.asarray(doc_best, dtype=np.float64) + np.asarray(doc_mean, dtype=np.float64)
    if raw.size == 0:
        return raw
    row = _standardise(raw, 1) if raw.shape[1] > 1 else np.zeros_like(raw)
    col = _standardise(raw, 0) if raw.shape[0] > 1 else np.zeros_like(raw)
    return row + col


def _viterbi(scores: np.ndarray, penalty: float) -> np.ndarray:
    """The document sequence with the largest total score minus ``penalty`` per change (ties: the
    lower document index, and staying rather than switching)."""
    n, k = scores.shape
    if k == 1:  # one English document: nothing to choose (and no per-row loop on large one-document runs)
        return np.zeros(n, dtype=np.int64)
    back = np.zeros((n, k), dtype=np.int64)
    total = scores[0].copy()
    for t in range(1, n):
        best = int(total.argmax())
        switch = total[best] - penalty
        back[t] = np.where(total >= switch, np.arange(k), best)
        total = np.maximum(total, switch) + scores[t]
    path = np.zeros(n, dtype=np.int64)
    path[-1] = int(total.argmax())
    for t in range(n - 1, 0, -1):
        path[t - 1] = back[t, path[t]]
    return path


def story_path(scores: np.ndarray, ar_doc: np.ndarray, penalty: float) -> np.ndarray:
    """Each Arabic paragraph's English document on the best path through its own Arabic document."""
    path = np.zeros(scores.shape[0], dtype=np.int64)
    if scores.size == 0:
        return path
    for doc in np.unique(ar_doc):
        rows = np.nonzero(ar_doc == doc)[0]
        path[rows] = _viterbi(scores[rows], penalty)
    return path


def segments(path: np.ndarray, ar_doc: np.ndarray) -> np.ndarray:
    """Segment number of each Arabic paragraph: a new segment where the path's document or the Arabic
    document changes."""
    if len(path) == 0:
        return np.zeros(0, dtype=np.int64)
    change = (np.diff(path) != 0) | (np.diff(ar_doc) != 0)
    return np.r_[0, np.cumsum(change)].astype(np.int64)


def path_features(
    i: np.ndarray, pair_doc: np.ndarray, scores: np.ndarray, ar_doc: np.ndarray, penalty: float
) -> dict[str, np.ndarray]:
    """The path features (``PATH_FEATURES``) of the candidate pairs: Arabic paragraph ``i``, English
    document ``pair_doc`` (parallel arrays); ``scores`` from :func:`story_scores`."""
    n_ar = scores.shape[0]
    if n_ar == 0 or len(i) == 0:
        return {name: np.zeros(len(i)) for name in PATH_FEATURES}
    path = story_path(scores, ar_doc, penalty)
    seg = segments(path, ar_doc)
    seg_mean = np.bincount(seg, weights=scores[np.arange(n_ar), path]) / np.bincount(seg)
    starts = np.r_[0, np.nonzero(np.diff(seg))[0] + 1]
    seg_doc, seg_ar_doc = path[starts], ar_doc[starts]
    # the best segment of each (Arabic document, English document): the highest mean, the first on ties
    best_of: dict[tuple[int, int], int] = {}
    for s, key in enumerate(zip(seg_ar_doc.tolist(), seg_doc.tolist(), strict=True)):
        if key not in best_of or seg_mean[s] > seg_mean[best_of[key]]:
            best_of[key] = s
    unique = np.zeros(len(starts), dtype=bool)
    unique[list(best_of.values())] = True
    on_path = path[i] == pair_doc
    return {
        "on_path": on_path.astype(np.float64),
        "path_score": np.where(on_path, seg_mean[seg[i]], 0.0),
        "path_unique": (on_path & unique[seg[i]]).astype(np.float64),
    }


def path_accuracy(scores: np.ndarray, ar_doc: np.ndarray, gold_doc: np.ndarray, penalty: float) -> tuple[int, int]:
    """(right, total): Arabic paragraphs with a gold English document (``gold_doc`` ≥ 0) whose path
    document is that one."""
    has = gold_doc >= 0
    path = story_path(scores, ar_doc, penalty)
    return int((path[has] == gold_doc[has]).sum()), int(has.sum())


PENALTIES = tuple(float(p) for p in np.round(np.arange(0.0, 8.01, 0.5), 1))


def calibrate_penalty(sets: list[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> tuple[float, float]:
    """(penalty, accuracy): of ``PENALTIES``, the one whose paths put the most gold-linked Arabic
    paragraphs on their gold document, pooled over ``sets`` of (scores, ar_doc, gold_doc); ties: the
    smaller penalty."""
    best = (-1.0, 0.0)
    for penalty in PENALTIES:
        counts = [path_accuracy(s, a, g, penalty) for s, a, g in sets]
        right, total = sum(c[0] for c in counts), sum(c[1] for c in counts)
        accuracy = right / total if total else 0.0
        if accuracy > best[0] + 1e-12:
            best = (accuracy, penalty)
    return best[1], best[0]
