"""Theme settings: the key-term weights, the phrase-match floor and the calibrated theme models, loaded from
``pipeline/themes/calibrated.json`` (written by ``python -m pipeline calibrate-themes`` on the theme gold's
tune runs only; ``make eval`` reports them on the test runs).

A theme model is a :class:`pipeline.align.model.LinkModel` over :mod:`pipeline.themes.features` and
:mod:`pipeline.themes.passages` with the range of each feature seen in calibration (``bounds``): features
are clipped into it before scoring, so a pair unlike anything the model was fitted on gets the probability
of the nearest calibrated case, never an extrapolation.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from pipeline.align.model import LinkModel
from pipeline.errors import PipelineError

THEME_SETTINGS_VERSION = 1
DEFAULT_THEME_SETTINGS = Path(__file__).with_name("calibrated.json")


@dataclass(frozen=True)
class ThemeSettings:
    term_floor: float = 0.6  # phrase vectors at least this similar are a match ...
    term_rank: int = 3  # ... when each is among the other's this many nearest terms of the run (0-based < rank)
    rarity_power: float = 1.0
    specificity_power: float = 1.0
    dense_limit: int = 250_000  # up to this many paragraph pairs every pair is a candidate
    candidates: int = 50  # past it: each Arabic paragraph's most similar English paragraphs (paragraph cosine)
    calibrated_on: str = ""
    models: dict = field(default_factory=dict)  # variant → LinkModel JSON (with bounds)

    def __post_init__(self) -> None:
        from pipeline.themes.bridge import RANK_DEPTH, RANKED_FLOOR

        # Term pairs are kept only with cosines at or above RANKED_FLOOR and mutual ranks below RANK_DEPTH.
        if not RANKED_FLOOR <= self.term_floor <= 1.0:
            raise ValueError(f"term_floor {self.term_floor} is outside {RANKED_FLOOR}..1")
        if not 1 <= self.term_rank <= RANK_DEPTH:
            raise ValueError(f"term_rank {self.term_rank} is outside 1..{RANK_DEPTH}")

    def model(self, variant: str) -> LinkModel | None:
        data = self.models.get(variant)
        return LinkModel.from_json(data) if data else None

    def to_json(self) -> dict:
        return {"version": THEME_SETTINGS_VERSION, **asdict(self)}


def theme_variant(has_dictionary: bool, has_mt: bool) -> str:
    """The model a pair is decided by: trained with or without the dictionary's matches and with or
    without MT's (an Arabic paragraph without a translation is decided without MT, even in a run where
    others have one)."""
    return "themes" + ("+dictionary" if has_dictionary else "") + ("+mt" if has_mt else "")


def load_theme_settings(path: Path | None = None) -> ThemeSettings:
    """The theme settings at ``path`` (default: the calibrated file shipped with the package). Raises
    PipelineError naming the file when it is missing, malformed or of another version."""
    path = Path(path) if path else DEFAULT_THEME_SETTINGS
    if not path.is_file():
        raise PipelineError(path, "no theme settings file (run calibrate-themes, or reinstall the pipeline)")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise PipelineError(path, f"not a valid theme settings file ({exc})") from None
    if not isinstance(data, dict) or data.get("version") != THEME_SETTINGS_VERSION:
        raise PipelineError(path, f"theme settings version {data.get('version')!r}, this pipeline reads 1")
    known = set(ThemeSettings.__dataclass_fields__)
    unknown = set(data) - known - {"version", "measurements"}
    if unknown:
        raise PipelineError(path, f"unknown theme settings: {', '.join(sorted(unknown))}")
    try:
        return ThemeSettings(**{k: v for k, v in data.items() if k in known})
    except (TypeError, ValueError) as exc:
        raise PipelineError(path, f"not a valid theme settings file ({exc})") from None
