"""Lexical evidence across languages: a bilingual dictionary turns an Arabic paragraph into a bag of
English words, compared with the English paragraph by IDF-weighted cosine (the CLIR baseline); and the
dictionary's glosses for readers and the theme layer (:mod:`pipeline.align.glossary`).

The dictionary is Debian's ``dict-freedict-ara-eng`` (FreeDict Arabic→English, dictd format: a
``.index`` of ``headword<TAB>offset<TAB>length`` in base64 and a dictzip ``.dict.dz``, which is plain
gzip to a reader that does not seek). It is optional: :func:`load_lexicon` returns None when the files
are absent, and the caller says so once (log, manifest) and uses the model trained without this feature.

Two ways to match the text's words with headwords. The link features (:func:`load_lexicon`, what the
shipped models were calibrated with) compare stems: snowballstemmer's Arabic light stemmer on both
sides (للانتخابات → انتخاب), so every headword with one stem shares its senses (قرصنة → قرص "disk").
Readers' glosses and the theme layer (:func:`load_glossary`) stop at headwords: the word as written,
then with its clitics and endings taken off (:mod:`pipeline.align.arabic_forms`) until a form is a
headword (قرصنة → القرصنة "piracy"), the stem only when none is; with Arabic WordNet's pairs
(``data/``) and senses ranked by English frequency. English is stemmed with Porter2 either way.
"""

from __future__ import annotations

import gzip
import math
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from pipeline.align.arabic_forms import ARTICLE, candidate_forms, clitic_splits
from pipeline.align.stopwords import AR_STOP as _AR_STOP
from pipeline.align.stopwords import EN_STOP as _EN_STOP
from pipeline.progress import progress
from pipeline.text.normalize import arabic_key, digits_to_ascii, unvocalised

# Where Debian's package puts the files; PIPELINE_DICTIONARY=path/prefix (without .index) overrides.
DEFAULT_DICTIONARY = Path("/usr/share/dictd/freedict-ara-eng")
DATA = Path(__file__).resolve().parent / "data"  # package data: PROVENANCE.md there
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


def arabic_terms(text: str, lexicon: Lexicon | None = None) -> list[tuple[str, int, int]]:
    """(term, start, end) of each Arabic content word of ``text`` (offsets into ``text``): the word's
    ``lexicon.term``, or its snowball stem without a lexicon. Function words are left out: those of the
    stop list, and (with a lexicon) those carrying clitics."""
    term = lexicon.term if lexicon is not None else arabic_stem
    found = (
        (term(m.group()), m.start(), m.end()) for m in _AR_WORD.finditer(text) if arabic_key(m.group()) not in _AR_STOP
    )
    return [(key, start, end) for key, start, end in found if key is not None]


def english_terms(text: str) -> list[tuple[str, int, int]]:
    """(stem, start, end) of each English content word of ``text``."""
    return [
        (english_stem(m.group()), m.start(), m.end())
        for m in _EN_WORD.finditer(text)
        if m.group().lower() not in _EN_STOP and len(m.group()) > 2
    ]


