"""``python -m pipeline eval split``: sentence splitters measured on FLORES-200 devtest articles.

Each article's lines are joined with spaces and split again; a boundary is right when it falls where
two lines meet. FLORES lines are mostly single sentences but not always (a quotation of two sentences
is one line), so a splitter that finds a real boundary inside a line is charged a false positive here:
precision is a floor, recall is the telling figure. The project's own rules are always measured;
pysbd and sentencex are measured when they can be imported (they are not dependencies of the project).
Returns data; the CLI prints it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

from pipeline.evaluation.gold import flores_articles
from pipeline.text.sentences import split_sentences

Splitter = Callable[[str, str], list[tuple[int, int]]]


def _spans(text: str, pieces) -> list[tuple[int, int]]:
    """Character spans of ``pieces`` (strings cut from ``text``, in order)."""
    spans, pos = [], 0
    for piece in pieces:
        piece = piece.strip()
        if not piece:
            continue
        start = text.find(piece, pos)
        start = pos if start < 0 else start
        spans.append((start, start + len(piece)))
        pos = start + len(piece)
    return spans


def available_splitters() -> dict[str, Splitter]:
    splitters: dict[str, Splitter] = {"project rules": lambda text, lang: split_sentences(text)}
    try:
        pysbd = importlib.import_module("pysbd")
        segmenters = {lang: pysbd.Segmenter(language=lang, clean=False) for lang in ("ar", "en")}
        splitters["pysbd"] = lambda text, lang: _spans(text, segmenters[lang].segment(text))
    except ImportError:
        pass
    try:
        sentencex = importlib.import_module("sentencex")
        splitters["sentencex"] = lambda text, lang: _spans(text, sentencex.segment(lang, text))
    except ImportError:
        pass
    return splitters


def measure(data: Path, splitters: dict[str, Splitter] | None = None) -> list[dict]:
    """Boundary precision, recall, F1 and articles split exactly as the lines, per splitter and language."""
    articles = flores_articles(Path(data))
    rows = []
    for lang in ("ar", "en"):
        for name, split in (splitters or available_splitters()).items():
            right = wrong = missed = exact = 0
            for article in articles:
                text = " ".join(article[lang])
                gold, pos = set(), 0
                for line in article[lang][:-1]:
                    pos += len(line)
                    gold.add(pos)
                    pos += 1
                found = {end for _, end in split(text, lang)[:-1]}
                right += len(found & gold)
                wrong += len(found - gold)
                missed += len(gold - found)
                exact += found == gold
            p, r = right / max(right + wrong, 1), right / max(right + missed, 1)
            rows.append(
                {
                    "lang": lang,
                    "splitter": name,
                    "precision": round(p, 4),
                    "recall": round(r, 4),
                    "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0,
                    "articles_exact": exact,
                    "articles": len(articles),
                }
            )
    return rows


def format_table(rows: list[dict]) -> str:
    lines = ["| language | splitter | boundary P | R | F1 | articles split as the lines |", "|---|---|---|---|---|---|"]
    lines += [
        f"| {r['lang']} | {r['splitter']} | {r['precision']:.4f} | {r['recall']:.4f} | {r['f1']:.4f} | "
        f"{r['articles_exact']}/{r['articles']} |"
        for r in rows
    ]
    return "\n".join(lines)
