"""Real browser: every page as a learner first meets it, and again after training its tiny setting.

The screenshots (gallery-<page>-default.png, gallery-<page>-trained.png in the shots folder) are
for a person to look at; the test checks what a machine can: the page draws without an exception
or an error box, and a trained setting shows its results. The tiny settings are those of the
topics' own browser tests, so the shared test server trains each only once.
"""

from urllib.parse import urlencode

import pytest

from conftest import TINY_AE, screenshot, wait_for_images
from lstm_fixtures import TINY as TINY_LSTM
from segmentation_fixtures import TINY as TINY_SEGMENTATION
from vae_fixtures import TINY_VAE

pytestmark = pytest.mark.browser

RESULTS = "Download the trained model (.keras)"
TINY_TRANSFER = {"dataset": "builtin", "strategy": "scratch", "backbone": "builtin_cnn",
                 "image_size": 96, "batch_size": 16, "epochs": 1, "train_per_class": 10}
# url path, title, tiny setting (None: nothing to train on the page)
PAGES = [
    ("home", "DL Lab", None),
    # The Foundations pages train in their second or first tab; their own browser tests train them.
    ("perceptron-mlp", "Perceptron & MLP", None),
    ("gradient-descent", "Gradient descent", None),
    ("regularisation", "Regularisation & tuning", None),
    ("conv-arithmetic", "Convolution arithmetic", None),
    ("padding-stride-kernels", "Padding, stride & kernels", None),
    ("transfer", "Transfer learning", TINY_TRANSFER),
    ("segmentation", "Segmentation with a U-Net", dict(TINY_SEGMENTATION, epochs=2)),
    ("lstm", "Stock LSTM", dict(TINY_LSTM, units=6)),
    ("autoencoder", "Autoencoder", TINY_AE),
    ("vae", "Variational autoencoder (VAE)", TINY_VAE),
    ("gan", "GAN: generator vs discriminator", {"steps": 600}),
]


def assert_drawn_cleanly(page) -> None:
    assert page.locator("[data-testid='stException']").count() == 0, "a traceback on the page"
    errors = page.locator("[data-testid='stAlertContentError']")
    assert errors.count() == 0, f"an error box: {errors.first.inner_text()}"


def open_page(page, url: str, title: str) -> None:
    page.goto(url)
    page.get_by_role("heading", name=title, exact=True).first.wait_for()


@pytest.mark.parametrize(("path", "title"), [p[:2] for p in PAGES], ids=[p[0] for p in PAGES])
def test_every_page_at_its_default(app_url, page, path, title):
    open_page(page, f"{app_url}/{path}", title)
    page.wait_for_timeout(1500)  # plotly draws after the script ends
    assert_drawn_cleanly(page)
    screenshot(page, f"gallery-{path}-default")


TRAINED = [p for p in PAGES if p[2] is not None]


@pytest.mark.parametrize(("path", "title", "tiny"), TRAINED, ids=[p[0] for p in TRAINED])
def test_every_trainable_page_after_training(app_url, page, path, title, tiny):
    open_page(page, f"{app_url}/{path}?{urlencode(tiny)}", title)
    train = page.get_by_role("button", name="Train", exact=True).first
    results = page.get_by_role("button", name=RESULTS).first
    train.or_(results).first.wait_for()
    if not results.is_visible():  # another browser test may have trained it already
        train.click()
    results.wait_for(timeout=300_000)
    wait_for_images(page, at_least=0)  # every picture the page has (the LSTM page has none)
    page.wait_for_timeout(1500)
    assert_drawn_cleanly(page)
    screenshot(page, f"gallery-{path}-trained")
