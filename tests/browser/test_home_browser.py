"""Real browser (Debian chromium via Playwright) against a real `streamlit run app.py`."""

import re
from urllib.parse import urlencode, urlparse

import pytest

from conftest import TINY_AE, screenshot, wait_for_images

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
    wait_for_images(page, at_least=1)
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


def test_two_learners_on_one_link_share_the_training_and_cancel_only_for_themselves(app_url, browser):
    """Bob's page, open and idle, notices Ada's training without a reload; his Cancel detaches
    him alone; the result reaches both pages."""
    setting = dict(TINY_AE, bottleneck=4, epochs=4, train_size=600)
    link = f"{app_url}/autoencoder?{urlencode(setting)}"
    contexts = [browser.new_context(viewport={"width": 1400, "height": 1000}) for _ in range(2)]
    ada, bob = (context.new_page() for context in contexts)
    try:
        for learner in (ada, bob):
            learner.set_default_timeout(60_000)
            learner.goto(link)
            learner.get_by_text("has not been trained yet").wait_for()
        ada.get_by_role("button", name="Train", exact=True).click()
        bob.get_by_role("button", name="Cancel training").wait_for()  # no reload, no click
        bob.get_by_text("2 learners are watching this training").wait_for()
        bob.get_by_role("button", name="Cancel training").click()
        bob.get_by_text("You stopped watching this training").wait_for()
        ada.get_by_text("Validation MSE").wait_for(timeout=180_000)  # Ada's training went on
        bob.get_by_text("Validation MSE").wait_for(timeout=30_000)  # and Bob sees it too
        for learner in (ada, bob):
            learner.get_by_text("Reconstruct your own image").wait_for()  # the whole page drew
            assert learner.get_by_text("Something went wrong").count() == 0
        screenshot(bob, "shared-training-bob")
    finally:
        for context in contexts:
            context.close()
