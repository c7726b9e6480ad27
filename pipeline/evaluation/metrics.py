"""Evaluation: MT metrics with sacreBLEU (signatures included) and alignment precision/recall/F1.

Both return data; the CLI prints it.
"""

from __future__ import annotations

import csv
from pathlib import Path

from pipeline.config import MT_BACKEND
from pipeline.errors import PipelineError
from pipeline.fileio import read_jsonl


def _read_lines(path: Path, what: str) -> list[str]:
    path = Path(path)
    if not path.is_file():
        raise PipelineError(path, f"no such {what} file")
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        raise PipelineError(path, f"{what} file is not UTF-8 text") from None


def mt_scores(hypotheses: list[str], references: list[str]) -> dict:
    """sacreBLEU defaults (13a tokenisation, mixed case): BLEU, chrF, chrF++ with their signatures."""
    from sacrebleu.metrics import BLEU, CHRF

    metrics = {"bleu": BLEU(), "chrf": CHRF(), "chrf++": CHRF(word_order=2)}
    scores, signatures, lines = {}, {}, []
    for name, metric in metrics.items():
        score = metric.corpus_score(hypotheses, [references])
        scores[name] = round(score.score, 6)
        signatures[name] = str(metric.get_signature())
        detail = score.format(width=2).split(" = ", 1)[1] if name == "bleu" else f"{score.score:.3f}"
        lines.append(f"{name.upper()}|{signatures[name]} = {detail}")
    return {"lines": lines, "json": {**scores, "signature": signatures}}


def evaluate_mt(
    hyp: Path | None,
    ref: Path,
    src: Path | None = None,
    mt_model: str | None = None,
    mt_backend: str = MT_BACKEND,
    threads: int | None = None,
    decoding=None,
    cache_dir: Path | None = None,
) -> dict:
    """Score ``hyp`` against ``ref``; with ``src`` and ``mt_model`` translate ``src`` first, through the
    translation cache (then ``hyp``, when given, is where the translations are written). Raises
    PipelineError for missing files, a line count mismatch or a missing model."""
    references = _read_lines(ref, "reference")
    if src is not None and mt_model:
        from pipeline.fileio import atomic_write_text
        from pipeline.mt import load_translator
        from pipeline.mt.cache import TranslationCache
        from pipeline.mt.translate import translate_sentences

        sources = _read_lines(src, "source")
        translator = load_translator(mt_model, mt_backend, threads, decoding=decoding)
        cache = TranslationCache(Path(cache_dir) / "mt.sqlite" if cache_dir else None)
        try:
            hypotheses = translate_sentences(sources, translator, cache)
        finally:
            cache.close()
        if hyp is not None:
            atomic_write_text(hyp, "".join(h + "\n" for h in hypotheses))
    elif hyp is not None:
        hypotheses = _read_lines(hyp, "hypothesis")
    else:
        raise PipelineError(None, "give --hyp FILE, or --src FILE with --mt-model")
    if len(hypotheses) != len(references):
        raise PipelineError(hyp or src, f"has {len(hypotheses)} lines but the reference {ref} has {len(references)}")
    return mt_scores(hypotheses, references)


def read_gold(path: Path) -> list[dict]:
    """Gold TSV with header ``ar_id, en_id, label[, section]``; lines starting with ``#`` are comments."""
    path = Path(path)
    if not path.is_file():
        raise PipelineError(path, "no such gold file")
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    rows = list(csv.DictReader(lines, delimiter="\t"))
    if rows and not {"ar_id", "en_id", "label"} <= set(rows[0]):
        raise PipelineError(path, "gold file needs the columns ar_id, en_id, label")
    return rows


NEGATIVE = "same-topic"  # gold rows that are recorded negatives, not links


def prf(pred: set, gold: set) -> dict:
    tp = len(pred & gold)
    precision = tp / len(pred) if pred else (1.0 if not gold else 0.0)
    recall = tp / len(gold) if gold else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "predicted": len(pred),
        "gold": len(gold),
        "correct": tp,
    }


