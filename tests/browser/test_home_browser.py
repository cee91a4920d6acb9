"""Real browser (Debian chromium via Playwright) against a real `streamlit run app.py`."""

import re
from urllib.parse import urlencode

import pytest

from conftest import TINY_AE, screenshot

pytestmark = pytest.mark.browser


def test_home_then_train_a_tiny_autoencoder(app_url, page):
    page.goto(app_url)
    page.get_by_role("heading", name="DL Lab").wait_for()
    assert "Device:" in page.inner_text("[data-testid='stSidebar']")

    page.locator("[data-testid='stMain']").get_by_role("link", name="Autoencoder").click()
    page.get_by_role("heading", name="Autoencoder").wait_for()
    page.wait_for_url(re.compile(r".*/autoencoder"))

    # A shared link carries the setting: the tiniest configuration, not trained yet.
    page.goto(f"{app_url}/autoencoder?{urlencode(TINY_AE)}")
    page.get_by_text("has not been trained yet").wait_for()
    page.get_by_role("button", name="Train", exact=True).click()

    page.get_by_text("Validation MSE").wait_for(timeout=180_000)
    grid = page.get_by_text(re.compile(r"Fixed validation images, rows: originals / reconstructions"))
    grid.wait_for()
    images = page.locator("[data-testid='stImage'] img")
    assert images.count() >= 1 and images.first.evaluate("img => img.naturalWidth") > 0
    screenshot(page, "autoencoder-trained")

    # The same link in a fresh page answers from the cache at once.
    page.goto(f"{app_url}/autoencoder?{urlencode(TINY_AE)}")
    page.get_by_text("Validation MSE").wait_for(timeout=30_000)
