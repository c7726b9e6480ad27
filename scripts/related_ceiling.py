"""How far the encoder's similarities can take `related` links on a purely comparable gold set.

A related gold set (``build-gold``'s ``flores-related-*``) pairs each Arabic sentence with the English
document holding the rest of its article. Whatever model sits on top, a link is only right when the
right document scores best, so the share of gold-linked Arabic paragraphs whose gold document is their
best-scoring document bounds the recall of a decision that links one story per paragraph. Measured
three ways, each with the story score the aligner uses (a paragraph's best plus mean cosine with the
document's paragraphs, ``features.doc_best`` + ``features.doc_mean``):

- ``alone``: the paragraph's own score;
- ``window``: summed with its neighbours' (i − 1, i, i + 1), as the ``story`` feature does;
- ``oracle segments``: summed over the gold story the paragraph belongs to (consecutive Arabic paragraphs
  with the same gold document), the best a story segmentation could do with these scores.

``--thresholds`` adds what the shipped link model's ranking allows on the set: related P/R/F1 at the
shipped threshold and cap, and the best F1 with precision at least the calibration's target over the
calibration's whole grid of thresholds and caps, chosen on the set itself (an oracle: no threshold
chosen on tune sets can do better on this set, so a target above it needs a better ranking, not a
better threshold).

Read-only analysis; it chooses nothing. ``--mt`` adds the same figures for the MT cosines (and the MT
link model) where the set has ``NAME.mt.tsv``.

    python scripts/related_ceiling.py --gold GOLD/flores-related-tune.gold.tsv GOLD/flores-related-test.gold.tsv
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from pipeline.align.features import doc_best, doc_indexes, doc_mean, variant
from pipeline.align.lexicon import load_lexicon
from pipeline.align.model import LinkModel, keep_links
from pipeline.align.settings import load_settings
from pipeline.config import ENCODER
from pipeline.encoders import get_encoder
from pipeline.evaluation import calibrate as cal


def gold_documents(data: dict) -> np.ndarray:
    """Each Arabic row's gold document index (related or equivalent gold), −1 where it has none."""
    en_doc = doc_indexes(data["en"])
    row = {r.id: k for k, r in enumerate(data["ar"])}
    col = {r.id: k for k, r in enumerate(data["en"])}
    out = np.full(len(data["ar"]), -1, dtype=np.int64)
    for ar_id, en_id in sorted(data["gold"]["related"] | data["gold"]["equivalent"]):
        out[row[ar_id]] = en_doc[col[en_id]]
    return out


def story_matrix(cos: np.ndarray, en_doc: np.ndarray) -> np.ndarray:
    """(n_ar, n_docs) best plus mean cosine of each Arabic row with each English document."""
    rows, cols = np.indices(cos.shape)
    i, j = rows.ravel(), cols.ravel()
    n_docs = int(en_doc.max()) + 1
    pair_doc = en_doc[j]
    return doc_best(i, pair_doc, cos.ravel(), cos.shape[0], n_docs) + doc_mean(
        i, pair_doc, cos.ravel(), cos.shape[0], n_docs
    )


def gold_segments(gold_doc: np.ndarray) -> np.ndarray:
    """Segment number of each Arabic row: a new segment wherever the gold document changes (rows with no
    gold document are segments of their own)."""
    change = np.r_[True, (gold_doc[1:] != gold_doc[:-1]) | (gold_doc[1:] < 0)]
    return np.cumsum(change) - 1


def best_document_accuracy(story: np.ndarray, gold_doc: np.ndarray) -> dict[str, float]:
    """Share of gold-linked rows whose gold document scores best: alone, in a ±1 window, over the gold segment."""
    linked = gold_doc >= 0
    window = story.copy()
    window[1:] += story[:-1]
    window[:-1] += story[1:]
    segment = gold_segments(gold_doc)
    pooled = np.zeros((int(segment.max()) + 1, story.shape[1]))
    np.add.at(pooled, segment, story)

    def share(scores: np.ndarray) -> float:
        return round(float((scores.argmax(axis=1) == gold_doc)[linked].mean()), 4)

    return {"alone": share(story), "window": share(window), "oracle segments": share(pooled[segment])}


def threshold_ceiling(data: dict, settings, lexicon, use_mt: bool) -> dict:
    """Related P/R/F1 of the shipped link model (``settings``; the variant a run with ``lexicon``, this
    machine's dictionary or None, uses) at its own threshold and cap, and at the grid point with the best
    F1 among those with precision at least ``calibrate.PRECISION_TARGET`` on this set."""
    cal.set_anchors(data)  # as calibrate: the equivalent decision reads them, and related links never overlap it
    name = variant(lexicon is not None, use_mt)
    model = LinkModel.from_json(settings.link_models[name])
    cand = cal.related_candidates(data, settings, lexicon, use_mt)
    probability = model.probability(cand["features"])
    gold = set(np.nonzero(cand["labels"]["related"])[0].tolist())

    def score(threshold: float, cap: int) -> dict:
        kept = keep_links(cand["pairs"].i, probability, ~cand["equivalent"], threshold, cap)
        return {k: round(v, 4) for k, v in cal.pooled([set(np.nonzero(kept)[0].tolist())], [gold]).items()}

    grid = [(score(float(t), cap), float(t), cap) for cap in cal.LINK_CAPS for t in cal.PROBABILITY_THRESHOLDS]
    meeting = [g for g in grid if g[0]["precision"] >= cal.PRECISION_TARGET]
    best = max(meeting, key=lambda g: g[0]["f1"]) if meeting else None
    return {
        "model": name,
        "shipped": {**score(model.threshold, model.max_links), "threshold": model.threshold, "cap": model.max_links},
        f"best with precision >= {cal.PRECISION_TARGET}": {**best[0], "threshold": best[1], "cap": best[2]}
        if best
        else None,
    }


def measure(gold_path: Path, encoder, mt: bool, shipped: tuple | None = None) -> dict:
    """``shipped``: the settings and dictionary (``load_settings()``, ``load_lexicon()``) for ``--thresholds``."""
    data = cal.load_gold_set(gold_path, encoder)
    gold_doc = gold_documents(data)
    en_doc = doc_indexes(data["en"])
    out = {
        "set": data["name"],
        "arabic rows": len(gold_doc),
        "gold-linked rows": int((gold_doc >= 0).sum()),
        "encoder": best_document_accuracy(story_matrix(data["cos"], en_doc), gold_doc),
    }
    if mt and "mt_cos" in data:
        out["mt"] = best_document_accuracy(story_matrix(data["mt_cos"], en_doc), gold_doc)
    if shipped:
        settings, lexicon = shipped
        out["link model"] = threshold_ceiling(data, settings, lexicon, use_mt=False)
        if mt and "mt_cos" in data:
            out["link model, mt"] = threshold_ceiling(data, settings, lexicon, use_mt=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gold", type=Path, nargs="+", required=True, help="related gold sets (*.gold.tsv)")
    parser.add_argument("--encoder", default=ENCODER)
    parser.add_argument("--mt", action="store_true", help="also with the MT cosines (NAME.mt.tsv)")
    parser.add_argument(
        "--thresholds", action="store_true", help="also the shipped link model's best F1 at the precision target"
    )
    args = parser.parse_args()
    encoder = get_encoder(args.encoder)
    shipped = (load_settings(), load_lexicon()) if args.thresholds else None  # loaded once for every set
    for path in args.gold:
        print(json.dumps(measure(path, encoder, args.mt, shipped), ensure_ascii=False))


if __name__ == "__main__":
    main()