@dataclass
class Lexicon:
    """Arabic term → English stems it translates to, and the glosses as written (for readers).

    A term is what :meth:`term` makes of a word: with ``headwords`` (the headword stemmer), the
    dictionary key of the first of the word's :func:`~pipeline.align.arabic_forms.candidate_forms` that
    is a headword, else the word's snowball stem; without them (the snowball stemmer), the snowball stem.
    ``translations`` and ``glosses`` hold both kinds of key; a headword's own entry wins where a snowball
    stem is spelled like a headword."""

    source: str
    translations: dict[str, frozenset[str]]
    glosses: dict[str, tuple[str, ...]]
    headwords: frozenset[str] = frozenset()
    written: dict[str, str] = field(default_factory=dict)  # headword key → the headword as first written
    phrases: dict[str, tuple[str, ...]] = field(default_factory=dict)  # multi-word headword key → glosses
    written_phrases: dict[str, str] = field(default_factory=dict)  # multi-word headword key → as first written
    sources: tuple[str, ...] = ()  # the headword stemmer's sources, in order of precedence
    _matches: dict[str, tuple[str | None, bool]] = field(default_factory=dict, repr=False, compare=False)

    def describe(self) -> dict:
        out = {"source": self.source, "headwords": len(self.translations), "stemmer": self.stemmer}
        return out | ({"sources": list(self.sources)} if self.sources else {})

    @property
    def stemmer(self) -> str:
        return "headword" if self.headwords else "snowball"

    def term(self, word: str) -> str | None:
        """The key under which ``translations`` and ``glosses`` hold ``word``; None for a function word
        carrying clitics (منها, ولكن, لديهم) that is not itself a headword (headword stemmer only)."""
        return self.match(word)[0]

    def match(self, word: str) -> tuple[str | None, bool]:
        """(:meth:`term`, whether it is the snowball stem rather than a form of the word that is a headword)."""
        if word not in self._matches:
            self._matches[word] = self._match(word)
        return self._matches[word]

    def _match(self, word: str) -> tuple[str | None, bool]:
        if not self.headwords:
            return arabic_stem(word), True
        keys = [arabic_key(form) for form in candidate_forms(word)]
        if keys and keys[0] in self.headwords:  # the word as written
            return keys[0], False
        if any(arabic_key(form) in _AR_STOP for form in clitic_splits(word)):
            return None, False
        found = next((key for key in keys[1:] if key in self.headwords), None)
        return (found, False) if found else (arabic_stem(word), True)


@dataclass
class DictdEntries:
    """A bilingual dictionary's entries: each headword as written (diacritics removed) with its senses, in
    file order (one headword may have several entries); multi-word headwords apart."""

    words: list[tuple[str, tuple[str, ...]]]
    phrases: list[tuple[str, tuple[str, ...]]]
    name: str = ""  # what the manifest calls the source


def read_dictd(index_text: str, dict_text: bytes) -> DictdEntries:
    """Parse a dictd Arabic→English dictionary: each entry is a headword line (word and pronunciation)
    followed by its senses, one per line (numbered ``1. …`` when there are several)."""
    words: list[tuple[str, tuple[str, ...]]] = []
    phrases: list[tuple[str, tuple[str, ...]]] = []
    for line in index_text.splitlines():
        parts = line.split("\t")
        if len(parts) != 3 or parts[0].startswith("00database") or not _AR_WORD.search(parts[0]):
            continue
        head = unvocalised(parts[0])
        offset, length = _b64(parts[1]), _b64(parts[2])
        body = dict_text[offset : offset + length].decode("utf-8", errors="replace").splitlines()[1:]
        senses = tuple(s for s in (re.sub(r"^\d+\.\s*", "", s).strip() for s in body) if s)
        if head and senses:
            (phrases if " " in head else words).append((head, senses))
    return DictdEntries(words, phrases, "freedict")


def read_pairs(text: str) -> DictdEntries:
    """A TSV of ``arabic<TAB>english; english; …`` (``data/arabic-wordnet.tsv``) as entries."""
    words: list[tuple[str, tuple[str, ...]]] = []
    phrases: list[tuple[str, tuple[str, ...]]] = []
    for line in text.splitlines():
        arabic, _, english = line.partition("\t")
        senses = tuple(e.strip() for e in english.split(";") if e.strip())
        if arabic and senses:
            (phrases if " " in arabic else words).append((arabic, senses))
    return DictdEntries(words, phrases, "arabic-wordnet")


# Buckwalter's transliteration (BAMA's own), letters only: the stems have no diacritics.
_BUCKWALTER = str.maketrans(
    dict(zip("'|>&<}AbptvjHxd*rzs$SDTZEgfqklmnhwYy{", "ءآأؤإئابةتثجحخدذرزسشصضطظعغفقكلمنهوىيٱ", strict=True))
)


