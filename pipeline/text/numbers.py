"""Numbers in running text, normalised so that "1,500" ~ "1500" ~ "١٥٠٠" (used by anchors and MT flags)."""

from __future__ import annotations

import re
from functools import lru_cache

from pipeline.text.normalize import digits_to_ascii

_NUMBER_RE = re.compile(r"(?<![\w.])\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")


# Cached per text (called for every candidate pair); the dict returned is shared, so callers must not change it.
@lru_cache(maxsize=1 << 16)
def numbers(text: str) -> dict[str, str]:
    """Normalised number → surface form. One-digit numbers are left out: they match by chance."""
    found: dict[str, str] = {}
    for match in _NUMBER_RE.finditer(digits_to_ascii(text)):
        value = match.group().replace(",", "")
        if value.endswith(".0"):
            value = value[:-2]
        if len(value.replace(".", "")) >= 2:
            found.setdefault(value, match.group())
    return found
