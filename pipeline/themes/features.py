"""Theme features of candidate (Arabic, English) paragraph pairs: how much salient meaning their key terms
share, the evidence the calibrated theme model weighs.

For one pair, the terms of the two paragraphs are matched one to one, greedily, strongest first: a match
is a pair of terms the run's term relations allow (:func:`allowed_matches`: the dictionary or, for MT,
identical stems; or phrase vectors with cosine ≥ ``term_floor`` that are mutual near neighbours); its
weight is its strength × √(salience × salience); once a word has been
matched (inside a phrase or alone) it is not matched again, so "memory sticks" is not counted three times.

- ``theme_mass``: the sum of the match weights; ``theme_top``: the largest;
- ``theme_cover``: the mass over √(the two paragraphs' total one-word salience) (a soft cosine: a long
  paragraph does not win by size alone);
- ``theme_matches``: how many matches;
- ``theme_exact``: the part of the mass the dictionary (or identical stems) found;
- ``cosine``: the encoder's cosine of the two paragraphs;
- with MT (``mt_`` prefix): the same four over the translation's English terms.
Pure functions; nothing is printed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from pipeline.themes.bridge import TermMatches, TermPairs, TermTable

FEATURES = ("theme_mass", "theme_top", "theme_cover", "theme_matches", "theme_exact")


@dataclass(frozen=True)
class Match:
    src: int  # term index in the source side's table
    en: int  # term index in the English table
    strength: float  # cosine of the phrase vectors (for an exact match at least the phrase-match floor)
    weight: float  # strength × √(salience × salience)
    exact: bool


def allowed_matches(pairs: TermPairs, source_ok: np.ndarray, term_floor: float, term_rank: int) -> TermMatches:
    """The pairs of terms that may be matched: an exact pair, or phrase vectors with cosine ≥ ``term_floor``
    that are among each other's ``term_rank`` nearest; in either case a source term that may name a theme
    (``source_ok``)."""
    keep = pairs.exact | ((pairs.similarity >= term_floor) & (pairs.ranks < term_rank))
    return TermMatches.of(pairs, keep & source_ok[pairs.rows])


def match_terms(
    rows: np.ndarray,
    cols: np.ndarray,
    allowed: TermMatches,
    src_salience: np.ndarray,
    en_salience: np.ndarray,
    src_words: list[tuple[str, ...]],
    en_words: list[tuple[str, ...]],
    exact_floor: float = 0.0,
) -> list[Match]:
    """The one-to-one matches between the terms ``rows`` (source side) and ``cols`` (English side) of one
    pair: ``allowed`` holds the run's allowed pairs of terms, the saliences are aligned with ``rows`` and
    ``cols``. An exact match is as strong as its phrase vectors' cosine, and at least ``exact_floor`` (a
    dictionary's sense may not be the one meant: the cosine says how well the two agree). Strongest weight
    first."""
    if len(rows) == 0 or len(cols) == 0:
        return []
    places: dict[int, list[int]] = {}  # English term → its places in cols
    for place, term in enumerate(cols.tolist()):
        places.setdefault(term, []).append(place)
    found_r, found_c, found_k = [], [], []
    starts = allowed.starts
    for place, term in enumerate(rows.tolist()):
        for k in range(int(starts[term]), int(starts[term + 1])):
            for other in places.get(int(allowed.cols[k]), ()):
                found_r.append(place)
                found_c.append(other)
                found_k.append(k)
    if not found_r:
        return []
    r, c, entry = (np.asarray(x, dtype=np.int64) for x in (found_r, found_c, found_k))
    sim, ex = allowed.similarity[entry], allowed.exact[entry]
    strength = np.where(ex, np.maximum(sim, exact_floor), sim)
    weight = strength * np.sqrt(src_salience[r] * en_salience[c])
    order = np.lexsort((c, r, -weight))  # ties: the earlier terms, so the result does not depend on hashing
    used_src: set[str] = set()
    used_en: set[str] = set()
    matches = []
    for k in order.tolist():
        a, b = int(rows[r[k]]), int(cols[c[k]])
        if weight[k] <= 0 or used_src.intersection(src_words[a]) or used_en.intersection(en_words[b]):
            continue
        used_src.update(src_words[a])
        used_en.update(en_words[b])
        matches.append(Match(a, b, float(strength[k]), float(weight[k]), bool(ex[k])))
    return matches


def salience_vector(table: TermTable, paragraph: int, saliences: dict[str, float]) -> np.ndarray:
    return np.asarray([saliences[table.keys[k]] for k in table.paragraphs[paragraph]], dtype=np.float64)


def one_word_total(table: TermTable, paragraph: int, saliences: dict[str, float]) -> float:
    return float(sum(saliences[table.keys[k]] for k in table.paragraphs[paragraph] if len(table.words[k]) == 1))


def pair_theme_features(
    i: np.ndarray,
    j: np.ndarray,
    src: TermTable,
    en: TermTable,
    allowed: TermMatches,
    src_saliences: list[dict[str, float]],
    en_saliences: list[dict[str, float]],
    exact_floor: float,
    prefix: str = "",
) -> dict[str, np.ndarray]:
    """The :data:`FEATURES` (names with ``prefix``) of each pair (``i`` source paragraph, ``j`` English
    paragraph, parallel arrays)."""
    out = {prefix + name: np.zeros(len(i), dtype=np.float64) for name in FEATURES}
    src_sal = [salience_vector(src, p, s) for p, s in enumerate(src_saliences)]
    en_sal = [salience_vector(en, p, s) for p, s in enumerate(en_saliences)]
    src_total = [one_word_total(src, p, s) for p, s in enumerate(src_saliences)]
    en_total = [one_word_total(en, p, s) for p, s in enumerate(en_saliences)]
    for k, (a, b) in enumerate(zip(i.tolist(), j.tolist(), strict=True)):
        matches = match_terms(
            src.paragraphs[a],
            en.paragraphs[b],
            allowed,
            src_sal[a],
            en_sal[b],
            src.words,
            en.words,
            exact_floor,
        )
        if not matches:
            continue
        weights = [m.weight for m in matches]
        mass = float(sum(weights))
        out[prefix + "theme_mass"][k] = mass
        out[prefix + "theme_top"][k] = max(weights)
        out[prefix + "theme_cover"][k] = mass / math.sqrt(max(src_total[a] * en_total[b], 1e-9))
        out[prefix + "theme_matches"][k] = len(matches)
        out[prefix + "theme_exact"][k] = float(sum(m.weight for m in matches if m.exact))
    return out
