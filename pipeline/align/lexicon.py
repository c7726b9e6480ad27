"""Lexical evidence across languages: a bilingual dictionary turns an Arabic paragraph into a bag of
English words, compared with the English paragraph by IDF-weighted cosine (the CLIR baseline).

The dictionary is Debian's ``dict-freedict-ara-eng`` (FreeDict Arabic→English, dictd format: a
``.index`` of ``headword<TAB>offset<TAB>length`` in base64 and a dictzip ``.dict.dz``, which is plain
gzip to a reader that does not seek). It is optional: :func:`load_lexicon` returns None when the files
are absent, and the caller says so once (log, manifest) and uses the model trained without this feature.
Words are compared as stems: snowballstemmer's Arabic stemmer (light stemming: للانتخابات → انتخاب)
and its English (Porter2) stemmer.
"""

from __future__ import annotations

import gzip
import math
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from pipeline.align.stopwords import AR_STOP as _AR_STOP
from pipeline.align.stopwords import EN_STOP as _EN_STOP
from pipeline.progress import progress
from pipeline.text.normalize import arabic_key, digits_to_ascii

# Where Debian's package puts the files; PIPELINE_DICTIONARY=path/prefix (without .index) overrides.
DEFAULT_DICTIONARY = Path("/usr/share/dictd/freedict-ara-eng")
_AR_WORD = re.compile(r"[\u0621-\u064a\u0671-\u06d3]{2,}")
_EN_WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")
_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
MAX_GLOSSES = 6  # the first senses of a headword; later ones are rare or figurative


def _b64(text: str) -> int:
    value = 0
    for ch in text:
        value = value * 64 + _B64.index(ch)
    return value


@lru_cache(maxsize=1)
def _stemmers():
    import snowballstemmer

    return snowballstemmer.stemmer("arabic"), snowballstemmer.stemmer("english")


@lru_cache(maxsize=1 << 18)
def arabic_stem(word: str) -> str:
    return _stemmers()[0].stemWord(arabic_key(word))


@lru_cache(maxsize=1 << 18)
def english_stem(word: str) -> str:
    return _stemmers()[1].stemWord(word.lower())


def arabic_terms(text: str) -> list[tuple[str, int, int]]:
    """(stem, start, end) of each Arabic content word of ``text`` (offsets into ``text``)."""
    return [
        (arabic_stem(m.group()), m.start(), m.end())
        for m in _AR_WORD.finditer(text)
        if arabic_key(m.group()) not in _AR_STOP
    ]


def english_terms(text: str) -> list[tuple[str, int, int]]:
    """(stem, start, end) of each English content word of ``text``."""
    return [
        (english_stem(m.group()), m.start(), m.end())
        for m in _EN_WORD.finditer(text)
        if m.group().lower() not in _EN_STOP and len(m.group()) > 2
    ]


@dataclass
class Lexicon:
    """Arabic stem → English stems it translates to, and the glosses as written (for readers)."""

    source: str
    translations: dict[str, frozenset[str]]
    glosses: dict[str, tuple[str, ...]]

    def describe(self) -> dict:
        return {"source": self.source, "headwords": len(self.translations)}


def parse_dictd(index_text: str, dict_text: bytes) -> tuple[dict[str, frozenset[str]], dict[str, tuple[str, ...]]]:
    """Parse a dictd Arabic→English dictionary: each entry is a headword line (word and pronunciation)
    followed by its senses, one per line (numbered ``1. …`` when there are several)."""
    translations: dict[str, set[str]] = {}
    glosses: dict[str, list[str]] = {}
    for line in index_text.splitlines():
        parts = line.split("\t")
        if len(parts) != 3 or parts[0].startswith("00database") or not _AR_WORD.search(parts[0]):
            continue
        head = parts[0].strip()
        if " " in head:  # multi-word headwords are not matched word by word
            continue
        offset, length = _b64(parts[1]), _b64(parts[2])
        body = dict_text[offset : offset + length].decode("utf-8", errors="replace").splitlines()[1:]
        senses = [re.sub(r"^\d+\.\s*", "", s).strip() for s in body if s.strip()][:MAX_GLOSSES]
        stem = arabic_stem(head)
        if not stem or not senses:
            continue
        english = {english_stem(w) for s in senses for w in _EN_WORD.findall(s) if w.lower() not in _EN_STOP}
        translations.setdefault(stem, set()).update(english)
        known = glosses.setdefault(stem, [])
        known.extend(s for s in senses if s not in known)
    return (
        {k: frozenset(v) for k, v in translations.items() if v},
        {k: tuple(v[:MAX_GLOSSES]) for k, v in glosses.items()},
    )


