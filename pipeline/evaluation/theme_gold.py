"""Held-out gold for ``theme`` links: paragraphs of different stories on the same specific subject.

Three sources, all in ``data/themes/`` (provenance and licences in its ``PROVENANCE.md``; what a theme is, in
its ``GUIDE.md``), each split in a ``tune`` and a ``test`` half:

- STS-2017 track 2 (Arabic–English): 250 sentence pairs with graded similarity 0–5 (1: same topic, 2: share
  some details); a seeded half each.
- newsframing: native Arabic and English news headlines on U.S. gun violence, each with one or more of 9
  frames; a theme pair is an Arabic and an English headline of the same half that share a frame.
- FLORES theme runs: the product's shape, labelled by reading. Each run is about 6 Arabic paragraphs
  (FLORES-200 devtest articles, sentences joined) against about 8 English documents of one paragraph (other
  articles of the same half of ``gold.article_halves``), every pair labelled ``theme``, ``topic`` or
  ``none``; only ``theme`` is a link (``topic`` and ``none`` are recorded negatives). Articles are keyed by
  the number of their first line in the devtest files (1-based). ``build-gold`` writes the runs with
  ``gold.write_gold_set`` into ``theme-runs-{tune,test}/``, with the real opus-mt-ar-en output of each
  Arabic paragraph in ``NAME.mt.tsv``. ``metrics.evaluate_alignment`` treats only ``same-topic`` as a
  negative, so the runs' ``topic`` and ``none`` rows must be dropped before scoring them with it.
"""

from __future__ import annotations

import csv
from pathlib import Path

from pipeline.config import THEMES
from pipeline.errors import PipelineError
from pipeline.evaluation.gold import GoldSet, article_halves, flores_articles

HALVES = ("tune", "test")
STS_FILE = "sts17_track2_ar_en.tsv"
NEWSFRAMING_FILE = "newsframing_ar_en.tsv"
RUNS_FILE = "flores_theme_runs.tsv"
LABELS_FILE = "flores_theme_labels.tsv"
LABELS = ("theme", "topic", "none")
# The split the runs were drawn from: build-gold's default seed (another seed splits the articles otherwise).
RUNS_SEED = 13


def _rows(path: Path, columns: set[str]) -> list[dict[str, str]]:
    if not path.is_file():
        raise PipelineError(path, "no such file (theme gold lives in data/themes/)")
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    if not rows or not columns <= set(rows[0]):
        raise PipelineError(path, f"needs the columns {', '.join(sorted(columns))}")
    return rows


def _check_half(half: str) -> None:
    if half not in HALVES:
        raise ValueError(f"half must be one of {HALVES}, not {half!r}")


def sts_pairs(half: str, themes: Path = THEMES) -> list[tuple[str, str, float]]:
    """STS-2017 track 2 pairs of ``half``: ``(arabic, english, score 0–5)`` in file order. Raises
    ValueError for an unknown half, PipelineError when the file is missing or malformed."""
    _check_half(half)
    rows = _rows(Path(themes) / STS_FILE, {"id", "half", "score", "ar", "en"})
    return [(r["ar"], r["en"], float(r["score"])) for r in rows if r["half"] == half]


def newsframing_headlines(half: str, themes: Path = THEMES) -> list[dict]:
    """Headlines of ``half``: dicts with ``id``, ``lang`` (ar / en), ``text`` and ``frames`` (a frozenset of
    frame numbers 1–9). Raises as :func:`sts_pairs`."""
    _check_half(half)
    rows = _rows(Path(themes) / NEWSFRAMING_FILE, {"id", "lang", "half", "frames", "text"})
    return [
        {"id": r["id"], "lang": r["lang"], "text": r["text"], "frames": frozenset(map(int, r["frames"].split(",")))}
        for r in rows
        if r["half"] == half
    ]


def newsframing_pairs(half: str, themes: Path = THEMES) -> list[tuple[str, str, bool]]:
    """Every Arabic × English headline pair of ``half``: ``(ar id, en id, share a frame)``, Arabic in file
    order, then English in file order. Raises as :func:`sts_pairs`."""
    headlines = newsframing_headlines(half, themes)
    ar = [h for h in headlines if h["lang"] == "ar"]
    en = [h for h in headlines if h["lang"] == "en"]
    return [(a["id"], e["id"], bool(a["frames"] & e["frames"])) for a in ar for e in en]


