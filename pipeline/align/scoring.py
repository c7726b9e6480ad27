"""Similarities: cosine and ratio margin (Artetxe & Schwenk 2019) matrices, chrF of one pair. Pure functions."""

from __future__ import annotations

import numpy as np


def cosine_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cosine similarities of unit-length rows: (len(a), len(b))."""
    if len(a) == 0 or len(b) == 0:
        return np.zeros((len(a), len(b)), dtype=np.float32)
    return (a @ b.T).astype(np.float32)


def knn_mean(sim: np.ndarray, k: int, axis: int) -> np.ndarray:
    """Mean of the k largest similarities of each row (axis=1) or column (axis=0)."""
    n = sim.shape[axis]
    if n == 0:
        return np.zeros(sim.shape[1 - axis], dtype=np.float32)
    k = max(1, min(k, n))
    top = -np.partition(-sim, k - 1, axis=axis)
    top = top[:, :k] if axis == 1 else top[:k, :]
    return top.mean(axis=axis)


def ratio_margin(sim: np.ndarray, k: int = 4, floor: float = 1e-6) -> np.ndarray:
    """margin(x, y) = cos(x, y) / max((mean kNN cos of x + mean kNN cos of y) / 2, floor).

    Hubness correction: a paragraph that is close to everything (boilerplate) gets its similarities
    divided by a large neighbourhood mean, a specific paragraph keeps a high margin for its true match.
    ``floor`` (calibrated: ``AlignSettings.margin_floor``) keeps the ratio defined where the neighbours
    are few or unrelated to everything and their mean goes to zero or below.
    """
    if sim.size == 0:
        return sim.copy()
    return sim / margin_denominator(sim, k, floor)


def margin_denominator(sim: np.ndarray, k: int, floor: float = 1e-6) -> np.ndarray:
    """The ratio margin's denominator of every pair: the mean of the row's and the column's kNN means,
    at least ``floor``."""
    rows = knn_mean(sim, k, axis=1)[:, None]
    cols = knn_mean(sim, k, axis=0)[None, :]
    return np.maximum((rows + cols) / 2.0, floor)


def chrf_similarity(hypothesis: str, reference: str) -> float:
    """sacreBLEU sentence chrF (0..1) of a translation against an English paragraph (link evidence)."""
    from sacrebleu.metrics import CHRF

    if not hypothesis or not reference:
        return 0.0
    return CHRF().sentence_score(hypothesis, [reference]).score / 100.0
