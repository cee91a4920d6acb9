"""Real browser: open both convolution pages, step the animation, upload a photo.

Uses the `app_url` (a running `streamlit run app.py`) and `page` (Playwright on Debian's
chromium) fixtures from tests/conftest.py. Screenshots go to /tmp/shots for a person to check.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from make_files import solid_image

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots")


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def open_page(page, url: str, heading: str) -> None:
    page.goto(url)
    page.get_by_role("heading", name=heading).wait_for()
    # Streamlit shows a "running" status widget while the script runs; wait until it is done.
    page.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)
    # Deep links must work on a fresh server's first session. (With the page files in a folder
    # named `pages/`, Streamlit ran its legacy multipage mode first and showed "Page not found".)
    assert page.locator('[data-testid="stDialog"]', has_text="Page not found").count() == 0


def drag_slider(page, label: str, fraction: float) -> None:
    """Drag the slider's thumb to `fraction` of the track, as a person would.

    (Keyboard focus on the hidden range input and plain clicks on the track are not reliably
    delivered to react-aria in headless chromium; a pointer drag is.)
    """
    slider = page.locator('[data-testid="stSlider"]').filter(has_text=label)
    thumb = slider.locator('[data-testid="stSliderThumbValue"]').locator("xpath=..")
    thumb.scroll_into_view_if_needed()
    start = thumb.bounding_box()
    track = thumb.locator("xpath=..").bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(track["x"] + track["width"] * fraction, start["y"] + start["height"] / 2, steps=8)
    page.mouse.up()


def metric_value(page) -> str:
    return page.locator('[data-testid="stMetricValue"]').first.inner_text().strip()


def test_conv_arithmetic_step_moves_the_kernel(app_url, page):
    open_page(page, f"{app_url}/conv-arithmetic", "Convolution arithmetic")
    # Waited for, not read at once: on a cold server the first run can still be redrawing it.
    expect(page.locator('[data-testid="stMetricValue"]').first).to_have_text("4×4×16",
                                                                            timeout=30_000)
    page.get_by_text("Output cell (0, 0)").wait_for()
    moved = page.get_by_text(re.compile(r"Output cell \([12], \d\)"))
    for attempt in range(3):  # a drag that lands while the page still reruns can be dropped
        drag_slider(page, "Kernel position", 0.5)  # cell 8 or 9 of 16: row 1 or 2
        try:
            moved.wait_for(timeout=15_000)
            break
        except PlaywrightTimeout:
            if attempt == 2:
                raise
    page.locator(".js-plotly-plot").first.wait_for()
    shoot(page, "conv_arithmetic")
    assert page.locator('[data-testid="stException"]').count() == 0


def step_figure(page):
    figure = page.locator(".st-key-kernels_step_fig .js-plotly-plot")
    figure.wait_for()
    return figure


def heatmap_boxes(page) -> dict[str, dict]:
    """Where each panel of the walkthrough (input, kernel, products, output) is drawn, in px."""
    return step_figure(page).evaluate(
        "figure => Object.fromEntries([...figure.querySelectorAll('.subplot')].map(subplot => {"
        "  const box = [...subplot.querySelectorAll('.hm image')].pop().getBoundingClientRect();"
        "  return [subplot.classList[1], {x: box.x, y: box.y, width: box.width, height: box.height}]; }))")


def test_kernels_page_steps_the_walkthrough(app_url, page):
    open_page(page, f"{app_url}/padding-stride-kernels", "Padding, stride & kernels")
    assert metric_value(page) == "114"
    page.locator(".katex", has_text="114").first.wait_for()  # the formula of the cell, written out
    titles = step_figure(page).evaluate(
        "figure => [...figure.querySelectorAll('.annotation-text')].map(text => text.textContent)")
    assert [title.split("×")[0] for title in titles] == [
        "input x, zero-padded7", "kernel w3", "w · x(each product)", "output y5"], titles
    first = heatmap_boxes(page)
    # One cell size for all: the 7×7 input, the 3×3 kernel and the 5×5 output grid, drawn in full.
    cell = first["xy"]["width"] / 7
    assert abs(first["x2y2"]["width"] - 3 * cell) < 2 and abs(first["x4y4"]["width"] - 5 * cell) < 2
    assert abs(first["x4y4"]["height"] - 5 * cell) < 2 and cell >= 30
    page.get_by_role("button", name=re.compile("Next step")).click()
    page.locator('[data-testid="stMetricValue"]', has_text="328").wait_for()
    drag_slider(page, "Step", 0.5)  # step 13 of 25: the centre cell
    page.locator('[data-testid="stMetricLabel"]', has_text="Output[2, 2]").wait_for()
    assert metric_value(page) not in ("114", "328")
    page.locator(".katex", has_text="−47").first.wait_for()
    assert heatmap_boxes(page) == first  # nothing moved or resized between the steps
    page.set_viewport_size({"width": 1400, "height": 1700})  # the whole walkthrough in the screenshot
    shoot(page, "padding_stride_kernels")
    assert page.locator('[data-testid="stException"]').count() == 0


def test_stride_pictures_are_drawn_pixel_for_pixel(app_url, page):
    open_page(page, f"{app_url}/padding-stride-kernels", "Padding, stride & kernels")
    page.get_by_role("tab", name="Stride").click()
    picture = page.locator(".st-key-kernels_stride_pictures img")
    picture.wait_for()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=picture.element_handle())
    natural, shown = picture.evaluate("img => [img.naturalWidth, img.getBoundingClientRect().width]")
    assert natural == 256 + 24 + 128 and abs(shown - natural) < 1  # the 256-px input and its 128-px output
    shoot(page, "padding_stride_kernels_stride")


def test_kernels_page_accepts_a_photo_and_refuses_a_bad_file(app_url, page):
    open_page(page, f"{app_url}/padding-stride-kernels", "Padding, stride & kernels")
    photo = solid_image(1000, 700, (30, 120, 200), "JPEG")
    upload = page.locator('[data-testid="stFileUploader"] input[type="file"]')
    upload.set_input_files({"name": "big.jpg", "mimeType": "image/jpeg", "buffer": photo})
    page.get_by_text("downscaled to 512×358").wait_for()
    page.get_by_role("tab", name="Kernels").click()
    shoot(page, "kernels_with_upload")
    upload.set_input_files({"name": "broken.png", "mimeType": "image/png", "buffer": b"\x89PNG\r\n\x1a\nbroken"})
    page.get_by_text("This PNG file is damaged").wait_for()
    assert page.locator('[data-testid="stException"]').count() == 0
