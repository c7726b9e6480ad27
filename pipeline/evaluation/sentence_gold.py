"""Gold sentence alignments from real Arabic–English parallel text (``../shared/data``).

FLORES-200 devtest is line-aligned, so every sentence's translation is known. Documents are runs of
``ARTICLES_PER_DOC`` consecutive articles (about 30 sentences, a news article's length) of the tune or
the test half of the articles (the same halves as the paragraph gold sets). Variants, each a list of
documents with their gold beads:

- ``clean``: the lines as they are (1-1 only);
- ``merges``: at a random ``MERGE_RATE`` of positions two neighbouring sentences are joined on one side
  (a 2-1 or 1-2 bead);
- ``drops``: at a random ``DROP_RATE`` of positions a sentence is deleted on one side (its translation
  becomes a 1-0 or 0-1 bead);
- ``merges+drops``: both;
- ``resplit``: each article joined into one text per side and split again with the project's own
  splitter; a gold bead joins the pieces that share an original sentence, so the splitter's mistakes
  become the n-m beads they would be in a real run. Where both sides split a line into as many pieces,
  the pieces are taken to translate each other in order (1-1 beads): FLORES translates line by line and
  a two-sentence line is almost always two sentences in the translation too (an assumption, unchecked).

UDHR: the declaration's paragraphs in order, as units; gold is 1-1 inside every section with as many
paragraphs on both sides, and the preamble (9 Arabic, 10 English paragraphs) as read: the Arabic lacks
the "friendly relations" recital (0-1), joins "Now, therefore, / The General Assembly" into one paragraph
(1-2) and splits "Proclaims … as a common standard" in two (2-1).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from pipeline.config import SENTENCE_TEST_DRAWS
from pipeline.evaluation.gold import article_halves, flores_articles
from pipeline.text.sentences import split_sentences

Bead = tuple[tuple[int, ...], tuple[int, ...]]
ARTICLES_PER_DOC = 8
MERGE_RATE = 0.15
DROP_RATE = 0.1
VARIANTS = ("clean", "merges", "drops", "merges+drops", "resplit")
# The random edits drawn again with these seeds for the calibration only: the tune half's merges and
# drops then hold about three times as many edits, so the choice of costs rests on more than a few beads.
EXTRA_TUNE_SEEDS = (14, 15)
TEST_DRAWS = SENTENCE_TEST_DRAWS  # the test half's random edits drawn again for the pooled rows (config)
RANDOM_VARIANTS = ("merges", "drops", "merges+drops")


@dataclass
class SentenceDoc:
    name: str
    ar: list[str]
    en: list[str]
    beads: list[Bead]


def flores_halves(data: Path, seed: int = 13) -> dict[str, list[dict]]:
    """The articles of the tune and test halves (the same split as the paragraph gold sets)."""
    articles = flores_articles(Path(data))
    return {half: [articles[i] for i in members] for half, members in article_halves(len(articles), seed).items()}


def _edit(pairs: list[tuple[str, str]], rng: random.Random, merge: float, drop: float):
    """Join neighbours and delete sentences at random on one side; returns (ar, en, beads)."""
    ar: list[str] = []
    en: list[str] = []
    beads: list[Bead] = []
    k = 0
    while k < len(pairs):
        roll, side = rng.random(), rng.choice(("ar", "en"))
        if roll < merge and k + 1 < len(pairs):
            (a0, e0), (a1, e1) = pairs[k], pairs[k + 1]
            if side == "ar":
                beads.append(((len(ar),), (len(en), len(en) + 1)))
                ar.append(f"{a0} {a1}")
                en.extend([e0, e1])
            else:
                beads.append(((len(ar), len(ar) + 1), (len(en),)))
                ar.extend([a0, a1])
                en.append(f"{e0} {e1}")
            k += 2
            continue
        a, e = pairs[k]
        if merge <= roll < merge + drop:
            if side == "ar":  # the Arabic lost it: the English sentence has no counterpart
                beads.append(((), (len(en),)))
                en.append(e)
            else:
                beads.append(((len(ar),), ()))
                ar.append(a)
        else:
            beads.append(((len(ar),), (len(en),)))
            ar.append(a)
            en.append(e)
        k += 1
    return ar, en, beads


def _resplit(articles: list[dict]):
    """Each article joined and split again; gold beads join pieces sharing an original sentence."""
    pieces: dict[str, list[str]] = {"ar": [], "en": []}
    origin: dict[str, list[set[int]]] = {"ar": [], "en": []}
    base = 0
    for article in articles:
        for lang in ("ar", "en"):
            sentences = article[lang]
            text = " ".join(sentences)
            bounds, pos = [], 0
            for s in sentences:
                bounds.append((pos, pos + len(s)))
                pos += len(s) + 1
            for start, end in split_sentences(text):
                pieces[lang].append(text[start:end])
                origin[lang].append({base + k for k, (s0, s1) in enumerate(bounds) if s0 < end and start < s1})
        base += len(article["ar"])

    # A bead ends after original sentence k where both sides have a piece ending exactly there.
    def cuts(lang: str) -> set[int]:
        spans = [(min(o), max(o)) for o in origin[lang]]
        return {last for (_, last), (first, _) in pairwise(spans) if first == last + 1}

    shared = sorted(cuts("ar") & cuts("en"))

    def segment(o: set[int]) -> int:
        return sum(1 for c in shared if c < min(o))

    grouped: dict[int, tuple[list[int], list[int]]] = {}
    for side, lang in ((0, "ar"), (1, "en")):
        for k, o in enumerate(origin[lang]):
            grouped.setdefault(segment(o), ([], []))[side].append(k)
    beads: list[Bead] = []
    for _, (a, e) in sorted(grouped.items()):
        if len(a) == len(e):  # as many pieces on both sides: translated piece by piece (assumed)
            beads.extend(((x,), (y,)) for x, y in zip(a, e, strict=True))
        else:
            beads.append((tuple(a), tuple(e)))
    return pieces["ar"], pieces["en"], beads


def flores_variant(articles: list[dict], variant: str, half: str, seed: int = 13, tag: str = "") -> list[SentenceDoc]:
    """The documents of one variant; ``tag`` is added to each document's name."""
    docs = []
    for start in range(0, len(articles), ARTICLES_PER_DOC):
        chunk = articles[start : start + ARTICLES_PER_DOC]
        rng = random.Random(f"{seed}-flores-{half}-{variant}-{start // ARTICLES_PER_DOC}")
        name = f"flores-{half}-{variant}{tag}-{start // ARTICLES_PER_DOC}"
        pairs = [(a, e) for article in chunk for a, e in zip(article["ar"], article["en"], strict=True)]
        if variant == "resplit":
            ar, en, beads = _resplit(chunk)
        else:
            merge = MERGE_RATE if "merges" in variant else 0.0
            drop = DROP_RATE if "drops" in variant else 0.0
            ar, en, beads = _edit(pairs, rng, merge, drop)
        docs.append(SentenceDoc(name, ar, en, beads))
    return docs


