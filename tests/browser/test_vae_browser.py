"""Real browser: train a tiny VAE on the VAE page, then move a latent slider and see it decode."""

import re
from itertools import pairwise
from urllib.parse import urlencode

import pytest

from conftest import screenshot, wait_for_images
from vae_fixtures import TINY_SPRITES, TINY_VAE

pytestmark = pytest.mark.browser


def test_train_a_tiny_vae_and_move_a_traversal_slider(app_url, page):
    page.goto(f"{app_url}/vae?{urlencode(TINY_VAE)}")
    page.get_by_role("heading", name="Variational autoencoder (VAE)").wait_for()
    page.get_by_text("has not been trained yet").wait_for()
    page.get_by_role("button", name="Train", exact=True).click()

    page.get_by_text("Validation loss").wait_for(timeout=180_000)
    caption = page.get_by_text(re.compile(r"^decoded in \d+ ms$"))
    caption.wait_for(timeout=60_000)
    decoded = page.locator("[data-testid='stImage']").filter(has=caption).locator("img")
    before = decoded.get_attribute("src")

    slider = page.get_by_role("slider", name="z1")
    assert slider.get_attribute("aria-valuetext") == "0.00"
    slider.focus()
    for _ in range(15):
        page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "([el, old]) => el && el.getAttribute('src') !== old",
        arg=[decoded.element_handle(), before], timeout=30_000)
    assert page.get_by_role("slider", name="z1").get_attribute("aria-valuetext") == "1.50"
    screenshot(page, "vae-trained-slider-moved")


# Eight dimensions on sprites: enough rows to see whether the labels read cleanly, still seconds.
LABELLED = dict(TINY_SPRITES, latent_dim=8, train_size=400, epochs=2)


def test_traversal_rows_are_labelled_and_the_samples_are_a_square_grid(app_url, page):
    page.set_viewport_size({"width": 1400, "height": 4200})
    page.goto(f"{app_url}/vae?{urlencode(LABELLED)}")
    page.get_by_text("has not been trained yet").wait_for()
    page.get_by_text("The Keras code of this model").wait_for()
    page.wait_for_timeout(2000)  # the first run's widgets hold the URL's values before the click
    page.get_by_role("button", name="Train", exact=True).click()
    page.get_by_text("Disentanglement score").wait_for(timeout=240_000)

    traversal = page.locator("[data-testid='stPlotlyChart']").filter(
        has=page.locator(".ytick text", has_text="z8 · KL")).first
    traversal.wait_for()
    rows = traversal.locator(".ytick text").all_text_contents()
    assert [r.split(" · ")[0] for r in rows] == [f"z{j}" for j in range(1, 9)]
    columns = traversal.locator(".xtick text").all_text_contents()
    assert columns[0] == "−3" and columns[4] == "0" and columns[-1] == "+3"
    # Each row label sits beside its own row of pictures: the labels are one row height apart.
    tops = [box["y"] for box in (t.bounding_box() for t in traversal.locator(".ytick text").all())]
    gaps = [b - a for a, b in pairwise(tops)]
    assert min(gaps) > 20 and max(gaps) - min(gaps) < 2

    samples = page.locator("[data-testid='stImage']").filter(
        has=page.get_by_text(re.compile(r"^16 decoded samples"))).locator("img")
    samples.scroll_into_view_if_needed()
    wait_for_images(page)  # a busy machine may still be fetching the picture: no size yet
    box = samples.bounding_box()
    assert abs(box["width"] - box["height"]) < 2  # 4 × 4, not a strip
    traversal.scroll_into_view_if_needed()
    screenshot(page, "vae-sprites-labelled")
