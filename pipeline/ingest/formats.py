"""Input formats: plain text, HTML, DOCX and PDF, decided by the file's content (not its extension).

Every format becomes the same thing ingest reads: text with one paragraph per line. For HTML and PDF the
text keeps the page's furniture as lines too (navigation, footers, page numbers), marked in ``dropped`` so
that ingest reports them in ``removed.jsonl`` with the same offsets as everything else; segment offsets
then index into this extracted text (``python -m pipeline extract FILE`` prints it).

- HTML: every block of the page (``<p>``, headings, list items, table rows, ...) is a line; trafilatura
  decides which lines are the main text, the rest is dropped as ``html_boilerplate``.
- DOCX: the body's paragraphs and table rows in order (python-docx); headers and footers are not read.
- PDF: the text layer (pypdf), lines grouped into paragraphs by vertical gaps and line lengths; page
  numbers and running headers dropped. Arabic whose words come out in visual order is put back in
  reading order line by line (``pipeline.ingest.word_order``); a line whose letters still read backwards
  is dropped as ``pdf_reversed_letters``; a document whose Arabic letters mostly read backwards, or that
  has none, is refused with a message saying so.
"""

from __future__ import annotations

import io
import itertools
import re
import statistics
import unicodedata
import zipfile
from dataclasses import dataclass, field

from pipeline.errors import PipelineError
from pipeline.ingest.encoding import decode_bytes
from pipeline.text.normalize import clean_text

FORMATS = ("text", "html", "docx", "pdf")


@dataclass(frozen=True)
class Extracted:
    text: str  # one paragraph per line
    format: str  # one of FORMATS
    encoding: str | None  # for text and HTML: the codec used; None for DOCX/PDF (binary containers)
    encoding_source: str | None  # see pipeline.ingest.encoding.Decoded.source
    dropped: dict = field(default_factory=dict)  # 0-based non-empty line → (rule, reason)
    meta: dict = field(default_factory=dict)  # title / date / outlet the file gives about itself


def sniff_format(data: bytes, path) -> str:
    """ "pdf", "docx", "html" or "text" from the bytes; PipelineError for containers that are not supported."""
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except zipfile.BadZipFile:
            raise PipelineError(path, "a damaged ZIP archive (not a readable DOCX)") from None
        if "word/document.xml" in names:
            return "docx"
        if "content.xml" in names:
            raise PipelineError(path, "an OpenDocument file: save it as DOCX or plain text")
        raise PipelineError(path, "a ZIP archive, not a DOCX: give the documents inside it one by one")
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise PipelineError(path, "a legacy Word .doc (OLE) file: save it as DOCX or plain text")
    if data.lstrip()[:6] == b"{\\rtf1":
        raise PipelineError(path, "an RTF file: save it as DOCX or plain text")
    from pipeline.ingest.encoding import utf16_without_bom

    head = data[:4096]
    for bom, codec in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"), (b"", utf16_without_bom(data))):
        if codec and head.startswith(bom):
            head = head[len(bom) :].decode(codec, errors="ignore").encode("ascii", errors="ignore")
            break
    if _HTML_START.match(head.lower()):
        return "html"
    return "text"


_HTML_START = re.compile(
    rb"(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*"
    rb"<(?:!doctype\s+html|html|head|body|meta|title|article|main)\b",
    re.DOTALL,
)


def extract(data: bytes, path, lang: str, encoding: str | None = None) -> Extracted:
    """The text of ``data`` (file ``path``) with one paragraph per line, whatever its format."""
    kind = sniff_format(data, path)
    if kind == "pdf":
        return extract_pdf(data, path, lang)
    if kind == "docx":
        return extract_docx(data, path)
    if b"\x00" in data and not _unicode_with_nuls(data):
        raise PipelineError(path, "binary data (contains NUL bytes), expected text, HTML, DOCX or PDF")
    if kind == "html":
        declared = _declared_charset(data[:4096])
        decoded = decode_bytes(data, path, lang, encoding, declared)
        return extract_html(decoded.text, path, decoded.encoding, decoded.source)
    decoded = decode_bytes(data, path, lang, encoding)
    text = decoded.text.removeprefix("\ufeff")
    return Extracted(text, "text", decoded.encoding, decoded.source)


