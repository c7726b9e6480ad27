"""Can an English word name a thing? Themes are objects, events, claims and procedures: nouns and noun
phrases. A word WordNet knows only as a verb, adjective or adverb ("provide", "affirmed",
"particularly") names no theme on its own; a gerund does ("hacking"), and a word WordNet does not know (a
name, a new word) is kept.

The data (``data/wordnet_pos.tsv.gz``, made by ``scripts/build_wordnet_pos.py`` from WordNet 3.0, whose
permissive licence is in ``data/WORDNET-LICENSE``) lists each one-word lemma and irregular form with its
parts of speech; regular inflections are undone by WordNet's own detachment rules (morphy).
"""

from __future__ import annotations

import gzip
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).with_name("data") / "wordnet_pos.tsv.gz"
# WordNet's morphy suffix rules: (ending, replacement) per part of speech.
_DETACH = {
    "n": (
        ("s", ""),
        ("ses", "s"),
        ("xes", "x"),
        ("zes", "z"),
        ("ches", "ch"),
        ("shes", "sh"),
        ("men", "man"),
        ("ies", "y"),
    ),
    "v": (("s", ""), ("ies", "y"), ("es", "e"), ("es", ""), ("ed", "e"), ("ed", ""), ("ing", "e"), ("ing", "")),
    "a": (("er", ""), ("est", ""), ("er", "e"), ("est", "e")),
    "r": (),
}


@lru_cache(maxsize=1)
def _lemmas() -> dict[str, str]:
    with gzip.open(DATA, "rt", encoding="utf-8") as handle:
        return dict(line.rstrip("\n").split("\t") for line in handle)


@lru_cache(maxsize=1 << 16)
def parts_of_speech(word: str) -> frozenset[str]:
    """The parts of speech (``n``, ``v``, ``a``, ``r``) ``word`` can have, its inflections undone; empty
    when WordNet does not know it."""
    lemmas = _lemmas()
    word = word.lower()
    found = set(lemmas.get(word, ""))
    for pos, rules in _DETACH.items():
        for ending, replacement in rules:
            if word.endswith(ending) and len(word) > len(ending) + 1:
                base = word[: -len(ending)] + replacement
                if pos in lemmas.get(base, ""):
                    found.add(pos)
    return frozenset(found)


def can_name_a_thing(word: str) -> bool:
    """A noun, a gerund (an activity: "hacking", "counting"), or a word WordNet does not know (names)."""
    pos = parts_of_speech(word)
    return not pos or "n" in pos or ("v" in pos and word.lower().endswith("ing"))


def can_modify_a_thing(word: str) -> bool:
    """What can begin a noun phrase ("electronic extortion", "hacking group"): what can name a thing, or
    an adjective."""
    return can_name_a_thing(word) or "a" in parts_of_speech(word)


def is_a_name(word: str) -> bool:
    """A capitalised word WordNet does not know (in any case): a person, place, outlet or acronym."""
    return word[:1].isupper() and not parts_of_speech(word)


def english_can_be_a_noun(text: str) -> bool:
    """Can one of the words of an English gloss ("ballot box", "to follow") name a thing?"""
    import re

    return any(
        can_name_a_thing(w)
        for w in re.findall(r"[A-Za-z][A-Za-z'-]+", text)
        if w.lower() not in ("to", "a", "an", "the")
    )
