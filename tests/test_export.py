import dataclasses
import json
import shutil

import pytest
from conftest import run_cli, run_udhr_parallel
from translate.storage.tmx import tmxfile

from pipeline.errors import PipelineError
from pipeline.export.selection import LinkFilter, select_links, sentences_of_links, translation_beads
from pipeline.export.tabular import TSV_COLUMNS, alignment_index, escape_tsv, tsv_text, unescape_tsv
from pipeline.export.tmx import creation_date, tmx_bytes
from pipeline.fileio import read_jsonl, sha256_file
from pipeline.records import RunResult


def read_links(out):
    return read_jsonl(out / "alignments.jsonl")


def lines(path):
    return path.read_text(encoding="utf-8").split("\n")[:-1]


def tsv_rows(path):
    header, *rows = lines(path)
    return [dict(zip(header.split("\t"), map(unescape_tsv, row.split("\t")), strict=True)) for row in rows]


@pytest.fixture(scope="module")
def udhr_parallel(tmp_path_factory):
    """The UDHR in Arabic and English (a true translation) aligned in parallel mode, every format."""
    return run_udhr_parallel(tmp_path_factory.mktemp("udhr_export"))


@pytest.fixture
def run_copy(related_run, tmp_path):
    """A private copy of the comparable run with related links, for tests that edit or re-export it."""
    return shutil.copytree(related_run, tmp_path / "run")


def test_all_files_written(corpus_run):
    names = {p.name for p in corpus_run.iterdir()}
    assert {
        "segments.jsonl",
        "removed.jsonl",
        "alignments.jsonl",
        "unaligned.jsonl",
        "related.jsonl",
        "alignments.tsv",
        "related.tsv",
        "parallel.ar",
        "parallel.en",
        "parallel.meta.tsv",
        "alignments.tmx",
        "report.html",
        "manifest.json",
    } <= names
    assert "parallel.index" not in names  # comparable mode: no monotonic path
    assert not any(n.startswith(".staging") for n in names)
    manifest = json.loads((corpus_run / "manifest.json").read_text(encoding="utf-8"))
    assert {"inputs", "models", "parameters", "timings", "libraries", "translation", "files"} <= set(manifest)
    assert all(len(i["sha256"]) == 64 for i in manifest["inputs"])
    assert manifest["files"] == {name: sha256_file(corpus_run / name) for name in manifest["files"]}


def test_comparable_translation_files_hold_no_related_link(related_run):
    links = read_links(related_run)
    related = [l for l in links if l["label"] == "related"]
    equivalent = translation_beads(links, read_jsonl(related_run / "segments.jsonl"))
    assert related  # a comparable run: thematic links only
    assert len(lines(related_run / "parallel.ar")) == len(lines(related_run / "parallel.en")) == len(equivalent)
    assert len(tmxfile((related_run / "alignments.tmx").read_bytes(), "ar", "en").units) == len(equivalent)
    assert read_jsonl(related_run / "related.jsonl") == related
    assert [(r["ar_id"], r["en_id"]) for r in tsv_rows(related_run / "related.tsv")] == [
        (l["ar_id"], l["en_id"]) for l in related
    ]


def test_tsv_carries_evidence_as_json(related_run):
    links = read_links(related_run)
    rows = tsv_rows(related_run / "alignments.tsv")
    assert [json.loads(r["evidence"]) for r in rows] == [l["evidence"] for l in links]
    assert [float(r["score"]) for r in rows] == [l["score"] for l in links]


def test_parallel_mode_one_line_per_bead(udhr_parallel):
    links = read_links(udhr_parallel)
    segments = read_jsonl(udhr_parallel / "segments.jsonl")
    ar, en = lines(udhr_parallel / "parallel.ar"), lines(udhr_parallel / "parallel.en")
    meta = tsv_rows(udhr_parallel / "parallel.meta.tsv")
    assert len(ar) == len(en) == len(meta) < len(links)  # merged beads make fewer lines than links
    assert {m["bead"] for m in meta} >= {"1-1", "1-2"}
    text = {s["id"]: s["text"] for s in segments}
    for k, m in enumerate(meta):
        assert int(m["line"]) == k + 1 and m["label"] == "equivalent"
        assert ar[k] == " ".join(text[i] for i in m["ar_ids"].split(","))
        assert en[k] == " ".join(text[i] for i in m["en_ids"].split(","))
    # Each Arabic paragraph appears once: a 1-2 bead does not repeat the Arabic.
    ar_ids = [i for m in meta for i in m["ar_ids"].split(",")]
    assert len(ar_ids) == len(set(ar_ids)) == len({l["ar_id"] for l in links})


