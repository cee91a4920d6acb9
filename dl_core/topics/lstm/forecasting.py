"""Windows, chronological splits, train-only scaling, baselines and scores for price forecasting.

Notation: prices s_0 … s_{N−1}. The model sees the *modelled* series m: the prices themselves,
or log-returns m_t = log(s_t / s_{t−1}). A sample is anchored at t (the last day the forecaster
knows): its input is the window m_{t−w+1..t} and its targets are m_{t+1..t+h}.

No look-ahead, by construction:
- the series is cut in time: train = days < a, validation = a ≤ day < b, test = day ≥ b;
- a sample belongs to the split that holds *all* of its target days (samples whose targets
  straddle a boundary are dropped), so no training target lies in the validation/test period;
- the scaler (mean and standard deviation) is fit on the training days only.
Inputs of validation/test samples may reach back into earlier periods: that is the past, which a
forecaster on that day really knows.

Every score is computed on prices, so the model and the baselines are compared on one scale.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

TARGETS = ("log_return", "price")
SPLITS = ("train", "val", "test")
TRAIN_FRACTION = 0.70
VAL_FRACTION = 0.15
MIN_WINDOWS = {"train": 10, "val": 3, "test": 3}


def chronological_bounds(length: int) -> tuple[int, int]:
    """(a, b): the first validation day and the first test day."""
    return int(round(length * TRAIN_FRACTION)), int(round(length * (TRAIN_FRACTION + VAL_FRACTION)))


def modelled_series(prices: np.ndarray, target: str) -> np.ndarray:
    """Prices, or log-returns aligned with the prices (NaN on day 0, which has no return)."""
    prices = np.asarray(prices, np.float64)
    if target == "price":
        return prices.copy()
    if target != "log_return":
        raise ValueError(f"target {target!r} is not one of {', '.join(TARGETS)}")
    if np.any(prices <= 0):
        raise ValueError("log-returns need strictly positive prices, but the series has zeros or "
                         "negative values: choose target=price or another column")
    return np.concatenate([[np.nan], np.diff(np.log(prices))])


def window_anchors(length: int, window: int, horizon: int, first_valid: int,
                   bounds: tuple[int, int]) -> dict[str, np.ndarray]:
    """Anchor days t of every sample, per split (see the module docstring)."""
    a, b = bounds
    t = np.arange(first_valid + window - 1, length - horizon)
    first_target, last_target = t + 1, t + horizon
    return {"train": t[last_target < a],
            "val": t[(first_target >= a) & (last_target < b)],
            "test": t[first_target >= b]}


@dataclass
class Prepared:
    prices: np.ndarray
    modelled: np.ndarray
    target: str
    window: int
    horizon: int
    bounds: tuple[int, int]
    mean: float  # scaler, fit on training days only
    std: float
    anchors: dict[str, np.ndarray]

    def scale(self, values: np.ndarray) -> np.ndarray:
        return (np.asarray(values, np.float64) - self.mean) / self.std

    def unscale(self, values: np.ndarray) -> np.ndarray:
        return np.asarray(values, np.float64) * self.std + self.mean

    def inputs(self, split: str) -> np.ndarray:
        """Scaled windows, shape (samples, window, 1), float32."""
        return self.windows_at(self.anchors[split])

    def windows_at(self, anchors: np.ndarray) -> np.ndarray:
        offsets = np.arange(-self.window + 1, 1)
        return self.scale(self.modelled[anchors[:, None] + offsets])[..., None].astype(np.float32)

    def targets(self, split: str) -> np.ndarray:
        """Scaled targets, shape (samples, horizon), float32."""
        offsets = np.arange(1, self.horizon + 1)
        return self.scale(self.modelled[self.anchors[split][:, None] + offsets]).astype(np.float32)

    def to_prices(self, anchors: np.ndarray, scaled: np.ndarray) -> np.ndarray:
        """Model outputs (scaled) → predicted prices for days t+1..t+h, shape (samples, horizon)."""
        values = self.unscale(scaled)
        if self.target == "price":
            return values
        return self.prices[anchors][:, None] * np.exp(np.cumsum(values, axis=1))


def prepare(prices: np.ndarray, target: str, window: int, horizon: int) -> Prepared:
    prices = np.asarray(prices, np.float64)
    modelled = modelled_series(prices, target)
    first_valid = 1 if target == "log_return" else 0
    bounds = chronological_bounds(len(prices))
    anchors = window_anchors(len(prices), window, horizon, first_valid, bounds)
    _check_enough(anchors, len(prices), window, horizon)
    fit_days = modelled[first_valid:bounds[0]]  # training days only: no look-ahead
    std = float(np.std(fit_days)) or 1.0
    return Prepared(prices, modelled, target, window, horizon, bounds, float(np.mean(fit_days)),
                    std, anchors)


def _check_enough(anchors: dict[str, np.ndarray], length: int, window: int, horizon: int) -> None:
    short = [f"{split} has {len(anchors[split])} (needs {need})"
             for split, need in MIN_WINDOWS.items() if len(anchors[split]) < need]
    if short:
        raise ValueError(f"too few rows for window={window} and horizon={horizon}: the series has "
                         f"{length} rows and, split 70/15/15 in time, " + "; ".join(short)
                         + " windows. Use a smaller window or horizon, or a longer series.")


# -- baselines -----------------------------------------------------------------------------
def truth(prices: np.ndarray, anchors: np.ndarray, horizon: int) -> np.ndarray:
    return prices[anchors[:, None] + np.arange(1, horizon + 1)]


def persistence(prices: np.ndarray, anchors: np.ndarray, horizon: int) -> np.ndarray:
    """"Tomorrow = today": ŝ_{t+k} = s_t for every k."""
    return np.repeat(prices[anchors][:, None], horizon, axis=1)


def moving_average(prices: np.ndarray, anchors: np.ndarray, horizon: int, span: int) -> np.ndarray:
    """ŝ_{t+k} = mean(s_{t−span+1..t}) (fewer days at the very start of the series)."""
    cumulative = np.concatenate([[0.0], np.cumsum(prices)])
    start = np.maximum(anchors - span + 1, 0)
    means = (cumulative[anchors + 1] - cumulative[start]) / (anchors + 1 - start)
    return np.repeat(means[:, None], horizon, axis=1)


# -- scores --------------------------------------------------------------------------------
def scores(predicted: np.ndarray, actual: np.ndarray, last: np.ndarray) -> dict[str, float]:
    """RMSE, MAE, MAPE (%) over every (sample, step); direction accuracy on the first step.

    Direction: did the forecast say "up" (ŝ_{t+1} ≥ s_t) when the price went up (s_{t+1} ≥ s_t)?
    A forecast of no change counts as "up", so persistence scores the share of up days.
    """
    predicted, actual = np.asarray(predicted, np.float64), np.asarray(actual, np.float64)
    error = predicted - actual
    up_forecast = predicted[:, 0] >= last
    up_actual = actual[:, 0] >= last
    return {"rmse": float(np.sqrt(np.mean(error ** 2))),
            "mae": float(np.mean(np.abs(error))),
            "mape": float(np.mean(np.abs(error) / np.abs(actual)) * 100),
            "direction_accuracy": float(np.mean(up_forecast == up_actual))}


def rmse(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.sqrt(np.mean((np.asarray(a, np.float64) - np.asarray(b, np.float64)) ** 2)))


# -- multi-step ----------------------------------------------------------------------------
def recursive_forecast(predict: Callable[[np.ndarray], np.ndarray], prepared: Prepared,
                       anchor: int, steps: int) -> np.ndarray:
    """Feed each one-step forecast back as the newest input: prices for days anchor+1..+steps.

    `predict` maps scaled windows (1, window, 1) to scaled outputs (1, horizon); only the first
    output is used. Errors compound, which is why the error grows with the step.
    """
    window = prepared.windows_at(np.array([anchor]))[0, :, 0].astype(np.float64)
    price = float(prepared.prices[anchor])
    path = []
    for _ in range(steps):
        scaled_next = float(np.asarray(predict(window[None, :, None].astype(np.float32)))[0, 0])
        value = float(prepared.unscale(scaled_next))
        price = value if prepared.target == "price" else price * float(np.exp(value))
        path.append(price)
        window = np.append(window[1:], scaled_next)
    return np.asarray(path)


def future_dates(dates: np.ndarray, steps: int) -> np.ndarray:
    """The next `steps` dates after the series: business days for daily data, else the usual gap."""
    last = dates[-1].astype("datetime64[D]")
    gap = int(np.median(np.diff(dates).astype(np.int64))) if len(dates) > 1 else 1
    if gap <= 3:
        return np.busday_offset(last, np.arange(1, steps + 1), roll="forward")
    return last + gap * np.arange(1, steps + 1)
