"""The U-Net drawing, laid out in pixels so that no label can cover another.

Plotly places a label a fixed number of pixels from its point, but spreads the points over
whatever width the chart gets. A diagram that fits at one width therefore overlaps at another.
Here every position is in pixels, the chart is drawn at exactly its own width (the page shows it
with width="content"), and `label_boxes` returns what `unet_figure` draws, so a test can check
every pair of labels, squares and arrows for every setting the form allows.

Placement: the encoder runs down the left, the decoder up the right (the "U"). Tensor labels sit
on the outer side of their square (left on the way down, right on the way up; above on the top
row, where the arrows run sideways; below the bottleneck), the level-change labels on the outer
side of their arrow, and the skip connections' name above the top one of their dashed lines.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import pairwise

import plotly.graph_objects as go

from dl_core.topics.segmentation.shapes import Level

# Okabe-Ito colours (distinct for colour-blind readers too), one per part of the network.
PART_COLOURS = {"input": "#999999", "encoder": "#0072B2", "bottleneck": "#CC79A7",
                "decoder": "#009E73", "output": "#D55E00"}
SKIP_COLOUR = "#E69F00"
SKIP_TEXT = "skip: concatenate"
LABEL_COLOURS = {"tensor": "#343a40", "step": "#5c6370", "skip": "#b07800"}
STEP_X, STEP_Y = 56, 84  # pixels between neighbouring columns / levels
GAP = 4  # pixels between a square or an arrow and its label
LABEL_FONT, STEP_FONT = 11, 10
EDGE = 8  # pixels of empty margin around the drawing
LEGEND_HEIGHT = 34  # the legend's own strip above the drawing


@dataclass(frozen=True)
class Box:
    """A rectangle in pixels, y growing downwards; `text` is empty for a tensor's square."""
    x0: float
    y0: float
    x1: float
    y1: float
    text: str = ""
    kind: str = ""  # "tensor", "step" or "skip" for a label
    anchor: str = "center"  # the side the drawn text keeps to: the one next to its square or arrow

    def overlaps(self, other: Box) -> bool:
        return min(self.x1, other.x1) > max(self.x0, other.x0) and \
            min(self.y1, other.y1) > max(self.y0, other.y0)


@dataclass(frozen=True)
class Arrow:
    x0: float
    y0: float
    x1: float
    y1: float

    def crosses(self, box: Box) -> bool:
        """Whether any point of the segment lies inside `box` (sampled every half pixel)."""
        steps = max(2, int(2 * math.hypot(self.x1 - self.x0, self.y1 - self.y0)))
        return any(box.x0 < self.x0 + (self.x1 - self.x0) * t / steps < box.x1 and
                   box.y0 < self.y0 + (self.y1 - self.y0) * t / steps < box.y1
                   for t in range(steps + 1))


def text_size(text: str, font: int) -> tuple[float, float]:
    """A generous estimate of the drawn text's width and height in pixels.

    0.64 em per character covers the fonts the chart may fall back to (DejaVu Sans is the widest);
    '×' is 0.84 em there. Lines are 1.3 em apart, as Plotly sets them.
    """
    lines = text.split("<br>")
    width = max(sum(0.84 if ch == "×" else 0.64 for ch in line) for line in lines) * font
    return width, 1.3 * font * len(lines)


def square_side(channels: int) -> float:
    """The square grows with the logarithm of the channels: 3 → 13 px, 1024 → 38 px."""
    return 8 + 3 * math.log2(channels)


@dataclass
class Layout:
    width: float
    height: float
    squares: dict[str, Box]  # by tensor name
    labels: list[Box]
    arrows: list[Arrow]  # the level-to-level arrows, centre to centre less the squares
    skips: list[Arrow]


def _column(row: Level, depth: int) -> int:
    if row.part == "input":
        return 0
    if row.part == "output":
        return 2 * depth + 2
    if row.part == "decoder":
        return 2 * depth + 1 - row.level
    return row.level + 1  # encoder and bottleneck


