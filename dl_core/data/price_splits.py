"""Stock splits in a price column that is not split-adjusted, found before training.

On a 2-for-1 split every share becomes two, and an unadjusted price halves overnight: the
series jumps by the split ratio m/n (a "n-for-m" split) between two trading days. A network
trained on it learns a crash that never happened. `find_splits` flags one-day moves beyond
±40 % whose size is within 15 % of a plain ratio (2:1, 3:2, 7:1, 1:10, …); `adjust` multiplies
every price before each split by m/n, so the whole series is in today's shares.

A real crash can look the same (AAPL fell 52 % on 2000-09-29), so each split also reports
how the file's other price columns moved that day: if they did not jump (the Google course
file's Open on 2014-03-27), only this column is unadjusted, and the split is certain.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import gcd

import numpy as np

JUMP = np.log(1.4)  # a one-day move beyond ±40 %
TOLERANCE = np.log(1.15)  # the day's own move on top of the split ratio
PLAIN = sorted({(n // gcd(n, m), m // gcd(n, m)) for n in range(1, 11) for m in range(1, 11) if n != m}
               | {(n, 1) for n in (15, 20, 25, 30, 50, 100)} | {(1, m) for m in (15, 20, 25, 30, 50, 100)})


@dataclass(frozen=True)
class Split:
    index: int  # the first row at the new price level
    date: np.datetime64
    before: float  # the column's value on the day before, and on the split day
    after: float
    ratio: tuple[int, int]  # (n, m): an n-for-m split; (2, 1) halves the price, (1, 10) multiplies it by 10
    others: dict[str, float] = field(default_factory=dict)  # other price columns' factor that day

    @property
    def factor(self) -> float:
        return self.after / self.before

    @property
    def adjustment(self) -> float:
        """What every price before the split is multiplied by: m/n."""
        return self.ratio[1] / self.ratio[0]

    @property
    def only_this_column(self) -> bool:
        """The file's other price columns did not jump that day."""
        return bool(self.others) and all(abs(np.log(f)) < TOLERANCE for f in self.others.values())

    def describe(self, column: str) -> str:
        n, m = self.ratio
        text = (f"{column} jumps ×{self.factor:.2f} on {self.date} ({self.before:,.2f} → {self.after:,.2f}), "
                f"what a {n}-for-{m} split looks like in a column that is not split-adjusted.")
        if self.only_this_column:
            text += (f" The other price columns did not jump that day ({_factors(self.others)}): "
                     f"{column} is not adjusted before {self.date}.")
        elif self.others:
            text += (f" The other price columns jumped too ({_factors(self.others)}), so it may be a "
                     "real move of the price: check before adjusting.")
        return text


def find_splits(dates: np.ndarray, values: np.ndarray,
                others: dict[str, np.ndarray] | None = None) -> list[Split]:
    """Every one-day jump beyond ±40 % that is close to a plain split ratio, oldest first."""
    values = np.asarray(values, np.float64)
    if len(values) < 2 or np.any(values <= 0) or not np.all(np.isfinite(values)):
        return []
    moves = np.diff(np.log(values))
    splits = []
    for i in np.flatnonzero(np.abs(moves) >= JUMP):
        ratio = plain_ratio(float(np.exp(moves[i])))
        if ratio is None:
            continue
        moved = {name: float(column[i + 1] / column[i]) for name, column in (others or {}).items()
                 if column[i] > 0 and column[i + 1] > 0}
        splits.append(Split(int(i + 1), dates[i + 1], float(values[i]), float(values[i + 1]), ratio, moved))
    return splits


def plain_ratio(factor: float) -> tuple[int, int] | None:
    """(n, m) with m/n nearest to `factor` (the price after / before), if within 15 %."""
    n, m = min(PLAIN, key=lambda r: abs(np.log(factor) - np.log(r[1] / r[0])))
    return (n, m) if abs(np.log(factor) - np.log(m / n)) <= TOLERANCE else None


def adjust(values: np.ndarray, splits: list[Split]) -> np.ndarray:
    """The prices in today's shares: every price before a split times that split's m/n."""
    adjusted = np.asarray(values, np.float64).copy()
    for split in splits:
        adjusted[:split.index] *= split.adjustment
    return adjusted


def _factors(others: dict[str, float]) -> str:
    return ", ".join(f"{name} ×{factor:.2f}" for name, factor in others.items())
