"""The Ray engine (``run --engine ray``): translation and embedding run in pools of Ray actors, each
loading its model once; the English paragraphs' vectors stay on the cluster; the rest of the run is the
embedded engine's code on the driver.

Translation: the driver decides what to translate (cache, splits under the model's limit) and cuts it
into the embedded engine's chunks (:func:`pipeline.mt.translate.translate_sentences`); the chunks go
through Parquet to a Ray Dataset and ``map_batches`` with :class:`pipeline.engine.batches.TranslateChunks`
(``num_cpus`` per actor = the backend's threads), and come back as they finish, into the cache.

Embedding: each side's texts are cut into the encoder's own batches
(:func:`pipeline.engine.batches.text_chunks`), written as Parquet, read back as a Ray Dataset and embedded
with ``map_batches`` and the callable class :class:`pipeline.engine.batches.EmbedChunks` in an actor pool
(one CPU per actor, the encoder single-threaded in it); the vectors go to Parquet. The driver reads back
the small sides (Arabic, MT, glosses); the English side is read by :class:`VectorHolder` actors (one CPU
each, spread over the nodes), each a contiguous run of whole blocks of rows (:class:`RayVectors`, a
:class:`pipeline.align.vectors.SideVectors`). The aligner asks them for what it needs: the inverted file
filled with their rows and searched by the Arabic queries, their rows searched against the Arabic index,
the cosines of the candidate pairs, documents' summed vectors, each Arabic paragraph's top English rows
for the theme layer, and the rows of the candidate documents only. Every answer is computed a block at a
time and combined in block order, so the vectors, and so ``alignments.jsonl``, are byte for byte the
embedded engine's. An actor that dies is restarted (a holder reads its rows again) and its work retried.

``RAY_ADDRESS`` or ``--ray-address`` names a running cluster; without it a local Ray instance is
started for the run. On a cluster of several machines ``--ray-work`` must be storage every node sees
(a shared folder, or a URI pyarrow can write such as ``s3://…``).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np

from pipeline.align.vectors import BLOCK, SideVectors, VectorBlocks
from pipeline.errors import PipelineError
from pipeline.progress import log, quiet

# Chunks (each one encoder batch) per Ray task: small enough to spread a side over the actors, and to
# retry little when an actor dies.
CHUNKS_PER_TASK = 1
# A dead actor is restarted and its task retried this many times before the run fails.
RETRIES = 3


def _connect(address: str | None):
    try:
        import ray
    except ImportError:
        raise PipelineError(
            None, "--engine ray needs Ray installed: pip install '.[distributed]' (pinned ray[data])"
        ) from None
    if not ray.is_initialized():
        address = address or os.environ.get("RAY_ADDRESS")
        log(f"ray: connecting to {address}" if address else "ray: starting a local Ray instance")
        try:
            ray.init(
                address=address,
                include_dashboard=False,
                log_to_driver=False,
                logging_level=logging.WARNING,
            )
        except (ConnectionError, RuntimeError, ValueError) as exc:
            raise PipelineError(None, f"cannot reach the Ray cluster at {address}: {exc}") from None
    import ray.data

    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = not quiet()
    context.print_on_execution_start = False
    # Ray Data reports each dataset's plan and timing at INFO; the stage's own line says what runs.
    logging.getLogger("ray.data").setLevel(logging.WARNING)
    logging.getLogger("ray").setLevel(logging.WARNING)
    return ray


def _work_folder(prefix: str, work: Path | None) -> Path:
    """A new folder for one stage's Parquet, under ``work`` (created when missing) or the system's temp."""
    if work is not None:
        Path(work).mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=prefix, dir=work))


def ray_embedder(
    encoder_name: str,
    batch_size: int,
    dim: int,
    address: str | None = None,
    work: Path | None = None,
    actors: int | None = None,
) -> Callable[[list[tuple[list[str], str, str]]], list[np.ndarray]]:
    """An ``embed_sides([(texts, lang, desc), ...])`` that embeds every side in one Ray Dataset (one actor
    pool, each actor loading the encoder once), for :func:`pipeline.align.align.align_segments`."""
    ray = _connect(address)
    from ray.data import ActorPoolStrategy

    from pipeline.engine import batches

    pool = actors or max(1, int(ray.cluster_resources().get("CPU", 1)))

    def embed_sides(sides: list[tuple[list[str], str, str]], held: int | None = None) -> list:
        import pyarrow as pa
        import pyarrow.parquet as pq

        folder = _work_folder("ray-embed-", work)
        kept = False
        try:
            rows = [
                row
                for s, (texts, lang, _) in enumerate(sides)
                for row in batches.text_chunks(texts, batch_size, s, lang)
            ]
            pq.write_table(pa.Table.from_pylist(rows), folder / "texts.parquet", row_group_size=CHUNKS_PER_TASK)
            names = ", ".join(f"{len(texts)} {desc or lang}" for texts, lang, desc in sides)
            log(f"ray: embedding {names} in {len(rows)} batches on up to {pool} actors")
            dataset = ray.data.read_parquet(str(folder / "texts.parquet"), override_num_blocks=max(1, len(rows)))
            warnings.filterwarnings("ignore", message=".*ray_remote_args.*")
            vectors = dataset.map_batches(
                batches.EmbedChunks,
                fn_constructor_args=(encoder_name, 1),
                batch_size=CHUNKS_PER_TASK,
                batch_format="numpy",
                compute=ActorPoolStrategy(min_size=1, max_size=min(pool, max(1, len(rows)))),
                num_cpus=1,
                max_restarts=RETRIES,
                max_task_retries=RETRIES,
            )
            vectors.write_parquet(str(folder / "vectors"))
            # The held side's vectors are not read here: its holders read their rows themselves.
            filters = [("side", "!=", held)] if held is not None else None
            table = pq.read_table(folder / "vectors", filters=filters)
            out: list = batches.join_chunks(
                table.column("side").to_pylist(),
                table.column("chunk").to_pylist(),
                table.column("vectors").to_pylist(),
                dim,
                len(sides),
            )
            if held is not None and sides[held][0]:
                out[held] = RayVectors(ray, folder, held, len(sides[held][0]), batch_size, dim, pool)
                kept = True
            return out
        finally:
            if not kept:
                shutil.rmtree(folder, ignore_errors=True)

    return embed_sides


class VectorHolder(VectorBlocks):
    """A Ray actor's share of a side's vectors: rows ``first``…``stop`` read from the embedded Parquet
    (``side``'s chunks of ``batch_size`` rows), and the work :class:`pipeline.align.vectors.VectorBlocks`
    does on them. A restarted actor reads them again."""

    def __init__(self, parquet: str, side: int, batch_size: int, dim: int, first: int, stop: int, block: int):
        import pyarrow.parquet as pq

        from pipeline.engine import batches

        started = (time.perf_counter(), time.process_time())
        low, high = first // batch_size, -(-stop // batch_size)
        table = pq.read_table(parquet, filters=[("side", "=", side), ("chunk", ">=", low), ("chunk", "<", high)])
        chunks = table.column("chunk").to_pylist()
        (vectors,) = batches.join_chunks([0] * len(chunks), chunks, table.column("vectors").to_pylist(), dim, 1)
        super().__init__(vectors[first - low * batch_size : stop - low * batch_size], first, block)
        self._timed("load", started)

    def describe(self) -> dict:
        import ray

        return super().describe() | {"node": ray.get_runtime_context().get_node_id()[:8]}


class RayVectors(SideVectors):
    """A side's vectors held by Ray actors (:class:`VectorHolder`, one CPU each, spread over the nodes), each
    a contiguous run of whole blocks; the driver keeps none of them, only what it asks for."""

    def __init__(
        self, ray, folder: Path, side: int, n: int, batch_size: int, dim: int, holders: int, block: int = BLOCK
    ):
        """``folder/vectors``: the embedded Parquet (rows ``side``, ``chunk``, ``vectors``: the side's
        chunks of ``batch_size`` rows, as :class:`pipeline.engine.batches.EmbedChunks` writes them); the
        folder is removed by :meth:`close`. ``block``: :data:`pipeline.align.vectors.BLOCK` but in tests."""
        self.ray, self.folder, self.n, self.dim = ray, folder, n, dim
        blocks = -(-n // block)
        count = max(1, min(holders, blocks))
        edges = [min(n, block * (blocks * h // count)) for h in range(count + 1)]
        self.ranges = list(zip(edges, edges[1:], strict=False))
        actor = ray.remote(num_cpus=1, max_restarts=RETRIES, max_task_retries=RETRIES, scheduling_strategy="SPREAD")(
            VectorHolder
        )
        self.actors = [
            actor.remote(str(folder / "vectors"), side, batch_size, dim, a, b, block) for a, b in self.ranges
        ]
        log(f"ray: {n} paragraph vectors held by {count} actors ({', '.join(f'{b - a}' for a, b in self.ranges)} rows)")

    def _each(self, method, args=None, only=None):
        calls = [
            None
            if only is not None and not only(a, b)
            else getattr(actor, method).remote(*(args(a, b) if args else ()))
            for actor, (a, b) in zip(self.actors, self.ranges, strict=True)
        ]
        done = iter(self.ray.get([c for c in calls if c is not None]))
        return [None if c is None else next(done) for c in calls]

    def close(self) -> None:
        for actor in self.actors:
            self.ray.kill(actor)
        self.actors = []
        shutil.rmtree(self.folder, ignore_errors=True)


def ray_chunk_runner(
    model: str,
    backend: str,
    threads: int | None,
    decoding,
    allow_download: bool = False,
    address: str | None = None,
    work: Path | None = None,
    actors: int | None = None,
):
    """A :data:`pipeline.mt.translate.ChunkRunner` that translates the chunks in a Ray actor pool: each
    actor loads the model once and gets ``threads`` CPUs (default 1), its backend as many threads."""
    ray = _connect(address)
    from ray.data import ActorPoolStrategy

    from pipeline.engine import batches

    per_actor = threads or 1
    pool = actors or max(1, int(ray.cluster_resources().get("CPU", 1)) // per_actor)

    def run(chunks: list[list[str]]):
        import json

        import pyarrow as pa
        import pyarrow.parquet as pq

        folder = _work_folder("ray-translate-", work)
        try:
            rows = [{"chunk": n, "sentences": chunk} for n, chunk in enumerate(chunks)]
            pq.write_table(pa.Table.from_pylist(rows), folder / "sentences.parquet", row_group_size=1)
            log(f"ray: translating {sum(map(len, chunks))} sentences in {len(rows)} chunks on up to {pool} actors")
            dataset = ray.data.read_parquet(str(folder / "sentences.parquet"), override_num_blocks=len(rows))
            warnings.filterwarnings("ignore", message=".*ray_remote_args.*")
            translated = dataset.map_batches(
                batches.TranslateChunks,
                fn_constructor_args=(model, backend, per_actor, decoding, allow_download),
                batch_size=1,
                batch_format="numpy",
                compute=ActorPoolStrategy(min_size=1, max_size=min(pool, len(rows))),
                num_cpus=per_actor,
                max_restarts=RETRIES,
                max_task_retries=RETRIES,
            )
            # Chunks come back as they finish, so the cache keeps what was translated if the run stops.
            for batch in translated.iter_batches(batch_size=None, batch_format="numpy"):
                for n, outputs in zip(batch["chunk"], batch["translations"], strict=True):
                    yield int(n), json.loads(outputs)
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    return run
