"""Real browser: train the 2-D GAN for a few seconds and watch the live board update."""

import re

import pytest

from conftest import screenshot

pytestmark = pytest.mark.browser


def test_toy_gan_trains_live_then_scrubs(app_url, page):
    page.set_viewport_size({"width": 1400, "height": 3000})
    page.goto(f"{app_url}/gan?steps=600")
    page.get_by_text("has not been trained yet").wait_for()
    page.get_by_role("button", name="Train", exact=True).click()

    live = page.get_by_text(re.compile(r"After \d+ generator steps"))
    live.wait_for(timeout=120_000)
    first = live.inner_text()
    # The worker sends a new picture of the board after every snapshot interval.
    page.wait_for_function(
        "first => [...document.querySelectorAll('[data-testid=\"stImageCaption\"], figcaption, p, div')]"
        ".some(e => /After \\d+ generator steps/.test(e.innerText) && !e.innerText.includes(first))",
        arg=first, timeout=120_000)
    screenshot(page, "gan-live")

    page.get_by_text("Modes covered", exact=True).wait_for(timeout=240_000)
    page.get_by_text(re.compile(r"The board after 600 generator steps")).wait_for()
    assert page.locator(".js-plotly-plot").count() >= 3  # board, losses, D outputs
    screenshot(page, "gan-trained")
