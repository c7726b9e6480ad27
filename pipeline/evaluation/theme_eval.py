"""``eval themes``: how well the theme layer finds the theme gold it was not tuned on.

- FLORES theme runs (``GOLD/theme-runs-{tune,test}/``, written by build-gold): each run goes through the
  whole pipeline, without MT and with the real opus-mt-ar-en translations of its Arabic (``NAME.mt.tsv``);
  ``theme`` links are scored against the ``theme`` gold pooled over the runs of each half, with two
  baselines: a paragraph-cosine threshold (chosen for the best F1 on the tune runs) and the links the aligner
  made before themes existed (``related``, scored as if they were theme links);
- STS-2017 ar–en (when its TSV is at ``extra``): Spearman's rank correlation of the theme probability, and
  of the paragraph cosine, with the graded gold;
- newsframing (when its TSV is at ``extra``): theme P/R/F1 of the Arabic × English headline pairs of a half,
  a pair right when the two headlines share a frame;
- the corpus (reported only, never tuned on): against ``corpus/links.gold.tsv`` read by a person, the recall
  of the ``strong`` pairs, the precision of every link (a link is right when its pair is in the gold at all,
  strong, acceptable or ``related``), and the statement's paragraphs with at least one right link.
Scoring returns data; the table is built by :func:`theme_table`.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from pipeline import config
from pipeline.evaluation.gold import gold_texts
from pipeline.evaluation.metrics import prf
from pipeline.evaluation.theme_calibrate import load_theme_run, read_theme_gold
from pipeline.fileio import read_jsonl
from pipeline.progress import log
from pipeline.run import RunConfig, run_pipeline


def _links(out: Path) -> list[dict]:
    return read_jsonl(out / "alignments.jsonl")


def run_theme_set(gold_path: Path, out: Path, with_mt: bool) -> dict:
    """Run the pipeline on one theme run; its links by label and its gold."""
    texts = gold_texts(gold_path)
    name = gold_path.name.removesuffix(".gold.tsv")
    translations = gold_path.with_name(f"{name}.mt.tsv") if with_mt else None
    config_ = RunConfig(
        ar=texts["ar"], en=texts["en"], out=out, formats=("jsonl",), cache=None, translations=translations
    )
    run_pipeline(config_)
    links = _links(out)
    return {
        "theme": {(l["ar_id"], l["en_id"]) for l in links if l["label"] == "theme"},
        "related": {(l["ar_id"], l["en_id"]) for l in links if l["label"] == "related"},
        "any": {(l["ar_id"], l["en_id"]) for l in links},
        "gold": read_theme_gold(gold_path).get("theme", set()),
    }


def pooled_prf(runs: list[dict], key: str) -> dict:
    """P/R/F1 of ``key``'s links against the theme gold, pooled over the runs."""
    pred = {(k, p) for k, r in enumerate(runs) for p in r[key]}
    gold = {(k, p) for k, r in enumerate(runs) for p in r["gold"]}
    return prf(pred, gold)


def cosine_baseline(runs: list[dict], threshold: float) -> dict:
    """P/R/F1 of "a pair is a theme link when its paragraph cosine reaches ``threshold``" over loaded runs."""
    pred, gold = set(), set()
    for k, run in enumerate(runs):
        for m in np.nonzero(run["cosine"] >= threshold)[0].tolist():
            pred.add((k, m))
        for m in np.nonzero(run["y"])[0].tolist():
            gold.add((k, m))
    return prf(pred, gold)


def tuned_cosine_threshold(runs: list[dict], precision: float = 0.0) -> float:
    """The cosine threshold with the best pooled F1 on ``runs`` among those whose pooled precision reaches
    ``precision`` (none does: the most precise; of equal F1, the higher threshold)."""
    grid = [float(t) for t in np.round(np.arange(0.10, 0.91, 0.01), 2)]
    scored = [(cosine_baseline(runs, t), t) for t in grid]
    return max(
        scored,
        key=lambda x: (
            x[0]["precision"] >= precision,
            x[0]["f1"] if x[0]["precision"] >= precision else x[0]["precision"],
            x[1],
        ),
    )[1]


def ranking_quality(runs: list[dict], use_mt: bool) -> dict:
    """Average precision over every pair of ``runs`` (loaded by ``load_theme_run``) of the shipped theme
    model's probability and of the paragraph cosine alone: how well each ranks theme pairs first, whatever
    the threshold."""
    from pipeline.align.lexicon import load_glossary
    from pipeline.evaluation.theme_calibrate import average_precision, run_features
    from pipeline.encoders import get_encoder
    from pipeline.themes.settings import load_theme_settings, theme_variant

    settings = load_theme_settings()
    glossary = load_glossary()
    model = settings.model(theme_variant(glossary is not None, use_mt))
    assert model is not None
    encoder = get_encoder(config.ENCODER)
    probability = np.concatenate(
        [model.probability(run_features(r, settings, encoder, glossary, use_mt)) for r in runs]
    )
    labels = np.concatenate([r["y"] for r in runs])
    cosine = np.concatenate([r["cosine"] for r in runs])
    return {
        "theme_model_ap": round(average_precision(probability, labels), 4),
        "cosine_ap": round(average_precision(cosine, labels), 4),
        "pairs": int(len(labels)),
        "positives": int(labels.sum()),
    }


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    """Spearman's rank correlation (average ranks for ties)."""

    def ranks(x: np.ndarray) -> np.ndarray:
        order = np.argsort(x, kind="stable")
        r = np.empty(len(x), dtype=np.float64)
        r[order] = np.arange(len(x), dtype=np.float64)
        for value in np.unique(x):
            tied = x == value
            r[tied] = r[tied].mean()
        return r

    ra, rb = ranks(np.asarray(a, dtype=np.float64)), ranks(np.asarray(b, dtype=np.float64))
    return float(np.corrcoef(ra, rb)[0, 1])


