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
- FLORES tag runs: every article has 0–3 subject tags read from its English (``flores_article_subjects.tsv``,
  rules in ``TAGGING.md``); two articles of one half are a ``theme`` pair exactly when they share a tag, so
  any pair of a half has a label, not only the first batch's. From the tags, :func:`draw_tag_runs` draws
  ``TAG_RUNS`` runs a half in the same shape (6 Arabic × 10 English articles), each built around Arabic
  articles whose tag partners are put on the English side, so every run holds theme pairs; ``build-gold``
  writes them beside the first batch as ``theme-tags-{half}-NN``.
"""

from __future__ import annotations

import csv
import random
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
SUBJECTS_FILE = "flores_article_subjects.tsv"
MAX_TAGS = 3
# Tag runs: per half, TAG_RUNS runs of TAG_AR Arabic × TAG_EN English articles; each run is built around
# TAG_ANCHORS Arabic articles with up to TAG_PARTNERS English articles sharing a tag with each (so a run holds
# at least TAG_ANCHORS theme pairs by construction; with 3 anchors each half's runs hold every theme pair of the
# half at least once), then filled: up to TAG_NEAR English articles sharing only the anchors' metadata topic
# (near misses), the rest least-used articles of the half.
TAG_RUNS, TAG_AR, TAG_EN = 20, 6, 10
TAG_ANCHORS, TAG_PARTNERS, TAG_NEAR = 3, 3, 3
TAG_SEED = 31


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


def _articles_at(data: Path) -> tuple[list[dict], dict[int, int], dict[str, set[int]]]:
    """FLORES articles, their index by first line, and the halves of ``RUNS_SEED`` (sets of indexes)."""
    articles = flores_articles(Path(data))
    at_line = dict(zip(article_lines(articles), range(len(articles)), strict=True))
    halves = {half: set(members) for half, members in article_halves(len(articles), RUNS_SEED).items()}
    return articles, at_line, halves


def _run_set(name: str, half: str, ar_lines, en_lines, links, articles, at_line) -> GoldSet:
    """One run as a gold set: Arabic units the Arabic-side articles, one English document per English-side
    article, ``mt`` the opus-mt-ar-en output, written to ``theme-runs-{half}``."""
    ar = [articles[at_line[line]] for line in ar_lines]
    en = [articles[at_line[line]] for line in en_lines]
    return GoldSet(
        name,
        [" ".join(x["ar"]) for x in ar],
        [" ".join(x["en"]) for x in en],
        links,
        mt=[" ".join(x["mt"]) for x in ar],
        en_docs=list(range(len(en))),
        folder=f"theme-runs-{half}",
    )


def flores_theme_sets(data: Path, themes: Path = THEMES) -> list[GoldSet]:
    """Every FLORES theme run as a gold set (folder ``theme-runs-{half}``; Arabic units are the Arabic-side
    articles, one English document per English-side article, ``mt`` the opus-mt-ar-en output). Raises
    PipelineError for a missing file, a run whose article is not where its URL says, an article outside its
    run's half or a pair without a label."""
    articles, at_line, halves = _articles_at(data)
    labels = theme_labels(themes)
    sets = []
    for name, run in sorted(theme_runs(themes).items()):
        for line, url in run["url"].items():
            k = at_line.get(line)
            if k is None or articles[k]["url"] != url or k not in halves[run["half"]]:
                raise PipelineError(
                    Path(themes) / RUNS_FILE, f"{name}: line {line} is not {url} of the {run['half']} half"
                )
        links = []
        for i, a in enumerate(run["ar"]):
            for j, e in enumerate(run["en"]):
                label = labels.get(frozenset((a, e)))
                if label is None:
                    raise PipelineError(Path(themes) / LABELS_FILE, f"{name}: pair {a}, {e} has no label")
                links.append((i, j, label[0]))
        sets.append(_run_set(name, run["half"], run["ar"], run["en"], links, articles, at_line))
    return sets


def article_subjects(themes: Path = THEMES) -> dict[int, dict]:
    """The tags of ``flores_article_subjects.tsv``: first line → ``{"url", "half", "subjects": frozenset}``.
    Raises PipelineError for a missing or malformed file, an unknown half, an article listed twice or a tag
    list that is not 0–3 distinct lower-case tags."""
    path = Path(themes) / SUBJECTS_FILE
    subjects: dict[int, dict] = {}
    for r in _rows(path, {"line", "url", "half", "subjects", "note"}):
        tags = [t.strip() for t in r["subjects"].split(";")] if r["subjects"].strip() else []
        line = int(r["line"])
        if r["half"] not in HALVES or len(tags) > MAX_TAGS or len(set(tags)) != len(tags) or line in subjects:
            raise PipelineError(path, f"bad row {r}")
        if any(not t or t != t.lower() for t in tags):
            raise PipelineError(path, f"line {line}: tags are non-empty and lower case, not {r['subjects']!r}")
        subjects[line] = {"url": r["url"], "half": r["half"], "subjects": frozenset(tags)}
    return subjects


