"""Anchors: things two paragraphs can share across scripts that say they talk about the same detail.

- numbers (Arabic-Indic digits normalised, thousands separators dropped): "1,500" ~ "1500" ~ "١٥٠٠";
- dates, with Arabic month names in both the Levantine/Iraqi (أيار = May) and the Egyptian (مايو) series;
- names matched across scripts by their consonant skeleton (كركوك ~ Kirkuk, الصدر ~ Sadr).
Pure functions; :func:`shared_anchors` returns data, printing is elsewhere. :func:`pair_anchors` gives many
pairs their anchor strength at once; it lives here, not in ``comparable``, because both the aligner and the
equivalence model (``equivalence``, which ``comparable`` imports) need it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from pipeline.progress import progress
from pipeline.records import Segment
from pipeline.text.normalize import arabic_key, digits_to_ascii
from pipeline.text.numbers import numbers

_MONTHS_EN = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_MONTH_EN = {name: i + 1 for i, name in enumerate(_MONTHS_EN)} | {name[:3]: i + 1 for i, name in enumerate(_MONTHS_EN)}
_MONTH_EN["sept"] = 9
# Keys are matching keys (arabic_key): hamza/alef forms folded.
_MONTH_AR = {
    "كانون الثاني": 1,
    "شباط": 2,
    "اذار": 3,
    "نيسان": 4,
    "ايار": 5,
    "حزيران": 6,
    "تموز": 7,
    "اب": 8,
    "ايلول": 9,
    "تشرين الاول": 10,
    "تشرين الثاني": 11,
    "كانون الاول": 12,
    "يناير": 1,
    "فبراير": 2,
    "مارس": 3,
    "ابريل": 4,
    "مايو": 5,
    "يونيو": 6,
    "يوليو": 7,
    "اغسطس": 8,
    "سبتمبر": 9,
    "اكتوبر": 10,
    "نوفمبر": 11,
    "ديسمبر": 12,
}
_AR_MONTH_RE = "|".join(sorted((re.escape(m) for m in _MONTH_AR), key=len, reverse=True))
_EN_MONTH_RE = "|".join(sorted(_MONTH_EN, key=len, reverse=True))


@dataclass(frozen=True)
class Anchor:
    kind: str  # "number" | "date" | "name"
    value: str  # normalised value both sides share
    ar: str  # as written in the Arabic (or MT) text
    en: str  # as written in the English text


# The extractors below are pure and called for every candidate pair: they are cached per text, and the
# dicts they return are shared, so callers must not change them.
@lru_cache(maxsize=1 << 16)
def dates(text: str, lang: str) -> dict[str, str]:
    """Normalised "D/M" or "D/M/Y" (or "M/Y") → surface form."""
    found: dict[str, str] = {}
    plain = digits_to_ascii(text)
    for match in re.finditer(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b", plain):
        day, month, year = map(int, match.groups())
        if 1 <= month <= 12 and 1 <= day <= 31:
            found.setdefault(f"{day}/{month}/{year}", match.group())
            found.setdefault(f"{day}/{month}", match.group())
    if lang == "ar":
        key = arabic_key(plain)
        for match in re.finditer(rf"(?:(\d{{1,2}})\s+)?\b({_AR_MONTH_RE})\b(?:\s*/?\s*\w+)?(?:\s+(\d{{4}}))?", key):
            _add_date(found, match.group(1), _MONTH_AR[match.group(2)], match.group(3), match.group().strip())
    else:
        lower = plain.lower()
        for match in re.finditer(
            rf"(?:(\d{{1,2}})\s+)?\b({_EN_MONTH_RE})\b\.?(?:\s+(\d{{1,2}})\b)?(?:,?\s+(\d{{4}}))?", lower
        ):
            day_text = match.group(1) or match.group(3)
            if match.group(2) == "may" and not (day_text or match.group(4)):
                continue  # the modal verb "may"
            _add_date(
                found, day_text, _MONTH_EN[match.group(2)], match.group(4), plain[match.start() : match.end()].strip()
            )
    return found


def _add_date(found: dict, day, month: int, year, surface: str) -> None:
    if day and 1 <= int(day) <= 31:
        found.setdefault(f"{int(day)}/{month}", surface)
        if year:
            found.setdefault(f"{int(day)}/{month}/{year}", surface)
    elif year:
        found.setdefault(f"{month}/{year}", surface)


# Consonant skeletons: both scripts map to one Latin consonant class per sound; vowels, long-vowel
# letters and ʿayn are dropped because transliterations disagree on them; doubled letters collapse.
_AR_SKELETON = str.maketrans(
    {
        "ب": "b",
        "ت": "t",
        "ث": "t",
        "ج": "j",
        "ح": "h",
        "خ": "k",
        "د": "d",
        "ذ": "d",
        "ر": "r",
        "ز": "z",
        "س": "s",
        "ش": "s",
        "ص": "s",
        "ض": "d",
        "ط": "t",
        "ظ": "z",
        "ع": "",
        "غ": "g",
        "ف": "f",
        "ق": "k",
        "ك": "k",
        "ل": "l",
        "م": "m",
        "ن": "n",
        "ه": "h",
        "ة": "",
        "و": "",
        "ي": "",
        "ا": "",
        "ء": "",
        "پ": "b",
        "چ": "j",
        "ڤ": "f",
        "گ": "g",
        "ى": "",
    }
)
_EN_DIGRAPHS = [
    ("kh", "k"),
    ("sh", "s"),
    ("th", "t"),
    ("dh", "d"),
    ("gh", "g"),
    ("ph", "f"),
    ("ch", "j"),
    ("ck", "k"),
    ("ou", ""),
    ("q", "k"),
    ("c", "k"),
    ("x", "ks"),
    ("v", "f"),
    ("p", "b"),
]
_AR_CLITICS = ("وبال", "وال", "بال", "كال", "فال", "لل", "ال", "و", "ب", "ل", "ف")
MIN_SKELETON = 3


def _collapse(skeleton: str) -> str:
    return re.sub(r"(.)\1+", r"\1", skeleton)


def english_skeleton(word: str) -> str:
    word = re.sub(r"^(?:al|el|as|ad|an|ar|at|az|ash)-", "", word.lower())
    word = re.sub(r"[^a-z]", "", word)
    for old, new in _EN_DIGRAPHS:
        word = word.replace(old, new)
    return _collapse(re.sub(r"[aeiouyw']", "", word))


def arabic_skeletons(word: str) -> set[str]:
    """Skeletons of an Arabic word with and without a leading clitic (و, ب, ل, ف, ال, ...)."""
    word = arabic_key(word)
    forms = {word}
    for clitic in _AR_CLITICS:
        if word.startswith(clitic) and len(word) - len(clitic) >= 3:
            forms.add(word[len(clitic) :])
    return {_collapse(form.translate(_AR_SKELETON)) for form in forms}


@lru_cache(maxsize=1 << 16)
def english_names(text: str) -> dict[str, str]:
    """Skeleton → capitalised word, for words that are not the first of a sentence (likely names)."""
    names: dict[str, str] = {}
    for match in re.finditer(r"(?<![.!?]\s)(?<!^)\b([A-Z][a-z]+(?:-[A-Z]?[a-z]+)?)\b", text):
        skeleton = english_skeleton(match.group(1))
        if len(skeleton) >= MIN_SKELETON:
            names.setdefault(skeleton, match.group(1))
    return names


def arabic_words(text: str) -> list[str]:
    return re.findall(r"[\u0621-\u064a\u0671-\u06d3]{3,}", text)


@lru_cache(maxsize=1 << 16)
def arabic_name_forms(text: str) -> tuple[tuple[str, str], ...]:
    """(word, skeleton) for every Arabic word of ``text`` long enough to be matched as a name."""
    return tuple(
        (word, skeleton)
        for word in arabic_words(text)
        for skeleton in sorted(arabic_skeletons(word))
        if len(skeleton) >= MIN_SKELETON
    )


def shared_anchors(ar_text: str, en_text: str, mt_text: str | None = None) -> list[Anchor]:
    """Anchors the Arabic paragraph (and its MT, if any) shares with the English paragraph."""
    found: dict[tuple[str, str], Anchor] = {}
    en_numbers = numbers(en_text)
    for value, surface in numbers(ar_text).items():
        if value in en_numbers:
            found[("number", value)] = Anchor("number", value, surface, en_numbers[value])
    en_dates = dates(en_text, "en")
    for value, surface in dates(ar_text, "ar").items():
        if value in en_dates and ("date", value) not in found:
            found[("date", value)] = Anchor("date", value, surface, en_dates[value])
    en_names = english_names(en_text)
    if en_names:
        for word, skeleton in arabic_name_forms(ar_text):
            if skeleton in en_names and ("name", skeleton) not in found:
                found[("name", skeleton)] = Anchor("name", skeleton, word, en_names[skeleton])
    if mt_text:
        mt_names = english_names(mt_text)
        for skeleton, name in mt_names.items():
            if skeleton in en_names and ("name", skeleton) not in found:
                found[("name", skeleton)] = Anchor("name", skeleton, name, en_names[skeleton])
    # A shared date already explains the bare day and year numbers it contains.
    date_parts = {part for a in found.values() if a.kind == "date" for part in a.value.split("/")}
    return [a for key, a in sorted(found.items()) if not (a.kind == "number" and a.value in date_parts)]


ANCHOR_WEIGHTS = {"number": 1.0, "date": 1.0, "name": 0.5}


def anchor_strength(anchors: list[Anchor]) -> float:
    """0..1, saturating: one shared number or date ≈ 0.63, two ≈ 0.86; a name counts half."""
    return 1.0 - math.exp(-sum(ANCHOR_WEIGHTS[a.kind] for a in anchors))


def pair_anchors(
    ar_rows: list[Segment], en_rows: list[Segment], i: np.ndarray, j: np.ndarray, look: np.ndarray
) -> tuple[np.ndarray, np.ndarray, dict[int, list[Anchor]]]:
    """Anchor strength and anchor count per pair where ``look`` is set (0 elsewhere), and the anchors
    found, keyed by pair position."""
    strength = np.zeros(len(i), dtype=np.float32)
    count = np.zeros(len(i), dtype=np.int32)
    found: dict[int, list[Anchor]] = {}
    todo = np.nonzero(look)[0].tolist()
    with progress(len(todo), "align: anchors", unit="pair") as bar:
        for k in todo:
            a, b = int(i[k]), int(j[k])
            anchors = shared_anchors(ar_rows[a].text, en_rows[b].text, ar_rows[a].mt_text)
            if anchors:
                found[k] = anchors
                strength[k] = anchor_strength(anchors)
                count[k] = len(anchors)
            bar.update()
    return strength, count, found
