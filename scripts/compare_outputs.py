"""Compare two output folders: every file byte for byte, except manifest.json, where fields that measure the
machine or the moment (timings, translation seconds) are left out. Exit 0 when they match, 1 otherwise.

    python scripts/compare_outputs.py REFERENCE_DIR NEW_DIR

Used to show that a refactoring keeps the corpus and eval outputs byte-identical (issue 14).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

# Manifest fields that differ from run to run or machine to machine, never with the code's behaviour.
VOLATILE = {("timings",), ("translation", "seconds"), ("libraries", "python")}


def _strip(value, path=()):
    if isinstance(value, dict):
        return {k: _strip(v, path + (k,)) for k, v in value.items() if path + (k,) not in VOLATILE}
    if isinstance(value, list):
        return [_strip(v, path) for v in value]
    return value


def differences(ref: Path, new: Path) -> list[str]:
    """One line per difference between folders ``ref`` and ``new`` (empty when they match)."""
    ref_files = {p.relative_to(ref) for p in ref.rglob("*") if p.is_file()}
    new_files = {p.relative_to(new) for p in new.rglob("*") if p.is_file()}
    found = [f"only in {ref}: {p}" for p in sorted(ref_files - new_files)]
    found += [f"only in {new}: {p}" for p in sorted(new_files - ref_files)]
    for rel in sorted(ref_files & new_files):
        a, b = (ref / rel).read_bytes(), (new / rel).read_bytes()
        if rel.name == "manifest.json":
            if _strip(json.loads(a)) != _strip(json.loads(b)):
                found.append(f"differs (beyond timings): {rel}")
        elif a != b:
            found.append(f"differs: {rel}")
    return found


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    found = differences(Path(argv[0]), Path(argv[1]))
    for line in found:
        print(line)
    n = sum(1 for p in Path(argv[0]).rglob("*") if p.is_file())
    print(f"{'DIFFERENT' if found else 'identical'}: {n} files in {argv[0]} vs {argv[1]}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
