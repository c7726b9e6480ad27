"""Concept anchors: short phrases the two paragraphs share across languages ("memory sticks" ~ "عصا الذاكرة",
"Supreme Security Committee" ~ "اللجنة الأمنية العليا"), found with the same cross-lingual encoder.

Paragraphs about one broad topic (an election) are all alike to a paragraph encoder; what makes two of
them *related* is a specific detail they share. Candidate phrases are word n-grams (1–3 words) that do
not start or end with a function word; a phrase is specific when it is rare on its own side (in few
paragraphs of the run), so "election results" in a corpus about elections does not count. A phrase pair
counts when its cosine is at least ``min_cosine``; pairs are taken strongest first, each word once.
Pure functions over arrays; the encoder is passed in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from pipeline.text.normalize import arabic_key

_EN_STOP = set(
    """a an the and or but of to in on at by for from with without as is are was were be been being has have
had do does did this that these those it its he she they them his her their we our you your i me my not no nor so than
then there here which who whom whose what when where why how all any both each few more most other some such only own
same very can will just should would could may might must shall also into over under about after before between
during through up down out off again further once said says say added told according while since until per
mr ms one two three first second new last next via using within among against""".split()
)
_AR_STOP = {
    arabic_key(w)
    for w in """في من على إلى الى عن مع أن ان إن أو او و ثم قد لا ما لم لن هذا هذه ذلك تلك التي الذي الذين
