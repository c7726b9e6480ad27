"""``python -m pipeline bench align``: how long comparable alignment takes, and how it grows with size.

1. The whole path: 1,000 Arabic × 1,000 English paragraphs (three consecutive FLORES-200 devtest
   sentences each when ``--flores`` is there, else windows of the corpus's sentences) written as two
   files and run through ``run_pipeline`` without MT: ingest → embed (encoder load included) → align →
   export, with the run's own time per stage.
2. Ingest alone on 1,000 / 2,000 / 4,000 distinct paragraphs (``pipeline.bench.scale``).
3. Scaling: the alignment step alone (scores, margins, anchors, decisions) on n × n paragraphs, exact
   nearest neighbours against the inverted file (``pipeline.align.ann``). Vectors for n > 1,000 are the
   real embeddings again under a random rotation per block of 1,000 (the same for both sides), texts
   cycle the real ones: each block is a real alignment problem, the blocks are unrelated, only the size
   is synthetic.
4. Theme links on (``--parts themes``): the aligner and then the theme layer on n × n paragraphs of
   different stories (the first half of FLORES's sentences against the second), tiled the same way; and
   the theme layer's term relations alone for the vocabularies n distinct paragraphs would have (Heaps'
   law fitted on the real sentences), the one part whose work grows with the vocabulary.
Results are data (:class:`BenchRow`); printing is in the CLI.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from pipeline import config
from pipeline.bench.memory import peak_rss_mb, reset_peak_rss
from pipeline.errors import PipelineError
from pipeline.progress import log
from pipeline.records import Segment


@dataclass
class BenchRow:
    what: str
    n_ar: int
    n_en: int
    path: str  # "run", "index" (ingest), "dense", "exact" (faiss flat) or "ivf" (faiss inverted file)
    seconds: float
    links: int
    distances: int | None = None  # inner products computed (the faiss paths count theirs)
    nprobe: int | None = None  # lists searched per query (ivf)
    recall: float | None = None  # k-recall@k against exact search, on held-out queries (ivf)
    links_kept: float | None = None  # share of the exact path's links found with the same label (ivf)
    peak_rss_mb: float | None = None  # the process's peak resident memory during this row's alignment (align rows)


def _source_lines(flores: Path | None, corpus: Path) -> tuple[list[str], list[str]]:
    """FLORES-200 devtest's Arabic and English sentences where ``flores`` has them, else the corpus's."""
    if flores and (flores / "arb_Arab.devtest").is_file():
        ar = flores.joinpath("arb_Arab.devtest").read_text(encoding="utf-8").splitlines()
        en = flores.joinpath("eng_Latn.devtest").read_text(encoding="utf-8").splitlines()
    else:
        from pipeline.ingest.corpus import corpus_lines

        ar, en = corpus_lines(corpus)
    if len(ar) < 2 or len(en) < 2:
        raise PipelineError(flores or corpus, "no text to benchmark with")
    return ar, en


def _windows(lines: list[str], count: int) -> list[str]:
    """``count`` paragraphs of three consecutive lines (cycling). 1,012 FLORES sentences make 1,000 windows
    only by overlapping: neighbouring windows share sentences, which gives each paragraph a few related
    links besides its equivalent."""
    return [" ".join(lines[(k + d) % len(lines)] for d in range(3)) for k in range(count)]


def bench_texts(flores: Path | None, corpus: Path, count: int) -> tuple[list[str], list[str]]:
    """``count`` Arabic and English paragraphs of three consecutive sentences; the English in another order."""
    ar, en = _source_lines(flores, corpus)
    order = np.random.default_rng(0).permutation(count)
    english = _windows(en, count)
    return _windows(ar, count), [english[k] for k in order]


def _rows(texts: list[str], lang: str) -> list[Segment]:
    return [Segment.bare(f"{lang}:{k}", lang, lang, t) for k, t in enumerate(texts)]


def _rotations(blocks: int, dim: int, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [np.linalg.qr(rng.normal(size=(dim, dim)))[0].astype(np.float32) for _ in range(blocks)]


def _tiled(vectors: np.ndarray, n: int, rotations: list[np.ndarray]) -> np.ndarray:
    """n vectors: the real ones, block after block, each block under its own random rotation. Within a
    block the geometry (and so every true pair) is the real one; across blocks vectors are unrelated."""
    size = len(vectors)
    return np.concatenate([vectors @ rotations[b] for b in range(-(-n // size))])[:n]


def _rows_n(rows: list[Segment], n: int, lang: str) -> list[Segment]:
    return [replace(rows[k % len(rows)], id=f"{lang}:{k}") for k in range(n)]


def whole_path(ar_texts: list[str], en_texts: list[str], threads: int | None) -> BenchRow:
    """``python -m pipeline run`` (no MT) on the 1,000 × 1,000 paragraphs written as two files:
    ingest → embed (encoder load included) → align → export."""
    import tempfile

    from pipeline.bench.scale import write_inputs
    from pipeline.run import RunConfig, run_pipeline

    with tempfile.TemporaryDirectory() as tmp:
        ar_path, en_path = write_inputs(Path(tmp), ar_texts, en_texts)
        log(f"bench align: whole path, {len(ar_texts)} × {len(en_texts)}")
        mark = time.perf_counter()
        result = run_pipeline(
            RunConfig(ar=[ar_path], en=[en_path], out=Path(tmp) / "out", mt_model="none", threads=threads, cache=None)
        )
        seconds = time.perf_counter() - mark
    stages = " ".join(f"{k} {v:.2f}" for k, v in result.manifest["timings"].items() if isinstance(v, float))
    return BenchRow(f"whole path ({stages})", len(ar_texts), len(en_texts), "run", round(seconds, 2), len(result.links))


def align_scaling(
    ar_rows: list[Segment],
    en_rows: list[Segment],
    ar_vecs: np.ndarray,
    en_vecs: np.ndarray,
    settings,
    sizes,
    exact_max: int,
    dense_max: int = 0,
) -> list[BenchRow]:
    """The alignment step alone on n × n tiled paragraphs: exact nearest neighbours up to ``exact_max``
    (and dense matrices up to ``dense_max``), the inverted file at every size. For the inverted file:
    inner products computed, nprobe chosen, k-recall@k on 1,000 queries it was not tuned on, and the
    share of the exact path's links it keeps with the same label. Every row has its peak resident memory
    (the tiled vectors and rows of its size included), from a reset before it where the system allows
    (Linux), else the process's peak so far."""
    from pipeline.align import ann
    from pipeline.align.comparable import align_comparable

    rows = []
    rotations = _rotations(-(-max(sizes) // len(ar_vecs)), ar_vecs.shape[1])
    depth = max(settings.knn_candidates, settings.margin_k)
    for n in sizes:
        a, e = _tiled(ar_vecs, n, rotations), _tiled(en_vecs, n, rotations)
        ar_n, en_n = _rows_n(ar_rows, n, "ar"), _rows_n(en_rows, n, "en")
        exact_links = None
        paths = (["dense"] if n <= dense_max else []) + (["exact"] if n <= exact_max else []) + ["ivf"]
        for path in paths:
            trial = replace(
                settings, dense_limit=n * n if path == "dense" else 0, ivf_min=0 if path == "ivf" else n + 1
            )
            log(f"bench align: {n} × {n}, {path}")
            ann.STATS.reset()
            reset_peak_rss()
            mark = time.perf_counter()
            links, _, _ = align_comparable(ar_n, en_n, a, e, trial)
            seconds = round(time.perf_counter() - mark, 2)
            peak = peak_rss_mb()
            row = BenchRow(
                "alignment only",
                n,
                n,
                path,
                seconds,
                len(links),
                distances=ann.STATS.distances if path != "dense" else n * n,
                peak_rss_mb=peak,
            )
            decided = {(l.ar_id, l.en_id, l.label) for l in links}
            if path == "exact":
                exact_links = decided
            if path == "ivf":
                row.nprobe = max(ann.STATS.nprobe)
                row.recall = _held_out_recall(a, e, trial, depth)
                if exact_links is not None:
                    row.links_kept = round(len(decided & exact_links) / max(1, len(exact_links)), 4)
            rows.append(row)
    return rows


def theme_texts(flores: Path | None, corpus: Path, count: int) -> tuple[list[str], list[str]]:
    """``count`` Arabic and English paragraphs of three consecutive sentences in the shape the theme layer
    works on: the Arabic from the first half of the sentences, the English from the second, so no pair
    translates and no paragraph has its own story on the other side (different stories, news on many
    subjects)."""
    ar, en = _source_lines(flores, corpus)
    return _windows(ar[: len(ar) // 2], count), _windows(en[len(en) // 2 :], count)


# English paragraphs per document in the theme rows: an outlet's articles, each a few paragraphs long.
THEME_DOC_PARAGRAPHS = 10


def theme_scaling(
    ar_texts: list[str],
    en_texts: list[str],
    ar_vecs: np.ndarray,
    en_vecs: np.ndarray,
    settings,
    sizes,
    encoder,
) -> list[BenchRow]:
    """The align stage with theme links on, on n × n tiled paragraphs of different stories
    (:func:`theme_texts`): the aligner on the inverted file, then the theme layer (its candidate pairs, key
    terms, term relations, sentence embeddings, features and decisions) with the shipped theme settings and
    the glossary where it is installed. Paragraph vectors are tiled as in :func:`align_scaling`; the texts
    cycle, so the sentences are embedded again at every size (the encoder keeps no memo) but the run's term
    vocabulary stops growing past the real paragraphs (:func:`term_relation_scaling` measures the part that
    grows with it)."""
    from pipeline.align import ann
    from pipeline.align.comparable import align_comparable
    from pipeline.align.lexicon import load_glossary
    from pipeline.themes.link import link_themes
    from pipeline.themes.settings import load_theme_settings

    themes, glossary = load_theme_settings(), load_glossary()
    rotations = _rotations(-(-max(sizes) // len(ar_vecs)), ar_vecs.shape[1])
    base_ar = [Segment.bare(f"ar:{k}", "statement", "ar", t) for k, t in enumerate(ar_texts)]
    base_en = [Segment.bare(f"en:{k}", "en", "en", t) for k, t in enumerate(en_texts)]
    rows = []
    for n in sizes:
        a, e = _tiled(ar_vecs, n, rotations), _tiled(en_vecs, n, rotations)
        ar_n = _rows_n(base_ar, n, "ar")
        en_n = [replace(r, doc=f"en-{k // THEME_DOC_PARAGRAPHS}") for k, r in enumerate(_rows_n(base_en, n, "en"))]
        trial = replace(settings, dense_limit=0, ivf_min=0)
        log(f"bench align: {n} × {n}, ivf with theme links")
        ann.STATS.reset()
        reset_peak_rss()
        mark = time.perf_counter()
        links, _, _ = align_comparable(ar_n, en_n, a, e, trial)
        aligned = time.perf_counter() - mark
        theme_links, _, info = link_themes(ar_n, en_n, a, e, None, encoder, glossary, themes, links)
        seconds = round(time.perf_counter() - mark, 2)
        rows.append(
            BenchRow(
                f"alignment + theme links (themes {seconds - aligned:.2f} s: {info['pairs_allowed']} pairs, "
                f"{len(theme_links)} theme links; terms {info['terms']['ar']} ar / {info['terms']['en']} en)",
                n,
                n,
                "ivf",
                seconds,
                len(links) + len(theme_links),
                distances=ann.STATS.distances,
                nprobe=max(ann.STATS.nprobe) if ann.STATS.nprobe else None,
                peak_rss_mb=peak_rss_mb(),
            )
        )
    return rows


def vocabulary_growth(sentences: list[str], lang: str) -> tuple[float, float]:
    """(k, beta) of Heaps' law, distinct key terms ≈ k · sentences^beta, fitted on prefixes of ``sentences``
    (distinct ones, in order; 32, 64, 128, …) by least squares on logs. Raises PipelineError with fewer
    than 64 distinct sentences."""
    from pipeline.themes.terms import paragraph_terms

    distinct = list(dict.fromkeys(sentences))
    seen: set[str] = set()
    counts = []
    for text in distinct:
        seen.update(t.key for t in paragraph_terms(text, lang))
        counts.append(len(seen))
    sizes = [n for n in (2**k for k in range(5, 20)) if n <= len(counts)]
    if len(sizes) < 2:
        raise PipelineError(None, f"Heaps' law needs at least 64 distinct sentences, got {len(distinct)}")
    beta, log_k = np.polyfit(np.log(sizes), np.log([counts[n - 1] for n in sizes]), 1)
    return float(np.exp(log_k)), float(beta)


def term_relation_scaling(
    ar_texts: list[str], en_texts: list[str], ar_sentences: list[str], en_sentences: list[str], sizes, encoder
) -> list[BenchRow]:
    """The theme layer's term relations (:func:`pipeline.themes.bridge.term_pairs`: every pair of an
    Arabic and an English term with cosine ≥ the lowest floor, and the mutual ranks) for the vocabularies
    that n distinct paragraphs a side of three sentences would have, by Heaps' law fitted on the real
    sentences (:func:`vocabulary_growth`). The rows of :func:`theme_scaling` cycle their texts, so their
    vocabulary stops growing; this is the part of the layer whose work grows with the vocabulary (as
    terms × terms). Term vectors past the real ones are tiled under random rotations, as paragraph
    vectors are."""
    from pipeline.align import ann
    from pipeline.themes.bridge import term_pairs, term_table
    from pipeline.themes.terms import paragraph_terms

    growth = {"ar": vocabulary_growth(ar_sentences, "ar"), "en": vocabulary_growth(en_sentences, "en")}
    vectors = {}
    for lang, texts in (("ar", ar_texts), ("en", en_texts)):
        table = term_table([paragraph_terms(t, lang) for t in texts])
        vectors[lang] = encoder.encode(table.surfaces, lang)
    counts = [{lang: int(round(k * (3 * n) ** beta)) for lang, (k, beta) in growth.items()} for n in sizes]
    blocks = max(-(-count[lang] // len(vectors[lang])) for count in counts for lang in count)
    rotations = _rotations(blocks, vectors["ar"].shape[1])
    rows = []
    for n, count in zip(sizes, counts, strict=True):
        a, e = _tiled(vectors["ar"], count["ar"], rotations), _tiled(vectors["en"], count["en"], rotations)
        log(f"bench align: term relations, {count['ar']} Arabic × {count['en']} English terms")
        ann.STATS.reset()
        reset_peak_rss()
        mark = time.perf_counter()
        pairs = term_pairs(a, e, np.zeros((0, 2), dtype=np.int64))
        seconds = round(time.perf_counter() - mark, 2)
        rows.append(
            BenchRow(
                f"term relations only ({count['ar']:,} ar × {count['en']:,} en terms, Heaps' law of n paragraphs: "
                f"beta ar {growth['ar'][1]:.2f}, en {growth['en'][1]:.2f}; links: pairs kept)",
                n,
                n,
                "ivf" if pairs.searched else "exact",
                seconds,
                len(pairs.rows),
                distances=ann.STATS.distances if pairs.searched else count["ar"] * count["en"],
                nprobe=max(ann.STATS.nprobe) if pairs.searched and ann.STATS.nprobe else None,
                peak_rss_mb=peak_rss_mb(),
            )
        )
    return rows


def _held_out_recall(a: np.ndarray, e: np.ndarray, settings, depth: int) -> float:
    """k-recall@k of the English index (built as the aligner builds it) for 1,000 Arabic queries drawn
    with another seed than the ones nprobe was chosen on."""
    from pipeline.align.ann import NeighbourIndex, k_recall

    index = NeighbourIndex(e, 0, settings.ivf_recall, depth, queries=a)
    queries = a[np.sort(np.random.default_rng(1).choice(len(a), size=min(len(a), 1000), replace=False))]
    _, found = index.search(queries, depth, "bench: recall sample")
    _, truth = NeighbourIndex(e, len(e) + 1, 1.0, depth).search(queries, depth, "bench: exact sample")
    return round(k_recall(found, truth), 4)


def run_bench(
    flores: Path | None = config.FLORES200_DEVTEST,
    corpus: Path = config.CORPUS,
    sizes=(10000, 20000, 40000),
    exact_max: int = 40000,
    dense_max: int = 0,
    ingest_sizes=(1000, 2000, 4000),
    threads: int | None = None,
    parts=("whole", "ingest", "align"),
) -> tuple[list[BenchRow], dict]:
    """Rows, and the fitted log-log slopes (``ingest``, ``ivf``, ``exact``, ``themes``), of the ``parts`` asked
    for."""
    from pipeline.align.settings import load_settings
    from pipeline.bench.scale import loglog_slope, source_lines, time_ingest
    from pipeline.encoders import get_encoder

    settings = load_settings()
    ar_texts, en_texts = bench_texts(flores, corpus, 1000)
    rows = [whole_path(ar_texts, en_texts, threads)] if "whole" in parts else []
    if "ingest" in parts:
        ar_lines, _ = source_lines(flores, corpus)
        for timing in time_ingest(ar_lines, ingest_sizes):
            rows.append(BenchRow("ingest only (distinct paragraphs)", timing.paragraphs, 0, "index", timing.seconds, 0))
    if "align" in parts or "themes" in parts:
        encoder = get_encoder(settings.encoder, threads)
    if "align" in parts:
        ar_vecs, en_vecs = encoder.encode(ar_texts, "ar"), encoder.encode(en_texts, "en")
        rows += align_scaling(
            _rows(ar_texts, "ar"), _rows(en_texts, "en"), ar_vecs, en_vecs, settings, sizes, exact_max, dense_max
        )
    if "themes" in parts:
        ar_themes, en_themes = theme_texts(flores, corpus, 1000)
        ar_vecs, en_vecs = encoder.encode(ar_themes, "ar"), encoder.encode(en_themes, "en")
        rows += theme_scaling(ar_themes, en_themes, ar_vecs, en_vecs, settings, sizes, encoder)
        ar_lines, en_lines = _source_lines(flores, corpus)
        half = len(ar_lines) // 2
        rows += term_relation_scaling(ar_themes, en_themes, ar_lines[:half], en_lines[half:], sizes, encoder)
    slopes = {}
    for label, what, path in (
        ("ingest", "ingest only (distinct paragraphs)", "index"),
        ("exact", "alignment only", "exact"),
        ("ivf", "alignment only", "ivf"),
        ("themes", "alignment + theme links", "ivf"),
        ("term_relations", "term relations only", None),  # every cosine up to a limit, then inverted files
    ):
        picked = [r for r in rows if r.what.startswith(what) and path in (None, r.path)]
        slopes[label] = loglog_slope([r.n_ar for r in picked], [r.seconds for r in picked])
    return rows, slopes


def format_table(rows: list[BenchRow], slopes: dict | None = None) -> str:
    lines = [
        (
            f"{'what':<36} {'Arabic':>7} {'English':>7} {'path':>6} {'seconds':>8} {'links':>7} "
            f"{'distances':>15} {'nprobe':>6} {'recall':>6} {'kept':>6} {'peak MB':>8}"
        )
    ]

    def blank(value, fmt: str) -> str:
        return format(value, fmt) if value is not None else ""

    for r in rows:
        lines.append(
            f"{r.what[:36]:<36} {r.n_ar:>7} {r.n_en:>7} {r.path:>6} {r.seconds:>8.2f} {r.links:>7} "
            f"{blank(r.distances, ',d'):>15} {blank(r.nprobe, 'd'):>6} {blank(r.recall, '.4f'):>6} "
            f"{blank(r.links_kept, '.4f'):>6} {blank(r.peak_rss_mb, '.0f'):>8}"
        )
        if len(r.what) > 36:
            lines.append(f"  {r.what}")
    if slopes:
        lines.append("log-log slopes (seconds ~ size^slope): " + ", ".join(f"{k} {v}" for k, v in slopes.items()))
    return "\n".join(lines)
