"""Draw the FLORES theme runs' articles (``data/themes/flores_theme_runs.tsv``) from metadata alone.

Each run mixes two coarse subject groups, read from each article's FLORES metadata (domain and topic
strings, first matching keyword below), so that a run is likely to hold some pairs on one specific subject;
no text is read and nothing is scored. Within each half of ``gold.article_halves`` (tune / test), a run takes
3 Arabic-side and 4 English-side articles from each of its two groups, least-used articles first (ties
broken by a seeded shuffle), so the runs spread over the half; a group short of articles is topped up from
the other group, then from the rest of the half. Arabic and English sides of a run never share an article.

    python scripts/draw_theme_runs.py --data ../shared/data --out data/themes/flores_theme_runs.tsv

Written once, before labelling; the labels are keyed to its output, so drawing again with other rules
makes runs the labels do not cover.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

from pipeline.evaluation.gold import article_halves, flores_articles
from pipeline.evaluation.theme_gold import article_lines
from pipeline.fileio import atomic_write_text

# (keyword in the metadata topic, group); the first keyword found wins.
GROUP_KEYWORDS = [
    ("sport", "sports"), ("horse riding", "sports"), ("sailing", "transport"),
    ("health", "health"), ("disease", "health"), ("first aid", "health"), ("parasitic", "health"),
    ("insects", "health"), ("yoga", "health"),
    ("disaster", "disasters"), ("accident", "disasters"), ("weather", "disasters"), ("climate", "disasters"),
    ("environment", "disasters"), ("safety", "disasters"),
    ("crime", "crime"), ("law", "crime"),
    ("polit", "politics"), ("international", "politics"), ("internatoinal", "politics"), ("policy", "politics"),
    ("war", "politics"), ("revolution", "politics"), ("charters_of_freedom", "politics"),
    ("big cats", "animals"), ("dinosaur", "animals"), ("goats", "animals"), ("bugs", "animals"),
    ("wildlife", "animals"), ("animal", "animals"), ("biology", "animals"), ("paleoanthropology", "animals"),
    ("transport", "transport"), ("rail", "transport"), ("driving", "transport"), ("highway", "transport"),
    ("technology", "science"), ("scien", "science"), ("sciece", "science"), ("research", "science"),
    ("astronomy", "science"), ("solar_system", "science"), ("elements", "science"), ("how things work", "science"),
    ("how_things_work", "science"), ("nature", "disasters"),
    ("entertainment", "culture"), ("music", "culture"), ("media", "culture"), ("religion", "culture"),
    ("culture", "culture"), ("photography", "culture"), ("costume", "culture"), ("art", "culture"),
    ("food", "culture"), ("cuisine", "culture"), ("language", "culture"),
    ("learning", "society"), ("education", "society"), ("managing", "society"), ("sociology", "society"),
    ("communication", "society"), ("psycolog", "society"), ("lucid", "society"), ("business", "society"),
    ("history", "history"), ("civilization", "history"), ("templars", "history"), ("islam", "history"),
    ("china", "history"), ("geography", "places"), ("heritage", "places"), ("europe", "places"),
    ("south_america", "places"),
]  # fmt: skip
# The two groups of each run, the same twelve in both halves.
RUN_GROUPS = [
    ("disasters", "health"), ("disasters", "travel"), ("science", "animals"), ("science", "disasters"),
    ("politics", "crime"), ("politics", "history"), ("sports", "travel"), ("sports", "health"),
    ("culture", "society"), ("culture", "travel"), ("travel", "places"), ("science", "society"),
]  # fmt: skip
AR_PER_GROUP, EN_PER_GROUP = 3, 4
SEED = 29


def subject_group(domain: str, topic: str) -> str:
    topic = topic.lower()
    for keyword, group in GROUP_KEYWORDS:
        if keyword in topic:
            return group
    return "travel" if domain == "wikivoyage" else "other"


def draw(data: Path, seed: int = SEED) -> list[tuple[str, str, int, int, str]]:
    """Rows ``(run, side, position, first FLORES line, url)`` of every run of both halves."""
    articles = flores_articles(data)
    meta = [line.split("\t") for line in (data / "flores200_devtest" / "metadata_devtest.tsv").read_text().splitlines()]
    lines = article_lines(articles)
    group = [subject_group(meta[line][1], meta[line][2]) for line in lines]  # 1-based: meta[0] is the header
    rng = random.Random(seed)
    rows = []
    for half, members in article_halves(len(articles)).items():
        used = dict.fromkeys(members, 0)
        for number, groups in enumerate(RUN_GROUPS, 1):
            run = f"theme-{half}-{number:02d}"
            taken: set[int] = set()

            for side, per_group in (("ar", AR_PER_GROUP), ("en", EN_PER_GROUP)):
                chosen = pick_side(members, groups, group, taken, used, rng, per_group)
                for position, k in enumerate(chosen, 1):
                    used[k] += 1
                    rows.append((run, side, position, lines[k], articles[k]["url"]))
    return rows


def pick_side(members, groups, group, taken, used, rng, per_group) -> list[int]:
    """``per_group`` articles from each of the run's two groups not yet in the run (least-used first); a
    group's shortfall is taken from the other group, then from the rest of the half."""
    chosen: list[int] = []
    for g in groups:
        want = len(chosen) + per_group
        tiers = (
            [k for k in members if group[k] == g],
            [k for k in members if group[k] in groups],
            list(members),
        )
        for tier in tiers:
            free = [k for k in tier if k not in taken]
            keys = {k: rng.random() for k in free}
            for k in sorted(free, key=lambda k: (used[k], keys[k]))[: want - len(chosen)]:
                chosen.append(k)
                taken.add(k)
            if len(chosen) == want:
                break
    return chosen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--out", type=Path, default=Path("data/themes/flores_theme_runs.tsv"))
    args = parser.parse_args()
    rows = draw(args.data)
    header = "run\tside\tposition\tline\turl\n"
    atomic_write_text(args.out, header + "".join("\t".join(map(str, row)) + "\n" for row in rows))


if __name__ == "__main__":
    main()
