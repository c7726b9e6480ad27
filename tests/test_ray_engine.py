"""``--engine ray`` on a local two-node Ray cluster (one CPU each, no dashboard) gives the embedded
engine's outputs byte for byte, also when an actor dies mid-run. Skipped without the extra
``[distributed]`` (``.ci/run`` installs it)."""

import os
import sys
from pathlib import Path

import pytest

ray = pytest.importorskip("ray", reason="Ray is not installed (pip install '.[distributed]')")

pytestmark = pytest.mark.ray

ROOT = Path(__file__).resolve().parent.parent


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


def run_ray(cluster, out):
    from pipeline.run import RunConfig, run_pipeline

    return run_pipeline(
        RunConfig(out=out, mt_model="none", engine="ray", ray_address=cluster.address, ray_work=out.parent)
    )


def test_ray_engine_equals_the_embedded_engine(two_nodes, corpus_run, tmp_path):
    result = run_ray(two_nodes, tmp_path / "ray")
    assert len(ray.nodes()) == 2 and result.manifest["parameters"]["engine"] == "ray"
    for name in ("alignments.jsonl", "unaligned.jsonl", "segments.jsonl"):
        assert (tmp_path / "ray" / name).read_bytes() == (corpus_run / name).read_bytes(), name


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
