"""``make eval``: run the aligner on every gold set, score it, print a table and a JSON last line.

Comparable sets run in comparable mode, ``udhr-parallel`` in parallel mode; naive baselines are scored
beside the aligner on each comparable set (mutual best cosine for equivalent links; a cosine threshold
and mutual top-k, tuned by ``calibrate`` on the tune sets, for related links). MT metrics are computed on the shared
system outputs; the FLORES sets run a second time with the real opus-mt-ar-en translations of their Arabic
(``NAME.mt.tsv`` from build-gold) to measure the MT path; and, when ``--mt-model`` is present locally, on
that model's translation of FLORES-200 devtest (written to ``<out>/flores200.<model>.hyp``; skipped, and
said so, when the model is absent). The corpus-shaped bundles (``GOLD/{tune,test}-bundles/``, many small
runs) are scored together, one row each half (:func:`pool_entries`). ``python -m pipeline eval suite``
prints what :func:`run_suite` returns.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np

from pipeline import config
from pipeline.align.settings import DEFAULT_SETTINGS_PATH
from pipeline.evaluation.gold import gold_texts
from pipeline.evaluation.metrics import (
    add_reliability,
    evaluate_alignment,
    evaluate_mt,
    prf,
    read_gold,
    reliability_table,
)
from pipeline.generated import markdown_table
from pipeline.progress import log
from pipeline.run import RunConfig, run_pipeline

SYSTEM_OUTPUTS = [
    ("nllb-200-distilled-600M.flores200-devtest.ara-eng.output", "flores200_devtest/eng_Latn.devtest"),
    ("opus-mt-tc-big-ar-en.flores200-devtest.ara-eng.output", "flores200_devtest/eng_Latn.devtest"),
    ("opus-mt-ar-en.flores101-devtest.ara-eng.output", "flores101_devtest/eng.devtest"),
]


def baselines(out: Path, gold_path: Path, enc, tuned: dict) -> dict:
    """The naive baselines on a finished run's paragraphs, with encoder ``enc``: mutual best cosine (no
    threshold) scored on equivalent links; a cosine threshold and mutual top-k (their settings tuned by
    ``calibrate`` on the tune sets: ``tuned``) scored on related links, pairs of equivalent gold aside."""
    from pipeline.align.features import rank_within
    from pipeline.evaluation.metrics import NEGATIVE
    from pipeline.fileio import read_jsonl

    segments = read_jsonl(out / "segments.jsonl")
    ar = [s for s in segments if s["lang"] == "ar"]
    en = [s for s in segments if s["lang"] == "en"]
    sim = enc.encode([s["text"] for s in ar], "ar") @ enc.encode([s["text"] for s in en], "en").T
    rb, cb = sim.argmax(1), sim.argmax(0)
    gold = read_gold(gold_path)
    equivalent = {(g["ar_id"], g["en_id"]) for g in gold if g["label"] == "equivalent"}
    related = {(g["ar_id"], g["en_id"]) for g in gold if g["label"] not in ("equivalent", NEGATIVE)}
    out_scores = {
        "mutual_best": prf({(ar[i]["id"], en[int(rb[i])]["id"]) for i in range(len(ar)) if cb[rb[i]] == i}, equivalent)
    }
    story_set = bool(related) or any(g["label"] == NEGATIVE for g in gold)  # a bundle may have no related gold
    if story_set and tuned:
        i, j = (a.ravel() for a in np.indices(sim.shape))
        flat = sim.ravel()

        def ids(mask):
            return {(ar[a]["id"], en[b]["id"]) for a, b in zip(i[mask], j[mask], strict=True)} - equivalent

        k = tuned["mutual_top_k"]
        out_scores["cosine_threshold"] = prf(ids(flat >= tuned["cosine_threshold"]), related)
        out_scores["mutual_top_k"] = prf(ids((rank_within(i, flat) < k) & (rank_within(j, flat) < k)), related)
    return out_scores


def translate_flores(mt_model: str | None, mt_backend: str, shared: Path, out: Path) -> dict | None:
    """BLEU/chrF/chrF++ of ``mt_model`` on FLORES-200 devtest Arabic→English, or None when the model is not
    in models/ or a local folder (no download here)."""
    from pipeline.mt.models import resolve_model

    if not mt_model or mt_model == "none":
        return None
    _, is_local = resolve_model(mt_model)
    if not is_local:
        log(f"eval: MT model {mt_model} is not in models/ (`make models` downloads it): FLORES-200 translation skipped")
        return None
    model_name = Path(mt_model).name if Path(mt_model).is_dir() else mt_model.replace("/", "--")
    hyp = out / f"flores200.{model_name}.{mt_backend}.hyp"
    log(f"eval: translating FLORES-200 devtest with {mt_model} ({mt_backend}) → {hyp}")
    out.mkdir(parents=True, exist_ok=True)
    return evaluate_mt(
        hyp,
        shared / "flores200_devtest" / "eng_Latn.devtest",
        src=shared / "flores200_devtest" / "arb_Arab.devtest",
        mt_model=mt_model,
        mt_backend=mt_backend,
        cache_dir=config.CACHE,
    )["json"]


def pool_prf(scores: list[dict | None]) -> dict | None:
    """P/R/F1 of several runs' scores of one label together (their counts summed), as ``prf`` gives them;
    None when no run has the label."""
    present = [x for x in scores if x]
    if not present:
        return None
    correct, predicted, gold = (sum(x[key] for x in present) for key in ("correct", "predicted", "gold"))
    # The same conventions as prf: nothing predicted of nothing is precise; nothing to find is found.
    precision = correct / predicted if predicted else (1.0 if not gold else 0.0)
    recall = correct / gold if gold else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "predicted": predicted,
        "gold": gold,
        "correct": correct,
    }


def pool_entries(entries: list[dict], tuned_on: bool) -> dict:
    """One entry for many small runs (the corpus-shaped bundles): every label's and baseline's counts
    pooled, and the share of same-topic pairs linked over all runs."""
    topics = [e["same_topic"] for e in entries if e.get("same_topic")]
    pairs, linked = sum(t["pairs"] for t in topics), sum(t["linked"] for t in topics)
    pooled = {label: pool_prf([e.get(label) for e in entries]) for label in ("equivalent", "overall")}
    pooled["related"] = pool_prf([e.get("related_counts") for e in entries])
    base_keys = sorted({k for e in entries for k in e.get("baselines", {})})
    return {
        **pooled,
        "same_topic": {"pairs": pairs, "linked": linked, "rate": round(linked / pairs, 4)} if pairs else None,
        "reliability": pooled_reliability(entries),
        "sections": None,
        "tuned_on": tuned_on,
        "runs": len(entries),
        "baselines": {k: pool_prf([e.get("baselines", {}).get(k) for e in entries]) for k in base_keys},
    }


def pooled_reliability(entries: list[dict]) -> dict:
    """The entries' reliability counts (``metrics.reliability_counts``) summed."""
    total: dict = {}
    for entry in entries:
        total = add_reliability(total, entry.get("reliability") or {})
    return total


