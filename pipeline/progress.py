"""Progress bars on a terminal, silence in CI logs and pipes."""
from __future__ import annotations

import os
import sys


def progress(total: int, desc: str, unit: str = "it"):
    from tqdm import tqdm

    quiet = not sys.stderr.isatty() or bool(os.environ.get("CI"))
    return tqdm(total=total, desc=desc, unit=unit, disable=quiet, leave=False)


def log(message: str) -> None:
    """Stage messages go to stderr so that stdout stays for results (JSON lines of eval and bench)."""
    print(message, file=sys.stderr, flush=True)
