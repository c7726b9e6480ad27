"""report.html: one self-contained page (no external assets) to read the Arabic beside its English links.

The page comes from a Jinja2 template with autoescape (``templates/report.html.j2``, its CSS and script
inlined from the same folder). This module turns a RunResult into the plain data the template shows:
documents with outlet and date, each Arabic paragraph with its links (label, a 0–1 value, a reason in
plain words, the matched sentence and shared terms highlighted, sentence pairs when the run has them),
and each English article with its paragraphs and their Arabic counterparts, or none.
Fields other stages may add are shown when present and not required: a link's ``probability``,
``evidence.reason`` / ``sentences`` / ``terms``, Arabic ``glosses``, an unaligned row's near-miss
probability, and the run's sentence pairs (``RunResult.sentences``).
"""

from __future__ import annotations

import itertools
from functools import lru_cache

from markupsafe import Markup, escape

from pipeline.export.reasons import link_reason, shown_value
from pipeline.export.selection import paragraph_of

DOC_FIELDS = ("outlet", "date", "title", "description")


@lru_cache(maxsize=1)
def _environment():
    from jinja2 import Environment, PackageLoader

    return Environment(
        loader=PackageLoader("pipeline.export", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def highlight(text: str, spans: list[tuple[int, int, str]]) -> Markup:
    """``text`` escaped, with each ``(start, end, css class)`` span marked: term classes (``term …``) as
    <mark>, the matched sentence (``sent``) as a span; overlapping spans combine their classes.
    Spans outside the text are clipped; empty ones are ignored."""
    spans = [(max(0, s), min(len(text), e), c) for s, e, c in spans if isinstance(s, int) and isinstance(e, int)]
    spans = [(s, e, c) for s, e, c in spans if s < e]
    cuts = sorted({0, len(text), *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    out = []
    for start, end in itertools.pairwise(cuts):
        classes = sorted({c for s, e, c in spans if s <= start and end <= e})
        piece = escape(text[start:end])
        if not classes:
            out.append(piece)
        elif any(c.startswith("term") for c in classes):
            out.append(Markup('<mark class="{}">{}</mark>').format(" ".join(classes), piece))
        else:
            out.append(Markup('<span class="{}">{}</span>').format(" ".join(classes), piece))
    return Markup("").join(out)


def _find(text: str, surface: str) -> tuple[int, int] | None:
    if not surface:
        return None
    at = text.find(surface)
    if at < 0:
        at = text.lower().find(surface.lower())
    return (at, at + len(surface)) if at >= 0 else None


def link_terms(link: dict, ar_text: str, en_text: str) -> list[dict]:
    """Shared terms with their spans in both paragraphs: the aligner's ``evidence.terms`` when present,
    else its anchors located by their surface forms (an anchor found in the MT only has no Arabic span)."""
    evidence = link.get("evidence") or {}
    if evidence.get("terms"):
        return [
            {
                "kind": t.get("kind", "phrase"),
                "ar": t.get("ar", ""),
                "en": t.get("en", ""),
                "ar_spans": [tuple(s) for s in t.get("ar_spans") or []],
                "en_spans": [tuple(s) for s in t.get("en_spans") or []],
            }
            for t in evidence["terms"]
        ]
    terms = []
    for anchor in evidence.get("anchors") or []:
        ar, en = _find(ar_text, anchor.get("ar", "")), _find(en_text, anchor.get("en", ""))
        terms.append(
            {
                "kind": anchor.get("kind", "phrase"),
                "ar": anchor.get("ar", ""),
                "en": anchor.get("en", ""),
                "ar_spans": [ar] if ar else [],
                "en_spans": [en] if en else [],
            }
        )
    return terms


def _sentence_span(link: dict, side: str) -> list[tuple[int, int, str]]:
    span = ((link.get("evidence") or {}).get("sentences") or {}).get(side)
    if isinstance(span, (list, tuple)) and len(span) == 2 and all(isinstance(x, int) for x in span):
        return [(max(0, span[0]), span[1], "sent")]
    return []


def _doc_view(entry: dict) -> dict:
    view = {"id": entry.get("id", ""), "lang": entry.get("lang", "")}
    view.update({k: str(entry[k]) for k in DOC_FIELDS if entry.get(k)})
    facts = [view[k] for k in ("outlet", "date") if k in view]
    view["label"] = f"{view['id']} ({', '.join(facts)})" if facts else view["id"]
    return view


def documents(result) -> dict[str, dict]:
    """Document id → outlet, date, title: from the manifest's inputs, completed by metadata the segments
    carry (``doc_meta`` or the same field names on a row) when the manifest lacks them."""
    docs = {entry["id"]: dict(entry) for entry in result.manifest.get("inputs", [])}
    for row in result.segments:
        entry = docs.setdefault(row["doc"], {"id": row["doc"], "lang": row["lang"]})
        meta = row.get("doc_meta") if isinstance(row.get("doc_meta"), dict) else row
        for key in DOC_FIELDS:
            if meta.get(key) and not entry.get(key):
                entry[key] = meta[key]
    return {doc_id: _doc_view(entry) for doc_id, entry in docs.items()}


def _sentence_pairs(result) -> dict[tuple[str, str], list[dict]]:
    """The run's sentence pairs (``sentences.jsonl`` rows) grouped by the paragraph link they fall in:
    a row whose Arabic sentences are in paragraph a and English ones in paragraph e belongs to link
    (a, e). Sentences left out (one side empty) are not pairs and are not shown."""
    grouped: dict[tuple[str, str], list[dict]] = {}
    for row in getattr(result, "sentences", None) or []:
        for ar in dict.fromkeys(paragraph_of(i) for i in row.get("ar_ids") or []):
            for en in dict.fromkeys(paragraph_of(i) for i in row.get("en_ids") or []):
                grouped.setdefault((ar, en), []).append(row)
    return grouped


def _link_view(link: dict, ar_text: str, docs: dict, pairs: dict) -> dict:
    value, value_name = shown_value(link)
    terms = link_terms(link, ar_text, link["en_text"])
    term_spans = [(s, e, f"term term-{t['kind']}") for t in terms for s, e in t["en_spans"]]
    evidence = link.get("evidence") or {}
    details = [f"aligner score {link['score']:.3f}" if link["score"] is not None else "added by hand"]
    for key in ("cosine", "margin", "mt_cosine", "chrf", "bead", "bead_cosine", "pair_cosine"):
        if key in evidence:
            details.append(f"{key} {evidence[key]}")
    ar_sentence = _sentence_span(link, "ar")
    return {
        "ar_id": link["ar_id"],
        "en_id": link["en_id"],
        "en_doc": link["en_doc"],
        "en_doc_label": docs.get(link["en_doc"], {}).get("label", link["en_doc"]),
        "label": link["label"],
        "value": value,
        "value_name": value_name,
        "score": link["score"],
        "reason": link_reason(link),
        "details": " · ".join(details),
        "review": link.get("review"),
        "theme": evidence.get("theme"),
        "theme_name": evidence.get("theme_name"),
        "en_html": highlight(link["en_text"], term_spans + _sentence_span(link, "en")),
        "ar_sentence": ar_text[ar_sentence[0][0] : ar_sentence[0][1]] if ar_sentence else None,
        "terms": terms,
        "sentence_pairs": pairs.get((link["ar_id"], link["en_id"]), []),
    }


def _arabic_html(row: dict, links: list[dict]) -> Markup:
    spans = []
    for link in links:
        spans += [
            (s, e, f"term term-{t['kind']}")
            for t in link_terms(link, row["text"], link["en_text"])
            for s, e in t["ar_spans"]
        ]
        spans += _sentence_span(link, "ar")
    if not row.get("mt_text"):  # words the dictionary glosses below the paragraph: dotted underline
        spans += [
            (g["span"][0], g["span"][1], "gloss") for g in row.get("glosses") or [] if len(g.get("span") or []) == 2
        ]
    return highlight(row["text"], spans)


def _mt_message(translation: dict) -> dict:
    """The MT state in one plain sentence; ``kind`` is ok, missing or none."""
    status = str(translation.get("status") or "")
    model = translation.get("model")
    if status.startswith("missing"):
        return {
            "kind": "missing",
            "text": f"No machine translation in this run: the model {model} is not available here "
            "(`make models` downloads it; manifest.json says why it could not be loaded). Links rest on the "
            "cross-lingual encoder and, where it is installed, the Arabic–English dictionary.",
        }
    if status == "ok" and translation.get("backend") == "precomputed":
        text = f"Machine translation: supplied in {translation.get('source', 'a file')}"
        provided, paragraphs = translation.get("provided"), translation.get("arabic_paragraphs")
        if provided is not None and paragraphs and provided < paragraphs:
            text += (
                f" for {provided} of {paragraphs} Arabic paragraphs; the other {paragraphs - provided} are "
                "aligned without it, by the models without MT"
            )
        return {"kind": "ok", "text": text + "."}
    if status == "ok":
        return {"kind": "ok", "text": f"Machine translation: {model} ({translation.get('backend')})."}
    return {
        "kind": "none",
        "text": "No machine translation in this run (none was chosen). Links rest on the "
        "cross-lingual encoder and, where it is installed, the Arabic–English dictionary.",
    }


def _theme_html(text: str, links: list[dict], side: str) -> Markup:
    """``text`` with the theme terms of ``links`` on ``side`` ("ar" or "en") marked."""
    spans = [
        (a, b, "term term-theme")
        for link in links
        for t in (link.get("evidence") or {}).get("terms") or []
        if t.get("kind") == "theme"
        for a, b in t.get(f"{side}_spans") or []
    ]
    return highlight(text, spans)


def theme_index(result, docs: dict, rows: dict) -> list[dict]:
    """The run's themes in the statement's order (``themes.jsonl``), each with its Arabic paragraphs (what
    they say in English: the machine translation, or the matched terms and their dictionary glosses, or, for
    links decided on their sentences' similarity alone, the dictionary glosses of the paragraph's key words)
    and the English paragraphs that take it up (outlet, date), every matched term marked."""
    by_theme: dict[str, list[dict]] = {}
    for link in result.links:
        theme = (link.get("evidence") or {}).get("theme")
        if link["label"] == "theme" and theme:
            by_theme.setdefault(theme, []).append(link)
    index = []
    for theme in getattr(result, "themes", None) or []:
        links = by_theme.get(theme["id"], [])
        if not links:
            continue
        arabic, english = [], []
        for ar_id in dict.fromkeys(l["ar_id"] for l in links):
            mine = [l for l in links if l["ar_id"] == ar_id]
            row = rows.get(ar_id, {"text": mine[0]["ar_text"], "doc": ar_id.rsplit(":", 1)[0]})
            said = []
            for link in mine:
                for t in (link.get("evidence") or {}).get("terms") or []:
                    if t.get("kind") == "theme" and t.get("ar"):
                        gloss = ", ".join(t.get("gloss") or [])
                        said.append({"ar": t["ar"], "en": t["en"], "gloss": gloss})
            arabic.append(
                {
                    "id": ar_id,
                    "html": _theme_html(row["text"], mine, "ar"),
                    "mt": row.get("mt_text"),
                    "terms": list({(t["ar"], t["en"]): t for t in said}.values())[:6],
                    # No translation and no matched term: the reader still gets the key words in English.
                    "glosses": [] if row.get("mt_text") or said else row.get("glosses") or [],
                }
            )
        for en_id in dict.fromkeys(l["en_id"] for l in sorted(links, key=lambda l: l["en_id"])):
            mine = [l for l in links if l["en_id"] == en_id]
            doc = docs.get(mine[0]["en_doc"], {"label": mine[0]["en_doc"]})
            english.append(
                {
                    "id": en_id,
                    "doc": doc,
                    "html": _theme_html(mine[0]["en_text"], mine, "en"),
                    "value": max(shown_value(l)[0] for l in mine),
                }
            )
        index.append({**theme, "arabic": arabic, "english": english, "n_links": len(links)})
    return index


def report_view(result) -> dict:
    """Everything the template shows, as plain data."""
    docs = documents(result)
    pairs = _sentence_pairs(result)
    rows = {row["id"]: row for row in result.segments}
    links_by_ar: dict[str, list[dict]] = {}
    links_by_en: dict[str, list[dict]] = {}
    for link in result.links:
        links_by_ar.setdefault(link["ar_id"], []).append(link)
        links_by_en.setdefault(link["en_id"], []).append(link)
    unaligned = {row["ar_id"]: row for row in result.unaligned}
    themes = theme_index(result, docs, rows)
    themes_of: dict[str, list[dict]] = {}
    for theme in themes:
        for item in theme["arabic"]:
            themes_of.setdefault(item["id"], []).append({"id": theme["id"], "name": theme["name"]})
    ar_items = []
    for row in (r for r in result.segments if r["lang"] == "ar"):
        links = links_by_ar.get(row["id"], [])
        miss = unaligned.get(row["id"]) if not links else None
        near = None
        if miss and miss.get("best_en_id"):
            probability = miss.get("best_probability", miss.get("probability"))
            near = {
                "en_id": miss["best_en_id"],
                "text": rows.get(miss["best_en_id"], {}).get("text", ""),
                "score": miss.get("best_score"),
                "probability": round(float(probability), 2) if probability is not None else None,
            }
        ar_items.append(
            {
                "id": row["id"],
                "doc": docs.get(row["doc"], {"label": row["doc"]}),
                "html": _arabic_html(row, links),
                "mt": row.get("mt_text"),
                "flags": row.get("mt_flags") or [],
                "glosses": [] if row.get("mt_text") else row.get("glosses") or [],
                "links": [_link_view(l, row["text"], docs, pairs) for l in links],
                "near": near,
                "themes": themes_of.get(row["id"], []),
            }
        )
    en_articles = []
    for doc_id in dict.fromkeys(r["doc"] for r in result.segments if r["lang"] == "en"):
        paragraphs = []
        for row in (r for r in result.segments if r["doc"] == doc_id):
            linked = []
            for link in links_by_en.get(row["id"], []):
                value, value_name = shown_value(link)
                ar_row = rows.get(link["ar_id"], {"text": link["ar_text"]})
                linked.append(
                    {
                        "ar_id": link["ar_id"],
                        "en_doc": doc_id,
                        "label": link["label"],
                        "value": value,
                        "value_name": value_name,
                        "reason": link_reason(link),
                        "theme": (link.get("evidence") or {}).get("theme"),
                        "ar_html": _arabic_html(ar_row, [link]),
                        "mt": ar_row.get("mt_text"),
                    }
                )
            terms = [
                (s, e, f"term term-{t['kind']}")
                for link in links_by_en.get(row["id"], [])
                for t in link_terms(link, link["ar_text"], row["text"])
                for s, e in t["en_spans"]
            ]
            paragraphs.append({"id": row["id"], "html": highlight(row["text"], terms), "links": linked})
        en_articles.append({"doc": docs[doc_id], "paragraphs": paragraphs})
    counts = result.manifest.get("counts", {})
    value_names = {shown_value(l)[1] for l in result.links} - {"added by hand"} or {"similarity"}
    return {
        "docs": list(docs.values()),
        "en_docs": [d for d in docs.values() if d["lang"] == "en"],
        "ar_items": ar_items,
        "en_articles": en_articles,
        "counts": counts,
        "total_links": len(result.links),
        "total_unaligned": sum(1 for i in ar_items if not i["links"]),
        "total_ar": len(ar_items),
        "mode": result.manifest.get("parameters", {}).get("mode", ""),
        "mt": _mt_message(result.manifest.get("translation", {})),
        "value_name": "probability" if value_names == {"probability"} else "similarity",
        "filter": (result.manifest.get("export") or {}).get("filter"),
        "has_sentence_pairs": bool(pairs),
        "themes": themes,
        "en_choices": [{"id": r["id"], "text": r["text"][:90]} for r in result.segments if r["lang"] == "en"],
    }


def render_report(result) -> str:
    return _environment().get_template("report.html.j2").render(report_view(result))
