"""Paragraph-safe translation: sentence by sentence (long ones split under the model's limit), cached,
rejoined into paragraphs with the sentence mapping kept."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from pipeline.mt.base import Translator
from pipeline.mt.cache import TranslationCache, cache_key
from pipeline.mt.flags import quality_flags
from pipeline.progress import progress
from pipeline.records import Segment


@dataclass
class TranslationStats:
    translated: int = 0
    cached: int = 0
    seconds: float = 0.0


def split_long(sentence: str, translator: Translator, limit: int | None = None) -> list[str]:
    """Pieces of ``sentence`` that each fit in the model's source limit: split at clause punctuation
    (Arabic comma, semicolon, colon) first, then between words. Never cuts inside a word."""
    limit = limit or translator.max_source_tokens - 8
    if translator.count_tokens(sentence) <= limit:
        return [sentence]
    clauses = [c for c in re.split(r"(?<=[،,؛;:])\s+", sentence) if c]
    if len(clauses) == 1:
        words = sentence.split()
        if len(words) == 1:
            return [sentence]  # one enormous "word": let the tokenizer truncate it
        half = len(words) // 2
        return split_long(" ".join(words[:half]), translator, limit) + split_long(
            " ".join(words[half:]), translator, limit
        )
    pieces, current = [], ""
    for clause in clauses:
        candidate = f"{current} {clause}".strip()
        if current and translator.count_tokens(candidate) > limit:
            pieces.extend(split_long(current, translator, limit))
            current = clause
        else:
            current = candidate
    pieces.extend(split_long(current, translator, limit))
    return pieces


# Sentences handed to the backend at once (it batches by length inside them); the cache is written per
# chunk, so an interrupted run keeps what it translated. Every engine cuts the work at these boundaries.
CHUNK_SIZE = 64

ChunkRunner = Callable[[list[list[str]]], Iterable[tuple[int, list[str]]]]
"""Translates chunks of sentences: yields ``(chunk index, translations)`` for each chunk, in any order."""


def local_chunks(translator: Translator) -> ChunkRunner:
    """The embedded engine's runner: each chunk through ``translator`` in this process, in order."""

    def run(chunks: list[list[str]]) -> Iterator[tuple[int, list[str]]]:
        for n, chunk in enumerate(chunks):
            yield n, translator.translate(chunk)

    return run


def translate_sentences(
    sentences: list[str],
    translator: Translator,
    cache: TranslationCache,
    stats: TranslationStats | None = None,
    run_chunks: ChunkRunner | None = None,
) -> list[str]:
    """Translate each sentence (split under the model's length limit and rejoined), reading and filling
    the cache; only sentences the cache lacks reach the model, in chunks of :data:`CHUNK_SIZE` handed to
    ``run_chunks`` (default: :func:`local_chunks`; the Ray engine's runs them in an actor pool). Updates
    ``stats`` when given."""
    started = time.perf_counter()
    stats = stats if stats is not None else TranslationStats()
    units = [(n, piece) for n, sentence in enumerate(sentences) for piece in split_long(sentence, translator)]
    signature = translator.signature()
    keys = [cache_key(signature, piece) for _, piece in units]
    done = cache.get_many(sorted(set(keys)))
    stats.cached += sum(1 for key in keys if key in done)
    todo = sorted({key: piece for key, (_, piece) in zip(keys, units, strict=True) if key not in done}.items())
    chunks = [todo[start : start + CHUNK_SIZE] for start in range(0, len(todo), CHUNK_SIZE)]
    run = run_chunks or local_chunks(translator)
    with progress(total=len(todo), desc="translate", unit="sent") as bar:
        for n, outputs in run([[piece for _, piece in chunk] for chunk in chunks]) if chunks else ():
            if len(outputs) != len(chunks[n]):
                raise RuntimeError(f"chunk {n}: {len(outputs)} translations for {len(chunks[n])} sentences")
            fresh = {key: out for (key, _), out in zip(chunks[n], outputs, strict=True)}
            cache.put_many(fresh)
            done.update(fresh)
            bar.update(len(fresh))
    stats.translated += len(todo)
    pieces: list[list[str]] = [[] for _ in sentences]
    for (n, _), key in zip(units, keys, strict=True):
        pieces[n].append(done[key])
    stats.seconds = round(stats.seconds + time.perf_counter() - started, 3)
    return [" ".join(p).strip() for p in pieces]


def translate_segments(
    segments: list[Segment], translator: Translator, cache: TranslationCache, run_chunks: ChunkRunner | None = None
) -> tuple[list[Segment], TranslationStats]:
    """The Arabic ``segments`` with ``mt_text``, ``mt_sentences`` (source and translation of each sentence)
    and ``mt_flags`` filled, translated sentence by sentence (chunks through ``run_chunks``, see
    :func:`translate_sentences`); and the counts."""
    stats = TranslationStats()
    per_row = [[s["text"] for s in (seg.sentences or [{"text": seg.text}])] for seg in segments]
    flat = [sentence for sentences in per_row for sentence in sentences]
    outputs = iter(translate_sentences(flat, translator, cache, stats, run_chunks))
    translated = []
    for seg, sentences in zip(segments, per_row, strict=True):
        mt_sentences = [{"src": sentence, "mt": next(outputs)} for sentence in sentences]
        mt_text = " ".join(m["mt"] for m in mt_sentences if m["mt"])
        translated.append(seg.with_translation(mt_text, mt_sentences, quality_flags(seg.text, mt_text)))
    return translated, stats


def apply_precomputed(segments: list[Segment], translations: dict[str, str]) -> list[Segment]:
    """The Arabic ``segments`` with translations made elsewhere (paragraph level, no sentence mapping);
    a segment without one is returned as it was."""
    out = []
    for seg in segments:
        text = translations.get(seg.id)
        if text is None:
            out.append(seg)
        else:
            mt_text = text.strip()
            out.append(seg.with_translation(mt_text, [], quality_flags(seg.text, mt_text)))
    return out
