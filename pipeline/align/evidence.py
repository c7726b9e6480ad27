"""What a link's reader is shown: the terms both paragraphs share (names, numbers, dates, dictionary
words) with their character spans in each paragraph, the best-matching sentence pair, and one plain
sentence saying why. Pure functions returning data (the report renders it).
"""

from __future__ import annotations

import re

import numpy as np

from pipeline.align.anchors import shared_anchors

MAX_DICTIONARY_TERMS = 6
MAX_GLOSSED_WORDS = 8


def spans(text: str, surface: str, ignore_case: bool = False) -> list[list[int]]:
    """[start, end] of every occurrence of ``surface`` in ``text`` (whole words where the surface starts
    and ends with a letter or digit)."""
    if not surface:
        return []
    pattern = re.escape(surface)
    if surface[0].isalnum():
        pattern = r"(?<!\w)" + pattern
    if surface[-1].isalnum():
        pattern += r"(?!\w)"
    return [[m.start(), m.end()] for m in re.finditer(pattern, text, re.IGNORECASE if ignore_case else 0)]


def dictionary_terms(ar_text: str, en_text: str, lexicon) -> list[dict]:
    """Arabic words whose dictionary translation occurs in the English paragraph, rarest English word
    first (longer words first as a proxy), each Arabic stem once."""
    from pipeline.align.lexicon import arabic_terms, english_terms

    en_by_stem: dict[str, list[tuple[int, int]]] = {}
    for stem, start, end in english_terms(en_text):
        en_by_stem.setdefault(stem, []).append((start, end))
    found: dict[str, dict] = {}
    for stem, start, end in arabic_terms(ar_text, lexicon):
        for en_stem in sorted(lexicon.translations.get(stem, ())):
            if en_stem in en_by_stem:
                term = found.get(stem)
                if term is None:
                    first = en_by_stem[en_stem][0]
                    term = found[stem] = {
                        "kind": "dictionary",
                        "ar": ar_text[start:end],
                        "en": en_text[first[0] : first[1]],
                        "ar_spans": [],
                        "en_spans": [[s, e] for s, e in en_by_stem[en_stem]],
                        "gloss": list(lexicon.glosses.get(stem, ())[:3]),
                    }
                if [start, end] not in term["ar_spans"]:
                    term["ar_spans"].append([start, end])
                break
    terms = sorted(found.values(), key=lambda t: (-len(t["en"]), t["en"].lower()))
    return terms[:MAX_DICTIONARY_TERMS]


def anchor_terms(ar_text: str, en_text: str, mt_text: str | None) -> list[dict]:
    """Names, numbers and dates both paragraphs name (``pipeline.align.anchors``), with spans (a name
    matched through the MT has no Arabic span)."""
    out = []
    for anchor in shared_anchors(ar_text, en_text, mt_text):
        out.append(
            {
                "kind": anchor.kind,
                "ar": anchor.ar,
                "en": anchor.en,
                "ar_spans": spans(ar_text, anchor.ar),
                "en_spans": spans(en_text, anchor.en),
            }
        )
    return out


def best_sentences(
    ar_sentences: list[dict], en_sentences: list[dict], ar_vecs: np.ndarray, en_vecs: np.ndarray
) -> dict | None:
    """The most similar (Arabic sentence, English sentence) pair: their [start, end] in each paragraph and
    their cosine."""
    if not len(ar_vecs) or not len(en_vecs):
        return None
    sim = ar_vecs @ en_vecs.T
    a, e = np.unravel_index(int(np.argmax(sim)), sim.shape)
    return {
        "ar": [ar_sentences[a]["start"], ar_sentences[a]["end"]],
        "en": [en_sentences[e]["start"], en_sentences[e]["end"]],
        "similarity": round(float(sim[a, e]), 4),
    }


def _quote(terms: list[dict]) -> str:
    names: list[str] = []
    for t in terms:
        name = t["en"] if t["kind"] in ("name", "number", "date") else f"'{t['en']}'"
        if name.lower() not in (n.lower() for n in names):
            names.append(name)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _theme_terms(terms: list[dict]) -> str:
    said = []
    for t in terms:
        other = t.get("ar") or t.get("mt") or ""
        pair = f"'{t['en']}' ({other})" if other and other.lower() != t["en"].lower() else f"'{t['en']}'"
        if pair not in said:
            said.append(pair)
    return said[0] if len(said) == 1 else ", ".join(said[:-1]) + " and " + said[-1]


def reason(
    label: str,
    probability: float | None,
    terms: list[dict],
    sentences: dict | None,
    features: dict,
    theme: str | None = None,
) -> str:
    """One plain-English sentence: what matched (with the link's probability, when it has one; for a
    ``theme`` link, the theme's name and the terms that carry it: 'memory sticks' (عصا الذاكرة))."""
    head = {"equivalent": "same content", "related": "same story"}.get(label, f"same theme '{theme}'")
    if probability is not None:
        head += f" (probability {probability:.2f})"
    parts = []
    if label == "theme" and terms:
        parts.append("both take up " + _theme_terms(terms[:4]))
    elif terms:
        parts.append(f"both mention {_quote(terms[:4])}")
    if sentences:
        parts.append(f"best matching sentences {sentences['similarity']:.2f}")
    if label == "related" and features.get("context", 0.0) > features.get("cosine", 0.0):
        parts.append("the neighbouring Arabic paragraphs match the same English article")
    if not parts:
        parts.append(f"paragraph similarity {features.get('cosine', 0.0):.2f}")
    return f"{head}: " + "; ".join(parts)


def link_evidence(ar, en, features: dict[str, float], lexicon) -> dict:
    """Evidence of one link, without the sentence match (added by the caller, who has the encoder)."""
    terms = anchor_terms(ar.text, en.text, ar.mt_text)
    if lexicon is not None:
        named = {t["ar"] for t in terms}
        terms += [t for t in dictionary_terms(ar.text, en.text, lexicon) if t["ar"] not in named]
    return {
        "cosine": round(features["cosine"], 4),
        "margin": round(features["margin"], 4),
        "features": {name: round(value, 4) for name, value in features.items()},
        "terms": terms,
    }


def glosses(text: str, lexicon, words: set[str] | None = None) -> list[dict]:
    """Dictionary glosses of the Arabic words of ``text``: those in ``words`` (the ones that carried its
    links) first, then its other dictionary words, rarest-looking (longest) first, at most
    MAX_GLOSSED_WORDS. Glosses, not a translation."""
    from pipeline.align.lexicon import arabic_terms

    seen: set[str] = set()
    chosen = []
    candidates = [(stem, s, e) for stem, s, e in arabic_terms(text, lexicon) if lexicon.glosses.get(stem)]
    ordered = sorted(candidates, key=lambda t: (text[t[1] : t[2]] not in (words or set()), -(t[2] - t[1]), t[1]))
    for stem, start, end in ordered:
        if stem in seen:
            continue
        seen.add(stem)
        chosen.append({"ar": text[start:end], "span": [start, end], "en": list(lexicon.glosses[stem][:3])})
        if len(chosen) == MAX_GLOSSED_WORDS:
            break
    return sorted(chosen, key=lambda g: g["span"][0])
