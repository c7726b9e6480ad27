"""--translations files are parsed exactly as their format says, or refused by line: never guessed."""

import json

import pytest

from pipeline.errors import PipelineError
from pipeline.mt.precomputed import load_translations

IDS = ["doc:1", "doc:2", "doc:3"]
JSONL = "".join(json.dumps({"id": pid, "mt_text": f"Text {n}."}) + "\n" for n, pid in enumerate(IDS, 1))
TSV = "".join(f"{pid}\tText {n}.\n" for n, pid in enumerate(IDS, 1))
EXPECTED = {pid: f"Text {n}." for n, pid in enumerate(IDS, 1)}


def load(tmp_path, name, content, fmt=None):
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return load_translations(path, IDS) if fmt is None else load_translations(path, IDS, fmt)


@pytest.mark.parametrize(
    "name, content, fmt, expected",
    [
        ("t.jsonl", JSONL, None, EXPECTED),
        ("t.jsonl", "\ufeff" + JSONL, None, EXPECTED),  # a byte-order mark is not content
        ("t.jsonl", JSONL.replace("\n", "\r\n"), None, EXPECTED),
        ("t.tsv", TSV, None, EXPECTED),
        ("t.tsv", "\ufeff" + TSV, None, EXPECTED),
        ("t.txt", "Text 1.\nText 2.\nText 3.\n", None, EXPECTED),
        ("t.out", TSV, "tsv", EXPECTED),
        (
            "t.jsonl",
            json.dumps({"id": "doc:2", "mt_text": "one\u2028two"}, ensure_ascii=False) + "\n",
            None,
            {"doc:2": "one\u2028two"},
        ),  # U+2028 is text, not a line end
        ("t.tsv", "doc:1\tA\u2029B\n", None, {"doc:1": "A\u2029B"}),
        ("t.txt", "A\u2028B\nC\nD\n", None, {"doc:1": "A\u2028B", "doc:2": "C", "doc:3": "D"}),
    ],
)
def test_translations_are_read_exactly(tmp_path, name, content, fmt, expected):
    assert load(tmp_path, name, content, fmt) == expected


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("t.tsv", "doc:1\tA\ndco:2\tB\ndoc:3\tC\n", "line 2: unknown paragraph id 'dco:2'"),
        ("t.jsonl", '{"id": "doc:9", "mt_text": "x"}\n', "line 1: unknown paragraph id 'doc:9'"),
        ("t.jsonl", '{"id": "doc:1", "mt_text": 5}\n', "line 1: the translation of 'doc:1' must be a string, not int"),
        ("t.jsonl", '{"id": ["doc:1"], "mt_text": "x"}\n', "line 1: \"id\" must be a string, not list"),
        ("t.jsonl", '{"id": "doc:1", "mt_text": null}\n', "must be a string, not NoneType"),
        ("t.jsonl", '["doc:1", "x"]\n', "line 1: expected a JSON object"),
        ("t.jsonl", '{"id": "doc:1"}\n', "line 1: expected a JSON object"),
        (
            "t.jsonl",
            '{"id": "doc:1", "mt_text": "a"}\n{"id": "doc:1", "mt_text": "b"}\n',
            "line 2: paragraph id 'doc:1' again (first on line 1)",
        ),
        ("t.tsv", "doc:1\ta\ndoc:1\tb\n", "line 2: paragraph id 'doc:1' again"),
        ("t.jsonl", '{"id": "doc:1", "mt_text": "a\\u0000b"}\n', "line 1: control character U+0000"),
        ("t.tsv", "doc:1\ta\x1bb\n", "line 1: control character U+001B"),
        ("t.txt", "a\x0cb\nc\nd\n", "line 1: control character U+000C"),
        ("t.tsv", "doc:1 no tab\n", "line 1: expected <paragraph id><TAB><translation>"),
        ("t.jsonl", TSV, "line 1: not valid JSON"),  # the extension decides, not the content
        ("t.tsv", JSONL, "line 1: expected <paragraph id><TAB><translation>"),
        ("t.txt", "only one line\n", "has 1 lines but the run has 3 Arabic paragraphs"),
        ("t.csv", TSV, "cannot tell the translations format from the extension '.csv'"),
        ("t.tsv", b"doc:1\t\xff\n", "not UTF-8"),
    ],
)
def test_bad_translations_are_refused_by_line(tmp_path, name, content, message):
    with pytest.raises(PipelineError, match=None) as caught:
        load(tmp_path, name, content)
    assert message in str(caught.value) and str(tmp_path / name) in str(caught.value)


def test_a_partial_translation_changes_only_the_paragraphs_it_translates(corpus_run, tmp_path):
    """One of 16 paragraphs given in --translations used to switch every decision to the +mt models, with
    mt_lexical 0 for the 15 others. Now each paragraph is decided by the models its own evidence fits:
    the others exactly as in a run without MT, and the report and manifest say how many were translated."""
    from conftest import run_cli

    translated = "ihec:12"
    translations = tmp_path / "partial.jsonl"
    translations.write_text(
        json.dumps(
            {
                "id": translated,
                "mt_text": "Seventh: a programmer of the cyber security team said the commission's servers could be "
                "hacked; the commission answers that its servers are connected to no network.",
            }
        )
        + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = run_cli("run", "--out", out, "--mt-model", "none", "--translations", translations)
    assert result.returncode == 0, result.stderr
    assert "1/16 Arabic paragraphs" in result.stderr and "the other 15 are aligned without MT" in result.stderr

    def links(folder):
        rows = [json.loads(line) for line in (folder / "alignments.jsonl").read_text(encoding="utf-8").splitlines()]
        return [(l["ar_id"], l["en_id"], l["label"], l["probability"], l["evidence"]) for l in rows]

    partial, plain = links(out), links(corpus_run)
    assert [l[:4] for l in partial if l[0] != translated] == [l[:4] for l in plain if l[0] != translated]
    assert all("mt_lexical" not in l[4]["features"] for l in partial if l[0] != translated)
    assert all(l[4]["model"].endswith("+mt") for l in partial if l[0] == translated)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["translation"]["provided"] == 1 and manifest["translation"]["arabic_paragraphs"] == 16
    models = manifest["parameters"]["link_model"]  # with the dictionary or without, as the machine has it
    related = next(l for l in plain if l[2] == "related")  # the link model (theme links have their own)
    assert sorted(models.items(), key=lambda m: m[1]) == [(related[4]["model"] + "+mt", 1), (related[4]["model"], 15)]
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "for 1 of 16 Arabic paragraphs; the other 15 are aligned without it" in report
