"""Arabic lines whose words come out of a PDF in visual order, and putting them back in reading order.

Some PDF producers (Chromium's print to PDF among them) store each word as its own run of glyphs placed
right to left; an extractor reads the runs left to right, so every line's letters are right and its words
are in reverse order (``في استخدمت التي الأجهزة`` for ``الأجهزة التي استخدمت في``). Letter forms cannot
tell (``pipeline.ingest.formats.looks_reversed`` catches reversed letters), but word order can: a
bigram model of word classes (the 50 most frequent words, the function words, as themselves; the
others by their prefix) counted on FLORES-200 devtest's tune half (``scripts/word_order_model.py``,
``arabic_word_order.json``) scores each line forwards and backwards. A document whose lines read
better backwards, by MARGIN per word over at least MIN_WORDS words, is in visual order: on the test half
cut into pieces of 5, 10 and 20 sentences (about 100, 200, 400 words) it flags none of the pieces in
reading order (0 of 105, 53, 27) and most of them reversed (95 of 105, 49 of 53, 25 of 27); a document
is read whole, so a page or more gives the evidence of the larger pieces.

Putting a line back (:func:`reverse_words`) reverses its words, keeping runs of left-to-right words
(numbers, Latin names) in their own order, and moves a sentence mark that the display put before a word
back after it. Brackets and quotes next to words may still stand on the wrong side; the words come back.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from functools import lru_cache
from pathlib import Path

WORD = re.compile(r"[\u0621-\u064A]+")
MIN_WORDS = 50
MARGIN = 0.05  # log-likelihood per word by which the backwards reading must win
MODEL_PATH = Path(__file__).with_name("arabic_word_order.json")
_SENTENCE_MARKS = ".،؛:!؟…"
_ARABIC = re.compile(r"[\u0600-\u06FF]")
_LTR = re.compile(r"[A-Za-z0-9]")


def arabic_words(text: str) -> list[str]:
    return WORD.findall(text)


def word_class(word: str, top: set[str]) -> str:
    """A frequent word is its own class; any other is known by its prefix."""
    if word in top:
        return word
    for prefixes in (("وال",), ("ال",), ("و",), ("ب", "ل")):
        if word.startswith(prefixes):
            return f"<{prefixes[0]}>"
    return "<>"


class WordOrderModel:
    """Smoothed bigram log-probabilities of word classes (add-½), from ``arabic_word_order.json``'s counts."""

    def __init__(self, table: dict):
        self.top = set(table["top"])
        self.bigrams = {(a, b): n for a, b, n in table["bigrams"]}
        self.first: dict[str, int] = {}
        for (a, _), n in self.bigrams.items():
            self.first[a] = self.first.get(a, 0) + n
        self.classes = len(self.top) + 5

    def _log_prob(self, a: str, b: str) -> float:
        return math.log((self.bigrams.get((a, b), 0) + 0.5) / (self.first.get(a, 0) + 0.5 * self.classes))

    def log_ratio(self, lines: list[str]) -> tuple[float, int]:
        """(forwards − backwards log-likelihood, Arabic words) over ``lines``, each read on its own."""
        total, words = 0.0, 0
        for line in lines:
            classes = [word_class(w, self.top) for w in arabic_words(line)]
            words += len(classes)
            for a, b in itertools.pairwise(classes):
                total += self._log_prob(a, b) - self._log_prob(b, a)
        return total, words

    def reads_reversed(self, lines: list[str]) -> bool:
        """True when ``lines`` read clearly better backwards, on enough words to say so."""
        ratio, words = self.log_ratio(lines)
        return words >= MIN_WORDS and ratio < -MARGIN * words


@lru_cache(maxsize=1)
def load_model() -> WordOrderModel:
    return WordOrderModel(json.loads(MODEL_PATH.read_text(encoding="utf-8")))


def _left_to_right(token: str) -> bool:
    return bool(_LTR.search(token)) and not _ARABIC.search(token)


def reverse_words(line: str) -> str:
    """A visual-order Arabic line with its words back in reading order (see the module's docstring)."""
    tokens = line.split()
    runs: list[list[str]] = []
    for token in tokens:
        if runs and _left_to_right(token) and _left_to_right(runs[-1][-1]):
            runs[-1].append(token)  # left-to-right words stay in their own order
        else:
            runs.append([token])
    out = []
    for run in reversed(runs):
        for token in run:
            lead = len(token) - len(token.lstrip(_SENTENCE_MARKS))
            if 0 < lead < len(token) and _ARABIC.search(token):
                token = token[lead:] + token[:lead]  # the display put the sentence mark before the word
            out.append(token)
    return " ".join(out)