def test_the_readme_counts_of_the_udhr_run_hold(udhr_parallel):
    """What the README's "What lands in outputs/" says of the UDHR in parallel mode (it said 58 lines of
    parallel.meta.tsv, which has a header: issue 23)."""
    count = {name: len(lines(udhr_parallel / name)) for name in ("parallel.ar", "parallel.en", "parallel.index")}
    assert count == {"parallel.ar": 58, "parallel.en": 58, "parallel.index": 58}
    assert len(lines(udhr_parallel / "parallel.meta.tsv")) == 59  # a header and 58 beads
    assert len(read_links(udhr_parallel)) == 61
    assert len(tmxfile((udhr_parallel / "alignments.tmx").read_bytes(), "ar", "en").units) == 58


def test_parallel_index_is_the_whole_monotonic_path(udhr_parallel):
    segments = read_jsonl(udhr_parallel / "segments.jsonl")
    meta = tsv_rows(udhr_parallel / "parallel.meta.tsv")
    position = {
        lang: {s["id"]: k for k, s in enumerate(x for x in segments if x["lang"] == lang)} for lang in ("ar", "en")
    }
    beads = []
    for line in lines(udhr_parallel / "parallel.index"):
        ar, en, score = line.split(":")
        beads.append((json.loads(ar), json.loads(en), float(score)))
    for lang, side in (("ar", 0), ("en", 1)):
        covered = [k for b in beads for k in b[side]]
        assert covered == sorted(covered) == list(range(len(position[lang])))  # each once, in order
    expected = [
        (
            [position["ar"][i] for i in m["ar_ids"].split(",")],
            [position["en"][i] for i in m["en_ids"].split(",")],
            round(float(m["score"]), 4),
        )
        for m in meta
    ]
    assert [b for b in beads if b[0] and b[1]] == expected


def test_index_lists_skipped_paragraphs_in_place():
    segments = [{"id": f"a:{k}", "lang": "ar", "text": f"a{k}"} for k in range(3)] + [
        {"id": f"e:{k}", "lang": "en", "text": f"e{k}"} for k in range(4)
    ]

    def link(a, e):
        return {
            "ar_id": f"a:{a}",
            "en_id": f"e:{e}",
            "ar_text": f"a{a}",
            "en_text": f"e{e}",
            "label": "equivalent",
            "score": 0.9,
        }

    beads = translation_beads([link(0, 0), link(2, 2), link(2, 3)], segments)
    assert alignment_index(beads, segments).split("\n")[:-1] == [
        "[0]:[0]:0.9000",
        "[1]:[]:0.0000",
        "[]:[1]:0.0000",
        "[2]:[2,3]:0.9000",
    ]


@pytest.mark.parametrize(
    "links, expected",
    [
        ([("a:0", "e:0", "equivalent")], [(("a:0",), ("e:0",))]),
        ([("a:0", "e:0", "equivalent"), ("a:0", "e:1", "equivalent")], [(("a:0",), ("e:0", "e:1"))]),
        ([("a:1", "e:0", "equivalent"), ("a:0", "e:0", "equivalent")], [(("a:0", "a:1"), ("e:0",))]),
        ([("a:0", "e:0", "equivalent"), ("a:0", "e:1", "related")], [(("a:0",), ("e:0",))]),
        ([("a:0", "e:1", "equivalent"), ("a:1", "e:0", "equivalent")], [(("a:0",), ("e:1",)), (("a:1",), ("e:0",))]),
        ([("a:0", "e:0", "related")], []),
    ],
)
def test_translation_beads(links, expected):
    segments = [{"id": f"a:{k}", "lang": "ar", "text": f"A{k}"} for k in range(2)] + [
        {"id": f"e:{k}", "lang": "en", "text": f"E{k}"} for k in range(2)
    ]
    rows = [
        {"ar_id": a, "en_id": e, "label": label, "score": 0.8, "ar_text": "A" + a[-1], "en_text": "E" + e[-1]}
        for a, e, label in links
    ]
    beads = translation_beads(rows, segments)
    assert [(b.ar_ids, b.en_ids) for b in beads] == expected
    for b in beads:
        assert b.ar_text == " ".join("A" + i[-1] for i in b.ar_ids) and b.en_text == " ".join(
            "E" + i[-1] for i in b.en_ids
        )