def _side(row: Level) -> str:
    """Where the tensor's label goes: away from every arrow that touches its square."""
    if row.part == "bottleneck":
        return "below"
    if row.level == 0 and row.part in ("encoder", "decoder"):
        return "above"
    return "left" if row.part in ("input", "encoder") else "right"


def _tensor_label(row: Level, square: Box) -> Box:
    text = f"{row.name}<br>{row.size}×{row.size}×{row.channels}"
    width, height = text_size(text, LABEL_FONT)
    cx, cy = (square.x0 + square.x1) / 2, (square.y0 + square.y1) / 2
    side = _side(row)
    if side == "left":
        return Box(square.x0 - GAP - width, cy - height / 2, square.x0 - GAP, cy + height / 2, text, "tensor",
                   "right")
    if side == "right":
        return Box(square.x1 + GAP, cy - height / 2, square.x1 + GAP + width, cy + height / 2, text,
                   "tensor", "left")
    if side == "above":
        return Box(cx - width / 2, square.y0 - GAP - height, cx + width / 2, square.y0 - GAP, text, "tensor")
    return Box(cx - width / 2, square.y1 + GAP, cx + width / 2, square.y1 + GAP + height, text, "tensor")


def _step_label(text: str, start: tuple[float, float], end: tuple[float, float]) -> Box:
    """A level change's label beside the middle of its diagonal arrow, on the U's outer side.

    Going down (encoder) the outer side is the left, going up (decoder) the right. The label's
    corner nearest the arrow is where the arrow passes the label's top edge, plus GAP.
    """
    width, height = text_size(text, STEP_FONT)
    (x0, y0), (x1, y1) = start, end
    mx, my = (x0 + x1) / 2, (y0 + y1) / 2
    slope = abs((x1 - x0) / (y1 - y0))  # horizontal pixels per vertical pixel
    reach = slope * height / 2 + GAP
    if y1 > y0:  # down and to the right: the label on the left
        return Box(mx - reach - width, my - height / 2, mx - reach, my + height / 2, text, "step", "right")
    return Box(mx + reach, my - height / 2, mx + reach + width, my + height / 2, text, "step", "left")


def _shortened(start, end, cut_start: float, cut_end: float) -> Arrow:
    (x0, y0), (x1, y1) = start, end
    length = math.hypot(x1 - x0, y1 - y0)
    ux, uy = (x1 - x0) / length, (y1 - y0) / length
    return Arrow(x0 + ux * cut_start, y0 + uy * cut_start, x1 - ux * cut_end, y1 - uy * cut_end)


def unet_layout(rows: list[Level], depth: int, skip_connections: bool) -> Layout:
    boxes = [r for r in rows if not r.name.startswith("up_")]
    upsampling = {r.level: r.operation for r in rows if r.name.startswith("up_")}
    centres = {r.name: (_column(r, depth) * STEP_X, r.level * STEP_Y) for r in boxes}
    squares = {}
    for r in boxes:
        (x, y), half = centres[r.name], square_side(r.channels) / 2
        squares[r.name] = Box(x - half, y - half, x + half, y + half)
    labels = [_tensor_label(r, squares[r.name]) for r in boxes]
    arrows = []
    for start, end in pairwise(boxes):
        a, b = centres[start.name], centres[end.name]
        cut_a = (squares[start.name].x1 - squares[start.name].x0) / 2 + 2
        cut_b = (squares[end.name].x1 - squares[end.name].x0) / 2 + 2
        arrows.append(_shortened(a, b, cut_a, cut_b))
        if start.level != end.level:  # say how the size was halved or doubled
            operation = upsampling[end.level] if end.part == "decoder" else end.operation
            labels.append(_step_label(operation.split(",")[0], a, b))
    skips = []
    if skip_connections:
        for level in range(depth):
            left, right = squares[f"enc_{level}"], squares[f"dec_{level}"]
            y = level * STEP_Y
            skips.append(Arrow(left.x1 + 2, y, right.x0 - 2, y))
        # Named once, on the top line: the deepest line is too short for its name at depth 2,
        # and the legend names the dashed line as well.
        width, height = text_size(SKIP_TEXT, STEP_FONT)
        middle = (depth + 1) * STEP_X
        labels.append(Box(middle - width / 2, -3 - height, middle + width / 2, -3, SKIP_TEXT, "skip"))
    return _framed(squares, labels, arrows, skips)


