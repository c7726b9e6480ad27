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
