"""dl_core.conv.filters against scipy (the oracle) and the worked examples from the course notes."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage, signal

from dl_core.conv.filters import (
    EXAMPLES,
    KERNELS,
    compare_padding,
    convolve2d,
    correlate_channels,
    correlation_steps,
    normalise_for_display,
    pad_image,
    pool2d,
    pool_steps,
    sample_image,
)

# our padding name -> scipy.ndimage boundary mode with the same meaning
SCIPY_MODES = {"zero": "constant", "reflect": "mirror", "replicate": "nearest", "circular": "wrap"}

rng = np.random.default_rng(42)
IMAGE = rng.integers(0, 256, (11, 13)).astype(float)
KERNEL_3 = rng.normal(size=(3, 3))
KERNEL_5x3 = rng.normal(size=(5, 3))


@pytest.mark.parametrize("padding", list(SCIPY_MODES))
@pytest.mark.parametrize("stride", [1, 2, 3, (1, 2), (3, 1)])
@pytest.mark.parametrize("kernel", [KERNEL_3, KERNEL_5x3], ids=["3x3", "5x3"])
def test_matches_scipy_for_every_padding_and_stride(padding, stride, kernel):
    rows, cols = (stride, stride) if isinstance(stride, int) else stride
    # Default pad_width k//2 keeps the size at stride 1; a stride keeps every s-th window.
    expected = ndimage.correlate(IMAGE, kernel, mode=SCIPY_MODES[padding], cval=0.0)[::rows, ::cols]
    np.testing.assert_allclose(convolve2d(IMAGE, kernel, padding, stride=stride), expected, atol=1e-9)


@pytest.mark.parametrize("stride", [1, 2, (2, 3)])
def test_no_padding_matches_scipy_valid(stride):
    rows, cols = (stride, stride) if isinstance(stride, int) else stride
    expected = signal.correlate2d(IMAGE, KERNEL_5x3, mode="valid")[::rows, ::cols]
    np.testing.assert_allclose(convolve2d(IMAGE, KERNEL_5x3, "none", stride=stride), expected, atol=1e-9)


def test_explicit_pad_width_matches_scipy_full():
    # Zero padding by k-1 on each side is scipy's "full" correlation.
    expected = signal.correlate2d(IMAGE, KERNEL_3, mode="full")
    np.testing.assert_allclose(convolve2d(IMAGE, KERNEL_3, "zero", pad_width=2), expected, atol=1e-9)
    assert convolve2d(IMAGE, KERNEL_3, "zero", pad_width=(0, 1)).shape == (9, 13)


def test_multichannel_image_sums_channels_like_a_conv_filter():
    colour = rng.integers(0, 256, (9, 10, 3)).astype(float)
    per_channel = [signal.correlate2d(colour[:, :, c], KERNEL_3, mode="same") for c in range(3)]
    np.testing.assert_allclose(convolve2d(colour, KERNEL_3), sum(per_channel), atol=1e-9)
    np.testing.assert_allclose(correlate_channels(colour, KERNEL_3), np.stack(per_channel, axis=2), atol=1e-9)
    # A kh×kw×C kernel gives each channel its own weights.
    own = np.stack([KERNEL_3, 2 * KERNEL_3, -KERNEL_3], axis=2)
    expected = per_channel[0] + 2 * per_channel[1] - per_channel[2]
    np.testing.assert_allclose(convolve2d(colour, own), expected, atol=1e-9)


def test_cross_correlation_is_not_flipped_convolution():
    asymmetric = np.array([[0, 0, 0], [1, 0, 0], [0, 0, 0]], dtype=float)  # "take the left neighbour"
    impulse = np.zeros((5, 5))
    impulse[2, 2] = 1
    out = convolve2d(impulse, asymmetric)
    assert out[2, 3] == 1 and out[2, 1] == 0  # the pixel right of the impulse sees it on its left
    flipped = signal.convolve2d(impulse, asymmetric, mode="same")
    assert flipped[2, 1] == 1


def test_mirror_padding_does_not_repeat_the_edge():
    padded = pad_image(np.array([[1, 2, 3]]), "reflect", pad_width=(0, 2))
    assert padded.tolist() == [[3, 2, 1, 2, 3, 2, 1]]
    assert pad_image(np.array([[1, 2]]), "replicate", pad_width=(0, 1)).tolist() == [[1, 1, 2, 2]]
    assert pad_image(np.array([[1, 2]]), "circular", pad_width=(0, 1)).tolist() == [[2, 1, 2, 1]]


# --- the course notes ---------------------------------------------------------------------


def test_five_by_five_sharpen_example():
    example = EXAMPLES["5×5 photo patch, sharpen, zero padding"]
    out = convolve2d(example["image"], example["kernel"], "zero")
    assert out.shape == (5, 5) and out[0, 0] == 114  # 5·60 − 113 − 73
    np.testing.assert_allclose(out, signal.correlate2d(example["image"], KERNELS["sharpen"], mode="same"))


def test_six_by_six_diagonal_filter_examples():
    example = EXAMPLES["6×6 binary image, diagonal filter, stride 1"]
    stride_one = convolve2d(example["image"], example["kernel"], "none", stride=1)
    assert stride_one.tolist() == [[3, -1, -3, -1], [-3, 1, 0, -3], [-3, -3, 0, 1], [3, -2, -2, -1]]
    stride_two = convolve2d(example["image"], example["kernel"], "none", stride=2)
    assert stride_two.tolist() == [[3, -3], [-3, 0]]


def test_max_pooling_example():
    example = EXAMPLES["4×4 max pooling, 2×2, stride 2"]
    assert pool2d(example["image"], 2, 2, "max").tolist() == [[4, 5], [3, 4]]
    assert pool2d(example["image"], 2, mode="avg").tolist() == [[2.5, 3.0], [1.25, 2.0]]


def test_preset_kernels_are_the_textbook_ones():
    assert KERNELS["sharpen"].tolist() == [[0, -1, 0], [-1, 5, -1], [0, -1, 0]]
    assert KERNELS["laplacian edge"].tolist() == [[0, 1, 0], [1, -4, 1], [0, 1, 0]]
    for name in ["outline", "emboss", "box blur", "gaussian blur", "sobel x", "sobel y", "identity"]:
        assert KERNELS[name].shape == (3, 3)
    for blur in ["box blur", "gaussian blur"]:
        assert KERNELS[blur].sum() == pytest.approx(1.0)  # a blur keeps the brightness
    np.testing.assert_array_equal(KERNELS["sobel y"], KERNELS["sobel x"].T)
    np.testing.assert_allclose(convolve2d(IMAGE, KERNELS["identity"]), IMAGE)


# --- pooling ------------------------------------------------------------------------------


@pytest.mark.parametrize("size, stride", [(2, None), (3, 1), (3, 2), ((2, 3), (1, 2))])
def test_pooling_matches_scipy_filters(size, stride):
    rows, cols = (size, size) if isinstance(size, int) else size
    step_r, step_c = (rows, cols) if stride is None else ((stride, stride) if isinstance(stride, int) else stride)
    out_r, out_c = (IMAGE.shape[0] - rows) // step_r + 1, (IMAGE.shape[1] - cols) // step_c + 1
    full_max = ndimage.maximum_filter(IMAGE, size=(rows, cols), origin=(-(rows // 2), -(cols // 2)))
    full_avg = ndimage.uniform_filter(IMAGE, size=(rows, cols), origin=(-(rows // 2), -(cols // 2)))
    take = (slice(0, (out_r - 1) * step_r + 1, step_r), slice(0, (out_c - 1) * step_c + 1, step_c))
    np.testing.assert_allclose(pool2d(IMAGE, size, stride, "max"), full_max[take])
    np.testing.assert_allclose(pool2d(IMAGE, size, stride, "avg"), full_avg[take], atol=1e-9)


def test_pooling_keeps_channels():
    colour = rng.integers(0, 256, (6, 6, 3)).astype(float)
    out = pool2d(colour, 2)
    assert out.shape == (3, 3, 3)
    assert out[0, 0, 1] == colour[:2, :2, 1].max()


# --- refusals -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, words",
    [
        (lambda: convolve2d(np.ones((2, 2)), np.ones((5, 5)), "none"), "larger than the padded image"),
        (lambda: convolve2d(IMAGE, KERNEL_3, "mirror"), "padding must be one of"),
        (lambda: convolve2d(IMAGE, KERNEL_3, stride=0), "stride must be"),
        (lambda: convolve2d(IMAGE, np.ones(3)), "kernel must be"),
        (lambda: convolve2d(np.ones((2, 2, 2, 2)), KERNEL_3), "image must be"),
        (lambda: convolve2d(np.ones((3, 3)), np.ones((7, 7)), "reflect"), "Mirror padding"),
        (lambda: pool2d(IMAGE, 20), "larger than"),
        (lambda: pool2d(IMAGE, 2, mode="median"), "mode"),
        (lambda: normalise_for_display(IMAGE, "log"), "method"),
    ],
)
def test_bad_arguments_are_refused_with_a_reason(call, words):
    with pytest.raises(ValueError, match=words):
        call()


# --- what the page shows ------------------------------------------------------------------


def test_correlation_steps_walk_every_output_cell():
    example = EXAMPLES["6×6 binary image, diagonal filter, stride 1"]
    walk = correlation_steps(example["image"], example["kernel"], "none", stride=2)
    assert [(step["row"], step["col"]) for step in walk["steps"]] == [(0, 0), (0, 1), (1, 0), (1, 1)]
    for step in walk["steps"]:
        assert step["products"].sum() == step["total"] == walk["output"][step["row"], step["col"]]
    assert walk["steps"][1]["left"] == 2


def test_correlation_steps_show_the_padding():
    example = EXAMPLES["5×5 photo patch, sharpen, zero padding"]
    first = correlation_steps(example["image"], example["kernel"])["steps"][0]
    assert first["window"].tolist() == [[0, 0, 0], [0, 60, 113], [0, 73, 121]]
    assert first["total"] == 114


def test_correlation_steps_mark_the_padding():
    example = EXAMPLES["5×5 photo patch, sharpen, zero padding"]
    inside = correlation_steps(example["image"], example["kernel"], "reflect")["inside"]
    assert inside.shape == (7, 7) and inside.sum() == 25 and inside[1:6, 1:6].all()  # mirrored cells: padding
    assert correlation_steps(example["image"], example["kernel"], "none")["inside"].all()
    assert pool_steps(example["image"])["inside"].shape == (5, 5)


def test_pool_steps():
    walk = pool_steps(EXAMPLES["4×4 max pooling, 2×2, stride 2"]["image"])
    assert [step["total"] for step in walk["steps"]] == [4, 5, 3, 4]


def test_normalise_for_display():
    edges = np.array([[-300.0, -10.0, 0.0, 100.0, 400.0]])
    assert normalise_for_display(edges, "clip").tolist() == [[0, 0, 0, 100, 255]]
    assert normalise_for_display(edges, "minmax").tolist() == [[0, 106, 109, 146, 255]]  # (v + 300) · 255 / 700
    assert normalise_for_display(edges, "abs").max() == 255 and normalise_for_display(edges, "abs")[0, 2] == 0


def test_sample_image_is_deterministic():
    first, second = sample_image(64), sample_image(64)
    assert first.shape == (64, 64, 3) and first.dtype == np.uint8
    np.testing.assert_array_equal(first, second)
    assert first.std() > 20  # a real picture, not a flat colour


def test_zero_and_mirror_padding_differ_only_at_the_border():
    photo = sample_image(64).mean(axis=2)
    comparison = compare_padding(photo, np.ones((5, 5)) / 25)
    assert comparison["zero"].shape == comparison["reflect"].shape == (64, 64)
    assert 0 < comparison["changed_fraction"] < 0.2
    assert comparison["max_border_distance"] == 1  # a 5×5 kernel reaches 2 pixels into the padding
    assert comparison["difference"][10:54, 10:54].max() == 0
    assert comparison["changed"].dtype == bool and comparison["changed"][0].all()


def test_the_difference_is_drawn_in_red_on_the_picture():
    photo = sample_image(64).mean(axis=2)
    comparison = compare_padding(photo, np.ones((5, 5)) / 25)
    picture = comparison["highlight"]
    assert picture.shape == (64, 64, 3) and picture.dtype == np.uint8
    assert (picture[comparison["changed"]] == [230, 40, 40]).all()  # every changed pixel is red
    inside = picture[~comparison["changed"]]
    assert (inside[:, 0] == inside[:, 1]).all() and inside.max() <= 180  # the rest: dimmed gray