def run_and_score(config: RunConfig, gold_path: Path, tuned_on: bool) -> dict:
    """Run the pipeline as ``config`` says and score its links against ``gold_path``."""
    run_pipeline(config)
    scores = evaluate_alignment(config.out, gold_path)
    has_related = any(g["label"] == "related" for g in read_gold(gold_path))
    return {
        "equivalent": scores.get("equivalent"),
        "related": scores.get("related") if has_related else None,
        # Counted even without related gold: pooled with other runs, this run's links are false ones.
        "related_counts": scores.get("related"),
        "overall": scores.get("overall"),
        "same_topic": scores.get("same_topic"),
        "sections": scores.get("sections"),
        "reliability": scores.get("reliability"),
        "tuned_on": tuned_on,
    }


def score_gold_set(gold_path: Path, out: Path, tuned_on: bool, encoder, tuned: dict) -> tuple[dict, dict | None]:
    """Run and score one gold set into ``out`` (``*-parallel`` sets in parallel mode; comparable ones with the
    baselines, ``encoder()`` giving their encoder, ``tuned`` their settings), and again with real MT of the
    Arabic into ``out+mt`` when ``NAME.mt.tsv`` lies beside it (opus-mt-ar-en's shared outputs as
    translations). Returns the entry and the MT entry (None without MT)."""
    name = gold_path.name.removesuffix(".gold.tsv")
    mode = "parallel" if name.endswith("-parallel") else "comparable"
    texts = gold_texts(gold_path)
    run_config = RunConfig(ar=texts["ar"], en=texts["en"], out=out, mode=mode, formats=("jsonl",), cache=None)
    entry = run_and_score(run_config, gold_path, tuned_on)
    if mode == "comparable":
        entry["baselines"] = baselines(out, gold_path, encoder(), tuned)
    mt_file = gold_path.with_name(f"{name}.mt.tsv")
    if not mt_file.is_file():
        return entry, None
    mt_config = RunConfig(
        ar=texts["ar"],
        en=texts["en"],
        out=out.with_name(f"{out.name}+mt"),
        translations=mt_file,
        formats=("jsonl",),
        cache=None,
    )
    return entry, run_and_score(mt_config, gold_path, tuned_on)


