"""How much a key term says about a paragraph's specific subject, 0..1.

Two parts, multiplied (each raised to a calibrated power, :class:`pipeline.themes.settings.ThemeSettings`):

- ``rarity``: how rare the term is in the language at large (wordfreq's Zipf frequency; "the" ≈ 7.7,
  "election" ≈ 5.1, "rigging" ≈ 3.4), so "elections" and "commission" count for little and "memory
  sticks" for much;
- ``specificity``: how few of the run's paragraphs of the same language use it (an inverse document
  frequency scaled to 0..1): a word in every paragraph is the run's topic, not a theme. With one paragraph
  a side it is 1 for every term (nothing to compare with), so the weight falls back on rarity alone.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from functools import lru_cache

from pipeline.themes.terms import Term

ZIPF_COMMON = 7.0  # a Zipf frequency at or above this (the commonest function words) is rarity 0


# Arabic writes a conjunction, a preposition and the article onto the word, and web text often drops the
# hamza and writes final ة as ه: one word has many spellings, each rarer than the word. A spelling's
# frequency says little; the word's commonest form does (وبعد is بعد, بطلب is طلب, اجهزه is أجهزة).
_AR_PROCLITIC = re.compile(r"^(?:[وف]?(?:[بكل]?ال|لل)|[وف][بكل]?|[بكل])(?=...)")
_AR_HAMZA_INITIAL = {"ا": ("أ", "إ")}


def arabic_forms(word: str) -> list[str]:
    """The spellings of an Arabic word whose frequency may stand for it: as written, without its proclitics,
    and each with final ه written ة and a bare initial alef given its hamza."""
    stems = [word]
    stripped = _AR_PROCLITIC.sub("", word)
    if stripped != word:
        stems.append(stripped)
    forms = []
    for stem in stems:
        ends = [stem, stem[:-1] + "ة"] if stem.endswith("ه") else [stem]
        for form in ends:
            forms.append(form)
            forms.extend(h + form[1:] for h in _AR_HAMZA_INITIAL.get(form[:1], ()))
    return forms


def _commonest_form(word: str, lang: str) -> str:
    from wordfreq import zipf_frequency

    if lang != "ar":
        return word
    return max(arabic_forms(word), key=lambda form: zipf_frequency(form, lang))


@lru_cache(maxsize=1 << 16)
def rarity(surface: str, lang: str) -> float:
    """1 − Zipf/7 of the phrase, clipped to 0..1 (a word wordfreq has never seen is 1); an Arabic word is
    read in its commonest spelling (:func:`arabic_forms`)."""
    from wordfreq import zipf_frequency

    phrase = " ".join(_commonest_form(word, lang) for word in surface.split())
    zipf = zipf_frequency(phrase, lang)
    return min(1.0, max(0.0, (ZIPF_COMMON - zipf) / ZIPF_COMMON))


def specificity(document_frequency: dict[str, int], paragraphs: int) -> dict[str, float]:
    """log((N + 1) / df) / log(N + 1) of each term key: 1 for a term of one paragraph, near 0 for a term
    of every paragraph; 1 for everything when N is 1."""
    if paragraphs <= 1:
        return dict.fromkeys(document_frequency, 1.0)
    top = math.log(paragraphs + 1)
    return {key: math.log((paragraphs + 1) / df) / top for key, df in document_frequency.items()}


def document_frequency(paragraph_terms: Iterable[list[Term]]) -> dict[str, int]:
    df: dict[str, int] = {}
    for terms in paragraph_terms:
        for term in terms:
            df[term.key] = df.get(term.key, 0) + 1
    return df


def saliences(
    paragraph_terms: list[list[Term]], lang: str, rarity_power: float, specificity_power: float
) -> list[dict[str, float]]:
    """Each paragraph's term key → salience, for the paragraphs of one language of a run."""
    spec = specificity(document_frequency(paragraph_terms), len(paragraph_terms))
    return [
        {
            t.key: rarity(t.surface.lower() if lang == "en" else t.surface, lang) ** rarity_power
            * spec[t.key] ** specificity_power
            for t in terms
        }
        for terms in paragraph_terms
    ]
