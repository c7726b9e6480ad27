"""TSV and Moses-style line-aligned text: formats where a newline or tab inside a text would break rows."""

from __future__ import annotations

TSV_COLUMNS = ("ar_id", "en_doc", "en_id", "label", "score", "ar_text", "mt_text", "en_text")


# Every character at which str.splitlines() (and many TSV readers) end a row, besides \n and \r.
_LINE_BREAKS = {"\x0b": "\\v", "\x0c": "\\f", **{ch: f"\\u{ord(ch):04x}" for ch in "\x1c\x1d\x1e\x85\u2028\u2029"}}
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r", **_LINE_BREAKS})
_UNESCAPES = {"t": "\t", "n": "\n", "r": "\r", "v": "\x0b", "f": "\x0c", "\\": "\\"}


def escape_tsv(value) -> str:
    """Backslash escapes, so that every row stays one line of tab-separated fields for any reader,
    ``str.splitlines()`` included (reversible: :func:`unescape_tsv`)."""
    if value is None:
        return ""
    return str(value).translate(_ESCAPES)


def unescape_tsv(value: str) -> str:
    out, i = [], 0
    while i < len(value):
        if value[i] == "\\" and i + 1 < len(value):
            if value[i + 1] == "u" and i + 6 <= len(value):
                out.append(chr(int(value[i + 2 : i + 6], 16)))
                i += 6
                continue
            out.append(_UNESCAPES.get(value[i + 1], value[i + 1]))
            i += 2
        else:
            out.append(value[i])
            i += 1
    return "".join(out)


def tsv_text(links: list[dict]) -> str:
    rows = ["\t".join(TSV_COLUMNS)]
    rows += ["\t".join(escape_tsv(link.get(col)) for col in TSV_COLUMNS) for link in links]
    return "\n".join(rows) + "\n"


def one_line(text: str | None) -> str:
    """Moses files are line-aligned: any line break inside a text becomes a space."""
    return " ".join((text or "").split())


def moses_files(links: list[dict]) -> dict[str, str]:
    """parallel.ar / parallel.en (and parallel.mt when any link has MT): line n of each is link n."""
    files = {
        "parallel.ar": "".join(one_line(l["ar_text"]) + "\n" for l in links),
        "parallel.en": "".join(one_line(l["en_text"]) + "\n" for l in links),
    }
    if any(l.get("mt_text") for l in links):
        files["parallel.mt"] = "".join(one_line(l.get("mt_text")) + "\n" for l in links)
    return files
