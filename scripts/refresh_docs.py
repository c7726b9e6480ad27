"""Copy the generated tables (docs/generated/NAME.md) into README.md and docs/*.md, between their
``<!-- generated: NAME -->`` and ``<!-- /generated -->`` markers (``pipeline.generated``).

    python scripts/refresh_docs.py        # what `make docs`, `make eval` and `make bench` run

Run from the repository root. A block whose file has not been generated keeps what it holds.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.generated import GENERATED, generated_blocks, refresh

DOCUMENTS = [Path("README.md"), *sorted(Path("docs").glob("*.md"))]


def main() -> int:
    changed = refresh(DOCUMENTS, GENERATED)
    for doc in DOCUMENTS:
        missing = [
            name
            for name, _ in generated_blocks(doc.read_text(encoding="utf-8"))
            if not (GENERATED / f"{name}.md").is_file()
        ]
        if missing:
            print(f"{doc}: not generated yet, kept as it is: {', '.join(missing)}")
    print(f"docs: {len(changed)} of {len(DOCUMENTS)} documents updated from {GENERATED}/")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
