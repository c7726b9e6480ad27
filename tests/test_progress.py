"""Every stage shows a progress bar on a terminal, and none in a pipe or CI log."""

import fcntl
import os
import pty
import re
import struct
import termios
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

STAGE_BARS = ("ingest", "align: embed Arabic", "align: embed English", "export")


def run_on(tmp_path, stderr_tty: bool, env_extra=None, inputs=()) -> str:
    env = {k: v for k, v in os.environ.items() if k != "CI"} | {"PYTHONPATH": str(ROOT)} | (env_extra or {})
    command = [sys.executable, "-m", "pipeline", "run", "--out", str(tmp_path / "out"), "--mt-model", "none"]
    command += [str(x) for x in inputs]
    if not stderr_tty:
        return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600).stderr
    leader, follower = pty.openpty()
    # A terminal of 24 × 100 characters (a fresh pty has none, and tqdm draws nothing 0 columns wide).
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=follower)
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:  # the follower side closed: the process is done
            break
        if not data:
            break
        chunks.append(data)
    assert process.wait(timeout=600) == 0
    os.close(leader)
    return b"".join(chunks).decode("utf-8", "replace")


def test_every_stage_shows_progress_on_a_terminal(tmp_path):
    from pipeline.align.lexicon import load_lexicon

    shown = run_on(tmp_path, stderr_tty=True)
    # Anchors are sought only near the equivalent threshold (none on the corpus); the dictionary's
    # translation of every Arabic paragraph is the align stage's own work when the dictionary is installed.
    for bar in STAGE_BARS + (("align: dictionary",) if load_lexicon() is not None else ()):
        assert re.search(rf"{re.escape(bar)}:\s+\d+%\|", shown), f"no progress bar for {bar!r}"


def test_no_progress_bars_in_a_pipe_or_ci(tmp_path):
    from pipeline.ingest.corpus import corpus_lines

    arabic, english = corpus_lines(ROOT / "corpus")
    (tmp_path / "a.txt").write_text("\n".join(arabic[:12]) + "\n", encoding="utf-8")
    (tmp_path / "e.txt").write_text("\n".join(english[:12]) + "\n", encoding="utf-8")
    inputs = ("--ar", tmp_path / "a.txt", "--en", tmp_path / "e.txt")
    piped = run_on(tmp_path, stderr_tty=False, inputs=inputs)
    ci = run_on(tmp_path, stderr_tty=True, env_extra={"CI": "1"}, inputs=inputs)
    for text in (piped, ci):
        assert "%|" not in text and not re.search(r"\r(?!\n)", text), "a progress bar was drawn"
        assert "ingest:" in text  # the stage summaries stay


def test_a_long_stage_says_how_far_it_is_in_a_pipe(monkeypatch, capsys):
    """Off a terminal a stage still running after HEARTBEAT_SECONDS says how far it is (issue 23: a 50 MB
    input printed nothing for 4 minutes), and a short one prints nothing."""
    import pipeline.progress as progress

    monkeypatch.setattr(progress, "quiet", lambda: True)
    with progress.progress(1000, "ingest", unit="line") as bar:
        bar.update(400)
    assert capsys.readouterr().err == ""
    monkeypatch.setattr(progress, "HEARTBEAT_SECONDS", 0.0)
    with progress.progress(1000, "ingest", unit="line") as bar:
        bar.update(400)
    assert capsys.readouterr().err == "ingest: 400 of 1,000 line (40%)\n"
    progress.set_verbosity(0)  # --quiet: nothing
    try:
        with progress.progress(1000, "ingest", unit="line") as bar:
            bar.update(400)
        assert capsys.readouterr().err == ""
    finally:
        progress.set_verbosity(1)


def test_a_large_input_is_said_before_it_is_read(tmp_path):
    """The first line comes before the file is read, so a large run is never silent from its start (a
    megabyte of encoded data here, refused right after)."""
    import base64

    junk = tmp_path / "junk.txt"
    junk.write_text(base64.encodebytes(os.urandom(800_000)).decode(), encoding="utf-8")
    arabic, english = ROOT / "corpus/raw/002_fb358afb9b89a1aa.txt", ROOT / "corpus/raw/000_9877626a5c715a39.txt"
    stderr = run_on(tmp_path, False, inputs=("--ar", arabic, "--en", junk, english))
    lines = stderr.splitlines()
    assert re.fullmatch(rf"load: reading {re.escape(str(junk))} \(1\.0 MB\)", lines[0]), lines
    assert lines[1].startswith(f"error: {junk}: expected English text") and len(lines) == 2
