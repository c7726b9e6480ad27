"""The theme layer's calibration and evaluation: the scores they report, and calibration on real theme runs."""

import numpy as np
import pytest

from conftest import ROOT
from pipeline import config
from pipeline.errors import PipelineError
from pipeline.evaluation.theme_calibrate import average_precision, variant_features
from pipeline.evaluation.theme_eval import spearman

needs_shared = pytest.mark.skipif(
    not (ROOT / config.SHARED_DATA).is_dir(), reason="needs ../shared/data (absent in a user's clone)"
)


@pytest.mark.parametrize(
    "scores, labels, expected",
    [
        ([0.9, 0.8, 0.1], [1, 1, 0], 1.0),
        ([0.9, 0.8, 0.1], [0, 1, 1], (1 / 2 + 2 / 3) / 2),
        ([0.5, 0.5, 0.5], [1, 0, 0], 1 / 3),  # ties count against the positives: a constant score earns nothing
        ([0.3, 0.2], [0, 0], 0.0),
    ],
)
def test_average_precision(scores, labels, expected):
    assert average_precision(np.asarray(scores), np.asarray(labels, dtype=bool)) == pytest.approx(expected)


@pytest.mark.parametrize(
    "a, b, expected",
    [
        ([1, 2, 3, 4], [10, 20, 30, 40], 1.0),
        ([1, 2, 3, 4], [4, 3, 2, 1], -1.0),
        ([1, 2, 2, 3], [1, 3, 2, 4], 3 / 10**0.5),
    ],
)
def test_spearman(a, b, expected):
    assert spearman(np.asarray(a), np.asarray(b)) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize(
    "variant, has_exact, has_mt",
    [("themes", False, False), ("themes+dictionary", True, False), ("themes+dictionary+mt", True, True)],
)
def test_variant_features(variant, has_exact, has_mt):
    names = variant_features(variant)
    assert ("theme_exact" in names) == has_exact
    assert any(n.startswith("mt_") for n in names) == has_mt
    assert "centred_cosine" in names and "sentence_best" in names


@needs_shared
def test_calibration_on_two_theme_runs_writes_settings_the_aligner_loads(tmp_path, monkeypatch):
    from pipeline.evaluation import theme_calibrate
    from pipeline.evaluation.gold import write_gold_set
    from pipeline.evaluation.theme_gold import flores_tag_sets
    from pipeline.themes.settings import load_theme_settings

    runs = [g for g in flores_tag_sets(ROOT / config.SHARED_DATA, ROOT / config.THEMES) if "-tune-" in g.name][:2]
    for gold in runs:
        write_gold_set(gold, tmp_path / "gold")
    # One point of the grid: the test checks the steps, not the search.
    for name, value in {"TERM_FLOORS": (0.55,), "TERM_RANKS": (3,), "RARITY_POWERS": (2.0,)}.items():
        monkeypatch.setattr(theme_calibrate, name, value)
    monkeypatch.setattr(theme_calibrate, "SPECIFICITY_POWERS", (1.0,))
    out = tmp_path / "themes.json"
    folder = tmp_path / "gold" / runs[0].folder
    written = theme_calibrate.calibrate_themes([folder], out)
    settings = load_theme_settings(out)
    assert settings.calibrated_on == ", ".join(g.name for g in runs)
    for variant, figures in written["measurements"].items():
        if variant == "out_of_fold_ap":
            continue
        model = settings.model(variant)
        assert model is not None and 0.0 < model.threshold < 1.0
        assert model.features == variant_features(variant) and len(model.bounds) == len(model.features)
        assert figures["positives"] > 0
    with pytest.raises(PipelineError, match="already exists"):
        theme_calibrate.calibrate_themes([folder], out)
