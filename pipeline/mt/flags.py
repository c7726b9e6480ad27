"""Quality flags for a translated paragraph: cheap checks that catch the usual MT failures."""

from __future__ import annotations

import re

from pipeline.text.numbers import numbers
from pipeline.text.script import script_ratio

# English runs ~1.0–1.6× the characters of its Arabic source (Arabic omits short vowels); outside
# 0.5–3.0 a sentence was usually dropped or the decoder looped.
LENGTH_RATIO_RANGE = (0.5, 3.0)
REPEAT_NGRAM = 4
REPEAT_COUNT = 3


# Arabic's own decimal and thousands separators, written between Arabic-Indic or ASCII digits.
_ARABIC_SEPARATORS = str.maketrans({"\u066b": ".", "\u066c": ","})
_UNITS = {
    word: n
    for n, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
        "seventeen eighteen nineteen".split()
    )
}
_TENS = {word: 10 * n for n, word in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), 2)}
_SCALES = {"thousand": 10**3, "million": 10**6, "billion": 10**9}


def _canonical(value: str) -> str:
    """Canonical spelling: "012" → "12", "12.00" → "12", "1,500" → "1500", "3.50" → "3.5": one spelling per number."""
    value = value.replace(",", "")
    whole, _, fraction = value.partition(".")
    whole, fraction = whole.lstrip("0") or "0", fraction.rstrip("0")
    return f"{whole}.{fraction}" if fraction else whole


def _counts(value: str) -> bool:
    return len(value.replace(".", "")) >= 2  # one-digit numbers match by chance (as in the anchors)


def number_values(text: str) -> set[str]:
    """The numbers written with digits in ``text``, canonical, two digits or more ("12.00" is 12)."""
    text = text.translate(_ARABIC_SEPARATORS)
    return {v for v in (_canonical(n) for n in numbers(text)) if _counts(v)}


def word_number_values(text: str) -> set[str]:
    """Numbers an English translation spells out: "nineteen" (19), "twenty-five", "two hundred and five",
    "1.5 million" (1500000), "3 thousand"."""
    found: set[str] = set()
    total = current = 0.0
    active = False

    def close():
        nonlocal total, current, active
        if active:
            value = total + current
            found.add(_canonical(f"{value:.6f}") if value != int(value) else str(int(value)))
        total = current = 0.0
        active = False

    for token in re.findall(r"\d+(?:,\d{3})*(?:\.\d+)?|[a-z]+", text.lower().replace("-", " ")):
        if token[0].isdigit():
            close()
            current, active = float(token.replace(",", "")), False
            continue
        if token in _UNITS or token in _TENS:
            if current and not active:
                close()
            current += _UNITS.get(token, 0) + _TENS.get(token, 0)
            active = True
        elif token == "hundred" and (active or current):
            current, active = max(current, 1) * 100, True
        elif token in _SCALES and (active or current):
            total += max(current, 1) * _SCALES[token]
            current, active = 0.0, True
        elif token == "and" and active:
            continue
        else:
            close()
            current = 0.0
    close()
    return {v for v in found if _counts(v)}


def quality_flags(source: str, translation: str) -> list[str]:
    """Flags for ``translation`` of Arabic ``source``: ``arabic_script_left``, ``repeated_ngrams``,
    ``length_ratio``, ``numbers_missing:<n,...>``, ``empty``."""
    if not translation.strip():
        return ["empty"]
    flags = []
    ratio = script_ratio(translation)
    if ratio["arabic"] > 0.05:
        flags.append("arabic_script_left")
    words = re.findall(r"\w+", translation.lower())
    grams: dict[tuple, int] = {}
    for i in range(len(words) - REPEAT_NGRAM + 1):
        gram = tuple(words[i : i + REPEAT_NGRAM])
        grams[gram] = grams.get(gram, 0) + 1
    if grams and max(grams.values()) >= REPEAT_COUNT:
        flags.append("repeated_ngrams")
    length_ratio = len(translation) / max(1, len(source))
    if not LENGTH_RATIO_RANGE[0] <= length_ratio <= LENGTH_RATIO_RANGE[1]:
        flags.append("length_ratio")
    missing = sorted(number_values(source) - number_values(translation) - word_number_values(translation))
    if missing:
        flags.append("numbers_missing:" + ",".join(missing))
    return flags
