"""What users say about their documents (outlet, date, title, ...): ``--meta FILE KEY=VALUE...`` on the
command line or a manifest TSV (``--manifest``, the format of ``corpus/manifest.tsv``). Values are checked
here, once, so a typo in a date is refused by name instead of reaching the report."""

from __future__ import annotations

import re

from pipeline.errors import PipelineError

# Keys a document may carry; ``encoding`` is how to read the file, the rest describe it.
META_KEYS = ("outlet", "date", "title", "role", "description", "encoding")
_DATE_RE = re.compile(r"\d{4}(?:-(0[1-9]|1[0-2])(?:-(0[1-9]|[12]\d|3[01]))?)?")


def check_meta(meta: dict, where) -> dict:
    """``meta`` with empty values left out; PipelineError naming ``where`` for an unknown key or a date
    that is not YYYY, YYYY-MM or YYYY-MM-DD."""
    unknown = [k for k in meta if k not in META_KEYS]
    if unknown:
        raise PipelineError(where, f"unknown document field(s) {', '.join(unknown)} (expected {', '.join(META_KEYS)})")
    date = meta.get("date")
    if date and not _DATE_RE.fullmatch(date):
        raise PipelineError(where, f"date {date!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    return {k: v for k, v in meta.items() if v not in (None, "")}


def parse_meta_args(groups: list[list[str]]) -> dict[str, dict]:
    """``--meta FILE KEY=VALUE...`` groups → {FILE: {KEY: VALUE}} (FILE may also be a document id)."""
    result: dict[str, dict] = {}
    for group in groups or []:
        target, pairs = group[0], group[1:]
        if not pairs:
            raise PipelineError(None, f"--meta {target}: give KEY=VALUE pairs after the file (e.g. date=2018-05)")
        fields = {}
        for pair in pairs:
            key, sep, value = pair.partition("=")
            if not sep:
                raise PipelineError(None, f"--meta {target}: {pair!r} is not KEY=VALUE")
            fields[key.strip()] = value.strip()
        result.setdefault(target, {}).update(check_meta(fields, f"--meta {target}"))
    return result
