"""Peak resident memory of this process, for the benchmarks' ``peak_rss_mb`` figures."""

from __future__ import annotations

import resource
import sys
from pathlib import Path


def peak_rss_mb() -> float:
    """This process's peak resident memory. On Linux, VmHWM of this process's own address space:
    getrusage's ru_maxrss survives exec, so a worker would report its parent's peak whenever that was
    larger (after the parent built the model, every worker showed the same 984 MB)."""
    status = Path("/proc/self/status")
    if status.is_file():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)  # kB
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024, 1)  # bytes on macOS, KiB elsewhere


def reset_peak_rss() -> bool:
    """Start :func:`peak_rss_mb` again from the memory resident now (Linux: ``5`` written to
    ``/proc/self/clear_refs``), so that one step's peak is not an earlier step's. False where the
    system cannot: the peak is then the process's so far."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True
