"""``make eval``: run the aligner on every gold set, score it, print a table and a JSON last line.

Comparable sets run in comparable mode, ``udhr-parallel`` in parallel mode; a naive mutual-best-cosine
baseline is scored beside the aligner on each comparable set. MT metrics are computed on the shared
system outputs; the FLORES sets run a second time with the real opus-mt-ar-en translations of their Arabic
(``NAME.mt.tsv`` from build-gold) to measure the MT path; and, when ``--mt-model`` is present locally, on
that model's translation of FLORES-200 devtest (written to ``<out>/flores200.<model>.hyp``; skipped, and
said so, when the model is absent). ``python -m pipeline eval suite`` prints what :func:`run_suite` returns.
"""

from __future__ import annotations

from pathlib import Path

from pipeline import config
from pipeline.evaluation.metrics import evaluate_alignment, evaluate_mt, prf, read_gold
from pipeline.progress import log
from pipeline.run import RunConfig, run_pipeline

SYSTEM_OUTPUTS = [
    ("nllb-200-distilled-600M.flores200-devtest.ara-eng.output", "flores200_devtest/eng_Latn.devtest"),
    ("opus-mt-tc-big-ar-en.flores200-devtest.ara-eng.output", "flores200_devtest/eng_Latn.devtest"),
    ("opus-mt-ar-en.flores101-devtest.ara-eng.output", "flores101_devtest/eng.devtest"),
]


def mutual_best_baseline(out: Path, gold_path: Path, enc) -> dict:
    """Link i–j when j is i's most similar English unit by raw cosine and i is j's (no threshold), with
    encoder ``enc``."""
    from pipeline.fileio import read_jsonl

    segments = read_jsonl(out / "segments.jsonl")
    ar = [s for s in segments if s["lang"] == "ar"]
    en = [s for s in segments if s["lang"] == "en"]
    sim = enc.encode([s["text"] for s in ar], "ar") @ enc.encode([s["text"] for s in en], "en").T
    rb, cb = sim.argmax(1), sim.argmax(0)
    pred = {(ar[i]["id"], en[int(rb[i])]["id"]) for i in range(len(ar)) if cb[rb[i]] == i}
    gold = {(g["ar_id"], g["en_id"]) for g in read_gold(gold_path) if g["label"] == "equivalent"}
    return prf(pred, gold)


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


def run_and_score(config: RunConfig, gold_path: Path, tuned_on: bool) -> dict:
    """Run the pipeline as ``config`` says and score its links against ``gold_path``."""
    run_pipeline(config)
    scores = evaluate_alignment(config.out, gold_path)
    return {
        "equivalent": scores.get("equivalent"),
        "related": scores.get("related"),
        "sections": scores.get("sections"),
        "tuned_on": tuned_on,
    }


def table_row(name: str, entry: dict, baseline: dict | None = None) -> str:
    """One row of the printed table: equivalent P/R/F1, the baseline's F1, related F1, sections right."""
    eq = entry["equivalent"] or {}
    sections = entry["sections"]
    cells = [
        name,
        "tune" if entry["tuned_on"] else "test",
        f"{eq.get('precision', 0):.4f}",
        f"{eq.get('recall', 0):.4f}",
        f"{eq.get('f1', 0):.4f}",
        f"{baseline.get('f1', float('nan')):.4f}" if baseline is not None else "",
        f"{(entry['related'] or {}).get('f1', float('nan')):.4f}",
        f"{sections['right']}/{sections['total']}" if sections else "",
    ]
    return "| " + " | ".join(cells) + " |"


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
    baseline_encoder = None  # loaded once, for every comparable set's baseline
    for gold_path in sorted(gold.glob("*.gold.tsv")):
        name = gold_path.name.removesuffix(".gold.tsv")
        mode = "parallel" if name.endswith("-parallel") else "comparable"
        out = out_dir / name
        log(f"eval: {name} ({mode})")
        texts = {"ar": [gold / f"{name}.ar.txt"], "en": [gold / f"{name}.en.txt"]}
        entry = run_and_score(
            RunConfig(ar=texts["ar"], en=texts["en"], out=out, mode=mode, formats=("jsonl",), cache=None),
            gold_path,
            name.endswith("-tune"),
        )
        if mode == "comparable":
            baseline_encoder = baseline_encoder or get_encoder(config.ENCODER)
            entry["baseline_mutual_best"] = mutual_best_baseline(out, gold_path, baseline_encoder)
        summary["alignment"][name] = entry
        rows.append(table_row(name, entry, entry.get("baseline_mutual_best") or {}))
        mt_file = gold / f"{name}.mt.tsv"
        if mt_file.is_file():
            # The same set with real MT of the Arabic (opus-mt-ar-en's shared outputs) as translations.
            log(f"eval: {name} with MT")
            with_mt = run_and_score(
                RunConfig(
                    ar=texts["ar"],
                    en=texts["en"],
                    out=out_dir / f"{name}+mt",
                    translations=mt_file,
                    formats=("jsonl",),
                    cache=None,
                ),
                gold_path,
                entry["tuned_on"],
            )
            summary["alignment"][f"{name} + MT"] = with_mt
            rows.append(table_row(f"{name} + MT", with_mt))
    corpus_gold = config.CORPUS_GOLD
    if corpus_gold.is_file():
        # The project corpus against its hand-labelled links: no equivalents, a few specific related ones.
        log("eval: corpus (hand-labelled links)")
        corpus = run_and_score(RunConfig(out=out_dir / "corpus", formats=("jsonl",), cache=None), corpus_gold, False)
        summary["alignment"]["corpus"] = corpus
        rel, eq = corpus["related"], corpus["equivalent"] or {"predicted": 0}
        rows.append(
            f"| corpus (hand-labelled; related P {rel['precision']:.4f} R {rel['recall']:.4f}; "
            f"{eq['predicted']} equivalent predicted) | test | | | | | {rel['f1']:.4f} | |"
        )
    lines = [
        "| set | role | P (equivalent) | R | F1 | mutual-best F1 | related F1 | sections |",
        "|---|---|---|---|---|---|---|---|",
    ]
    lines += rows
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
