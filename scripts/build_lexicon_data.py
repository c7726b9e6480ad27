"""Derive the lexicon's package data (``pipeline/align/data/``) from Arabic WordNet and Princeton WordNet.

- ``arabic-wordnet.tsv``: each Arabic WordNet lemma (and broken plural), without diacritics, with the
  English lemmas of its Princeton WordNet 3.0 synsets (:func:`english_of` says in what order), at most
  ``--max-english``;
- ``english-frequency.tsv``: each English lemma's SemCor tag count summed over its senses (lemmas
  tagged at least once): the order the lexicon gives a headword's English senses.

    python scripts/build_lexicon_data.py --awn wn-data-arb.tab --wordnet /usr/share/wordnet

``wn-data-arb.tab``: Open Multilingual Wordnet's Arabic WordNet (github.com/omwn/omw-data,
``wns/arb/wn-data-arb.tab``, CC BY-SA 3.0); WordNet: Debian ``wordnet-base`` (WordNet 3.0 licence).
Deterministic: the same inputs give the same bytes.
"""

from __future__ import annotations

import argparse
import unicodedata
from pathlib import Path

from pipeline.align.wordnet import WordNet, read_wordnet
from pipeline.text.normalize import unvocalised

DATA = Path(__file__).resolve().parent.parent / "pipeline" / "align" / "data"
AWN_LEMMA_TYPES = ("arb:lemma", "arb:lemma:brokenplural")


def arabic_synsets(tab: str) -> dict[str, list[str]]:
    """Arabic lemma (diacritics removed, ``_`` as space) → its synset ids, in file order."""
    out: dict[str, list[str]] = {}
    for line in tab.splitlines():
        parts = line.split("\t")
        if line.startswith("#") or len(parts) != 3 or parts[1].lower() not in AWN_LEMMA_TYPES:
            continue
        # NFKC: a few lemmas are written with presentation forms (ﻷ for لأ)
        lemma = " ".join(unvocalised(unicodedata.normalize("NFKC", parts[2]).replace("_", " ")).split())
        if lemma and parts[0] not in out.setdefault(lemma, []):
            out[lemma].append(parts[0])
    return out


def english_of(synset_ids: list[str], wordnet: WordNet, limit: int) -> list[str]:
    """The English lemmas of ``synset_ids`` (those in WordNet 3.0): those in most of the Arabic lemma's
    synsets first (شكوى: "complaint" is in three, "case" in one), then the most tagged in SemCor, then in
    order of appearance."""
    synsets: dict[str, int] = {}
    tagged: dict[str, int] = {}
    for synset_id in synset_ids:
        synset = wordnet.synsets.get(synset_id)
        if synset is None:  # Arabic WordNet's own synsets have no English
            continue
        for lemma, count in zip(synset.lemmas, synset.counts, strict=True):
            synsets[lemma] = synsets.get(lemma, 0) + 1
            tagged[lemma] = max(tagged.get(lemma, 0), count)
    order = {lemma: k for k, lemma in enumerate(synsets)}
    return sorted(synsets, key=lambda lemma: (-synsets[lemma], -tagged[lemma], order[lemma]))[:limit]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--awn", type=Path, required=True, help="Open Multilingual Wordnet's wn-data-arb.tab")
    ap.add_argument("--wordnet", type=Path, default=Path("/usr/share/wordnet"), help="WordNet 3.0 database folder")
    ap.add_argument("--out", type=Path, default=DATA)
    ap.add_argument("--max-english", type=int, default=6)
    args = ap.parse_args()
    wordnet = read_wordnet(args.wordnet)
    if wordnet is None:
        raise SystemExit(f"no WordNet database in {args.wordnet} (apt-get install wordnet-base)")
    rows = []
    for arabic, ids in sorted(arabic_synsets(args.awn.read_text(encoding="utf-8")).items()):
        english = english_of(ids, wordnet, args.max_english)
        if english:
            rows.append(f"{arabic}\t{'; '.join(english)}\n")
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "arabic-wordnet.tsv").write_text("".join(rows), encoding="utf-8")
    frequency = wordnet.frequency()
    (args.out / "english-frequency.tsv").write_text(
        "".join(f"{lemma}\t{frequency[lemma]}\n" for lemma in sorted(frequency)), encoding="utf-8"
    )
    print(f"{len(rows)} Arabic lemmas, {len(frequency)} English lemmas → {args.out}")


if __name__ == "__main__":
    main()