def _framed(squares, labels, arrows, skips) -> Layout:
    """Shift everything so that the drawing starts EDGE pixels from the top-left corner."""
    everything = list(squares.values()) + labels
    dx = EDGE - min(b.x0 for b in everything)
    dy = EDGE - min(b.y0 for b in everything)

    def box(b: Box) -> Box:
        return Box(b.x0 + dx, b.y0 + dy, b.x1 + dx, b.y1 + dy, b.text, b.kind, b.anchor)

    def arrow(a: Arrow) -> Arrow:
        return Arrow(a.x0 + dx, a.y0 + dy, a.x1 + dx, a.y1 + dy)

    moved = [box(b) for b in everything]
    return Layout(width=max(b.x1 for b in moved) + EDGE, height=max(b.y1 for b in moved) + EDGE,
                  squares={name: box(b) for name, b in squares.items()},
                  labels=[box(b) for b in labels], arrows=[arrow(a) for a in arrows],
                  skips=[arrow(a) for a in skips])


def unet_figure(rows: list[Level], depth: int, skip_connections: bool) -> go.Figure:
    """Squares labelled with each tensor's shape; dashed lines are the skip connections."""
    layout = unet_layout(rows, depth, skip_connections)
    fig = go.Figure()
    for a in layout.arrows:
        fig.add_annotation(x=a.x1, y=a.y1, ax=a.x0, ay=a.y0, xref="x", yref="y", axref="x",
                           ayref="y", showarrow=True, arrowhead=2, arrowwidth=1.5,
                           arrowcolor="#495057", text="")
    for a in layout.skips:
        fig.add_shape(type="line", x0=a.x0, y0=a.y0, x1=a.x1, y1=a.y1,
                      line={"color": SKIP_COLOUR, "dash": "dash", "width": 2})
    for label in layout.labels:
        # The drawn text is narrower than the estimate: kept to its anchor side, it stays
        # inside the box and next to what it names.
        x = {"left": label.x0, "right": label.x1}.get(label.anchor, (label.x0 + label.x1) / 2)
        fig.add_annotation(x=x, y=(label.y0 + label.y1) / 2, xref="x", yref="y",
                           xanchor=label.anchor, yanchor="middle", showarrow=False,
                           text=label.text, align=label.anchor, borderpad=0,
                           font={"size": LABEL_FONT if label.kind == "tensor" else STEP_FONT,
                                 "color": LABEL_COLOURS[label.kind]})
    by_part: dict[str, list[Level]] = {}
    for r in rows:
        if r.name in layout.squares:
            by_part.setdefault(r.part, []).append(r)
    for part, colour in PART_COLOURS.items():
        chosen = by_part.get(part, [])
        if not chosen:
            continue
        centres = [layout.squares[r.name] for r in chosen]
        fig.add_trace(go.Scatter(
            x=[(b.x0 + b.x1) / 2 for b in centres], y=[(b.y0 + b.y1) / 2 for b in centres],
            mode="markers", name=part, hovertext=[r.operation for r in chosen], hoverinfo="text",
            marker={"symbol": "square", "size": [b.x1 - b.x0 for b in centres], "color": colour,
                    "line": {"width": 0}}))
    if layout.skips:  # the dashed line in the legend too
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name="skip connection",
                                 line={"color": SKIP_COLOUR, "dash": "dash", "width": 2}))
    fig.update_layout(width=layout.width, height=layout.height + LEGEND_HEIGHT,
                      margin={"l": 0, "r": 0, "t": LEGEND_HEIGHT, "b": 0}, plot_bgcolor="white",
                      showlegend=True, dragmode=False,
                      legend={"orientation": "h", "x": 0, "xanchor": "left", "y": 1,
                              "yanchor": "bottom"},
                      xaxis={"visible": False, "range": [0, layout.width], "fixedrange": True},
                      yaxis={"visible": False, "range": [layout.height, 0], "fixedrange": True})
    return fig
