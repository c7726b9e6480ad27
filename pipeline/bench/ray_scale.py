"""``bench scale`` (``make bench-scale``): the Ray engine's embedding step split into 1, 2, 4, 8 partitions
on a local Ray instance. For each split: paragraphs per partition (are they balanced?), the CPU seconds
its tasks spent (does the total stay constant, i.e. is work only divided, not repeated?), the wall clock,
and, measured apart, Ray's fixed overhead: starting Ray, its first pass (worker processes start), and
for each split the same pass with a callable that does no work (scheduling, actor start, moving rows).

The work is the engine's own: the texts are cut into the encoder's batches
(:func:`pipeline.engine.batches.text_chunks`) and embedded by :class:`pipeline.engine.batches.EmbedChunks`
in an actor pool; :class:`TimedEmbedChunks` only adds what each call did and the CPU time it took. The
model load is timed apart (once per actor: fixed per actor, not per paragraph).
"""

from __future__ import annotations

import logging
import math
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pipeline.engine.batches import EmbedChunks, text_chunks
from pipeline.progress import log


@dataclass
class ScaleRow:
    partitions: int
    actors: int
    paragraphs: int
    per_partition_min: int  # paragraphs in the smallest partition
    per_partition_max: int
    task_cpu_s: float  # CPU seconds spent embedding, summed over the tasks
    model_load_cpu_s: float  # CPU seconds spent loading the encoder, summed over the actors
    wall_s: float  # the embedding pass, actors' start and model load included
    overhead_wall_s: float  # the same pass with a callable that does no work


class TimedEmbedChunks(EmbedChunks):
    """:class:`EmbedChunks` reporting, per call (= one partition), the paragraphs embedded, the CPU
    seconds the call took and the CPU seconds this actor spent loading the encoder."""

    def __init__(self, encoder_name: str, threads: int | None = None):
        started = time.process_time()
        super().__init__(encoder_name, threads)
        self.encoder.encode(["load"], "ar")  # the encoder loads its weights on first use: here, not in a call
        self.load_cpu = time.process_time() - started
        self.calls = 0

    def __call__(self, batch: dict) -> dict:
        started = time.process_time()
        vectors = super().__call__(batch)["vectors"]
        self.calls += 1
        return {
            "paragraphs": np.array([sum(len(t) for t in batch["texts"])]),
            "chunks": np.array([len(vectors)]),
            "cpu": np.array([time.process_time() - started]),
            # The load counts once per actor: reported on its first call only.
            "load_cpu": np.array([self.load_cpu if self.calls == 1 else 0.0]),
        }


class CountRows:
    """The same pass without the work: the paragraphs of each call, nothing computed."""

    def __call__(self, batch: dict) -> dict:
        return {
            "paragraphs": np.array([sum(len(t) for t in batch["texts"])]),
            "chunks": np.array([len(batch["texts"])]),
            "cpu": np.array([0.0]),
            "load_cpu": np.array([0.0]),
        }


def bench_texts(flores: Path | None, corpus: Path, count: int) -> list[str]:
    """``count`` Arabic paragraphs: FLORES-200 devtest sentences (the corpus when absent), repeated as needed."""
    from pipeline.bench.scale import source_lines

    lines, _ = source_lines(flores, corpus)
    return [lines[k % len(lines)] for k in range(count)]


def run_scale(
    flores: Path | None,
    corpus: Path,
    paragraphs: int = 1024,
    partitions=(1, 2, 4, 8),
    cpus: int | None = None,
    encoder_name: str | None = None,
) -> tuple[list[ScaleRow], dict]:
    """Rows for each partition count, and Ray's start-up: ``{"ray_init_s", "cpus"}``. Starts a local Ray
    instance with ``cpus`` CPUs (default: this machine's), one CPU per actor, and stops it at the end."""
    import ray

    from pipeline.align.settings import load_settings
    from pipeline.encoders import get_encoder

    encoder_name = encoder_name or load_settings().encoder
    batch_size = get_encoder(encoder_name).batch_size
    cpus = cpus or os.cpu_count() or 1
    texts = bench_texts(flores, corpus, paragraphs)
    chunks = text_chunks(texts, batch_size)
    started = time.perf_counter()
    ray.init(num_cpus=cpus, include_dashboard=False, log_to_driver=False, logging_level=logging.WARNING)
    ray_init = time.perf_counter() - started
    try:
        import ray.data

        context = ray.data.DataContext.get_current()
        context.enable_progress_bars = False
        context.print_on_execution_start = False
        logging.getLogger("ray.data").setLevel(logging.WARNING)
        # The first pass of a fresh instance also starts Ray's worker processes: timed apart.
        cold, _ = _one_pass(chunks, 1, len(chunks), 1, CountRows, ())
        rows = []
        for count in partitions:
            actors = min(count, cpus)
            per_call = math.ceil(len(chunks) / count)

            log(f"bench scale: {paragraphs} paragraphs in {count} partitions on {actors} actors")
            overhead, _ = _one_pass(chunks, count, per_call, actors, CountRows, ())
            wall, calls = _one_pass(chunks, count, per_call, actors, TimedEmbedChunks, (encoder_name, 1))
            sizes = [int(c["paragraphs"]) for c in calls]
            rows.append(
                ScaleRow(
                    count,
                    actors,
                    sum(sizes),
                    min(sizes),
                    max(sizes),
                    round(sum(float(c["cpu"]) for c in calls), 2),
                    round(sum(float(c["load_cpu"]) for c in calls), 2),
                    round(wall, 2),
                    round(overhead, 2),
                )
            )
    finally:
        ray.shutdown()
    return rows, {
        "ray_init_s": round(ray_init, 2),
        "first_pass_s": round(cold, 2),
        "cpus": cpus,
        "encoder_batch": batch_size,
    }


def _one_pass(chunks: list[dict], partitions: int, per_call: int, actors: int, fn, args) -> tuple[float, list]:
    """Wall seconds and the rows of one ``map_batches`` pass over ``chunks`` in ``partitions`` blocks."""
    import ray.data
    from ray.data import ActorPoolStrategy

    dataset = ray.data.from_items(chunks, override_num_blocks=partitions)
    mark = time.perf_counter()
    out = dataset.map_batches(
        fn,
        fn_constructor_args=args,
        batch_size=per_call,
        batch_format="numpy",
        compute=ActorPoolStrategy(size=actors),
        num_cpus=1,
    ).take_all()
    return time.perf_counter() - mark, out


def format_table(rows: list[ScaleRow], start: dict) -> str:
    lines = [
        f"Ray started in {start['ray_init_s']} s with {start['cpus']} CPUs (one per actor; encoder batch "
        f"{start['encoder_batch']}); its first pass, doing no work, took {start['first_pass_s']} s",
        f"{'partitions':>10} {'actors':>6} {'paragraphs':>10} {'min/part':>8} {'max/part':>8} "
        f"{'task CPU s':>10} {'load CPU s':>10} {'wall s':>7} {'overhead s':>10}",
    ]
    for r in rows:
        lines.append(
            f"{r.partitions:>10} {r.actors:>6} {r.paragraphs:>10} {r.per_partition_min:>8} {r.per_partition_max:>8} "
            f"{r.task_cpu_s:>10.2f} {r.model_load_cpu_s:>10.2f} {r.wall_s:>7.2f} {r.overhead_wall_s:>10.2f}"
        )
    return "\n".join(lines)
