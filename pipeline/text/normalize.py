"""Unicode clean-up that keeps meaning, and an Arabic matching key (script detection: :mod:`.script`).

The cleaned text replaces the raw text in outputs (it reads the same); the matching key never replaces
anything: it is kept beside the text for comparisons (duplicate detection, anchors).
"""

from __future__ import annotations

import re
import unicodedata

# Zero-width characters and bidirectional controls carry no meaning in running text; they break matching.
_INVISIBLE = (
    "\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
_INVISIBLE_RE = re.compile(f"[{_INVISIBLE}]")
TATWEEL = "\u0640"
_SPACES_RE = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
# Arabic diacritics (harakat, tanwin, shadda, sukun, superscript alef, Quranic marks).
_DIACRITICS_RE = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed]")
_KEY_MAP = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",  # alef forms
        "ى": "ي",
        "ی": "ي",  # alef maqsura / Farsi ya → ya
        "ة": "ه",  # ta marbuta → ha
        "ؤ": "و",
        "ئ": "ي",  # hamza seats
        **{chr(0x0660 + d): str(d) for d in range(10)},  # Arabic-Indic digits
        **{chr(0x06F0 + d): str(d) for d in range(10)},  # Extended Arabic-Indic (Persian) digits
        "٫": ".",
        "٬": ",",
        "،": ",",
        "؛": ";",
        "؟": "?",
    }
)


def clean_text(text: str) -> str:
    """NFC, without zero-width/bidi controls or tatweel, with runs of spaces collapsed and ends stripped."""
    text = unicodedata.normalize("NFC", text)
    text = _INVISIBLE_RE.sub("", text).replace(TATWEEL, "")
    return _SPACES_RE.sub(" ", text).strip()


def unvocalised(text: str) -> str:
    """Cleaned and without diacritics, every letter as written (ة and ه still distinct)."""
    return _DIACRITICS_RE.sub("", clean_text(text))


def arabic_key(text: str) -> str:
    """Matching key: cleaned, diacritics removed, alef/ya/ta-marbuta/hamza forms folded, digits ASCII, lower case."""
    return unvocalised(text).translate(_KEY_MAP).lower()


def digits_to_ascii(text: str) -> str:
    """Arabic-Indic and Extended Arabic-Indic digits → ASCII, nothing else changed."""
    return text.translate({0x0660 + d: str(d) for d in range(10)} | {0x06F0 + d: str(d) for d in range(10)})
