"""Measure the dictionary's coverage and gloss quality on a sentence-aligned Arabic–English text.

For each lexicon configuration, over the Arabic content words (``lexicon.arabic_terms``) of every line:

- ``coverage``: the share of Arabic content-word tokens that get a gloss;
- ``precision_any``: of the glossed tokens, the share with at least one of its English words (stemmed,
  every sense kept) in the aligned English line — a precision proxy (a loose one: a word may be right
  and the translator have chosen another, and many senses give many chances);
- ``precision_first``: the same for the first sense only (what ``gloss_text`` shows the encoder);
- ``en_recall``: the share of the English line's content-word tokens whose stem is among the
  translations of the Arabic line's words;
- ``senses``: the mean number of English stems a glossed token brings (what the precision pays for);
- ``chance_precision_any``, ``chance_en_recall``: the same two against the *next* line's English (a
  wrong pairing): what many senses score by luck. The gap to the aligned figure is the signal.

    PYTHONPATH=. python scripts/lexicon_quality.py --ar ../shared/data/flores200_devtest/arb_Arab.devtest \\
        --en ../shared/data/flores200_devtest/eng_Latn.devtest [--bama dictStems --configs … headword+awn+ranked+bama]

``--words W …`` prints each word's term and glosses under each configuration instead.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from pipeline.align import lexicon as lx
from pipeline.align.stopwords import AR_STOP
from pipeline.text.normalize import arabic_key


def configured(name: str, bama: Path | None) -> lx.Lexicon:
    """A lexicon by configuration name: ``snowball`` (every word stemmed: the link features' matching) or
    ``headword`` (words stop at headwords), the latter with any of ``+ranked`` (senses ranked by English
    frequency), ``+awn`` (Arabic WordNet's pairs, from ``PIPELINE_ARABIC_WORDNET``), ``+bama`` (Buckwalter's
    stems from ``--bama``); ``headword+ranked`` is ``load_glossary`` without the optional sources."""
    stemmer, *extras = name.split("+")
    unknown = set(extras) - {"awn", "ranked", "bama"}
    if unknown or ("bama" in extras and bama is None) or ("awn" in extras and lx.arabic_wordnet_path() is None):
        raise SystemExit(
            f"{name}: unknown parts {sorted(unknown)}, +bama without --bama or +awn without PIPELINE_ARABIC_WORDNET"
        )
    lexicon = lx.load_lexicon(
        stemmer=stemmer,
        arabic_wordnet=lx.arabic_wordnet_path() if "awn" in extras else None,
        ranked="ranked" in extras,
        bama=bama if "bama" in extras else None,
    )
    if lexicon is None:
        raise SystemExit(f"no dictionary at {lx.dictionary_path()} (dict-freedict-ara-eng)")
    return lexicon


def english_stems(first_sense: tuple[str, ...]) -> set[str]:
    return lx.english_bag(first_sense[:1])


def content_words(text: str) -> list[str]:
    """The Arabic words of ``text`` that are not on the stop list."""
    return [w for w in lx._AR_WORD.findall(text) if arabic_key(w) not in AR_STOP]


def measure(ar_lines: list[str], en_lines: list[str], lexicon: lx.Lexicon) -> dict:
    tokens = glossed = hit_any = hit_first = senses = 0
    en_tokens = en_hit = 0
    for ar, en in zip(ar_lines, en_lines, strict=True):
        english = {stem for stem, _, _ in lx.english_terms(en)}
        bag: set[str] = set()
        for word in content_words(ar):  # the same tokens for every configuration
            tokens += 1
            term = lexicon.term(word)
            gloss = lexicon.glosses.get(term) if term is not None else None
            if term is None or not gloss:
                continue
            translations = lexicon.translations.get(term, frozenset())
            glossed += 1
            senses += len(translations)
            hit_any += bool(translations & english)
            hit_first += bool(english_stems(gloss) & english)
            bag |= translations
        en_stems = [stem for stem, _, _ in lx.english_terms(en)]
        en_tokens += len(en_stems)
        en_hit += sum(stem in bag for stem in en_stems)
    return {
        "coverage": round(glossed / max(tokens, 1), 3),
        "precision_any": round(hit_any / max(glossed, 1), 3),
        "precision_first": round(hit_first / max(glossed, 1), 3),
        "en_recall": round(en_hit / max(en_tokens, 1), 3),
        "senses": round(senses / max(glossed, 1), 1),
        "tokens": tokens,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--ar", type=Path, required=True, help="Arabic text, one sentence a line")
    ap.add_argument("--en", type=Path, required=True, help="its English, line by line")
    ap.add_argument(
        "--configs",
        nargs="+",
        default=["snowball", "headword", "headword+ranked", "headword+awn", "headword+awn+ranked"],
    )
    ap.add_argument("--words", nargs="*", default=None, help="print these words' glosses instead")
    ap.add_argument("--bama", type=Path, default=None, help="Buckwalter's dictStems (for +bama configurations)")
    args = ap.parse_args()
    if args.words:
        for name in args.configs:
            lexicon = configured(name, args.bama)
            for word in args.words:
                term = lexicon.term(word)
                glosses = lexicon.glosses.get(term, ()) if term is not None else ()
                print(f"{name}\t{word}\t{term or '(function word)'}\t{', '.join(glosses[:4])}")
        return
    ar = args.ar.read_text(encoding="utf-8").splitlines()
    en = args.en.read_text(encoding="utf-8").splitlines()
    shifted = en[1:] + en[:1]
    for name in args.configs:
        lexicon = configured(name, args.bama)
        chance = measure(ar, shifted, lexicon)
        row = measure(ar, en, lexicon) | {
            "chance_precision_any": chance["precision_any"],
            "chance_en_recall": chance["en_recall"],
        }
        print(json.dumps({"config": name, **row}))


if __name__ == "__main__":
    main()
