"""``bench archive`` (issue 25): the builder of the statement-against-an-archive input is deterministic,
plants each story's English document among distractors that never share a story's article, tiles FLORES
into distinct paragraphs, and names the documents it saves twice."""

import pytest
from conftest import run_cli

from pipeline import config
from pipeline.bench.archive import AR_DOC, AR_PARAGRAPHS, REPEAT_EVERY, build_archive, write_archive

needs_data = pytest.mark.skipif(
    not config.SHARED_DATA.is_dir(), reason="needs ../shared/data (absent in a user's clone)"
)


@needs_data
def test_the_archive_is_deterministic_and_plants_each_story_among_distinct_distractors():
    archive = build_archive(config.SHARED_DATA, REPEAT_EVERY + 30)
    assert archive == build_archive(config.SHARED_DATA, REPEAT_EVERY + 30)
    assert AR_PARAGRAPHS <= len(archive.ar) < AR_PARAGRAPHS + 20
    names = [name for name, _ in archive.docs]
    assert len(names) == len(set(names)) == REPEAT_EVERY + 30 + len(archive.repeats)
    assert len(archive.repeats) == 1 and archive.repeats[0].endswith("-copy")
    docs = dict(archive.docs)
    assert docs[archive.repeats[0]] == docs[archive.repeats[0].removesuffix("-copy")]
    # the gold names planted documents only, each of its paragraphs within the document
    assert {doc for _, doc, _, _ in archive.gold} == set(archive.planted)
    assert all(0 <= i < len(archive.ar) and 0 <= j < len(docs[doc]) for i, doc, j, _ in archive.gold)
    assert {label for *_, label in archive.gold} == {"equivalent", "related"}
    # distractor paragraphs are distinct, and none is a planted story's sentence
    planted = {p for doc in archive.planted for p in docs[doc]}
    distractor = [p for name, paragraphs in archive.docs if name not in archive.planted for p in paragraphs]
    originals = [
        p for name, ps in archive.docs if name not in archive.planted and not name.endswith("-copy") for p in ps
    ]
    assert len(originals) == len(set(originals)) and not planted & set(distractor)


@needs_data
def test_the_written_gold_uses_the_ids_ingest_gives(tmp_path):
    archive = build_archive(config.SHARED_DATA, 40)
    ar_path, en_paths = write_archive(archive, tmp_path)
    assert ar_path.read_text(encoding="utf-8").splitlines() == archive.ar
    assert len(en_paths) == 40
    rows = (tmp_path / "gold.tsv").read_text(encoding="utf-8").splitlines()
    assert rows[0] == "ar_id\ten_id\tlabel" and len(rows) == len(archive.gold) + 1
    i, doc, j, label = archive.gold[0]
    assert rows[1] == f"{AR_DOC}:{i + 1}\t{doc}:{j + 1}\t{label}"


def test_bench_archive_without_the_shared_data_says_which_file(tmp_path):
    result = run_cli("bench", "archive", "--data", tmp_path / "none", "--sizes", "20", "--work", tmp_path / "w")
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and str(tmp_path / "none") in result.stderr


def test_the_vector_cache_embeds_each_new_text_once_and_reads_back_the_same_bits(tmp_path):
    import numpy as np

    from pipeline.encoders.cache import VectorCache, cached_encode

    class Counting:
        calls: list = []

        def signature(self):
            return {"encoder": "counting"}

        def encode(self, texts, lang, desc=None):
            self.calls.append(list(texts))
            return np.asarray([[len(t), hash(lang) % 7, 1.0 / (1 + len(t))] for t in texts], dtype=np.float32)

    encoder = Counting()
    cache = VectorCache(tmp_path)
    first = cached_encode(encoder, ["a", "bb", "a"], "en", None, cache)
    again = cached_encode(encoder, ["bb", "ccc", "a"], "en", None, cache)
    other_language = cached_encode(encoder, ["a"], "ar", None, cache)
    cache.close()
    assert encoder.calls == [["a", "bb"], ["ccc"], ["a"]]
    assert first.tobytes() == np.stack([first[0], first[1], first[0]]).tobytes()
    assert again[0].tobytes() == first[1].tobytes() and again[2].tobytes() == first[0].tobytes()
    assert other_language.shape == (1, 3) and (tmp_path / "embeddings.sqlite").is_file()
