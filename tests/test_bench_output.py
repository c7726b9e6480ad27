"""What the benchmarks print beside their figures: the spread of the repeats and a warning when the
machine's load would distort the timings (the timings themselves are measured by `make bench`, not here)."""

import pytest

from pipeline.errors import PipelineError
from pipeline.bench.load import load_warning
from pipeline.bench.mt import BenchResult
from pipeline.bench.mt import format_table as mt_table


@pytest.mark.parametrize(
    "load_1min, cores, warns",
    [
        (0.3, 2, False),
        (1.0, 2, False),  # half the cores busy: still a fair measurement
        (1.2, 2, True),
        (10.8, 2, True),
        (7.9, 16, False),
        (None, 2, False),  # no load average on this OS: nothing to say
    ],
)
def test_load_warning(load_1min, cores, warns):
    warning = load_warning({"load_1min": load_1min, "cores": cores})
    assert (warning is not None) is warns
    if warns:
        assert f"machine load {load_1min:.1f} on {cores} cores" in warning


def test_mt_table_shows_the_spread_beside_the_median():
    results = [
        BenchResult("transformers", 8, 1, 221.9, 1323.0, 64, 8256, 37.2, 215.0, 272.4),
        BenchResult("ctranslate2", 8, 2, 851.5, 640.0, 64, 8256, 9.7, 851.5, 1075.0),
    ]
    lines = mt_table(results).splitlines()
    assert "spread" in lines[0]
    assert "215–272" in lines[1] and "852–1075" in lines[2]
    assert "3.84×" in lines[-1]


def test_bench_ingest_times_inputs_of_the_sizes_asked(tmp_path):
    """`bench ingest --mb …`: one input of about each size through load and ingest, a row each (with the
    peak memory of its own process) and the log-log slope of the times."""
    import json

    from conftest import run_cli

    result = run_cli("bench", "ingest", "--mb", "0.2", "0.4", "--json", "--flores", tmp_path / "none")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout.splitlines()[-1])
    assert [r["megabytes"] for r in rows] == [0.2, 0.4]
    assert rows[1]["paragraphs"] > rows[0]["paragraphs"] > 100 and all(r["peak_rss_mb"] > 0 for r in rows)
    assert "| input MB | paragraphs | load s | ingest s | total s | MB/s | peak RSS MB |" in result.stdout
    assert "log-log slope of total seconds against input size:" in result.stdout


def _flores_like(folder, lines: int):
    """A folder in FLORES's layout: Arabic and English line k are a translation pair ("sentence k"), each
    with two words of its own, so the vocabulary grows with the lines."""
    folder.mkdir()
    arabic = [f"جملة {_letters(k, 'بتثجحخدذرز')}ة عن {_letters(k, 'سشصضطظعغفق')}ات في بغداد" for k in range(lines)]
    english = [f"Sentence {_letters(k)}ing on {_letters(k)}ment in Baghdad" for k in range(lines)]
    (folder / "arb_Arab.devtest").write_text("\n".join(arabic) + "\n", encoding="utf-8")
    (folder / "eng_Latn.devtest").write_text("\n".join(english) + "\n", encoding="utf-8")
    return arabic, english


def _letters(k: int, alphabet: str = "abcdefghij") -> str:
    return "".join(alphabet[int(d)] for d in f"{k:04d}")


def test_theme_rows_pair_different_stories(tmp_path):
    """The theme rows' paragraphs: Arabic from the first half of the sentences, English from the second, so
    no paragraph has its translation (or its story) on the other side."""
    from pipeline.bench.align import theme_texts

    arabic, english = _flores_like(tmp_path / "flores", 20)
    ar, en = theme_texts(tmp_path / "flores", tmp_path, 30)
    assert len(ar) == len(en) == 30
    for texts, own, other in ((ar, arabic[:10], arabic[10:]), (en, english[10:], english[:10])):
        assert all(sum(line in text for line in own) == 3 and not any(line in text for line in other) for text in texts)


@pytest.mark.parametrize(
    "sentences, beta",
    [
        ([f"{_letters(k)}ing {_letters(k)}ment" for k in range(512)], 1.0),  # each sentence new terms: linear
        ([f"elections commission statement {k}" for k in range(512)], 0.0),  # nothing new after the first
    ],
)
def test_vocabulary_growth_fits_heaps_law(sentences, beta):
    from pipeline.bench.align import vocabulary_growth

    assert vocabulary_growth(sentences, "en")[1] == pytest.approx(beta, abs=0.05)


def test_vocabulary_growth_needs_enough_distinct_sentences():
    from pipeline.bench.align import vocabulary_growth

    with pytest.raises(PipelineError, match="64 distinct sentences"):
        vocabulary_growth(["the same sentence"] * 500, "en")


class _HashEncoder:
    """Unit vectors drawn from each text's hash: fast, deterministic, no model."""

    def encode(self, texts, lang, desc=None):
        import zlib

        import numpy as np

        rows = [np.random.default_rng(zlib.crc32(f"{lang}:{t}".encode())).normal(size=32) for t in texts]
        out = np.asarray(rows, dtype=np.float32).reshape(len(texts), 32)
        return out / np.linalg.norm(out, axis=1, keepdims=True)


def test_term_relation_rows_grow_the_vocabulary_and_search_past_the_exact_limit(tmp_path, monkeypatch):
    """One row a size, its term counts from Heaps' law of that many paragraphs; past the exact limit the
    relation is searched (path ivf) instead of computing every cosine (path exact)."""
    import pipeline.themes.bridge as bridge
    from pipeline.bench.align import term_relation_scaling, theme_texts, vocabulary_growth

    arabic, english = _flores_like(tmp_path / "flores", 200)
    ar, en = theme_texts(tmp_path / "flores", tmp_path, 100)
    monkeypatch.setattr(bridge, "EXACT_TERM_PAIRS", 60_000)
    rows = term_relation_scaling(ar, en, arabic[:100], english[100:], [20, 80], _HashEncoder())
    k, beta = vocabulary_growth(arabic[:100], "ar")
    assert [r.n_ar for r in rows] == [20, 80]
    assert f"{int(round(k * 60**beta)):,} ar" in rows[0].what and f"{int(round(k * 240**beta)):,} ar" in rows[1].what
    assert [r.path for r in rows] == ["exact", "ivf"]


def test_theme_rows_run_the_aligner_and_the_theme_layer_at_each_size(tmp_path):
    from pipeline.align.settings import load_settings
    from pipeline.bench.align import theme_scaling, theme_texts

    _flores_like(tmp_path / "flores", 80)
    ar, en = theme_texts(tmp_path / "flores", tmp_path, 40)
    encoder = _HashEncoder()
    rows = theme_scaling(ar, en, encoder.encode(ar, "ar"), encoder.encode(en, "en"), load_settings(), [40, 80], encoder)
    assert [(r.n_ar, r.n_en, r.path) for r in rows] == [(40, 40, "ivf"), (80, 80, "ivf")]
    assert all(r.what.startswith("alignment + theme links (themes ") and r.seconds > 0 for r in rows)
