"""TMX 1.4b: one <tu> per link, Arabic source, properties for score, label, ids and the MT text.

Valid XML for any input: characters XML 1.0 forbids (C0 controls other than tab/newline/CR, lone
surrogates, U+FFFE/U+FFFF) are dropped; bidi marks are legal and kept; escaping is lxml's.
"""

from __future__ import annotations

import re

from lxml import etree

from pipeline import __version__

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def xml_safe(text) -> str:
    return _XML_ILLEGAL.sub("", "" if text is None else str(text))


def tmx_bytes(links: list[dict]) -> bytes:
    root = etree.Element("tmx", version="1.4")
    etree.SubElement(
        root,
        "header",
        creationtool="pipeline",
        creationtoolversion=__version__,
        segtype="paragraph",
        adminlang="en",
        srclang="ar",
        datatype="plaintext",
        **{"o-tmf": "jsonl"},
    )
    body = etree.SubElement(root, "body")
    for link in links:
        tu = etree.SubElement(body, "tu")
        props = [
            ("x-score", link["score"]),
            ("x-label", link["label"]),
            ("x-ar-id", link["ar_id"]),
            ("x-ar-doc", link["ar_id"].rsplit(":", 1)[0]),
            ("x-en-doc", link["en_doc"]),
            ("x-en-id", link["en_id"]),
        ]
        if link.get("mt_text"):
            props.append(("x-mt", link["mt_text"]))
        for name, value in props:
            prop = etree.SubElement(tu, "prop", type=name)
            prop.text = xml_safe(value)
        for lang, key in (("ar", "ar_text"), ("en", "en_text")):
            tuv = etree.SubElement(tu, "tuv", {XML_LANG: lang})
            seg = etree.SubElement(tuv, "seg")
            seg.text = xml_safe(link[key])
    doctype = '<!DOCTYPE tmx SYSTEM "tmx14.dtd">'
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True, doctype=doctype)