هو هي هم كان كانت يكون تم تمت بعد قبل عند حيث كما كل أي اي بين غير لدى لها له لهم ب ل ف ك وقد وأن وان وإن فقد
كذلك أيضا ايضا الآتي خلال علما مع عبر حول ضمن منذ حتى لكن بل اذا إذا وذلك وهي وهو وكان وكانت
ومن وفي وعلى اما إما أما""".split()
}
_PUNCT = re.compile(r"[.,;:!?()\[\]{}\"“”«»'‘’/،؛؟…–—-]+\s|[.,;:!?()\[\]{}\"“”«»/،؛؟…–—]+")
_WORD = re.compile(r"[\w\u0600-\u06FF]+(?:[-'’][\w\u0600-\u06FF]+)*")


@dataclass(frozen=True)
class PhraseSettings:
    max_words: int = 3
    min_words: int = 2  # single words match too loosely across languages
    min_chars: int = 4
    max_doc_share: float = 0.3  # a word in more of its side's paragraphs than this is the common topic
    min_cosine: float = 0.8  # "memory sticks" ~ "عصا الذاكرة" is 0.81; loose pairs sit below 0.8


def _is_stop(word: str, lang: str) -> bool:
    return word.lower() in _EN_STOP if lang == "en" else arabic_key(word) in _AR_STOP


def phrases(text: str, lang: str, max_words: int = 3, min_chars: int = 4) -> list[str]:
    """Word n-grams (1..max_words) that neither start nor end with a function word, no digits-only words
    (numbers are anchors of their own), at least ``min_chars`` long; in order of first appearance."""
    # n-grams never cross punctuation: "Security Committee, securing" is two phrases, not one.
    chunks = [_WORD.findall(chunk) for chunk in _PUNCT.split(text)]
    out, seen = [], set()
    for n in range(1, max_words + 1):
        for words, i in ((w, i) for w in chunks for i in range(len(w) - n + 1)):
            gram = words[i : i + n]
            if _is_stop(gram[0], lang) or _is_stop(gram[-1], lang) or any(w.isdigit() for w in gram):
                continue
            phrase = " ".join(gram)
            key = phrase.lower() if lang == "en" else arabic_key(phrase)
            if len(phrase) >= min_chars and key not in seen:
                seen.add(key)
                out.append(phrase)
    return out


_AR_PREFIX = re.compile(r"^(?:و|ف)?(?:ب|ل|ك)?(?:ال|لل)?")
_EN_SUFFIX = re.compile(r"(?:ies|es|s|al|ed|ing)$")


def word_stem(word: str, lang: str) -> str:
    """A crude stem for counting how common a word is: Arabic conjunction, preposition and article
    prefixes off (للانتخابات → انتخابات); English plural and a few suffixes off (elections → election)."""
    if lang == "en":
        word = word.lower()
        return _EN_SUFFIX.sub("", word) if len(word) > 5 else word
    key = arabic_key(word)
    stem = _AR_PREFIX.sub("", key)
    return stem if len(stem) >= 3 else key


def topic_words(texts: list[str], lang: str, max_doc_share: float) -> set[str]:
    """Stems found in more than ``max_doc_share`` of the side's paragraphs: the corpus's shared topic
    ("election", "commission"), which says nothing specific."""
    df: dict[str, int] = {}
    for text in texts:
        for stem in {word_stem(w, lang) for w in _WORD.findall(text)}:
            df[stem] = df.get(stem, 0) + 1
    limit = max(2, int(max_doc_share * len(texts)))
    return {stem for stem, count in df.items() if count > limit}


def specific_phrases(texts: list[str], lang: str, settings: PhraseSettings) -> list[list[str]]:
    """Per paragraph, its phrases of at least ``min_words`` words that neither start nor end with a topic
    word ("Supreme Security Committee" stays, "Security Committee" and "fairest election" go)."""
    common = topic_words(texts, lang, settings.max_doc_share)
    out = []
    for text in texts:
        items = phrases(text, lang, settings.max_words, settings.min_chars)
        out.append(
            [
                p
                for p in items
                if len(p.split()) >= settings.min_words
                and word_stem(p.split()[0], lang) not in common
                and word_stem(p.split()[-1], lang) not in common
            ]
        )
    return out


@dataclass(frozen=True)
class PhraseMatch:
    ar: str
    en: str
    cosine: float


def match_phrases(
    ar_phrases: list[str], en_phrases: list[str], ar_vecs: np.ndarray, en_vecs: np.ndarray, min_cosine: float
) -> list[PhraseMatch]:
    """Phrase pairs with cosine ≥ min_cosine, strongest first, no word used twice on either side."""
    if not ar_phrases or not en_phrases:
        return []
    sim = ar_vecs @ en_vecs.T
    # Greedy, strongest first; overlapping n-grams ("Security Committee", "Supreme Security Committee")
    # compete for the same words, so each word is used once on each side.
    pairs = sorted(
        ((float(sim[i, j]), i, j) for i, j in zip(*np.nonzero(sim >= min_cosine), strict=True)), reverse=True
    )
    used_ar: set[str] = set()
    used_en: set[str] = set()
    out = []
    for cos, i, j in pairs:
        wa, we = set(ar_phrases[i].split()), set(en_phrases[j].lower().split())
        if wa & used_ar or we & used_en:
            continue
        used_ar |= wa
        used_en |= we
        out.append(PhraseMatch(ar_phrases[i], en_phrases[j], round(cos, 4)))
    return out


def phrase_matches(
    ar_texts: list[str], en_texts: list[str], encoder, settings: PhraseSettings
) -> dict[tuple[int, int], list[PhraseMatch]]:
    """(Arabic paragraph, English paragraph) → the specific phrases they share, for every pair that shares
    one. All specific phrases of each side are embedded once and compared all against all."""
    ar_phrases = specific_phrases(ar_texts, "ar", settings)
    en_phrases = specific_phrases(en_texts, "en", settings)
    ar_unique = sorted({p for items in ar_phrases for p in items})
    en_unique = sorted({p for items in en_phrases for p in items})
    if not ar_unique or not en_unique:
        return {}
    ar_vecs = dict(zip(ar_unique, encoder.encode(ar_unique, "ar"), strict=True))
    en_vecs = dict(zip(en_unique, encoder.encode(en_unique, "en"), strict=True))
    sim = np.stack([ar_vecs[p] for p in ar_unique]) @ np.stack([en_vecs[p] for p in en_unique]).T
    strong_ar = {ar_unique[a] for a in np.nonzero((sim >= settings.min_cosine).any(axis=1))[0]}
    strong_en = {en_unique[e] for e in np.nonzero((sim >= settings.min_cosine).any(axis=0))[0]}
    ar_has = [[p for p in items if p in strong_ar] for items in ar_phrases]
    en_has = [[p for p in items if p in strong_en] for items in en_phrases]
    out = {}
    for i, a_items in enumerate(ar_has):
        if not a_items:
            continue
        a_vecs = np.stack([ar_vecs[p] for p in a_items])
        for j, e_items in enumerate(en_has):
            if e_items:
                found = match_phrases(
                    a_items, e_items, a_vecs, np.stack([en_vecs[p] for p in e_items]), settings.min_cosine
                )
                if found:
                    out[(i, j)] = found
    return out
