"""``--engine ray`` on a local two-node Ray cluster (one CPU each, no dashboard) gives the embedded
engine's outputs byte for byte, also when an actor dies mid-run. Skipped without the extra
``[distributed]`` (``.ci/run`` installs it)."""

import json
import os
import sys
from dataclasses import replace
from pathlib import Path

import pytest

ray = pytest.importorskip("ray", reason="Ray is not installed (pip install '.[distributed]')")

pytestmark = pytest.mark.ray

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"


@pytest.fixture(scope="module")
def two_nodes():
    from ray.cluster_utils import Cluster

    # Workers import the pipeline from this checkout.
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    cluster = Cluster(
        initialize_head=True,
        head_node_args={"num_cpus": 1, "include_dashboard": False, "object_store_memory": 200 * 1024**2},
    )
    cluster.add_node(num_cpus=1, object_store_memory=200 * 1024**2)
    cluster.wait_for_nodes()
    yield cluster
    ray.shutdown()
    cluster.shutdown()


def run_ray(cluster, out, **config):
    from pipeline.run import RunConfig, run_pipeline

    config.setdefault("mt_model", "none")
    return run_pipeline(RunConfig(out=out, engine="ray", ray_address=cluster.address, ray_work=out.parent, **config))


def test_ray_engine_equals_the_embedded_engine(two_nodes, corpus_run, tmp_path):
    result = run_ray(two_nodes, tmp_path / "ray")
    assert len(ray.nodes()) == 2 and result.manifest["parameters"]["engine"] == "ray"
    for name in ("alignments.jsonl", "unaligned.jsonl", "segments.jsonl"):
        assert (tmp_path / "ray" / name).read_bytes() == (corpus_run / name).read_bytes(), name


def test_the_inverted_file_on_ray_end_to_end(two_nodes, tmp_path):
    """The corpus with every pair through the inverted file (dense_limit 0, ivf_min 0): the run on the
    cluster, index shards on actors, writes the single-machine run's outputs byte for byte."""
    from pipeline.align.settings import DEFAULT_SETTINGS_PATH
    from pipeline.run import RunConfig, run_pipeline

    settings = json.loads(DEFAULT_SETTINGS_PATH.read_text(encoding="utf-8")) | {"dense_limit": 0, "ivf_min": 0}
    path = tmp_path / "settings.json"
    path.write_text(json.dumps(settings), encoding="utf-8")
    run_pipeline(RunConfig(out=tmp_path / "embedded", mt_model="none", settings=path))
    run_ray(two_nodes, tmp_path / "ray", settings=path)
    for name in ("alignments.jsonl", "unaligned.jsonl", "segments.jsonl"):
        assert (tmp_path / "ray" / name).read_bytes() == (tmp_path / "embedded" / name).read_bytes(), name


def test_a_dead_actor_is_retried(two_nodes, corpus_run, tmp_path, monkeypatch):
    """The first batch kills its actor's process (once: a marker file says it happened); Ray restarts the
    actor, retries the batch, and the output is the same."""
    import ray.cloudpickle

    from pipeline.engine import batches

    marker = tmp_path / "died"

    class DiesOnce(batches.EmbedChunks):
        def __call__(self, batch):
            if not marker.exists():
                marker.write_text(str(os.getpid()))
                os._exit(1)
            return super().__call__(batch)

    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])
    monkeypatch.setattr(batches, "EmbedChunks", DiesOnce)
    run_ray(two_nodes, tmp_path / "ray")
    assert marker.exists(), "no actor died: the test did not test a retry"
    assert (tmp_path / "ray" / "alignments.jsonl").read_bytes() == (corpus_run / "alignments.jsonl").read_bytes()


def write_documents(folder: Path, articles: list[dict]) -> dict[str, list[Path]]:
    """Each article as an Arabic and an English text file, one sentence a paragraph."""
    folder.mkdir(parents=True, exist_ok=True)
    paths: dict[str, list[Path]] = {"ar": [], "en": []}
    for n, article in enumerate(articles):
        for lang in ("ar", "en"):
            path = folder / f"doc{n:03d}.{lang}.txt"
            path.write_text("\n".join(article[lang]) + "\n", encoding="utf-8")
            paths[lang].append(path)
    return paths


def test_translation_in_an_actor_pool_equals_the_embedded_engine(two_nodes, tiny_marian, tmp_path, monkeypatch):
    """The tiny random MarianMT model translates the shipped FLORES fixture in Ray actors (one CPU, one
    thread each) to the very translations, and links, of the embedded engine with one thread."""
    from pipeline.mt import translate
    from pipeline.mt.base import Decoding
    from pipeline.run import RunConfig, run_pipeline

    articles = json.loads((FIXTURES / "flores_articles.json").read_text(encoding="utf-8"))
    paths = write_documents(tmp_path / "in", articles)
    mt = {"mt_model": str(tiny_marian), "threads": 1, "cache": None, "decoding": Decoding(2, 12), **paths}
    embedded = run_pipeline(RunConfig(out=tmp_path / "embedded", **mt))
    assert embedded.manifest["translation"]["translated"] > translate.CHUNK_SIZE  # several chunks
    assert embedded.links

    def not_here(translator):
        raise AssertionError("the Ray engine translated on the driver")

    monkeypatch.setattr(translate, "local_chunks", not_here)
    result = run_ray(two_nodes, tmp_path / "ray", **mt)
    assert result.manifest["translation"]["translated"] == embedded.manifest["translation"]["translated"]
    for name in ("segments.jsonl", "alignments.jsonl", "unaligned.jsonl"):
        assert (tmp_path / "ray" / name).read_bytes() == (tmp_path / "embedded" / name).read_bytes(), name


