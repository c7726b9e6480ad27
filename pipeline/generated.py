"""Measured tables for the documentation, written by the commands that measure them, and the docs' copies.

``make eval`` and ``make bench`` pass ``--markdown docs/generated/NAME.md`` to the commands they run, which
write their tables there as Markdown. A document shows such a table between two markers::

    <!-- generated: NAME -->
    …the content of docs/generated/NAME.md…
    <!-- /generated -->

and ``make docs`` (``scripts/refresh_docs.py``) copies each file's content between its markers, so a
figure in the docs is the last run's, never one typed by hand (issue 24: hand copies went stale unseen).
A test checks that every embedded copy equals its file. Not a stage: nothing here runs in a pipeline run.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from pipeline.fileio import atomic_write_text

GENERATED = Path("docs/generated")
# A block: the opening marker's line, the body (possibly empty), the closing marker at the start of a line.
BLOCK = re.compile(r"^<!-- generated: (?P<name>[\w.-]+) -->\n(?P<body>.*?)^<!-- /generated -->$", re.M | re.S)


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    """A Markdown table's lines; a ``|`` inside a cell is escaped so that it stays one cell."""

    def line(cells: Sequence[object]) -> str:
        return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"

    return [line(header), "|" + "---|" * len(header), *(line(r) for r in rows)]


def separate_blocks(lines: Iterable[str]) -> list[str]:
    """A command's printed lines as Markdown: a blank line between two neighbouring lines unless both are
    table rows, so that a sentence after a table is not read as one more row, nor joined to the next
    sentence into one paragraph."""
    out: list[str] = []
    for line in lines:
        if out and line.strip() and out[-1].strip() and not (line.startswith("|") and out[-1].startswith("|")):
            out.append("")
        out.append(line)
    return out


def markdown_text(lines: Iterable[str]) -> str:
    """What a generated file holds: the lines as Markdown blocks, no trailing blank line, a final newline."""
    return "\n".join(separate_blocks(lines)).strip("\n") + "\n"


def write_markdown(path: Path | None, lines: Iterable[str]) -> None:
    """Write a command's tables to ``path`` (nothing when None), in one step: a reader never sees half."""
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, markdown_text(lines))


def generated_blocks(text: str) -> list[tuple[str, str]]:
    """Each generated block of a document as (name, body), in order."""
    return [(m["name"], m["body"]) for m in BLOCK.finditer(text)]


def embed_generated(text: str, tables: Mapping[str, str]) -> str:
    """``text`` with the body of every block named in ``tables`` replaced by that table; blocks whose
    table has not been generated keep what they hold."""

    def fill(match: re.Match) -> str:
        name = match["name"]
        body = tables.get(name, match["body"])
        return f"<!-- generated: {name} -->\n{body}<!-- /generated -->"

    return BLOCK.sub(fill, text)


def generated_tables(folder: Path = GENERATED) -> dict[str, str]:
    """The generated files of ``folder``, by name (``eval-suite.md`` → ``eval-suite``)."""
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.md"))}


def refresh(documents: Iterable[Path], folder: Path = GENERATED) -> list[Path]:
    """Copy the generated tables into ``documents``; returns the documents that changed."""
    tables = generated_tables(folder)
    changed = []
    for doc in documents:
        text = doc.read_text(encoding="utf-8")
        new = embed_generated(text, tables)
        if new != text:
            atomic_write_text(doc, new)
            changed.append(doc)
    return changed
