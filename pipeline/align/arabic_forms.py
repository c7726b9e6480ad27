"""The forms under which a dictionary may list an Arabic word: the word as written, then the word with its
clitics and inflectional endings taken off, step by step, longest form first.

Pure string functions, no dictionary: :mod:`pipeline.align.lexicon` takes the first form that is a
headword. Forms are made from the word without diacritics but with its letters as written, so that a
written ة (feminine ending) and ه (the pronoun "his") stay distinct until the dictionary key folds them.
Verb morphology (imperfect prefixes, subject suffixes) is left out: FreeDict lists verbs under inflected
forms (يزيل, يشبه) and the light stemmer is the fallback for the rest.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pipeline.text.normalize import unvocalised

CONJUNCTIONS = ("و", "ف")
PREPOSITIONS = ("ب", "ل", "ك")
ARTICLE = "ال"
# Possessive/object pronouns, longest first so that هما is not read as ه + ما.
PRONOUNS = ("هما", "كما", "هم", "هن", "كم", "كن", "ها", "نا", "ني", "ه", "ك", "ي")
# Number and gender endings → what the singular (masculine, or feminine with ة) ends in instead.
ENDINGS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("تين", ("ة",)),  # feminine dual, oblique: محكمتين → محكمة
    ("تان", ("ة",)),  # feminine dual
    ("ات", ("", "ة")),  # feminine plural: انتخابات → انتخاب, مفوضيات → مفوضية
    ("ون", ("",)),  # masculine plural
    ("ين", ("",)),  # masculine plural / dual, oblique
    ("ان", ("",)),  # dual
    ("ة", ("",)),  # feminine singular: قضائية → قضائي
    ("ا", ("",)),  # accusative tanwin alef: رسمياً → رسمي
)
# A form with something taken off keeps at least this many letters: shorter remainders are mostly
# accidents (بيان → يان), and two-letter words are found as written.
MIN_STEM = 3
# ان also ends many singulars and broken plurals (أحيان, عنوان): the dual is taken off longer stems only.
MIN_ENDING_STEM = {"ان": 4}
_LETTERS = re.compile(r"[\u0621-\u064a\u0671-\u06d3]+")


def _proclitic_splits(word: str, article: bool = True) -> list[tuple[str, int]]:
    """(form, affixes taken off) for each way of taking a conjunction, a preposition and (with
    ``article``) the article off the front of ``word``; ل + ال is written لل (للانتخابات), so it gives
    both ال… and the bare word."""
    out = [(word, 0)]
    for conj in CONJUNCTIONS:
        if word.startswith(conj):
            out.append((word[len(conj) :], 1))
    with_prepositions = []
    for form, n in out:
        if form.startswith("لل"):
            with_prepositions += [(ARTICLE + form[2:], n + 1), (form[2:], n + 2)]
        with_prepositions += [(form[len(p) :], n + 1) for p in PREPOSITIONS if form.startswith(p)]
    out += with_prepositions
    if article:
        out += [(form[len(ARTICLE) :], n + 1) for form, n in out if form.startswith(ARTICLE)]
    return out


def _enclitic_splits(word: str) -> list[tuple[str, int]]:
    """(form, number/gender endings taken off) for each way of taking a pronoun and then an ending off the
    end of ``word``. Before a pronoun ة is written ت (مفوضيتها) and plural ون/ين lose their ن
    (مرشحيهم → مرشحين), so those are put back; the plural's stem (مرشح) counts as an ending taken off."""
    bases = [word]  # the word, and the word without a pronoun: the forms endings are taken off
    out = [(word, 0)]
    for pronoun in PRONOUNS:
        base = word[: -len(pronoun)]
        if not word.endswith(pronoun) or not base:
            continue
        bases.append(base)
        out.append((base, 0))
        if base.endswith("ت"):
            bases.append(base[:-1] + "ة")
            out.append((bases[-1], 0))
        if pronoun != "ي" and base.endswith(("و", "ي")) and len(base) > MIN_STEM:
            out += [(base + "ن", 0), (base[:-1], 1)]  # a plural put back is a lemma: no ending taken off it
    for form in bases:
        for ending, replacements in ENDINGS:
            if ending == "ا" and (form != word or form.endswith(("ها", "نا", "وا"))):
                continue  # tanwin alef ends a bare noun (رسمياً), not a pronoun or a verb's plural
            if form.endswith(ending) and len(form) - len(ending) >= MIN_ENDING_STEM.get(ending, MIN_STEM):
                out += [(form[: -len(ending)] + r, 1) for r in replacements]
    return out


@lru_cache(maxsize=1 << 18)
def candidate_forms(word: str) -> tuple[str, ...]:
    """The forms of ``word`` (diacritics removed, letters as written) a dictionary may list it under, in
    the order to try them: longest first, then the fewest number/gender endings taken off (a clitic
    leaves the word's lemma as it is, an ending may not: بطريقة is طريقة before بطريق), then the fewest
    clitics, then a fixed order of affixes. The word itself comes first; forms with something taken off
    keep at least ``MIN_STEM`` letters. Not a morphological analysis: most forms are not words, the
    dictionary picks."""
    word = unvocalised(word)
    if not _LETTERS.fullmatch(word):
        return (word,) if word else ()
    scored: dict[str, tuple[int, int, int, int]] = {}
    for front, n_clitics in _proclitic_splits(word):
        for form, n_endings in _enclitic_splits(front):
            changed = form != word
            if changed and len(form) < MIN_STEM:
                continue
            rank = (-len(form), n_endings, n_clitics + changed, len(scored))
            if form not in scored or rank < scored[form]:
                scored[form] = rank
    return tuple(sorted(scored, key=scored.__getitem__))


def clitic_splits(word: str) -> tuple[str, ...]:
    """``word`` with a conjunction and/or a preposition taken off the front and/or a pronoun off the end,
    however short what is left (منها → من, ولكن → لكن, لديهم → لدي): how a function word carrying
    clitics is recognised. The pronoun ي is left on: قبلي, كلي are mostly adjectives ("tribal", "total")."""
    word = unvocalised(word)
    out = []
    for front, _ in _proclitic_splits(word, article=False):
        out.append(front)
        out += [front[: -len(p)] for p in PRONOUNS if p != "ي" and front.endswith(p) and len(front) > len(p)]
    return tuple(dict.fromkeys(f for f in out if f and f != word))
