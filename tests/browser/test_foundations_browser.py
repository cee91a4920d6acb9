"""Real browser: step the perceptron, then train a tiny MLP playground and see its decision
surface, the neuron heatmaps and the network drawing."""

from urllib.parse import urlencode

import pytest
from tiny_settings import TINY_PLAYGROUND

from conftest import screenshot

pytestmark = pytest.mark.browser

# A setting of its own (no other test trains it), with two hidden layers so both rows of neuron
# maps exist.
BROWSER_SETTING = dict(TINY_PLAYGROUND, hidden_layers=2, units=3, dataset="xor")


def test_step_the_perceptron(app_url, page):
    page.goto(f"{app_url}/perceptron-mlp")
    page.get_by_role("heading", name="Perceptron & MLP").wait_for()
    page.get_by_role("button", name="Step ▶").click()
    page.get_by_text("Epoch 1, sample 1").wait_for()
    slider = page.get_by_role("slider", name="Step (samples seen)")
    before = int(slider.get_attribute("aria-valuetext"))
    page.get_by_text("Play", exact=True).click()  # one step every 0.4 s until switched off
    page.wait_for_function("([el, n]) => Number(el.getAttribute('aria-valuetext')) >= n + 2",
                           arg=[slider.element_handle(), before], timeout=30_000)
    page.get_by_text("Play", exact=True).click()
    page.get_by_role("button", name="Run to the end").click()
    page.get_by_text("the line separates every point").wait_for()
    screenshot(page, "perceptron-run-to-the-end")


def test_train_a_tiny_playground_and_see_surface_and_neurons(app_url, page):
    page.set_viewport_size({"width": 1400, "height": 3000})
    page.goto(f"{app_url}/perceptron-mlp?{urlencode(BROWSER_SETTING)}")
    page.get_by_role("tab", name="MLP playground").click()
    page.get_by_text("Press Train to train it").wait_for()
    page.wait_for_timeout(2000)  # the first run's widgets hold the URL's values before the click
    page.get_by_role("button", name="Train", exact=True).click()
    page.get_by_text("Test accuracy").wait_for(timeout=180_000)
    page.get_by_role("heading", name="What every neuron computes").wait_for()
    charts = page.locator("[data-testid='stPlotlyChart']")
    # The surface: one heatmap layer per class, and the points on top.
    surface = charts.filter(has=page.locator(".legendtext", has_text="0 (train)")).first
    surface.wait_for()
    # Neuron maps: one titled small map per unit of the two hidden layers.
    maps = charts.filter(has=page.get_by_text("layer 2 · unit 3")).first
    maps.wait_for()
    titles = maps.locator(".annotation-text").all_text_contents()
    assert titles == [f"layer {layer} · unit {unit}" for layer in (1, 2) for unit in (1, 2, 3)]
    charts.filter(has=page.get_by_text("The trained network")).first.wait_for()
    screenshot(page, "playground-trained")
