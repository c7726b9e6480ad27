"""Is the machine busy? Timings taken while other processes compete for the cores are slower and noisier
than on an idle machine; the benchmarks say so instead of printing them as if they were clean."""

from __future__ import annotations

import os

# Load above this share of the cores before a benchmark starts means others are using them (the benchmark
# itself then adds its own load on top).
BUSY_SHARE = 0.5


def machine_load() -> dict:
    """The 1-minute load average and the number of cores (load None where the OS has no load average)."""
    try:
        load = round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):
        load = None
    return {"load_1min": load, "cores": os.cpu_count() or 1}


def load_warning(load: dict) -> str | None:
    """A warning when ``load`` (from :func:`machine_load`) would distort timings, else None."""
    if load["load_1min"] is None or load["load_1min"] <= BUSY_SHARE * load["cores"]:
        return None
    return (
        f"WARNING: machine load {load['load_1min']:.1f} on {load['cores']} cores: other processes compete for "
        "the CPU, so these timings are slower and noisier than on an idle machine"
    )
