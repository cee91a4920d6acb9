"""Real browser (Debian chromium via Playwright) against a real `streamlit run app.py`."""

import re
from urllib.parse import urlencode, urlparse

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


def test_a_link_in_the_query_string_is_shown_as_text(app_url, page):
    hostile = "[Session expired: log in again](http://evil.invalid/login)"
    pixel = "![p](http://evil.invalid/pixel.png)"
    fetched = []
    page.on("request", lambda request: fetched.append(request.url)
            if urlparse(request.url).hostname == "evil.invalid" else None)
    page.goto(f"{app_url}/autoencoder?{urlencode({'bottleneck': hostile, 'epochs': pixel})}")
    warning = page.locator("[data-testid='stAlert']").filter(has_text="Ignored a setting from the link")
    warning.first.wait_for()
    text = " ".join(warning.all_inner_texts()).replace("\u2060", "")  # invisible word joiners
    assert "[Session expired: log in again](http://evil.invalid/login)" in text  # literally
    links = page.locator("a[href^='http://evil'], a[href^='//evil']")
    assert links.count() == 0, [links.nth(i).evaluate("a => a.parentElement.outerHTML") for i in range(links.count())]
    assert page.locator("img[src*='evil.invalid']").count() == 0 and fetched == []  # no pixel
    screenshot(page, "hostile-query")
