"""The export interface: a format is a function from a run's result to file name → bytes, registered
under its name. Adding a format is one registered function; the format list in errors and ``--help``
comes from the registry."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from pipeline.errors import PipelineError
from pipeline.records import RunResult

Exporter = Callable[[RunResult], dict[str, bytes]]

_EXPORTERS: dict[str, Exporter] = {}
_FILES: dict[str, tuple[str, ...]] = {}  # format → every file it may write
# Written by every run after the other files (it records their hashes), never chosen with --formats.
MANIFEST = "manifest"


def register(name: str, files: tuple[str, ...] = ()) -> Callable[[Exporter], Exporter]:
    """Register ``name``; ``files`` names every file it may write, so that a re-export removes those
    it no longer writes (``parallel.mt`` after a run without MT, ``parallel.index`` outside parallel mode)."""

    def add(exporter: Exporter) -> Exporter:
        if name in _EXPORTERS:
            raise ValueError(f"export format {name!r} registered twice")
        _EXPORTERS[name] = exporter
        _FILES[name] = tuple(files)
        return exporter

    return add


def format_names() -> tuple[str, ...]:
    """The formats a user can choose, in registration order."""
    return tuple(name for name in _EXPORTERS if name != MANIFEST)


def possible_files(formats: Iterable[str]) -> set[str]:
    """Every file ``formats`` may write, whether or not a given result needs each one."""
    return {name for fmt in formats for name in _FILES.get(fmt, ())}


def formats_present(folder) -> tuple[str, ...]:
    """The user-chosen formats with at least one file in ``folder``."""
    from pathlib import Path

    return tuple(fmt for fmt in format_names() if any((Path(folder) / f).exists() for f in _FILES[fmt]))


def check_formats(formats: Iterable[str]) -> tuple[str, ...]:
    """``formats`` as a tuple; raises PipelineError for an empty list or an unknown name."""
    formats = tuple(formats)
    unknown = [f for f in formats if f not in _EXPORTERS or f == MANIFEST]
    if unknown or not formats:
        raise PipelineError(
            None, f"unknown format(s) {', '.join(unknown) or '(none)'}: choose from {', '.join(format_names())}"
        )
    return formats


def render(result: RunResult, formats: Iterable[str]) -> dict[str, bytes]:
    """Every file of ``formats`` (``manifest`` included when asked for), name → bytes."""
    from pipeline.progress import progress

    names = list(formats)
    files: dict[str, bytes] = {}
    with progress(len(names), "export", unit="format") as bar:
        for name in names:
            if name not in _EXPORTERS:
                check_formats([name])
            bar.set_postfix_str(name)
            files.update(_EXPORTERS[name](result))
            bar.update()
    return files
