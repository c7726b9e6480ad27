"""Sentence-level exports: Moses files (line n of each = the n-th sentence pair) and a TMX with
``segtype="sentence"``, one ``<tu>`` per sentence pair. Beads with one side empty (a sentence the other
side lacks) stay in ``sentences.jsonl`` only: a translation memory or an MT corpus wants pairs."""

from __future__ import annotations

from lxml import etree

from pipeline import __version__
from pipeline.export.tabular import one_line
from pipeline.export.tmx import XML_LANG, xml_safe


def sentence_pairs(rows: list[dict]) -> list[dict]:
    return [r for r in rows if r["ar_ids"] and r["en_ids"]]


def sentence_moses_files(rows: list[dict]) -> dict[str, str]:
    pairs = sentence_pairs(rows)
    return {
        "parallel.sent.ar": "".join(one_line(r["ar_text"]) + "\n" for r in pairs),
        "parallel.sent.en": "".join(one_line(r["en_text"]) + "\n" for r in pairs),
    }


def sentence_tmx_bytes(rows: list[dict]) -> bytes:
    root = etree.Element("tmx", version="1.4")
    etree.SubElement(
        root,
        "header",
        creationtool="pipeline",
        creationtoolversion=__version__,
        segtype="sentence",
        adminlang="en",
        srclang="ar",
        datatype="plaintext",
        **{"o-tmf": "jsonl"},
    )
    body = etree.SubElement(root, "body")
    for row in sentence_pairs(rows):
        tu = etree.SubElement(body, "tu")
        props = [
            ("x-score", row["score"]),
            ("x-bead", row["bead"]),
            ("x-group", row["group"]),
            ("x-ar-ids", " ".join(row["ar_ids"])),
            ("x-en-ids", " ".join(row["en_ids"])),
        ]
        for name, value in props:
            prop = etree.SubElement(tu, "prop", type=name)
            prop.text = xml_safe(value)
        for lang, key in (("ar", "ar_text"), ("en", "en_text")):
            tuv = etree.SubElement(tu, "tuv", {XML_LANG: lang})
            etree.SubElement(tuv, "seg").text = xml_safe(row[key])
    return etree.tostring(
        root, xml_declaration=True, encoding="UTF-8", pretty_print=True, doctype='<!DOCTYPE tmx SYSTEM "tmx14.dtd">'
    )
