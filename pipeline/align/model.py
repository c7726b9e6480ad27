"""The calibrated link model: logistic regression over pair features (``pipeline.align.features``),
trained by ``calibrate`` on the tune gold sets and stored, with its threshold and training figures, in
the settings file. Pure numpy: Newton's method on the L2-penalised log-likelihood of standardised
features, so the same data give the same coefficients on every machine.

A model never extrapolates: each feature is clipped to the range its training pairs spanned
(``bounds``), and a run smaller than the model needs (``requires``: Arabic paragraphs, English
paragraphs, English documents; :class:`RunShape`) is decided by a tier of its variant without the features
that need them (``pipeline.align.features.TIERS``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

L2 = 1.0  # ridge penalty on the standardised coefficients (keeps correlated features' weights finite)


@dataclass(frozen=True)
class RunShape:
    """How much a run has to compare a pair against: features such as the margin, ranks, IDF weights and
    story scores mean what they meant in calibration only when the run has enough of these."""

    ar_paragraphs: int
    en_paragraphs: int
    en_documents: int

    def to_json(self) -> dict:
        return asdict(self)

    def shortfall(self, requires: dict) -> list[str]:
        """What this run lacks of ``requires`` (a model's), in words; empty when it has enough."""
        words = {
            "ar_paragraphs": "Arabic paragraph",
            "en_paragraphs": "English paragraph",
            "en_documents": "English document",
        }
        return [
            f"{have} {words[key]}{'' if have == 1 else 's'} (the full model needs {need})"
            for key, need in sorted(requires.items())
            if (have := getattr(self, key)) < need
        ]


@dataclass(frozen=True)
class LinkModel:
    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    threshold: float  # probability from which a pair is linked
    max_links: int  # links per Arabic paragraph, most probable first
    training: dict = field(default_factory=dict)  # what it was trained on and how it scored there
    # Each feature's [lowest, highest] over the training pairs: inputs are clipped to it (empty: no clipping,
    # settings files before it).
    bounds: tuple[tuple[float, float], ...] = ()
    # The smallest run it applies to (RunShape fields; empty: any run).
    requires: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        out = asdict(self)
        out["features"] = list(self.features)
        for key in ("mean", "scale", "coef"):
            out[key] = [round(v, 6) for v in out[key]]
        out["intercept"] = round(self.intercept, 6)
        out["bounds"] = [[round(lo, 6), round(hi, 6)] for lo, hi in self.bounds]
        return out

    @classmethod
    def from_json(cls, data: dict) -> LinkModel:
        return cls(
            tuple(data["features"]),
            tuple(data["mean"]),
            tuple(data["scale"]),
            tuple(data["coef"]),
            float(data["intercept"]),
            float(data["threshold"]),
            int(data["max_links"]),
            dict(data.get("training", {})),
            tuple((float(lo), float(hi)) for lo, hi in data.get("bounds", ())),
            dict(data.get("requires", {})),
        )

    def fits(self, shape: RunShape) -> bool:
        return not shape.shortfall(self.requires)

    def probability(self, features: dict[str, np.ndarray]) -> np.ndarray:
        """P(link) of each pair from its features (every name in ``self.features`` must be present), each
        clipped to the range seen in training: a value beyond it says nothing the training could weigh."""
        z = np.full(len(next(iter(features.values()))), self.intercept, dtype=np.float64)
        bounds = self.bounds or ((-np.inf, np.inf),) * len(self.features)
        for name, mean, scale, coef, (lo, hi) in zip(
            self.features, self.mean, self.scale, self.coef, bounds, strict=True
        ):
            z += coef * (np.clip(np.asarray(features[name], dtype=np.float64), lo, hi) - mean) / scale
        with np.errstate(over="ignore"):  # exp overflows to inf for z ≪ 0: the probability is 0, as it should be
            return 1.0 / (1.0 + np.exp(-z))


def feature_bounds(x: np.ndarray) -> tuple[tuple[float, float], ...]:
    """[lowest, highest] of each column of the training matrix ``x``, rounded outwards to the 6 decimals
    the settings file keeps (so no training value is clipped by the rounding)."""
    lows = np.floor(x.min(axis=0) * 1e6) / 1e6
    highs = np.ceil(x.max(axis=0) * 1e6) / 1e6
    return tuple((float(lo), float(hi)) for lo, hi in zip(lows, highs, strict=True))


def fit_logistic(
    x: np.ndarray, y: np.ndarray, l2: float = L2, iterations: int = 100
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """(mean, scale, coef, intercept) of an L2-penalised logistic regression of ``y`` (0/1) on the
    columns of ``x``, standardised; the intercept is not penalised."""
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale = np.where(scale > 1e-12, scale, 1.0)
    z = np.c_[np.ones(len(x)), (x - mean) / scale]
    w = np.zeros(z.shape[1])
    penalty = l2 * np.diag(np.r_[0.0, np.ones(z.shape[1] - 1)])
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(z @ w)))
        gradient = z.T @ (p - y) + penalty @ w
        hessian = (z * (p * (1.0 - p))[:, None]).T @ z + penalty
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-9:
            break
    return mean, scale, w[1:], float(w[0])


def fitted_link_model(
    names: tuple[str, ...] | list[str], x: np.ndarray, y: np.ndarray, threshold: float, requires: dict | None = None
) -> LinkModel:
    """A LinkModel of the features ``names`` (the columns of ``x``) fitted by :func:`fit_logistic` to ``y``,
    one link per Arabic paragraph at ``threshold`` (callers choose both afterwards), its bounds those of
    ``x``."""
    mean, scale, coef, intercept = fit_logistic(x, y)
    return LinkModel(
        tuple(names),
        tuple(mean.tolist()),
        tuple(scale.tolist()),
        tuple(coef.tolist()),
        intercept,
        threshold,
        1,
        bounds=feature_bounds(x),
        requires=requires or {},
    )


def keep_links(
    i: np.ndarray, probability: np.ndarray, allowed: np.ndarray, threshold: float, max_links: int
) -> np.ndarray:
    """Mask of the pairs linked: allowed, probability ≥ threshold, and among the ``max_links`` most
    probable allowed pairs of their Arabic row (ties: the earlier pair)."""
    keep = allowed & (probability >= threshold)
    idx = np.nonzero(keep)[0]
    if idx.size == 0:
        return keep
    order = idx[np.lexsort((idx, -probability[idx], i[idx]))]
    rows = i[order]
    starts = np.r_[0, np.nonzero(np.diff(rows))[0] + 1]
    rank = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    out = np.zeros_like(keep)
    out[order[rank < max_links]] = True
    return out
