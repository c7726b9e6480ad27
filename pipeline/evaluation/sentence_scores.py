"""Strict and lax precision, recall and F1 of sentence beads, as vecalign's scorer defines them
(after Sennrich & Volk's Bleualign evaluation). Pure functions; they return data.

A bead is (source ids, target ids); ids can be indexes or sentence ids.
- Precision counts every predicted bead (1-0 and 0-1 included). Strict: the bead is a gold bead.
  Lax: some source sentence of it is gold-aligned to some target sentence of it.
- Recall is the same count the other way round over beads with both sides only: a gold bead is
  strictly recalled when predicted exactly, laxly when some predicted bead links part of it.
Counts are summed over documents before the ratios are taken.
"""

from __future__ import annotations

from collections import defaultdict

Beads = list[tuple[tuple, tuple]]


def _counts(gold: Beads, test: Beads) -> tuple[int, int, int, int]:
    """(strict right, strict wrong, lax right, lax wrong) of the beads of ``test`` judged by ``gold``."""
    gold_set = {(tuple(s), tuple(t)) for s, t in gold if len(s) or len(t)}
    test_set = {(tuple(s), tuple(t)) for s, t in test if len(s) or len(t)}
    linked: defaultdict = defaultdict(set)
    for s, t in gold_set:
        for a in s:
            linked[a].update(t)
    strict_ok = strict_bad = lax_ok = lax_bad = 0
    for s, t in test_set:
        if (s, t) in gold_set:
            strict_ok += 1
            lax_ok += 1
            continue
        strict_bad += 1
        gold_targets = set().union(*(linked[a] for a in s)) if s else set()
        if gold_targets & set(t):
            lax_ok += 1
        else:
            lax_bad += 1
    return strict_ok, strict_bad, lax_ok, lax_bad


def _both_sides(beads: Beads) -> Beads:
    return [(s, t) for s, t in beads if len(s) and len(t)]


def ratio(ok: int, bad: int) -> float:
    return ok / (ok + bad) if ok + bad else 0.0


def f1(a: float, b: float) -> float:
    return 2 * a * b / (a + b) if a + b else 0.0


def score_beads(gold_docs: list[Beads], test_docs: list[Beads]) -> dict:
    """Strict and lax P/R/F1 over documents (``gold_docs[k]`` and ``test_docs[k]`` are one document)."""
    if len(gold_docs) != len(test_docs):
        raise ValueError(f"{len(gold_docs)} gold documents but {len(test_docs)} predicted")
    p = [0, 0, 0, 0]
    r = [0, 0, 0, 0]
    for gold, test in zip(gold_docs, test_docs, strict=True):
        p = [x + y for x, y in zip(p, _counts(gold, test), strict=True)]
        r = [x + y for x, y in zip(r, _counts(_both_sides(test), _both_sides(gold)), strict=True)]
    out = {
        "precision_strict": ratio(p[0], p[1]),
        "recall_strict": ratio(r[0], r[1]),
        "precision_lax": ratio(p[2], p[3]),
        "recall_lax": ratio(r[2], r[3]),
    }
    out["f1_strict"] = f1(out["precision_strict"], out["recall_strict"])
    out["f1_lax"] = f1(out["precision_lax"], out["recall_lax"])
    out = {k: round(v, 4) for k, v in out.items()}
    out["predicted"] = sum(len(t) for t in test_docs)
    out["gold"] = sum(len(g) for g in gold_docs)
    return out


def format_scores(scores: dict) -> str:
    return "\n".join(
        [
            f"{'':<10} {'strict':>7} {'lax':>7}",
            *(
                f"{name:<10} {scores[key + '_strict']:>7.4f} {scores[key + '_lax']:>7.4f}"
                for name, key in (("precision", "precision"), ("recall", "recall"), ("F1", "f1"))
            ),
        ]
    )


def read_beads(path) -> dict[str, Beads]:
    """Beads from JSONL, by document: rows ``{"doc", "ar": [indexes], "en": [indexes]}`` (the evaluation's
    gold and predictions) or ``sentences.jsonl`` rows (``ar_ids`` / ``en_ids``: sentence ids are unique
    in a run, so all rows count as one document)."""
    from pathlib import Path

    from pipeline.errors import PipelineError
    from pipeline.fileio import read_jsonl

    path = Path(path)
    if path.is_dir():
        path = path / "sentences.jsonl"
    docs: dict[str, Beads] = {}
    for number, row in enumerate(read_jsonl(path), 1):
        if "ar_ids" in row and "en_ids" in row:
            docs.setdefault("", []).append((tuple(row["ar_ids"]), tuple(row["en_ids"])))
        elif "ar" in row and "en" in row:
            docs.setdefault(str(row.get("doc", "")), []).append((tuple(row["ar"]), tuple(row["en"])))
        else:
            raise PipelineError(path, f"line {number} has neither ar/en nor ar_ids/en_ids")
    return docs


def score_files(gold_path, pred_path) -> dict:
    """Strict and lax scores of the predicted beads in ``pred_path`` against ``gold_path``."""
    gold, pred = read_beads(gold_path), read_beads(pred_path)
    names = list(dict.fromkeys([*gold, *pred]))
    return score_beads([gold.get(n, []) for n in names], [pred.get(n, []) for n in names])
