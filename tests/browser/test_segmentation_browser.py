"""Real browser: train a tiny U-Net on the segmentation page and scrub its epoch slider."""

import re
from urllib.parse import urlencode

import pytest

from conftest import screenshot, wait_for_images
from segmentation_fixtures import TINY

pytestmark = pytest.mark.browser

TWO_EPOCHS = dict(TINY, epochs=2)


def test_train_a_tiny_unet_and_scrub_the_epochs(app_url, page):
    page.set_viewport_size({"width": 1400, "height": 3000})
    page.goto(f"{app_url}/segmentation?{urlencode(TWO_EPOCHS)}")
    page.get_by_role("heading", name="Segmentation with a U-Net").wait_for()
    page.get_by_text("has not been trained yet").wait_for()
    # Let the first run finish (its last element is the code panel) before pressing Train: a
    # click during the first run would submit the form before its widgets hold the URL's values.
    page.get_by_text("The Keras code of this model").wait_for()
    page.wait_for_timeout(3000)
    page.get_by_role("button", name="Train", exact=True).click()

    page.get_by_text(re.compile(r"Validation mean IoU|Training failed")).first.wait_for(timeout=300_000)
    screenshot(page, "segmentation-after-training")
    assert not page.get_by_text("Training failed").count(), page.inner_text("[data-testid='stMain']")
    page.get_by_text(re.compile(r"Fixed validation images after epoch 2")).wait_for()
    screenshot(page, "segmentation-trained")

    # Scrub back to the untrained model: drag the Epoch slider's thumb to the left end (a pointer
    # drag, as in test_conv_browser: keyboard focus is not reliably delivered in headless chromium).
    slider = page.locator('[data-testid="stSlider"]').filter(has=page.get_by_text("Epoch", exact=True))
    thumb = slider.locator('[data-testid="stSliderThumbValue"]').locator("xpath=..")
    thumb.scroll_into_view_if_needed()
    start, track = thumb.bounding_box(), thumb.locator("xpath=..").bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(track["x"] - 20, start["y"] + start["height"] / 2, steps=8)
    page.mouse.up()
    page.get_by_text(re.compile(r"Fixed validation images after epoch 0")).wait_for(timeout=30_000)
    wait_for_images(page, at_least=4)
    screenshot(page, "segmentation-epoch0")


# Every text and box the browser drew in the architecture chart, as client rectangles.
_DIAGRAM_BOXES = """chart => {
  const boxes = [];
  const add = (el, kind) => {
    const r = el.getBoundingClientRect();
    if (r.width > 0.5 && r.height > 0.5)
      boxes.push({kind, text: el.textContent, x0: r.left, y0: r.top, x1: r.right, y1: r.bottom});
  };
  chart.querySelectorAll('.annotation-text, .textpoint text').forEach(el => add(el, 'label'));
  chart.querySelectorAll('.scatterlayer .point').forEach(el => add(el, 'box'));
  return boxes;
}"""


def _overlapping(boxes: list[dict]) -> list[tuple[str, str]]:
    pairs = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            if a["kind"] == b["kind"] == "box":
                continue  # two tensors' squares may not touch either, but the layout test owns that
            if min(a["x1"], b["x1"]) - max(a["x0"], b["x0"]) > 0.5 and \
                    min(a["y1"], b["y1"]) - max(a["y0"], b["y0"]) > 0.5:
                pairs.append((a["text"] or a["kind"], b["text"] or b["kind"]))
    return pairs


@pytest.mark.parametrize("setting", [
    {"image_size": 96, "depth": 4, "base_filters": 16, "encoder": "scratch"},
    {"image_size": 160, "depth": 5, "base_filters": 32, "encoder": "scratch",
     "upsampling": "upsample_conv"},
    {"image_size": 64, "depth": 2, "base_filters": 8, "encoder": "scratch", "skip_connections": False},
], ids=["default-depth4", "deepest", "shallowest-no-skips"])
def test_the_unet_diagram_labels_do_not_overlap_in_the_browser(app_url, page, setting):
    """The drawn chart itself: no label covers another label or a tensor's square."""
    page.set_viewport_size({"width": 1400, "height": 1600})
    page.goto(f"{app_url}/segmentation?{urlencode(dict(TINY, **setting))}")
    heading = page.get_by_role("heading", name="The architecture, level by level")
    heading.wait_for()
    chart = page.locator("[data-testid='stPlotlyChart']").first
    chart.locator(".annotation-text, .textpoint text").filter(has_text="bottleneck").first.wait_for()
    chart.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    boxes = chart.evaluate(_DIAGRAM_BOXES)
    name = "segmentation-unet-" + "-".join(f"{v}" for v in setting.values())
    chart.screenshot(path=str(screenshot(page, name).with_name(f"{name}-chart.png")))
    texts = [b["text"] for b in boxes if b["kind"] == "label"]
    assert any("bottleneck" in t for t in texts) and any(f"{setting['image_size']}×" in t for t in texts)
    assert not _overlapping(boxes), _overlapping(boxes)
