"""Candidate pairs: (Arabic, English) index pairs with their cosines and ratio margins, as parallel arrays.

The dense path (:func:`dense_pairs`) scores every pair; :mod:`pipeline.align.knn` builds the same record
from nearest neighbours for large inputs. :mod:`pipeline.align.comparable` scores and decides them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipeline.align.scoring import cosine_matrix, ratio_margin
from pipeline.align.settings import AlignSettings


@dataclass
class Pairs:
    """Candidate (Arabic, English) pairs as parallel arrays, in row-major order (by i, then j): every
    pair, or each side's nearest neighbours."""

    i: np.ndarray
    j: np.ndarray
    cosine: np.ndarray
    margin: np.ndarray
    mt_cosine: np.ndarray | None = None
    mt_margin: np.ndarray | None = None


def matrix_pairs(cos: np.ndarray, margin_k: int, mt_cos: np.ndarray | None = None, floor: float = 1e-6) -> Pairs:
    """Every pair of full cosine matrices (Arabic × English, and MT × English when given), with ratio
    margins over each row's and column's ``margin_k`` best (denominators at least ``floor``)."""
    i, j = np.indices(cos.shape)
    pairs = Pairs(i.ravel(), j.ravel(), cos.ravel(), ratio_margin(cos, margin_k, floor).ravel())
    if mt_cos is not None:
        pairs.mt_cosine, pairs.mt_margin = mt_cos.ravel(), ratio_margin(mt_cos, margin_k, floor).ravel()
    return pairs


def dense_pairs(
    ar_vecs: np.ndarray, en_vecs: np.ndarray, settings: AlignSettings, mt_vecs: np.ndarray | None = None
) -> Pairs:
    """Every pair, from full similarity matrices."""
    mt_cos = cosine_matrix(mt_vecs, en_vecs) if mt_vecs is not None else None
    return matrix_pairs(cosine_matrix(ar_vecs, en_vecs), settings.margin_k, mt_cos, settings.margin_floor)
