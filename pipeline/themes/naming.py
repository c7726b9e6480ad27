"""Themes as objects: the matched terms of a run's theme links grouped into themes, each named in plain
English with its key terms in both languages, and each link's evidence (the terms, with spans).

Only central matches name a theme or stand as evidence: both terms among the :data:`CENTRAL_RANK` most
salient of their paragraphs (a theme is what both paragraphs are about, not a word they happen to share).
Each link contributes its strongest central matches (those within half of its best weight, at most
:data:`CORE_MATCHES`), each joining an Arabic term (or a translation's English term) to an English term; a
link without one (decided on its sentences' similarity) contributes the strongest allowed match between the
terms of its best-matching sentences instead (an English common noun or phrase) or, failing that, the
English paragraph's salient common noun or phrase most like those two sentences (:func:`closest_term`: what
the two passages share, not merely the English paragraph's rarest word).
Terms joined by some link's core match are one theme (connected components; a two-word phrase also joins
its words' one-word terms where those are core terms too: "memory sticks" and "memory"). A link belongs to
the theme of its best match. A theme's name is its heaviest English term (a phrase when the phrase carries
at least :data:`PHRASE_SHARE` of its heaviest word's weight) and its heaviest Arabic term. Themes are
numbered in the order of their first Arabic paragraph (the statement's order), then their first English.
Pure functions.
"""

from __future__ import annotations

import numpy as np

from pipeline.themes.features import Match
from pipeline.themes.terms import Term

CORE_MATCHES = 3
CENTRAL_RANK = 5
PHRASE_SHARE = 0.5
MAX_EVIDENCE_TERMS = 6


class _Components:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        while self.parent.setdefault(x, x) != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)  # the smaller key is the root: the same groups every run


def _core(matches: list[Match]) -> list[Match]:
    if not matches:
        return []
    best = matches[0].weight
    return [m for m in matches if m.weight >= 0.5 * best][:CORE_MATCHES]


def _term(terms: list[Term], key: str) -> Term | None:
    return next((t for t in terms if t.key == key), None)


def _gloss(term: Term, glossary) -> list[str]:
    """The glossary's first senses of an Arabic term (the phrase's own, else each word's first; empty without
    a dictionary)."""
    from pipeline.align.glossary import lookup

    if glossary is None:
        return []
    found = lookup(term.surface, glossary)
    if found is not None:
        return list(found.english[:2])
    words = [lookup(word, glossary) for word in term.surface.split()]
    return [w.english[0] for w in words if w is not None and w.english]


def _top_keys(side, paragraph: int, count: int) -> set[str]:
    ranked = sorted(side.salience[paragraph].items(), key=lambda kv: (-kv[1], kv[0]))
    return {key for key, _ in ranked[:count]}


def central_matches(inputs, a: int, b: int, direct: list[Match], via_mt: list[Match]) -> tuple[list, list]:
    """The matches of pair (a, b) whose two terms are both among the CENTRAL_RANK most salient of their
    paragraphs."""
    en_top = _top_keys(inputs.en, b, CENTRAL_RANK)
    out: list[list[Match]] = []
    for side, matches in ((inputs.ar, direct), (inputs.mt, via_mt)):
        if side is None or not matches:
            out.append([])
            continue
        src_top = _top_keys(side, a, CENTRAL_RANK)
        out.append([m for m in matches if side.table.keys[m.src] in src_top and inputs.en.table.keys[m.en] in en_top])
    return out[0], out[1]


def _paragraph_index(table, paragraph: int) -> dict[str, int]:
    """Term key → its index in ``table``, for one paragraph's terms (``table.index`` maps the whole run's, a
    dictionary rebuilt at every call)."""
    return {table.keys[x]: x for x in table.paragraphs[paragraph].tolist()}


def _inside(terms: list[Term], span) -> list[Term]:
    return [t for t in terms if any(span[0] <= s and e <= span[1] for s, e in t.spans)]


def _sentence_nodes(inputs, a: int, b: int, sentences, passages=None) -> list[tuple[str, str, float]]:
    """For a link without central matches, from its best-matching sentences (``sentences``: their
    [start, end] in each paragraph): the strongest allowed match between their terms (an English common noun
    or phrase: a theme is a kind of thing, not "Iraqi" or the "Independent High" commission), as an Arabic and
    an English node; failing that, an English node alone (:func:`_english_subject`)."""
    ar_terms = _inside(inputs.ar.terms[a], sentences[0])
    en_terms = _inside(inputs.en.terms[b], sentences[1])
    common = [u for u in en_terms if not u.surface[:1].isupper()]
    ar_index, en_index = _paragraph_index(inputs.ar.table, a), _paragraph_index(inputs.en.table, b)
    best = None
    for t in ar_terms:
        for u in common:
            x, y = ar_index[t.key], en_index[u.key]
            cosine = inputs.ar_en.cosine(x, y)
            if cosine is not None:
                value = cosine * (inputs.ar.salience[a][t.key] * inputs.en.salience[b][u.key]) ** 0.5
                if best is None or value > best[0]:
                    best = (value, t, u)
    if best is not None:
        value, t, u = best
        return [("ar:" + t.key, t.surface, value), ("en:" + u.key, u.surface, value)]
    return _english_subject(inputs, b, en_terms, passages)


