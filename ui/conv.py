"""Plotly figures and LaTeX strings for the two convolution pages.

Nothing here decides a size or a value: the numbers come from dl_core.conv.arithmetic and
dl_core.conv.filters; these functions only draw them (and write them into formulas). No streamlit
import, so they are cheap to test.
"""

from __future__ import annotations

from dataclasses import dataclass

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


# --- the step-by-step walkthrough: matrices side by side, one cell size for all ----------

WINDOW_COLOUR = "#e8590c"  # the window on the input and the output cell it makes
PENDING_COLOUR = "#f1f3f5"  # output cells not computed yet: blank
PADDING_COLOUR = "#dee2e6"  # padding cells: gray, their value written in gray
CELL_PX = 56  # largest cell of the walkthrough; a narrow page shrinks every panel alike


@dataclass
class Panel:
    """One matrix of the walkthrough. `shown` False cells are drawn gray: as padding (their value
    written in gray) when `padding` is True, else as pending (blank). `box` = (top, left, rows, cols)
    outlines a window; `zrange` fixes the colours (so they do not shift from step to step)."""

    values: np.ndarray
    title: str
    colourscale: str = "Blues"
    shown: np.ndarray | None = None
    padding: bool = False
    box: tuple[int, int, int, int] | None = None
    zrange: tuple[float, float] | None = None
    centre_zero: bool = False
    hover: str = "value"


def panels_figure(panels: list[Panel], cell: int | None = None) -> go.Figure:
    """The matrices in one row with square cells of one size (`cell` px, or what fits), each with
    its numbers written in."""
    widths = [np.shape(panel.values)[1] for panel in panels]
    tallest = max(np.shape(panel.values)[0] for panel in panels)
    # Big enough to read, small enough that the row fits a 1400 px page (about 900 px of plot).
    cell = cell or int(np.clip(780 / sum(widths), 36, CELL_PX))
    gap = 0.6 * cell  # between two panels
    width = cell * sum(widths) + gap * (len(panels) - 1)
    figure = make_subplots(rows=1, cols=len(panels), column_widths=widths,
                           horizontal_spacing=gap / width if len(panels) > 1 else 0,
                           subplot_titles=[panel.title for panel in panels])
    for column, panel in enumerate(panels, start=1):
        for trace in _panel_traces(panel):
            figure.add_trace(trace, row=1, col=column)
        rows, cols = np.shape(panel.values)
        if panel.box is not None:
            top, left, box_rows, box_cols = panel.box
            figure.add_shape(type="rect", x0=left - 0.5, x1=left + box_cols - 0.5, y0=top - 0.5,
                             y1=top + box_rows - 0.5, line=dict(color=WINDOW_COLOUR, width=4),
                             row=1, col=column)
        axis = "" if column == 1 else str(column)
        figure.update_xaxes(range=[-0.5, cols - 0.5], constrain="domain", row=1, col=column)
        # Every panel's y axis spans the tallest matrix, so one row is the same height everywhere.
        figure.update_yaxes(range=[tallest - 0.5, -0.5], scaleanchor=f"x{axis}", constrain="domain",
                            constraintoward="top", row=1, col=column)
    figure.update_xaxes(showticklabels=False, showgrid=False, zeroline=False, ticks="")
    figure.update_yaxes(showticklabels=False, showgrid=False, zeroline=False, ticks="")
    figure.update_annotations(font_size=14, yanchor="bottom")
    figure.update_layout(width=int(width) + 10, height=70 + cell * tallest, margin=dict(l=5, r=5, t=60, b=5),
                         showlegend=False, plot_bgcolor="rgba(0,0,0,0)")
    return figure


def _panel_traces(panel: Panel) -> list[go.Heatmap]:
    values = np.asarray(panel.values, dtype=float)
    shown = np.ones(values.shape, bool) if panel.shown is None else np.asarray(panel.shown, bool)
    visible = np.where(shown, values, np.nan)
    low, high = panel.zrange if panel.zrange else (np.nanmin(visible), np.nanmax(visible))
    if panel.centre_zero:
        low, high = -max(abs(low), abs(high), 1e-9), max(abs(low), abs(high), 1e-9)
    traces = []
    if not shown.all():
        gray = np.where(shown, np.nan, 0.0)
        text = _cell_text(np.where(shown, np.nan, values)) if panel.padding else np.full(values.shape, "")
        colour = PADDING_COLOUR if panel.padding else PENDING_COLOUR
        traces.append(go.Heatmap(
            z=gray, text=text, texttemplate="%{text}", textfont={"size": 15, "color": "#868e96"},
            colorscale=[[0, colour], [1, colour]], showscale=False, xgap=2, ygap=2,
            hovertemplate=("row %{y}, col %{x}: padding %{text}" if panel.padding
                           else "row %{y}, col %{x}: not computed yet") + "<extra></extra>",
        ))
    traces.append(go.Heatmap(
        z=visible, text=_cell_text(visible), texttemplate="%{text}", textfont={"size": 15},
        colorscale=panel.colourscale, zmin=low, zmax=high if high > low else low + 1, showscale=False,
        xgap=2, ygap=2, hovertemplate=f"row %{{y}}, col %{{x}}: {panel.hover} %{{z}}<extra></extra>",
    ))
    return traces


