"""dl_core.conv.arithmetic against the trusted oracle: real Keras layers' output shapes."""

from __future__ import annotations

import random
import subprocess
import sys

import numpy as np
import pytest

from dl_core.conv.arithmetic import (
    conv_multiply_adds,
    conv_output_size,
    conv_parameter_count,
    dropped_input_sentence,
    dropped_input_size,
    dropped_size,
    effective_kernel_size,
    keras_conv_line,
    keras_pool_line,
    padding_amounts,
    pool_output_size,
    same_padding,
    stack_shapes,
    transposed_conv_output_size,
    window_starts,
)

keras = pytest.importorskip("keras")

PADDINGS = ["valid", "same", 0, 1, 2, 3]


def keras_shape(layers, height, width, channels=2):
    """Spatial output shape of a chain of Keras layers, or None where Keras refuses."""
    shape = (1, height, width, channels)
    try:
        for layer in layers():
            shape = layer.compute_output_shape(shape)
    except ValueError:
        return None
    spatial = tuple(int(size) for size in shape[1:3])
    return None if min(spatial) < 1 else spatial


def ours(function, height_args, width_args):
    try:
        return function(*height_args), function(*width_args)
    except ValueError:
        return None


def random_configs(count, seed):
    rng = random.Random(seed)
    for _ in range(count):
        stride = (rng.randint(1, 4), rng.randint(1, 4))
        dilation = rng.choice([1, 1, 2, 3]) if max(stride) == 1 else 1  # Keras forbids both > 1
        yield {
            "size": (rng.randint(1, 24), rng.randint(1, 24)),
            "kernel": (rng.randint(1, 7), rng.randint(1, 7)),
            "stride": stride,
            "dilation": dilation,
            "padding": rng.choice(PADDINGS),
        }


EDGE_CASES = [
    {"size": (5, 5), "kernel": (5, 5), "stride": (1, 1), "dilation": 1, "padding": "valid"},  # exactly fits
    {"size": (4, 4), "kernel": (5, 5), "stride": (1, 1), "dilation": 1, "padding": "valid"},  # too large
    {"size": (4, 4), "kernel": (5, 5), "stride": (1, 1), "dilation": 1, "padding": 1},  # fits once padded
    {"size": (4, 4), "kernel": (5, 5), "stride": (1, 1), "dilation": 1, "padding": "same"},
    {"size": (1, 1), "kernel": (1, 1), "stride": (1, 1), "dilation": 1, "padding": "valid"},
    {"size": (1, 7), "kernel": (1, 3), "stride": (3, 3), "dilation": 1, "padding": "same"},  # stride > size
    {"size": (2, 2), "kernel": (1, 1), "stride": (5, 5), "dilation": 1, "padding": "valid"},
    {"size": (7, 7), "kernel": (3, 3), "stride": (1, 1), "dilation": 3, "padding": "valid"},  # span 7 = n
    {"size": (6, 6), "kernel": (3, 3), "stride": (1, 1), "dilation": 3, "padding": "valid"},  # span 7 > n
    {"size": (6, 9), "kernel": (4, 2), "stride": (2, 3), "dilation": 1, "padding": "same"},  # even kernel
    {"size": (5, 5), "kernel": (3, 3), "stride": (2, 2), "dilation": 1, "padding": 1},
    {"size": (6, 6), "kernel": (3, 3), "stride": (2, 2), "dilation": 1, "padding": 1},  # drops a row
]

CONFIGS = list(random_configs(300, seed=2024)) + EDGE_CASES


def conv_in_keras(config, filters=3):
    padding = config["padding"]

    def build():
        layers = [keras.layers.ZeroPadding2D(padding)] if isinstance(padding, int) else []
        return layers + [keras.layers.Conv2D(
            filters, config["kernel"], strides=config["stride"], dilation_rate=config["dilation"],
            padding="valid" if isinstance(padding, int) else padding)]

    return build


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: str(tuple(c.values())))
def test_conv_matches_keras(config):
    expected = keras_shape(conv_in_keras(config), *config["size"])
    got = ours(
        conv_output_size,
        (config["size"][0], config["kernel"][0], config["padding"], config["stride"][0], config["dilation"]),
        (config["size"][1], config["kernel"][1], config["padding"], config["stride"][1], config["dilation"]),
    )
    assert got == expected


def transposed_in_keras(config, output_padding):
    padding = config["padding"]

    def build():
        layer = keras.layers.Conv2DTranspose(
            3, config["kernel"], strides=config["stride"], dilation_rate=config["dilation"],
            padding="valid" if isinstance(padding, int) else padding,
            output_padding=output_padding)
        return [layer] + ([keras.layers.Cropping2D(padding)] if isinstance(padding, int) else [])

    return build