TABLE_HEADER = (
    "| set | role | equivalent P | equivalent R | equivalent F1 | mutual-best F1 | related P | related R "
    "| related F1 | cosine-threshold F1 | mutual-top-k F1 | any-link F1 | same-topic linked | sections |"
)


def score_cells(scores: dict | None) -> list[str]:
    """P, R and F1 of one label, or "n/a" when the gold set has no link of that label (nothing to score:
    a set of translations has no related links, the corpus no equivalent ones)."""
    if not scores or not scores.get("gold"):
        predicted = (scores or {}).get("predicted", 0)
        return ["n/a" if not predicted else f"n/a ({predicted} predicted)", "n/a", "n/a"]
    return [f"{scores['precision']:.4f}", f"{scores['recall']:.4f}", f"{scores['f1']:.4f}"]


def table_row(name: str, entry: dict, base: dict | None = None) -> str:
    """One row of the printed table: equivalent P/R/F1 and the mutual-best baseline's F1; related P/R/F1
    and the two related baselines' F1 (``base``: baseline name → scores); any-link F1; the share of
    same-topic pairs linked; sections right. "n/a" where the set has nothing to score."""
    base = base or {}
    sections, topic = entry["sections"], entry.get("same_topic")
    has = {label: bool((entry.get(label) or {}).get("gold")) for label in ("equivalent", "related")}

    def f1(key: str, label: str) -> str:
        return f"{base[key]['f1']:.4f}" if key in base and has[label] else "n/a"

    cells = [
        name,
        "tune" if entry["tuned_on"] else "test",
        *score_cells(entry["equivalent"]),
        f1("mutual_best", "equivalent"),
        *score_cells(entry["related"]),
        f1("cosine_threshold", "related"),
        f1("mutual_top_k", "related"),
        f"{entry['overall']['f1']:.4f}" if entry.get("overall") and has["related"] else "n/a",
        f"{topic['rate']:.4f}" if topic else "n/a",
        f"{sections['right']}/{sections['total']}" if sections else "n/a",
    ]
    return "| " + " | ".join(cells) + " |"


def headline_table(summary: dict) -> list[str]:
    """The README's short table: each held-out test set (no tune set, not the corpus, whose hand labels
    mark shared details rather than stories) with its F1 for each label its gold has, without and with MT.
    A set aligned in parallel mode is scored by its sections (its paragraph links' F1 counts every
    paragraph of a 1-2 bead against a gold made section by section), so it gets a line under the table."""

    def cell(entry: dict | None, label: str, key: str) -> str:
        scores = (entry or {}).get(label) or {}
        return f"{scores[key]:.2f}" if scores.get("gold") else ""

    rows, notes = [], []
    for name, entry in summary["alignment"].items():
        if entry["tuned_on"] or name == "corpus" or name.endswith(" + MT"):
            continue
        if entry.get("sections"):
            right, total = entry["sections"]["right"], entry["sections"]["total"]
            notes.append(f"{name} (`--mode parallel`): {right} of {total} sections aligned right.")
            continue
        with_mt = summary["alignment"].get(f"{name} + MT")
        cells = [name]
        for scored in (entry, with_mt):
            cells += [
                cell(scored, "equivalent", "f1"),
                cell(scored, "related", "precision"),
                cell(scored, "related", "f1"),
            ]
        rows.append(cells)
    header = ["held-out set", "equivalent F1", "related P", "related F1", "with MT: equivalent F1", "related P"]
    return markdown_table([*header, "related F1"], rows) + [line for note in notes for line in ("", note)]


def short_summary(summary: dict, details: Path) -> dict:
    """The JSON last line: where the details are, and each set's headline figure."""

    def f1(entry: dict, label: str) -> float | None:
        scores = entry.get(label) or {}
        return scores.get("f1") if scores.get("gold") else None

    return {
        "details": str(details),
        "equivalent_f1": {
            name: f1(e, "equivalent") for name, e in summary["alignment"].items() if f1(e, "equivalent") is not None
        },
        "related_f1": {
            name: f1(e, "related") for name, e in summary["alignment"].items() if f1(e, "related") is not None
        },
        "bleu": {name: round(m["bleu"], 2) for name, m in summary["mt"].items()},
    }


