"""The align stage: embed paragraphs, then align in comparable or parallel mode."""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import asdict, replace

import numpy as np

from pipeline.align.comparable import align_comparable
from pipeline.align.evidence import best_sentences, glosses, reason
from pipeline.align.lexicon import dictionary_path, gloss_text, load_glossary, load_lexicon
from pipeline.align.parallel import align_monotonic
from pipeline.align.sentence_align import SentenceAlignSettings
from pipeline.align.sentence_stage import EmbeddingMemo, align_parallel_sentences, refine_links
from pipeline.align.settings import AlignSettings
from pipeline.align.vectors import LocalVectors, SideVectors
from pipeline.encoders import Encoder, get_encoder
from pipeline.errors import PipelineError
from pipeline.progress import log
from pipeline.records import Link, Segment, Unaligned
from pipeline.themes.link import link_themes
from pipeline.themes.settings import ThemeSettings


def align_segments(
    segments: list[Segment],
    settings: AlignSettings,
    mode: str = "comparable",
    encoder_name: str | None = None,
    threads: int | None = None,
    sentence_settings: SentenceAlignSettings | None = None,
    embedder: Callable[[Encoder], Callable[..., list]] | None = None,
    themes: ThemeSettings | None = None,
) -> tuple[list[Link], list[Unaligned], dict, list[dict]]:
    """Align the Arabic rows of ``segments`` with the English rows. Returns (links, unaligned, info,
    sentences) where info records the encoder signature and the settings used (for the manifest) and
    sentences are the sentence beads (``sentences.jsonl`` rows; none when ``sentence_settings`` is None):
    in parallel mode the documents' sentences, in comparable mode those inside equivalent links.
    ``embedder`` turns the encoder into the ``embed_sides([(texts, lang, progress label), ...], held=n)``
    that embeds the paragraphs (default: the encoder's ``encode`` on each side in turn; the Ray engine's
    runs the same ``encode`` on workers, and leaves side ``held``, the English, on them: a
    :class:`pipeline.align.vectors.SideVectors`).
    ``themes``: the theme settings; with them, comparable mode also makes ``theme`` links
    (:mod:`pipeline.themes`) among the pairs not linked otherwise, and ``info["themes"]`` holds the
    run's themes (``themes.jsonl`` rows)."""
    encoder = get_encoder(encoder_name or settings.encoder, threads)
    embed_sides = embedder(encoder) if embedder else lambda sides, held=None: [encoder.encode(*side) for side in sides]
    ar_rows = [s for s in segments if s.lang == "ar"]
    en_rows = [s for s in segments if s.lang == "en"]
    info: dict = {"encoder": encoder.signature(), "settings": settings.to_json()}
    if sentence_settings is not None:
        info["sentence_settings"] = asdict(sentence_settings)
    memo = EmbeddingMemo(encoder) if sentence_settings is not None else None
    if not ar_rows or not en_rows:
        return [], [Unaligned(r.id, r.text, r.mt_text, None, None) for r in ar_rows], info, []
    if mode == "parallel":
        sentences: list[dict] = []
        job = (memo, sentence_settings, sentences) if memo is not None and sentence_settings is not None else None
        links, unaligned = align_parallel(ar_rows, en_rows, encoder, settings.parallel_floor, job)
        return links, unaligned, info, sentences
    lexicon = load_lexicon()
    if lexicon is None:
        log(
            f"align: DICTIONARY MISSING ({dictionary_path()}.index; Debian package dict-freedict-ara-eng): "
            "links are decided without the dictionary feature, by the model trained without it"
        )
        info["dictionary"] = {"status": "missing", "path": str(dictionary_path())}
    else:
        info["dictionary"] = {"status": "used", **lexicon.describe()}
    translated = [bool(r.mt_text) for r in ar_rows]
    sides = [
        ([r.text for r in ar_rows], "ar", "align: embed Arabic"),
        ([r.text for r in en_rows], "en", "align: embed English"),
    ]
    if any(translated):
        sides.append(([r.mt_text for r in ar_rows if r.mt_text], "en", "align: embed MT"))
    # Without MT, the dictionary's word-by-word gloss, embedded like an English paragraph: for every
    # paragraph without a translation.
    use_gloss = lexicon is not None and not all(translated)
    if lexicon is not None and use_gloss:
        sides.append(([gloss_text(r.text, lexicon) for r in ar_rows], "en", "align: embed glosses"))
    started = time.perf_counter()
    ar_vecs, made, *more = embed_sides(sides, held=1)
    info["embed_s"] = round(time.perf_counter() - started, 3)
    # The English side stays where it was made (an archive's vectors on the Ray engine's workers); the
    # aligner asks its holders for what it needs and gathers the candidate documents' rows only.
    with held_side(made, info) as en_vecs:
        gloss_vecs = more[-1] if use_gloss else None
        if all(translated) or not any(translated):
            mt_vecs = more[0] if any(translated) else None
            links, unaligned, decided = align_comparable(
                ar_rows, en_rows, ar_vecs, en_vecs, settings, mt_vecs, lexicon, gloss_vecs
            )
        else:
            # Some paragraphs have a translation: each is decided by the model its own evidence fits, the +mt
            # features only where a translation exists (issue 23: one translated paragraph switched every
            # decision to the +mt model, with mt_lexical 0 for the others).
            mt_vecs = ar_vecs.copy()  # a paragraph without a translation stands for itself in MT neighbourhoods
            mt_vecs[np.flatnonzero(np.array(translated))] = more[0]
            with_mt = align_comparable(ar_rows, en_rows, ar_vecs, en_vecs, settings, mt_vecs, lexicon)
            untranslated = [replace(r, mt_text=None) for r in ar_rows]
            without_mt = align_comparable(untranslated, en_rows, ar_vecs, en_vecs, settings, None, lexicon, gloss_vecs)
            links, unaligned, decided = merge_by_paragraph(ar_rows, translated, with_mt, without_mt)
        info |= decided
        info["translated_paragraphs"] = {"translated": sum(translated), "arabic_paragraphs": len(ar_rows)}
        if themes is not None:
            theme_links, info["themes"], info["theme_info"] = link_themes(
                ar_rows,
                en_rows,
                ar_vecs,
                en_vecs,
                mt_vecs,
                encoder,
                load_glossary() if lexicon is not None else None,
                themes,
                links,
            )
            links, unaligned = with_theme_links(links, unaligned, theme_links, ar_rows)
        add_sentence_evidence(links, {r.id: r for r in ar_rows + en_rows}, encoder)
        if use_gloss:
            # No translation: the reader gets dictionary glosses of each such Arabic paragraph's key terms, from
            # the glossary (the headword stemmer, ranked senses; the features keep the calibrated matching).
            glossary = load_glossary() or lexicon
            carried: dict[str, set[str]] = {}
            for link in links:
                carried.setdefault(link.ar_id, set()).update(
                    t["ar"] for t in link.evidence["terms"] if t["kind"] == "dictionary"
                )
            info["glosses"] = {r.id: glosses(r.text, glossary, carried.get(r.id)) for r in ar_rows if not r.mt_text}
        sentences = (
            []
            if memo is None or sentence_settings is None
            else refine_links(segments, [link.to_json() for link in links], memo, sentence_settings)
        )
        return links, unaligned, info, sentences


