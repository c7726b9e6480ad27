"""The Python API refuses what the CLI refuses, with the same one-line errors, and records the command that
repeats a run."""

from pathlib import Path

import pytest

from pipeline import config
from pipeline.errors import PipelineError
from pipeline.export import check_formats, format_names, render
from pipeline.mt.base import Decoding
from pipeline.records import RunResult
from pipeline.export.selection import LinkFilter
from pipeline.run import RunConfig, check_config, command_line


@pytest.mark.parametrize(
    "settings, message",
    [
        ({"mode": "bilingual"}, "unknown mode 'bilingual'"),
        ({"ar": [Path("a.txt")]}, "give both --ar and --en"),
        ({"mt_backend": "marian"}, "unknown MT backend 'marian'"),
        ({"formats": ("jsonl", "pdf")}, "unknown format(s) pdf"),
        ({"formats": ()}, "unknown format(s) (none)"),
        ({"formats": ("manifest",)}, "unknown format(s) manifest"),
        ({"threads": 0}, "--threads must be at least 1"),
    ],
)
def test_check_config_refuses_unusable_settings(settings, message):
    with pytest.raises(PipelineError) as err:
        check_config(RunConfig(**settings))
    assert message in str(err.value)


@pytest.mark.parametrize(
    "settings, flag",
    [
        ({"num_beams": 0}, "--mt-beams"),
        ({"max_new_tokens": 0}, "--mt-max-new-tokens"),
        ({"batch_size": 0}, "--mt-batch-size"),
    ],
)
def test_decoding_refuses_less_than_one(settings, flag):
    with pytest.raises(PipelineError) as err:
        Decoding(**settings)
    assert f"{flag} must be at least 1" in str(err.value)


@pytest.mark.parametrize(
    "settings, expected",
    [
        ({}, "python -m pipeline run --out outputs"),
        (
            {"mt_model": "Helsinki-NLP/opus-mt-ar-en"},
            "python -m pipeline run --out outputs --mt-model Helsinki-NLP/opus-mt-ar-en --mt-backend transformers",
        ),
        ({"mt_model": "none"}, "python -m pipeline run --out outputs --mt-model none"),
        (
            {"ar": [Path("a.txt")], "en": [Path("b.txt"), Path("c.txt")], "mode": "parallel", "formats": ("tsv",)},
            "python -m pipeline run --out outputs --ar a.txt --en b.txt c.txt --mode parallel --formats tsv",
        ),
        (
            {"out": Path("x"), "decoding": Decoding(num_beams=2), "require_mt": True, "threads": 2},
            "python -m pipeline run --out x --require-mt --threads 2 --mt-beams 2",
        ),
        ({"cache": None, "formats": ("jsonl",)}, "python -m pipeline run --out outputs --formats jsonl"),
        ({"cache": Path("c")}, "python -m pipeline run --out outputs --cache c"),
        (
            {"link_filter": LinkFilter(("equivalent",), 0.5)},
            "python -m pipeline run --out outputs --labels equivalent --min-probability 0.5",
        ),
    ],
)
def test_manifest_command_comes_from_the_config(settings, expected):
    assert command_line(RunConfig(**settings)) == expected


def test_every_default_format_is_registered_and_rendered():
    assert format_names() == config.FORMATS
    assert check_formats(["tsv", "tmx"]) == ("tsv", "tmx")
    empty = RunResult([], [], [], [], {})
    names = set(render(empty, ("jsonl", "tsv", "moses", "tmx")))
    assert {"segments.jsonl", "alignments.tsv", "parallel.ar", "parallel.en", "alignments.tmx"} <= names
    with pytest.raises(PipelineError, match="choose from jsonl, tsv, moses, tmx, html"):
        render(empty, ("docx",))