@pytest.fixture(scope="module")
def flores_set(tmp_path_factory):
    """FLORES-200 devtest (../shared, absent in a user's clone: skipped) as a few thousand paragraphs: its
    1,012 Arabic sentences in 20 documents against its English in 20 documents, every 10th dropped."""
    from pipeline import config

    flores = ROOT / config.FLORES200_DEVTEST
    if not (flores / "arb_Arab.devtest").is_file():
        pytest.skip(f"{config.FLORES200_DEVTEST} is not here (shared data)")
    ar = (flores / "arb_Arab.devtest").read_text(encoding="utf-8").splitlines()
    en = (flores / "eng_Latn.devtest").read_text(encoding="utf-8").splitlines()
    size = -(-len(ar) // 20)
    articles = [
        {"ar": ar[s : s + size], "en": [line for n, line in enumerate(en[s : s + size]) if n % 10 != 9]}
        for s in range(0, len(ar), size)
    ]
    return write_documents(tmp_path_factory.mktemp("flores_set"), articles)


def test_a_few_thousand_paragraphs_give_the_embedded_links(two_nodes, flores_set, tmp_path):
    """About 2,000 paragraphs (exact neighbour search: fewer than ivf_min): the Ray engine's outputs are
    the single-machine engine's, byte for byte."""
    from pipeline.run import RunConfig, run_pipeline

    embedded = run_pipeline(RunConfig(out=tmp_path / "embedded", mt_model="none", **flores_set))
    assert len(embedded.links) > 500
    run_ray(two_nodes, tmp_path / "ray", mt_model="none", **flores_set)
    for name in ("alignments.jsonl", "unaligned.jsonl"):
        assert (tmp_path / "ray" / name).read_bytes() == (tmp_path / "embedded" / name).read_bytes(), name


def test_english_vectors_held_by_actors_give_the_links_of_vectors_held_here(two_nodes, flores_set, tmp_path):
    """The English side held by two Ray actors on two nodes, in blocks of 256 rows (the driver asks them
    for neighbours, cosines, document sums and the rows it needs), against the same vectors held here in
    the same blocks: the same links, unlinked rows, themes and inner products. ivf_min 900: both sides
    (1,012 and 913 paragraphs) through inverted files, the Arabic one sent to the holders."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from pipeline.align import ann
    from pipeline.align.align import align_segments
    from pipeline.align.settings import load_settings
    from pipeline.align.vectors import LocalVectors
    from pipeline.engine.ray_engine import RayVectors, _connect
    from pipeline.ingest.documents import read_document
    from pipeline.ingest.stage import ingest_documents
    from pipeline.themes.settings import load_theme_settings

    docs = [read_document(path, lang) for lang in ("ar", "en") for path in flores_set[lang]]
    segments = ingest_documents(docs).segments
    settings = replace(load_settings(), ivf_min=900)
    made: dict = {}

    def on_ray(vectors, batch=128):
        folder = tmp_path / "held"
        rows = [
            {"side": 1, "chunk": c, "vectors": vectors[start : start + batch].tobytes()}
            for c, start in enumerate(range(0, len(vectors), batch))
        ]
        (folder / "vectors").mkdir(parents=True)
        pq.write_table(pa.Table.from_pylist(rows), folder / "vectors" / "part.parquet")
        return RayVectors(_connect(two_nodes.address), folder, 1, len(vectors), batch, vectors.shape[1], 2, block=256)

    def embedder(hold):
        def embed(encoder):
            def embed_sides(sides, held=None):
                out = [made.setdefault((lang, tuple(texts)), encoder.encode(texts, lang)) for texts, lang, _ in sides]
                out[held] = hold(out[held])
                return out

            return embed_sides

        return embed

    results = []
    for hold in (lambda v: LocalVectors(v, block=256), on_ray):
        ann.STATS.reset()
        links, unaligned, info, _ = align_segments(
            segments, settings, embedder=embedder(hold), themes=load_theme_settings()
        )
        results.append(
            (
                [json.dumps(link.to_json(), sort_keys=True) for link in links],
                [json.dumps(u.to_json(), sort_keys=True) for u in unaligned],
                json.dumps(info["themes"], sort_keys=True),
                ann.STATS.distances,
                ann.STATS.ivf_searches,
            )
        )
        holders = info["vector_holders"]
        assert sum(h["rows"] for h in holders) == sum(s.lang == "en" for s in segments)
    assert len(holders) == 2 and len({h["node"] for h in holders}) == 2
    assert results[0][4] == 2 and len(results[0][0]) > 500
    assert results[1] == results[0]