@contextmanager
def held_side(made, info: dict):
    """``made`` as a :class:`pipeline.align.vectors.SideVectors` (vectors made here: held here); on leaving,
    ``info["vector_holders"]`` says what each holder held and spent (when the work succeeded), and the
    holders are let go."""
    held = made if isinstance(made, SideVectors) else LocalVectors(made)
    try:
        yield held
        info["vector_holders"] = held.describe()
    finally:
        held.close()


def with_theme_links(
    links: list[Link], unaligned: list[Unaligned], theme_links: list[Link], ar_rows: list[Segment]
) -> tuple[list[Link], list[Unaligned]]:
    """The links with the theme links added (each Arabic paragraph's links together, in the Arabic
    order; within a paragraph equivalent, related, then theme links, most probable first), and the
    unaligned rows without the paragraphs that now have a theme link."""
    order = {r.id: k for k, r in enumerate(ar_rows)}
    rank = {"equivalent": 0, "related": 1, "theme": 2}
    # A stable sort: the aligner's own links keep their order; theme links come after them, most probable first.
    themed = sorted(theme_links, key=lambda l: -(l.probability or 0.0))
    merged = sorted(links + themed, key=lambda l: (order[l.ar_id], rank.get(l.label, 3)))
    linked = {l.ar_id for l in theme_links}
    return merged, [u for u in unaligned if u.ar_id not in linked]


