"""Which links an export holds, and the counts that follow from them.

Every export is rendered from one RunResult; :func:`select_links` applies ``--labels`` /
``--min-probability`` to it once, giving the view every file but the run's record is rendered from
(the JSONL files a later export reads back keep every link, so a filter never deletes one and a later
export can lift it), and :func:`recount` derives the unaligned rows and the counts from the links that
remain, so a filtered or hand-corrected set of links never leaves a stale count or row behind.
:func:`translation_beads` groups ``equivalent`` links into beads (a paragraph split in two is one bead,
one line each side) for the files MT training and CAT tools read.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.errors import PipelineError
from pipeline.records import equivalent_groups

LABELS = ("equivalent", "related", "theme")


# A link a reader added or accepted by hand stands whatever the aligner's probability says.
REVIEWED = ("accepted", "added")


@dataclass(frozen=True)
class LinkFilter:
    """``labels``: the labels kept (None: all); ``min_probability``: the lowest probability kept (the value
    the report shows beside each link and filters by; None: all). Links a reader accepted or added keep
    whatever their probability."""

    labels: tuple[str, ...] | None = None
    min_probability: float | None = None

    def __post_init__(self):
        unknown = [label for label in self.labels or () if label not in LABELS]
        if unknown or self.labels == ():
            raise PipelineError(
                None, f"unknown label(s) {', '.join(unknown) or '(none)'}: choose from {', '.join(LABELS)}"
            )
        if self.min_probability is not None and not (
            math.isfinite(self.min_probability) and 0.0 <= self.min_probability <= 1.0
        ):
            raise PipelineError(None, f"--min-probability {self.min_probability}: give a probability from 0 to 1")

    @property
    def active(self) -> bool:
        return self.labels is not None or self.min_probability is not None

    def keeps(self, link: dict) -> bool:
        if self.labels is not None and link["label"] not in self.labels:
            return False
        if self.min_probability is None or link.get("review") in REVIEWED:
            return True
        return link.get("probability") is not None and link["probability"] >= self.min_probability

    def to_json(self) -> dict:
        labels = list(self.labels) if self.labels is not None else None
        return {"labels": labels, "min_probability": self.min_probability}

    def describe(self) -> str:
        """The filter as the command-line flags that set it."""
        parts = [f"--labels {','.join(self.labels)}"] if self.labels is not None else []
        if self.min_probability is not None:
            parts.append(f"--min-probability {self.min_probability}")
        return " ".join(parts)


def parse_labels(value: str | None) -> tuple[str, ...] | None:
    """``"equivalent,related"`` → a tuple (validated by LinkFilter); None or empty → None (all labels)."""
    if not value:
        return None
    return tuple(dict.fromkeys(part.strip() for part in value.split(",") if part.strip()))


def select_links(result, link_filter: LinkFilter):
    """``result`` with its view (``RunResult.shown``) set to the links the filter keeps, unaligned rows and
    counts recomputed there, and the filter recorded in the manifest's ``export`` (this export's alone: a
    filter given before is not kept). The result's own links are untouched. Raises PipelineError for a
    minimum probability on a run whose links have none (parallel mode)."""
    manifest = dict(result.manifest)
    earlier = ("filter", "shown", "labels", "min_score")  # an earlier export's filter (min_score: before it)
    export = {k: v for k, v in manifest.get("export", {}).items() if k not in earlier}
    if not link_filter.active:
        manifest["export"] = {**export, "filter": None}
        return dataclasses.replace(result, manifest=manifest, shown=None)
    if link_filter.min_probability is not None and any(
        link.get("probability") is None and link.get("review") not in REVIEWED for link in result.links
    ):
        raise PipelineError(
            None,
            f"--min-probability {link_filter.min_probability}: this run's links have no probability "
            "(parallel mode aligns in document order); filter with --labels",
        )
    kept = [link for link in result.links if link_filter.keeps(link)]
    dropped = [link for link in result.links if not link_filter.keeps(link)]
    view = recount(dataclasses.replace(result, links=kept, manifest=dict(manifest), shown=None), dropped)
    shown = {k: v for k, v in view.manifest["counts"].items() if k.startswith("links") or k == "unaligned"}
    manifest["export"] = {**export, "filter": link_filter.to_json(), "shown": shown}
    view.manifest["export"] = manifest["export"]
    return dataclasses.replace(result, manifest=manifest, shown=view)


def recount(result, dropped: Sequence[dict] = ()):
    """Unaligned rows and manifest counts derived from ``result.links``: an Arabic paragraph is unaligned
    exactly when no link names it. A paragraph that lost its links (filtered out, or deleted by a reader)
    gets an unaligned row whose near miss is its best dropped link, when there is one."""
    linked = {link["ar_id"] for link in result.links}
    previous = {row["ar_id"]: row for row in result.unaligned}
    best_dropped: dict[str, dict] = {}
    for link in dropped:
        if link["score"] is None:
            continue  # added by hand: not a near miss the aligner found
        if link["ar_id"] not in best_dropped or link["score"] > best_dropped[link["ar_id"]]["score"]:
            best_dropped[link["ar_id"]] = link
    unaligned = []
    for row in result.segments:
        if row["lang"] != "ar" or row["id"] in linked:
            continue
        if row["id"] in previous:
            unaligned.append(previous[row["id"]])
            continue
        miss = best_dropped.get(row["id"])
        entry = {
            "ar_id": row["id"],
            "ar_text": row["text"],
            "mt_text": row.get("mt_text"),
            "best_en_id": miss["en_id"] if miss else None,
            "best_score": miss["score"] if miss else None,
        }
        if miss and miss.get("probability") is not None:
            entry["best_probability"] = miss["probability"]
        unaligned.append(entry)
    by_label: dict[str, int] = {}
    for link in result.links:
        by_label[link["label"]] = by_label.get(link["label"], 0) + 1
    manifest = dict(result.manifest)
    counts = {k: v for k, v in manifest.get("counts", {}).items() if not k.startswith("links")}
    counts.pop("unaligned", None)
    counts.update(
        {
            "paragraphs": len(result.segments),
            "removed": len(result.removed),
            "links": len(result.links),
            **{f"links_{k}": v for k, v in sorted(by_label.items())},
            "unaligned": len(unaligned),
        }
    )
    themes = themes_of_links(result.themes, result.links)
    counts["themes"] = len(themes)
    manifest["counts"] = counts
    sentences = sentences_of_links(result.sentences, result.links)
    return dataclasses.replace(result, unaligned=unaligned, manifest=manifest, sentences=sentences, themes=themes)


def themes_of_links(themes: list[dict], links: list[dict]) -> list[dict]:
    """The themes that still have a theme link among ``links``, each with only the member paragraphs such
    a link names and its link count (a filtered or corrected set of links leaves no stale theme behind)."""
    named: dict[str, set[str]] = {}
    counts: dict[str, int] = {}
    for link in links:
        theme = (link.get("evidence") or {}).get("theme") if link["label"] == "theme" else None
        if theme:
            named.setdefault(theme, set()).update((link["ar_id"], link["en_id"]))
            counts[theme] = counts.get(theme, 0) + 1
    kept = []
    for theme in themes:
        if theme["id"] not in named:
            continue
        members = {doc: [p for p in ids if p in named[theme["id"]]] for doc, ids in theme.get("members", {}).items()}
        kept.append({**theme, "members": {d: ids for d, ids in members.items() if ids}, "links": counts[theme["id"]]})
    return kept


def paragraph_of(sentence_id: str) -> str:
    """``<paragraph id>#<k>`` → the paragraph id (sentences.jsonl's sentence ids)."""
    return str(sentence_id).rsplit("#", 1)[0]