def dictionary_path() -> Path:
    return Path(os.environ.get("PIPELINE_DICTIONARY") or DEFAULT_DICTIONARY)


@lru_cache(maxsize=2)
def _load(prefix: str) -> Lexicon | None:
    index, data = Path(prefix + ".index"), Path(prefix + ".dict.dz")
    if not index.is_file() or not data.is_file():
        return None
    translations, glosses = parse_dictd(index.read_text(encoding="utf-8"), gzip.decompress(data.read_bytes()))
    return Lexicon(str(index.with_suffix("")), translations, glosses)


def load_lexicon(prefix: Path | None = None) -> Lexicon | None:
    """The dictionary at ``prefix`` (``.index`` + ``.dict.dz``; default: Debian's dict-freedict-ara-eng),
    or None when it is not installed."""
    return _load(str(prefix or dictionary_path()))


def _idf(bags: list[set[str]]) -> dict[str, float]:
    df: dict[str, int] = {}
    for bag in bags:
        for stem in bag:
            df[stem] = df.get(stem, 0) + 1
    n = len(bags)
    return {stem: math.log((n + 1) / (count + 0.5)) for stem, count in df.items()}


def _vectors(bags: list[set[str]], vocab: dict[str, int], idf: dict[str, float]) -> np.ndarray:
    out = np.zeros((len(bags), len(vocab)), dtype=np.float32)
    for row, bag in enumerate(bags):
        for stem in bag:
            if stem in vocab:
                out[row, vocab[stem]] = idf.get(stem, 0.0)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.maximum(norms, 1e-9)


def translated_bag(text: str, lexicon: Lexicon) -> set[str]:
    """The English stems the dictionary gives for the Arabic content words of ``text``."""
    bag: set[str] = set()
    for stem, _, _ in arabic_terms(text):
        bag |= lexicon.translations.get(stem, frozenset())
    return bag


_GLOSS_TOKEN = re.compile(r"[\u0621-\u064a\u0671-\u06d3]+|[0-9\u0660-\u0669\u06f0-\u06f9]+")


def gloss_text(text: str, lexicon: Lexicon) -> str:
    """An English word-by-word gloss of an Arabic text, for the encoder (a pseudo-translation without MT):
    each content word's first dictionary sense after stemming, in order; words the dictionary lacks
    (mostly names) and numbers kept as written, the cross-lingual encoder reads them; function words
    dropped."""
    words = []
    for m in _GLOSS_TOKEN.finditer(text):
        word = m.group()
        if word[0].isdigit():
            words.append(digits_to_ascii(word))
            continue
        if len(word) < 2 or arabic_key(word) in _AR_STOP:
            continue
        senses = lexicon.glosses.get(arabic_stem(word))
        words.append(senses[0].lower() if senses else word)
    return " ".join(words)


def overlap(
    i: np.ndarray,
    j: np.ndarray,
    source_bags: list[set[str]],
    en_bags: list[set[str]],
    idf: dict[str, float],
    block: int = 512,
) -> np.ndarray:
    """IDF-weighted cosine of bag ``source_bags[i]`` and ``en_bags[j]`` for each pair, over the English
    side's vocabulary (words the English never uses cannot match)."""
    vocab = {stem: k for k, stem in enumerate(sorted({s for bag in en_bags for s in bag}))}
    if not vocab or len(i) == 0:
        return np.zeros(len(i), dtype=np.float32)
    if len(source_bags) * len(en_bags) <= 4_000_000:
        return (_vectors(source_bags, vocab, idf) @ _vectors(en_bags, vocab, idf).T)[i, j]
    # Large inputs: the (bags × vocabulary) matrices would take 4·|vocabulary| bytes a paragraph (61 KB a
    # paragraph on the alignment benchmark), so each side is kept as its rows' non-zero entries and only a
    # block of pairs' rows is made dense: the same float32 rows, so the same dot products, bit for bit.
    src, dst = _SparseRows(source_bags, vocab, idf), _SparseRows(en_bags, vocab, idf)
    out = np.empty(len(i), dtype=np.float32)
    for start in range(0, len(i), block):  # row-wise dot products, a block of pairs at a time
        a, b = i[start : start + block], j[start : start + block]
        out[start : start + block] = np.einsum("pk,pk->p", src.dense(a), dst.dense(b))
    return out


