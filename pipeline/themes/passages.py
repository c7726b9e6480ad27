"""What the encoder says about a pair of paragraphs beyond their key terms: whole-paragraph similarity,
similarity once the run's common subject is taken out, and the best-matching sentences.

A statement paragraph takes up several points and a report paragraph one or two, all about the same broad
topic ("Iraqi elections"), so a shared theme often lives in one sentence of each and the paragraphs' own
vectors are dominated by what every paragraph shares. Hence, per pair (``prefix`` ``mt_`` for a
translation's English against the English):

- ``cosine``: the paragraphs' vectors;
- ``centred_cosine``: the same after subtracting each side's mean paragraph vector, shrunk towards zero by
  :data:`CENTRING_PRIOR` paragraphs' worth (a run of one or two paragraphs is barely centred, so the
  feature means the same whatever the run's size);
- ``sentence_best``, ``sentence_top2``: the best sentence-pair cosine, and the mean of the best two (a long
  sentence read as overlapping windows, :func:`passages`).
Pure functions over vectors.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipeline.text.sentences import split_sentences

CENTRING_PRIOR = 5.0
FEATURES = ("cosine", "centred_cosine", "sentence_best", "sentence_top2")


@dataclass
class Embedded:
    """One side of a run: its paragraph vectors and, per paragraph, its sentences' vectors."""

    paragraphs: np.ndarray
    sentences: list[np.ndarray]


WINDOW = 24  # words: a sentence longer than 1.5 windows is read as overlapping windows of this many words


def sentence_passages(sentence: str) -> list[str]:
    """The sentence itself, or a long one (a statement's sentence runs on over several points, joined by
    commas) as windows of WINDOW words, half a window apart."""
    words = sentence.split()
    if len(words) <= WINDOW * 3 // 2:
        return [sentence]
    return [" ".join(words[k : k + WINDOW]) for k in range(0, len(words) - WINDOW // 2, WINDOW // 2)]


def passages(sentences: list[str]) -> list[str]:
    """The units whose vectors are compared: each sentence's :func:`sentence_passages`, in order."""
    return [p for sentence in sentences for p in sentence_passages(sentence)]


def passage_sentences(sentences: list[str]) -> list[int]:
    """For each of :func:`passages`, the index of the sentence it comes from."""
    return [k for k, sentence in enumerate(sentences) for _ in sentence_passages(sentence)]


def sentence_texts(text: str) -> list[str]:
    """The sentences of ``text`` (the pipeline's splitter), or the text itself when it has none."""
    return [text[a:b] for a, b in split_sentences(text)] or ([text] if text.strip() else [])


def embed_side(paragraphs: np.ndarray, sentences: list[list[str]], lang: str, encoder) -> Embedded:
    """``paragraphs`` (already embedded) with their sentences' :func:`passages` embedded in one batch."""
    sentences = [passages(group) for group in sentences]
    flat = [s for group in sentences for s in group]
    vectors = encoder.encode(flat, lang) if flat else np.zeros((0, paragraphs.shape[1]), dtype=np.float32)
    out, start = [], 0
    for group in sentences:
        out.append(vectors[start : start + len(group)])
        start += len(group)
    return Embedded(np.asarray(paragraphs, dtype=np.float32), out)


def centred(vectors: np.ndarray, prior: float = CENTRING_PRIOR) -> np.ndarray:
    """Unit vectors after subtracting the shrunk mean (sum / (n + prior))."""
    if not len(vectors):
        return vectors
    shifted = vectors - vectors.sum(axis=0) / (len(vectors) + prior)
    return shifted / np.maximum(np.linalg.norm(shifted, axis=1, keepdims=True), 1e-9)


# Pairs whose rows are gathered at once: the gathered rows take 2 × PAIR_CHUNK × dim × 4 bytes (256 MB at
# dim 512), where gathering every pair's rows took 6.7 GB at 40,000 paragraphs a side (1.6 million pairs).
PAIR_CHUNK = 1 << 16


def pair_dots(a: np.ndarray, b: np.ndarray, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """float64 inner products of rows ``a[i]`` and ``b[j]``, pair by pair, PAIR_CHUNK pairs at a time."""
    out = np.empty(len(i), dtype=np.float64)
    for start in range(0, len(i), PAIR_CHUNK):
        stop = start + PAIR_CHUNK
        out[start:stop] = np.einsum("pd,pd->p", a[i[start:stop]], b[j[start:stop]])
    return out


def passage_features(src: Embedded, en: Embedded, i: np.ndarray, j: np.ndarray, prefix: str = "") -> dict:
    """:data:`FEATURES` (names with ``prefix``) of each pair; sentence features are 0 where a paragraph has
    no sentence."""
    cosine = pair_dots(src.paragraphs, en.paragraphs, i, j)
    ac, ec = centred(src.paragraphs), centred(en.paragraphs)
    best = np.zeros(len(i), dtype=np.float64)
    top2 = np.zeros(len(i), dtype=np.float64)
    for k, (a, b) in enumerate(zip(i.tolist(), j.tolist(), strict=True)):
        sims = (src.sentences[a] @ en.sentences[b].T).ravel() if len(src.sentences[a]) and len(en.sentences[b]) else []
        if len(sims):
            ordered = np.sort(sims)[::-1]
            best[k] = ordered[0]
            top2[k] = ordered[:2].mean()
    return {
        prefix + "cosine": cosine,
        prefix + "centred_cosine": pair_dots(ac, ec, i, j),
        prefix + "sentence_best": best,
        prefix + "sentence_top2": top2,
    }
