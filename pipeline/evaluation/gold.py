"""Gold sets for calibrating and evaluating the aligner, built from real Arabic–English parallel data.

A comparable set keeps a random part of the units on each side independently and shuffles each side,
so most units have no counterpart, as in the real corpus. Sets (deterministic for a seed):

- ``flores-articles-{tune,test}``: FLORES-200 devtest articles (sentences joined), the 281 articles
  split in two disjoint halves so thresholds tuned on one half are tested on the other (equivalent
  links only).
- ``flores-chunks-{tune,test}``: the sentences of the same articles as separate units: distractors come
  from the same document, which is harder (equivalent links only; related ones are measured on the
  document sets below, where the English keeps its documents).
- ``flores-related-{tune,test}`` and ``flores-mixed-{tune,test}``: the product's situation. One Arabic
  document made of sentences of the half's articles, article after article; one English document per
  article (articles in shuffled order, each keeping its sentence order). Each sentence goes to the Arabic
  side, the English side, or neither (``related``: never both, so no unit has its translation — a purely
  comparable set like the IHEC corpus; ``mixed``: some go to both and are ``equivalent``). An Arabic and
  an English sentence of the same article that are not each other's translation are ``related``; of
  different articles on the same topic (first metadata topic term: "travel", "sports"), they are
  recorded as ``same-topic`` negatives, so the false-link rate on near misses can be reported.
- ``udhr-chunks``: UDHR paragraphs as comparable units (same document, legal boilerplate throughout).
- ``tatoeba``: short Tatoeba sentences (LASER test set).
- ``udhr-parallel``: the whole UDHR in order, for ``--mode parallel`` (section-level scoring).
- ``tune-draws/flores-{related,mixed}-tune-drawN`` (N = 2 … ``TUNE_DRAWS``): more random draws of the
  same tune-half articles (which sentences go to which side, the articles' order), for calibration only:
  one draw is a noisy sample (the related tune set's precision at a fixed threshold varies by about ±0.1
  from draw to draw), so thresholds are chosen on all draws of a family pooled. In a subfolder, so the
  eval suite (which runs ``GOLD/*.gold.tsv``) does not score them as sets of their own.
- ``{tune,test}-bundles/flores-bundles-{tune,test}-drawN``: the corpus's shape, one small run each. The
  Arabic side is half the sentences of one article (one statement); the English side 3 other articles
  of the same topic, whole, plus in about half the bundles the article's other half (one report of the
  same story among reports of other stories). ``related``: the article's sentences across the sides;
  ``same-topic``: every other pair. With a few English documents on one topic, features that rank a
  document among the run's documents (``story_z``, the story path) behave otherwise than among a
  hundred, so the link model is calibrated on these too (tune half) and ``eval suite`` scores the test
  half's bundles pooled, as one row.

Each set is written as ``NAME.ar.txt``, ``NAME.en.txt`` (one unit per line, ready for ``run``; the
document sets write a folder ``NAME.en/`` of English documents instead) and ``NAME.gold.tsv``
(``ar_id, en_id, label``; ``same-topic`` rows are negatives, not links), ids as the pipeline's ingest
assigns them. The FLORES sets also get ``NAME.mt.tsv``: the real output of the default MT model
(opus-mt-ar-en, from the shared ``mt_outputs``; it translated the FLORES-101 version of the same
Arabic sentences) for each Arabic unit, as ``--translations`` reads it, so the aligner's MT path is
calibrated and measured on real MT.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, replace
from pathlib import Path

from pipeline.errors import PipelineError
from pipeline.fileio import atomic_write_text
from pipeline.records import Document
from pipeline.ingest.stage import ingest_documents

KEEP_SHARE = 0.6
# Gold labels that record negatives, not links: these sets' same-topic pairs, the theme runs' topic and none.
NEGATIVE_LABELS = ("same-topic", "topic", "none")


@dataclass
class GoldSet:
    name: str
    ar: list[str]
    en: list[str]
    links: list[tuple[int, int, str]]  # 0-based unit indexes into ar / en, label
    sections: list[tuple[str, list[int], list[int]]] | None = None  # parallel sets: name, ar idx, en idx
    mt: list[str] | None = None  # machine translation of each Arabic unit, when there is one
    en_docs: list[int] | None = None  # per English unit, its document (document sets: one file each)
    folder: str = ""  # subfolder of the output folder the set is written to ("" = the folder itself)


def _read_lines(path: Path) -> list[str]:
    if not path.is_file():
        raise PipelineError(path, "no such file (gold sets are built from the shared evaluation data)")
    return path.read_text(encoding="utf-8").splitlines()


MT_OUTPUT = "mt_outputs/opus-mt-ar-en.flores101-devtest.ara-eng.output"  # line n translates devtest line n


def flores_articles(data: Path) -> list[dict]:
    folder = data / "flores200_devtest"
    ar = _read_lines(folder / "arb_Arab.devtest")
    en = _read_lines(folder / "eng_Latn.devtest")
    mt = _read_lines(data / MT_OUTPUT)
    if len(mt) != len(ar):
        raise PipelineError(data / MT_OUTPUT, f"has {len(mt)} lines, FLORES devtest has {len(ar)}")
    meta = [line.split("\t") for line in _read_lines(folder / "metadata_devtest.tsv")[1:]]
    articles: list[dict] = []
    for a, e, m, row in zip(ar, en, mt, meta, strict=True):
        if not articles or articles[-1]["url"] != row[0]:
            articles.append({"url": row[0], "topic": row[2].strip().lower(), "ar": [], "en": [], "mt": []})
        articles[-1]["ar"].append(a.strip())
        articles[-1]["en"].append(e.strip())
        articles[-1]["mt"].append(m.strip())
    return articles


def article_halves(count: int, seed: int = 13) -> dict[str, list[int]]:
    """The split of ``count`` FLORES articles into disjoint ``tune`` and ``test`` halves (sorted article
    indexes), the one every FLORES gold set of a seed uses."""
    order = list(range(count))
    random.Random(seed).shuffle(order)
    return {"tune": sorted(order[: count // 2]), "test": sorted(order[count // 2 :])}


def comparable(
    name: str,
    pairs: list[tuple[str, str]],
    seed: int,
    related: frozenset[tuple[int, int]] | set[tuple[int, int]] = frozenset(),
    keep: float = KEEP_SHARE,
    mt: list[str] | None = None,
) -> GoldSet:
    """Keep each side of each pair with probability ``keep``, shuffle both sides; gold = pairs kept on both.
    ``mt`` (one per pair) follows the Arabic side."""
    rng = random.Random(seed)
    ar_keep = [i for i in range(len(pairs)) if rng.random() < keep]
    en_keep = [i for i in range(len(pairs)) if rng.random() < keep]
    rng.shuffle(ar_keep)
    rng.shuffle(en_keep)
    ar_pos = {unit: pos for pos, unit in enumerate(ar_keep)}
    en_pos = {unit: pos for pos, unit in enumerate(en_keep)}
    links = [(ar_pos[u], en_pos[u], "equivalent") for u in ar_keep if u in en_pos]
    links += [(ar_pos[a], en_pos[b], "related") for a, b in sorted(related) if a in ar_pos and b in en_pos]
    return GoldSet(
        name,
        [pairs[u][0] for u in ar_keep],
        [pairs[u][1] for u in en_keep],
        sorted(links),
        mt=[mt[u] for u in ar_keep] if mt else None,
    )


def build_gold_sets(data: Path, seed: int = 13) -> list[GoldSet]:
    """All gold sets from the shared data folder ``data`` (raises PipelineError when a file is missing)."""
    data = Path(data)
    articles = flores_articles(data)
    halves = article_halves(len(articles), seed)
    sets: list[GoldSet] = []
    for half, members in halves.items():
        chosen = [articles[i] for i in members]
        pairs = [(" ".join(a["ar"]), " ".join(a["en"])) for a in chosen]
        sets.append(
            comparable(f"flores-articles-{half}", pairs, seed + len(sets), mt=[" ".join(a["mt"]) for a in chosen])
        )
        chunks = [(x, y) for a in chosen for x, y in zip(a["ar"], a["en"], strict=True)]
        sets.append(
            comparable(f"flores-chunks-{half}", chunks, seed + len(sets), mt=[m for a in chosen for m in a["mt"]])
        )
    for half, members in halves.items():
        chosen = [articles[i] for i in members]
        for variant, both in (("related", 0.0), ("mixed", 0.3)):
            sets.append(flores_documents(f"flores-{variant}-{half}", chosen, seed + len(sets), both))
    udhr = json.loads((data / "udhr_ar_en" / "udhr_ar_en_sections.json").read_text(encoding="utf-8"))
    one_to_one = [(x, y) for s in udhr if len(s["ar"]) == len(s["en"]) for x, y in zip(s["ar"], s["en"], strict=True)]
    sets.append(comparable("udhr-chunks", one_to_one, seed + len(sets)))
    folder = data / "tatoeba_laser_ara_eng"
    tatoeba = list(
        zip(_read_lines(folder / "tatoeba.ara-eng.ara"), _read_lines(folder / "tatoeba.ara-eng.eng"), strict=True)
    )
    sets.append(comparable("tatoeba", tatoeba, seed + len(sets)))
    sets.append(udhr_parallel(udhr))
    # Extra draws of the tune half last, so every set above keeps its seed.
    chosen = [articles[i] for i in halves["tune"]]
    for draw in range(2, TUNE_DRAWS + 1):
        for variant, both in (("related", 0.0), ("mixed", 0.3)):
            extra = flores_documents(f"flores-{variant}-tune-draw{draw}", chosen, seed + len(sets), both)
            sets.append(replace(extra, folder=TUNE_DRAWS_FOLDER))
    for half, members in halves.items():
        sets += flores_bundles(half, [articles[i] for i in members], seed + len(sets))
    return sets


# Bundles: English documents of other stories on the article's topic beside (or instead of) its own.
BUNDLE_OTHERS = 3
BUNDLE_MIN_SENTENCES = 3  # an article split in two halves, each at least one sentence


def flores_bundles(half: str, articles: list[dict], seed: int) -> list[GoldSet]:
    """One corpus-shaped set per article of ``articles`` that has at least ``BUNDLE_MIN_SENTENCES``
    sentences and ``BUNDLE_OTHERS`` other articles on its topic (first metadata topic term)."""
    rng = random.Random(seed)
    topic = [a["topic"].split(",")[0].strip() for a in articles]
    by_topic: dict[str, list[int]] = {}
    for k, t in enumerate(topic):
        by_topic.setdefault(t, []).append(k)
    sets: list[GoldSet] = []
    for k, article in enumerate(articles):
        others = [o for o in by_topic[topic[k]] if o != k]
        if len(others) < BUNDLE_OTHERS or len(article["ar"]) < BUNDLE_MIN_SENTENCES:
            continue
        order = list(range(len(article["ar"])))
        rng.shuffle(order)
        cut = len(order) // 2
        ar_idx, en_idx = sorted(order[:cut]), sorted(order[cut:])
        with_story = rng.random() < 0.5
        docs = [(o, list(range(len(articles[o]["en"])))) for o in rng.sample(others, BUNDLE_OTHERS)]
        if with_story:
            docs.append((k, en_idx))
        rng.shuffle(docs)
        en: list[str] = []
        en_docs: list[int] = []
        links: list[tuple[int, int, str]] = []
        for d, (source, sentences) in enumerate(docs):
            for s in sentences:
                j = len(en)
                en.append(articles[source]["en"][s])
                en_docs.append(d)
                label = "related" if source == k else "same-topic"
                links += [(i, j, label) for i in range(len(ar_idx))]
        name = f"flores-bundles-{half}-draw{len(sets) + 1}"
        ar = [article["ar"][s] for s in ar_idx]
        mt = [article["mt"][s] for s in ar_idx]
        sets.append(GoldSet(name, ar, en, links, mt=mt, en_docs=en_docs, folder=f"{half}-bundles"))
    return sets


# Draws of the document tune sets (the first is flores-{related,mixed}-tune itself). Fixed before measuring:
# each draw costs about 10 s of calibration; five make the pooled precision's noise about half one draw's.
TUNE_DRAWS = 5
TUNE_DRAWS_FOLDER = "tune-draws"


def draw_family(name: str) -> str:
    """The set a tune draw was drawn like (``flores-related-tune-draw3`` → ``flores-related-tune``)."""
    stem, sep, number = name.rpartition("-draw")
    return stem if sep and number.isdigit() else name


# Share of an article's sentences on neither side: each side sees part of each story, as comparable news
# does; the rest, after the share on both sides, is split evenly between the Arabic and the English side.
NEITHER_SHARE = 0.2


def flores_documents(name: str, articles: list[dict], seed: int, both: float) -> GoldSet:
    """One Arabic document (the articles' sentences, article after article) against one English document
    per article; ``both``: share of sentences kept on both sides (``equivalent`` links)."""
    rng = random.Random(seed)
    side = (1.0 - NEITHER_SHARE - both) / 2
    order = list(range(len(articles)))
    rng.shuffle(order)
    ar, mt, en, en_docs = [], [], [], []
    ar_units: list[tuple[int, int]] = []  # (article, sentence) of each Arabic unit
    en_units: list[tuple[int, int]] = []
    for doc, k in enumerate(order):
        article = articles[k]
        for s, (a, e, m) in enumerate(zip(article["ar"], article["en"], article["mt"], strict=True)):
            draw = rng.random()
            to_ar = draw < both + side
            to_en = draw < both or both + side <= draw < both + 2 * side
            if to_ar:
                ar.append(a)
                mt.append(m)
                ar_units.append((k, s))
            if to_en:
                en.append(e)
                en_docs.append(doc)
                en_units.append((k, s))
    topic = [a["topic"].split(",")[0].strip() for a in articles]
    links = []
    for i, (ka, sa) in enumerate(ar_units):
        for j, (ke, se) in enumerate(en_units):
            if ka == ke:
                links.append((i, j, "equivalent" if sa == se else "related"))
            elif topic[ka] == topic[ke]:
                links.append((i, j, "same-topic"))
    return GoldSet(name, ar, en, links, mt=mt, en_docs=en_docs)


def udhr_parallel(sections: list[dict]) -> GoldSet:
    """The UDHR in document order; links are the section memberships (a section is right when all its
    paragraphs are linked within the section)."""
    ar: list[str] = []
    en: list[str] = []
    spans = []
    for section in sections:
        a0, e0 = len(ar), len(en)
        ar.extend(section["ar"])
        en.extend(section["en"])
        spans.append((section["section"], list(range(a0, len(ar))), list(range(e0, len(en)))))
    links = [(i, j, "equivalent") for _, a_idx, e_idx in spans for i in a_idx for j in e_idx]
    return GoldSet("udhr-parallel", ar, en, links, sections=spans)


def write_gold_set(gold: GoldSet, out: Path) -> dict:
    """Write the set's texts and gold links (into ``out``, or its subfolder ``gold.folder``); links to units
    the ingest stage would drop are left out."""
    out = Path(out) / gold.folder
    ar_doc = Document(id=f"{gold.name}-ar", lang="ar", path="", text="\n".join(gold.ar) + "\n", sha256="", meta={})
    en_of = gold.en_docs or [0] * len(gold.en)
    en_docs: dict[int, list[int]] = {}
    for j, d in enumerate(en_of):
        en_docs.setdefault(d, []).append(j)
    en_id = (lambda d: f"{gold.name}-en-{d + 1:03d}") if gold.en_docs else (lambda d: f"{gold.name}-en")
    docs = [ar_doc] + [
        Document(id=en_id(d), lang="en", path="", text="\n".join(gold.en[j] for j in units) + "\n", sha256="", meta={})
        for d, units in sorted(en_docs.items())
    ]
    kept = {s.id for s in ingest_documents(docs).segments}
    line = {j: n + 1 for units in en_docs.values() for n, j in enumerate(units)}
    ids = {
        "ar": [f"{ar_doc.id}:{n + 1}" for n in range(len(gold.ar))],
        "en": [f"{en_id(en_of[j])}:{line[j]}" for j in range(len(gold.en))],
    }
    rows = [
        (ids["ar"][i], ids["en"][j], label)
        for i, j, label in gold.links
        if ids["ar"][i] in kept and ids["en"][j] in kept
    ]
    header = "ar_id\ten_id\tlabel\tsection\n"
    if gold.sections:
        section_of = {ids["ar"][i]: name for name, a_idx, _ in gold.sections for i in a_idx}
        body = "".join(f"{a}\t{e}\t{label}\t{section_of[a]}\n" for a, e, label in rows)
    else:
        body = "".join(f"{a}\t{e}\t{label}\t\n" for a, e, label in rows)
    atomic_write_text(out / f"{gold.name}.ar.txt", ar_doc.text)
    if gold.en_docs:
        for doc in docs[1:]:
            atomic_write_text(out / f"{gold.name}.en" / f"{doc.id}.txt", doc.text)
    else:
        atomic_write_text(out / f"{gold.name}.en.txt", docs[1].text)
    if gold.mt:
        atomic_write_text(
            out / f"{gold.name}.mt.tsv",
            "".join(f"{pid}\t{text}\n" for pid, text in zip(ids["ar"], gold.mt, strict=True) if pid in kept),
        )
    atomic_write_text(out / f"{gold.name}.gold.tsv", header + body)
    return {
        "name": f"{gold.folder}/{gold.name}" if gold.folder else gold.name,
        "ar_units": len(gold.ar),
        "en_units": len(gold.en),
        "links": sum(label not in NEGATIVE_LABELS for _, _, label in rows),
        "dropped_by_ingest": len(gold.links) - len(rows),
    }


def gold_texts(gold_path: Path) -> dict[str, list[Path]]:
    """The Arabic and English input files of the gold set ``NAME.gold.tsv``: ``NAME.ar.txt`` and
    ``NAME.en.txt``, or the English documents in the folder ``NAME.en/``."""
    gold_path = Path(gold_path)
    stem = gold_path.name.removesuffix(".gold.tsv")
    folder = gold_path.with_name(f"{stem}.en")
    en = sorted(folder.glob("*.txt")) if folder.is_dir() else [gold_path.with_name(f"{stem}.en.txt")]
    return {"ar": [gold_path.with_name(f"{stem}.ar.txt")], "en": en}