def test_tmx_units_are_beads_with_tuid_and_a_date_from_the_inputs(udhr_parallel, corpus_run):
    tmx = tmxfile((udhr_parallel / "alignments.tmx").read_bytes(), "ar", "en")
    ar, en = lines(udhr_parallel / "parallel.ar"), lines(udhr_parallel / "parallel.en")
    meta = tsv_rows(udhr_parallel / "parallel.meta.tsv")
    assert [(u.source, u.target) for u in tmx.units] == list(zip(ar, en, strict=True))
    assert [u.getid() for u in tmx.units] == [m["bead_id"] for m in meta]
    dates = {u.xmlelement.get("creationdate") for u in tmx.units}
    manifest = json.loads((udhr_parallel / "manifest.json").read_text(encoding="utf-8"))
    assert dates == {manifest["export"]["tmx_creationdate"]}  # user files without dates: the files' time
    assert manifest["export"]["tmx_creationdate_from"] == "newest input file time"
    corpus_manifest = json.loads((corpus_run / "manifest.json").read_text(encoding="utf-8"))
    assert corpus_manifest["export"]["tmx_creationdate"] == "20211101T000000Z"  # rudaw, 2021-11


@pytest.mark.parametrize(
    "dates, times, env, expected",
    [
        (["2018-05", "2021-09-01", "2021"], [], None, ("20210901T000000Z", "newest input date")),
        (["2021-11", "2021-10"], [], None, ("20211101T000000Z", "newest input date")),
        ([None, ""], [86400.0, 0.0], None, ("19700102T000000Z", "newest input file time")),
        ([], [], None, (None, "unknown")),
        (["2021-11"], [], "0", ("19700101T000000Z", "SOURCE_DATE_EPOCH")),
    ],
)
def test_creation_date(dates, times, env, expected, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    if env is not None:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", env)
    assert creation_date([{"date": d} for d in dates], times) == expected


def test_tmx_is_valid_for_hostile_text():
    link = {
        "ar_id": "a:1",
        "ar_text": "نص\u200f <b>&amp; \x07\x1b\"'",
        "mt_text": "x\x00y",
        "en_doc": "e",
        "en_id": "e:1",
        "en_text": "A & B < C \u202e]]>",
        "score": 0.5,
        "label": "equivalent",
        "evidence": {},
    }
    tmx = tmxfile(tmx_bytes(translation_beads([link], []), "20200101T000000Z"), "ar", "en")
    unit = tmx.units[0]
    assert unit.source == "نص\u200f <b>&amp; \"'" and unit.target == "A & B < C \u202e]]>"


def test_tsv_escapes_tabs_and_newlines():
    link = {c: f"{c}\tvalue\nnext\\line" for c in TSV_COLUMNS if c != "evidence"}
    rows = tsv_text([link]).split("\n")
    assert rows[0].split("\t") == list(TSV_COLUMNS) and rows[2] == ""
    assert [unescape_tsv(v) for v in rows[1].split("\t")][:-1] == [link[c] for c in TSV_COLUMNS if c != "evidence"]
    assert escape_tsv(None) == ""


@pytest.mark.parametrize(
    "separator", ["\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029", "\r\n", "\\u2028"]
)
def test_tsv_rows_stay_one_line_for_splitlines_readers(separator):
    link = {c: f"{c} before{separator}after" for c in TSV_COLUMNS}
    rows = tsv_text([link]).splitlines()
    assert len(rows) == 2
    fields = [unescape_tsv(v) for v in rows[1].split("\t")]
    assert fields[:-1] == [link[c] for c in TSV_COLUMNS if c != "evidence"]
    assert json.loads(fields[-1]) == link["evidence"]  # the evidence column is JSON


def test_rerun_is_byte_identical_and_export_reproduces(corpus_run, tmp_path):
    out = tmp_path / "again"
    assert run_cli("run", "--out", out, "--mt-model", "none").returncode == 0
    names = sorted(p.name for p in corpus_run.iterdir() if p.name != "manifest.json")
    for name in names:
        assert (out / name).read_bytes() == (corpus_run / name).read_bytes(), name
    before = {name: (out / name).read_bytes() for name in names}
    (out / "alignments.tmx").unlink()
    result = run_cli("export", "--out", out, "--formats", "tmx")
    assert result.returncode == 0, result.stderr
    assert {name: (out / name).read_bytes() for name in names} == before


def assert_consistent(out, shown=None):
    """Every file, count and hash follows from alignments.jsonl as it stands; the files made for reading
    and exchange from ``shown`` (the links a filter kept; default: all of them)."""
    links = read_links(out)
    shown = links if shown is None else shown
    segments = read_jsonl(out / "segments.jsonl")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    labels = [l["label"] for l in links]
    counts = manifest["counts"]
    assert counts["links"] == len(links)
    for label in ("equivalent", "related"):
        assert counts.get(f"links_{label}", 0) == labels.count(label)
    linked = {l["ar_id"] for l in links}
    unaligned = [r["ar_id"] for r in read_jsonl(out / "unaligned.jsonl")]
    assert unaligned == [s["id"] for s in segments if s["lang"] == "ar" and s["id"] not in linked]
    assert counts["unaligned"] == len(unaligned)
    assert [(r["ar_id"], r["en_id"]) for r in tsv_rows(out / "alignments.tsv")] == [
        (l["ar_id"], l["en_id"]) for l in shown
    ]
    assert read_jsonl(out / "related.jsonl") == [l for l in shown if l["label"] == "related"]
    beads = translation_beads(shown, segments)
    assert len(lines(out / "parallel.ar")) == len(tsv_rows(out / "parallel.meta.tsv")) == len(beads)
    assert len(tmxfile((out / "alignments.tmx").read_bytes(), "ar", "en").units) == len(beads)
    html = (out / "report.html").read_text(encoding="utf-8")
    assert html.count(' data-en-id="') == len(shown)  # each link once in the Arabic view
    assert f'data-total-links="{len(shown)}"' in html
    assert manifest["files"] == {name: sha256_file(out / name) for name in manifest["files"]}
    assert {"alignments.jsonl", "alignments.tmx", "report.html", "parallel.ar"} <= set(manifest["files"])
    return links, manifest


def test_an_edited_alignments_file_re_exports_consistently(run_copy):
    links = read_links(run_copy)
    only_link = next(l for l in links if sum(x["ar_id"] == l["ar_id"] for x in links) == 1)
    edited = [l for l in links if l is not only_link]
    edited[0] = {"ar_id": edited[0]["ar_id"], "en_id": edited[0]["en_id"], "label": "equivalent", "score": 1.0}
    (run_copy / "alignments.jsonl").write_text(
        "".join(json.dumps(l, ensure_ascii=False) + "\n" for l in edited), encoding="utf-8"
    )
    result = run_cli("export", "--out", run_copy)
    assert result.returncode == 0, result.stderr
    after, manifest = assert_consistent(run_copy)
    # The count follows the edit (the run may have equivalent links of its own: same-story sentences).
    equivalent = [l for l in edited if l["label"] == "equivalent"]
    assert len(after) == len(links) - 1 and manifest["counts"]["links_equivalent"] == len(equivalent)
    assert only_link["ar_id"] in [r["ar_id"] for r in read_jsonl(run_copy / "unaligned.jsonl")]
    assert after[0]["en_text"] == links[1 if links[0] is only_link else 0]["en_text"]  # texts refilled
    assert after[0]["en_text"] in lines(run_copy / "parallel.en")


def test_a_narrow_export_leaves_no_stale_file(run_copy):
    links = read_links(run_copy)
    (run_copy / "alignments.jsonl").write_text(
        "".join(json.dumps(l, ensure_ascii=False) + "\n" for l in links[1:]), encoding="utf-8"
    )
    result = run_cli("export", "--out", run_copy, "--formats", "tmx")
    assert result.returncode == 0, result.stderr
    after, _ = assert_consistent(run_copy)  # the report, TSV and related files follow too
    assert len(after) == len(links) - 1


def test_report_decisions_re_export_and_apply_twice(run_copy, tmp_path):
    links = read_links(run_copy)
    decisions = tmp_path / "corrections.jsonl"
    decisions.write_text(
        json.dumps({"ar_id": links[0]["ar_id"], "en_id": links[0]["en_id"], "decision": "reject"})
        + "\n"
        + json.dumps({"ar_id": links[1]["ar_id"], "en_id": links[1]["en_id"], "decision": "accept"})
        + "\n"
    )
    for _ in range(2):
        result = run_cli("export", "--out", run_copy, "--corrections", decisions)
        assert result.returncode == 0, result.stderr
        after, manifest = assert_consistent(run_copy)
        assert (links[0]["ar_id"], links[0]["en_id"]) not in {(l["ar_id"], l["en_id"]) for l in after}
        assert after[0]["review"] == "accepted" and len(after) == len(links) - 1
    assert manifest["corrections"]["already_absent"] == 1 and manifest["corrections"]["sha256"] == sha256_file(
        decisions
    )


@pytest.mark.parametrize(
    "args, keep",
    [
        ("--labels related", lambda link, median: link["label"] == "related"),
        ("--labels equivalent", lambda link, median: link["label"] == "equivalent"),
        ("--min-probability MEDIAN", lambda link, median: link["probability"] >= median),
        (
            "--labels related,equivalent --min-probability MEDIAN",
            lambda link, median: link["label"] in ("related", "equivalent") and link["probability"] >= median,
        ),
        ("--labels theme", lambda link, median: link["label"] == "theme"),
    ],
)
def test_filters_shape_the_exports_and_a_later_export_lifts_them(run_copy, args, keep):
    """A filter shapes the files made for reading and exchange and is recorded for that export alone;
    alignments.jsonl keeps every link, so an export without the filter shows them all again."""
    links = read_links(run_copy)
    median = sorted(l["probability"] for l in links)[len(links) // 2]
    result = run_cli("export", "--out", run_copy, *args.replace("MEDIAN", repr(median)).split())
    assert result.returncode == 0, result.stderr
    shown = [l for l in links if keep(l, median)]
    assert 0 < len(shown) < len(links) or "equivalent" in args
    after, manifest = assert_consistent(run_copy, shown)
    assert after == links
    assert manifest["export"]["filter"]["min_probability"] == (median if "MEDIAN" in args else None)
    assert manifest["export"]["shown"]["links"] == len(shown) and manifest["counts"]["links"] == len(links)
    assert f"shows {len(shown)} of {len(links)} links" in result.stderr
    result = run_cli("export", "--out", run_copy)
    assert result.returncode == 0, result.stderr
    after, manifest = assert_consistent(run_copy)
    assert after == links and manifest["export"]["filter"] is None


def test_min_score_is_refused_with_a_pointer_to_min_probability(run_copy):
    before = {p.name: p.read_bytes() for p in run_copy.iterdir()}
    result = run_cli("export", "--out", run_copy, "--min-score", "0.5")
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "--min-score was replaced by --min-probability" in result.stderr
    assert {p.name: p.read_bytes() for p in run_copy.iterdir()} == before


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda links: links + ["not json"], "not valid JSON"),
        (lambda links: [{**links[0], "ar_id": "ihec:9999"}], "'ihec:9999' is not an Arabic paragraph"),
        (lambda links: [{**links[0], "en_id": links[0]["ar_id"]}], "is not an English paragraph"),
        (lambda links: [{**links[0], "label": "maybe"}], "label 'maybe'"),
        (lambda links: [{**links[0], "score": "high"}], "score 'high' is not a number"),
        (lambda links: [{k: v for k, v in links[0].items() if k != "label"}], "has no 'label'"),
        (lambda links: [links[0], links[0]], "is linked twice"),
    ],
)
def test_a_broken_edit_is_refused_and_nothing_changes(run_copy, edit, message):
    before = {p.name: p.read_bytes() for p in run_copy.iterdir()}
    rows = edit(read_links(run_copy))
    (run_copy / "alignments.jsonl").write_text(
        "".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in rows), encoding="utf-8"
    )
    edited = (run_copy / "alignments.jsonl").read_bytes()
    result = run_cli("export", "--out", run_copy)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "alignments.jsonl" in result.stderr and message in result.stderr
    assert "Traceback" not in result.stderr
    after = {p.name: p.read_bytes() for p in run_copy.iterdir()}
    assert after == {**before, "alignments.jsonl": edited}


