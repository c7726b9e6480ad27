import json

import pytest

from conftest import FIXTURES, run_cli
from pipeline.align.anchors import shared_anchors
from pipeline.align.parallel import align_monotonic


@pytest.mark.parametrize("ar, en, expected", [
    ("في 12 ايار الجاري", "on 12 May", {("date", "12/5")}),
    ("في 12 أيار/ مايو الجاري", "held on May 12, 2018", {("date", "12/5")}),
    ("لغاية يوم الخميس الموافق 31/5/2018", "until 31 May 2018", {("date", "31/5"), ("date", "31/5/2018")}),
    ("باستثناء محافظة كركوك", "except in Kirkuk province", {("name", "krk")}),
    ("قال الصدر", "said Muqtada al-Sadr", {("name", "sdr")}),
    ("نحو ١٥٠٠ شكوى", "nearly 1,500 complaints", {("number", "1500")}),
    ("المطابقة 100%", "a 100% match", {("number", "100")}),
    ("رقم (45) لسنة 2013", "law 45 of 2013", {("number", "45"), ("number", "2013")}),
    ("في 5 مواقع", "in 5 places", set()),                       # one-digit numbers match by chance
    ("قال الوزير", "It may rain in the capital", set()),         # "may" the verb is not a month
])
def test_anchors(ar, en, expected):
    assert {(a.kind, a.value) for a in shared_anchors(ar, en)} == expected


def test_monotonic_alignment_merges_a_split_paragraph():
    # Arabic 0,1,2 ; English 0,1a,1b,2 : the best path merges English 1a+1b for Arabic 1.
    sims = {(0, 1, 0, 1): 0.9, (1, 1, 1, 2): 0.85, (1, 1, 1, 1): 0.5, (1, 1, 2, 1): 0.45, (2, 1, 3, 1): 0.9}
    beads = align_monotonic(3, 4, lambda i, a, j, b: sims.get((i, a, j, b), 0.0))
    assert [(a, e) for a, e, _ in beads] == [([0], [0]), ([1], [1, 2]), ([2], [3])]


@pytest.fixture(scope="module")
def udhr_run(tmp_path_factory):
    sections = json.loads((FIXTURES / "udhr_ar_en_sections.json").read_text(encoding="utf-8"))
    folder = tmp_path_factory.mktemp("udhr")
    for lang in ("ar", "en"):
        (folder / f"udhr.{lang}.txt").write_text("\n".join(p for s in sections for p in s[lang]) + "\n", encoding="utf-8")
    gold = ["ar_id\ten_id\tlabel\tsection"]
    a = e = 0
    for s in sections:
        ar_ids = [f"udhr-ar:{a + k + 1}" for k in range(len(s["ar"]))]
        en_ids = [f"udhr-en:{e + k + 1}" for k in range(len(s["en"]))]
        gold += [f"{x}\t{y}\tequivalent\t{s['section']}" for x in ar_ids for y in en_ids]
        a, e = a + len(s["ar"]), e + len(s["en"])
    (folder / "gold.tsv").write_text("\n".join(gold) + "\n", encoding="utf-8")
    out = folder / "out"
    result = run_cli("run", "--ar", folder / "udhr.ar.txt", "--en", folder / "udhr.en.txt", "--out", out,
                     "--mode", "parallel", "--mt-model", "none", "--formats", "jsonl")
    assert result.returncode == 0, result.stderr
    return folder, out


def test_udhr_parallel_sections(udhr_run):
    folder, out = udhr_run
    result = run_cli("eval-align", "--pred", out, "--gold", folder / "gold.tsv")
    assert result.returncode == 0, result.stderr
    scores = json.loads(result.stdout.strip().splitlines()[-1])
    assert scores["sections"]["total"] == 31
    assert scores["sections"]["right"] >= 30
    links = [json.loads(l) for l in (out / "alignments.jsonl").read_text(encoding="utf-8").splitlines()]
    assert all(l["label"] == "equivalent" and "bead" in l["evidence"] for l in links)
    ar_order = [int(l["ar_id"].split(":")[1]) for l in links]
    assert ar_order == sorted(ar_order), "parallel mode must be monotonic"


def test_corpus_links_are_never_equivalent(corpus_run):
    links = [json.loads(l) for l in (corpus_run / "alignments.jsonl").read_text(encoding="utf-8").splitlines()]
    assert links, "the aligner found no thematic links at all"
    assert all(l["label"] == "related" for l in links)   # 2018 statement vs 2021 reports
    for l in links:
        assert {"ar_id", "ar_text", "mt_text", "en_doc", "en_id", "en_text", "score", "label", "evidence"} <= set(l)
        assert {"cosine", "margin", "anchors"} <= set(l["evidence"])
    per_paragraph = {}
    for l in links:
        per_paragraph[l["ar_id"]] = per_paragraph.get(l["ar_id"], 0) + 1
    assert max(per_paragraph.values()) <= 3
