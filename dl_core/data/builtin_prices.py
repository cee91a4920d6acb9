"""Built-in offline price series: real weekly prices shipped inside plotly, and a synthetic one.

- plotly ships `plotly.data.stocks()`: 105 real weekly closes (2018–2019) of six large US
  companies, each divided by its first value (so every series starts at 1.0). It is a declared
  dependency (requirements.txt), so it is there offline.
- `synthetic_daily` is geometric Brownian motion with regime changes: log S_t = log S_{t−1} + μ_r
  − σ_r²/2 + σ_r ε_t, where the drift μ_r and volatility σ_r switch between calm, bull and bear
  regimes. Deterministic from its seed; the page labels it as synthetic.
"""

from __future__ import annotations

import functools

import numpy as np

VERSION = 1
PLOTLY_TICKERS = ("GOOG", "AAPL", "AMZN", "FB", "NFLX", "MSFT")
SYNTHETIC_DAYS = 1500
SYNTHETIC_START = np.datetime64("2015-01-05")

# (daily drift μ, daily volatility σ, mean length in days) of each regime
REGIMES = ((0.0002, 0.008, 180), (0.0012, 0.012, 120), (-0.0015, 0.025, 60))


@functools.lru_cache(maxsize=4)
def synthetic_daily(days: int = SYNTHETIC_DAYS, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """(business-day dates, prices) of a regime-switching geometric Brownian motion."""
    rng = np.random.default_rng(seed)
    drift, vol = np.empty(days), np.empty(days)
    day, regime = 0, 0
    while day < days:
        mu, sigma, mean_len = REGIMES[regime]
        length = max(20, int(rng.exponential(mean_len)))
        drift[day:day + length], vol[day:day + length] = mu, sigma
        day += length
        regime = int(rng.choice([r for r in range(len(REGIMES)) if r != regime]))
    steps = drift - vol ** 2 / 2 + vol * rng.standard_normal(days)
    prices = 100.0 * np.exp(np.cumsum(steps))
    dates = np.busday_offset(SYNTHETIC_START, np.arange(days), roll="forward")
    return dates.astype("datetime64[D]"), prices.astype(np.float64)


def plotly_weekly(ticker: str) -> tuple[np.ndarray, np.ndarray]:
    """(weekly dates, normalised closes) of one ticker from plotly's bundled stocks table."""
    if ticker not in PLOTLY_TICKERS:
        raise ValueError(f"ticker {ticker!r} is not in plotly's stocks table: expected one of "
                         f"{', '.join(PLOTLY_TICKERS)}")
    table = _plotly_table()
    return table["date"], table[ticker]


@functools.lru_cache(maxsize=1)
def _plotly_table() -> dict[str, np.ndarray]:
    import plotly.data

    frame = plotly.data.stocks()
    out = {"date": frame["date"].to_numpy().astype("datetime64[D]")}
    for ticker in PLOTLY_TICKERS:
        out[ticker] = frame[ticker].to_numpy(dtype=np.float64)
    return out
