"""Candidate pairs for large inputs: each side's nearest neighbours (faiss: exact inner-product search, an
inverted file past ``ivf_min`` paragraphs), instead of the dense (n_ar × n_en) matrices, so memory grows
with n·k rather than n².

Margins use the same k best neighbours as the dense path, so scores and decisions agree with it on every
pair both paths score (``tests/test_align.py`` checks this). Each row's and column's best pair is always a
candidate, which is all the equivalent decision needs; related links beyond the k nearest are not sought.
"""

from __future__ import annotations

import numpy as np

from pipeline.align.ann import NeighbourIndex
from pipeline.align.pairs import Pairs
from pipeline.align.settings import AlignSettings
from pipeline.align.vectors import LocalVectors, SideVectors


def _margins(
    cos: np.ndarray,
    i: np.ndarray,
    j: np.ndarray,
    k: int,
    d_st: np.ndarray,
    d_ts: np.ndarray,
    floor: float = 1e-6,
) -> np.ndarray:
    """The ratio margin of pairs (i, j) of cosine ``cos``, from each side's neighbour similarities (global top-k)."""
    row_mean = d_st[:, :k].mean(axis=1)
    col_mean = d_ts[:, :k].mean(axis=1)
    return cos / np.maximum((row_mean[i] + col_mean[j]) / 2.0, floor)


def knn_pairs(
    ar_vecs: np.ndarray,
    en_vecs: np.ndarray | SideVectors,
    settings: AlignSettings,
    mt_vecs: np.ndarray | None = None,
) -> Pairs:
    """The union of each Arabic paragraph's and each English paragraph's ``knn_candidates`` nearest
    neighbours, scored like :func:`pipeline.align.pairs.dense_pairs`. Past ``settings.ivf_min``
    paragraphs on the searched side the neighbours come from an inverted file (``pipeline.align.ann``).
    ``en_vecs`` may be held elsewhere (:class:`pipeline.align.vectors.SideVectors`): the English index is
    filled by its holders, and the English rows are searched against the Arabic (and MT) index and their
    pairs' cosines computed where they are held. One English index at a time is kept."""
    depth = max(settings.knn_candidates, settings.margin_k)
    en = en_vecs if isinstance(en_vecs, SideVectors) else LocalVectors(en_vecs)

    def index(base, queries) -> NeighbourIndex:
        return NeighbourIndex(base, settings.ivf_min, settings.ivf_recall, depth, queries=queries)

    en_index = index(en, ar_vecs)
    d_ae, i_ae = en_index.search(ar_vecs, depth, "align: Arabic → English neighbours")
    if mt_vecs is not None:
        # The MT side's margins: its own neighbourhoods, the English index answering MT queries.
        d_me, _ = en_index.search(mt_vecs, settings.margin_k, "align: MT → English neighbours")
    del en_index
    d_ea, i_ea = index(ar_vecs, en).search_held(en, depth, "align: English → Arabic neighbours")
    n_en = len(en)
    forward = np.repeat(np.arange(len(ar_vecs)), i_ae.shape[1]) * n_en + i_ae.ravel()
    backward = i_ea.ravel() * n_en + np.repeat(np.arange(n_en), i_ea.shape[1])
    codes = np.unique(np.concatenate([forward, backward]))
    i, j = codes // n_en, codes % n_en
    cos = en.pair_cosines(ar_vecs, i, j)
    pairs = Pairs(i, j, cos, _margins(cos, i, j, settings.margin_k, d_ae, d_ea, settings.margin_floor))
    if mt_vecs is not None:
        d_em, _ = index(mt_vecs, en).search_held(en, settings.margin_k, "align: English → MT neighbours")
        pairs.mt_cosine = en.pair_cosines(mt_vecs, i, j)
        pairs.mt_margin = _margins(pairs.mt_cosine, i, j, settings.margin_k, d_me, d_em, settings.margin_floor)
    return pairs