def sentences_of_links(rows: list[dict], links: list[dict]) -> list[dict]:
    """Sentence rows that still belong to a link: a row goes when none of its paragraphs is linked any
    more (its links were filtered out or rejected); a row's ``links`` (0-based lines of
    alignments.jsonl) are renumbered against ``links``."""
    line = {(l["ar_id"], l["en_id"]): k for k, l in enumerate(links)}
    linked_ar = {l["ar_id"] for l in links}
    linked_en = {l["en_id"] for l in links}
    kept = []
    for row in rows:
        ar = {paragraph_of(i) for i in row.get("ar_ids") or []}
        en = {paragraph_of(i) for i in row.get("en_ids") or []}
        if not (ar & linked_ar or en & linked_en):
            continue
        if "links" in row:
            group_ar = row.get("ar_paragraphs") or sorted(ar)
            group_en = row.get("en_paragraphs") or sorted(en)
            row = {**row, "links": sorted(line[(a, e)] for a in group_ar for e in group_en if (a, e) in line)}
        kept.append(row)
    return kept


@dataclass(frozen=True)
class Bead:
    """Paragraphs that translate each other: ``ar_ids`` and ``en_ids`` in document order, joined into
    one line each side. ``score`` is the weakest of its links (a bead is as sure as its least sure part);
    None when every link of it was added by hand."""

    ar_ids: tuple[str, ...]
    en_ids: tuple[str, ...]
    ar_text: str
    en_text: str
    mt_text: str | None
    label: str
    score: float | None
    probability: float | None

    @property
    def id(self) -> str:
        """Stable across reruns and edits of other links: the paragraph ids of both sides."""
        return "+".join(self.ar_ids) + "=" + "+".join(self.en_ids)

    @property
    def shape(self) -> str:
        return f"{len(self.ar_ids)}-{len(self.en_ids)}"


def one_line(text: str | None) -> str:
    """Line-aligned files: any line break inside a text becomes a space."""
    return " ".join((text or "").split())


def translation_beads(links: list[dict], segments: list[dict]) -> list[Bead]:
    """``equivalent`` links grouped into beads: paragraphs joined by equivalent links (directly or through
    each other) form one bead, so a 1-2 bead is one Arabic line against the two English paragraphs
    joined, not the Arabic repeated. Beads come in the Arabic side's document order."""
    position = {row["id"]: k for k, row in enumerate(segments)}
    rows = {row["id"]: row for row in segments}
    beads = []
    for indexes, ar_group, en_group in equivalent_groups(links):
        members = [links[k] for k in indexes]
        ar_ids = sorted(ar_group, key=lambda i: position.get(i, len(position)))
        en_ids = sorted(en_group, key=lambda i: position.get(i, len(position)))
        ar_text = {l["ar_id"]: l["ar_text"] for l in members}
        en_text = {l["en_id"]: l["en_text"] for l in members}
        mt = [
            rows.get(i, {}).get("mt_text") or next((l.get("mt_text") for l in members if l["ar_id"] == i), None)
            for i in ar_ids
        ]
        probabilities = [l["probability"] for l in members if l.get("probability") is not None]
        scores = [l["score"] for l in members if l["score"] is not None]
        beads.append(
            Bead(
                tuple(ar_ids),
                tuple(en_ids),
                " ".join(one_line(ar_text[i]) for i in ar_ids),
                " ".join(one_line(en_text[i]) for i in en_ids),
                " ".join(one_line(t) for t in mt if t) if any(mt) else None,
                "equivalent",
                min(scores) if scores else None,
                min(probabilities) if probabilities else None,
            )
        )
    beads.sort(key=lambda b: (position.get(b.ar_ids[0], len(position)), position.get(b.en_ids[0], len(position))))
    return beads
