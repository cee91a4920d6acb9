"""Convolution arithmetic: output sizes, padding amounts and costs, in plain Python.

Every function works on one spatial axis (call it once for height, once for width) and
follows the matching Keras 3 layer exactly; tests/test_arithmetic.py checks that against
real `keras.layers` output shapes. An int padding means "zero-pad this many pixels on each
side", which Keras spells `ZeroPadding2D(p)` followed by a `"valid"` layer (PyTorch: `padding=p`).

Reference: Dumoulin & Visin, "A guide to convolution arithmetic for deep learning" (2016).
No numpy, no tensorflow: this module must import in microseconds.
"""

from __future__ import annotations

import math

Padding = int | str  # an int >= 0, "valid" or "same"


def _require_positive(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a whole number of at least 1, got {value!r}; pick 1 or more.")


def _normalise_padding(padding: Padding) -> int | str:
    """Accept 0, 3, "valid", "same" (any case); refuse anything else with a fix."""
    if isinstance(padding, str):
        lowered = padding.strip().lower()
        if lowered in ("valid", "same"):
            return lowered
        if lowered.isdigit():
            return int(lowered)
    elif isinstance(padding, int) and not isinstance(padding, bool) and padding >= 0:
        return padding
    raise ValueError(
        f'padding must be a whole number of pixels >= 0, "valid" or "same", got {padding!r}; '
        'use 0 (same as "valid") if unsure.'
    )


def effective_kernel_size(kernel_size: int, dilation: int = 1) -> int:
    """A dilated kernel skips (dilation - 1) pixels between taps: it spans d·(k−1)+1 pixels."""
    _require_positive("kernel_size", kernel_size)
    _require_positive("dilation", dilation)
    return dilation * (kernel_size - 1) + 1


def same_padding(input_size: int, kernel_size: int, stride: int = 1, dilation: int = 1) -> tuple[int, int]:
    """(before, after) zeros that Keras/TensorFlow add for padding="same".

    The output has ceil(n/s) positions; the total padding is whatever makes the last window
    fit, and an odd total puts the extra zero after (bottom/right), as TensorFlow does.
    """
    _require_positive("input_size", input_size)
    _require_positive("stride", stride)
    span = effective_kernel_size(kernel_size, dilation)
    output = math.ceil(input_size / stride)
    total = max((output - 1) * stride + span - input_size, 0)
    return total // 2, total - total // 2


def padding_amounts(
    padding: Padding, input_size: int, kernel_size: int, stride: int = 1, dilation: int = 1
) -> tuple[int, int]:
    """(before, after) padding for any padding spelling."""
    mode = _normalise_padding(padding)
    if mode == "same":
        return same_padding(input_size, kernel_size, stride, dilation)
    if mode == "valid":
        return 0, 0
    return mode, mode


def conv_output_size(
    input_size: int, kernel_size: int, padding: Padding = 0, stride: int = 1, dilation: int = 1
) -> int:
    """Positions of a (dilated) kernel along one axis: floor((n + 2p − d(k−1) − 1) / s) + 1."""
    _require_positive("input_size", input_size)
    _require_positive("stride", stride)
    span = effective_kernel_size(kernel_size, dilation)
    mode = _normalise_padding(padding)
    if mode == "same":
        return math.ceil(input_size / stride)
    before, after = padding_amounts(mode, input_size, kernel_size, stride, dilation)
    padded = input_size + before + after
    if span > padded:
        raise ValueError(_kernel_too_large_message(input_size, kernel_size, dilation, before + after))
    return (padded - span) // stride + 1


def _kernel_too_large_message(input_size: int, kernel_size: int, dilation: int, total_padding: int) -> str:
    span = effective_kernel_size(kernel_size, dilation)
    spans = f"the kernel spans {span} pixels" + (
        f" (size {kernel_size} at dilation {dilation})" if dilation > 1 else ""
    )
    missing = span - input_size - total_padding
    return (
        f"The kernel does not fit: {spans}, but the padded input is only "
        f"{input_size + total_padding} pixels (input {input_size} + padding {total_padding}). "
        f"Use a kernel or dilation at most that size, add {math.ceil(missing / 2)} more padding "
        'on each side, or use padding="same".'
    )


def dropped_size(
    input_size: int, kernel_size: int, padding: Padding = 0, stride: int = 1, dilation: int = 1
) -> int:
    """Rows (or columns) at the end of the padded input that no kernel window reaches.

    Non-zero when the stride does not tile the padded input evenly: those pixels are
    silently ignored by the layer, which is worth a visible note.
    """
    output = conv_output_size(input_size, kernel_size, padding, stride, dilation)
    before, after = padding_amounts(padding, input_size, kernel_size, stride, dilation)
    covered = (output - 1) * stride + effective_kernel_size(kernel_size, dilation)
    return input_size + before + after - covered


def dropped_input_size(
    input_size: int, kernel_size: int, padding: Padding = 0, stride: int = 1, dilation: int = 1
) -> int:
    """Real input pixels (not padding) at the end of the axis that no kernel window reaches.

    The uncovered tail of the padded input first eats the trailing padding; only what is left
    is lost information. A 224-pixel stem with kernel 3, stride 2 and padding 1 leaves one
    padded row uncovered, and that row is padding: nothing of the picture is dropped.
    """
    _, after = padding_amounts(padding, input_size, kernel_size, stride, dilation)
    return max(dropped_size(input_size, kernel_size, padding, stride, dilation) - after, 0)


def dropped_input_sentence(rows: int, columns: int) -> str | None:
    """One sentence for the page about the input pixels a stride leaves out, or None."""
    parts = [f"{count} {name}{'s' if count > 1 else ''}" if count > 1 else f"{name}"
             for count, name in ((rows, "row"), (columns, "column")) if count]
    if not parts:
        return None
    what = " and the last ".join(parts)
    verb = "are" if rows + columns > 1 else "is"
    return (f"The stride does not tile the input evenly: the last {what} of the input itself "
            f"{verb} never covered by the kernel and {verb} dropped. Change the input, padding or "
            "stride so that (input + 2·padding − kernel span) is a multiple of the stride.")


def window_starts(
    input_size: int, kernel_size: int, padding: Padding = 0, stride: int = 1, dilation: int = 1
) -> list[int]:
    """Where each kernel window starts, in padded-input coordinates (0 = first padding pixel)."""
    output = conv_output_size(input_size, kernel_size, padding, stride, dilation)
    return [index * stride for index in range(output)]


def transposed_conv_output_size(
    input_size: int,
    kernel_size: int,
    padding: Padding = 0,
    stride: int = 1,
    output_padding: int | None = 0,
    dilation: int = 1,
) -> int:
    """Output length of a transposed ("de-") convolution along one axis.

    General form: (n − 1)·s + d·(k − 1) + 1 − 2p + output_padding. For "valid" p = 0; for
    "same" 2p = span − span % 2. `output_padding=None` is Keras's default, which picks the
    padding that gives n·s for "same" and (n − 1)·s + max(span, s) for "valid".
    """
    _require_positive("input_size", input_size)
    _require_positive("stride", stride)
    span = effective_kernel_size(kernel_size, dilation)
    mode = _normalise_padding(padding)
    if output_padding is not None:
        _check_output_padding(output_padding, stride)
    if mode == "same":
        if output_padding is None:
            return input_size * stride
        size = (input_size - 1) * stride + span % 2 + output_padding
    elif mode == "valid":
        extra = max(span, stride) - span if output_padding is None else output_padding
        size = (input_size - 1) * stride + span + extra
    else:
        size = (input_size - 1) * stride + span - 2 * mode + (output_padding or 0)
    if size < 1:
        raise ValueError(
            f"This transposed convolution would produce {size} pixels: with padding {padding!r} "
            f"and output_padding {output_padding} it crops away everything; use less padding, "
            "a larger output_padding (below the stride) or output_padding=None."
        )
    return size


def _check_output_padding(output_padding: int, stride: int) -> None:
    if isinstance(output_padding, bool) or not isinstance(output_padding, int) or output_padding < 0:
        raise ValueError(f"output_padding must be a whole number >= 0 or None, got {output_padding!r}.")
    if output_padding >= stride:
        raise ValueError(
            f"output_padding must be smaller than the stride (Keras refuses otherwise), got "
            f"output_padding={output_padding} with stride={stride}; use at most {stride - 1}."
        )


def pool_output_size(
    input_size: int, pool_size: int, stride: int | None = None, padding: Padding = "valid"
) -> int:
    """Output length of max/average pooling; stride defaults to pool_size, as in Keras."""
    stride = pool_size if stride is None else stride
    try:
        return conv_output_size(input_size, pool_size, padding, stride)
    except ValueError:
        before, after = padding_amounts(padding, input_size, pool_size, stride)
        if pool_size <= input_size + before + after:
            raise  # not a fit problem (a bad argument): its own message says what
        raise ValueError(
            f"The pooling window does not fit: it spans {pool_size} pixels, but the padded input is "
            f"only {input_size + before + after} pixels (input {input_size} + padding {before + after}). "
            'Use a pool size of at most that, or padding="same".'
        ) from None


def conv_parameter_count(
    kernel_height: int, kernel_width: int, in_channels: int, out_channels: int, bias: bool = True
) -> int:
    """One kh×kw×C_in weight block per filter, plus one bias per filter."""
    for name, value in [("kernel_height", kernel_height), ("kernel_width", kernel_width),
                        ("in_channels", in_channels), ("out_channels", out_channels)]:
        _require_positive(name, value)
    return kernel_height * kernel_width * in_channels * out_channels + (out_channels if bias else 0)


def conv_multiply_adds(
    output_height: int, output_width: int, kernel_height: int, kernel_width: int,
    in_channels: int, out_channels: int,
) -> int:
    """Each output value of each filter is a kh·kw·C_in dot product."""
    return output_height * output_width * kernel_height * kernel_width * in_channels * out_channels


# --- the matching Keras lines ------------------------------------------------------------


def _keras_padding(padding: Padding) -> tuple[str, str]:
    """(prefix line, padding argument): an int padding becomes ZeroPadding2D + "valid"."""
    mode = _normalise_padding(padding)
    if isinstance(mode, str):
        return "", f'"{mode}"'
    if mode == 0:
        return "", '"valid"'
    return f"keras.layers.ZeroPadding2D(padding={mode}),\n", '"valid"'


def keras_conv_line(
    filters: int, kernel: tuple[int, int], strides: tuple[int, int], padding: Padding,
    dilation: int = 1, transposed: bool = False, output_padding: int | None = None,
) -> str:
    """The Keras 3 line(s) that build this layer, spelled out argument by argument."""
    prefix, padding_arg = _keras_padding(padding)
    if transposed and isinstance(_normalise_padding(padding), int) and output_padding is None:
        output_padding = 0  # a numeric padding means PyTorch's formula, whose output padding is 0
    layer = "Conv2DTranspose" if transposed else "Conv2D"
    extra = f", output_padding={output_padding}" if transposed and output_padding is not None else ""
    line = (
        f"keras.layers.{layer}(filters={filters}, kernel_size={tuple(kernel)}, strides={tuple(strides)}, "
        f"padding={padding_arg}, dilation_rate={dilation}{extra})"
    )
    if transposed and prefix:
        # A transposed conv "pads" by cropping its output; Keras spells that Cropping2D.
        crop = _normalise_padding(padding)
        return line.replace(f'padding={padding_arg}', 'padding="valid"') + f",\nkeras.layers.Cropping2D(cropping={crop})"
    return prefix + line


def keras_pool_line(kind: str, pool: tuple[int, int], strides: tuple[int, int], padding: Padding) -> str:
    layer = {"max": "MaxPooling2D", "avg": "AveragePooling2D"}[kind]
    prefix, padding_arg = _keras_padding(padding)
    return prefix + f"keras.layers.{layer}(pool_size={tuple(pool)}, strides={tuple(strides)}, padding={padding_arg})"


# --- a stack of layers: shapes and receptive field ---------------------------------------

LAYER_KINDS = ("conv", "transposed conv", "max pool", "avg pool")


def stack_shapes(
    height: int, width: int, channels: int, layers: list[dict]
) -> list[dict]:
    """Shape, parameters and receptive field after each layer of a small CNN.

    Each layer is a dict with kind (one of LAYER_KINDS), kernel, stride, padding, dilation
    and filters (square kernels and strides, to keep the table readable). The receptive
    field is how many input pixels one output pixel sees; `jump` is the distance, in input
    pixels, between neighbouring outputs (Araujo et al., Distill 2019). A transposed conv
    divides the jump by its stride: its outputs are closer together than its inputs.
    Raises ValueError naming the layer that cannot work.
    """
    rows = [{"layer": "input", "height": height, "width": width, "channels": channels,
             "params": 0, "receptive_field": 1.0, "jump": 1.0}]
    for number, layer in enumerate(layers, start=1):
        try:
            rows.append(_next_row(rows[-1], layer, number))
        except ValueError as err:
            raise ValueError(f"Layer {number} ({layer.get('kind', '?')}): {err}") from None
    return rows


def _next_row(previous: dict, layer: dict, number: int) -> dict:
    kind = layer.get("kind")
    if kind not in LAYER_KINDS:
        raise ValueError(f"kind must be one of {', '.join(LAYER_KINDS)}, got {kind!r}.")
    kernel, stride = int(layer.get("kernel", 3)), int(layer.get("stride", 1))
    dilation = int(layer.get("dilation", 1)) if "conv" in kind else 1
    padding = _normalise_padding(layer.get("padding", "valid"))
    channels = previous["channels"]
    if "conv" in kind:
        channels = int(layer.get("filters") or previous["channels"])
    sizes = [_layer_output(kind, previous[axis], kernel, padding, stride, dilation) for axis in ("height", "width")]
    span = effective_kernel_size(kernel, dilation)
    if kind == "transposed conv":
        field = previous["receptive_field"] + (math.ceil(span / stride) - 1) * previous["jump"]
        jump = previous["jump"] / stride
    else:
        field = previous["receptive_field"] + (span - 1) * previous["jump"]
        jump = previous["jump"] * stride
    params = conv_parameter_count(kernel, kernel, previous["channels"], channels) if "conv" in kind else 0
    return {"layer": f"{number}: {kind} {kernel}×{kernel}/{stride}", "height": sizes[0], "width": sizes[1],
            "channels": channels, "params": params, "receptive_field": field, "jump": jump}


def _layer_output(kind: str, size: int, kernel: int, padding: Padding, stride: int, dilation: int) -> int:
    if kind == "conv":
        return conv_output_size(size, kernel, padding, stride, dilation)
    if kind == "transposed conv":
        return transposed_conv_output_size(size, kernel, padding, stride, None, dilation)
    return pool_output_size(size, kernel, stride, padding)
