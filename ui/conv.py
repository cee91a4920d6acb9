"""Plotly figures and LaTeX strings for the two convolution pages.

Nothing here decides a size or a value: the numbers come from dl_core.conv.arithmetic and
dl_core.conv.filters; these functions only draw them. No streamlit import, so they are cheap to test.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

# cell kinds in the vdumoulin-style diagram, and their colours
PADDING, INPUT, TAP, DROPPED, OUTPUT, CURRENT = range(6)
CELL_COLOURS = ["#e9ecef", "#a5d8ff", "#1c7ed6", "#ffc9c9", "#b2f2bb", "#2f9e44"]
CELL_NAMES = ["padding", "input", "kernel tap", "never reached (dropped)", "output", "current output"]
MAX_DIAGRAM_CELLS = 40  # per side; beyond this the grid becomes a gray smear


def _discrete_colourscale() -> list[list]:
    steps = len(CELL_COLOURS)
    scale = []
    for index, colour in enumerate(CELL_COLOURS):
        scale += [[index / steps, colour], [(index + 1) / steps, colour]]
    return scale


def conv_diagram(
    input_size: tuple[int, int], padding: tuple[int, int, int, int], kernel: tuple[int, int],
    stride: tuple[int, int], dilation: int, output_size: tuple[int, int],
    dropped: tuple[int, int], position: tuple[int, int],
) -> go.Figure | None:
    """Padded input with the kernel taps of one output cell, next to the output grid.

    padding is (top, bottom, left, right); dropped is (rows, cols) never reached at the end.
    Returns None when the grid is too large to read (the page then says so).
    """
    top, bottom, left, right = padding
    rows, cols = input_size[0] + top + bottom, input_size[1] + left + right
    if max(rows, cols, *output_size) > MAX_DIAGRAM_CELLS:
        return None
    grid = np.full((rows, cols), PADDING)
    grid[top : top + input_size[0], left : left + input_size[1]] = INPUT
    grid[rows - dropped[0] :, :] = np.where(grid[rows - dropped[0] :, :] == INPUT, DROPPED, grid[rows - dropped[0] :, :])
    grid[:, cols - dropped[1] :] = np.where(grid[:, cols - dropped[1] :] == INPUT, DROPPED, grid[:, cols - dropped[1] :])
    out_row, out_col = position
    tap_rows = out_row * stride[0] + dilation * np.arange(kernel[0])
    tap_cols = out_col * stride[1] + dilation * np.arange(kernel[1])
    grid[np.ix_(tap_rows, tap_cols)] = TAP
    output = np.full(output_size, OUTPUT)
    output[out_row, out_col] = CURRENT
    figure = make_subplots(
        rows=1, cols=2, column_widths=[cols, max(output_size[1], 1)], horizontal_spacing=0.08,
        subplot_titles=(f"padded input {rows}×{cols}", f"output {output_size[0]}×{output_size[1]}"),
    )
    for column, cells in ((1, grid), (2, output)):
        figure.add_trace(_cell_heatmap(cells), row=1, col=column)
    figure.update_yaxes(autorange="reversed", showticklabels=False, showgrid=False, zeroline=False, ticks="")
    figure.update_xaxes(showticklabels=False, showgrid=False, zeroline=False, ticks="")
    figure.update_yaxes(scaleanchor="x", row=1, col=1)
    figure.update_yaxes(scaleanchor="x2", row=1, col=2)
    figure.update_layout(height=min(520, 120 + 22 * rows), margin=dict(l=10, r=10, t=40, b=10), showlegend=False)
    return figure


def _cell_heatmap(cells: np.ndarray) -> go.Heatmap:
    names = np.array(CELL_NAMES, dtype=object)[cells]
    return go.Heatmap(
        z=cells, zmin=0, zmax=len(CELL_COLOURS), colorscale=_discrete_colourscale(), showscale=False,
        xgap=2, ygap=2, customdata=names, hovertemplate="row %{y}, col %{x}: %{customdata}<extra></extra>",
    )


def _cell_text(values: np.ndarray) -> np.ndarray:
    """Whole numbers without decimals, others with two; hidden (NaN) cells empty."""
    text = np.empty(values.shape, dtype=object)
    for index, value in np.ndenumerate(values):
        if np.isnan(value):
            text[index] = ""
        elif float(value).is_integer():
            text[index] = f"{int(value)}"
        else:
            text[index] = f"{value:.2f}"
    return text


def matrix_figure(
    values: np.ndarray, title: str, box: tuple[int, int, int, int] | None = None,
    colourscale: str = "Blues", height: int = 300, centre_zero: bool = False,
) -> go.Figure:
    """A small matrix with its numbers written in the cells; `box` = (top, left, rows, cols)
    outlines the current window. NaN cells (not computed yet) are left blank."""
    matrix = np.asarray(values, dtype=float)
    figure = go.Figure(go.Heatmap(
        z=matrix, text=_cell_text(matrix), texttemplate="%{text}", textfont={"size": 15},
        colorscale=colourscale, showscale=False, xgap=2, ygap=2, zmid=0 if centre_zero else None,
        hovertemplate="row %{y}, col %{x}: %{z}<extra></extra>",
    ))
    if box is not None:
        top, left, rows, cols = box
        figure.add_shape(type="rect", x0=left - 0.5, x1=left + cols - 0.5, y0=top - 0.5, y1=top + rows - 0.5,
                         line=dict(color="#e8590c", width=4))
    figure.update_yaxes(autorange="reversed", showticklabels=False, scaleanchor="x", showgrid=False,
                        zeroline=False, ticks="")
    figure.update_xaxes(showticklabels=False, showgrid=False, zeroline=False, ticks="")
    figure.update_layout(title=dict(text=title, font=dict(size=14)), height=height,
                         margin=dict(l=5, r=5, t=40, b=5))
    return figure


# --- formulas with the learner's numbers substituted -------------------------------------


def conv_latex(size: int, kernel: int, padding: int | str, stride: int, dilation: int, output: int,
               pad_total: int = 0, axis: str = "W") -> str:
    """W_o = ⌊(W − F + 2P)/S⌋ + 1 (or its dilated / "same" form) with numbers filled in; `axis`
    names the size ("H" for the height, "W" for the width)."""
    return _named_axis(_conv_latex(size, kernel, padding, stride, dilation, output, pad_total), axis)


def _named_axis(formula: str, axis: str) -> str:
    # The formulas below are written for the width; only the size symbol W carries a capital W.
    return formula.replace("W", axis)


def _conv_latex(size: int, kernel: int, padding: int | str, stride: int, dilation: int, output: int,
                pad_total: int) -> str:
    if padding == "same":
        return (rf"W_o = \left\lceil \frac{{W}}{{S}} \right\rceil = \left\lceil \frac{{{size}}}{{{stride}}}"
                rf" \right\rceil = {output} \quad (\text{{Keras pads }} {pad_total} \text{{ in total}})")
    pad = 0 if padding == "valid" else padding
    if dilation == 1:
        general = r"\left\lfloor \frac{W - F + 2P}{S} \right\rfloor + 1"
        numbers = rf"\left\lfloor \frac{{{size} - {kernel} + 2 \cdot {pad}}}{{{stride}}} \right\rfloor + 1"
    else:
        general = r"\left\lfloor \frac{W - D(F - 1) - 1 + 2P}{S} \right\rfloor + 1"
        numbers = (rf"\left\lfloor \frac{{{size} - {dilation}({kernel} - 1) - 1 + 2 \cdot {pad}}}{{{stride}}}"
                   r" \right\rfloor + 1")
    return rf"W_o = {general} = {numbers} = {output}"


def transposed_latex(size: int, kernel: int, padding: int | str, stride: int, dilation: int,
                     output_padding: int | None, output: int, axis: str = "W") -> str:
    """W_o = (W − 1)S + D(F − 1) + 1 − 2P + P_out, with numbers filled in (see conv_latex)."""
    return _named_axis(_transposed_latex(size, kernel, padding, stride, dilation, output_padding, output), axis)


def _transposed_latex(size: int, kernel: int, padding: int | str, stride: int, dilation: int,
                      output_padding: int | None, output: int) -> str:
    if output_padding is None and isinstance(padding, int):
        output_padding = 0  # Keras' automatic output padding only exists for "valid"/"same"
    if output_padding is None:
        rule = r"W \cdot S" if padding == "same" else r"(W - 1)S + \max(D(F-1)+1,\ S)"
        numbers = (rf"{size} \cdot {stride}" if padding == "same"
                   else rf"({size} - 1) \cdot {stride} + \max({dilation * (kernel - 1) + 1},\ {stride})")
        return rf"W_o = {rule} = {numbers} = {output} \quad (\text{{Keras' default output padding}})"
    span = dilation * (kernel - 1) + 1
    two_p = {"valid": 0, "same": span - span % 2}.get(padding, 2 * padding if isinstance(padding, int) else 0)
    return (rf"W_o = (W - 1)S + D(F - 1) + 1 - 2P + P_{{out}} = ({size} - 1) \cdot {stride} + "
            rf"{dilation}({kernel} - 1) + 1 - {two_p} + {output_padding} = {output}")
