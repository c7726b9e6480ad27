"""The calibrated link model: logistic regression over pair features (``pipeline.align.features``),
trained by ``calibrate`` on the tune gold sets and stored, with its threshold and training figures, in
the settings file. Pure numpy: Newton's method on the L2-penalised log-likelihood of standardised
features, so the same data give the same coefficients on every machine.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

L2 = 1.0  # ridge penalty on the standardised coefficients (keeps correlated features' weights finite)


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

    def to_json(self) -> dict:
        out = asdict(self)
        out["features"] = list(self.features)
        for key in ("mean", "scale", "coef"):
            out[key] = [round(v, 6) for v in out[key]]
        out["intercept"] = round(self.intercept, 6)
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
        )

    def probability(self, features: dict[str, np.ndarray]) -> np.ndarray:
        """P(link) of each pair from its features (every name in ``self.features`` must be present)."""
        z = np.full(len(next(iter(features.values()))), self.intercept, dtype=np.float64)
        for name, mean, scale, coef in zip(self.features, self.mean, self.scale, self.coef, strict=True):
            z += coef * (np.asarray(features[name], dtype=np.float64) - mean) / scale
        with np.errstate(over="ignore"):  # exp overflows to inf for z ≪ 0: the probability is 0, as it should be
            return 1.0 / (1.0 + np.exp(-z))


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
