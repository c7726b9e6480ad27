"""A reader's corrections: an edited ``alignments.jsonl``, or the decisions downloaded from the report.

``check_links`` validates links against the run's paragraphs (so a hand-edited file is refused with one
line naming the file, line and problem, not half-exported) and refills every text from
``segments.jsonl``, so a link a reader added by hand needs only ``ar_id``, ``en_id``, ``label`` and
``score``. ``apply_decisions`` applies a corrections file: one JSON object a line,
``{"ar_id": …, "en_id": …, "decision": "accept" | "reject" | "add"}`` with an optional ``"label"`` on
accept and a required one on add: a link the aligner missed, added by hand in the report, which enters
``alignments.jsonl`` with ``"review": "added"`` and no score or probability (no model weighed it).
"""

from __future__ import annotations

import math
from pathlib import Path

from pipeline.errors import PipelineError
from pipeline.export.selection import LABELS
from pipeline.fileio import read_jsonl

DECISIONS = ("accept", "reject", "add")
ADDED_REASON = "added by hand in the report: a link the aligner missed"


def check_links(links: list[dict], segments: list[dict], path: Path) -> list[dict]:
    """Links with texts and English document taken from the segments; raises PipelineError naming
    ``path`` and the 1-based link number for an unknown id, a bad label or score, or a duplicate pair."""
    rows = {row["id"]: row for row in segments}
    seen: set[tuple[str, str]] = set()
    checked = []
    for number, link in enumerate(links, 1):
        where = f"link {number}"
        if not isinstance(link, dict):
            raise PipelineError(path, f"{where} is not a JSON object")
        for key in ("ar_id", "en_id", "label", "score"):
            if key not in link:
                raise PipelineError(path, f"{where} has no {key!r}")
        ar, en = rows.get(link["ar_id"]), rows.get(link["en_id"])
        if ar is None or ar["lang"] != "ar":
            raise PipelineError(path, f"{where}: {link['ar_id']!r} is not an Arabic paragraph of this run")
        if en is None or en["lang"] != "en":
            raise PipelineError(path, f"{where}: {link['en_id']!r} is not an English paragraph of this run")
        if link["label"] not in LABELS:
            raise PipelineError(path, f"{where}: label {link['label']!r} (expected {' or '.join(LABELS)})")
        score = link["score"]
        added = link.get("review") == "added" and score is None  # no model weighed a link added by hand
        if not added and (isinstance(score, bool) or not isinstance(score, (int, float)) or not math.isfinite(score)):
            raise PipelineError(path, f"{where}: score {score!r} is not a number")
        pair = (link["ar_id"], link["en_id"])
        if pair in seen:
            raise PipelineError(path, f"{where}: {pair[0]} ↔ {pair[1]} is linked twice")
        seen.add(pair)
        checked.append(
            {
                **link,
                "ar_text": ar["text"],
                "mt_text": ar.get("mt_text"),
                "en_doc": en["doc"],
                "en_text": en["text"],
                "evidence": link.get("evidence") or {},
            }
        )
    return checked


def read_decisions(path: Path) -> list[dict]:
    path = Path(path)
    decisions = read_jsonl(path)
    for number, row in enumerate(decisions, 1):
        if not isinstance(row, dict) or not {"ar_id", "en_id", "decision"} <= set(row):
            raise PipelineError(path, f"line {number}: expected {{\"ar_id\", \"en_id\", \"decision\"}}")
        if row["decision"] not in DECISIONS:
            raise PipelineError(
                path, f"line {number}: decision {row['decision']!r} (expected {', '.join(DECISIONS[:-1])} or add)"
            )
        if row["decision"] == "add" and "label" not in row:
            raise PipelineError(path, f"line {number}: a link added by hand needs its label ({', '.join(LABELS)})")
        if "label" in row and row["label"] not in LABELS:
            raise PipelineError(path, f"line {number}: label {row['label']!r} (expected {' or '.join(LABELS)})")
    return decisions


def apply_decisions(
    links: list[dict], decisions: list[dict], path: Path, segments: list[dict] | None = None
) -> tuple[list[dict], dict]:
    """Rejected links go; accepted ones are marked ``"review": "accepted"`` (and relabelled when the
    decision has a label); added ones (needing ``segments``, the run's paragraphs) join the links in
    their Arabic paragraph's place, ``"review": "added"``, or, where the aligner made that link, count
    as accepting it. Rejecting a link already gone or adding one already added is harmless (the file can
    be applied twice); accepting one that does not exist, or adding one between paragraphs the run does
    not have, is an error naming the line. Returns the links and what was done."""
    by_pair = {(l["ar_id"], l["en_id"]): k for k, l in enumerate(links)}
    links = [dict(l) for l in links]
    rejected: set[int] = set()
    tally = {"accepted": 0, "rejected": 0, "already_absent": 0, "added": 0, "already_added": 0}
    rows = {row["id"]: row for row in segments or []}
    for number, row in enumerate(decisions, 1):
        k = by_pair.get((row["ar_id"], row["en_id"]))
        if row["decision"] == "add":
            if k is not None and k not in rejected:
                if links[k].get("review") == "added":
                    tally["already_added"] += 1
                    continue
                row = {**row, "decision": "accept"}  # the aligner made it: a hand-made add confirms it
            else:
                links.append(added_link(row, rows, path, number))
                by_pair[(row["ar_id"], row["en_id"])] = len(links) - 1
                rejected.discard(len(links) - 1)
                tally["added"] += 1
                continue
        if row["decision"] == "reject":
            if k is None or k in rejected:
                tally["already_absent"] += 1
            else:
                rejected.add(k)
                tally["rejected"] += 1
            continue
        if k is None or k in rejected:
            raise PipelineError(path, f"line {number}: no link {row['ar_id']} ↔ {row['en_id']} to accept")
        links[k]["review"] = "accepted"
        if "label" in row:
            links[k]["label"] = row["label"]
        tally["accepted"] += 1
    kept = [l for k, l in enumerate(links) if k not in rejected]
    # In their Arabic paragraph's place (the aligner's links come in Arabic order; sorting is stable).
    position = {row["id"]: k for k, row in enumerate(segments or [])}
    kept.sort(key=lambda l: position.get(l["ar_id"], len(position)))
    return kept, {"file": str(path), **tally}


def added_link(row: dict, rows: dict[str, dict], path: Path, number: int) -> dict:
    """A link a reader added by hand, with its paragraphs' texts; PipelineError naming ``path`` and the
    line when a paragraph is not one of the run's."""
    ar, en = rows.get(row["ar_id"]), rows.get(row["en_id"])
    if ar is None or ar["lang"] != "ar":
        raise PipelineError(path, f"line {number}: {row['ar_id']!r} is not an Arabic paragraph of this run")
    if en is None or en["lang"] != "en":
        raise PipelineError(path, f"line {number}: {row['en_id']!r} is not an English paragraph of this run")
    return {
        "ar_id": ar["id"],
        "ar_text": ar["text"],
        "mt_text": ar.get("mt_text"),
        "en_doc": en["doc"],
        "en_id": en["id"],
        "en_text": en["text"],
        "score": None,
        "label": row["label"],
        "evidence": {"reason": ADDED_REASON},
        "probability": None,
        "review": "added",
    }
