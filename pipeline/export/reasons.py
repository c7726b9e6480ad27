"""Plain-words explanations of a link, and the 0–1 value a reader is shown for it.

Pure functions of a link's fields: the aligner's own ``evidence.reason`` when it gives one, otherwise a
sentence built from the evidence it recorded (similarity, best-of-row/column, shared anchors).
"""

from __future__ import annotations

KIND_WORDS = {
    "number": "the number",
    "date": "the date",
    "name": "the name",
    "phrase": "the phrase",
    "dictionary": "the word",
}


def shown_value(link: dict) -> tuple[float, str]:
    """The 0–1 value shown beside a link and what it is: its label's model's probability that the link is
    right when it has one (what ``--min-probability`` filters), else the encoder's similarity of the two
    paragraphs (cosine, floored at 0)."""
    if link.get("probability") is not None:
        return round(min(max(float(link["probability"]), 0.0), 1.0), 2), "probability"
    if link.get("review") == "added":
        return 1.0, "added by hand"  # a reader's own link: no model weighed it, and no filter hides it
    evidence = link.get("evidence") or {}
    cosine = evidence.get("cosine", evidence.get("bead_cosine", link["score"]))
    return round(min(max(float(cosine), 0.0), 1.0), 2), "similarity"


def _anchor_words(anchors: list[dict]) -> list[str]:
    words = []
    for anchor in anchors:
        kind = KIND_WORDS.get(anchor.get("kind", ""), "")
        ar, en = anchor.get("ar", ""), anchor.get("en", "")
        surface = f"“{en}”" if not ar or ar == en else f"“{en}” ({ar})"
        words.append(f"{kind} {surface}".strip())
    return words


def link_reason(link: dict) -> str:
    """One sentence saying why the aligner linked these paragraphs."""
    evidence = link.get("evidence") or {}
    if evidence.get("reason"):
        return str(evidence["reason"])
    if "bead" in evidence:
        shape = evidence["bead"]
        joined = {
            "1-2": ", with the English split over two paragraphs",
            "2-1": ", with the Arabic split over two paragraphs",
        }
        return (
            f"Aligned in document order (the English is a translation){joined.get(shape, '')}: the encoder "
            f"rates them {float(evidence.get('bead_cosine', link['score'])):.2f} alike on a 0–1 scale."
        )
    shared = _anchor_words(evidence.get("anchors") or [])
    if link["label"] == "equivalent":
        head = "Says the same thing"
    else:
        head = "Shares a specific point" if shared else "Close on the same subject, nothing specific shared"
    parts = []
    if "cosine" in evidence:
        parts.append(f"the encoder rates the paragraphs {max(float(evidence['cosine']), 0.0):.2f} alike on a 0–1 scale")
    row, column = evidence.get("best_of_row"), evidence.get("best_of_column")
    if row and column:
        parts.append("each is the other's closest match")
    elif row:
        parts.append("this is the Arabic paragraph's closest English match")
    elif column:
        parts.append("the Arabic is this English paragraph's closest match")
    if shared:
        parts.append("both mention " + ", ".join(shared))
    if evidence.get("sentences", {}).get("similarity") is not None:
        parts.append(f"the closest sentences are {float(evidence['sentences']['similarity']):.2f} alike")
    return f"{head}: {'; '.join(parts)}." if parts else f"{head}."