def evaluate_alignment(pred_dir: Path, gold_path: Path) -> dict:
    """Precision, recall and F1 per label and overall (a link counts for "overall" whatever its label).
    Gold rows labelled ``same-topic`` are negatives (different stories on one topic): the share of them
    linked is reported as ``same_topic``. With a ``section`` column (parallel sets), also how many
    sections are entirely right."""
    pred_path = Path(pred_dir) / "alignments.jsonl" if Path(pred_dir).is_dir() else Path(pred_dir)
    links = read_jsonl(pred_path)
    rows = read_gold(gold_path)
    gold = [g for g in rows if g["label"] != NEGATIVE]
    labels = sorted({g["label"] for g in gold} | {l["label"] for l in links})
    scores: dict = {"gold": str(gold_path), "pred": str(pred_path)}
    for label in labels:
        scores[label] = prf(
            {(l["ar_id"], l["en_id"]) for l in links if l["label"] == label},
            {(g["ar_id"], g["en_id"]) for g in gold if g["label"] == label},
        )
    predicted = {(l["ar_id"], l["en_id"]) for l in links}
    scores["overall"] = prf(predicted, {(g["ar_id"], g["en_id"]) for g in gold})
    scores["reliability"] = reliability_counts(links, rows)
    negatives = {(g["ar_id"], g["en_id"]) for g in rows if g["label"] == NEGATIVE}
    if negatives:
        linked = len(negatives & predicted)
        scores["same_topic"] = {"pairs": len(negatives), "linked": linked, "rate": round(linked / len(negatives), 4)}
    if gold and gold[0].get("section"):
        by_section: dict[str, set] = {}
        for g in gold:
            by_section.setdefault(g["section"], set()).add((g["ar_id"], g["en_id"]))
        section_of_ar = {g["ar_id"]: g["section"] for g in gold}
        section_of_en = {g["en_id"]: g["section"] for g in gold}
        right = 0
        for section, pairs in by_section.items():
            touching = {
                p for p in predicted if section_of_ar.get(p[0]) == section or section_of_en.get(p[1]) == section
            }
            ar_ids = {a for a, _ in pairs}
            en_ids = {e for _, e in pairs}
            inside = all(p in pairs for p in touching)
            covered = ar_ids <= {a for a, _ in touching} and en_ids <= {e for _, e in touching}
            right += inside and covered
        scores["sections"] = {"right": right, "total": len(by_section)}
    return scores


RELIABILITY_BINS = 10  # shown probabilities in bins 0.0–0.1, …, 0.9–1.0


def judged_labels(gold_rows: list[dict]) -> set[str]:
    """The labels a gold set is complete for, so that a link of that label missing from it is wrong:
    ``equivalent`` always (a set lists every translation it holds, so a set without any has none), every
    label it has a row of, and ``related`` where it records same-topic negatives (a story set whose
    stories are all listed)."""
    labels = {"equivalent"} | {g["label"] for g in gold_rows if g["label"] != NEGATIVE}
    if any(g["label"] == NEGATIVE for g in gold_rows):
        labels.add("related")
    return labels


def reliability_counts(links: list[dict], gold_rows: list[dict]) -> dict[str, list[list[int]]]:
    """Per label the gold set judges (:func:`judged_labels`), the links shown in each probability bin
    (RELIABILITY_BINS of equal width) as [links, right]: right when the gold has the pair with the same
    label. Links without a probability (parallel mode) are not counted."""
    judged = judged_labels(gold_rows)
    gold = {(g["ar_id"], g["en_id"], g["label"]) for g in gold_rows}
    counts = {label: [[0, 0] for _ in range(RELIABILITY_BINS)] for label in sorted(judged)}
    for link in links:
        if link["label"] not in counts or link.get("probability") is None:
            continue
        k = min(int(float(link["probability"]) * RELIABILITY_BINS), RELIABILITY_BINS - 1)
        counts[link["label"]][k][0] += 1
        counts[link["label"]][k][1] += (link["ar_id"], link["en_id"], link["label"]) in gold
    return counts


def add_reliability(total: dict, counts: dict) -> dict:
    """Two reliability counts (:func:`reliability_counts`) summed, label by label."""
    out = {label: [list(b) for b in bins] for label, bins in total.items()}
    for label, bins in counts.items():
        into = out.setdefault(label, [[0, 0] for _ in range(RELIABILITY_BINS)])
        for k, (n, right) in enumerate(bins):
            into[k][0] += n
            into[k][1] += right
    return out


def reliability_table(counts: dict) -> list[str]:
    """The reliability table: per label and probability bin, the links shown, how many are right, and the
    fraction right (what a reader may expect of a link shown at that probability)."""
    lines = ["| label | probability shown | links | right | fraction right |", "|---|---|---|---|---|"]
    for label, bins in sorted(counts.items()):
        for k, (n, right) in enumerate(bins):
            low, high = k / RELIABILITY_BINS, (k + 1) / RELIABILITY_BINS
            fraction = f"{right / n:.3f}" if n else "–"
            lines.append(f"| {label} | {low:.1f}–{high:.1f} | {n} | {right} | {fraction} |")
    return lines


def format_alignment_report(scores: dict) -> str:
    lines = [f"{'label':<12} {'P':>7} {'R':>7} {'F1':>7} {'pred':>6} {'gold':>6}"]
    for key, value in scores.items():
        if isinstance(value, dict) and "f1" in value:
            lines.append(
                f"{key:<12} {value['precision']:>7.4f} {value['recall']:>7.4f} {value['f1']:>7.4f} "
                f"{value['predicted']:>6} {value['gold']:>6}"
            )
    if "same_topic" in scores:
        t = scores["same_topic"]
        lines.append(f"same-topic pairs linked: {t['linked']}/{t['pairs']} ({t['rate']:.4f})")
    if "sections" in scores:
        lines.append(f"sections right: {scores['sections']['right']}/{scores['sections']['total']}")
    return "\n".join(lines)
