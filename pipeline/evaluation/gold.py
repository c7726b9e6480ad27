"""Gold sets for calibrating and evaluating the aligner, built from real Arabic–English parallel data.

A comparable set keeps a random part of the units on each side independently and shuffles each side,
so most units have no counterpart, as in the real corpus. Sets (deterministic for a seed):

- ``flores-articles-{tune,test}``: FLORES-200 devtest articles (sentences joined), the 281 articles
  split in two disjoint halves so thresholds tuned on one half are tested on the other. ``related``
  gold links join different articles that share a specific (multi-part) topic from the metadata.
- ``flores-chunks-{tune,test}``: the sentences of the same articles as separate units: distractors come
  from the same document, which is harder. ``related`` gold links join sentences of the same article
  (the same specific event) that are not each other's translation.
- ``udhr-chunks``: UDHR paragraphs as comparable units (same document, legal boilerplate throughout).
- ``tatoeba``: short Tatoeba sentences (LASER test set).
- ``udhr-parallel``: the whole UDHR in order, for ``--mode parallel`` (section-level scoring).

Each set is written as ``NAME.ar.txt``, ``NAME.en.txt`` (one unit per line, ready for ``run``) and
``NAME.gold.tsv`` (``ar_id, en_id, label``), ids as the pipeline's ingest assigns them. The FLORES sets
also get ``NAME.mt.tsv``: the real output of the default MT model (opus-mt-ar-en, from the shared
``mt_outputs``; it translated the FLORES-101 version of the same Arabic sentences) for each Arabic unit,
as ``--translations`` reads it, so the aligner's MT path is calibrated and measured on real MT.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

from pipeline.records import Document
from pipeline.errors import PipelineError
from pipeline.fileio import atomic_write_text
from pipeline.ingest.stage import ingest_documents

KEEP_SHARE = 0.6


@dataclass
class GoldSet:
    name: str
    ar: list[str]
    en: list[str]
    links: list[tuple[int, int, str]]  # 0-based unit indexes into ar / en, label
    sections: list[tuple[str, list[int], list[int]]] | None = None  # parallel sets: name, ar idx, en idx
    mt: list[str] | None = None  # machine translation of each Arabic unit, when there is one


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
    rng = random.Random(seed)
    order = list(range(len(articles)))
    rng.shuffle(order)
    halves = {"tune": sorted(order[: len(order) // 2]), "test": sorted(order[len(order) // 2 :])}
    sets: list[GoldSet] = []
    for half, members in halves.items():
        chosen = [articles[i] for i in members]
        pairs = [(" ".join(a["ar"]), " ".join(a["en"])) for a in chosen]
        related = {
            (i, j)
            for i, a in enumerate(chosen)
            for j, b in enumerate(chosen)
            if i != j and a["topic"] == b["topic"] and "," in a["topic"]
        }
        sets.append(
            comparable(
                f"flores-articles-{half}", pairs, seed + len(sets), related, mt=[" ".join(a["mt"]) for a in chosen]
            )
        )
        chunks = [(x, y) for a in chosen for x, y in zip(a["ar"], a["en"], strict=True)]
        article_of = [k for k, a in enumerate(chosen) for _ in a["ar"]]
        # Sentences of the same article (other than the translation) share its specific event: related.
        same_article = {
            (i, j) for i in range(len(chunks)) for j in range(len(chunks)) if i != j and article_of[i] == article_of[j]
        }
        sets.append(
            comparable(
                f"flores-chunks-{half}", chunks, seed + len(sets), same_article, mt=[m for a in chosen for m in a["mt"]]
            )
        )
    udhr = json.loads((data / "udhr_ar_en" / "udhr_ar_en_sections.json").read_text(encoding="utf-8"))
    one_to_one = [(x, y) for s in udhr if len(s["ar"]) == len(s["en"]) for x, y in zip(s["ar"], s["en"], strict=True)]
    sets.append(comparable("udhr-chunks", one_to_one, seed + len(sets)))
    folder = data / "tatoeba_laser_ara_eng"
    tatoeba = list(
        zip(_read_lines(folder / "tatoeba.ara-eng.ara"), _read_lines(folder / "tatoeba.ara-eng.eng"), strict=True)
    )
    sets.append(comparable("tatoeba", tatoeba, seed + len(sets)))
    sets.append(udhr_parallel(udhr))
    return sets


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
    """Write the set's texts and gold links; links to units the ingest stage would drop are left out."""
    out = Path(out)
    docs = {
        lang: Document(id=f"{gold.name}-{lang}", lang=lang, path="", text="\n".join(units) + "\n", sha256="", meta={})
        for lang, units in (("ar", gold.ar), ("en", gold.en))
    }
    kept = {s.id for s in ingest_documents(list(docs.values())).segments}
    ids = {
        lang: [f"{docs[lang].id}:{n + 1}" for n in range(len(units))]
        for lang, units in (("ar", gold.ar), ("en", gold.en))
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
    for lang in ("ar", "en"):
        atomic_write_text(out / f"{gold.name}.{lang}.txt", docs[lang].text)
    if gold.mt:
        atomic_write_text(
            out / f"{gold.name}.mt.tsv",
            "".join(f"{pid}\t{text}\n" for pid, text in zip(ids["ar"], gold.mt, strict=True) if pid in kept),
        )
    atomic_write_text(out / f"{gold.name}.gold.tsv", header + body)
    return {
        "name": gold.name,
        "ar_units": len(gold.ar),
        "en_units": len(gold.en),
        "links": len(rows),
        "dropped_by_ingest": len(gold.links) - len(rows),
    }