def subject_label(subjects: dict[int, dict], a: int, b: int, topic: dict[int, str] | None = None) -> str:
    """The derived label of the article pair ``a``, ``b`` (first lines) of one half: ``theme`` when they share
    a subject tag (TAGGING.md); otherwise ``topic`` when ``topic`` (line → first metadata topic term) gives
    both the same term, else ``none``. Both are negatives: the tags do not tell them apart, the metadata only
    marks near misses. Raises ValueError for one article twice or two halves (pairs across halves are never
    gold: the halves tune and test separately)."""
    if a == b or subjects[a]["half"] != subjects[b]["half"]:
        raise ValueError(f"articles {a} and {b}: two different articles of one half are needed")
    if subjects[a]["subjects"] & subjects[b]["subjects"]:
        return "theme"
    return "topic" if topic is not None and topic[a] == topic[b] else "none"


def _least(pool, count: int, taken: list[int], rank: dict[int, int], key: dict[int, float]) -> list[int]:
    """Up to ``count`` articles of ``pool`` not in ``taken``, lowest ``rank`` first, ties by ``key``."""
    return sorted((m for m in pool if m not in taken), key=lambda m: (rank[m], key[m]))[:count]


def _tag_run(members, partners, subjects, topic, used, anchored, key) -> tuple[list[int], list[int]]:
    """One run's Arabic and English lines (see :func:`draw_tag_runs`); counts the anchors it takes."""
    ar: list[int] = []
    en: list[int] = []
    for anchor in _least([m for m in members if partners[m]], len(members), [], anchored, key):
        if len(ar) == TAG_ANCHORS:
            break
        free = _least(partners[anchor], TAG_PARTNERS, ar + en, used, key)
        if anchor not in ar + en and free:  # not placed already, and some partner still free
            ar.append(anchor)
            anchored[anchor] += 1
            en += free
    near = [
        m
        for m in members
        if any(topic[m] == topic[a] and not subjects[m]["subjects"] & subjects[a]["subjects"] for a in ar)
    ]
    en += _least(near, min(TAG_NEAR, TAG_EN - len(en)), ar + en, used, key)
    en += _least(members, TAG_EN - len(en), ar + en, used, key)
    ar += _least(members, TAG_AR - len(ar), ar + en, used, key)
    return ar, en


def _tag_partners(subjects: dict[int, dict], half: str) -> tuple[list[int], dict[int, list[int]]]:
    """The half's articles (first lines, in order) and, for each, the others of the half sharing a tag."""
    members = sorted(line for line, s in subjects.items() if s["half"] == half)
    partners = {
        line: [m for m in members if m != line and subjects[line]["subjects"] & subjects[m]["subjects"]]
        for line in members
    }
    return members, partners


def draw_tag_runs(subjects: dict[int, dict], topic: dict[int, str], seed: int = TAG_SEED) -> dict[str, dict]:
    """``TAG_RUNS`` runs a half from the tags alone: run name → ``{"half", "ar": [line, …], "en": [line, …]}``.

    Each run takes ``TAG_ANCHORS`` Arabic anchors among the half's articles that share a tag with another
    article of the half (least-anchored first), puts up to ``TAG_PARTNERS`` of each anchor's partners on the
    English side, then up to ``TAG_NEAR`` English articles with an anchor's metadata topic but no tag of it,
    then fills both sides with the half's least-used articles. Ties are broken by a seeded random key drawn
    afresh for each run, so the runs are a fixed function of the tags, the topics and ``seed``. The two
    sides of a run never share an article."""
    rng = random.Random(seed)
    runs: dict[str, dict] = {}
    for half in HALVES:
        members, partners = _tag_partners(subjects, half)
        used = dict.fromkeys(members, 0)
        anchored = dict.fromkeys(members, 0)
        for number in range(1, TAG_RUNS + 1):
            key = {line: rng.random() for line in members}
            ar, en = _tag_run(members, partners, subjects, topic, used, anchored, key)
            for line in ar + en:
                used[line] += 1
            runs[f"theme-tags-{half}-{number:02d}"] = {"half": half, "ar": ar, "en": en}
    return runs


def _checked_subjects(articles: list[dict], halves: dict[str, set[int]], themes: Path) -> dict[int, dict]:
    """The tags, checked to cover every article once, under its URL and in its half of ``RUNS_SEED``."""
    subjects = article_subjects(themes)
    lines = article_lines(articles)
    if set(subjects) != set(lines):
        raise PipelineError(Path(themes) / SUBJECTS_FILE, "must list every FLORES devtest article by its first line")
    for k, line in enumerate(lines):
        half = "tune" if k in halves["tune"] else "test"
        if subjects[line]["url"] != articles[k]["url"] or subjects[line]["half"] != half:
            raise PipelineError(Path(themes) / SUBJECTS_FILE, f"line {line} is not {articles[k]['url']} of {half}")
    return subjects


def first_topics(articles: list[dict]) -> dict[int, str]:
    """First line → the article's first metadata topic term ("travel", "politics"): gold.py's same-topic."""
    return {line: a["topic"].split(",")[0].strip() for line, a in zip(article_lines(articles), articles, strict=True)}


