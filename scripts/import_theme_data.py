"""Write ``data/themes``' STS-2017 and newsframing TSVs from the source files (see ``data/themes/PROVENANCE.md``).

    python scripts/import_theme_data.py --sts-input STS.input.track2.ar-en.txt --sts-gold STS.gs.track2.ar-en.txt \
        --arabic arabic_dev.csv --english english.csv --out data/themes

Changes made to the sources: STS keeps each pair's English, Arabic and gold score, with its 1-based line number
as id; newsframing keeps each headline's text (stripped), id and frames (``Q3 Theme1``/``theme1`` plus
``Q3 Theme2``/``theme2`` unless 99, "none"), drops the 3 English headlines whose exact text came earlier.
Each file gets a ``half`` column: a seeded shuffle, the first half ``tune`` (per language for newsframing).
"""

from __future__ import annotations

import argparse
import csv
import random
from pathlib import Path

from pipeline.evaluation.theme_gold import NEWSFRAMING_FILE, STS_FILE
from pipeline.fileio import atomic_write_text

SEED = 2017


def halves(count: int, seed: int) -> list[str]:
    """``tune`` or ``test`` for each of ``count`` items: a seeded shuffle, the first half ``tune``."""
    order = list(range(count))
    random.Random(seed).shuffle(order)
    tune = set(order[: count // 2])
    return ["tune" if i in tune else "test" for i in range(count)]


def clean(text: str) -> str:
    text = " ".join(text.split())  # no tab or newline can reach the TSV
    if not text:
        raise ValueError("empty text")
    return text


def sts_rows(input_path: Path, gold_path: Path) -> list[str]:
    pairs = [line.rstrip("\n").split("\t") for line in input_path.read_text(encoding="utf-8").splitlines()]
    scores = [float(line) for line in gold_path.read_text(encoding="utf-8").split()]
    if len(pairs) != len(scores):
        raise ValueError(f"{len(pairs)} pairs but {len(scores)} scores")
    rows = []
    for n, (fields, score, half) in enumerate(zip(pairs, scores, halves(len(pairs), SEED), strict=True), 1):
        en, ar = fields[0], fields[1]  # this copy: English first, Arabic second (a third field repeats the score)
        rows.append(f"{n}\t{half}\t{score:g}\t{clean(ar)}\t{clean(en)}\n")
    return ["id\thalf\tscore\tar\ten\n", *rows]


def frames(first: str, second: str) -> str:
    found = sorted({int(first)} | ({int(second)} if second != "99" else set()))
    if not found or not all(1 <= f <= 9 for f in found):
        raise ValueError(f"frames {first}, {second}")
    return ",".join(map(str, found))


def newsframing_rows(arabic: Path, english: Path) -> list[str]:
    with arabic.open(encoding="utf-8", newline="") as handle:
        ar = [
            (f"ar-{k}", clean(r["text_a"]), frames(r["theme1"], r["theme2"]))
            for k, r in enumerate(csv.DictReader(handle))
        ]
    with english.open(encoding="utf-8", newline="") as handle:
        en, seen = [], set()
        for r in csv.DictReader(handle):
            text = clean(r["news_title"])
            if text not in seen:  # three titles occur twice, with the same frames
                seen.add(text)
                en.append((f"en-{r['ID']}", text, frames(r["Q3 Theme1"], r["Q3 Theme2"])))
    rows = ["id\tlang\thalf\tframes\ttext\n"]
    for lang, headlines, seed in (("ar", ar, SEED), ("en", en, SEED + 1)):
        for (hid, text, found), half in zip(headlines, halves(len(headlines), seed), strict=True):
            rows.append(f"{hid}\t{lang}\t{half}\t{found}\t{text}\n")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    for name in ("--sts-input", "--sts-gold", "--arabic", "--english"):
        parser.add_argument(name, type=Path, required=True)
    parser.add_argument("--out", type=Path, default=Path("data/themes"))
    args = parser.parse_args()
    atomic_write_text(args.out / STS_FILE, "".join(sts_rows(args.sts_input, args.sts_gold)))
    atomic_write_text(args.out / NEWSFRAMING_FILE, "".join(newsframing_rows(args.arabic, args.english)))


if __name__ == "__main__":
    main()