@pytest.mark.parametrize("config", CONFIGS[::2], ids=lambda c: str(tuple(c.values())))
def test_transposed_conv_matches_keras(config):
    stride = config["stride"]
    choices = [None, (0, 0), (stride[0] - 1, stride[1] - 1)]
    if isinstance(config["padding"], int):
        choices = [(0, 0), (stride[0] - 1, stride[1] - 1)]  # Keras' "auto" is only for valid/same
    for output_padding in choices:
        expected = keras_shape(transposed_in_keras(config, output_padding), *config["size"])
        rows, cols = (None, None) if output_padding is None else output_padding
        got = ours(
            transposed_conv_output_size,
            (config["size"][0], config["kernel"][0], config["padding"], stride[0], rows, config["dilation"]),
            (config["size"][1], config["kernel"][1], config["padding"], stride[1], cols, config["dilation"]),
        )
        assert got == expected, output_padding


def test_output_padding_must_be_below_stride_like_keras():
    with pytest.raises(ValueError, match="smaller than the stride"):
        transposed_conv_output_size(4, 3, "same", stride=2, output_padding=2)
    with pytest.raises(ValueError):
        keras.layers.Conv2DTranspose(1, 3, strides=2, output_padding=2)


@pytest.mark.parametrize("config", CONFIGS[::2], ids=lambda c: str(tuple(c.values())))
@pytest.mark.parametrize("layer_class", ["MaxPooling2D", "AveragePooling2D"])
def test_pooling_matches_keras(config, layer_class):
    padding = config["padding"]
    if isinstance(padding, int):
        return  # Keras pooling has no numeric padding; covered by conv_output_size above
    for strides in [None, config["stride"]]:
        def build():
            return [getattr(keras.layers, layer_class)(config["kernel"], strides=strides, padding=padding)]

        expected = keras_shape(build, *config["size"])
        rows, cols = (None, None) if strides is None else strides
        got = ours(pool_output_size, (config["size"][0], config["kernel"][0], rows, padding),
                   (config["size"][1], config["kernel"][1], cols, padding))
        assert got == expected


@pytest.mark.parametrize("config", [CONFIGS[i] for i in range(0, 300, 30)] + EDGE_CASES[:4])
def test_shape_inference_agrees_with_running_the_layer(config):
    """compute_output_shape is our oracle: check it against a real forward pass too."""
    expected = keras_shape(conv_in_keras(config, filters=1), *config["size"], channels=1)
    if expected is None:
        return
    model = keras.Sequential(conv_in_keras(config, filters=1)())
    output = model(np.zeros((1, *config["size"], 1), dtype="float32"))
    assert tuple(output.shape[1:3]) == expected


# --- the formulas themselves --------------------------------------------------------------


def test_textbook_examples():
    assert conv_output_size(32, 5, 0, 1) == 28  # LeNet
    assert conv_output_size(227, 11, 0, 4) == 55  # AlexNet
    assert conv_output_size(5, 3, 1, 2) == 3  # Dumoulin & Visin, figure 2.6
    assert conv_output_size(7, 3, 0, 1, dilation=2) == 3
    assert transposed_conv_output_size(2, 3, 0, 1) == 4
    assert transposed_conv_output_size(4, 3, "same", 2, output_padding=None) == 8
    assert pool_output_size(4, 2) == 2 and pool_output_size(5, 3, 2, "same") == 3


def test_kernel_too_large_message_explains_and_suggests():
    with pytest.raises(ValueError) as err:
        conv_output_size(5, 3, "valid", dilation=3)
    message = str(err.value)
    assert "spans 7 pixels" in message and "padded input is only 5" in message
    assert 'padding="same"' in message


@pytest.mark.parametrize("bad", [0, -1, 2.5, True, "3"])
def test_sizes_below_one_or_not_whole_are_refused(bad):
    with pytest.raises(ValueError, match="whole number"):
        conv_output_size(bad, 3)
    with pytest.raises(ValueError, match="whole number"):
        conv_output_size(8, 3, stride=bad)


@pytest.mark.parametrize("bad", [-1, "full", 1.5, None])
def test_unknown_padding_is_refused(bad):
    with pytest.raises(ValueError, match="padding"):
        conv_output_size(8, 3, bad)


def test_same_padding_puts_the_odd_zero_after():
    assert same_padding(6, 3, 2) == (0, 1)
    assert same_padding(5, 3, 1) == (1, 1)
    assert same_padding(5, 4, 1) == (1, 2)
    assert padding_amounts(2, 5, 3) == (2, 2) and padding_amounts("valid", 5, 3) == (0, 0)


