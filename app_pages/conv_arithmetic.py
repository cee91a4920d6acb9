"""Conv arithmetic: output sizes of conv / dilated / transposed conv / pooling, explained.

Widgets -> dl_core.conv.arithmetic -> render. No tensorflow: this page must render instantly.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dl_core.conv import arithmetic as ar
from ui.conv import CELL_COLOURS, CELL_NAMES, conv_diagram, conv_latex, transposed_latex
from ui.text import inert


def read_controls() -> dict:
    """All the settings, keyed "convarith_<name>"."""
    first, second, third, fourth = st.columns(4)
    controls = {
        "input": (first.number_input("Input height", 1, 2048, 7, key="convarith_input_h"),
                  first.number_input("Input width", 1, 2048, 7, key="convarith_input_w")),
        "kernel": (second.number_input("Kernel height", 1, 64, 3, key="convarith_kernel_h"),
                   second.number_input("Kernel width", 1, 64, 3, key="convarith_kernel_w")),
        "stride": (third.number_input("Stride (rows)", 1, 64, 2, key="convarith_stride_h"),
                   third.number_input("Stride (columns)", 1, 64, 2, key="convarith_stride_w")),
    }
    mode = fourth.selectbox("Padding", ["number", "valid", "same"], key="convarith_padding_mode",
                            help='"valid" = no padding; "same" = Keras pads so that output = ceil(input / stride).')
    amount = fourth.number_input("Padding pixels per side", 0, 64, 1, key="convarith_padding",
                                 disabled=mode != "number")
    controls["padding"] = int(amount) if mode == "number" else mode
    first, second, third, fourth = st.columns(4)
    controls["dilation"] = first.number_input("Dilation", 1, 16, 1, key="convarith_dilation",
                                              help="Gaps between kernel taps: a 3×3 kernel at dilation 2 spans 5×5.")
    output_padding = second.selectbox("Output padding (transposed)", ["auto"] + list(range(16)),
                                      key="convarith_output_padding",
                                      help="Extra rows/columns a transposed conv adds at the end; must be below the stride.")
    controls["output_padding"] = None if output_padding == "auto" else int(output_padding)
    controls["in_channels"] = third.number_input("Input channels", 1, 4096, 3, key="convarith_in_channels")
    controls["filters"] = fourth.number_input("Output channels (filters)", 1, 4096, 16, key="convarith_out_channels")
    return controls


def per_axis(function, controls: dict, *extra) -> tuple[tuple[int, int] | None, str | None]:
    """Run a 1-D size function on height and width; an impossible setting becomes a message."""
    try:
        sizes = tuple(function(controls["input"][axis], controls["kernel"][axis], controls["padding"],
                               controls["stride"][axis], *extra) for axis in (0, 1))
    except ValueError as err:
        return None, str(err)
    return sizes, None


def show_sizes(controls: dict) -> dict:
    """The headline: output size of every operation, or why it cannot work."""
    d = controls["dilation"]
    # The second metric is a comparison (with / without dilation), not the learner's setting:
    # when it is impossible, its reason goes in the metric's tooltip rather than a red box.
    comparison = "Conv2D, dilation 1" if d > 1 else "Dilated conv (dilation 2)"
    results = {
        "Conv2D": per_axis(ar.conv_output_size, controls, d),
        comparison: per_axis(ar.conv_output_size, controls, 1 if d > 1 else 2),
        "Conv2DTranspose": per_axis(
            lambda n, k, p, s: ar.transposed_conv_output_size(n, k, p, s, controls["output_padding"], d), controls),
        "Max / Avg pooling": per_axis(lambda n, k, p, s: ar.pool_output_size(n, k, s, p), controls),
    }
    for column, (name, (sizes, error)) in zip(st.columns(len(results)), results.items()):
        channels = controls["in_channels"] if "pool" in name else controls["filters"]
        column.metric(name, f"{sizes[0]}×{sizes[1]}×{channels}" if sizes else "impossible",
                      help=error if name == comparison else None)
    for name, (sizes, error) in results.items():
        if error and name != comparison:
            st.error(f"**{name}:** {inert(error)}")
    if d > 1 and max(controls["stride"]) > 1:
        st.warning("Keras refuses `strides > 1` together with `dilation_rate > 1` (PyTorch allows it). "
                   "The sizes above are still right; in Keras use stride 1 and add a pooling layer to downsample.")
    return {name: sizes for name, (sizes, _) in results.items()}


AXES = ((0, "height", "H"), (1, "width", "W"))  # the formulas name each axis' size by its letter


def warn_dropped(controls: dict) -> None:
    """A stride that does not tile the input silently ignores its last rows/columns (padding
    that is left uncovered loses nothing, so only real input pixels are reported)."""
    try:
        rows, columns = (ar.dropped_input_size(controls["input"][axis], controls["kernel"][axis],
                                               controls["padding"], controls["stride"][axis],
                                               controls["dilation"]) for axis in (0, 1))
    except ValueError:
        return
    sentence = ar.dropped_input_sentence(rows, columns)
    if sentence:
        st.warning(sentence)


def convolution_tab(controls: dict, output: tuple[int, int] | None) -> None:
    if output is None:
        st.info("Fix the setting above to see the diagram and the formula.")
        return
    pads = [ar.padding_amounts(controls["padding"], controls["input"][axis], controls["kernel"][axis],
                               controls["stride"][axis], controls["dilation"]) for axis in (0, 1)]
    cells = output[0] * output[1]
    step = st.slider("Kernel position (output cell)", 1, max(cells, 2), 1, key="convarith_step",
                     disabled=cells == 1) if cells > 1 else 1
    position = divmod(min(step, cells) - 1, output[1])
    dropped = tuple(ar.dropped_size(controls["input"][a], controls["kernel"][a], controls["padding"],
                                    controls["stride"][a], controls["dilation"]) for a in (0, 1))
    figure = conv_diagram(controls["input"], (*pads[0], *pads[1]), controls["kernel"], controls["stride"],
                          controls["dilation"], output, dropped, position)
    if figure is None:
        st.info("The diagram is drawn for grids up to 40×40 cells; make the input smaller to see it.")
    else:
        st.plotly_chart(figure, key="convarith_diagram")
        st.caption("  ·  ".join(f"<span style='color:{c}'>■</span> {n}" for c, n in zip(CELL_COLOURS, CELL_NAMES)),
                   unsafe_allow_html=True)
        st.markdown(f"Output cell **({position[0]}, {position[1]})** is the sum of the kernel taps shown in dark blue.")
    for axis, label, symbol in AXES:
        st.latex(rf"\text{{{label}: }}" + conv_latex(controls["input"][axis], controls["kernel"][axis],
                 controls["padding"], controls["stride"][axis], controls["dilation"], output[axis],
                 sum(pads[axis]), axis=symbol))
    params = ar.conv_parameter_count(*controls["kernel"], controls["in_channels"], controls["filters"])
    macs = ar.conv_multiply_adds(*output, *controls["kernel"], controls["in_channels"], controls["filters"])
    left, right = st.columns(2)
    left.metric("Parameters (weights + biases)", f"{params:,}")
    right.metric("Multiply-adds per image", f"{macs:,}")
    st.code(ar.keras_conv_line(controls["filters"], controls["kernel"], controls["stride"], controls["padding"],
                               controls["dilation"]), language="python", wrap_lines=True)


def transposed_tab(controls: dict, output: tuple[int, int] | None) -> None:
    st.markdown("A transposed convolution runs the arrows backwards: each input pixel *stamps* the kernel "
                "onto the output, `stride` pixels apart, so the output grows. Decoders and U-Nets use it to upsample.")
    if output is None:
        st.info("Fix the setting above to see the formula.")
        return
    for axis, label, symbol in AXES:
        st.latex(rf"\text{{{label}: }}" + transposed_latex(controls["input"][axis], controls["kernel"][axis],
                 controls["padding"], controls["stride"][axis], controls["dilation"],
                 controls["output_padding"], output[axis], axis=symbol))
    st.code(ar.keras_conv_line(controls["filters"], controls["kernel"], controls["stride"], controls["padding"],
                               controls["dilation"], transposed=True, output_padding=controls["output_padding"]),
            language="python", wrap_lines=True)


def pooling_tab(controls: dict, output: tuple[int, int] | None) -> None:
    st.markdown("Pooling slides a window (here the kernel size) and keeps the maximum or the average: "
                "no weights, same arithmetic as a convolution. Keras' default stride is the pool size.")
    if output is None:
        st.info("Fix the setting above to see the formula.")
        return
    for axis, label, symbol in AXES:
        pad_total = sum(ar.padding_amounts(controls["padding"], controls["input"][axis], controls["kernel"][axis],
                                           controls["stride"][axis]))
        st.latex(rf"\text{{{label}: }}" + conv_latex(controls["input"][axis], controls["kernel"][axis],
                 controls["padding"], controls["stride"][axis], 1, output[axis], pad_total, axis=symbol))
    for kind in ("max", "avg"):
        st.code(ar.keras_pool_line(kind, controls["kernel"], controls["stride"], controls["padding"]), language="python", wrap_lines=True)


DEFAULT_STACK = pd.DataFrame([
    {"kind": "conv", "kernel": 3, "stride": 1, "padding": "same", "dilation": 1, "filters": 16},
    {"kind": "max pool", "kernel": 2, "stride": 2, "padding": "valid", "dilation": 1, "filters": None},
    {"kind": "conv", "kernel": 3, "stride": 1, "padding": "same", "dilation": 1, "filters": 32},
    {"kind": "max pool", "kernel": 2, "stride": 2, "padding": "valid", "dilation": 1, "filters": None},
    {"kind": "transposed conv", "kernel": 2, "stride": 2, "padding": "valid", "dilation": 1, "filters": 16},
])


def stack_tab(controls: dict) -> None:
    st.markdown("Build a small network, one layer per row, and follow the shape and the **receptive field** "
                "(how many input pixels one output pixel sees). Padding: a number, `valid` or `same`.")
    edited = st.data_editor(
        DEFAULT_STACK, num_rows="dynamic", key="convarith_stack", hide_index=True,
        column_config={
            "kind": st.column_config.SelectboxColumn("kind", options=list(ar.LAYER_KINDS), required=True),
            "kernel": st.column_config.NumberColumn("kernel", min_value=1, max_value=64, step=1),
            "stride": st.column_config.NumberColumn("stride", min_value=1, max_value=64, step=1),
            "padding": st.column_config.TextColumn("padding"),
            "dilation": st.column_config.NumberColumn("dilation", min_value=1, max_value=16, step=1),
            "filters": st.column_config.NumberColumn("filters (conv only)", min_value=1, max_value=4096, step=1),
        },
    )
    layers = [{key: value for key, value in row.items() if pd.notna(value) and value != ""}
              for row in edited.to_dict("records")]
    try:
        rows = ar.stack_shapes(*controls["input"], controls["in_channels"], layers)
    except (ValueError, TypeError) as err:
        st.error(f"{inert(err)} Fix that row (or delete it) to see the shapes.")
        return
    table = pd.DataFrame(rows).rename(columns={"receptive_field": "receptive field (px)", "jump": "jump (px)"})
    st.dataframe(table, hide_index=True, key="convarith_stack_result")


def main() -> None:
    st.title("Convolution arithmetic")
    st.caption("How large is the output of a conv, dilated conv, transposed conv or pooling layer? "
               "Change the settings; every number below is the one Keras would give.")
    controls = read_controls()
    sizes = show_sizes(controls)
    warn_dropped(controls)
    conv, transposed, pooling, stack = st.tabs(["Convolution", "Transposed conv", "Pooling", "Stack calculator"])
    with conv:
        convolution_tab(controls, sizes["Conv2D"])
    with transposed:
        transposed_tab(controls, sizes["Conv2DTranspose"])
    with pooling:
        pooling_tab(controls, sizes["Max / Avg pooling"])
    with stack:
        stack_tab(controls)


main()