@pytest.mark.parametrize(
    "labels, min_probability, message",
    [
        (("maybe",), None, "unknown label(s) maybe"),
        ((), None, "unknown label(s) (none)"),
        (None, float("nan"), "--min-probability nan: give a probability from 0 to 1"),
        (None, 1.5, "--min-probability 1.5: give a probability from 0 to 1"),
    ],
)
def test_link_filter_refuses_bad_settings(labels, min_probability, message):
    with pytest.raises(PipelineError, match=message.replace("(", r"\(").replace(")", r"\)")):
        LinkFilter(labels, min_probability)


def arabic_paragraphs_outside_rtl(html: str, segments: list[dict]) -> list[str]:
    """Ids of Arabic paragraphs whose text in the page is not inside an element with dir="rtl"."""
    import lxml.html

    page = lxml.html.fromstring(html)
    bad = []
    for row in (s for s in segments if s["lang"] == "ar"):
        # The innermost elements holding the whole paragraph (highlights split it over child elements).
        holders = [
            el
            for el in page.iter()
            if isinstance(el.tag, str)
            and row["text"] in el.text_content()
            and not any(isinstance(c.tag, str) and row["text"] in c.text_content() for c in el)
        ]
        if not holders or not all(el.xpath('ancestor-or-self::*[@dir="rtl"]') for el in holders):
            bad.append(row["id"])
    return bad


