"""Progress bars on a terminal, silence in CI logs and pipes."""

from __future__ import annotations

import os
import sys


def quiet() -> bool:
    """True in CI logs and pipes: no progress bars there."""
    return not sys.stderr.isatty() or bool(os.environ.get("CI"))


def progress(total: int, desc: str, unit: str = "it"):
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit=unit, disable=quiet(), leave=False)


def log(message: str) -> None:
    """Stage messages go to stderr so that stdout stays for results (JSON lines of eval and bench)."""
    print(message, file=sys.stderr, flush=True)


def quiet_transformers() -> None:
    """transformers 5 draws its own bars when loading and saving weights; keep CI logs and pipes clean."""
    if quiet():
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