def flores_tag_sets(data: Path, themes: Path = THEMES, seed: int = TAG_SEED) -> list[GoldSet]:
    """The tag runs of :func:`draw_tag_runs` as gold sets (``theme-tags-{half}-NN`` in ``theme-runs-{half}``),
    every pair labelled by :func:`subject_label`. Raises PipelineError for a missing or malformed tags file
    or one that does not list every article in its half."""
    articles, at_line, halves = _articles_at(data)
    subjects = _checked_subjects(articles, halves, themes)
    topic = first_topics(articles)
    sets = []
    for name, run in draw_tag_runs(subjects, topic, seed).items():
        links = [
            (i, j, subject_label(subjects, a, e, topic))
            for i, a in enumerate(run["ar"])
            for j, e in enumerate(run["en"])
        ]
        sets.append(_run_set(name, run["half"], run["ar"], run["en"], links, articles, at_line))
    return sets


COMPOSITE_SEED = 47
COMPOSITE_RUNS = 16  # a half
COMPOSITE_AR = 5  # Arabic paragraphs a run, each one anchor article with COMPOSITE_FILLERS others
COMPOSITE_FILLERS = 2
COMPOSITE_EN = 10  # English documents a run, one article each


def draw_composite_runs(subjects: dict[int, dict], seed: int = COMPOSITE_SEED) -> dict[str, dict]:
    """Runs in the statement's shape, from the tags alone: run name → ``{"half", "ar": [[line, …], …],
    "en": [line, …]}``. A statement paragraph takes up several points, so each Arabic paragraph is made of
    ``1 + COMPOSITE_FILLERS`` articles of the half (their sentences in a seeded order of articles): one anchor
    that shares a tag with another article of the half (least-anchored first), and fillers (least-used first);
    the English side is one article a document: a tag partner of each anchor, then the least-used articles.
    No article is on both sides of a run (different stories only). The rule was fixed before any run was
    scored; ties are broken by a seeded random key drawn afresh for each run."""
    rng = random.Random(seed)
    runs: dict[str, dict] = {}
    for half in HALVES:
        members, partners = _tag_partners(subjects, half)
        anchors = [m for m in members if partners[m]]
        used = dict.fromkeys(members, 0)
        anchored = dict.fromkeys(members, 0)
        for number in range(1, COMPOSITE_RUNS + 1):
            key = {line: rng.random() for line in members}
            chosen = sorted(anchors, key=lambda m: (anchored[m], key[m]))[:COMPOSITE_AR]
            en: list[int] = []
            for anchor in chosen:
                anchored[anchor] += 1
                pool = [p for p in partners[anchor] if p not in chosen and p not in en]
                en += sorted(pool, key=lambda m: (used[m], key[m]))[:1]
            taken = set(chosen) | set(en)
            en += _least([m for m in members if m not in taken], COMPOSITE_EN - len(en), en, used, key)
            taken |= set(en)
            ar = []
            for anchor in chosen:
                fillers = _least([m for m in members if m not in taken], COMPOSITE_FILLERS, [], used, key)
                taken |= set(fillers)
                paragraph = [anchor, *fillers]
                rng.shuffle(paragraph)
                ar.append(paragraph)
            for line in [m for p in ar for m in p] + en:
                used[line] += 1
            runs[f"theme-composite-{half}-{number:02d}"] = {"half": half, "ar": ar, "en": en}
    return runs


def flores_composite_sets(data: Path, themes: Path = THEMES, seed: int = COMPOSITE_SEED) -> list[GoldSet]:
    """The runs of :func:`draw_composite_runs` as gold sets in ``theme-runs-{half}``: a pair is ``theme``
    when one of the Arabic paragraph's articles shares a tag with the English article (:func:`subject_label`),
    ``topic`` when one shares its first metadata topic term, else ``none``. Raises as :func:`flores_tag_sets`."""
    articles, at_line, halves = _articles_at(data)
    subjects = _checked_subjects(articles, halves, themes)
    topic = first_topics(articles)
    order = {"theme": 0, "topic": 1, "none": 2}
    sets = []
    for name, run in draw_composite_runs(subjects, seed).items():
        links = [
            (i, j, min((subject_label(subjects, a, e, topic) for a in paragraph), key=order.__getitem__))
            for i, paragraph in enumerate(run["ar"])
            for j, e in enumerate(run["en"])
        ]
        ar = [[articles[at_line[line]] for line in paragraph] for paragraph in run["ar"]]
        en = [articles[at_line[line]] for line in run["en"]]
        sets.append(
            GoldSet(
                name,
                [" ".join(s for a in paragraph for s in a["ar"]) for paragraph in ar],
                [" ".join(x["en"]) for x in en],
                links,
                mt=[" ".join(s for a in paragraph for s in a["mt"]) for paragraph in ar],
                en_docs=list(range(len(en))),
                folder=f"theme-runs-{run['half']}",
            )
        )
    return sets
