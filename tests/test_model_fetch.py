"""`make`'s fetch of the MT model, for real but without the internet: a tiny MarianMT model built by the
tests (random weights, real SentencePiece tokenizer) is served in the hub's layout from 127.0.0.1, with
``HF_ENDPOINT`` pointing at it, and `make`'s own targets fetch it and run the pipeline with it."""

import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT
from hub_server import HubRepository, LocalHub
from pipeline.config import MT_MODEL
from pipeline.fileio import read_jsonl
from pipeline.mt.models import KNOWN_MODELS
from pipeline.offline import OFFLINE_VARIABLES

PINNED = KNOWN_MODELS[MT_MODEL].revision
FOLDER = MT_MODEL.replace("/", "--")  # where models/ keeps it

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def make(target: str, models: Path, endpoint: str, *variables: str, timeout: float = 600):
    """`make TARGET` as a user types it, with this interpreter instead of .venv's (setup is taken as done)."""
    env = {
        **os.environ,
        "HF_ENDPOINT": endpoint,
        "PIPELINE_MODELS": str(models),
        "HF_HOME": str(models.parent / "hf-home"),
        "PYTHONPATH": str(ROOT),
    }
    for name in OFFLINE_VARIABLES:  # set by earlier tests' runs in this process; `make` must see a connected machine
        env.pop(name, None)
    command = ["make", "-s", "-C", str(ROOT), "-o", "setup", target, f"PY={sys.executable}", *variables]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)


def fetch_command(models: Path, endpoint: str) -> tuple[list[str], dict]:
    """What `make mt-model` runs, as a process the test can kill."""
    env = {**os.environ, "HF_ENDPOINT": endpoint, "PIPELINE_MODELS": str(models), "PYTHONPATH": str(ROOT)}
    env["HF_HOME"] = str(models.parent / "hf-home")
    for name in OFFLINE_VARIABLES:
        env.pop(name, None)
    return [sys.executable, "-m", "pipeline", "models", "--if-missing"], env


@pytest.fixture(scope="module")
def hub_repository(tiny_marian):
    return HubRepository.from_folder(MT_MODEL, PINNED, tiny_marian)


def test_make_fetches_the_pinned_model_and_the_run_translates_with_it_offline(hub_repository, tmp_path):
    models = tmp_path / "models"
    with LocalHub(hub_repository) as hub:
        fetched = make("mt-model", models, hub.endpoint)
        assert fetched.returncode == 0, fetched.stderr
        assert hub.requests, "the fetch never asked the hub"
        # Every file came from the pinned commit, never from a branch.
        resolved = [path for method, path in hub.requests if "/resolve/" in path]
        assert resolved and all(f"/resolve/{PINNED}/" in path for path in resolved)
        asked_before_run = len(hub.requests)

        folder = models / FOLDER
        record = json.loads((folder / ".download.json").read_text())
        assert record["hub_id"] == MT_MODEL and record["revision"] == PINNED
        served = hub_repository.files
        for entry in record["files"]:
            data = served[entry["path"]]
            assert entry["size"] == len(data) == (folder / entry["path"]).stat().st_size
            assert (
                entry["sha256"]
                == hashlib.sha256(data).hexdigest()
                == hashlib.sha256((folder / entry["path"]).read_bytes()).hexdigest()
            )
        assert {e["path"] for e in record["files"]} >= {"config.json", "model.safetensors", "source.spm"}
        assert not [p for p in models.iterdir() if p.name.startswith(".")], "a temporary folder was left"

        out = tmp_path / "out"
        run = make(
            "run",
            models,
            hub.endpoint,
            f"OUT={out}",
            f"RUN_ARGS=--mt-beams 1 --mt-max-new-tokens 8 --cache {tmp_path / 'cache'}",
        )
        assert run.returncode == 0, run.stderr
        assert len(hub.requests) == asked_before_run, "the run itself went to the hub"
    assert "MT MODEL MISSING" not in run.stderr
    translation = json.loads((out / "manifest.json").read_text())["translation"]
    assert translation["status"] == "ok" and translation["translated"] > 0
    arabic = [r for r in read_jsonl(out / "segments.jsonl") if r["lang"] == "ar"]
    assert arabic and all(r["mt_text"].strip() for r in arabic)


def test_a_second_make_finds_the_model_and_asks_the_hub_nothing(hub_repository, tmp_path):
    models = tmp_path / "models"
    with LocalHub(hub_repository) as hub:
        assert make("mt-model", models, hub.endpoint).returncode == 0
        hub.requests.clear()
        again = make("mt-model", models, hub.endpoint)
        assert again.returncode == 0 and again.stderr == ""
        assert hub.requests == []


def test_a_killed_download_leaves_no_model_folder_and_the_next_one_completes(hub_repository, tmp_path):
    models = tmp_path / "models"
    command, env = fetch_command(models, "")
    with LocalHub(hub_repository) as hub:
        env["HF_ENDPOINT"] = hub.endpoint
        hub.stall = "model.safetensors"
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            assert hub.stalled.wait(120), "the download never reached the weights"
            time.sleep(0.5)  # the first half is being written
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait()
        visible = [p.name for p in models.iterdir() if not p.name.startswith(".")] if models.exists() else []
        assert visible == [], f"a half-written model folder: {visible}"
        # The next fetch removes the killed one's temporary folder and completes.
        hub.stall = None
        again = make("mt-model", models, hub.endpoint)
        assert again.returncode == 0, again.stderr
    assert (models / FOLDER / "model.safetensors").read_bytes() == hub_repository.files["model.safetensors"]
    assert sorted(p.name for p in models.iterdir()) == [FOLDER]


def test_a_file_that_fails_its_checksum_is_not_installed(hub_repository, tmp_path):
    models = tmp_path / "models"
    with LocalHub(hub_repository) as hub:
        hub.corrupt = "model.safetensors"
        fetched = make("mt-model", models, hub.endpoint)
    assert fetched.returncode == 0, fetched.stderr  # `make` goes on without MT ...
    assert "continuing without MT" in fetched.stderr  # ... and says why
    assert not (models / FOLDER).exists()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_refused_hub_is_one_line_within_seconds_and_make_goes_on(tmp_path):
    started = time.monotonic()
    fetched = make("mt-model", tmp_path / "models", f"http://127.0.0.1:{closed_port()}")
    assert time.monotonic() - started < 15
    assert fetched.returncode == 0
    lines = fetched.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot be reached" in lines[0] and "continuing without MT" in lines[0]


def test_a_hub_that_never_answers_is_given_up_within_seconds(tmp_path):
    # A listening socket that is never accepted: the connection opens, no HTTP answer ever comes (a
    # firewall that drops packets looks the same to the client).
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        started = time.monotonic()
        fetched = make("mt-model", tmp_path / "models", f"http://127.0.0.1:{silent.getsockname()[1]}")
        elapsed = time.monotonic() - started
    assert fetched.returncode == 0
    assert elapsed < 20, f"waited {elapsed:.0f} s"
    assert len(fetched.stderr.strip().splitlines()) == 1 and "cannot be reached" in fetched.stderr


def test_mt_model_none_asks_no_hub(tmp_path):
    with LocalHub() as hub:
        fetched = make("mt-model", tmp_path / "models", hub.endpoint, "MT_MODEL=none")
        assert fetched.returncode == 0 and fetched.stderr == ""
        assert hub.requests == []
