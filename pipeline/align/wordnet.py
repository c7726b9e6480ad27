"""Princeton WordNet 3.0 read from its database files (Debian ``wordnet-base``: ``/usr/share/wordnet``):
synsets with their lemmas and pointers, and how often each sense was tagged in SemCor (``cntlist.rev``).

Used two ways. ``scripts/build_lexicon_data.py`` derives the package's small data files from it (the
English side of Arabic WordNet, English lemma frequencies: ``pipeline/align/data/``), so the link features
never depend on whether WordNet is installed. At run time, :func:`english_synonyms` reads it (optional,
like the FreeDict dictionary: ``PIPELINE_WORDNET`` points elsewhere) for the theme layer.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from pipeline.align.lexicon import english_stem

DEFAULT_WORDNET = Path("/usr/share/wordnet")
_FILES = {"n": "noun", "v": "verb", "a": "adj", "r": "adv"}
_SS_TYPE_NUMBER = {"n": "1", "v": "2", "a": "3", "r": "4", "s": "5"}  # as sense keys write them
HYPERNYM = ("@", "@i")


@dataclass(frozen=True)
class Synset:
    """A synset: its id (``08-digit offset-pos``, as Open Multilingual Wordnet writes it, ``s`` as ``a``),
    lemmas (as WordNet writes them, ``_`` as space: "fraud", "Kirkuk") with each lemma's SemCor tag count
    in this sense, and the ids its pointers reach, by pointer symbol."""

    id: str
    lemmas: tuple[str, ...]
    counts: tuple[int, ...]
    pointers: tuple[tuple[str, str], ...]

    def reached(self, symbols: Iterable[str]) -> list[str]:
        wanted = set(symbols)
        return [target for symbol, target in self.pointers if symbol in wanted]


def wordnet_path() -> Path:
    return Path(os.environ.get("PIPELINE_WORDNET") or DEFAULT_WORDNET)


def _lemma(word: str) -> str:
    return re.sub(r"\(.*\)$", "", word).replace("_", " ")  # adjective markers: "(a)", "(p)"


def parse_sense_counts(text: str) -> dict[tuple[str, str, str, str], int]:
    """``cntlist.rev`` (``sense_key sense_number tag_count``) → tag count by (lemma, ss_type number,
    lexicographer file, lex_id): what identifies a lemma's sense within a synset's data line."""
    counts = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) != 3 or "%" not in parts[0]:
            continue
        lemma, rest = parts[0].split("%", 1)
        fields = rest.split(":")
        counts[(_lemma(lemma).lower(), fields[0], fields[1], fields[2])] = int(parts[2])
    return counts


def parse_data(text: str, pos: str, counts: dict[tuple[str, str, str, str], int]) -> list[Synset]:
    """A ``data.{noun,verb,adj,adv}`` file's synsets (format: wndb(5WN)); the licence header's lines start
    with spaces."""
    out = []
    for line in text.splitlines():
        if not line or line.startswith(" "):
            continue
        fields = line.split(" | ", 1)[0].split()
        offset, lexfile, ss_type, n_words = fields[0], fields[1], fields[2], int(fields[3], 16)
        words = [(fields[4 + 2 * k], int(fields[5 + 2 * k], 16)) for k in range(n_words)]
        at = 4 + 2 * n_words
        pointers = []
        for k in range(int(fields[at])):
            symbol, target, target_pos = fields[at + 1 + 4 * k : at + 4 + 4 * k]
            pointers.append((symbol, f"{target}-{'a' if target_pos == 's' else target_pos}"))
        number = _SS_TYPE_NUMBER[ss_type]
        lemmas = tuple(_lemma(w) for w, _ in words)
        tagged = tuple(
            counts.get((lemma.lower(), number, lexfile, f"{lex_id:02d}"), 0)
            for lemma, (_, lex_id) in zip(lemmas, words, strict=True)
        )
        out.append(Synset(f"{offset}-{pos}", lemmas, tagged, tuple(pointers)))
    return out


def _count_of(synset: Synset, lemma: str) -> int:
    return max(c for word, c in zip(synset.lemmas, synset.counts, strict=True) if word.lower() == lemma)


@dataclass
class WordNet:
    """Synsets by id, and the ids of each lemma's synsets (lemma in lower case; most tagged sense first)."""

    synsets: dict[str, Synset]
    senses: dict[str, list[str]]
    _by_stem: dict[str, list[str]] = field(default_factory=dict, repr=False)

    def lemmas_of(self, word: str) -> list[str]:
        """The lemmas ``word`` may be a form of: those with its Porter2 stem (rigging → rig, rigging;
        appeals → appeal), or a multi-word lemma as written."""
        if " " in word.strip():
            lemma = " ".join(word.lower().split())
            return [lemma] if lemma in self.senses else []
        if not self._by_stem:
            for lemma in sorted(self.senses):
                if " " not in lemma:
                    self._by_stem.setdefault(english_stem(lemma), []).append(lemma)
        return self._by_stem.get(english_stem(word), [])

    def synonyms(self, word: str) -> frozenset[str]:
        """The lemmas of every synset of ``word``'s lemmas and of the synsets directly above them
        (hypernyms): rigging → rig → {swindle, cheat, rig} → above it "fraud"; appeal → "challenge".
        Every sense counts (WordNet does not know which one a text means: "server" also gives "waiter")."""
        out: set[str] = set()
        for lemma in self.lemmas_of(word):
            for synset_id in self.senses[lemma]:
                synset = self.synsets[synset_id]
                out.update(synset.lemmas)
                for above in synset.reached(HYPERNYM):
                    out.update(self.synsets[above].lemmas)
        return frozenset(out)

    def frequency(self) -> dict[str, int]:
        """Each lemma's (lower case) SemCor tag count summed over its senses (lemmas never tagged left out)."""
        out: dict[str, int] = {}
        for synset in self.synsets.values():
            for lemma, count in zip(synset.lemmas, synset.counts, strict=True):
                if count:
                    out[lemma.lower()] = out.get(lemma.lower(), 0) + count
        return out


def read_wordnet(folder: Path) -> WordNet | None:
    """The WordNet database in ``folder`` (``data.*`` and ``cntlist.rev``), or None when it is absent."""
    if not all((folder / f"data.{name}").is_file() for name in _FILES.values()):
        return None
    counts_file = folder / "cntlist.rev"
    counts = parse_sense_counts(counts_file.read_text(encoding="utf-8")) if counts_file.is_file() else {}
    synsets: dict[str, Synset] = {}
    senses: dict[str, list[str]] = {}
    for pos, name in _FILES.items():
        for synset in parse_data((folder / f"data.{name}").read_text(encoding="utf-8"), pos, counts):
            synsets[synset.id] = synset
    for synset in synsets.values():
        for lemma in synset.lemmas:
            senses.setdefault(lemma.lower(), []).append(synset.id)
    for lemma, ids in senses.items():  # most tagged sense first, as WordNet's index files order them
        ids.sort(key=lambda i: -_count_of(synsets[i], lemma))
    return WordNet(synsets, senses)


@lru_cache(maxsize=2)
def _load(folder: str) -> WordNet | None:
    return read_wordnet(Path(folder))


def load_wordnet(folder: Path | None = None) -> WordNet | None:
    """WordNet from ``folder`` (default: Debian's ``/usr/share/wordnet``, or ``PIPELINE_WORDNET``), or None
    when it is not installed (``apt-get install wordnet-base``)."""
    return _load(str(folder or wordnet_path()))