class _SparseRows:
    """The rows of :func:`_vectors` (unit-length IDF vectors over ``vocab``), stored as their non-zero
    entries (CSR); :meth:`dense` gives chosen rows back as the dense float32 rows, exactly. Rows are made
    dense ``chunk`` at a time to be normalised (a row's norm sums that row alone, so chunks change nothing)."""

    def __init__(self, bags: list[set[str]], vocab: dict[str, int], idf: dict[str, float], chunk: int = 1024):
        self.width = len(vocab)
        columns, values, counts = [], [], []
        for start in range(0, len(bags), chunk):
            rows = _vectors(bags[start : start + chunk], vocab, idf)
            r, c = np.nonzero(rows)
            columns.append(c)
            values.append(rows[r, c])
            counts.append(np.bincount(r, minlength=len(rows)))
        self.columns = np.concatenate(columns) if columns else np.zeros(0, dtype=np.int64)
        self.values = np.concatenate(values) if values else np.zeros(0, dtype=np.float32)
        self.starts = np.r_[0, np.cumsum(np.concatenate(counts))] if counts else np.zeros(1, dtype=np.int64)

    def dense(self, rows: np.ndarray) -> np.ndarray:
        out = np.zeros((len(rows), self.width), dtype=np.float32)
        first, lengths = self.starts[rows], self.starts[rows + 1] - self.starts[rows]
        owner = np.repeat(np.arange(len(rows)), lengths)
        entry = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths) + first[owner]
        out[owner, self.columns[entry]] = self.values[entry]
        return out


def lexical_features(
    ar_texts: list[str],
    en_texts: list[str],
    i: np.ndarray,
    j: np.ndarray,
    lexicon: Lexicon | None,
    mt_texts: list[str | None] | None = None,
    ar_doc: np.ndarray | None = None,
    en_doc: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """``lexical`` (dictionary translation of the Arabic against the English; only with a lexicon) and
    ``mt_lexical`` (the MT's words against the English; only with MT), per pair. With the documents of
    each row (``ar_doc``, ``en_doc``), also ``story_lexical``: the same for the Arabic paragraph with its
    neighbours (i − 1, i + 1 in its document) against the whole English document of the pair."""
    if lexicon is None and mt_texts is None:
        return {}
    en_bags = [{s for s, _, _ in english_terms(t)} for t in en_texts]
    idf = _idf(en_bags)
    out = {}
    if lexicon is not None:
        with progress(len(ar_texts), "align: dictionary", unit="par") as bar:
            ar_bags = []
            for text in ar_texts:
                ar_bags.append(translated_bag(text, lexicon))
                bar.update()
        out["lexical"] = overlap(i, j, ar_bags, en_bags, idf)
        if ar_doc is not None and en_doc is not None:
            windows = [
                set().union(
                    *(ar_bags[k] for k in (a - 1, a, a + 1) if 0 <= k < len(ar_bags) and ar_doc[k] == ar_doc[a])
                )
                for a in range(len(ar_bags))
            ]
            doc_bags: dict[int, set[str]] = {}
            for b, d in enumerate(en_doc.tolist()):
                doc_bags.setdefault(d, set()).update(en_bags[b])
            docs = [doc_bags.get(d, set()) for d in range(int(en_doc.max()) + 1 if len(en_doc) else 0)]
            out["story_lexical"] = overlap(i, en_doc[j], windows, docs, idf)
    if mt_texts is not None:
        out["mt_lexical"] = overlap(i, j, [{s for s, _, _ in english_terms(t or "")} for t in mt_texts], en_bags, idf)
    return out
