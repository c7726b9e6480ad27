"""No network unless asked: a run with the default MT model (not downloaded) makes no connection and
no DNS lookup, and gives the same outputs as a run without MT."""

import json
import os
import subprocess
import sys

from conftest import ROOT

# Runs `python -m pipeline ARGS` with every way out to the network replaced by a refusal that is logged.
NO_NETWORK = r"""
import os, runpy, socket, sys
def refuse(name):
    def call(*args, **kwargs):
        with open(os.environ["NETWORK_LOG"], "a") as log:
            log.write(f"{name} {args[:2]!r}\n")
        raise OSError(f"network disabled by the test ({name})")
    return call
socket.socket.connect = refuse("connect")
socket.socket.connect_ex = refuse("connect_ex")
socket.getaddrinfo = refuse("getaddrinfo")
socket.gethostbyname = refuse("gethostbyname")
socket.create_connection = refuse("create_connection")
sys.argv = ["pipeline", *sys.argv[1:]]
runpy.run_module("pipeline", run_name="__main__", alter_sys=True)
"""


def test_a_run_with_a_missing_hub_model_makes_no_network_attempt(corpus_run, tmp_path):
    log = tmp_path / "network.log"
    env = {k: v for k, v in os.environ.items() if not k.endswith("_OFFLINE")}
    env.update(PYTHONPATH=str(ROOT), NETWORK_LOG=str(log), PIPELINE_MODELS=str(tmp_path / "no-models"))
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "-c", NO_NETWORK, "run", "--out", str(out), "--mt-model", "Helsinki-NLP/opus-mt-ar-en"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert not log.exists(), log.read_text()
    assert "MT MODEL MISSING" in result.stderr
    for name in ("segments.jsonl", "alignments.jsonl", "unaligned.jsonl", "alignments.tsv", "alignments.tmx"):
        assert (out / name).read_bytes() == (corpus_run / name).read_bytes(), name
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["translation"]["status"].startswith("missing")
