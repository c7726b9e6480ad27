"""Build ``pipeline/ingest/arabic_word_order.json``: the word-class bigram counts that tell Arabic in reading
order from Arabic whose words come out of a PDF in visual order (``pipeline.ingest.word_order``).

Counted on the Arabic of FLORES-200 devtest's *tune* half (the articles ``build-gold`` puts in the tune
sets, seed 13), never on the corpus. Classes: the TOP most frequent words as themselves (the function
words: في، من، التي، ...), every other word by its shape (starts with وال, ال, و, ب or ل, or none).
Then it measures the detector on the *test* half, cut into pieces of 5, 10 and 20 sentences, in reading order
and with each piece's words reversed, and prints how many pieces of each it flags.

    PYTHONPATH=$PWD python scripts/word_order_model.py --data ../shared/data \
        [--write pipeline/ingest/arabic_word_order.json]
"""

from __future__ import annotations

import argparse
import collections
import itertools
import json
import random
from pathlib import Path

from pipeline.evaluation.gold import flores_articles
from pipeline.ingest.word_order import arabic_words, word_class

TOP = 50
SEED = 13  # build-gold's: the same tune and test halves


def halves(data: Path) -> tuple[list[dict], list[dict]]:
    articles = flores_articles(data)
    order = list(range(len(articles)))
    random.Random(SEED).shuffle(order)
    tune = sorted(order[: len(order) // 2])
    test = sorted(order[len(order) // 2 :])
    return [articles[i] for i in tune], [articles[i] for i in test]


def count(sentences: list[str]) -> dict:
    frequency = collections.Counter(w for s in sentences for w in arabic_words(s))
    top = sorted(w for w, _ in frequency.most_common(TOP))
    bigrams: collections.Counter = collections.Counter()
    for sentence in sentences:
        classes = [word_class(w, set(top)) for w in arabic_words(sentence)]
        bigrams.update(itertools.pairwise(classes))
    return {
        "source": f"FLORES-200 devtest Arabic, tune half (seed {SEED}): {len(sentences)} sentences",
        "top": top,
        "bigrams": sorted([a, b, n] for (a, b), n in bigrams.items()),
    }


def main() -> None:
    from pipeline.ingest.word_order import WordOrderModel

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--write", type=Path, default=None)
    args = parser.parse_args()
    tune, test = halves(args.data)
    table = count([s for a in tune for s in a["ar"]])
    model = WordOrderModel(table)
    sentences = [s for a in test for s in a["ar"]]
    for size in (5, 10, 20):
        pieces = [" ".join(sentences[k : k + size]) for k in range(0, len(sentences), size)]
        logical = sum(model.reads_reversed([p]) for p in pieces)
        backwards = sum(model.reads_reversed([" ".join(reversed(p.split()))]) for p in pieces)
        counts = f"flagged in reading order {logical}, reversed {backwards}"
        print(f"test half, {size} sentences a piece: {len(pieces)} pieces; {counts}")
    if args.write:
        args.write.write_text(json.dumps(table, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
