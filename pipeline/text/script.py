"""Which script a text is written in: shares of Arabic and Latin letters."""

from __future__ import annotations

import re


def is_arabic_letter(ch: str) -> bool:
    cp = ord(ch)
    return ch.isalpha() and (
        0x0600 <= cp <= 0x06FF
        or 0x0750 <= cp <= 0x077F
        or 0x08A0 <= cp <= 0x08FF
        or 0xFB50 <= cp <= 0xFDFF
        or 0xFE70 <= cp <= 0xFEFF
    )


def is_latin_letter(ch: str) -> bool:
    return ch.isalpha() and (ch.isascii() or 0x00C0 <= ord(ch) <= 0x024F)


# Letters (word characters that are not digits or "_"), and those of each script: counted by the regex
# engine, since a 50 MB input is too much to walk character by character in Python.
_LETTER = re.compile(r"[^\W\d_]")
_ARABIC_LETTER = re.compile(r"(?=[^\W\d_])[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
_LATIN_LETTER = re.compile(r"(?=[^\W\d_])[A-Za-z\u00c0-\u024f]")


def _count(pattern: re.Pattern, text: str) -> int:
    return pattern.subn("", text)[1]


def script_ratio(text: str) -> dict[str, float]:
    """Share of letters in Arabic and in Latin script (0..1 each; both 0 when there are no letters)."""
    total = _count(_LETTER, text)
    if total == 0:
        return {"arabic": 0.0, "latin": 0.0, "letters": 0}
    return {
        "arabic": _count(_ARABIC_LETTER, text) / total,
        "latin": _count(_LATIN_LETTER, text) / total,
        "letters": total,
    }
