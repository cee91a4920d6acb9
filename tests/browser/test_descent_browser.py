"""Real browser: train a path on the Gradient descent page, pin it, train a second one, and see
both on the map."""

import re
from urllib.parse import urlencode

import pytest

from conftest import screenshot

pytestmark = pytest.mark.browser

FIRST = {"steps": 15, "learning_rate": 0.2}  # settings of their own: no other test trains them
SECOND_RATE = "0.5"


def test_two_paths_on_the_map(app_url, page):
    page.set_viewport_size({"width": 1400, "height": 2600})
    page.goto(f"{app_url}/gradient-descent?{urlencode(FIRST)}")
    page.get_by_role("heading", name="Gradient descent").wait_for()
    page.get_by_text("Press Train to train it").wait_for()
    page.wait_for_timeout(2000)  # the first run's widgets hold the URL's values before the click
    page.get_by_role("button", name="Train", exact=True).click()
    page.get_by_role("button", name="Pin this path to compare").click(timeout=120_000)
    page.get_by_role("button", name="Unpin all (1)").wait_for()

    slider = page.get_by_role("slider", name="Learning rate η")
    slider.focus()
    while slider.get_attribute("aria-valuetext") != SECOND_RATE:
        page.keyboard.press("ArrowRight")
    page.get_by_role("button", name="Train", exact=True).click()
    legend = page.locator("[data-testid='stPlotlyChart'] .legendtext")
    legend.filter(has_text="SGD, η = 0.5, full batch").first.wait_for(timeout=120_000)
    legend.filter(has_text="SGD, η = 0.2, full batch").first.wait_for()
    screenshot(page, "descent-two-paths")


def test_a_click_on_the_map_moves_the_start(app_url, page):
    page.goto(f"{app_url}/gradient-descent")
    page.get_by_text("Start point: (-0.50, 4.00) — the problem's own").wait_for()
    plot = page.locator("[data-testid='stPlotlyChart']").first.locator(".nsewdrag").first
    plot.wait_for()
    plot.scroll_into_view_if_needed()  # a mouse click lands only inside the window
    page.wait_for_timeout(500)
    box = plot.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.8, box["y"] + box["height"] * 0.8)
    page.get_by_text(re.compile(r"Start point: \(.+\) — yours")).wait_for()
