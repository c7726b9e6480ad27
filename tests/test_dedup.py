"""The duplicate index (pipeline/dedup.py) decides exactly as comparing every paragraph with every earlier one."""

import random
from pathlib import Path

import pytest

import pipeline.ingest.stage
from pipeline.ingest.corpus import corpus_lines, load_manifest
from pipeline.ingest.dedup import NEAR_DUPLICATE_JACCARD, DuplicateIndex, Match, jaccard, shingles_of
from pipeline.ingest.documents import Document, read_document
from pipeline.ingest.stage import ingest_documents

ROOT = Path(__file__).resolve().parent.parent


class ExhaustiveIndex:
    """The rule as first written: the earliest kept paragraph with the same key or Jaccard ≥ threshold,
    found by comparing with every one (quadratic; the reference the index must agree with)."""

    def __init__(self, threshold):
        self.threshold, self.kept = threshold, []

    def find(self, key, grams):
        for position, (other_key, other_grams) in enumerate(self.kept):
            if key == other_key:
                return Match(position, True, 1.0)
            similarity = jaccard(grams, other_grams)
            if similarity >= self.threshold:
                return Match(position, False, similarity)
        return None

    def add(self, key, grams):
        self.kept.append((key, grams))
        return len(self.kept) - 1


def both_ways(documents, monkeypatch):
    fast = ingest_documents(documents)
    with monkeypatch.context() as patch:
        patch.setattr(pipeline.ingest.stage, "DuplicateIndex", ExhaustiveIndex)
        slow = ingest_documents(documents)
    return fast, slow


def edit(text: str, rng: random.Random, edits: int) -> str:
    """``edits`` small changes a re-post makes: a word dropped, a word doubled, a character changed."""
    words = text.split()
    for _ in range(edits):
        if len(words) < 3:
            break
        k = rng.randrange(len(words))
        change = rng.choice(("drop", "double", "char"))
        if change == "drop":
            del words[k]
        elif change == "double":
            words.insert(k, words[k])
        else:
            w = words[k]
            c = rng.randrange(len(w))
            words[k] = w[:c] + rng.choice("abcdefghijklmnopqrstuvwxyzابتثجحخدذرزسشصضطظعغفقكلمنهوي") + w[c + 1 :]
    return " ".join(words)


def synthetic_documents(seed: int) -> list[Document]:
    """The corpus's lines with near-copies spread over several documents: copies with 0 to 12 edits, so
    that pairs fall on both sides of the Jaccard threshold, and copies of copies."""
    arabic, english = corpus_lines(ROOT / "corpus")
    rng = random.Random(seed)
    docs = []
    for lang, lines in (("ar", arabic), ("en", english)):
        pool = [l for l in lines if len(l.split()) >= 8]
        made = []
        for d in range(4):
            out = []
            for _ in range(60):
                source = rng.choice(pool + made) if made and rng.random() < 0.7 else rng.choice(pool)
                copy = edit(source, rng, rng.randrange(13))
                made.append(copy)
                out.append(copy)
            docs.append(
                Document(
                    id=f"{lang}{d}", lang=lang, path=f"{lang}{d}.txt", sha256="", meta={}, text="\n".join(out) + "\n"
                )
            )
    return docs


def outcome(result):
    return ([s.to_json() for s in result.segments], [r.to_json() for r in result.removed])


def test_corpus_decisions_equal_the_exhaustive_scan(monkeypatch):
    docs = [read_document(e.path, e.lang, e.id, e.meta) for e in load_manifest(ROOT / "corpus")]
    fast, slow = both_ways(docs, monkeypatch)
    assert outcome(fast) == outcome(slow)
    assert any(r.rule == "near_duplicate" for r in fast.removed) or any(r.rule == "duplicate" for r in fast.removed)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_synthetic_near_duplicates_equal_the_exhaustive_scan(monkeypatch, seed):
    docs = synthetic_documents(seed)
    fast, slow = both_ways(docs, monkeypatch)
    assert outcome(fast) == outcome(slow)
    rules = [r.rule for r in fast.removed]
    # The set exercises every branch: kept near-copies, removed near-copies, exact copies.
    assert rules.count("near_duplicate") >= 20 and rules.count("duplicate") >= 5
    near_misses = 0
    kept = [shingles_of(s.key) for s in fast.segments]
    for a in range(len(kept)):
        for b in range(a):
            near_misses += 0.6 <= jaccard(kept[a], kept[b]) < NEAR_DUPLICATE_JACCARD
    assert near_misses >= 5, "no pair just under the threshold: the set does not test the boundary"


@pytest.mark.parametrize(
    "key, earlier, expected",
    [
        ("abcdefghij", ["abcdefghij"], (0, True)),
        ("abcdefghijk", ["zzzzzzz", "abcdefghij"], (1, False)),  # 6 of 7 shingles shared: 0.86
        ("abcdefghijkl", ["abcdefghij"], None),  # 6 of 8: 0.75
        ("abcdefghijk", ["abcdefghijk x", "abcdefghij"], (1, False)),  # the first passing one, not the first candidate
        ("abc", ["abc", "abc"], (0, True)),
    ],
)
def test_index_finds_the_earliest_passing_paragraph(key, earlier, expected):
    index = DuplicateIndex(NEAR_DUPLICATE_JACCARD)
    for other in earlier:
        index.add(other, shingles_of(other))
    match = index.find(key, shingles_of(key))
    assert (None if match is None else (match.position, match.exact)) == expected


def test_random_word_paragraphs_are_compared_with_few_others(monkeypatch):
    """On text from a limited vocabulary no shingle is rare, and the index before MinHash compared each
    paragraph with a share of all earlier ones (13,000 lines took 3.2 times as long as 6,600, issue 23).
    The paragraphs checked exactly now stay few, and grow no faster than the input."""
    import pipeline.ingest.dedup as dedup
    from pipeline.bench.scale import distinct_paragraphs

    arabic, _ = corpus_lines(ROOT / "corpus")
    checked = []
    real = dedup.shingles_of
    monkeypatch.setattr(dedup, "shingles_of", lambda key, *a: checked.append(key) or real(key, *a))
    counts = []
    for n in (1000, 2000):
        checked.clear()
        index = DuplicateIndex(NEAR_DUPLICATE_JACCARD)
        for text in distinct_paragraphs(arabic, n, seed=n):
            grams = real(text)
            if index.find(text, grams) is None:
                index.add(text, grams)
        counts.append(len(checked))
    assert counts[0] <= 50 and counts[1] <= 2.5 * counts[0] + 50, counts
