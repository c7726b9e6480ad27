"""The documentation against the code: every command and flag the README and docs/ show (code blocks and
inline code) exists in the CLI's ``--help``, every ``make`` target they name exists, every generated table
they embed is the file the measuring command wrote, and the README stays a front door (issue 24)."""

import argparse
import re
import shutil
import subprocess

import pytest

from conftest import ROOT
from pipeline.cli import build_parser
from pipeline.generated import (
    embed_generated,
    generated_blocks,
    generated_tables,
    markdown_table,
    markdown_text,
    separate_blocks,
)

DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.M | re.S)
INLINE = re.compile(r"`([^`\n]+)`")
PROGRAM = re.compile(
    r"(?:(?<![\w/])python3? -m pipeline|\.venv/bin/python -m pipeline|\$\(PY\) -m pipeline|arabic-align)\b"
)
FLAG = re.compile(r"(?<![\w-])--[a-z0-9][a-z0-9-]*")
COMMAND_WORD = re.compile(r"^[a-z][a-z0-9-]*$")
MAKE = re.compile(r"(?<![\w$(./-])make((?:\s+[^\s`;&|#]+)*)")


def code_snippets(text: str) -> list[str]:
    """The shell a Markdown text shows: each fenced block's logical lines (``\\`` continuations joined,
    ``#`` comments dropped) and each inline code span outside the blocks."""
    snippets = []
    for block in FENCE.findall(text):
        for line in block.replace("\\\n", " ").splitlines():
            snippets.append(re.split(r"\s#", line, maxsplit=1)[0])
    snippets += INLINE.findall(FENCE.sub("", text))
    return snippets


def commands_in(snippet: str) -> list[str]:
    """What follows each mention of the CLI in a snippet, up to the end of that shell command."""
    starts = [m.end() for m in PROGRAM.finditer(snippet)]
    return [re.split(r"&&|;|\s\|\s|\s>|`", snippet[s:], maxsplit=1)[0] for s in starts]


def check_command(parser, words: str) -> list[str]:
    """Problems with one documented command line (the text after the program's name): a command word
    the CLI does not have, or a ``--flag`` its command's ``--help`` does not list."""
    tokens = [t.strip("[](){}…,") for t in words.split()]
    path = []
    for token in tokens:
        choices = next((a.choices for a in parser._actions if isinstance(a, argparse._SubParsersAction)), None)
        if not choices or not COMMAND_WORD.match(token):
            break
        if token not in choices:
            return [f"no command {' '.join([*path, token])!r}"]
        path.append(token)
        parser = choices[token]
    listed = parser.format_help()
    return [
        f"{' '.join(path) or '(top level)'}: no option {flag} in --help"
        for flag in FLAG.findall(words)
        if not re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", listed)
    ]


def documented_problems(text: str, parser) -> list[str]:
    return [
        f"{' '.join(command.split())!r}: {problem}"
        for snippet in code_snippets(text)
        for command in commands_in(snippet)
        for problem in check_command(parser, command)
    ]


def make_targets() -> set[str]:
    """The Makefile's targets (rules whose name is a plain word)."""
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    return {m[1] for m in re.finditer(r"^([a-z][a-z-]*):(?!=)", text, re.M)}


def make_mentions(text: str) -> set[str]:
    """The targets named by ``make …`` in a text's code (variables such as ``MT_MODEL=…`` skipped)."""
    named = set()
    for snippet in code_snippets(text):
        for m in MAKE.finditer(snippet):
            named |= {w for w in m[1].split() if "=" not in w and not w.startswith("-") and COMMAND_WORD.match(w)}
    return named


@pytest.fixture(scope="module")
def parser():
    return build_parser("python -m pipeline")


def test_every_documented_command_and_flag_is_in_help(parser):
    checked, problems = 0, []
    for doc in DOCUMENTS:
        text = doc.read_text(encoding="utf-8")
        checked += sum(len(commands_in(s)) for s in code_snippets(text))
        problems += [f"{doc.relative_to(ROOT)}: {p}" for p in documented_problems(text, parser)]
    assert checked > 30  # the docs do show commands: a parser that found none would pass vacuously
    assert problems == []


def test_the_makefile_calls_the_cli_as_it_is(parser):
    recipes = (ROOT / "Makefile").read_text(encoding="utf-8").replace("\\\n", " ")
    commands = commands_in(recipes.replace("\n", ";"))
    assert len(commands) >= 10
    assert [p for c in commands for p in check_command(parser, c)] == []