def article_lines(articles: list[dict]) -> list[int]:
    """The devtest line number (1-based) of each article's first sentence: the articles' stable key."""
    lines, line = [], 1
    for article in articles:
        lines.append(line)
        line += len(article["en"])
    return lines


def theme_runs(themes: Path = THEMES) -> dict[str, dict]:
    """The runs of ``flores_theme_runs.tsv``: run name → ``{"half", "ar": [line, …], "en": [line, …],
    "url": {line: url}}``, sides in position order. Raises PipelineError when the file is missing or
    malformed."""
    path = Path(themes) / RUNS_FILE
    runs: dict[str, dict] = {}
    for r in _rows(path, {"run", "side", "position", "line", "url"}):
        half = r["run"].split("-")[1]
        if half not in HALVES or r["side"] not in ("ar", "en"):
            raise PipelineError(path, f"bad row {r}")
        run = runs.setdefault(r["run"], {"half": half, "ar": [], "en": [], "url": {}})
        run[r["side"]].append((int(r["position"]), int(r["line"])))
        run["url"][int(r["line"])] = r["url"]
    for run in runs.values():
        run["ar"] = [line for _, line in sorted(run["ar"])]
        run["en"] = [line for _, line in sorted(run["en"])]
    return runs


def theme_labels(themes: Path = THEMES) -> dict[frozenset[int], tuple[str, str]]:
    """Labels of ``flores_theme_labels.tsv``: the two articles' lines (unordered: a label does not depend on
    which side is Arabic) → ``(label, why)``. Raises PipelineError for a missing or malformed file, an
    unknown label, a ``theme`` without ``why`` or a pair labelled twice."""
    path = Path(themes) / LABELS_FILE
    labels: dict[frozenset[int], tuple[str, str]] = {}
    for r in _rows(path, {"ar_line", "en_line", "label", "why"}):
        key = frozenset((int(r["ar_line"]), int(r["en_line"])))
        if r["label"] not in LABELS or (r["label"] == "theme") != bool(r["why"].strip()) or len(key) != 2:
            raise PipelineError(path, f"bad row {r} (labels {', '.join(LABELS)}; a why for each theme only)")
        if key in labels:
            raise PipelineError(path, f"pair labelled twice: {sorted(key)}")
        labels[key] = (r["label"], r["why"].strip())
    return labels


def flores_theme_sets(data: Path, themes: Path = THEMES) -> list[GoldSet]:
    """Every FLORES theme run as a gold set (folder ``theme-runs-{half}``; Arabic units are the Arabic-side
    articles, one English document per English-side article, ``mt`` the opus-mt-ar-en output). Raises
    PipelineError for a missing file, a run whose article is not where its URL says, an article outside its
    run's half or a pair without a label."""
    articles = flores_articles(Path(data))
    at_line = dict(zip(article_lines(articles), range(len(articles)), strict=True))
    halves = {half: set(members) for half, members in article_halves(len(articles), RUNS_SEED).items()}
    labels = theme_labels(themes)
    sets = []
    for name, run in sorted(theme_runs(themes).items()):
        for line, url in run["url"].items():
            k = at_line.get(line)
            if k is None or articles[k]["url"] != url or k not in halves[run["half"]]:
                raise PipelineError(
                    Path(themes) / RUNS_FILE, f"{name}: line {line} is not {url} of the {run['half']} half"
                )
        ar = [articles[at_line[line]] for line in run["ar"]]
        en = [articles[at_line[line]] for line in run["en"]]
        links = []
        for i, a in enumerate(run["ar"]):
            for j, e in enumerate(run["en"]):
                label = labels.get(frozenset((a, e)))
                if label is None:
                    raise PipelineError(Path(themes) / LABELS_FILE, f"{name}: pair {a}, {e} has no label")
                links.append((i, j, label[0]))
        sets.append(
            GoldSet(
                name,
                [" ".join(x["ar"]) for x in ar],
                [" ".join(x["en"]) for x in en],
                links,
                mt=[" ".join(x["mt"]) for x in ar],
                en_docs=list(range(len(en))),
                folder=f"theme-runs-{run['half']}",
            )
        )
    return sets
