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
    missing = sorted(set(numbers(source)) - set(numbers(translation)))
    if missing:
        flags.append("numbers_missing:" + ",".join(missing))
    return flags