def read_bama_stems(text: str) -> DictdEntries:
    """Buckwalter's BAMA 1.0 ``dictStems`` (GPL-2; read at run time from ``PIPELINE_BAMA``, never shipped):
    ``stem<TAB>vocalised<TAB>category<TAB>gloss;gloss <pos>…</pos>`` lines, stems in Buckwalter
    transliteration. A stem whose category takes the feminine ending (``ap`` in its name: Nap, N/ap,
    NapAt) is listed with ة too; verb stems are listed as they are (imperfect stems lack their prefix)."""
    words = []
    for line in text.splitlines():
        parts = line.split("\t")
        if line.startswith(";") or len(parts) != 4:
            continue
        stem, _, category, gloss = parts
        senses = tuple(s.strip() for s in re.sub(r"<pos>.*?</pos>", "", gloss).split(";") if s.strip())
        arabic = stem.translate(_BUCKWALTER)
        if senses and _AR_WORD.fullmatch(arabic):
            words.append((arabic, senses))
            if "ap" in category and not arabic.endswith("ة"):
                words.append((arabic + "ة", senses))
    return DictdEntries(words, [], "bama")


def read_frequency(text: str) -> dict[str, int]:
    """``lemma<TAB>count`` lines (``data/english-frequency.tsv``: lower-case WordNet lemmas and their
    SemCor tag counts) as a dict."""
    out: dict[str, int] = {}
    for line in text.splitlines():
        lemma, _, count = line.partition("\t")
        out[lemma] = out.get(lemma, 0) + int(count)
    return out


def sense_frequency(sense: str, frequency: dict[str, int]) -> int:
    """How often ``sense`` (a dictionary's English, "Elections") is used: its lemma's count, a plural
    taken back to its singular. By lemma, not stem: Porter2 gives "designate" the stem of "design"."""
    word = " ".join(sense.lower().split())
    for suffix, singular in (("", ""), ("ies", "y"), ("es", ""), ("s", "")):
        if word.endswith(suffix) and word[: len(word) - len(suffix)] + singular in frequency:
            return frequency[word[: len(word) - len(suffix)] + singular]
    return 0


def english_bag(senses: tuple[str, ...]) -> set[str]:
    """The English stems of a headword's senses, function words left out."""
    return {english_stem(w) for s in senses for w in _EN_WORD.findall(s) if w.lower() not in _EN_STOP}


def _merge(table: dict[str, list[str]], key: str, senses: tuple[str, ...]) -> None:
    known = table.setdefault(key, [])
    known.extend(s for s in senses if s not in known)


def stem_tables(entries: DictdEntries) -> tuple[dict[str, frozenset[str]], dict[str, tuple[str, ...]]]:
    """Translations and glosses by snowball stem, every headword's first ``MAX_GLOSSES`` senses in file
    order, shared by every headword with the same stem: the matching before the headword stemmer (kept
    exactly), and the headword stemmer's fallback."""
    translations: dict[str, set[str]] = {}
    glosses: dict[str, list[str]] = {}
    for head, all_senses in entries.words:
        senses = all_senses[:MAX_GLOSSES]
        stem = arabic_stem(head)
        if stem:
            translations.setdefault(stem, set()).update(english_bag(senses))
            _merge(glosses, stem, senses)
    return (
        {k: frozenset(v) for k, v in translations.items() if v},
        {k: tuple(v[:MAX_GLOSSES]) for k, v in glosses.items()},
    )


def lexeme_key(head: str) -> str:
    """A headword's key without the article: FreeDict lists many nouns with it (النتائج, القرصنة), some
    without, Arabic WordNet none, and a word is the same word either way. Only a plain-alef ال is the
    article (إلهام, ألم begin with root letters); a root-initial one (التزام) loses it too, which is
    harmless: the text's التزام reaches تزام by taking the same ال off."""
    if head.startswith(ARTICLE) and len(head) - len(ARTICLE) >= 2:
        head = head[len(ARTICLE) :]
    return arabic_key(head)


def _sense_key(sense: str) -> str:
    return " ".join(english_stem(w) for w in sense.lower().split())


@dataclass
class _Sense:
    written: str  # as the first source to give it writes it
    order: int  # its place among the headword's senses, in file order
    votes: int = 1  # how many sources give it