# The preamble as read (see the module docstring): Arabic paragraph index → English indexes.
UDHR_PREAMBLE = [
    ((0,), (0,)),
    ((1,), (1,)),
    ((2,), (2,)),
    ((), (3,)),
    ((3,), (4,)),
    ((4,), (5,)),
    ((5,), (6,)),
    ((6,), (7, 8)),
    ((7, 8), (9,)),
]


def udhr_document(data: Path) -> SentenceDoc:
    sections = json.loads((Path(data) / "udhr_ar_en" / "udhr_ar_en_sections.json").read_text(encoding="utf-8"))
    ar: list[str] = []
    en: list[str] = []
    beads: list[Bead] = []
    for section in sections:
        a0, e0 = len(ar), len(en)
        if len(section["ar"]) == len(section["en"]):
            beads += [((a0 + k,), (e0 + k,)) for k in range(len(section["ar"]))]
        elif section["section"] == "preamble" and (len(section["ar"]), len(section["en"])) == (9, 10):
            beads += [(tuple(a0 + x for x in s), tuple(e0 + y for y in t)) for s, t in UDHR_PREAMBLE]
        else:  # unknown inside: the section as one bead (only lax scoring can credit it)
            beads.append((tuple(range(a0, a0 + len(section["ar"]))), tuple(range(e0, e0 + len(section["en"])))))
        ar.extend(section["ar"])
        en.extend(section["en"])
    return SentenceDoc("udhr", ar, en, beads)


def sentence_gold_sets(data: Path, seed: int = 13) -> dict[str, list[SentenceDoc]]:
    """Every set: ``flores-{tune,test}-{variant}`` and ``udhr``."""
    halves = flores_halves(data, seed)
    sets = {
        f"flores-{half}-{variant}": flores_variant(articles, variant, half, seed)
        for half, articles in halves.items()
        for variant in VARIANTS
    }
    sets["udhr"] = [udhr_document(data)]
    return sets


def calibration_sets(data: Path, seed: int = 13, extra_seeds=EXTRA_TUNE_SEEDS) -> dict[str, list[SentenceDoc]]:
    """The tune half's sets, the randomly edited ones (merges, drops) with their edits drawn again with
    each of ``extra_seeds`` as well (documents named ``…-s<seed>-<k>``); never the test half or UDHR."""
    tune = flores_halves(data, seed)["tune"]
    sets = {f"flores-tune-{variant}": flores_variant(tune, variant, "tune", seed) for variant in VARIANTS}
    for variant in RANDOM_VARIANTS:  # clean and resplit have nothing random to draw again
        for extra in extra_seeds:
            sets[f"flores-tune-{variant}"] += flores_variant(tune, variant, "tune", extra, f"-s{extra}")
    return sets


def pooled_test_draws(data: Path, draws: int = TEST_DRAWS, seed: int = 13) -> dict[str, list[SentenceDoc]]:
    """The test half's randomly edited sets, each drawn ``draws`` times with seeds ``seed``, ``seed`` + 1, …
    and pooled into one set ``flores-test-{variant}-draws`` (documents named ``…-s<seed>-<k>``; the first
    draw is the ``flores-test-{variant}`` set itself). Empty when ``draws`` < 1."""
    if draws < 1:
        return {}
    test = flores_halves(data, seed)["test"]
    return {
        f"flores-test-{variant}-draws": [
            doc for s in range(seed, seed + draws) for doc in flores_variant(test, variant, "test", s, f"-s{s}")
        ]
        for variant in RANDOM_VARIANTS
    }


def draw_of(doc_name: str) -> str:
    """The draw a pooled document came from (``flores-test-merges-draws`` document ``…-s17-3`` → ``s17``)."""
    return doc_name.rsplit("-", 2)[-2]