def closest_term(
    terms: list[Term], vectors: np.ndarray, salience: np.ndarray, passages: tuple[np.ndarray, np.ndarray]
) -> Term | None:
    """The term both salient and like both ``passages`` (unit vectors of the pair's most alike Arabic and
    English passages): the highest mean of its phrase vector's (``vectors``, a row a term) two cosines times
    its ``salience``, as a match weighs its strength by salience (a run's common subject, every paragraph's
    "elections", is like every passage but salient in none). Ties to the smaller key; None for no terms."""
    if not terms:
        return None
    score = ((vectors @ passages[0] + vectors @ passages[1]) / 2 * salience).tolist()
    return terms[min(range(len(terms)), key=lambda k: (-score[k], terms[k].key))]


def _english_subject(inputs, b: int, terms: list[Term], passages=None) -> list[tuple[str, str, float]]:
    """A lone English node: with ``passages`` (the vectors of the pair's most alike passages) the English
    paragraph's salient common noun or phrase most like both (:func:`closest_term`), else the most salient
    common noun of ``terms`` (else of the whole English paragraph)."""
    common = [u for u in inputs.en.terms[b] if not u.surface[:1].isupper()]
    if passages is not None and common:
        index = _paragraph_index(inputs.en.table, b)
        vectors = inputs.en_vectors[[index[u.key] for u in common]]
        salience = np.asarray([inputs.en.salience[b][u.key] for u in common])
        u = closest_term(common, vectors, salience, passages)
        assert u is not None
        return [("en:" + u.key, u.surface, inputs.en.salience[b][u.key])]
    for pool in (terms, inputs.en.terms[b]):
        common = [u for u in pool if not u.surface[:1].isupper()] or pool
        if common:
            u = max(common, key=lambda u: (inputs.en.salience[b][u.key], u.key))
            return [("en:" + u.key, u.surface, inputs.en.salience[b][u.key])]
    return []


def _link_edges(inputs, chosen, groups: _Components, weight: dict, surface: dict, sentences, passages) -> list[list]:
    """Each link's core matches as (source node, English node, weight), strongest first; joins each
    match's two nodes in ``groups`` and adds its weight to both nodes. ``sentences``: per link, the
    best-matching sentences' spans, and ``passages`` their vectors, for links without a central match."""
    edges = []
    for k, (_, _, (direct, via_mt)) in enumerate(chosen):
        mine = []
        if not direct and not via_mt:
            a, b = chosen[k][0], chosen[k][1]
            found = (
                _sentence_nodes(inputs, a, b, sentences[k], passages[k])
                if sentences[k] is not None
                else _english_subject(inputs, b, [], passages[k])
            )
            for node, text, value in found:
                surface.setdefault(node, text)
                weight[node] = weight.get(node, 0.0) + value
                groups.union(found[0][0], node)
            if len(found) == 2:
                mine.append((found[0][0], found[1][0], found[0][2] + found[1][2]))
            elif found:
                mine.append((found[0][0], found[0][0], found[0][2]))
        for source, matches in (("ar", direct), ("mt", via_mt)):
            table = inputs.ar.table if source == "ar" else (inputs.mt.table if inputs.mt is not None else None)
            for m in _core(sorted(matches, key=lambda m: -m.weight)):
                assert table is not None
                src = ("ar:" if source == "ar" else "en:") + table.keys[m.src]
                dst = "en:" + inputs.en.table.keys[m.en]
                surface.setdefault(src, table.surfaces[m.src])
                surface.setdefault(dst, inputs.en.table.surfaces[m.en])
                groups.union(src, dst)
                for node in (src, dst):
                    weight[node] = weight.get(node, 0.0) + m.weight
                mine.append((src, dst, m.weight))
        edges.append(sorted(mine, key=lambda e: -e[2]))
    for node in list(weight):  # a phrase and its words' one-word terms, where both are core terms
        words = node[3:].split(" ")
        if len(words) > 1:
            for word in words:
                if node[:3] + word in weight:
                    groups.union(node, node[:3] + word)
    return edges


def _members(links: list[int], chosen, ar_rows, en_rows) -> dict[str, list[str]]:
    """The paragraphs of a theme's links by document: Arabic first, in order, then English."""
    members: dict[str, list[str]] = {}
    for side, rows in ((0, ar_rows), (1, en_rows)):
        for k in sorted(links, key=lambda k: chosen[k][side]):
            row = rows[chosen[k][side]]
            ids = members.setdefault(row.doc, [])
            if row.id not in ids:
                ids.append(row.id)
    return members


