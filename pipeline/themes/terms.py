"""Key terms of a paragraph: its content words and two-word phrases, in either language, with their spans.

A term is matched by its ``key`` (the words' stems: "memory sticks" and "memory stick" are one term) and
shown and embedded by its ``surface`` (as first written). Two-word phrases are adjacent content words with
nothing but a space or hyphen between them, so a phrase never spans a comma or a function word. An English
term must be able to name a thing (:mod:`pipeline.themes.pos`): a one-word term a noun, a gerund or a word
WordNet does not know; a phrase one that ends so, after a noun or an adjective ("electronic extortion").
Names (a capitalised word WordNet does not know: "Khazali", "UNAMI") are left out: a theme is a kind of
thing, not one person, place or outlet, and a name's vector is close to many unrelated words of the other
language. Numbers are left to the anchors of the link features. Pure functions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.align.lexicon import english_stem
from pipeline.align.stopwords import AR_STOP, EN_STOP
from pipeline.themes.pos import can_modify_a_thing, can_name_a_thing, is_a_name
from pipeline.text.normalize import arabic_key

_EN_TOKEN = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]")
_AR_TOKEN = re.compile(r"[\u0621-\u064a\u0671-\u06d3]{2,}")
_JOINER = re.compile(r"[ \t\u00a0-]+")  # what may stand between the two words of a phrase
MAX_WORDS = 2
# Words in -ing that work as prepositions or connectives, not activities.
_EN_CONNECTIVES = {"including", "according", "regarding", "concerning", "following", "excluding", "pending"}
# The article and the one-letter words glued before it (و ف ب ك ل + ال): safe to strip. Other clitics are
# left on: a light stemmer that strips any leading ب or ف breaks words (بيانات → يانا, فلاش → لاش).
_AR_ARTICLE = re.compile(r"^(?:[وف]?(?:[بك]?ال|لل))(?=...)")
# Besides the shared stop list: the ordinal adverbs that number a statement's points (أولاً … عاشراً, like
# English "first", "second"), and particles and adverbs that name nothing.
_AR_NOT_TERMS = {
    arabic_key(w)
    for w in """أولا ثانيا ثالثا رابعا خامسا سادسا سابعا ثامنا تاسعا عاشرا أخيرا
إنما فقط جدا لذلك لذا عندما بينما حين وفق وفقا سوى""".split()
}


def _arabic_function_word(key: str) -> bool:
    """A function word, also with the conjunction و or ف written onto it (وبعد, فمنذ)."""
    return any(k in AR_STOP or k in _AR_NOT_TERMS for k in (key, key[1:] if len(key) > 2 and key[0] in "وف" else key))


@dataclass(frozen=True, slots=True)
class Term:
    key: str  # stems of its words, space-joined
    words: tuple[str, ...]  # the stems one by one
    surface: str  # as first written in the paragraph
    spans: tuple[tuple[int, int], ...]  # every occurrence, offsets into the paragraph


@dataclass(frozen=True)
class _Token:
    stem: str
    start: int
    end: int
    head: bool = True  # may end a term (English: can name a thing)
    modifier: bool = True  # may begin a two-word phrase


def _english_tokens(text: str) -> list[_Token | None]:
    """Content words as tokens; a function word or punctuation between two words as None (a phrase
    boundary)."""
    tokens: list[_Token | None] = []
    last_end = 0
    for m in _EN_TOKEN.finditer(text):
        word = m.group().replace("’", "'")
        if word.lower().endswith("'s"):
            word = word[:-2]
        if not _JOINER.fullmatch(text[last_end : m.start()] or " "):
            tokens.append(None)
        last_end = m.end()
        if word.lower() in EN_STOP or word.lower() in _EN_CONNECTIVES or len(word) < 3 or is_a_name(word):
            tokens.append(None)
            continue
        tokens.append(
            _Token(
                english_stem(word),
                m.start(),
                m.start() + len(word),
                can_name_a_thing(word),
                can_modify_a_thing(word),
            )
        )
    return tokens


def arabic_term_key(word: str) -> str:
    """The matching key of an Arabic word: :func:`arabic_key` without the article and the letters glued
    before it (الانتخابات, للانتخابات and والانتخابات are one key)."""
    return _AR_ARTICLE.sub("", arabic_key(word))


def _arabic_tokens(text: str) -> list[_Token | None]:
    tokens: list[_Token | None] = []
    last_end = 0
    for m in _AR_TOKEN.finditer(text):
        if not _JOINER.fullmatch(text[last_end : m.start()] or " "):
            tokens.append(None)
        last_end = m.end()
        if _arabic_function_word(arabic_key(m.group())):
            tokens.append(None)
            continue
        stem = arabic_term_key(m.group())
        tokens.append(_Token(stem, m.start(), m.end()) if len(stem) >= 2 else None)
    return tokens


def paragraph_terms(text: str, lang: str) -> list[Term]:
    """The key terms of ``text`` (``lang`` "ar" or "en"): each content word and each phrase of two
    adjacent content words, once per key, in order of first occurrence."""
    tokens = _arabic_tokens(text) if lang == "ar" else _english_tokens(text)
    found: dict[str, tuple[tuple[str, ...], str, list[tuple[int, int]]]] = {}
    for k in range(len(tokens)):
        for size in range(1, MAX_WORDS + 1):
            window = tokens[k : k + size]
            if len(window) < size or any(t is None for t in window):
                break
            words = tuple(t.stem for t in window if t is not None)
            first, last = window[0], window[-1]
            assert first is not None and last is not None
            if (size > 1 and len(set(words)) < size) or not last.head or (size > 1 and not first.modifier):
                continue
            key = " ".join(words)
            entry = found.setdefault(key, (words, text[first.start : last.end], []))
            entry[2].append((first.start, last.end))
    return [Term(key, words, surface, tuple(spans)) for key, (words, surface, spans) in found.items()]