def latex_number(value: float, bracket: bool = True) -> str:
    """The shortest decimal that reads back as exactly `value`; a negative factor in brackets."""
    text = np.format_float_positional(float(value), trim="-")
    text = "0" if text == "-0" else text
    return f"({text})" if bracket and text.startswith("-") else text


def cell_formula_latex(row: int, col: int, kernel: np.ndarray, window: np.ndarray, total: float,
                       bias: float = 0.0) -> str:
    """y_{i,j} = Σ w·x + b for one output cell, with every weight and input value written out,
    one kernel row per line (the same layout as the kernel)."""
    weights, inputs = np.asarray(kernel, dtype=float), np.asarray(window, dtype=float)
    lines = [" + ".join(f"{latex_number(w)} \\cdot {latex_number(x)}" for w, x in zip(w_row, x_row))
             for w_row, x_row in zip(weights, inputs)]
    lines[-1] += rf" + \underbrace{{{latex_number(bias)}}}_{{b}}"
    body = r" \\ &\quad + ".join(lines)
    return (r"\begin{aligned} y_{" f"{row},{col}" r"} &= \sum_{m,n} w_{m,n}\, x_{m,n} + b \\ &= "
            + body + r" \\ &= \mathbf{" + latex_number(total, False) + r"} \end{aligned}")


def pool_formula_latex(row: int, col: int, window: np.ndarray, total: float, mode: str = "max") -> str:
    """y_{i,j} = max(window) (or its mean) with the window's values written out."""
    values = ", ".join(latex_number(v) for v in np.asarray(window, dtype=float).ravel())
    operator = r"\max" if mode == "max" else r"\operatorname{mean}"
    return rf"y_{{{row},{col}}} = {operator}({values}) = \mathbf{{{latex_number(total, False)}}}"


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


# --- pictures drawn to scale -------------------------------------------------------------

ROW_BUDGET_PX = 900  # what a row of pictures may take at 1400 px (the wide layout's content is ~940)
SMALL_PICTURE_PX = 256  # pictures smaller than this are enlarged by a whole factor
GAP_PX = 24


def side_by_side(
    pictures: list[np.ndarray], budget: int = ROW_BUDGET_PX,
) -> tuple[np.ndarray, int, list[tuple[int, int, int, int]]]:
    """The pictures on one transparent RGBA canvas, top-aligned, each at its true size.

    One picture (not one per column) so that the browser can only scale all of them together:
    their sizes on screen keep the true ratio at any page width. Small pictures are enlarged by
    one whole factor (nearest neighbour: each pixel becomes a sharp square), never past `budget`.
    Returns (canvas, factor, boxes) with boxes[i] = (top, left, height, width) on the canvas.
    """
    largest = max(max(np.shape(picture)[:2]) for picture in pictures)
    widths = sum(np.shape(picture)[1] for picture in pictures)
    factor = max(1, min(SMALL_PICTURE_PX // largest, (budget - GAP_PX * (len(pictures) - 1)) // widths))
    scaled = [np.repeat(np.repeat(_rgba(picture), factor, axis=0), factor, axis=1) for picture in pictures]
    height = max(picture.shape[0] for picture in scaled)
    width = sum(picture.shape[1] for picture in scaled) + GAP_PX * (len(scaled) - 1)
    canvas = np.zeros((height, width, 4), np.uint8)
    boxes, left = [], 0
    for picture in scaled:
        canvas[: picture.shape[0], left : left + picture.shape[1]] = picture
        boxes.append((0, left, picture.shape[0], picture.shape[1]))
        left += picture.shape[1] + GAP_PX
    return canvas, factor, boxes


def _rgba(picture: np.ndarray) -> np.ndarray:
    """uint8 gray, RGB or RGBA -> opaque RGBA."""
    pixels = np.asarray(picture, dtype=np.uint8)
    if pixels.ndim == 2:
        pixels = np.repeat(pixels[:, :, None], 3, axis=2)
    if pixels.shape[2] == 3:
        pixels = np.concatenate([pixels, np.full(pixels.shape[:2] + (1,), 255, np.uint8)], axis=2)
    return pixels