def _unicode_with_nuls(data: bytes) -> bool:
    """UTF-16/32 text (with a byte-order mark or the NUL pattern of BOM-less UTF-16) has NUL bytes too."""
    from pipeline.ingest.encoding import utf16_without_bom

    return data.startswith((b"\xff\xfe", b"\xfe\xff")) or utf16_without_bom(data) is not None


def _declared_charset(head: bytes) -> str | None:
    match = re.search(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w.:-]+)", head, re.IGNORECASE)
    return match.group(1).decode("ascii") if match else None


def _lines_text(lines: list[str]) -> str:
    return "\n".join(lines) + "\n"


def _one_line(text: str) -> str:
    return " ".join(text.split())


# ---------------------------------------------------------------- HTML

_SKIP = {
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "math",
    "head",
    "select",
    "option",
    "button",
    "iframe",
    "object",
    "canvas",
    "textarea",
    "input",
}
_BLOCK = {
    "html",
    "body",
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "blockquote",
    "pre",
    "table",
    "tr",
    "thead",
    "tbody",
    "tfoot",
    "section",
    "article",
    "header",
    "footer",
    "nav",
    "aside",
    "main",
    "form",
    "fieldset",
    "legend",
    "figure",
    "figcaption",
    "caption",
    "address",
    "hr",
    "details",
    "summary",
    "center",
    "menu",
    "hgroup",
}
_CELLS = {"td", "th"}
HTML_BOILERPLATE = (
    "html_boilerplate",
    "page text outside the main text (navigation, header, footer, sidebar, related links; trafilatura)",
)


def html_blocks(root) -> list[str]:
    """The page's text, one line per block element (a ``<br>`` also ends a line; table cells join with ' | ')."""
    lines: list[str] = []
    buf: list[str] = []

    def flush():
        text = _one_line("".join(buf))
        buf.clear()
        if text and clean_text(text):
            lines.append(text)

    def walk(el):
        tag = el.tag.rsplit("}", 1)[-1].lower() if isinstance(el.tag, str) else None
        if tag is not None and tag not in _SKIP:
            if tag in _BLOCK or tag == "br":
                flush()
            if tag in _CELLS and "".join(buf).strip():
                buf.append(" | ")
            if el.text:
                buf.append(el.text)
            for child in el:
                walk(child)
            if tag in _BLOCK:
                flush()
        if el.tail:
            buf.append(el.tail)

    walk(root)
    flush()
    return lines


