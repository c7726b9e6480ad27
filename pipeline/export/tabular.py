"""TSV, Moses-style line-aligned text and the alignment index: formats where a newline or tab inside a
text would break rows."""

from __future__ import annotations

import json

from pipeline.export.selection import Bead, one_line

TSV_COLUMNS = ("ar_id", "en_doc", "en_id", "label", "score", "probability", "ar_text", "mt_text", "en_text", "evidence")
META_COLUMNS = ("line", "bead_id", "label", "score", "probability", "bead", "ar_ids", "en_ids")


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
    """One row per link; ``probability`` is empty where the aligner gave none, ``evidence`` is JSON."""
    rows = ["\t".join(TSV_COLUMNS)]
    for link in links:
        values = {**link, "evidence": json.dumps(link.get("evidence") or {}, ensure_ascii=False, sort_keys=True)}
        rows.append("\t".join(escape_tsv(values.get(col)) for col in TSV_COLUMNS))
    return "\n".join(rows) + "\n"


def moses_files(beads: list[Bead], with_mt: bool = False) -> dict[str, str]:
    """parallel.ar / parallel.en (and parallel.mt when the run had MT, ``with_mt``, or any bead has it):
    line n of each is bead n, and row n of parallel.meta.tsv says what it is (label, score, bead shape,
    paragraph ids)."""
    files = {
        "parallel.ar": "".join(b.ar_text + "\n" for b in beads),
        "parallel.en": "".join(b.en_text + "\n" for b in beads),
    }
    if with_mt or any(b.mt_text for b in beads):
        files["parallel.mt"] = "".join(one_line(b.mt_text) + "\n" for b in beads)
    meta = ["\t".join(META_COLUMNS)]
    for line, bead in enumerate(beads, 1):
        meta.append(
            "\t".join(
                escape_tsv(v)
                for v in (
                    line,
                    bead.id,
                    bead.label,
                    bead.score,
                    bead.probability,
                    bead.shape,
                    ",".join(bead.ar_ids),
                    ",".join(bead.en_ids),
                )
            )
        )
    files["parallel.meta.tsv"] = "\n".join(meta) + "\n"
    return files


def alignment_index(beads: list[Bead], segments: list[dict]) -> str:
    """vecalign / Bertalign style, one bead a line, ``[0]:[1,2]:0.8123``: 0-based positions among each
    language's kept paragraphs in segments.jsonl order (with one document a side, that document's
    paragraph order). Every paragraph appears once: those in no bead as ``[i]:[]`` or ``[]:[j]`` with
    score 0, so the file is the whole monotonic path."""
    positions = {
        lang: {row["id"]: k for k, row in enumerate(r for r in segments if r["lang"] == lang)} for lang in ("ar", "en")
    }
    beads = sorted(
        beads, key=lambda b: (min(positions["ar"][i] for i in b.ar_ids), min(positions["en"][i] for i in b.en_ids))
    )
    covered = {
        lang: {positions[lang][i] for b in beads for i in (b.ar_ids if lang == "ar" else b.en_ids)}
        for lang in ("ar", "en")
    }
    skipped = {lang: [k for k in range(len(positions[lang])) if k not in covered[lang]] for lang in ("ar", "en")}
    lines: list[str] = []

    def flush(lang: str, before: float) -> None:
        # Paragraphs in no bead, placed before the first bead that starts after them on their side.
        while skipped[lang] and skipped[lang][0] < before:
            k = skipped[lang].pop(0)
            lines.append(f"[{k}]:[]:0.0000" if lang == "ar" else f"[]:[{k}]:0.0000")

    for bead in beads:
        ar = [positions["ar"][i] for i in bead.ar_ids]
        en = [positions["en"][i] for i in bead.en_ids]
        flush("ar", min(ar))
        flush("en", min(en))
        score = bead.score if bead.score is not None else 0.0  # a bead added by hand: no aligner score
        lines.append(f"[{','.join(map(str, ar))}]:[{','.join(map(str, en))}]:{score:.4f}")
    flush("ar", float("inf"))
    flush("en", float("inf"))
    return "".join(line + "\n" for line in lines)
