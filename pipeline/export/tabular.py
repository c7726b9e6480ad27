"""TSV and Moses-style line-aligned text: formats where a newline or tab inside a text would break rows."""

from __future__ import annotations

TSV_COLUMNS = ("ar_id", "en_doc", "en_id", "label", "score", "ar_text", "mt_text", "en_text")


def escape_tsv(value) -> str:
    """Backslash escapes, so that every row stays one line of tab-separated fields (reversible)."""
    if value is None:
        return ""
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def unescape_tsv(value: str) -> str:
    out, i = [], 0
    while i < len(value):
        if value[i] == "\\" and i + 1 < len(value):
            out.append({"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}.get(value[i + 1], value[i + 1]))
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