def run_suite(
    gold: Path = config.GOLD,
    out_dir: Path = config.EVAL_OUT,
    shared: Path = config.SHARED_DATA,
    mt_model: str | None = None,
    mt_backend: str = config.MT_BACKEND,
) -> tuple[dict, list[str]]:
    """Run and score every gold set in ``gold`` (runs written under ``out_dir``), the corpus's hand-labelled
    links, the shared MT outputs, and ``mt_model`` on FLORES-200 devtest when it is present locally.
    Returns the summary (JSON-ready) and the table lines; printing is the caller's."""
    from pipeline.encoders import get_encoder

    summary: dict[str, dict] = {"alignment": {}, "mt": {}}
    rows = []

    @cache
    def baseline_encoder():  # loaded once, for every comparable set's baselines, and only if there is one
        return get_encoder(config.ENCODER)

    tuned = json.loads(DEFAULT_SETTINGS_PATH.read_text(encoding="utf-8")).get("baselines", {})
    for gold_path in sorted(gold.glob("*.gold.tsv")):
        name = gold_path.name.removesuffix(".gold.tsv")
        log(f"eval: {name}")
        entry, with_mt = score_gold_set(gold_path, out_dir / name, name.endswith("-tune"), baseline_encoder, tuned)
        summary["alignment"][name] = entry
        rows.append(table_row(name, entry, entry.get("baselines")))
        if with_mt is not None:
            summary["alignment"][f"{name} + MT"] = with_mt
            rows.append(table_row(f"{name} + MT", with_mt))
    for folder in sorted(p for p in gold.glob("*-bundles") if p.is_dir()):
        # Corpus-shaped bundles (build-gold): many small runs, scored together as one row (with and without MT).
        half = folder.name.removesuffix("-bundles")
        runs: dict[str, list[dict]] = {"": [], " + MT": []}
        log(f"eval: flores-bundles-{half} ({folder})")
        for gold_path in sorted(folder.glob("*.gold.tsv")):
            out = out_dir / folder.name / gold_path.name.removesuffix(".gold.tsv")
            entry, with_mt = score_gold_set(gold_path, out, half == "tune", baseline_encoder, tuned)
            runs[""].append(entry)
            if with_mt is not None:
                runs[" + MT"].append(with_mt)
        for suffix, entries in runs.items():
            if entries:
                pooled = pool_entries(entries, half == "tune")
                label = f"flores-bundles-{half}{suffix}"
                summary["alignment"][label] = pooled
                rows.append(table_row(f"{label} ({len(entries)} runs)", pooled, pooled["baselines"] or None))
    corpus_gold = config.CORPUS_GOLD
    if corpus_gold.is_file():
        # The project corpus against its hand-labelled links: no equivalents, a few specific related ones.
        log("eval: corpus (hand-labelled links)")
        corpus = run_and_score(RunConfig(out=out_dir / "corpus", formats=("jsonl",), cache=None), corpus_gold, False)
        summary["alignment"]["corpus"] = corpus
        rows.append(table_row("corpus (hand-labelled links)", corpus))
    lines = [TABLE_HEADER, "|---" * TABLE_HEADER.count(" | ") + "|---|"]
    lines += rows
    # How far the probability shown beside a link can be trusted: every held-out test run pooled (with and
    # without MT, the test bundles); the corpus is left out, its hand labels mark shared details, not stories.
    held_out = [e for name, e in summary["alignment"].items() if not e["tuned_on"] and name != "corpus"]
    summary["reliability"] = pooled_reliability(held_out)
    lines += ["", "Reliability of the probability shown beside each link, held-out test runs pooled:"]
    lines += reliability_table(summary["reliability"])
    for hyp, ref in SYSTEM_OUTPUTS:
        hyp_path, ref_path = shared / "mt_outputs" / hyp, shared / ref
        if hyp_path.is_file() and ref_path.is_file():
            summary["mt"][hyp] = evaluate_mt(hyp_path, ref_path)["json"]
            s = summary["mt"][hyp]
            lines.append(f"MT {hyp}: BLEU {s['bleu']:.2f} chrF {s['chrf']:.3f} chrF++ {s['chrf++']:.3f}")
    flores = translate_flores(mt_model, mt_backend, shared, out_dir)
    if flores:
        summary["mt"][f"{mt_model} ({mt_backend}, this run)"] = flores
        lines.append(
            f"MT {mt_model} on FLORES-200 devtest: BLEU {flores['bleu']:.2f} chrF {flores['chrf']:.3f} "
            f"chrF++ {flores['chrf++']:.3f}"
        )
    return summary, lines
