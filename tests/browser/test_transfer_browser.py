"""Real browser: upload two tiny classes, train, predict a photo with Grad-CAM."""

import re

import pytest

from conftest import screenshot, upload_into, wait_for_images
from make_files import shape_png
from transfer_helpers import class_uploads

pytestmark = pytest.mark.browser

# From scratch on the small CNN: needs no weights and no pretraining, so it trains in seconds.
QUERY = "strategy=scratch&backbone=builtin_cnn&image_size=96&batch_size=16"


def test_upload_two_classes_train_and_predict(app_url, page):
    page.set_viewport_size({"width": 1400, "height": 3000})
    page.goto(f"{app_url}/transfer?{QUERY}")
    page.get_by_role("heading", name="Transfer learning").wait_for()
    page.get_by_text("My own classes").click()
    uploads = class_uploads(5)
    for index, (name, images) in enumerate(uploads):  # files first: typing a name reruns the page
        files = [{"name": f"{name}{i}.png", "mimeType": "image/png", "buffer": data}
                 for i, data in enumerate(images)]
        upload_into(page, f"Images of class {index + 1}", files)
        page.get_by_text(f"{name}4.png").wait_for()
    for index, (name, _) in enumerate(uploads):
        box = page.get_by_label(f"Class {index + 1} name")
        box.fill(name)
        box.press("Enter")
    page.get_by_text(re.compile(r"Ready: your classes: round, square")).wait_for()
    page.get_by_role("button", name="Train", exact=True).click()

    page.get_by_text("Validation accuracy (from scratch)").wait_for(timeout=240_000)
    page.get_by_text("Three strategies, same images").wait_for()
    upload_into(page, "A photo to classify",
                {"name": "photo.png", "mimeType": "image/png", "buffer": shape_png("square", 11, 120)})
    page.get_by_text(re.compile(r"Grad-CAM for “(round|square)”")).wait_for(timeout=60_000)
    wait_for_images(page, at_least=2)
    # The form kept the link's setting through all the reruns of uploading and naming.
    assert "epochs" not in page.url and "strategy=scratch" in page.url
    screenshot(page, "transfer-own-classes-predicted")
