"""Themes as objects: the matched terms of a run's theme links grouped into themes, each named in plain
English with its key terms in both languages, and each link's evidence (the terms, with spans).

Each link contributes its strongest matches (those within half of its best weight, at most
:data:`CORE_MATCHES`), each joining an Arabic term (or a translation's English term) to an English term.
Terms joined by some link's core match are one theme (connected components; a two-word phrase also joins
its words' one-word terms where those are core terms too: "memory sticks" and "memory"). A link belongs to
the theme of its best match. A theme's name is its heaviest English term (a phrase when the phrase carries
at least :data:`PHRASE_SHARE` of its heaviest word's weight) and its heaviest Arabic term. Themes are
numbered in the order of their first Arabic paragraph (the statement's order), then their first English.
Pure functions.
"""

from __future__ import annotations

from pipeline.align.lexicon import arabic_stem
from pipeline.themes.features import Match
from pipeline.themes.terms import Term

CORE_MATCHES = 3
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


def _gloss(term: Term, lexicon) -> list[str]:
    """The dictionary's first sense of each word of an Arabic term (empty without a dictionary)."""
    if lexicon is None:
        return []
    senses = [lexicon.glosses.get(arabic_stem(word), ()) for word in term.surface.split()]
    return [s[0] for s in senses if s]


def _link_edges(inputs, chosen, groups: _Components, weight: dict, surface: dict) -> list[list[tuple[str, str, float]]]:
    """Each link's core matches as (source node, English node, weight), strongest first; joins each
    match's two nodes in ``groups`` and adds its weight to both nodes."""
    edges = []
    for _, _, (direct, via_mt) in chosen:
        mine = []
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


def name_themes(inputs, chosen: list[tuple[int, int, tuple[list[Match], list[Match]]]], ar_rows, en_rows, lexicon):
    """(themes, per link: {"id", "name", "terms"}) for the chosen pairs ``(a, b, (direct, via_mt))``."""
    groups = _Components()
    weight: dict[str, float] = {}
    surface: dict[str, str] = {}
    edges = _link_edges(inputs, chosen, groups, weight, surface)
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
    english = ""
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
    for m in sorted(direct, key=lambda m: -m.weight):
        src = _term(inputs.ar.terms[a], inputs.ar.table.keys[m.src])
        dst = _term(inputs.en.terms[b], inputs.en.table.keys[m.en])
        if src is None or dst is None:
            continue
        terms.append(
            {
                "kind": "theme",
                "source": "dictionary" if m.exact else "encoder",
                "ar": src.surface,
                "en": dst.surface,
                "ar_spans": [list(s) for s in src.spans],
                "en_spans": [list(s) for s in dst.spans],
                "similarity": round(m.strength, 4),
                "weight": round(m.weight, 4),
                "gloss": _gloss(src, lexicon),
            }
        )
    if inputs.mt is not None:
        for m in sorted(via_mt, key=lambda m: -m.weight):
            src = _term(inputs.mt.terms[a], inputs.mt.table.keys[m.src])
            dst = _term(inputs.en.terms[b], inputs.en.table.keys[m.en])
            if src is None or dst is None:
                continue
            terms.append(
                {
                    "kind": "theme",
                    "source": "mt",
                    "mt": src.surface,
                    "en": dst.surface,
                    "mt_spans": [list(s) for s in src.spans],
                    "en_spans": [list(s) for s in dst.spans],
                    "similarity": round(m.strength, 4),
                    "weight": round(m.weight, 4),
                }
            )
    return sorted(terms, key=_weight_of)[:MAX_EVIDENCE_TERMS]


def _weight_of(term: dict) -> float:
    return -term["weight"]
