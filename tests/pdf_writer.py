"""A minimal PDF writer for the tests (no PDF library needed): one Type0 font with Identity-H encoding and a
ToUnicode map (how real PDFs make their text extractable), one ``Tj`` per line, paragraphs separated by a
wider gap. Right-to-left lines are written in visual order, glyphs left to right as a PDF displays them
(what word processors produce), or, with ``order="logical"``, in reading order positioned left to right
(what comes out reversed from extractors), or, with ``order="words"``, each word its own run of glyphs in
visual order, the runs placed from the left (what Chromium's print to PDF does: extractors give each word
right and the line's words in reverse order)."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

_LTR_RUN = re.compile(r"[0-9A-Za-z][0-9A-Za-z.,:/%-]*")


def visual_order(line: str) -> str:
    """An Arabic line as displayed: reversed, with left-to-right runs (digits, Latin words) kept readable."""
    return _LTR_RUN.sub(lambda m: m.group()[::-1], line[::-1])


def write_pdf(
    path: Path,
    pages: list[list[str]],
    rtl: bool = False,
    order: str = "visual",
    width: int = 70,
    header: str | None = None,
    page_numbers: bool = True,
) -> Path:
    """``pages``: paragraphs per page, each wrapped at ``width`` characters. ``header``: a line written at
    the top of every page, and the page number at the bottom (furniture the extractor should drop)."""
    wrapped = [[textwrap.wrap(p, width, break_on_hyphens=False) for p in page] for page in pages]
    extra = [header or ""] + [str(n + 1) for n in range(len(pages))]
    chars = sorted({c for page in wrapped for para in page for line in para for c in line} | set("".join(extra)))
    cid = {c: i + 1 for i, c in enumerate(chars)}
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    bfchar = "\n".join(f"<{cid[c]:04X}> <{ord(c):04X}>" for c in chars)
    cmap = (
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CIDSystemInfo << /Registry (Adobe) "
        "/Ordering (UCS) /Supplement 0 >> def /CMapName /Adobe-Identity-UCS def /CMapType 2 def "
        "1 begincodespacerange <0000> <FFFF> endcodespacerange "
        f"{len(chars)} beginbfchar\n{bfchar}\nendbfchar endcmap CMapName currentdict /CMap defineresource pop "
        "end end"
    ).encode()
    to_unicode = add(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(cmap), cmap))
    descriptor = add(
        b"<< /Type /FontDescriptor /FontName /Test /Flags 4 /FontBBox [0 -200 1000 900] "
        b"/ItalicAngle 0 /Ascent 900 /Descent -200 /CapHeight 700 /StemV 80 >>"
    )
    cid_font = add(
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /Test /CIDSystemInfo << /Registry (Adobe) "
        b"/Ordering (Identity) /Supplement 0 >> /FontDescriptor %d 0 R /DW 500 >>" % descriptor
    )
    font = add(
        b"<< /Type /Font /Subtype /Type0 /BaseFont /Test /Encoding /Identity-H "
        b"/DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>" % (cid_font, to_unicode)
    )
    pages_id = add(b"")
    kids = []

    def show(line: str, x_right: bool, y: float) -> str:
        if rtl and order == "words" and re.search("[\u0600-\u06ff]", line):
            # Each word and each space in its own text object, glyphs as displayed, placed from the left.
            runs, x = ["ET"], 560 - 5 * len(line)
            for token in re.split(r"( )", visual_order(line)):
                if token:
                    glyphs = "".join(f"{cid[c]:04X}" for c in token)
                    runs.append(f"BT /F1 10 Tf 1 0 0 1 {x} {y} Tm <{glyphs}> Tj ET")
                    x += 5 * len(token)
            return "\n".join(runs + ["BT /F1 10 Tf"])
        shown = visual_order(line) if rtl and order == "visual" else line  # (an English line: as written)
        x = 560 - 5 * len(shown) if x_right else 40
        return f"1 0 0 1 {x} {y} Tm <{''.join(f'{cid[c]:04X}' for c in shown)}> Tj"

    for number, page in enumerate(wrapped):
        ops = ["BT", "/F1 10 Tf"]
        if header:
            ops.append(show(header, rtl, 815))
        y = 790
        for para in page:
            for line in para:
                ops.append(show(line, rtl, y))
                y -= 12
            y -= 10
        if page_numbers:
            ops.append(show(str(number + 1), False, 30))
        ops.append("ET")
        content = "\n".join(ops).encode()
        stream = add(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content))
        kids.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 600 842] /Resources << /Font << /F1 %d 0 R "
                b">> >> /Contents %d 0 R >>" % (pages_id, font, stream)
            )
        )
    objects[pages_id - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids),
        len(kids),
    )
    catalog = add(b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id)
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, catalog, xref)
    Path(path).write_bytes(bytes(out))
    return Path(path)