def rank_senses(senses: list[_Sense], frequency: dict[str, int]) -> tuple[str, ...]:
    """A headword's senses, best first (``MAX_GLOSSES`` of them): given by more sources, then more
    frequent in English (:func:`sense_frequency`; FreeDict orders its senses by nothing useful: الإدارة is
    "Admin, Administratorship, …" with "Management" eleventh), then as listed. Measured against putting
    the dictionary's senses before Arabic WordNet's (``scripts/lexicon_quality.py``): first senses found
    in the aligned English 0.327 against 0.310 on FLORES-200 devtest, 0.279 against 0.266 on Tatoeba."""
    ranked = sorted(senses, key=lambda s: (-s.votes, -sense_frequency(s.written, frequency), s.order))
    return tuple(s.written for s in ranked[:MAX_GLOSSES])


def headword_tables(
    sources: list[DictdEntries], frequency: dict[str, int]
) -> tuple[dict[str, tuple[str, ...]], dict[str, str]]:
    """Glosses by :func:`lexeme_key` over every source (in order of precedence: a sense given by two
    sources is one sense, written as the first gives it; senses are the same when their words have the
    same stems), ranked by :func:`rank_senses`; and each key's headword as the first source writes it."""
    senses: dict[str, dict[str, _Sense]] = {}  # key → sense key → sense
    written: dict[str, str] = {}
    for entries in sources:
        seen: set[tuple[str, str]] = set()
        for head, given in entries.words:
            key = lexeme_key(head)
            written.setdefault(key, head)
            known = senses.setdefault(key, {})
            for sense in given:
                sense_key = _sense_key(sense)
                if (key, sense_key) in seen:
                    continue
                seen.add((key, sense_key))
                if sense_key in known:
                    known[sense_key].votes += 1
                else:
                    known[sense_key] = _Sense(sense, len(known))
    glosses = {key: rank_senses(list(table.values()), frequency) for key, table in senses.items()}
    return glosses, written


def build_lexicon(
    source: str,
    entries: DictdEntries,
    stemmer: str = "headword",
    extra: list[DictdEntries] | None = None,
    frequency: dict[str, int] | None = None,
) -> Lexicon:
    """The lexicon of ``entries``: ``stemmer`` "headword" (words stop at the headwords of ``entries`` and
    ``extra``, senses ranked with ``frequency``; the snowball stem as fallback) or "snowball" (every word
    and headword stemmed, ``entries`` only, senses in file order: the matching before this one)."""
    translations, glosses = stem_tables(entries)
    if stemmer == "snowball":
        return Lexicon(source, translations, glosses)
    if stemmer != "headword":
        raise ValueError(f"unknown stemmer {stemmer!r} (headword or snowball)")
    sources = [entries, *(extra or [])]
    by_headword, written = headword_tables(sources, frequency or {})
    translations |= {k: frozenset(english_bag(v)) for k, v in by_headword.items()}
    glosses |= by_headword
    phrases, written_phrases = headword_tables([DictdEntries(e.phrases, []) for e in sources], frequency or {})
    names = tuple(e.name for e in sources if e.name)
    return Lexicon(source, translations, glosses, frozenset(by_headword), written, phrases, written_phrases, names)


def dictionary_path() -> Path:
    return Path(os.environ.get("PIPELINE_DICTIONARY") or DEFAULT_DICTIONARY)


def arabic_wordnet_path() -> Path | None:
    """Where Arabic WordNet's Arabic→English pairs are (``arabic-wordnet.tsv``, made by
    ``scripts/build_lexicon_data.py`` from the public omw-data repository's file), when
    ``PIPELINE_ARABIC_WORDNET`` says: not shipped, as data brought from another repository is not committed
    here (CC BY-SA 3.0; ``data/PROVENANCE.md``)."""
    path = os.environ.get("PIPELINE_ARABIC_WORDNET")
    return Path(path) if path else None


