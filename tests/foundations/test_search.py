"""Grid and random search points, best-so-far curves and the spread of validation scores."""

import numpy as np
import pytest

from dl_core.foundations import search


def test_grid_covers_both_ranges_with_few_distinct_values():
    points = search.grid_points(4)
    assert len(points) == 16
    rates, dropouts = zip(*points)
    assert len(set(rates)) == 4 and len(set(dropouts)) == 4
    assert min(rates) == 1e-4 and max(rates) == 0.1 and min(dropouts) == 0 and max(dropouts) == 0.7
    assert points[:4] == [(r, 0.0) for r in sorted(set(rates))]  # learning rate varies fastest


def test_random_points_are_fixed_in_range_and_all_distinct():
    first, again = search.random_points(16), search.random_points(20)
    assert first == again[:16]  # the same sequence for every learner and every budget
    rates, dropouts = zip(*first)
    assert len(set(rates)) == 16  # budget-many distinct learning rates, the grid has 4
    assert all(1e-4 <= r <= 0.1 for r in rates) and all(0 <= d <= 0.7 for d in dropouts)
    assert all(len(f"{r:.2e}".split("e")[0].replace(".", "")) <= 3 for r in rates)


def test_best_so_far_and_spread():
    assert search.best_so_far([None, 0.5, 0.4, None, 0.7]) == [None, 0.5, 0.5, None, 0.7]
    mean, std = search.spread([0.8, 0.9, 1.0])
    assert mean == pytest.approx(0.9) and std == pytest.approx(np.std([0.8, 0.9, 1.0], ddof=1))
    with pytest.raises(ValueError, match="at least 2"):
        search.spread([0.5])
    with pytest.raises(ValueError, match="at least 2"):
        search.grid_points(1)
