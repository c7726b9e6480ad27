"""Aligner settings: weights and thresholds, loaded from a versioned JSON file written by ``calibrate``.

The file shipped in ``pipeline/align/calibrated.json`` was produced by ``python -m pipeline calibrate``
on the ``*-tune`` gold sets; ``make eval`` reports how the thresholds carry over to the ``*-test`` sets.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from pipeline.config import ENCODER
from pipeline.errors import PipelineError

SETTINGS_VERSION = 1
DEFAULT_SETTINGS_PATH = Path(__file__).with_name("calibrated.json")


@dataclass(frozen=True)
class AlignSettings:
    encoder: str = ENCODER
    margin_k: int = 4  # neighbours for the ratio margin
    margin_weight: float = 0.5  # weight of (margin - 1) beside the raw cosine
    anchor_weight: float = 0.05  # weight of anchor strength (0..1)
    mt_weight: float = 0.5  # share of the score taken from MT-side similarity when MT is present
    equivalent_threshold: float = 0.6
    related_threshold: float = 0.35
    related_min_anchors: int = 1  # a related link also needs this many shared anchors
    merge_gap: float = 0.15  # a second equivalent link must score within this of the first
    dense_limit: int = (
        250_000  # up to this many pairs (500 × 500) score every pair; past it, faiss kNN (faster, `make bench`)
    )
    knn_candidates: int = 16  # neighbours per paragraph, each way, on the faiss path
    ivf_min: int = 10_000  # from this many paragraphs a side, neighbours from an inverted file (`make bench`)
    ivf_recall: float = 0.96  # the inverted file's nprobe must find this share of the exact k nearest
    related_rank: int = 2  # a related pair is among this many best of its row and of its column
    phrase_floor: float = 0.1  # a shared specific phrase makes a related link from this score up
    phrase_limit: int = 250_000  # phrase anchors are sought up to this many pairs (500 × 500)
    max_links: int = 3  # links per Arabic paragraph, strongest first
    calibrated_on: str = ""  # which gold sets the thresholds come from

    def to_json(self) -> dict:
        return {"version": SETTINGS_VERSION, **asdict(self)}


def load_settings(path: Path | None = None) -> AlignSettings:
    """Load settings; raises PipelineError naming the file when it is missing, malformed or of another version."""
    path = Path(path) if path else DEFAULT_SETTINGS_PATH
    if not path.is_file():
        if path == DEFAULT_SETTINGS_PATH:
            return AlignSettings()
        raise PipelineError(path, "no such settings file")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise PipelineError(path, f"not a valid settings file ({exc})") from None
    if data.get("version") != SETTINGS_VERSION:
        raise PipelineError(
            path, f"settings version {data.get('version')!r}, this pipeline reads version {SETTINGS_VERSION}"
        )
    known = {f.name for f in fields(AlignSettings)}
    unknown = set(data) - known - {"version", "measurements"}
    if unknown:
        raise PipelineError(path, f"unknown settings: {', '.join(sorted(unknown))}")
    return AlignSettings(**{k: v for k, v in data.items() if k in known})