def merge_by_paragraph(
    ar_rows: list[Segment], translated: list[bool], with_mt: tuple, without_mt: tuple
) -> tuple[list[Link], list[Unaligned], dict]:
    """Each Arabic paragraph's links (or unaligned row) from the decision that fits it: ``with_mt`` (the
    +mt models) where it has a translation, ``without_mt`` elsewhere; each is
    ``align_comparable``'s (links, unaligned, info). The info gives both models and how many paragraphs
    each decided."""
    chosen = {r.id: with_mt if t else without_mt for r, t in zip(ar_rows, translated, strict=True)}
    links = [link for row in ar_rows for link in chosen[row.id][0] if link.ar_id == row.id]
    unaligned = [u for row in ar_rows for u in chosen[row.id][1] if u.ar_id == row.id]
    info = {}
    for key in ("link_model", "equivalent_model"):
        info[key] = {
            with_mt[2][key]: sum(translated),
            without_mt[2][key]: len(ar_rows) - sum(translated),
        }
    info["run_shape"] = with_mt[2]["run_shape"]
    info["smaller_tiers"] = {**without_mt[2]["smaller_tiers"], **with_mt[2]["smaller_tiers"]}
    return links, unaligned, info


def add_sentence_evidence(links: list[Link], rows: dict[str, Segment], encoder) -> None:
    """Each link's best-matching sentence pair (``evidence.sentences``) and its one-sentence ``reason``.
    Only the linked paragraphs' sentences are embedded."""
    needed = {(link.ar_id, "ar") for link in links} | {(link.en_id, "en") for link in links}
    vectors: dict[str, np.ndarray] = {}
    for lang in ("ar", "en"):
        ids = sorted(pid for pid, side in needed if side == lang)
        texts = [s["text"] for pid in ids for s in rows[pid].sentences]
        flat = encoder.encode(texts, lang) if texts else np.zeros((0, 1), dtype=np.float32)
        start = 0
        for pid in ids:
            n = len(rows[pid].sentences)
            vectors[pid] = flat[start : start + n]
            start += n
    for link in links:
        sentences = best_sentences(
            rows[link.ar_id].sentences, rows[link.en_id].sentences, vectors[link.ar_id], vectors[link.en_id]
        )
        if sentences:
            link.evidence["sentences"] = sentences
        link.evidence["reason"] = reason(
            link.label,
            link.probability,
            link.evidence["terms"],
            sentences,
            link.evidence["features"],
            link.evidence.get("theme_name"),
        )


def align_parallel(
    ar_rows: list[Segment], en_rows: list[Segment], encoder, floor: float = 0.3, sentence_job=None
) -> tuple[list[Link], list[Unaligned]]:
    """Monotonic alignment of each Arabic document with the English document in the same position.
    Beads less similar than ``floor`` are not evidence of a translation: their Arabic paragraphs are
    listed as unaligned, with the bead's English as the near miss. ``sentence_job`` (memo, settings,
    rows): also align each document pair's sentences inside the paragraph beads, appending
    ``sentences.jsonl`` rows to ``rows``."""
    ar_docs = _by_doc(ar_rows)
    en_docs = _by_doc(en_rows)
    if len(ar_docs) != len(en_docs):
        raise PipelineError(
            None,
            f"--mode parallel pairs documents in order: got {len(ar_docs)} Arabic and {len(en_docs)} English documents",
        )
    links: list[Link] = []
    unaligned: list[Unaligned] = []
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

        first_link = len(links)
        paragraph_beads = align_monotonic(len(ar_doc), len(en_doc), similarity)
        for ar_idx, en_idx, sim in paragraph_beads:
            bead = f"{len(ar_idx)}-{len(en_idx)}"
            if not en_idx or sim < floor:
                near = (en_doc[en_idx[0]].id, round(sim, 4)) if en_idx else (None, None)
                for i in ar_idx:
                    unaligned.append(Unaligned(ar_doc[i].id, ar_doc[i].text, ar_doc[i].mt_text, *near))
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
        if sentence_job is not None:
            memo, sentence_settings, rows = sentence_job
            beads = [(a, e) for a, e, _ in paragraph_beads]
            group = rows[-1]["group"] + 1 if rows else 0
            rows.extend(
                align_parallel_sentences(
                    ar_doc, en_doc, beads, memo, sentence_settings, group, list(range(first_link, len(links)))
                )
            )
    return links, unaligned


def _by_doc(rows: list[Segment]) -> list[list[Segment]]:
    docs: dict[str, list[Segment]] = {}
    for row in rows:
        docs.setdefault(row.doc, []).append(row)
    return list(docs.values())
