"""Ingest: raw documents → clean, de-duplicated paragraphs with stable ids, offsets and sentences.

Paragraph ids are ``<doc id>:<n>`` where n is the 1-based number of the non-empty line in the raw file,
so an id stays the same when a furniture rule is added or changed. ``start``/``end`` are character
(code point) offsets into the decoded raw file: ``raw[start:end]`` is the paragraph before clean-up.
Sentence offsets index into the paragraph's cleaned ``text``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.ingest.dedup import NEAR_DUPLICATE_JACCARD, DuplicateIndex, Match, shingles_of
from pipeline.ingest.furniture import TRIM_RULES, LineContext, classify_line, starts_comment_section
from pipeline.progress import progress
from pipeline.records import Document, Removed, Segment
from pipeline.text.normalize import arabic_key, clean_text
from pipeline.text.sentences import split_sentences

# A title is the document's first kept paragraph when it is short and does not end like a sentence.
TITLE_MAX_WORDS = 30


@dataclass
class IngestResult:
    segments: list[Segment]
    removed: list[Removed]


def raw_lines(text: str) -> list[tuple[int, int]]:
    """(start, end) spans of the non-empty lines of ``text``, surrounding whitespace excluded."""
    spans = []
    for match in re.finditer(r"[^\r\n]+", text):
        line = match.group()
        stripped = line.strip()
        if stripped and clean_text(stripped):
            lead = len(line) - len(line.lstrip())
            spans.append((match.start() + lead, match.start() + lead + len(stripped)))
    return spans


def _looks_like_title(text: str) -> bool:
    return len(text.split()) <= TITLE_MAX_WORDS and text[-1] not in ".!?؟…:\"”"


def ingest_documents(documents: list[Document]) -> IngestResult:
    """Segment, clean and de-duplicate ``documents`` (duplicates are looked for across documents of a language)."""
    segments: list[Segment] = []
    removed: list[Removed] = []
    # One index per language: duplicates are sought among the kept paragraphs of the same language.
    seen: dict[str, tuple[DuplicateIndex, list[Segment]]] = {}
    all_lines = [raw_lines(doc.text) for doc in documents]
    bar = progress(sum(map(len, all_lines)), "ingest", unit="line")
    for doc, lines in zip(documents, all_lines, strict=True):
        kept: list[Segment] = []
        title: str | None = None
        in_comments = False
        for position, (start, end) in enumerate(lines):
            bar.update()
            n = position + 1
            raw = doc.text[start:end]
            text = clean_text(raw)
            if position in doc.dropped:  # the format's extractor: HTML boilerplate, PDF page furniture
                rule_name, reason = doc.dropped[position]
                removed.append(Removed(doc.id, n, start, end, text, rule_name, reason))
                continue
            ctx = LineContext(
                position=position,
                total=len(lines),
                in_comment_section=in_comments,
                previous_kept=len(kept),
                lang=doc.lang,
            )
            rule = classify_line(text, ctx)
            if starts_comment_section(text):
                in_comments = True
            if rule is not None:
                removed.append(Removed(doc.id, n, start, end, text, rule.name, rule.reason))
                continue
            for trim in TRIM_RULES:
                span = trim.find(raw, title)
                if span is None:
                    continue
                cut_start, cut_end = start + span[0], start + span[1]
                removed.append(
                    Removed(
                        doc.id, n, cut_start, cut_end, clean_text(doc.text[cut_start:cut_end]), trim.name, trim.reason
                    )
                )
                raw = raw[: span[0]] + raw[span[1] :]
                if span[0] == 0:
                    lead = len(raw) - len(raw.lstrip())
                    start, raw = cut_end + lead, raw.lstrip()
                else:
                    raw = raw.rstrip()
                    end = start + len(raw)
                text = clean_text(raw)
            key = arabic_key(text)
            grams = shingles_of(key)
            index, indexed = seen.setdefault(doc.lang, (DuplicateIndex(NEAR_DUPLICATE_JACCARD), []))
            duplicate = _duplicate_reason(index.find(key, grams), indexed)
            if duplicate is not None:
                rule_name, reason = duplicate
                removed.append(Removed(doc.id, n, start, end, text, rule_name, reason))
                continue
            kind = "title" if not kept and _looks_like_title(text) else "paragraph"
            if kind == "title":
                title = text
            segment = Segment(
                id=f"{doc.id}:{n}",
                doc=doc.id,
                lang=doc.lang,
                index=len(kept),
                n=n,
                kind=kind,
                text=text,
                key=key,
                start=start,
                end=end,
                sentences=[{"text": text[s:e], "start": s, "end": e} for s, e in split_sentences(text)],
            )
            kept.append(segment)
            index.add(key, grams)
            indexed.append(segment)
        segments.extend(kept)
    bar.close()
    return IngestResult(segments=segments, removed=removed)


def repeated_document(removed: Removed) -> str | None:
    """The document whose paragraph a removed duplicate repeats, from the reason
    :func:`_duplicate_reason` wrote ("exact duplicate of ina:2" → "ina"); None for other removals."""
    match = (
        _REPEATS.search(removed.reason) if removed.rule in ("duplicate", "near_duplicate", "repeated_title") else None
    )
    return match.group(1) if match else None


_REPEATS = re.compile(r"(?:duplicate of|same as) (\S+):\d+")


def _duplicate_reason(match: Match | None, indexed: list[Segment]) -> tuple[str, str] | None:
    if match is None:
        return None
    other = indexed[match.position]
    if match.exact:
        if other.kind == "title":
            return "repeated_title", f"repeated title (same as {other.id})"
        return "duplicate", f"exact duplicate of {other.id}"
    return "near_duplicate", f"near-duplicate of {other.id} (5-gram Jaccard {match.similarity:.2f})"
