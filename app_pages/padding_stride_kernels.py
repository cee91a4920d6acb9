"""Padding, stride & kernels: slide a kernel step by step, then apply kernels to a photo.

Widgets -> dl_core.conv.filters -> render. No tensorflow: this page must render instantly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from dl_core.conv import filters as fl
from dl_core.digit_input import to_grayscale
from ui.conv import Panel, cell_formula_latex, panels_figure, pool_formula_latex, side_by_side
from ui.image_upload import image_upload

MAX_SIDE = 512  # photos are downscaled to this for speed; the page says so


# --- step by step on small matrices ------------------------------------------------------


def _reset_step() -> None:
    st.session_state["kernels_step"] = 1


def _next_step(count: int) -> None:
    st.session_state["kernels_step"] = st.session_state.get("kernels_step", 1) % count + 1


def walkthrough(example: dict) -> dict:
    if example["operation"] == "max pooling":
        return fl.pool_steps(example["image"], 2, example["stride"], "max")
    return fl.correlation_steps(example["image"], example["kernel"], example["padding"], stride=example["stride"])


def step_by_step() -> None:
    """The walkthrough; a fragment so that Play (and each step) reruns only this part."""
    playing = st.toggle("Play", key="kernels_play", help="Advance one step every second.")
    st.fragment(run_every=1.0 if playing else None)(_walkthrough_view)(playing)


def _walkthrough_view(playing: bool) -> None:
    name = st.selectbox("Example from the course notes", list(fl.EXAMPLES), key="kernels_example",
                        on_change=_reset_step)
    example = fl.EXAMPLES[name]
    walk = walkthrough(example)
    count = len(walk["steps"])
    if st.session_state.get("kernels_step", 1) > count:
        _reset_step()
    elif playing:
        _next_step(count)
    slider_column, button_column = st.columns([5, 1])
    step = slider_column.slider("Step", 1, count, key="kernels_step")
    button_column.button("Next step ▶", key="kernels_next", on_click=_next_step, args=(count,))
    current = walk["steps"][step - 1]
    show_step(example, walk, current, step)


def show_step(example: dict, walk: dict, current: dict, step: int) -> None:
    pooling = example["kernel"] is None
    window_rows, window_cols = current["window"].shape
    done = np.zeros(walk["output"].shape, bool)
    for earlier in walk["steps"][:step]:
        done[earlier["row"], earlier["col"]] = True
    st.plotly_chart(panels_figure(step_panels(example, walk, current, done)), key="kernels_step_fig",
                    width="content", config={"displayModeBar": False})
    cell = f"Output[{current['row']}, {current['col']}]"
    number, formula = st.columns([1, 4], vertical_alignment="center")
    number.metric(cell, f"{current['total']:g}")
    if pooling:
        formula.latex(pool_formula_latex(current["row"], current["col"], current["window"], current["total"]))
        st.caption(f"The {window_rows}×{window_cols} window (orange box) has no weights: the output is its "
                   "largest value. Gray output cells are not computed yet.")
    else:
        formula.latex(cell_formula_latex(current["row"], current["col"], example["kernel"], current["window"],
                                         current["total"]))
        st.caption("w: the kernel's weights; x: the input under the orange box, read in the same order; "
                   "b: the bias, 0 in this example from the notes. Gray input cells are padding, gray "
                   "output cells are not computed yet. CNNs do not flip the kernel first (that is "
                   "cross-correlation); textbook convolution flips it, which only matters for kernels "
                   "that are not symmetric.")


def step_panels(example: dict, walk: dict, current: dict, done: np.ndarray) -> list[Panel]:
    """Input with the window, the kernel and the products (or the pooled window), and the output
    grid at its final size with only the `done` cells filled."""
    rows, cols = walk["padded"].shape
    window = (current["top"], current["left"], *current["window"].shape)
    padded = "" if example["padding"] == "none" else f", {example['padding']}-padded"
    output = walk["output"]
    panels = [Panel(walk["padded"], f"input x{padded}<br>{rows}×{cols}", "Blues", walk["inside"],
                    padding=True, box=window)]
    if example["kernel"] is None:
        panels.append(Panel(current["window"], "window<br>→ max", "Blues",
                            zrange=(float(walk["padded"].min()), float(walk["padded"].max()))))
    else:
        kernel = example["kernel"]
        panels.append(Panel(kernel, f"kernel w<br>{kernel.shape[0]}×{kernel.shape[1]}", "RdBu",
                            centre_zero=True, hover="weight"))
        panels.append(Panel(current["products"], "w · x<br>(each product)", "RdBu", centre_zero=True,
                            hover="product"))
    size = f"{output.shape[0]}×{output.shape[1]}"
    panels.append(Panel(output, f"output y<br>{size}, stride {example['stride']}", "Greens", done,
                        box=(current["row"], current["col"], 1, 1),
                        zrange=(float(output.min()), float(output.max()))))
    return panels


# --- the photo tabs ----------------------------------------------------------------------


def choose_photo() -> np.ndarray:
    st.markdown("**Picture for the padding, stride, pooling and kernel tabs**")
    decoded = image_upload("Your own photo (optional)", key="kernels_upload", max_side=MAX_SIDE,
                           help=f"PNG, JPEG, GIF, BMP, WebP or TIFF. Photos larger than {MAX_SIDE} px "
                                "are downscaled for speed.")
    if decoded is None:
        st.caption(f"Showing the built-in sample picture. Uploads larger than {MAX_SIDE} px on their long "
                   "side are downscaled so every kernel runs instantly.")
        return fl.sample_image(256)
    problem = fl.photo_problem(decoded.array)
    if problem:
        st.warning(f"{problem} Showing the built-in sample picture instead.")
        return fl.sample_image(256)
    if decoded.downscaled:
        st.info(f"Your photo was {decoded.original_size[0]}×{decoded.original_size[1]} px; it is shown "
                f"downscaled to {decoded.array.shape[1]}×{decoded.array.shape[0]} px so the filters run fast.")
    return decoded.array


def kernel_picker(label: str, key: str, default: str) -> np.ndarray:
    names = list(fl.KERNELS)
    name = st.selectbox(label, names, index=names.index(default), key=key)
    return fl.KERNELS[name]


def padding_tab(gray: np.ndarray) -> None:
    st.markdown("Near the border the kernel hangs over the edge. **Zero padding** fills the gap with black; "
                "**mirror padding** reflects the picture (`d c b | a b c d`). Only border pixels can differ.")
    kernel = kernel_picker("Kernel", "kernels_padding_kernel", "box blur 9×9")
    comparison = fl.compare_padding(gray, kernel, "zero", "reflect")
    first, second, third = st.columns(3)
    first.image(fl.normalise_for_display(comparison["zero"]), caption="zero padding", width="stretch")
    second.image(fl.normalise_for_display(comparison["reflect"]), caption="mirror padding", width="stretch")
    third.image(comparison["highlight"], caption="where they differ (red, on the dimmed picture)",
                width="stretch")
    st.caption(f"{comparison['changed_fraction']:.1%} of the pixels differ, all within "
               f"{comparison['max_border_distance'] + 1} px of the border.")


def stride_tab(gray: np.ndarray) -> None:
    st.markdown("The stride is how far the kernel jumps between outputs. Stride 2 keeps every second "
                "position: a quarter of the outputs, and fine detail is lost. Rows and columns can differ.")
    left, right = st.columns(2)
    rows = left.slider("Stride (rows)", 1, 8, 2, key="kernels_stride_rows")
    cols = right.slider("Stride (columns)", 1, 8, 2, key="kernels_stride_cols")
    kernel = kernel_picker("Kernel", "kernels_stride_kernel", "gaussian blur")
    strided = fl.convolve2d(gray, kernel, "zero", stride=(rows, cols))
    pictures_to_scale([(fl.normalise_for_display(gray), f"the input, {px(gray)}"),
                       (fl.normalise_for_display(strided),
                        f"the stride ({rows}, {cols}) output, {px(strided)}")],
                      key="kernels_stride_pictures")


def pooling_tab(gray: np.ndarray) -> None:
    st.markdown("Pooling shrinks a feature map without weights: **max** keeps the strongest response in "
                "each window, **average** smooths. Keras' default stride is the pool size.")
    first, second, third = st.columns(3)
    mode = first.radio("Pooling", ["max", "avg"], horizontal=True, key="kernels_pool_mode")
    size = second.slider("Pool size", 1, 8, 2, key="kernels_pool_size")
    stride = third.slider("Stride", 1, 8, 2, key="kernels_pool_stride")
    pooled = fl.pool2d(gray, size, stride, mode)
    pictures_to_scale([(fl.normalise_for_display(gray), f"the input, {px(gray)}"),
                       (fl.normalise_for_display(pooled),
                        f"{mode} pooling {size}×{size} with stride {stride}, {px(pooled)}")],
                      key="kernels_pool_pictures")


def px(picture: np.ndarray) -> str:
    """Width × height in pixels, as the upload notice writes a photo's size."""
    return f"{picture.shape[1]}×{picture.shape[0]} px"