def pair_scores(ar_texts: list[str], en_texts: list[str], encoder) -> dict[str, np.ndarray]:
    """The theme probability (the model without MT the settings have for this machine) and the paragraph
    cosine of each (ar_texts[k], en_texts[k]) pair, the texts taken as one run."""
    from pipeline.align.lexicon import load_glossary
    from pipeline.themes.link import pair_variants, prepare_themes, theme_features
    from pipeline.themes.passages import embed_side, sentence_texts
    from pipeline.themes.settings import load_theme_settings

    settings = load_theme_settings()
    lexicon = load_glossary()
    ar_vecs, en_vecs = encoder.encode(ar_texts, "ar"), encoder.encode(en_texts, "en")
    i = j = np.arange(len(ar_texts))
    cosine = np.einsum("pd,pd->p", ar_vecs, en_vecs)
    inputs = prepare_themes(ar_texts, en_texts, None, encoder, lexicon, settings)
    ar = embed_side(ar_vecs, [sentence_texts(t) for t in ar_texts], "ar", encoder)
    en = embed_side(en_vecs, [sentence_texts(t) for t in en_texts], "en", encoder)
    features = theme_features(inputs, i, j, ar, en, None, settings)
    model = settings.model(str(pair_variants(inputs, i)[0]))
    assert model is not None
    return {"probability": model.probability(features), "cosine": cosine, "threshold": model.threshold}


def sts_scores(extra: Path, encoder) -> dict | None:
    from pipeline.evaluation.theme_gold import STS_FILE, sts_pairs

    if not (Path(extra) / STS_FILE).is_file():
        return None
    out = {}
    for half in ("tune", "test"):
        pairs = sts_pairs(half, extra)
        scores = pair_scores([a for a, _, _ in pairs], [e for _, e, _ in pairs], encoder)
        gold = np.asarray([g for _, _, g in pairs])
        out[half] = {
            "pairs": len(pairs),
            "spearman_theme": round(spearman(scores["probability"], gold), 4),
            "spearman_cosine": round(spearman(scores["cosine"], gold), 4),
        }
    return out


def newsframing_scores(extra: Path, encoder, half: str = "test") -> dict | None:
    """Theme P/R/F1 over every Arabic × English headline pair of ``half`` (one run of all the headlines)."""
    from pipeline.align.lexicon import load_glossary
    from pipeline.themes.link import decide_themes, pair_variants, prepare_themes, theme_features
    from pipeline.themes.passages import embed_side
    from pipeline.themes.settings import load_theme_settings

    from pipeline.evaluation.theme_gold import NEWSFRAMING_FILE, newsframing_headlines

    if not (Path(extra) / NEWSFRAMING_FILE).is_file():
        return None
    headlines = newsframing_headlines(half, extra)
    ar = [h for h in headlines if h["lang"] == "ar"]
    en = [h for h in headlines if h["lang"] == "en"]
    settings = load_theme_settings()
    ar_vecs = encoder.encode([h["text"] for h in ar], "ar")
    en_vecs = encoder.encode([h["text"] for h in en], "en")
    i, j = (x.ravel() for x in np.indices((len(ar), len(en))))
    inputs = prepare_themes([h["text"] for h in ar], [h["text"] for h in en], None, encoder, load_glossary(), settings)
    ar_side = embed_side(ar_vecs, [[h["text"]] for h in ar], "ar", encoder)
    en_side = embed_side(en_vecs, [[h["text"]] for h in en], "en", encoder)
    features = theme_features(inputs, i, j, ar_side, en_side, None, settings)
    _, linked = decide_themes(i, features, pair_variants(inputs, i), np.ones(len(i), dtype=bool), settings)
    gold = {k for k, (a, b) in enumerate(zip(i, j, strict=True)) if ar[a]["frames"] & en[b]["frames"]}
    return {"half": half, **prf(set(np.nonzero(linked)[0].tolist()), gold)}