def test_report_sets_every_arabic_paragraph_right_to_left(corpus_run):
    html = (corpus_run / "report.html").read_text(encoding="utf-8")
    segments = [json.loads(l) for l in (corpus_run / "segments.jsonl").read_text(encoding="utf-8").splitlines()]
    assert arabic_paragraphs_outside_rtl(html, segments) == []
    # The check can fail: the same page without its dir attributes is caught.
    assert arabic_paragraphs_outside_rtl(html.replace('dir="rtl"', ""), segments) != []


def test_report_is_self_contained(corpus_run):
    html = (corpus_run / "report.html").read_text(encoding="utf-8")
    assert "no counterpart" in html.lower()
    assert "http://" not in html and "https://" not in html and "<link" not in html


@pytest.mark.parametrize(
    "kept_links, expected",
    [
        ([("a:1", "e:1"), ("a:2", "e:2")], [("a:1#0", "e:1#0", [0]), ("a:1#1", "", [0]), ("a:2#0", "e:2#0", [1])]),
        ([("a:2", "e:2")], [("a:2#0", "e:2#0", [0])]),  # a:1 ↔ e:1 filtered out: its sentences go
        ([], []),
    ],
)
def test_sentence_rows_follow_the_links(kept_links, expected):
    """Filters and corrections drop the sentence pairs of links that are gone (when the run has them)."""
    rows = [
        {"ar_ids": ["a:1#0"], "en_ids": ["e:1#0"], "ar_paragraphs": ["a:1"], "en_paragraphs": ["e:1"], "links": [0]},
        {"ar_ids": ["a:1#1"], "en_ids": [], "ar_paragraphs": ["a:1"], "en_paragraphs": ["e:1"], "links": [0]},
        {"ar_ids": ["a:2#0"], "en_ids": ["e:2#0"], "ar_paragraphs": ["a:2"], "en_paragraphs": ["e:2"], "links": [1]},
    ]
    links = [{"ar_id": a, "en_id": e} for a, e in kept_links]
    kept = sentences_of_links(rows, links)
    assert [(r["ar_ids"][0], (r["en_ids"] or [""])[0], r["links"]) for r in kept] == expected


