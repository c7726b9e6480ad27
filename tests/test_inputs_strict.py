"""Inputs that would give a run that looks fine but is not: refused by name before anything is written."""

import shutil

import pytest

from conftest import ROOT, run_cli

ENGLISH = ROOT / "corpus" / "raw" / "003_0bc7bc607c2ae275.txt"
ARABIC = ROOT / "corpus" / "raw" / "002_fb358afb9b89a1aa.txt"

FURNITURE_ONLY = {
    "ar": "الرئيسية / أخبار / العراق\nاترك تعليقاً\nhttps://twitter.com/ihec/status/1\n",
    "en": "Home / News / Iraq\nLeave a comment\n12:45 pm\nhttps://t.co/abc\n",
}


@pytest.mark.parametrize("side", ["ar", "en"])
def test_a_document_with_only_page_furniture_is_refused_by_name(tmp_path, side):
    bad = tmp_path / f"furniture.{side}.txt"
    bad.write_text(FURNITURE_ONLY[side], encoding="utf-8")
    files = {"ar": ARABIC, "en": ENGLISH, side: bad}
    out = tmp_path / "out"
    result = run_cli("run", "--ar", files["ar"], "--en", files["en"], "--out", out, "--mt-model", "none")
    assert result.returncode == 2, result.stderr
    assert f"{bad}: no text left after removing page furniture" in result.stderr
    assert "Traceback" not in result.stderr and not out.exists()


def copy_corpus(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    return corpus


def edit_manifest(corpus, change):
    manifest = corpus / "manifest.tsv"
    manifest.write_text(change(manifest.read_text(encoding="utf-8")), encoding="utf-8")


def change_a_file(corpus):
    path = corpus / "raw" / "003_0bc7bc607c2ae275.txt"
    path.write_text(path.read_text(encoding="utf-8") + "One more paragraph.\n", encoding="utf-8")


def repeat_an_id(corpus):
    edit_manifest(corpus, lambda text: text.replace("\nrudaw\t", "\nina\t"))


def empty_a_hash(corpus):
    edit_manifest(
        corpus, lambda text: text.replace("afecb5c792b575bd41123a9939f1d7e91c7f294a8c205fe85b19309725f5752e", "")
    )


@pytest.mark.parametrize(
    "damage, message",
    [
        (change_a_file, "raw/003_0bc7bc607c2ae275.txt: sha256 is"),
        (repeat_an_id, "manifest.tsv: line 8: document id 'ina' again (first on line 7)"),
        (empty_a_hash, "manifest.tsv: line 8: sha256 of 'raw/004_fe9a97cecb103dab.txt' is '', expected 64 hex digits"),
    ],
)
def test_a_corpus_that_does_not_match_its_manifest_is_refused(tmp_path, damage, message):
    corpus = copy_corpus(tmp_path)
    damage(corpus)
    result = run_cli("run", "--corpus", corpus, "--out", tmp_path / "out", "--mt-model", "none")
    assert result.returncode == 2 and message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "out").exists()