@lru_cache(maxsize=2)
def arabic_wordnet_pairs(path: str) -> DictdEntries:
    """Arabic WordNet's Arabic→English pairs in the TSV at ``path``."""
    return read_pairs(Path(path).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def packaged_frequency() -> dict[str, int]:
    """English lemma frequencies shipped with the package (``data/english-frequency.tsv``, by stem)."""
    return read_frequency((DATA / "english-frequency.tsv").read_text(encoding="utf-8"))


def bama_path() -> Path | None:
    """Where Buckwalter's ``dictStems`` is, when ``PIPELINE_BAMA`` says (no default: it is not packaged)."""
    path = os.environ.get("PIPELINE_BAMA")
    return Path(path) if path else None


@lru_cache(maxsize=8)
def _load(prefix: str, stemmer: str, arabic_wordnet: str, ranked: bool, bama: str = "") -> Lexicon | None:
    index, data = Path(prefix + ".index"), Path(prefix + ".dict.dz")
    if not index.is_file() or not data.is_file():
        return None
    entries = read_dictd(index.read_text(encoding="utf-8"), gzip.decompress(data.read_bytes()))
    extra = [arabic_wordnet_pairs(arabic_wordnet)] if arabic_wordnet else []
    if bama:
        extra.append(read_bama_stems(Path(bama).read_text(encoding="utf-8", errors="replace")))
    frequency = packaged_frequency() if ranked else {}
    return build_lexicon(str(index.with_suffix("")), entries, stemmer, extra, frequency)


def load_lexicon(
    prefix: Path | None = None,
    stemmer: str = "snowball",
    arabic_wordnet: Path | None = None,
    ranked: bool = False,
    bama: Path | None = None,
) -> Lexicon | None:
    """The dictionary at ``prefix`` (``.index`` + ``.dict.dz``; default: Debian's dict-freedict-ara-eng,
    or ``PIPELINE_DICTIONARY``), or None when it is not installed (the other sources do not stand in for
    it). The defaults are what the link features use and the shipped models were calibrated with: the
    snowball stemmer, FreeDict alone. The headword stemmer reads glosses better but did not make the
    features better (equivalent F1 fell on Tatoeba and UDHR: docs/linking.md), so it serves :func:`load_glossary`.
    With ``stemmer="headword"``, ``arabic_wordnet`` adds Arabic WordNet's pairs (a TSV file; ignored when
    it is not a file), ``bama`` Buckwalter's BAMA stems file (likewise), and ``ranked`` orders senses by
    English frequency; the snowball stemmer ignores all three."""
    headword = stemmer == "headword"
    extra = str(bama) if headword and bama is not None and bama.is_file() else ""
    awn = str(arabic_wordnet) if headword and arabic_wordnet is not None and arabic_wordnet.is_file() else ""
    return _load(str(prefix or dictionary_path()), stemmer, awn, ranked and headword, extra)


def load_glossary(prefix: Path | None = None, bama: Path | None = None) -> Lexicon | None:
    """The dictionary for what readers and the theme layer are shown: the headword stemmer, senses ranked,
    and where their files are given, Arabic WordNet's pairs (``PIPELINE_ARABIC_WORDNET``; CC BY-SA 3.0, not
    shipped) and Buckwalter's BAMA stems (``bama``, default ``PIPELINE_BAMA``; GPL-2, not shipped) (more
    words found, better first senses: docs/linking.md); None when the dictionary is not installed."""
    return load_lexicon(prefix, "headword", arabic_wordnet_path(), ranked=True, bama=bama or bama_path())


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
    for term, _, _ in arabic_terms(text, lexicon):
        bag |= lexicon.translations.get(term, frozenset())
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
        term = lexicon.term(word)
        if term is None:  # a function word with clitics
            continue
        senses = lexicon.glosses.get(term)
        words.append(senses[0].lower() if senses else word)
    return " ".join(words)


# The dense (bags × vocabulary) float32 matrices of :func:`overlap` are made up to this many cells (100 MB).
DENSE_CELLS = 25_000_000


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
    if len(source_bags) * len(en_bags) <= 4_000_000 and (len(source_bags) + len(en_bags)) * len(vocab) <= DENSE_CELLS:
        return (_vectors(source_bags, vocab, idf) @ _vectors(en_bags, vocab, idf).T)[i, j]
    # Large inputs: the (bags × vocabulary) matrices would take 4·|vocabulary| bytes a paragraph (61 KB a
    # paragraph on the alignment benchmark; the statement against an archive's candidate documents has few
    # bag pairs but as many English rows), so each side is kept as its rows' non-zero entries and only a
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