def test_filters_reach_the_sentence_rows_of_a_run_that_has_them():
    @dataclasses.dataclass
    class WithSentences(RunResult):
        sentences: list = dataclasses.field(default_factory=list)

    segments = [
        {"id": i, "doc": i[0], "lang": "ar" if i[0] == "a" else "en", "text": i} for i in ("a:1", "a:2", "e:1", "e:2")
    ]
    links = [
        {"ar_id": "a:1", "en_id": "e:1", "label": "equivalent", "score": 0.9, "ar_text": "a:1", "en_text": "e:1"},
        {"ar_id": "a:2", "en_id": "e:2", "label": "related", "score": 0.4, "ar_text": "a:2", "en_text": "e:2"},
    ]
    rows = [{"ar_ids": ["a:1#0"], "en_ids": ["e:1#0"], "links": [0]}]
    result = WithSentences(segments, [], links, [], {"counts": {}}, rows)
    assert select_links(result, LinkFilter(("equivalent",))).view().sentences == rows
    assert select_links(result, LinkFilter(("related",))).view().sentences == []
    assert select_links(result, LinkFilter(("related",))).sentences == rows  # the record keeps them


def test_a_run_with_fewer_formats_leaves_no_file_of_the_others(corpus_run, tmp_path):
    """`--formats jsonl,html` into a folder a full run wrote: the sentence files of moses and tmx
    (parallel.sent.*, alignments.sent.tmx) go with the rest of those formats."""
    out = shutil.copytree(corpus_run, tmp_path / "out")
    result = run_cli("run", "--out", out, "--mt-model", "none", "--formats", "jsonl,html")
    assert result.returncode == 0, result.stderr
    jsonl = {"segments", "removed", "alignments", "unaligned", "related", "sentences", "themes"}
    assert {p.name for p in out.iterdir()} == {f"{n}.jsonl" for n in jsonl} | {"report.html", "manifest.json"}


