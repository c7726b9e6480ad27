"""The records the stages pass to each other (plain dataclasses; JSON field names and order are the output
formats', so ``to_json`` of a record is its JSONL line).

    read_document → Document → ingest → Segment, Removed → translate → Segment (mt_* filled)
                  → align → Link, Unaligned → RunResult (the JSON rows every export format renders)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace

# Filled by the translate stage; absent from a segment's JSON when MT did not run on it. ``glosses``
# (filled by the align stage when there is no MT and a dictionary) likewise.
MT_FIELDS = ("mt_text", "mt_sentences", "mt_flags")
OPTIONAL_FIELDS = (*MT_FIELDS, "glosses")


@dataclass(frozen=True)
class Document:
    id: str
    lang: str
    path: str
    text: str  # the decoded raw file (for HTML/DOCX/PDF: its extracted text); paragraph offsets index into it
    sha256: str
    meta: dict
    format: str = "text"  # "text", "html", "docx" or "pdf" (pipeline.ingest.formats), from the content
    encoding: str | None = "utf-8"  # codec of a text or HTML file; None for DOCX and PDF
    encoding_source: str | None = "utf-8"  # how it was chosen (pipeline.ingest.encoding.Decoded.source)
    dropped: dict = field(default_factory=dict)  # non-empty line → (rule, reason) the format's extractor dropped


@dataclass
class Segment:
    id: str
    doc: str
    lang: str
    index: int  # 0-based position among the document's kept paragraphs
    n: int  # 1-based number of the non-empty line in the raw file
    kind: str  # "title" or "paragraph"
    text: str
    key: str  # matching key (see text.normalize.arabic_key), beside the text, never replacing it
    start: int
    end: int
    sentences: list[dict] = field(default_factory=list)  # {"text", "start", "end"} into ``text``
    mt_text: str | None = None
    mt_sentences: list[dict] | None = None  # {"src", "mt"} per sentence; [] for paragraph-level translations
    mt_flags: list[str] | None = None
    # Dictionary glosses of key Arabic words, {"ar", "span": [s, e], "en": [gloss, ...]}: not a translation.
    glosses: list[dict] | None = None

    def to_json(self) -> dict:
        row = asdict(self)
        for name in OPTIONAL_FIELDS:
            if row[name] is None:
                del row[name]
        return row

    @classmethod
    def bare(cls, id: str, doc: str, lang: str, text: str) -> Segment:
        """A segment of ``text`` alone (no offsets into a raw file): for benchmarks, tests and callers
        that align texts they already segmented."""
        return cls(
            id=id, doc=doc, lang=lang, index=0, n=0, kind="paragraph", text=text, key=text, start=0, end=len(text)
        )

    def with_translation(self, mt_text: str, mt_sentences: list[dict], mt_flags: list[str]) -> Segment:
        """A copy of this segment carrying its translation (records are not changed in place)."""
        return replace(self, mt_text=mt_text, mt_sentences=mt_sentences, mt_flags=mt_flags)


@dataclass
class Removed:
    doc: str
    n: int
    start: int
    end: int
    text: str
    rule: str
    reason: str

    def to_json(self) -> dict:
        return asdict(self)


@dataclass
class Link:
    ar_id: str
    ar_text: str
    mt_text: str | None
    en_doc: str
    en_id: str
    en_text: str
    score: float
    label: str
    evidence: dict = field(default_factory=dict)
    probability: float | None = None  # the link model's P(link), 0..1

    def to_json(self) -> dict:
        return asdict(self)


@dataclass
class Unaligned:
    ar_id: str
    ar_text: str
    mt_text: str | None
    best_en_id: str | None
    best_score: float | None
    best_probability: float | None = None  # the link model's probability of that nearest miss

    def to_json(self) -> dict:
        return asdict(self)


@dataclass
class RunResult:
    """Everything a run produced, as the JSON rows the outputs hold: every export format is rendered from
    this one object, and :func:`pipeline.run.load_result` reads it back from a finished run's JSONL."""

    segments: list[dict]
    removed: list[dict]
    links: list[dict]
    unaligned: list[dict]
    manifest: dict
    sentences: list[dict] = field(default_factory=list)  # sentence beads (sentences.jsonl)
    themes: list[dict] = field(default_factory=list)  # the run's themes (themes.jsonl), in the statement's order
    # What an export's filter (--labels, --min-probability) keeps, for every file but the run's record (the
    # JSONL files a later export reads back, which always hold every link): None when nothing is filtered.
    shown: RunResult | None = None

    def view(self) -> RunResult:
        """The result the filtered files are rendered from: the filter's selection, or the whole run."""
        return self.shown or self


def equivalent_groups(links: list[dict]) -> list[tuple[list[int], list[str], list[str]]]:
    """Connected groups of ``equivalent`` links: (link indexes, Arabic paragraph ids, English ids)."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    eq = [(k, l) for k, l in enumerate(links) if l["label"] == "equivalent"]
    for _, link in eq:
        parent[find("ar:" + link["ar_id"])] = find("en:" + link["en_id"])
    groups: dict[str, list[int]] = {}
    for k, link in eq:
        groups.setdefault(find("ar:" + link["ar_id"]), []).append(k)
    return [
        (ks, list(dict.fromkeys(links[k]["ar_id"] for k in ks)), list(dict.fromkeys(links[k]["en_id"] for k in ks)))
        for ks in groups.values()
    ]
