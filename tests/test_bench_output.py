"""What the benchmarks print beside their figures: the spread of the repeats and a warning when the
machine's load would distort the timings (the timings themselves are measured by `make bench`, not here)."""

import pytest

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
