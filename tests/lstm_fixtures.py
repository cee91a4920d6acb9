"""Tiny LSTM settings and a generated price file shared by the LSTM test files."""

import numpy as np

# The smallest forecaster worth training, and the memory task's (trained once per session).
from tiny_settings import TINY_LSTM as TINY  # noqa: E402,F401  (the LSTM tests import them from here)
from tiny_settings import TINY_MEMORY  # noqa: E402,F401


def yahoo_csv(rows: int = 200) -> bytes:
    """A Yahoo-format daily-prices CSV (business days from 2021-01-04), a random walk from 50."""
    prices = 50 * np.exp(np.random.default_rng(5).normal(0, 0.01, rows).cumsum())
    days = np.busday_offset("2021-01-04", np.arange(rows), roll="forward")
    lines = ["Date,Open,High,Low,Close,Adj Close,Volume"]
    lines += [f"{d},{p:.4f},{p * 1.01:.4f},{p * 0.99:.4f},{p:.4f},{p * 0.9:.4f},1000"
              for d, p in zip(days, prices)]
    return ("\n".join(lines) + "\n").encode()


def european_csv(rows: int = 200, separator: str = ";") -> bytes:
    """A European broker's export of the same walk: `Datum;Schluss`, dates 02.01.2024, prices
    1.234,56 (thousands point, decimal comma)."""
    prices = 1200 * np.exp(np.random.default_rng(5).normal(0, 0.01, rows).cumsum())
    days = np.busday_offset("2024-01-02", np.arange(rows), roll="forward")
    lines = [separator.join(["Datum", "Eröffnung", "Schluss", "Volumen"])]
    for day, price in zip(days, prices):
        year, month, date = str(day).split("-")
        lines.append(separator.join([f"{date}.{month}.{year}", german(price * 0.99), german(price),
                                     f"{12345:,}".replace(",", ".")]))
    return ("\n".join(lines) + "\n").encode()


def german(value: float) -> str:
    """1234.5 → "1.234,50"."""
    return f"{value:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")


def split_csv(rows: int = 260, split_row: int = 150) -> bytes:
    """The Google course file's quirk on a random walk: Close is not adjusted for a 2-for-1 split
    on row `split_row` (twice Open before it), while Open is."""
    prices = 50 * np.exp(np.random.default_rng(7).normal(0, 0.01, rows).cumsum())
    days = np.busday_offset("2021-01-04", np.arange(rows), roll="forward")
    lines = ["Date,Open,Close,Volume"]
    lines += [f"{d},{p:.2f},{p * (2 if i < split_row else 1):.2f},\"1,000\""
              for i, (d, p) in enumerate(zip(days, prices))]
    return ("\n".join(lines) + "\n").encode()
