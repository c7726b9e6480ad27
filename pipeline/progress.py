"""Progress bars on a terminal, silence in CI logs and pipes."""

from __future__ import annotations

import os
import sys


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
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit=unit, disable=quiet(), leave=False)


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
