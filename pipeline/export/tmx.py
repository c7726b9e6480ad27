"""TMX 1.4b: one <tu> per translation bead (``equivalent`` links only), Arabic source, ``tuid`` and
``creationdate`` on every unit, properties for score, label, bead shape, ids and the MT text.

Valid XML for any input: characters XML 1.0 forbids (C0 controls other than tab/newline/CR, lone
surrogates, U+FFFE/U+FFFF) are dropped; bidi marks are legal and kept; escaping is lxml's.
``creationdate`` never comes from the clock, so a rerun writes the same bytes (see :func:`creation_date`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from datetime import datetime, timezone

from lxml import etree

from pipeline import __version__
from pipeline.errors import PipelineError
from pipeline.export.selection import Bead

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def xml_safe(text) -> str:
    return _XML_ILLEGAL.sub("", "" if text is None else str(text))


def creation_date(inputs: list[dict], file_times: Sequence[float] = ()) -> tuple[str | None, str]:
    """TMX ``YYYYMMDDThhmmssZ`` derived from the run's inputs, never the clock, and where it came from:
    ``SOURCE_DATE_EPOCH`` when set (the reproducible-builds convention), else the newest input document
    date (``2021-11`` → 20211101T000000Z), else the newest input file's modification time, else None.
    The run records it in the manifest, so a re-export writes the same date."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return _tmx_time(int(epoch)), "SOURCE_DATE_EPOCH"
        except (ValueError, OverflowError, OSError):
            raise PipelineError(None, f"SOURCE_DATE_EPOCH={epoch!r} is not a whole number of seconds") from None
    dates = []
    for entry in inputs:
        match = _PARTIAL_DATE.match(str(entry.get("date") or ""))
        if match:
            year, month, day = match.group(1), match.group(2) or "01", match.group(3) or "01"
            dates.append(f"{year}{month}{day}T000000Z")
    if dates:
        return max(dates), "newest input date"
    if file_times:
        return _tmx_time(int(max(file_times))), "newest input file time"
    return None, "unknown"


def _tmx_time(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def tmx_bytes(beads: list[Bead], creationdate: str | None = None) -> bytes:
    root = etree.Element("tmx", version="1.4")
    header = {
        "creationtool": "pipeline",
        "creationtoolversion": __version__,
        "segtype": "paragraph",
        "adminlang": "en",
        "srclang": "ar",
        "datatype": "plaintext",
        "o-tmf": "jsonl",
    }
    if creationdate:
        header["creationdate"] = creationdate
    etree.SubElement(root, "header", header)
    body = etree.SubElement(root, "body")
    for bead in beads:
        attributes = {"tuid": xml_safe(bead.id)}
        if creationdate:
            attributes["creationdate"] = creationdate
        tu = etree.SubElement(body, "tu", attributes)
        en_docs = dict.fromkeys(i.rsplit(":", 1)[0] for i in bead.en_ids)
        props: list[tuple[str, object]] = (
            [("x-score", bead.score)] if bead.score is not None else [("x-review", "added by hand")]
        )
        props += [
            ("x-label", bead.label),
            ("x-bead", bead.shape),
            ("x-ar-ids", ",".join(bead.ar_ids)),
            ("x-ar-doc", bead.ar_ids[0].rsplit(":", 1)[0]),
            ("x-en-ids", ",".join(bead.en_ids)),
            ("x-en-doc", ",".join(en_docs)),
        ]
        if bead.probability is not None:
            props.append(("x-probability", bead.probability))
        if bead.mt_text:
            props.append(("x-mt", bead.mt_text))
        for name, value in props:
            prop = etree.SubElement(tu, "prop", type=name)
            prop.text = xml_safe(value)
        for lang, text in (("ar", bead.ar_text), ("en", bead.en_text)):
            tuv = etree.SubElement(tu, "tuv", {XML_LANG: lang})
            seg = etree.SubElement(tuv, "seg")
            seg.text = xml_safe(text)
    doctype = '<!DOCTYPE tmx SYSTEM "tmx14.dtd">'
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True, doctype=doctype)
