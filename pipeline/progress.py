"""Progress bars on a terminal; in CI logs and pipes, a line now and then while a long stage runs."""

from __future__ import annotations

import os
import sys
import time

# Off a terminal, a stage still running after this many seconds says how far it is, and again as often:
# a large input is never silent for minutes (issue 23), a short run prints nothing more.
HEARTBEAT_SECONDS = 10.0


# 0: --quiet (warnings and errors only), 1: stage messages (default), 2: --verbose (also how each input was
# read). Kept in the environment so that worker processes (bench-mt) follow the same setting.
VERBOSITY_VARIABLE = "PIPELINE_VERBOSITY"


def verbosity() -> int:
    try:
        return int(os.environ.get(VERBOSITY_VARIABLE, "1"))
    except ValueError:
        return 1


def set_verbosity(level: int) -> None:
    os.environ[VERBOSITY_VARIABLE] = str(level)


def quiet() -> bool:
    """True in CI logs, pipes and --quiet runs: no progress bars there."""
    return not sys.stderr.isatty() or bool(os.environ.get("CI")) or verbosity() < 1


def progress(total: int, desc: str, unit: str = "it"):
    """A progress bar on a terminal; elsewhere (unless --quiet) a :class:`Heartbeat`."""
    if not quiet():
        from tqdm import tqdm

        return tqdm(total=total, desc=desc, unit=unit, leave=False)
    return Heartbeat(total, desc, unit, verbosity() >= 1)


class Heartbeat:
    """tqdm's interface for logs and pipes: a line "desc: n of total unit (p%)" every HEARTBEAT_SECONDS
    while it runs, nothing for a stage that ends sooner."""

    def __init__(self, total: int, desc: str, unit: str, speak: bool):
        self.total, self.desc, self.unit, self.speak = total, desc, unit, speak
        self.n = 0
        self.next_line = time.monotonic() + HEARTBEAT_SECONDS

    def update(self, n: int = 1) -> None:
        self.n += n
        if self.speak and time.monotonic() >= self.next_line:
            share = f" ({self.n / self.total:.0%})" if self.total else ""
            print(f"{self.desc}: {self.n:,} of {self.total:,} {self.unit}{share}", file=sys.stderr, flush=True)
            self.next_line = time.monotonic() + HEARTBEAT_SECONDS

    def set_postfix_str(self, text: str) -> None:
        pass

    def close(self) -> None:
        pass

    def __enter__(self) -> Heartbeat:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def log(message: str) -> None:
    """Stage messages go to stderr so that stdout stays for results (JSON lines of eval and bench); --quiet
    silences them."""
    if verbosity() >= 1:
        print(message, file=sys.stderr, flush=True)


def debug(message: str) -> None:
    """Details only --verbose shows."""
    if verbosity() >= 2:
        print(message, file=sys.stderr, flush=True)


def warn(message: str) -> None:
    """What a user must see even with --quiet (a missing model, a busy machine)."""
    print(message, file=sys.stderr, flush=True)


def quiet_transformers() -> None:
    """transformers 5 draws its own bars when loading and saving weights; keep CI logs and pipes clean."""
    if quiet():
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
