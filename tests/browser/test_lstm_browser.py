"""Real browser: upload a CSV on the Sequences page, train a tiny LSTM, see the verdict and gates."""

from urllib.parse import urlencode

import pytest

from conftest import screenshot
from lstm_fixtures import TINY, TINY_MEMORY, yahoo_csv

pytestmark = pytest.mark.browser


def test_upload_a_csv_and_train(app_url, page, tmp_path):
    csv = tmp_path / "my_prices.csv"
    csv.write_bytes(yahoo_csv(260))
    page.set_viewport_size({"width": 1400, "height": 3000})
    page.goto(f"{app_url}/lstm?{urlencode(dict(TINY, units=6))}")
    page.get_by_role("heading", name="Stock LSTM").wait_for()
    page.get_by_text("Upload a CSV").click()
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(csv))
    page.get_by_text("Column to forecast").wait_for()
    page.get_by_text("has not been trained yet").first.wait_for()
    page.get_by_role("button", name="Train", exact=True).click()

    page.get_by_text("Test RMSE (persistence)").wait_for(timeout=180_000)
    page.get_by_text("The lag trap").wait_for()
    assert page.get_by_text("your CSV · Adj Close").count() >= 1
    # The text arrives before every chart is mounted (on a busy machine, seconds before): wait.
    page.wait_for_function("n => document.querySelectorAll(\"[data-testid='stPlotlyChart']\").length >= n",
                           arg=5, timeout=30_000)
    screenshot(page, "lstm-trained")

    page.get_by_role("tab", name="Gates made visible").click()
    page.get_by_text("Recomputed from the layer's weights").wait_for()
    page.get_by_text("f_t forget gate").wait_for()  # the heatmaps have been drawn
    screenshot(page, "lstm-gates")


def test_memory_tab_trains_and_plots_the_gradient_by_lag(app_url, page):
    page.set_viewport_size({"width": 1400, "height": 2600})
    page.goto(f"{app_url}/lstm?{urlencode(TINY_MEMORY)}")
    page.get_by_role("heading", name="Stock LSTM").wait_for()
    page.get_by_role("tab", name="Why LSTMs remember").click()
    page.get_by_role("button", name="Train SimpleRNN and LSTM").click()
    page.get_by_text("Read the slopes, not the heights").wait_for(timeout=180_000)
    page.get_by_text("Gradient reaching the input k steps back").wait_for()  # the chart has drawn
    page.get_by_text("per step").first.wait_for()  # its legend names each curve's factor
    assert page.get_by_text("Plotted: for each").count() == 1
    screenshot(page, "lstm-memory")
