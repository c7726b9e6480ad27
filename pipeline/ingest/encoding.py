"""Turning a text file's bytes into text: UTF-8 first, then a byte-order mark, UTF-16 without one, the
user's ``--encoding``, or detection (charset-normalizer). The caller records which was used and how.

Order matters: a BOM is certain; valid UTF-8 is taken as UTF-8 (real text in a legacy code page is almost
never valid UTF-8); ``--encoding`` then applies to the files that are not; detection is the last resort.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from pipeline.errors import PipelineError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# When detection offers several code pages, the one a Windows machine writes for the document's language
# is the likely one: Arabic Windows-1256 over ISO-8859-6 or a DOS page, Western Windows-1252 over 1250.
PREFERRED = {"ar": ("cp1256", "iso8859_6"), "en": ("cp1252", "utf_8")}


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # Python codec name, e.g. "utf-8", "cp1256", "utf-16-le"
    source: str  # how it was chosen: "utf-8", "bom", "utf-16 pattern", "--encoding", "declared", "detected"


def utf16_without_bom(data: bytes) -> str | None:
    """ "utf-16-le"/"utf-16-be" when ``data`` looks like BOM-less UTF-16: NUL bytes (the high byte of
    spaces, digits and Latin letters; Arabic's is 0x06) in one byte position and none in the other, and
    the whole decodes."""
    sample = data[:4096]
    if len(sample) < 4 or len(data) % 2:
        return None
    even, odd = sample[0::2], sample[1::2]
    for codec, high, low in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if high.count(0) >= 0.1 * len(high) and low.count(0) <= 0.01 * len(low):
            try:
                data.decode(codec)
            except UnicodeDecodeError:
                return None
            return codec
    return None


def decode_bytes(data: bytes, path, lang: str, encoding: str | None = None, declared: str | None = None) -> Decoded:
    """Decode ``data`` (the file ``path``, in language ``lang``). ``encoding`` is the user's choice for
    files that are not UTF-8; ``declared`` is what the file says of itself (an HTML ``<meta charset>``).
    Raises PipelineError naming ``path`` when the bytes cannot be decoded."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return Decoded(_strict(data[len(bom) :], name, path, "its byte-order mark"), name, "bom")
    utf16 = utf16_without_bom(data)
    if utf16:
        return Decoded(_strict(data, utf16, path, "its NUL byte pattern"), utf16, "utf-16 pattern")
    try:
        return Decoded(data.decode("utf-8"), "utf-8", "utf-8")
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    if encoding:
        return Decoded(_strict(data, _codec(encoding, path), path, "--encoding"), _codec(encoding, path), "--encoding")
    if declared:
        try:
            name = codecs.lookup(declared).name
            return Decoded(data.decode(name), name, "declared")
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong declaration is common; detection decides
    detected = detect(data, lang)
    if detected is None:
        raise PipelineError(
            path,
            f"not UTF-8 text (invalid byte 0x{data[first_bad]:02x} at offset {first_bad}) and "
            "its encoding could not be detected: give it with --encoding (e.g. cp1256 for "
            "Windows Arabic) or convert the file to UTF-8",
        )
    return Decoded(data.decode(detected), detected, "detected")


def detect(data: bytes, lang: str) -> str | None:
    """The most likely code page of ``data`` by charset-normalizer, preferring the usual one for ``lang``."""
    from charset_normalizer import from_bytes

    results = from_bytes(data)
    names = [codecs.lookup(r.encoding).name for r in results]
    for preferred in PREFERRED.get(lang, ()):
        if codecs.lookup(preferred).name in names:
            return codecs.lookup(preferred).name
    return names[0] if names else None


def _codec(name: str, path) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise PipelineError(path, f"unknown encoding {name!r} (e.g. utf-8, cp1256, iso-8859-6, utf-16)") from None


def _strict(data: bytes, codec: str, path, why: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        raise PipelineError(
            path, f"not valid {codec} (chosen by {why}): invalid byte 0x{data[exc.start]:02x} at offset {exc.start}"
        ) from None
