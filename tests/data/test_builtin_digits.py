"""The built-in digits against real MNIST's own numbers, and a classifier that crosses over.

The MNIST figures are computed here from ../shared/data (those tests skip where it is absent);
bench/bench_builtin_digits.py prints the full table and a CNN's cross-accuracy.
"""

from __future__ import annotations

import numpy as np
import pytest

from dl_core.data import builtin_digits, digit_fonts, digit_stats

from conftest import SHARED_DATA

SAMPLE = 500
CROSS_TRAIN, CROSS_TEST = 3000, 1000
# A softmax regression on raw pixels, 3000 built-in digits -> MNIST's first 1000 test digits,
# measured 0.752 (DL Lab's first built-in digits, drawn from one font, scored 0.364).
CROSS_ACCURACY = 0.72


@pytest.fixture(scope="module")
def sample() -> tuple[np.ndarray, np.ndarray]:
    return builtin_digits.generate(SAMPLE, 0)[:2]


@pytest.fixture(scope="module")
def mnist() -> dict[str, np.ndarray]:
    path = SHARED_DATA / "mnist" / "mnist.npz"
    if not path.is_file():
        pytest.skip("../shared/data/mnist/mnist.npz is absent (real-format fixtures are optional)")
    with np.load(path) as data:
        return {name: data[name] for name in ("x_test", "y_test")}


def centres_of_mass(images: np.ndarray) -> np.ndarray:
    unit = images.astype(np.float64)
    mass = unit.sum((1, 2))
    rows = unit.sum(2) @ np.arange(28) / mass
    cols = unit.sum(1) @ np.arange(28) / mass
    return np.stack([rows, cols], axis=1)


def test_the_same_seed_gives_the_same_digits_and_another_seed_others():
    first, labels = builtin_digits._batch(40, seed=7)
    again, labels_again = builtin_digits._batch(40, seed=7)
    other, _ = builtin_digits._batch(40, seed=8)
    assert np.array_equal(first, again) and np.array_equal(labels, labels_again)
    assert not np.array_equal(first, other)


def test_labels_are_balanced_and_images_are_mnist_shaped(sample):
    images, labels = sample
    assert images.shape == (SAMPLE, 28, 28) and images.dtype == np.uint8
    assert np.bincount(labels, minlength=10).tolist() == [SAMPLE // 10] * 10
    assert not images.flags.writeable  # the memo's arrays are shared


def test_every_digit_is_size_normalised_into_a_20_pixel_box(sample):
    inked = sample[0] > 0
    heights = inked.any(2).sum(1)  # rows holding ink (a digit has no gap of empty rows)
    widths = inked.any(1).sum(1)
    longer = np.maximum(heights, widths)
    assert longer.max() <= 20 and longer.min() >= 18


def test_every_centre_of_mass_is_within_a_pixel_of_mnists(sample):
    centres = centres_of_mass(sample[0])
    assert np.abs(centres - 14).max() <= 1.0  # MNIST puts it on pixel (14, 14)
    assert 0.2 < centres.std(0).min() and centres.std(0).max() < 0.45  # whole-pixel shifts


def test_no_occluding_patches_or_blobs(sample):
    """No flat grey rectangle over a digit (any 4×4 window of one value strictly between black
    and white), and no image that is mostly ink."""
    images = sample[0].astype(np.int16)
    windows = np.lib.stride_tricks.sliding_window_view(images, (4, 4), axis=(1, 2))
    flat = windows.max((-1, -2)) == windows.min((-1, -2))
    grey = (windows[..., 0, 0] > 0) & (windows[..., 0, 0] < 255)
    assert not (flat & grey).any()
    assert ((sample[0] > 127).mean((1, 2)) < 0.4).all()


def test_statistics_match_real_mnist(sample, mnist):
    ours = digit_stats.describe(sample[0])
    real = digit_stats.describe(mnist["x_test"])
    assert abs(ours.mean_intensity - real.mean_intensity) < 0.015
    assert abs(ours.ink_fraction - real.ink_fraction) < 0.02
    assert abs(ours.centre_row - real.centre_row) < 0.15 and abs(ours.centre_col - real.centre_col) < 0.15
    assert abs(ours.centre_spread - real.centre_spread) < 0.1
    assert abs(ours.box_height - real.box_height) < 0.75 and abs(ours.box_width - real.box_width) < 2.0


def softmax_regression(x: np.ndarray, y: np.ndarray, steps: int = 100, rate: float = 0.5) -> np.ndarray:
    """Weights (with a bias row) of a softmax regression fitted by full-batch gradient descent."""
    x = np.c_[x, np.ones(len(x))]
    weights = np.zeros((x.shape[1], 10))
    onehot = np.eye(10)[y]
    for _ in range(steps):
        logits = x @ weights
        probabilities = np.exp(logits - logits.max(1, keepdims=True))
        probabilities /= probabilities.sum(1, keepdims=True)
        weights -= rate * (x.T @ (probabilities - onehot) / len(x) + 1e-4 * weights)
    return weights


def test_a_classifier_trained_on_builtin_digits_reads_real_mnist(mnist):
    x_train, y_train = builtin_digits._batch(CROSS_TRAIN, seed=42)
    weights = softmax_regression(x_train.reshape(CROSS_TRAIN, -1) / 255.0, y_train)
    x_test = mnist["x_test"][:CROSS_TEST].reshape(CROSS_TEST, -1) / 255.0
    predicted = (np.c_[x_test, np.ones(CROSS_TEST)] @ weights).argmax(1)
    accuracy = float((predicted == mnist["y_test"][:CROSS_TEST]).mean())
    assert accuracy >= CROSS_ACCURACY, f"accuracy on real MNIST {accuracy:.3f}"


def test_fonts_found_offline_draw_ten_distinct_digits():
    fonts = digit_fonts.available()
    assert digit_fonts.PILLOW_DEFAULT in fonts  # Pillow's own font needs nothing but FreeType
    rng = np.random.default_rng(0)
    for font in fonts:
        drawn = [np.asarray(digit_fonts.draw(font, digit, rng, np.eye(2), 2.5)) for digit in range(10)]
        assert all(image.max() == 255 for image in drawn), font


def test_a_missing_font_package_is_skipped(monkeypatch):
    def no_package(name):
        raise digit_fonts.importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(digit_fonts.importlib.metadata, "files", no_package)
    assert digit_fonts._streamlit_fonts() == []


def test_without_fonts_pen_digits_take_their_place_under_another_fingerprint(monkeypatch):
    with_fonts = builtin_digits.fingerprint()
    monkeypatch.setattr(digit_fonts, "available", lambda: ())
    images, labels = builtin_digits._batch(20, seed=3, font_share=0.5)
    assert images.shape == (20, 28, 28) and images.max() == 255
    assert builtin_digits.fingerprint() != with_fonts
