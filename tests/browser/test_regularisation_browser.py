"""Real browser: on the Regularisation page train two tiny runs, pin both and see them overlaid;
then train one cell of the class's hyperparameter grid and see it filled."""

from urllib.parse import urlencode

import pytest
from tiny_settings import TINY_OVERFIT

from conftest import screenshot

pytestmark = pytest.mark.browser


def test_two_pinned_runs_and_one_grid_cell(app_url, page):
    page.set_viewport_size({"width": 1400, "height": 3200})
    page.goto(f"{app_url}/regularisation?{urlencode(TINY_OVERFIT)}")
    page.get_by_role("heading", name="Regularisation & tuning").wait_for()
    page.get_by_text("Press Train to train it").wait_for()
    page.wait_for_timeout(2000)  # the first run's widgets hold the URL's values before the click
    page.get_by_role("button", name="Train", exact=True).click()
    page.get_by_role("button", name="Pin this run").click(timeout=120_000)
    page.get_by_role("button", name="Unpin all (1)").wait_for()

    page.locator("button", has_text="dropout 0.5").first.click()
    page.get_by_text("Press Train to train it").wait_for()
    page.get_by_role("button", name="Train", exact=True).click()
    page.get_by_role("button", name="Pin this run").click(timeout=120_000)
    page.get_by_role("button", name="Unpin all (2)").wait_for()
    legend = page.locator("[data-testid='stPlotlyChart'] .legendtext")
    legend.filter(has_text="width 16, dropout 0.5, epochs 3 (validation)").first.wait_for()
    legend.filter(has_text="train size 100, width 16, epochs 3 (validation)").first.wait_for()
    screenshot(page, "regularisation-two-pinned-runs")

    page.get_by_role("tab", name="Hyperparameter search").click()
    page.get_by_text("0 of 32 trainings done").wait_for()
    page.get_by_role("button", name="Train this cell").click()
    page.get_by_text("1 of 32 trainings done").wait_for(timeout=180_000)
    screenshot(page, "regularisation-one-grid-cell")
