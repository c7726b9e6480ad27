"""Which script a text is written in: shares of Arabic and Latin letters."""

from __future__ import annotations


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


def script_ratio(text: str) -> dict[str, float]:
    """Share of letters in Arabic and in Latin script (0..1 each; both 0 when there are no letters)."""
    arabic = latin = other = 0
    for ch in text:
        if not ch.isalpha():
            continue
        if is_arabic_letter(ch):
            arabic += 1
        elif is_latin_letter(ch):
            latin += 1
        else:
            other += 1
    total = arabic + latin + other
    if total == 0:
        return {"arabic": 0.0, "latin": 0.0, "letters": 0}
    return {"arabic": arabic / total, "latin": latin / total, "letters": total}
