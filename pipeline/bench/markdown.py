"""The benchmarks' tables as Markdown, for ``--markdown FILE`` (``make bench`` writes docs/generated/).

The terminal tables (each module's ``format_table``) stay as they are, aligned for reading in a shell;
these give the same figures as the tables docs/scale.md embeds. Each starts with the machine the
timings were taken on (cores, the load before the run), since seconds mean little without it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pipeline.bench.load import load_warning
from pipeline.bench.mt import spread
from pipeline.generated import markdown_table

if TYPE_CHECKING:  # the row types only: bench scale's module needs the Ray engine's code
    from pipeline.bench.align import BenchRow
    from pipeline.bench.mt import BenchResult
    from pipeline.bench.ray_scale import ScaleRow
    from pipeline.bench.sentences import SentenceBenchRow


def machine_line(load: dict) -> list[str]:
    """Where the figures come from: the cores and the 1-minute load average before the run, with the
    benchmarks' own warning when that load would distort them."""
    seen = "unknown" if load["load_1min"] is None else f"{load['load_1min']:.1f}"
    lines = [f"Measured on {load['cores']} CPU cores, load average {seen} before the run.", ""]
    warning = load_warning(load)
    return lines + ([warning, ""] if warning else [])


def _blank(value, fmt: str) -> str:
    return format(value, fmt) if value is not None else ""


def mt_markdown(results: list[BenchResult], load: dict) -> list[str]:
    """``bench mt``: throughput, its spread over the repeats, the ratio to transformers at the same batch
    size, peak memory; then the fastest configuration against the fastest transformers one."""
    speed = {(r.backend, r.batch_size): r.src_tokens_per_s for r in results}

    def ratio(r: BenchResult) -> str:
        base = speed.get(("transformers", r.batch_size))
        return f"{r.src_tokens_per_s / base:.2f}" if base else ""

    header = [
        "backend",
        "batch",
        "workers",
        "source tokens/s",
        "spread (slowest–fastest)",
        "× transformers (same batch)",
        "peak RSS MB",
        "seconds (median)",
    ]
    rows = [
        [r.backend, r.batch_size, r.workers, f"{r.src_tokens_per_s:.1f}", spread(r), ratio(r), f"{r.peak_rss_mb:.0f}"]
        + [f"{r.seconds:.2f}"]
        for r in results
    ]
    lines = machine_line(load) + markdown_table(header, rows)
    transformers = [r for r in results if r.backend == "transformers"]
    if transformers and results:
        best, base = max(results, key=lambda r: r.src_tokens_per_s), max(transformers, key=lambda r: r.src_tokens_per_s)
        lines += [
            "",
            f"Fastest: {best.backend} at batch {best.batch_size}, {best.src_tokens_per_s / base.src_tokens_per_s:.2f}× "
            f"the fastest transformers configuration, at {best.peak_rss_mb / base.peak_rss_mb:.0%} of its peak memory.",
        ]
    return lines


def align_markdown(rows: list[BenchRow], slopes: dict | None, load: dict) -> list[str]:
    """``bench align``: the whole path, ingest and the alignment step, one row each configuration."""
    header = [
        "what",
        "Arabic",
        "English",
        "path",
        "seconds",
        "links",
        "inner products",
        "nprobe",
        "k-recall@16",
        "exact links kept",
        "peak MB",
    ]
    cells = [
        [r.what, f"{r.n_ar:,}", f"{r.n_en:,}", r.path, f"{r.seconds:.2f}", f"{r.links:,}", _blank(r.distances, ",d")]
        + [_blank(r.nprobe, "d"), _blank(r.recall, ".4f"), _blank(r.links_kept, ".4f"), _blank(r.peak_rss_mb, ",.0f")]
        for r in rows
    ]
    lines = machine_line(load) + markdown_table(header, cells)
    if slopes:
        lines += ["", "Log-log slopes (seconds ~ size^slope): " + ", ".join(f"{k} {v}" for k, v in slopes.items())]
    return lines


def sentences_markdown(rows: list[SentenceBenchRow], load: dict) -> list[str]:
    """``bench sentences``: wall clock and CPU time of the sentence aligner as documents grow."""
    header = [
        "what",
        "Arabic",
        "English",
        "wall clock, s",
        "CPU time, s",
        "CPU s per 1,000 sentences",
        "beads",
        "Arabic sentences paired with their own translation",
    ]
    cells = [
        [r.what, f"{r.n_ar:,}", f"{r.n_en:,}", f"{r.seconds:.2f}", f"{r.cpu_seconds:.2f}"]
        + [f"{r.cpu_seconds / r.n_ar * 1000:.3f}" if r.beads else "", r.beads, f"{r.right:.4f}" if r.beads else ""]
        for r in rows
    ]
    return machine_line(load) + markdown_table(header, cells)


def scale_markdown(rows: list[ScaleRow], start: dict, load: dict) -> list[str]:
    """``bench scale``: the Ray engine's embedding pass split into partitions, and Ray's fixed costs."""
    header = [
        "partitions",
        "actors",
        "paragraphs per partition (min–max)",
        "task CPU s",
        "encoder load CPU s",
        "wall s",
        "the same pass doing no work, wall s",
    ]
    cells = [
        [r.partitions, r.actors, f"{r.per_partition_min:,}–{r.per_partition_max:,}", f"{r.task_cpu_s:.2f}"]
        + [f"{r.model_load_cpu_s:.2f}", f"{r.wall_s:.2f}", f"{r.overhead_wall_s:.2f}"]
        for r in rows
    ]
    intro = (
        f"Ray started in {start['ray_init_s']} s with {start['cpus']} CPUs (one per actor; encoder batch "
        f"{start['encoder_batch']}); its first pass, doing no work, took {start['first_pass_s']} s."
    )
    return machine_line(load) + [intro, ""] + markdown_table(header, cells)
