"""The align stage: embed paragraphs, then align in comparable or parallel mode."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from pipeline.align.comparable import align_comparable
from pipeline.align.parallel import align_monotonic
from pipeline.align.settings import AlignSettings
from pipeline.encoders import Encoder, get_encoder
from pipeline.errors import PipelineError
from pipeline.records import Link, Segment, Unaligned


def align_segments(
    segments: list[Segment],
    settings: AlignSettings,
    mode: str = "comparable",
    encoder_name: str | None = None,
    threads: int | None = None,
    embedder: Callable[[Encoder], Callable[[list[tuple[list[str], str, str]]], list[np.ndarray]]] | None = None,
) -> tuple[list[Link], list[Unaligned], dict]:
    """Align the Arabic rows of ``segments`` with the English rows. Returns (links, unaligned, info)
    where info records the encoder signature and the settings used (for the manifest). ``embedder``
    turns the encoder into the ``embed_sides([(texts, lang, progress label), ...])`` that embeds the
    paragraphs (default: the encoder's ``encode`` on each side in turn; the Ray engine's runs the same
    ``encode`` on workers)."""
    encoder = get_encoder(encoder_name or settings.encoder, threads)
    embed_sides = embedder(encoder) if embedder else lambda sides: [encoder.encode(*side) for side in sides]
    ar_rows = [s for s in segments if s.lang == "ar"]
    en_rows = [s for s in segments if s.lang == "en"]
    info: dict = {"encoder": encoder.signature(), "settings": settings.to_json()}
    if not ar_rows or not en_rows:
        return [], [Unaligned(r.id, r.text, r.mt_text, None, None) for r in ar_rows], info
    if mode == "parallel":
        links, unaligned = align_parallel(ar_rows, en_rows, encoder)
        return links, unaligned, info
    sides = [
        ([r.text for r in ar_rows], "ar", "align: embed Arabic"),
        ([r.text for r in en_rows], "en", "align: embed English"),
    ]
    if any(r.mt_text for r in ar_rows):
        sides.append(([r.mt_text or r.text for r in ar_rows], "en", "align: embed MT"))
    ar_vecs, en_vecs, *mt = embed_sides(sides)
    mt_vecs = mt[0] if mt else None
    phrases = None
    if len(ar_rows) * len(en_rows) <= min(settings.phrase_limit, settings.dense_limit):
        from pipeline.align.phrases import PhraseSettings, phrase_matches

        phrases = phrase_matches([r.text for r in ar_rows], [r.text for r in en_rows], encoder, PhraseSettings())
        info["phrase_anchors"] = "sought"
    else:
        info["phrase_anchors"] = f"not sought: more than {settings.phrase_limit} pairs"
    links, unaligned = align_comparable(ar_rows, en_rows, ar_vecs, en_vecs, settings, mt_vecs, phrases)
    return links, unaligned, info


def align_parallel(ar_rows: list[Segment], en_rows: list[Segment], encoder) -> tuple[list[Link], list[Unaligned]]:
    """Monotonic alignment of each Arabic document with the English document in the same position."""
    ar_docs = _by_doc(ar_rows)
    en_docs = _by_doc(en_rows)
    if len(ar_docs) != len(en_docs):
        raise PipelineError(
            None,
            f"--mode parallel pairs documents in order: got {len(ar_docs)} Arabic and {len(en_docs)} English documents",
        )
    links, unaligned = [], []
    for ar_doc, en_doc in zip(ar_docs, en_docs, strict=True):
        cache: dict[tuple[str, int, int], np.ndarray] = {}

        def vector(rows, lang, start, count, cache=cache):
            key = (lang, start, count)
            if key not in cache:
                cache[key] = encoder.encode([" ".join(r.text for r in rows[start : start + count])], lang)[0]
            return cache[key]

        # Embed all single paragraphs in two batches first; merged beads are embedded on demand.
        for lang, rows in (("ar", ar_doc), ("en", en_doc)):
            for k, vec in enumerate(encoder.encode([r.text for r in rows], lang)):
                cache[(lang, k, 1)] = vec

        def similarity(i, a, j, b, ar_doc=ar_doc, en_doc=en_doc):
            return float(vector(ar_doc, "ar", i, a) @ vector(en_doc, "en", j, b))

        for ar_idx, en_idx, sim in align_monotonic(len(ar_doc), len(en_doc), similarity):
            bead = f"{len(ar_idx)}-{len(en_idx)}"
            if not en_idx:
                for i in ar_idx:
                    unaligned.append(Unaligned(ar_doc[i].id, ar_doc[i].text, ar_doc[i].mt_text, None, None))
                continue
            for i in ar_idx:
                for j in en_idx:
                    links.append(
                        Link(
                            ar_doc[i].id,
                            ar_doc[i].text,
                            ar_doc[i].mt_text,
                            en_doc[j].doc,
                            en_doc[j].id,
                            en_doc[j].text,
                            round(sim, 4),
                            "equivalent",
                            {
                                "bead": bead,
                                "bead_cosine": round(sim, 4),
                                "pair_cosine": round(float(vector(ar_doc, "ar", i, 1) @ vector(en_doc, "en", j, 1)), 4),
                            },
                        )
                    )
    return links, unaligned


def _by_doc(rows: list[Segment]) -> list[list[Segment]]:
    docs: dict[str, list[Segment]] = {}
    for row in rows:
        docs.setdefault(row.doc, []).append(row)
    return list(docs.values())