def test_dropped_rows_and_window_starts():
    assert dropped_size(6, 3, 1, 2) == 1  # padded 8: windows at 0, 2, 4 cover 0..6
    assert dropped_size(5, 3, 1, 2) == 0
    assert dropped_size(5, 1, "same", 3) == 1  # Keras "same" cannot pad negative
    assert dropped_input_size(6, 3, 1, 2) == 0  # the uncovered row is the bottom padding
    assert dropped_input_size(224, 3, 1, 2) == 0 and dropped_size(224, 3, 1, 2) == 1
    assert dropped_input_size(6, 3, 0, 2) == 1  # valid: a real row is lost
    assert dropped_input_size(10, 3, 1, 4) == 0  # padded 12: windows at 0, 4, 8 reach 10; 11 is padding
    assert dropped_input_size(10, 3, 1, 5) == 3  # windows at 0, 5 reach 7: 8, 9, 10 are input, 11 padding
    assert window_starts(5, 3, 1, 2) == [0, 2, 4]
    assert effective_kernel_size(3, 2) == 5


def test_parameters_and_multiply_adds():
    assert conv_parameter_count(3, 3, 3, 64) == 1792  # VGG's first layer
    assert conv_parameter_count(3, 3, 3, 64, bias=False) == 1728
    assert conv_multiply_adds(224, 224, 3, 3, 3, 64) == 86_704_128


def test_keras_lines():
    assert keras_conv_line(8, (3, 3), (2, 1), "same") == (
        'keras.layers.Conv2D(filters=8, kernel_size=(3, 3), strides=(2, 1), padding="same", dilation_rate=1)'
    )
    assert keras_conv_line(8, (3, 3), (1, 1), 2).startswith("keras.layers.ZeroPadding2D(padding=2),\n")
    assert "Cropping2D(cropping=1)" in keras_conv_line(4, (3, 3), (2, 2), 1, transposed=True, output_padding=1)
    assert keras_pool_line("max", (2, 2), (2, 2), "valid").startswith("keras.layers.MaxPooling2D(")


def test_stack_shapes_and_receptive_field():
    rows = stack_shapes(28, 28, 1, [
        {"kind": "conv", "kernel": 3, "stride": 1, "padding": "same", "filters": 8},
        {"kind": "conv", "kernel": 3, "stride": 1, "padding": "same", "filters": 8},
        {"kind": "max pool", "kernel": 2, "stride": 2, "padding": "valid"},
        {"kind": "conv", "kernel": 3, "stride": 1, "padding": "valid", "filters": 16},
        {"kind": "transposed conv", "kernel": 2, "stride": 2, "padding": "valid", "filters": 4},
    ])
    assert [(row["height"], row["channels"]) for row in rows] == [(28, 1), (28, 8), (28, 8), (14, 8), (12, 16), (24, 4)]
    assert [row["receptive_field"] for row in rows[:5]] == [1, 3, 5, 6, 10]  # two 3×3 convs see 5×5
    assert rows[1]["params"] == 80 and rows[3]["params"] == 0
    with pytest.raises(ValueError, match="Layer 2"):
        stack_shapes(4, 4, 1, [{"kind": "conv", "kernel": 3}, {"kind": "conv", "kernel": 3}, ])


def test_engine_modules_do_not_import_tensorflow():
    code = "import sys, dl_core.conv.arithmetic, dl_core.conv.filters; print('tensorflow' in sys.modules, 'keras' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False False"


@pytest.mark.parametrize("config", [CONFIGS[i] for i in range(0, 300, 25)] + EDGE_CASES[-3:])
def test_the_keras_line_we_show_builds_the_size_we_print(config):
    """The page's code snippet, run through Keras, must give the page's numbers."""
    if config["dilation"] > 1 and max(config["stride"]) > 1:
        return
    line = keras_conv_line(4, config["kernel"], config["stride"], config["padding"], config["dilation"])
    expected = ours(conv_output_size,
                    (config["size"][0], config["kernel"][0], config["padding"], config["stride"][0], config["dilation"]),
                    (config["size"][1], config["kernel"][1], config["padding"], config["stride"][1], config["dilation"]))
    assert keras_shape(lambda: eval(f"[{line}]", {"keras": keras}), *config["size"]) == expected
    transposed = keras_conv_line(4, config["kernel"], config["stride"], config["padding"], config["dilation"],
                                 transposed=True, output_padding=None)
    expected = ours(transposed_conv_output_size,
                    (config["size"][0], config["kernel"][0], config["padding"], config["stride"][0], None, config["dilation"]),
                    (config["size"][1], config["kernel"][1], config["padding"], config["stride"][1], None, config["dilation"]))
    assert keras_shape(lambda: eval(f"[{transposed}]", {"keras": keras}), *config["size"]) == expected


def test_dropped_input_sentence_counts_and_agrees():
    assert dropped_input_sentence(0, 0) is None
    assert "the last row of the input itself is never covered" in dropped_input_sentence(1, 0)
    assert "the last 2 rows and the last column of the input itself are" in dropped_input_sentence(2, 1)
    assert "the last 3 columns of the input itself are" in dropped_input_sentence(0, 3)