def test_min_probability_is_refused_where_links_have_none():
    links = [{"ar_id": "a:1", "en_id": "e:1", "label": "equivalent", "score": 0.8, "probability": None}]
    result = RunResult([], [], links, [], {"counts": {}})
    with pytest.raises(PipelineError, match="this run's links have no probability"):
        select_links(result, LinkFilter(None, 0.5))
    assert select_links(result, LinkFilter(("equivalent",))).view().links == links


def test_an_added_link_is_checked_against_the_run(run_copy, tmp_path):
    """A link added by hand must join two paragraphs of the run and carry a label; an add of a link the
    aligner made accepts it. Refusals name the corrections file and its line, and change nothing."""
    links = read_links(run_copy)
    segments = read_jsonl(run_copy / "segments.jsonl")
    arabic = next(s["id"] for s in segments if s["lang"] == "ar")
    before = {p.name: p.read_bytes() for p in run_copy.iterdir()}
    for row, message in (
        (
            {"ar_id": arabic, "en_id": "nowhere:1", "decision": "add", "label": "related"},
            "line 1: 'nowhere:1' is not an English paragraph",
        ),
        (
            {"ar_id": arabic, "en_id": links[0]["en_id"], "decision": "add"},
            "line 1: a link added by hand needs its label",
        ),
    ):
        corrections = tmp_path / "corrections.jsonl"
        corrections.write_text(json.dumps(row) + "\n", encoding="utf-8")
        result = run_cli("export", "--out", run_copy, "--corrections", corrections)
        assert result.returncode == 2 and result.stderr.count("\n") == 1
        assert f"{corrections}: {message}" in result.stderr
        assert {p.name: p.read_bytes() for p in run_copy.iterdir()} == before
    corrections.write_text(
        json.dumps({"ar_id": links[0]["ar_id"], "en_id": links[0]["en_id"], "decision": "add", "label": "related"})
        + "\n",
        encoding="utf-8",
    )
    result = run_cli("export", "--out", run_copy, "--corrections", corrections)
    assert result.returncode == 0, result.stderr
    after = read_links(run_copy)
    assert len(after) == len(links) and after[0]["review"] == "accepted" and after[0]["score"] == links[0]["score"]
