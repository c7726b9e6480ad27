"""Measure the dictionary feature's Arabic stemmers and the gloss-cosine feature on the tune sets.

For each stemmer: dictionary coverage (share of the Arabic content-word tokens of FLORES devtest whose
stem has a dictionary entry), the ``lexical`` feature's best related F1 alone on each related tune set
(every threshold on the feature, no cap, pairs decided ``equivalent`` left out) and the
``encoder+dictionary`` link model's tune figures with it (fit and threshold choice exactly as
``calibrate``, with the dictionary features ``--features``). ``gloss_cosine`` (the stemmer's gloss) is
measured alone the same way. Tune sets only (``build-gold`` output).

    python scripts/lexicon_study.py --gold GOLD --flores ../shared/data/flores200_devtest/arb_Arab.devtest

tashaphyne and qalsadi are GPL and not project dependencies: install them apart
(``pip install --target DIR tashaphyne qalsadi``) and pass ``--extra-path DIR`` to measure them; without
them their rows are skipped.
"""

from __future__ import annotations

import argparse
import json
import sys
from functools import lru_cache
from pathlib import Path

import numpy as np

from pipeline.align import features as feature_module
from pipeline.align import lexicon as lexicon_module
from pipeline.align.settings import load_settings
from pipeline.encoders import get_encoder
from pipeline.evaluation import calibrate as cal
from pipeline.text.normalize import arabic_key

_PREFIXES = ("وال", "بال", "كال", "فال", "لل", "ال", "و", "ف", "ب", "ل")
_SUFFIXES = ("ها", "ان", "ات", "ون", "ين", "يه", "ه", "ي")


def light_stem(word: str) -> str:
    """Larkey-style light10 stripping (on the matching key: ة folded to ه, ى to ي): one prefix, then
    suffixes while the word keeps three letters."""
    for prefix in _PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 2 + (prefix != "و"):
            word = word[len(prefix) :]
            break
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 2 + 1:
            word = word[: -len(suffix)]
    return word


def stemmer(name: str):
    if name == "snowball":
        return lexicon_module.arabic_stem
    if name == "snowball-raw":  # snowball on the word as written, folded afterwards (it handles ة itself)
        import snowballstemmer

        arabic = snowballstemmer.stemmer("arabic")
        return lru_cache(maxsize=1 << 18)(lambda w: arabic_key(arabic.stemWord(w)))
    if name == "none":
        return lru_cache(maxsize=1 << 18)(lambda w: arabic_key(w))
    if name == "light":
        return lru_cache(maxsize=1 << 18)(lambda w: light_stem(arabic_key(w)))
    if name == "tashaphyne":
        from tashaphyne.stemming import ArabicLightStemmer

        light = ArabicLightStemmer()

        def stem(w):
            light.light_stem(arabic_key(w))
            return light.get_stem()

        return lru_cache(maxsize=1 << 18)(stem)
    if name == "qalsadi":
        from qalsadi.lemmatizer import Lemmatizer

        lemmatizer = Lemmatizer()
        return lru_cache(maxsize=1 << 18)(lambda w: arabic_key(str(lemmatizer.lemmatize(w))))
    raise ValueError(name)


def best_alone(values: np.ndarray, gold: np.ndarray, allowed: np.ndarray) -> dict:
    """Best related F1 of any threshold on ``values`` over the allowed pairs."""
    v, g = values[allowed], gold[allowed]
    order = np.argsort(-v, kind="stable")
    v, g = v[order], g[order]
    tp = np.cumsum(g)
    last = np.r_[np.nonzero(np.diff(v))[0], len(v) - 1]  # a threshold keeps every pair of equal value
    n_gold = int(gold.sum())
    f1 = 2 * tp[last] / (last + 1 + n_gold)
    k = int(np.argmax(f1))
    return {
        "f1": round(float(f1[k]), 3),
        "p": round(float(tp[last[k]] / (last[k] + 1)), 2),
        "r": round(float(tp[last[k]] / n_gold), 2),
    }


def coverage(lines: list[str], lexicon) -> float:
    terms = [stem for line in lines for stem, _, _ in lexicon_module.arabic_terms(line)]
    return sum(stem in lexicon.translations for stem in terms) / max(len(terms), 1)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--gold", type=Path, required=True)
    ap.add_argument("--flores", type=Path, required=True)
    ap.add_argument(
        "--stemmers", nargs="+", default=["snowball", "snowball-raw", "none", "light", "tashaphyne", "qalsadi"]
    )
    ap.add_argument("--extra-path", help="where tashaphyne/qalsadi are installed (not project dependencies)")
    ap.add_argument(
        "--features",
        nargs="+",
        default=list(feature_module.LEXICAL_FEATURES),
        help="the dictionary features the model is fitted with (beside the encoder's)",
    )
    args = ap.parse_args()
    if args.extra_path:
        sys.path.append(args.extra_path)
    settings = load_settings()
    encoder = get_encoder(settings.encoder)
    flores = args.flores.read_text(encoding="utf-8").splitlines()
    names = ("flores-related-tune", "flores-mixed-tune")
    sets = [cal.load_gold_set(args.gold / f"{name}.gold.tsv", encoder) for name in names]
    for data in sets:
        cal.set_anchors(data)
    original = lexicon_module.arabic_stem
    feature_module.LEXICAL_FEATURES = tuple(args.features)
    rows = []
    for name in args.stemmers:
        try:
            stem = stemmer(name) if name != "snowball" else original
        except ImportError as err:
            print(f"{name}: skipped ({err})", file=sys.stderr)
            continue
        lexicon_module.arabic_stem = stem
        lexicon_module._load.cache_clear()
        lexicon = lexicon_module.load_lexicon()
        if lexicon is None:
            raise SystemExit(f"no dictionary at {lexicon_module.dictionary_path()} (dict-freedict-ara-eng)")
        row = {"stemmer": name, "stems": len(lexicon.translations), "coverage": round(coverage(flores, lexicon), 3)}
        for data in sets:
            data.pop(("related", True, False), None)
            c = cal.related_candidates(data, settings, lexicon, False)
            row[data["name"]] = {
                name: best_alone(c["features"][name], c["labels"]["related"], ~c["equivalent"])
                for name in ("lexical", "gloss_cosine", "gloss_story")
            }
        model = cal.fit_link_model(sets, settings, lexicon, False)
        row["model"] = {d["name"]: cal.set_measurements(d, settings, model, lexicon, False)["related"] for d in sets}
        rows.append(row)
        print(json.dumps(row), flush=True)
    lexicon_module.arabic_stem = original
    lexicon_module._load.cache_clear()


if __name__ == "__main__":
    main()
