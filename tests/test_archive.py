"""Archives (issue 25): a language given ARCHIVE_DOCUMENTS documents or more is an archive, where a document
with no text left after dedup is skipped and reported, not fatal; a run of a few documents still refuses it."""

import json
import shutil

from conftest import FIXTURES, ROOT, run_cli

from pipeline.config import ARCHIVE_DOCUMENTS
from pipeline.fileio import read_jsonl

ARABIC = ROOT / "corpus" / "raw" / "002_fb358afb9b89a1aa.txt"


def english_archive(folder, count):
    """``count`` English documents of the FLORES fixture's articles (one sentence a line), names a01, a02, …"""
    articles = json.loads((FIXTURES / "flores_articles.json").read_text(encoding="utf-8"))
    paths = []
    for k, article in enumerate(articles[:count]):
        path = folder / f"a{k + 1:02d}.txt"
        path.write_text("\n".join(article["en"]) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def test_an_archive_skips_a_document_that_repeats_another_and_says_which(tmp_path):
    archive = english_archive(tmp_path, ARCHIVE_DOCUMENTS)
    # A re-post with one word changed (every paragraph a near-duplicate or duplicate of a01's), and a01 saved
    # twice under another name (the same bytes).
    edited = tmp_path / "z-repost.txt"
    edited.write_text(archive[0].read_text(encoding="utf-8").replace(" the ", " a ", 1), encoding="utf-8")
    copy = tmp_path / "z-copy.txt"
    shutil.copy(archive[0], copy)
    out = tmp_path / "out"
    result = run_cli("run", "--ar", ARABIC, "--en", *archive, edited, copy, "--out", out, "--mt-model", "none")
    assert result.returncode == 0, result.stderr
    skipped = [r for r in read_jsonl(out / "removed.jsonl") if r["rule"] == "duplicate_document"]
    assert [r["doc"] for r in skipped] == ["z-repost", "z-copy"]
    for row in skipped:
        assert f"its paragraphs repeat a01 ({archive[0]})" in row["reason"] and row["n"] == 0
        assert f"ingest: skipped {tmp_path / row['doc']}.txt: no text left" in result.stderr
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"]["skipped_documents"] == 2
    docs = {s["doc"] for s in read_jsonl(out / "segments.jsonl")}
    assert "a01" in docs and not docs & {"z-repost", "z-copy"}


def test_a_run_of_a_few_documents_still_refuses_a_repeat(tmp_path):
    archive = english_archive(tmp_path, ARCHIVE_DOCUMENTS - 2)
    copy = tmp_path / "z-copy.txt"
    copy.write_text(archive[1].read_text(encoding="utf-8").replace(" the ", " a ", 1), encoding="utf-8")
    result = run_cli("run", "--ar", ARABIC, "--en", *archive, copy, "--out", tmp_path / "out", "--mt-model", "none")
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert f"error: {copy}: no text left" in result.stderr and f"repeat a02 ({archive[1]})" in result.stderr
    assert "skipped" not in result.stderr and not (tmp_path / "out").exists()