def test_a_command_or_flag_that_no_longer_exists_is_caught(parser):
    text = """
```sh
python -m pipeline run --ar a.txt --en b.txt \\
    --mt-model none --no-such-flag   # a comment --not-checked
```
Then `arabic-align export --out outputs --corrections c.jsonl`, `python -m pipeline evaluate suite`,
`python -m pipeline bench mt --batch-sizes 8 --markdown x.md` and `python -m pipeline eval suite --gold G --colour`.
"""
    assert documented_problems(text, parser) == [
        "'run --ar a.txt --en b.txt --mt-model none --no-such-flag': run: no option --no-such-flag in --help",
        "'evaluate suite': no command 'evaluate'",
        "'eval suite --gold G --colour': eval suite: no option --colour in --help",
    ]


def test_every_documented_make_target_exists():
    targets = make_targets()
    named = {(doc.name, t) for doc in DOCUMENTS for t in make_mentions(doc.read_text(encoding="utf-8"))}
    assert {"eval", "bench", "test", "screenshot"} <= {t for _, t in named}
    assert sorted((d, t) for d, t in named if t not in targets) == []


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_help_lists_every_target_with_one_line():
    listed = subprocess.run(["make", "-s", "help"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    described = dict(re.findall(r"^  make (\S+)\s+(.+)$", listed, re.M))
    phony = re.search(r"^\.PHONY:(.*?)(?<!\\)$", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M | re.S)
    assert phony is not None
    assert set(phony[1].replace("\\", " ").split()) == set(described)
    assert all(len(line) > 20 for line in described.values())


def test_embedded_tables_are_the_generated_files():
    tables = generated_tables(ROOT / "docs" / "generated")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    blocks = [
        (doc, name, body) for doc in DOCUMENTS for name, body in generated_blocks(doc.read_text(encoding="utf-8"))
    ]
    assert {"eval-suite", "eval-headline", "bench-mt"} <= {name for _, name, _ in blocks}
    for doc, name, body in blocks:
        assert f"$(GENERATED)/{name}.md" in makefile, f"{doc.name}: no make target writes {name}.md"
        if name in tables:
            assert body == tables[name], f"{doc.name}: {name} differs from docs/generated/{name}.md (make docs)"


def test_embedding_replaces_only_the_named_blocks():
    doc = "intro\n<!-- generated: a -->\nold a\n<!-- /generated -->\n"
    doc += "middle\n<!-- generated: b -->\nkept\n<!-- /generated -->\n"
    new = embed_generated(doc, {"a": "| x |\n|---|\n| 1 |\n"})
    assert new == doc.replace("old a\n", "| x |\n|---|\n| 1 |\n")
    assert generated_blocks(new) == [("a", "| x |\n|---|\n| 1 |\n"), ("b", "kept\n")]
    assert embed_generated(new, {"a": "| x |\n|---|\n| 1 |\n"}) == new  # a second refresh changes nothing


def test_generated_markdown_keeps_sentences_out_of_tables():
    lines = [*markdown_table(["set", "F1"], [["a|b", "0.5"]]), "MT one: BLEU 1", "MT two: BLEU 2"]
    assert separate_blocks(lines) == [
        "| set | F1 |",
        "|---|---|",
        "| a\\|b | 0.5 |",
        "",
        "MT one: BLEU 1",
        "",
        "MT two: BLEU 2",
    ]
    assert markdown_text(["", "x", "", ""]) == "x\n"


def test_the_readme_is_a_front_door():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 250
    first_screen = "\n".join(lines[:40])
    assert all(s in first_screen for s in ("make test", "```sh\nmake", "outputs/")), "the two commands and the result"
    assert (ROOT / "docs" / "report.png").is_file() and "docs/report.png" in "\n".join(lines)


def test_the_headline_table_holds_held_out_sets_and_parallel_ones_by_sections():
    from pipeline.evaluation.suite import headline_table

    related = {"gold": 10, "precision": 0.714, "f1": 0.5195}
    summary = {
        "alignment": {
            "a-test": {"tuned_on": False, "equivalent": {"gold": 3, "f1": 0.9851}, "related": None, "sections": None},
            "a-test + MT": {"tuned_on": False, "equivalent": {"gold": 3, "f1": 1.0}, "related": None},
            "b-test": {"tuned_on": False, "equivalent": {"gold": 0, "f1": 0.0}, "related": related, "sections": None},
            "a-tune": {"tuned_on": True, "equivalent": {"gold": 3, "f1": 1.0}, "related": None, "sections": None},
            "udhr-parallel": {
                "tuned_on": False,
                "equivalent": {"gold": 9, "f1": 0.48},
                "sections": {"right": 31, "total": 31},
            },
            "corpus": {"tuned_on": False, "equivalent": None, "related": related, "sections": None},
        }
    }
    assert headline_table(summary)[2:] == [
        "| a-test | 0.99 |  |  | 1.00 |  |  |",
        "| b-test |  | 0.71 | 0.52 |  |  |  |",
        "",
        "udhr-parallel (`--mode parallel`): 31 of 31 sections aligned right.",
    ]
