"""Candidate pairs for large inputs: each side's nearest neighbours by exact inner-product search (faiss),
instead of the dense (n_ar × n_en) matrices, so memory grows with n·k rather than n².

Margins use the same k best neighbours as the dense path, so scores and decisions agree with it on every
pair both paths score (``tests/test_align.py`` checks this). Each row's and column's best pair is always a
candidate, which is all the equivalent decision needs; related links beyond the k nearest are not sought.
"""

from __future__ import annotations

import numpy as np

from pipeline.align.pairs import Pairs
from pipeline.align.settings import AlignSettings
from pipeline.errors import PipelineError


def _search(queries: np.ndarray, base: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    try:
        import faiss
    except ImportError:
        raise PipelineError(None, "aligning this many paragraphs needs faiss-cpu installed") from None
    index = faiss.IndexFlatIP(base.shape[1])
    index.add(np.ascontiguousarray(base, dtype=np.float32))
    return index.search(np.ascontiguousarray(queries, dtype=np.float32), min(k, len(base)))


def _margins(
    src: np.ndarray,
    tgt: np.ndarray,
    i: np.ndarray,
    j: np.ndarray,
    k: int,
    d_st: np.ndarray | None = None,
    d_ts: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """cos and ratio margin of pairs (i, j); the neighbour similarities are searched unless given."""
    if d_st is None or d_ts is None:
        d_st, _ = _search(src, tgt, k)
        d_ts, _ = _search(tgt, src, k)
    row_mean = d_st[:, :k].mean(axis=1)
    col_mean = d_ts[:, :k].mean(axis=1)
    cos = np.einsum("ij,ij->i", src[i], tgt[j]).astype(np.float32)
    margin = cos / np.maximum((row_mean[i] + col_mean[j]) / 2.0, 1e-6)
    return cos, margin


def knn_pairs(
    ar_vecs: np.ndarray, en_vecs: np.ndarray, settings: AlignSettings, mt_vecs: np.ndarray | None = None
) -> Pairs:
    """The union of each Arabic paragraph's and each English paragraph's ``knn_candidates`` nearest
    neighbours, scored like :func:`pipeline.align.pairs.dense_pairs`."""
    depth = max(settings.knn_candidates, settings.margin_k)
    d_ae, i_ae = _search(ar_vecs, en_vecs, depth)
    d_ea, i_ea = _search(en_vecs, ar_vecs, depth)
    n_en = len(en_vecs)
    forward = np.repeat(np.arange(len(ar_vecs)), i_ae.shape[1]) * n_en + i_ae.ravel()
    backward = i_ea.ravel() * n_en + np.repeat(np.arange(n_en), i_ea.shape[1])
    codes = np.unique(np.concatenate([forward, backward]))
    i, j = codes // n_en, codes % n_en
    pairs = Pairs(i, j, *_margins(ar_vecs, en_vecs, i, j, settings.margin_k, d_ae, d_ea))
    if mt_vecs is not None:
        pairs.mt_cosine, pairs.mt_margin = _margins(mt_vecs, en_vecs, i, j, settings.margin_k)
    return pairs
