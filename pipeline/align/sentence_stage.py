"""Sentence pairs from the pipeline's paragraphs: embed sentences (and each pair of neighbours joined),
then align them with :mod:`pipeline.align.sentence_align`.

Two uses, one aligner:

- parallel mode: the whole document's sentences, searched only inside the paragraph beads already
  found plus a couple of sentences across each bead's edges (a sentence the translator moved into the
  neighbouring paragraph is still paired);
- comparable mode: each group of ``equivalent`` links (paragraphs linked to each other, directly or
  through a shared paragraph) is refined into sentence beads.

Rows (``sentences.jsonl``): ``group``, ``bead`` (kind), ``ar_ids`` / ``en_ids`` (sentence ids
``<paragraph id>#<k>``, k the 0-based index in the paragraph's ``sentences``), ``ar_text`` / ``en_text``,
``score`` (cosine of the bead's embeddings, null for a sentence left out), ``cost``, ``ar_paragraphs`` /
``en_paragraphs`` (the paragraphs of the group) and ``links`` (0-based lines of ``alignments.jsonl``
the group refines).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np

from pipeline.align.sentence_align import Bead, SentenceAlignSettings, Side, align_sides, block_windows, pair_texts
from pipeline.errors import PipelineError
from pipeline.records import Segment, equivalent_groups

SENTENCE_SETTINGS_PATH = Path(__file__).with_name("sentence_calibrated.json")
# Sentences searched across a paragraph bead's edge in parallel mode.
EDGE_BUFFER = 2


def load_sentence_settings(path: Path | None = None) -> SentenceAlignSettings:
    """The calibrated settings (``sentence_calibrated.json``, written by ``eval_sentences --calibrate``)."""
    path = Path(path) if path else SENTENCE_SETTINGS_PATH
    if not path.is_file():
        return SentenceAlignSettings()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise PipelineError(path, f"not a valid sentence settings file ({exc})") from None
    known = {f.name for f in fields(SentenceAlignSettings)}
    return SentenceAlignSettings(**{k: v for k, v in data.get("settings", {}).items() if k in known})


class EmbeddingMemo:
    """Embeds each distinct (language, text) once: the pair texts of neighbouring sentences and the
    sentences themselves recur across groups and, in the evaluation, across variants of one document."""

    def __init__(self, encoder):
        self.encoder = encoder
        self._vectors: dict[tuple[str, str], np.ndarray] = {}

    def encode(self, texts: list[str], lang: str) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if (lang, t) not in self._vectors))
        if missing:
            for text, vec in zip(missing, self.encoder.encode(missing, lang), strict=True):
                self._vectors[(lang, text)] = vec
        if not texts:
            return np.zeros((0, self.encoder.dim), dtype=np.float32)
        return np.stack([self._vectors[(lang, t)] for t in texts])

    def side(self, sentences: list[str], lang: str) -> Side:
        return Side(
            self.encode(sentences, lang),
            self.encode(pair_texts(sentences), lang),
            np.array([len(s) for s in sentences], dtype=np.float64),
        )


def align_texts(
    ar: list[str],
    en: list[str],
    memo: EmbeddingMemo,
    settings: SentenceAlignSettings,
    windows=None,
    ar_pool=None,
    en_pool=None,
) -> list[Bead]:
    """Align two lists of sentences (the function the evaluation scores and the pipeline runs)."""
    return align_sides(memo.side(ar, "ar"), memo.side(en, "en"), settings, windows, ar_pool, en_pool)


@dataclass
class _Sentence:
    id: str
    text: str
    paragraph: str


def _sentences(rows: list[Segment]) -> list[_Sentence]:
    out: list[_Sentence] = []
    for row in rows:
        parts = row.sentences or [{"text": row.text}]
        out.extend(_Sentence(f"{row.id}#{k}", s["text"], row.id) for k, s in enumerate(parts))
    return out


def _rows(
    group: int,
    beads: list[Bead],
    ar: list[_Sentence],
    en: list[_Sentence],
    links: list[int],
    ar_paragraphs: list[str],
    en_paragraphs: list[str],
) -> list[dict]:
    return [
        {
            "group": group,
            "bead": b.kind,
            "ar_ids": [ar[i].id for i in b.src],
            "en_ids": [en[j].id for j in b.tgt],
            "ar_text": " ".join(ar[i].text for i in b.src),
            "en_text": " ".join(en[j].text for j in b.tgt),
            "score": b.cosine,
            "cost": b.cost,
            "ar_paragraphs": ar_paragraphs,
            "en_paragraphs": en_paragraphs,
            "links": links,
        }
        for b in beads
    ]


def refine_links(
    segments: list[Segment], links: list[dict], memo: EmbeddingMemo, settings: SentenceAlignSettings
) -> list[dict]:
    """Comparable mode: sentence beads inside every group of equivalent links (none without one).
    The hub normalisation compares against the sentences of every linked paragraph of the other side."""
    groups = equivalent_groups(links)
    if not groups:
        return []
    by_id = {s.id: s for s in segments}
    order = {s.id: k for k, s in enumerate(segments)}
    groups = [(ks, sorted(a, key=order.__getitem__), sorted(e, key=order.__getitem__)) for ks, a, e in groups]
    groups.sort(key=lambda g: (order[g[1][0]], order[g[2][0]]))
    pools = {}
    for lang, paragraphs in (("ar", [g[1] for g in groups]), ("en", [g[2] for g in groups])):
        texts = [s.text for ids in paragraphs for s in _sentences([by_id[p] for p in ids])]
        pools[lang] = memo.encode(texts, lang)
    rows: list[dict] = []
    for number, (ks, ar_ids, en_ids) in enumerate(groups):
        ar = _sentences([by_id[p] for p in ar_ids])
        en = _sentences([by_id[p] for p in en_ids])
        beads = align_texts(
            [s.text for s in ar], [s.text for s in en], memo, settings, ar_pool=pools["ar"], en_pool=pools["en"]
        )
        rows.extend(_rows(number, beads, ar, en, sorted(ks), ar_ids, en_ids))
    return rows


def align_parallel_sentences(
    ar_doc: list[Segment],
    en_doc: list[Segment],
    paragraph_beads,
    memo: EmbeddingMemo,
    settings: SentenceAlignSettings,
    group: int,
    links: list[int],
) -> list[dict]:
    """Parallel mode: the documents' sentences, searched inside the paragraph beads (lists of paragraph
    indexes, in order) and ``EDGE_BUFFER`` sentences across their edges."""
    ar, en = _sentences(ar_doc), _sentences(en_doc)
    ar_start = np.cumsum([0] + [max(len(r.sentences), 1) for r in ar_doc])
    en_start = np.cumsum([0] + [max(len(r.sentences), 1) for r in en_doc])
    blocks = []
    for ar_idx, en_idx in paragraph_beads:
        if ar_idx and en_idx:
            blocks.append(
                (
                    int(ar_start[ar_idx[0]]),
                    int(ar_start[ar_idx[-1] + 1]),
                    int(en_start[en_idx[0]]),
                    int(en_start[en_idx[-1] + 1]),
                )
            )
    windows = block_windows(blocks, len(ar), len(en), EDGE_BUFFER)
    beads = align_texts([s.text for s in ar], [s.text for s in en], memo, settings, windows)
    return _rows(group, beads, ar, en, links, [r.id for r in ar_doc], [r.id for r in en_doc])
