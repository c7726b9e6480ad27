"""Write ``pipeline/themes/data/wordnet_pos.tsv.gz``: each one-word English lemma of WordNet 3.0 (and each
irregular form of its exception lists) with the parts of speech it has (``n``, ``v``, ``a``, ``r``), the
data behind :mod:`pipeline.themes.pos`.

Reads the WordNet index files of Debian's ``wordnet-base`` (``/usr/share/wordnet``; another folder with
``--wordnet``). WordNet 3.0 licence (permissive; notice in ``pipeline/themes/data/WORDNET-LICENSE``).
Usage: ``python scripts/build_wordnet_pos.py [--wordnet DIR]``; the output is deterministic.
"""

from __future__ import annotations

import argparse
import gzip
from pathlib import Path

POS = {"noun": "n", "verb": "v", "adj": "a", "adv": "r"}
OUT = Path(__file__).resolve().parent.parent / "pipeline" / "themes" / "data" / "wordnet_pos.tsv.gz"


def lemma_pos(wordnet: Path) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for name, tag in POS.items():
        for line in (wordnet / f"index.{name}").read_text(encoding="latin-1").splitlines():
            if line.startswith(" "):
                continue  # the licence header
            lemma = line.split(" ", 1)[0]
            if lemma.isalpha() and lemma.isascii():
                found.setdefault(lemma.lower(), set()).add(tag)
        # Irregular forms (took → take, men → man): the form has the part of speech of its exception list.
        for line in (wordnet / f"{name}.exc").read_text(encoding="latin-1").splitlines():
            form = line.split(" ", 1)[0]
            if form.isalpha() and form.isascii():
                found.setdefault(form.lower(), set()).add(tag)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wordnet", type=Path, default=Path("/usr/share/wordnet"))
    args = parser.parse_args()
    rows = [f"{lemma}\t{''.join(sorted(tags))}\n" for lemma, tags in sorted(lemma_pos(args.wordnet).items())]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with gzip.GzipFile(OUT, "wb", mtime=0) as handle:  # mtime 0: the same bytes on every machine
        handle.write("".join(rows).encode())
    print(f"{len(rows)} lemmas → {OUT}")


if __name__ == "__main__":
    main()