def pictures_to_scale(pictures: list[tuple[np.ndarray, str]], key: str) -> None:
    """Two (picture, caption) pairs side by side at their true sizes: one picture in a box exactly
    as wide, so no column can stretch one of them, and a narrower page shrinks both alike (a
    stride-2 output is always drawn half as wide as its input)."""
    canvas, factor, _ = side_by_side([picture for picture, _ in pictures])
    (_, first), (_, second) = pictures
    captions = f"Left: {first}. Right: {second}."
    scale = ("Drawn pixel for pixel (a narrower page shrinks them alike)." if factor == 1 else
             f"Both drawn {factor}× larger, each pixel a {factor}×{factor} square.")
    box = st.container(width=canvas.shape[1], key=key)  # never wider than the page: then both shrink
    box.image(canvas, caption=f"{captions} {scale}", width="stretch", output_format="PNG")


def custom_kernel() -> np.ndarray | None:
    size = st.radio("Custom kernel size", [3, 5], horizontal=True, key="kernels_custom_size",
                    format_func=lambda n: f"{n}×{n}")
    start = np.zeros((size, size))
    start[size // 2, size // 2] = 1.0
    edited = st.data_editor(pd.DataFrame(start, columns=[str(c) for c in range(size)]),
                            key=f"kernels_custom_grid_{size}", hide_index=True)
    values = edited.to_numpy(dtype=float, na_value=0.0)
    if not np.isfinite(values).all():
        st.error("Every cell of the kernel must be a number; empty cells count as 0.")
        return None
    return values


def kernels_tab(rgb: np.ndarray) -> None:
    st.markdown("A conv filter slides one kernel over **each colour channel** and **adds** the three results "
                "into one feature map. Pick a preset or type your own kernel.")
    name = st.selectbox("Kernel", list(fl.KERNELS) + ["custom"], index=list(fl.KERNELS).index("sharpen"),
                        key="kernels_preset")
    kernel = custom_kernel() if name == "custom" else fl.KERNELS[name]
    if kernel is None:
        return
    if name != "custom":
        weights = Panel(kernel, f"weights<br>{kernel.shape[0]}×{kernel.shape[1]}", "RdBu", centre_zero=True,
                        hover="weight")
        st.plotly_chart(panels_figure([weights], cell=44),
                        key="kernels_preset_fig", width="content", config={"displayModeBar": False})
    method = st.radio("Show negative and large values by", ["clip", "abs", "minmax"], horizontal=True,
                      key="kernels_display", help="Edge kernels give negative values, blur and sharpen can exceed 255.")
    st.caption("**clip**: values below 0 turn black and above 255 white (what saving the image would do); "
               "**abs**: the strength of the response whatever its sign; **minmax**: stretch the lowest value "
               "to black and the highest to white.")
    per_channel = fl.correlate_channels(rgb, kernel, "reflect")
    summed = fl.convolve2d(rgb, kernel, "reflect")
    left, middle, right = st.columns(3)
    left.image(rgb, caption="input", width="stretch")
    middle.image(fl.normalise_for_display(per_channel, method), caption="each channel filtered, recombined",
                 width="stretch")
    right.image(fl.normalise_for_display(summed, method if method != "clip" else "minmax"), width="stretch",
                caption="the three channels summed: one conv filter's feature map (min-max even for clip: "
                        "the sums reach 3×255)")
    with st.expander("The three channels, before and after"):
        for index, colour in enumerate(["red", "green", "blue"]):
            before, after = st.columns(2)
            before.image(rgb[:, :, index], caption=f"{colour} channel", width="stretch")
            after.image(fl.normalise_for_display(per_channel[:, :, index], method), width="stretch",
                        caption=f"{colour} channel filtered")


def main() -> None:
    st.title("Padding, stride & kernels")
    st.caption("Watch a kernel slide over a small matrix, then see padding, stride, pooling and classic "
               "kernels at work on a photo (yours, if you like).")
    photo_box = st.container(border=True)  # above the tabs, filled after the walkthrough
    steps, padding, stride, pooling, kernels = st.tabs(["Step by step", "Padding", "Stride", "Pooling", "Kernels"])
    with steps:
        step_by_step()
    with photo_box:
        rgb = choose_photo()
    gray = to_grayscale(rgb) * 255.0
    with padding:
        padding_tab(gray)
    with stride:
        stride_tab(gray)
    with pooling:
        pooling_tab(gray)
    with kernels:
        kernels_tab(rgb)


main()