def _words_key(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def main_text_lines(blocks: list[str], main: list[str]) -> set[int]:
    """Which of the page's ``blocks`` are the extractor's ``main`` lines: matched in order on their words
    (the extractor re-spaces text and marks list items and cells); a main line that matches no block
    whole keeps the blocks of its stretch that it contains (the extractor joined them)."""
    from difflib import SequenceMatcher

    block_keys, main_keys = [_words_key(b) for b in blocks], [_words_key(m) for m in main]
    kept: set[int] = set()
    matcher = SequenceMatcher(None, block_keys, main_keys, autojunk=False)
    for tag, b0, b1, m0, m1 in matcher.get_opcodes():
        if tag == "equal":
            kept.update(range(b0, b1))
        elif tag == "replace":
            joined = " ".join(main_keys[m0:m1])
            kept.update(i for i in range(b0, b1) if block_keys[i] and block_keys[i] in joined)
    return kept


def extract_html(text: str, path, encoding: str, encoding_source: str) -> Extracted:
    import lxml.html
    import trafilatura

    try:
        root = lxml.html.document_fromstring(text)
    except Exception as exc:  # lxml raises several types (ParserError, ValueError) for unparsable input
        raise PipelineError(path, f"HTML that cannot be parsed ({exc})") from None
    blocks = html_blocks(root)
    if not blocks:
        raise PipelineError(path, "an HTML page with no text")
    main = trafilatura.extract(
        text, output_format="txt", include_comments=False, include_tables=True, favor_recall=True, deduplicate=False
    )
    meta = _html_meta(text)
    if main:
        kept = main_text_lines(blocks, [line for line in main.splitlines() if line.strip()])
    else:
        kept = set()
    if not kept:
        # Nothing recognised as an article (a very short page, a list): keep every block and say so.
        kept = set(range(len(blocks)))
        meta["extraction"] = "every text block (trafilatura found no main text)"
    else:
        meta["extraction"] = "main text by trafilatura"
    dropped = {i: HTML_BOILERPLATE for i in range(len(blocks)) if i not in kept}
    return Extracted(_lines_text(blocks), "html", encoding, encoding_source, dropped, meta)


def _html_meta(text: str) -> dict:
    """Title, site name and publication date the page declares (meta tags, structured data); the date is
    not guessed from the body text or a copyright line."""
    import trafilatura

    found = trafilatura.extract_metadata(
        text, extensive=False, date_config={"extensive_search": False, "original_date": True}
    )
    meta = {}
    if found is not None:
        for key, value in (("title", found.title), ("outlet", found.sitename), ("date", found.date)):
            if value:
                meta[key] = value
    return meta


# ---------------------------------------------------------------- DOCX


def extract_docx(data: bytes, path) -> Extracted:
    import docx
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises PackageNotFoundError, KeyError, lxml errors for bad files
        raise PipelineError(path, f"not a readable DOCX ({type(exc).__name__}: {exc})") from None
    lines: list[str] = []

    def add(text: str):
        # A line break inside a Word paragraph (Shift+Enter) starts a new line here, as <br> does in HTML.
        for piece in text.split("\n"):
            piece = _one_line(piece)
            if piece and clean_text(piece):
                lines.append(piece)

    for block in document.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                cells: list[str] = []
                for cell in row.cells:  # a merged cell is returned once per grid column it spans
                    text = _one_line(cell.text)
                    if text and (not cells or cells[-1] != text):
                        cells.append(text)
                add(" | ".join(cells))
        else:
            add(block.text)
    if not lines:
        raise PipelineError(path, "a DOCX with no text in its body")
    meta = {"title": document.core_properties.title} if document.core_properties.title else {}
    return Extracted(_lines_text(lines), "docx", None, None, {}, meta)


# ---------------------------------------------------------------- PDF

_SENTENCE_END = ".!?؟…:;\"”»)"
_PAGE_NUMBER_RE = re.compile(
    r"[-–—\s]*(?:(?:page|p\.|صفحة|الصفحة)\s*)?[\d٠-٩]{1,4}"
    r"(?:\s*(?:of|/|من)\s*[\d٠-٩]{1,4})?[-–—\s]*",
    re.IGNORECASE,
)
PDF_PAGE_NUMBER = ("pdf_page_number", "page number")
PDF_REVERSED_LETTERS = (
    "pdf_reversed_letters",
    "Arabic whose letters the PDF stores in visual order (they read backwards) and that could not be put back",
)
PDF_RUNNING = ("pdf_running_header", "running header or footer (the same line at the top or bottom of most pages)")


@dataclass
class _PdfLine:
    page: int
    y: float
    text: str


def _collect_into(chunks: list[tuple[str, float]]):
    """A pypdf text visitor that keeps each piece of text with its vertical position on the page."""

    def visit(text, cm, tm, font, size):
        chunks.append((text, tm[4] * cm[1] + tm[5] * cm[3] + cm[5]))

    return visit


def _pdf_lines(reader) -> list[_PdfLine]:
    lines: list[_PdfLine] = []
    for number, page in enumerate(reader.pages):
        chunks: list[tuple[str, float]] = []
        page.extract_text(visitor_text=_collect_into(chunks))
        text, y = "", None
        for chunk, chunk_y in chunks:
            for i, piece in enumerate(chunk.split("\n")):
                if i:
                    lines.append(_PdfLine(number, y or 0.0, text))
                    text, y = "", None
                if piece.strip() and y is None:
                    y = chunk_y
                text += piece
        lines.append(_PdfLine(number, y or 0.0, text))
    for line in lines:
        line.text = _one_line(_unshape(line.text))
    return [line for line in lines if line.text and clean_text(line.text)]


def _unshape(text: str) -> str:
    """Arabic presentation forms (shaped glyphs some PDFs map to) → the letters they show."""
    return "".join(
        unicodedata.normalize("NFKC", ch) if 0xFB50 <= ord(ch) <= 0xFDFF or 0xFE70 <= ord(ch) <= 0xFEFF else ch
        for ch in text
    )


def _furniture(lines: list[_PdfLine], pages: int) -> dict[int, tuple[str, str]]:
    """Page numbers, and lines that open or close most pages with the same words (digits aside)."""
    dropped: dict[int, tuple[str, str]] = {}
    edges: dict[str, set[int]] = {}
    by_page: dict[int, list[int]] = {}
    for i, line in enumerate(lines):
        by_page.setdefault(line.page, []).append(i)
    for page, indices in by_page.items():
        for i in {indices[0], indices[-1]}:
            key = re.sub(r"[\d٠-٩]+", "#", _words_key(lines[i].text))
            edges.setdefault(key, set()).add(page)
    for i, line in enumerate(lines):
        if _PAGE_NUMBER_RE.fullmatch(line.text):
            dropped[i] = PDF_PAGE_NUMBER
    if pages >= 3:
        for indices in by_page.values():
            for i in {indices[0], indices[-1]}:
                key = re.sub(r"[\d٠-٩]+", "#", _words_key(lines[i].text))
                if i not in dropped and len(edges[key]) > pages / 2:
                    dropped[i] = PDF_RUNNING
    return dropped


def _paragraphs(lines: list[_PdfLine], dropped: dict[int, tuple[str, str]]) -> tuple[list[str], dict]:
    """Join the lines of a paragraph: a new one starts after a gap wider than the usual line step, after a
    line much shorter than the page's longest (it did not wrap), at a new page, and around furniture."""
    gaps = [a.y - b.y for a, b in itertools.pairwise(lines) if a.page == b.page and a.y - b.y > 0]
    step = statistics.median(gaps) if gaps else 0.0
    longest: dict[int, int] = {}
    for line in lines:
        longest[line.page] = max(longest.get(line.page, 0), len(line.text))
    paragraphs: list[str] = []
    out_dropped: dict[int, tuple[str, str]] = {}
    current: list[str] = []

    def close():
        if current:
            paragraphs.append(_join_lines(current))
            current.clear()

    for i, line in enumerate(lines):
        if i in dropped:
            close()
            out_dropped[len(paragraphs)] = dropped[i]
            paragraphs.append(line.text)
            continue
        current.append(line.text)
        following = lines[i + 1] if i + 1 < len(lines) else None
        if (
            following is None
            or following.page != line.page
            or (i + 1) in dropped
            or not (0 < line.y - following.y <= 1.3 * step)
            or len(line.text) < 0.7 * longest[line.page]
        ):
            close()
    close()
    return paragraphs, out_dropped


def _join_lines(lines: list[str]) -> str:
    text = lines[0]
    for line in lines[1:]:
        if re.search(r"[A-Za-z]-$", text) and line[:1].islower():
            text = text[:-1] + line  # a word hyphenated at the line end
        else:
            text += " " + line
    return text


def arabic_order_evidence(text: str) -> tuple[int, int]:
    """(logical, reversed): counts of Arabic words whose letter forms say the text runs in logical order
    (ة or ى at the end, the article ال at the start) or reversed (ة/ى at the start, لا at the end).
    These letters' positions are fixed by the orthography, whatever the text is about."""
    logical = reversed_ = 0
    for word in re.findall(r"[\u0621-\u064A]{3,}", text):
        logical += (word[-1] in "ةى") + word.startswith("ال")
        reversed_ += (word[0] in "ةى") + word.endswith("لا")
    return logical, reversed_


def looks_reversed(text: str) -> bool:
    """True when the Arabic in ``text`` reads backwards (a PDF's visual order), on enough evidence."""
    logical, reversed_ = arabic_order_evidence(text)
    return reversed_ >= 10 and reversed_ > 2 * logical


def extract_pdf(data: bytes, path, lang: str) -> Extracted:
    import logging

    import pypdf

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # pypdf warns on every harmless irregularity
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise PipelineError(path, "an encrypted PDF: save an unprotected copy first")
        lines = _pdf_lines(reader)
        pages = len(reader.pages)
    except PipelineError:
        raise
    except Exception as exc:  # pypdf raises many types for damaged files
        raise PipelineError(path, f"not a readable PDF ({type(exc).__name__}: {exc})") from None
    if not lines:
        raise PipelineError(
            path,
            f"a PDF with no text layer ({pages} page(s) of images, a scan?): run OCR on it "
            "first (e.g. ocrmypdf) or give its text as a .txt or .docx file",
        )
    text = "\n".join(line.text for line in lines)
    if lang == "ar":
        if not any("\u0621" <= ch <= "\u064a" for ch in text):
            raise PipelineError(
                path,
                "a PDF whose text layer has no Arabic letters (its fonts map glyphs to no "
                "Unicode text, or it is not Arabic): its Arabic cannot be extracted; "
                "give the text as a .txt or .docx file",
            )
        if looks_reversed(text):
            logical, reversed_ = arabic_order_evidence(text)
            raise PipelineError(
                path,
                f"the PDF's Arabic comes out in visual order, letters reversed "
                f"({reversed_} words read backwards, e.g. starting with ة, against "
                f"{logical} forwards): export the text from the program that made the "
                "PDF, or give it as .txt or .docx",
            )
    meta = {"title": reader.metadata.title} if reader.metadata and reader.metadata.title else {}
    furniture = _furniture(lines, pages)
    if lang == "ar":
        repaired = put_words_in_reading_order(lines)
        if repaired:
            meta["reading_order"] = f"repaired: the words of {repaired} lines were in visual order"
        furniture |= {
            i: PDF_REVERSED_LETTERS for i, line in enumerate(lines) if i not in furniture and reads_backwards(line.text)
        }
    paragraphs, dropped = _paragraphs(lines, furniture)
    return Extracted(_lines_text(paragraphs), "pdf", None, None, dropped, meta)


def put_words_in_reading_order(lines: list[_PdfLine]) -> int:
    """When the document's Arabic lines read better backwards (``pipeline.ingest.word_order``), put each
    line's words back in reading order, in place; returns how many lines were (0: the order was right)."""
    from pipeline.ingest.word_order import load_model, reverse_words

    arabic = [k for k, line in enumerate(lines) if any("\u0621" <= ch <= "\u064a" for ch in line.text)]
    if not load_model().reads_reversed([lines[k].text for k in arabic]):
        return 0
    for k in arabic:
        lines[k].text = reverse_words(lines[k].text)
    return len(arabic)


def reads_backwards(line: str) -> bool:
    """A line whose Arabic letter forms read backwards more often than forwards (two words or more)."""
    logical, reversed_ = arabic_order_evidence(line)
    return reversed_ >= 2 and reversed_ > logical
