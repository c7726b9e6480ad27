import json

from translate.storage.tmx import tmxfile

from conftest import run_cli
from pipeline.export.tabular import TSV_COLUMNS, escape_tsv, tsv_text, unescape_tsv
from pipeline.export.tmx import tmx_bytes


def read_links(out):
    return [json.loads(l) for l in (out / "alignments.jsonl").read_text(encoding="utf-8").splitlines()]


def test_all_files_written(corpus_run):
    names = {p.name for p in corpus_run.iterdir()}
    assert {
        "segments.jsonl",
        "removed.jsonl",
        "alignments.jsonl",
        "unaligned.jsonl",
        "alignments.tsv",
        "parallel.ar",
        "parallel.en",
        "alignments.tmx",
        "report.html",
        "manifest.json",
    } <= names
    assert not any(n.startswith(".staging") for n in names)
    manifest = json.loads((corpus_run / "manifest.json").read_text(encoding="utf-8"))
    assert {"inputs", "models", "parameters", "timings", "libraries", "translation", "files"} <= set(manifest)
    assert all(len(i["sha256"]) == 64 for i in manifest["inputs"])


def test_moses_files_have_one_line_per_link(corpus_run):
    links = read_links(corpus_run)
    ar = (corpus_run / "parallel.ar").read_text(encoding="utf-8").split("\n")[:-1]
    en = (corpus_run / "parallel.en").read_text(encoding="utf-8").split("\n")[:-1]
    assert len(ar) == len(en) == len(links)
    assert [l["en_text"] for l in links] == en


def test_tmx_round_trips_through_a_real_reader(corpus_run):
    links = read_links(corpus_run)
    tmx = tmxfile((corpus_run / "alignments.tmx").read_bytes(), "ar", "en")
    units = [u for u in tmx.units if u.source]
    assert [(u.source, u.target) for u in units] == [(l["ar_text"], l["en_text"]) for l in links]


def test_tmx_is_valid_for_hostile_text():
    link = {
        "ar_id": "a:1",
        "ar_text": "نص\u200f <b>&amp; \x07\x1b\"'",
        "mt_text": "x\x00y",
        "en_doc": "e",
        "en_id": "e:1",
        "en_text": "A & B < C \u202e]]>",
        "score": 0.5,
        "label": "related",
        "evidence": {},
    }
    tmx = tmxfile(tmx_bytes([link]), "ar", "en")
    unit = tmx.units[0]
    assert unit.source == "نص\u200f <b>&amp; \"'" and unit.target == "A & B < C \u202e]]>"


def test_tsv_escapes_tabs_and_newlines():
    link = {c: f"{c}\tvalue\nnext\\line" for c in TSV_COLUMNS}
    rows = tsv_text([link]).split("\n")
    assert rows[0].split("\t") == list(TSV_COLUMNS) and rows[2] == ""
    assert [unescape_tsv(v) for v in rows[1].split("\t")] == [link[c] for c in TSV_COLUMNS]
    assert escape_tsv(None) == ""


def test_rerun_is_byte_identical_and_export_reproduces(corpus_run, tmp_path):
    out = tmp_path / "again"
    assert run_cli("run", "--out", out, "--mt-model", "none").returncode == 0
    for name in (
        "segments.jsonl",
        "removed.jsonl",
        "alignments.jsonl",
        "alignments.tsv",
        "parallel.ar",
        "parallel.en",
        "alignments.tmx",
        "report.html",
    ):
        assert (out / name).read_bytes() == (corpus_run / name).read_bytes(), name
    before = (out / "alignments.tmx").read_bytes()
    (out / "alignments.tmx").unlink()
    result = run_cli("export", "--out", out, "--formats", "tmx")
    assert result.returncode == 0, result.stderr
    assert (out / "alignments.tmx").read_bytes() == before


def test_report_is_self_contained(corpus_run):
    html = (corpus_run / "report.html").read_text(encoding="utf-8")
    assert 'dir="rtl" lang="ar"' in html and "No counterpart" in html or "no counterpart" in html
    assert "http://" not in html and "https://" not in html and "<link" not in html