def corpus_scores(out: Path, gold_path: Path = config.CORPUS_GOLD) -> dict:
    """The corpus run at ``out`` against the hand labels (reported only)."""
    with Path(gold_path).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader((line for line in handle if not line.startswith("#")), delimiter="\t"))
    labelled = {(r["ar_id"], r["en_id"]) for r in rows}
    strong = {(r["ar_id"], r["en_id"]) for r in rows if r.get("strength") == "strong"}
    links = _links(out)
    predicted = {(l["ar_id"], l["en_id"]) for l in links}
    statement = [r for r in read_jsonl(out / "segments.jsonl") if r["lang"] == "ar"]
    right_paragraphs = {a for a, e in predicted & labelled}
    return {
        "links": len(predicted),
        "by_label": {lab: sum(1 for l in links if l["label"] == lab) for lab in ("equivalent", "related", "theme")},
        "precision_all_links": round(len(predicted & labelled) / len(predicted), 4) if predicted else None,
        "strong_recall": round(len(predicted & strong) / len(strong), 4) if strong else None,
        "strong": len(strong),
        "paragraphs_with_a_right_link": len(right_paragraphs & {r["id"] for r in statement}),
        "content_paragraphs": len(statement),
    }


def run_theme_eval(gold: Path, out_dir: Path, extra: Path | None = None) -> dict:
    """Every figure of the module docstring. Runs go under ``out_dir``."""
    from pipeline.encoders import get_encoder

    encoder = get_encoder(config.ENCODER)
    summary: dict = {"flores": {}, "sts": None, "newsframing": None, "corpus": None}
    from pipeline.evaluation.theme_calibrate import PRECISION_TARGET

    tune_runs = [load_theme_run(p, encoder) for p in sorted((gold / "theme-runs-tune").glob("*.gold.tsv"))]
    threshold = tuned_cosine_threshold(tune_runs) if tune_runs else None
    at_target = tuned_cosine_threshold(tune_runs, PRECISION_TARGET["no mt"]) if tune_runs else None
    for half in ("tune", "test"):
        paths = sorted((gold / f"theme-runs-{half}").glob("*.gold.tsv"))
        if not paths:
            continue
        loaded = tune_runs if half == "tune" else [load_theme_run(p, encoder) for p in paths]
        for with_mt in (False, True):
            log(f"eval themes: {half}{' + MT' if with_mt else ''} ({len(paths)} runs)")
            runs = [
                run_theme_set(p, out_dir / f"{p.name.removesuffix('.gold.tsv')}{'+mt' if with_mt else ''}", with_mt)
                for p in paths
            ]
            summary["flores"][f"{half}{' + MT' if with_mt else ''}"] = {
                "runs": len(runs),
                "theme": pooled_prf(runs, "theme"),
                "any_link": pooled_prf(runs, "any"),
                "related_as_theme": pooled_prf(runs, "related"),
                "cosine_baseline": {"threshold": threshold, **cosine_baseline(loaded, threshold or 1.0)},
                "cosine_at_target": {"threshold": at_target, **cosine_baseline(loaded, at_target or 1.0)},
                "ranking": ranking_quality(loaded, with_mt),
                "tuned_on": half == "tune",
            }
    if extra is not None:
        summary["sts"] = sts_scores(extra, encoder)
        summary["newsframing"] = newsframing_scores(extra, encoder)
    if config.CORPUS_GOLD.is_file():
        out = out_dir / "corpus"
        run_pipeline(RunConfig(out=out, formats=("jsonl",), cache=None))
        summary["corpus"] = corpus_scores(out)
    return summary


def theme_table(summary: dict) -> list[str]:
    """The summary as Markdown table lines."""

    def cells(s: dict) -> str:
        return f"{s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} | {s['correct']}/{s['predicted']}/{s['gold']}"

    lines = [
        "| theme runs | theme P | theme R | theme F1 | right/links/gold "
        "| cosine at the same precision target P / R / F1 | cosine, best F1 | related-as-theme F1 "
        "| AP: theme model / cosine |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, entry in summary["flores"].items():
        at = entry["cosine_at_target"]
        lines.append(
            f"| {name}{' (tuned on)' if entry['tuned_on'] else ''} | {cells(entry['theme'])} | "
            f"{at['precision']:.3f} / {at['recall']:.3f} / {at['f1']:.3f} | {entry['cosine_baseline']['f1']:.3f} | "
            f"{entry['related_as_theme']['f1']:.3f} | "
            f"{entry['ranking']['theme_model_ap']:.3f} / {entry['ranking']['cosine_ap']:.3f} |"
        )
    if summary.get("sts"):
        for half, s in summary["sts"].items():
            lines.append(
                f"STS-2017 ar-en {half}: Spearman theme probability {s['spearman_theme']:.3f}, "
                f"cosine {s['spearman_cosine']:.3f} ({s['pairs']} pairs)"
            )
    if summary.get("newsframing"):
        s = summary["newsframing"]
        lines.append(
            f"newsframing {s['half']} (a shared frame): theme P {s['precision']:.3f} "
            f"R {s['recall']:.3f} F1 {s['f1']:.3f}"
        )
    if summary.get("corpus"):
        c = summary["corpus"]
        lines.append(
            f"corpus (reported only): {c['links']} links {c['by_label']}, precision over all links "
            f"{c['precision_all_links']}, strong recall {c['strong_recall']} ({c['strong']} strong), "
            f"{c['paragraphs_with_a_right_link']} of {c['content_paragraphs']} paragraphs with a right link"
        )
    return lines