def name_themes(
    inputs,
    chosen: list[tuple[int, int, tuple[list[Match], list[Match]]]],
    ar_rows,
    en_rows,
    lexicon,
    sentences: list | None = None,
    passages: list | None = None,
):
    """(themes, per link: {"id", "name", "terms"}) for the chosen pairs ``(a, b, (direct, via_mt))``
    (their matches; only the central ones are used, :func:`central_matches`). ``sentences``: per link the
    best-matching sentences' spans ``([s, e] Arabic, [s, e] English)`` or None; ``passages``: per link the
    vectors of its most alike passages (Arabic, English) or None."""
    chosen = [(a, b, central_matches(inputs, a, b, *matches)) for a, b, matches in chosen]
    groups = _Components()
    weight: dict[str, float] = {}
    surface: dict[str, str] = {}
    none = [None] * len(chosen)
    edges = _link_edges(inputs, chosen, groups, weight, surface, sentences or none, passages or none)
    by_root: dict[str, list[int]] = {}
    for k, mine in enumerate(edges):
        if mine:
            by_root.setdefault(groups.find(mine[0][0]), []).append(k)
    ordered = sorted(
        by_root,
        key=lambda root: (min(chosen[k][0] for k in by_root[root]), min(chosen[k][1] for k in by_root[root]), root),
    )
    themes = []
    theme_of_root = {}
    for number, root in enumerate(ordered, 1):
        nodes = sorted((n for n in weight if groups.find(n) == root), key=lambda n: (-weight[n], n))
        en_nodes = [n for n in nodes if n.startswith("en:")]
        ar_nodes = [n for n in nodes if n.startswith("ar:")]
        theme = {
            "id": f"theme-{number}",
            "name": _theme_name(en_nodes, ar_nodes, weight, surface),
            "en_terms": _distinct([surface[n] for n in en_nodes]),
            "ar_terms": _distinct([surface[n] for n in ar_nodes]),
            "members": _members(by_root[root], chosen, ar_rows, en_rows),
            "links": len(by_root[root]),
        }
        themes.append(theme)
        theme_of_root[root] = theme
    assigned = []
    for k, (a, b, (direct, via_mt)) in enumerate(chosen):
        theme = theme_of_root[groups.find(edges[k][0][0])] if edges[k] else {"id": None, "name": None}
        terms = evidence_terms(inputs, a, b, direct, via_mt, lexicon)
        assigned.append({"id": theme["id"], "name": theme["name"], "terms": terms})
    return themes, assigned


def _distinct(items: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for item in items:
        seen.setdefault(item.lower(), item)
    return list(seen.values())


def _theme_name(en_nodes: list[str], ar_nodes: list[str], weight: dict[str, float], surface: dict[str, str]) -> str:
    """The heaviest English term (a common noun before a name: a theme is a kind of thing) — the heaviest
    Arabic term."""
    english = ""
    common = [n for n in en_nodes if not surface[n][:1].isupper()]
    en_nodes = common or en_nodes
    if en_nodes:
        top = en_nodes[0]
        phrases = [n for n in en_nodes if " " in n and weight[n] >= PHRASE_SHARE * weight[top]]
        english = surface[phrases[0] if phrases and " " not in top else top].lower()
    arabic = surface[ar_nodes[0]] if ar_nodes else ""
    return " — ".join(part for part in (english, arabic) if part)


def evidence_terms(inputs, a: int, b: int, direct: list[Match], via_mt: list[Match], lexicon) -> list[dict]:
    """The matched terms of one link, strongest first: what each side says, where (spans), how they were
    matched (``source``: dictionary, encoder or mt) and, for an Arabic term, its dictionary gloss."""
    terms: list[dict] = []
    sides = [(inputs.ar, direct, "ar")] + ([(inputs.mt, via_mt, "mt")] if inputs.mt is not None else [])
    for side, matches, name in sides:
        for m in sorted(matches, key=lambda m: -m.weight):
            src = _term(side.terms[a], side.table.keys[m.src])
            dst = _term(inputs.en.terms[b], inputs.en.table.keys[m.en])
            if src is None or dst is None:
                continue
            term: dict = {
                "kind": "theme",
                "source": "mt" if name == "mt" else "dictionary" if m.exact else "encoder",
                name: src.surface,
                "en": dst.surface,
                f"{name}_spans": [list(s) for s in src.spans],
                "en_spans": [list(s) for s in dst.spans],
                "similarity": round(m.strength, 4),
                "weight": round(m.weight, 4),
            }
            if name == "ar":  # a translation's term needs no gloss
                term["gloss"] = _gloss(src, lexicon)
            terms.append(term)
    return sorted(terms, key=_weight_of)[:MAX_EVIDENCE_TERMS]


def _weight_of(term: dict) -> float:
    return -term["weight"]
