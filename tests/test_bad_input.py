"""Bad input: one line naming the file and the problem, non-zero exit, no traceback, outputs untouched."""

import shutil

import pytest

from conftest import ROOT, run_cli

ENGLISH = ROOT / "corpus" / "raw" / "003_0bc7bc607c2ae275.txt"
ARABIC = ROOT / "corpus" / "raw" / "002_fb358afb9b89a1aa.txt"


def make_bad(tmp_path, kind):
    path = tmp_path / f"{kind}.txt"
    if kind == "empty":
        path.write_bytes(b"")
    elif kind == "blank":
        path.write_bytes(b"\n \n\t\n")
    elif kind == "latin1":
        path.write_bytes("Le comit\xe9 a vot\xe9.\n".encode("latin-1"))
    elif kind == "binary":
        path.write_bytes(bytes(range(256)) * 4)
    elif kind == "folder":
        path.mkdir()
    elif kind == "missing":
        pass
    elif kind == "english_as_arabic":
        shutil.copy(ENGLISH, path)
    return path


@pytest.mark.parametrize(
    "kind, message",
    [
        ("empty", "empty file"),
        ("blank", "empty file"),
        ("latin1", "not UTF-8"),
        ("binary", "binary data"),
        ("folder", "is a folder"),
        ("missing", "no such file"),
        ("english_as_arabic", "expected Arabic text"),
    ],
)
def test_bad_arabic_input_is_refused_by_name(tmp_path, kind, message):
    out = tmp_path / "out"
    out.mkdir()
    (out / "alignments.jsonl").write_text("previous run\n", encoding="utf-8")
    bad = make_bad(tmp_path, kind)
    result = run_cli("run", "--ar", bad, "--en", ENGLISH, "--out", out, "--mt-model", "none")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert str(bad) in lines[0] and message in lines[0]
    assert "Traceback" not in result.stderr
    assert (out / "alignments.jsonl").read_text(encoding="utf-8") == "previous run\n"
    assert sorted(p.name for p in out.iterdir()) == ["alignments.jsonl"]


def test_arabic_given_as_english_is_refused(tmp_path):
    result = run_cli("run", "--ar", ARABIC, "--en", ARABIC, "--out", tmp_path / "o", "--mt-model", "none")
    assert result.returncode == 2 and "expected English text" in result.stderr and "Traceback" not in result.stderr


def test_bad_translations_file_is_refused(tmp_path):
    bad = tmp_path / "mt.txt"
    bad.write_text("only one line\n", encoding="utf-8")
    result = run_cli("run", "--ar", ARABIC, "--en", ENGLISH, "--out", tmp_path / "o", "--translations", bad)
    assert result.returncode == 2 and str(bad) in result.stderr and "Arabic paragraphs" in result.stderr
    assert not (tmp_path / "o").exists()


def test_require_mt_makes_a_missing_model_an_error(tmp_path):
    result = run_cli(
        "run",
        "--ar",
        ARABIC,
        "--en",
        ENGLISH,
        "--out",
        tmp_path / "o",
        "--mt-model",
        tmp_path / "no-such-model",
        "--require-mt",
    )
    assert result.returncode == 2 and "MT model not available" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda tmp: ENGLISH, "the same file as {english} (given as --en): give each document once"),
        (lambda tmp: shutil.copy(ENGLISH, tmp / "copy.txt"), "the same file as {english} (given as --en)"),
        # The same article with one word changed: every paragraph a duplicate of the first file's.
        (
            lambda tmp: (
                (tmp / "edited.txt").write_text(
                    ENGLISH.read_text(encoding="utf-8").replace("security plan", "security plans"), encoding="utf-8"
                )
                and tmp / "edited.txt"
            ),
            "no text left after removing page furniture and duplicates",
        ),
    ],
)
def test_a_duplicate_english_file_is_refused_naming_its_twin(tmp_path, make, message):
    twin = make(tmp_path)
    result = run_cli("run", "--ar", ARABIC, "--en", ENGLISH, twin, "--out", tmp_path / "out", "--mt-model", "none")
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert f"error: {twin}: " in result.stderr and message.format(english=ENGLISH) in result.stderr
    assert str(ENGLISH) in result.stderr.split(f"error: {twin}: ", 1)[1]  # the twin is named
    assert not (tmp_path / "out").exists()
