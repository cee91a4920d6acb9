"""ui/conv.py: the walkthrough's figure and formulas, and pictures drawn to scale."""

from __future__ import annotations

import re
from fractions import Fraction

import numpy as np
import pytest

from dl_core.conv.filters import EXAMPLES, correlation_steps, pool_steps
from ui.conv import (
    Panel,
    cell_formula_latex,
    latex_number,
    panels_figure,
    pool_formula_latex,
    side_by_side,
)

CONV_EXAMPLES = [name for name, example in EXAMPLES.items() if example["kernel"] is not None]
NUMBER = r"\(?(-?\d+(?:\.\d+)?)\)?"


def written_terms(latex: str) -> tuple[list[tuple[str, str]], str, str]:
    """(weight, input) pairs, the bias and the result, read back from the formula's text."""
    pairs = re.findall(NUMBER + r" \\cdot " + NUMBER, latex)
    bias = re.search(r"\\underbrace\{" + NUMBER + r"\}_\{b\}", latex).group(1)
    result = re.search(r"\\mathbf\{(-?\d+(?:\.\d+)?)\}", latex).group(1)
    return pairs, bias, result


def walk_of(example: dict) -> dict:
    return correlation_steps(example["image"], example["kernel"], example["padding"],
                             stride=example["stride"])


@pytest.mark.parametrize("name", CONV_EXAMPLES)
def test_the_written_sum_is_exactly_the_output_cell(name):
    example = EXAMPLES[name]
    walk = walk_of(example)
    for step in walk["steps"]:
        latex = cell_formula_latex(step["row"], step["col"], example["kernel"], step["window"], step["total"])
        pairs, bias, result = written_terms(latex)
        assert len(pairs) == example["kernel"].size  # every weight, once
        # Read back exactly (fractions: no rounding can hide a wrong term).
        written = sum(Fraction(w) * Fraction(x) for w, x in pairs) + Fraction(bias)
        assert written == Fraction(result) == Fraction(walk["output"][step["row"], step["col"]])
        assert [float(w) for w, _ in pairs] == example["kernel"].ravel().tolist()  # kernel order
        assert [float(x) for _, x in pairs] == step["window"].ravel().tolist()
        assert latex.startswith(r"\begin{aligned} y_{" + f"{step['row']},{step['col']}" + "}")


def test_the_first_cell_of_the_course_example_is_written_out():
    example = EXAMPLES["5×5 photo patch, sharpen, zero padding"]
    step = walk_of(example)["steps"][0]
    latex = cell_formula_latex(0, 0, example["kernel"], step["window"], step["total"])
    assert r"5 \cdot 60 + (-1) \cdot 113" in latex
    assert latex.endswith(r"&= \mathbf{114} \end{aligned}")


def test_a_bias_is_added():
    latex = cell_formula_latex(0, 0, np.array([[2.0]]), np.array([[3.0]]), 6.5, bias=0.5)
    pairs, bias, result = written_terms(latex)
    assert pairs == [("2", "3")] and bias == "0.5" and result == "6.5"


def test_numbers_read_back_exactly():
    for value in [114.0, -47.0, 0.0625, 1 / 9, -0.0, 3e-5]:
        text = latex_number(value, bracket=False)
        assert float(text) == value and "e" not in text
    assert latex_number(-1.0) == "(-1)" and latex_number(-1.0, bracket=False) == "-1"


def test_pooling_formula_lists_the_window():
    walk = pool_steps(EXAMPLES["4×4 max pooling, 2×2, stride 2"]["image"], 2, 2)
    step = walk["steps"][1]
    formula = pool_formula_latex(0, 1, step["window"], step["total"])
    assert formula == r"y_{0,1} = \max(5, 3, 3, 1) = \mathbf{5}"


# --- the figure --------------------------------------------------------------------------


def output_panel(walk: dict, steps_done: int) -> Panel:
    done = np.zeros(walk["output"].shape, bool)
    for step in walk["steps"][:steps_done]:
        done[step["row"], step["col"]] = True
    current = walk["steps"][steps_done - 1]
    return Panel(walk["output"], "output", "Greens", done, box=(current["row"], current["col"], 1, 1),
                 zrange=(float(walk["output"].min()), float(walk["output"].max())))


@pytest.mark.parametrize("steps_done", [1, 13, 25])
def test_the_output_grid_has_its_final_shape_at_every_step(steps_done):
    walk = walk_of(EXAMPLES["5×5 photo patch, sharpen, zero padding"])
    figure = panels_figure([Panel(walk["padded"], "input", shown=walk["inside"], padding=True),
                            output_panel(walk, steps_done)])
    output_traces = [trace for trace in figure.data if trace.xaxis == "x2"]
    for trace in output_traces:
        assert np.shape(trace.z) == (5, 5)
    values = output_traces[-1]
    written = [text for row in values.text for text in row if text]
    assert len(written) == steps_done  # only the cells computed so far carry a number
    assert values.zmin == walk["output"].min() and values.zmax == walk["output"].max()  # colours never shift
    pending = output_traces[:-1]
    if steps_done < 25:
        assert len(pending) == 1 and np.isnan(np.asarray(pending[0].z, float)).sum() == steps_done
    else:
        assert pending == []
    assert tuple(figure.layout.xaxis2.range) == (-0.5, 4.5)
    assert tuple(figure.layout.yaxis2.range) == (6.5, -0.5)  # as tall as the 7×7 input: same cell size
    current = walk["steps"][steps_done - 1]
    box = figure.layout.shapes[-1]
    assert (box.x0, box.y0) == (current["col"] - 0.5, current["row"] - 0.5)


def test_padding_cells_are_gray_with_their_value():
    walk = walk_of(EXAMPLES["5×5 photo patch, sharpen, zero padding"])
    figure = panels_figure([Panel(walk["padded"], "input", shown=walk["inside"], padding=True)])
    gray, values = figure.data
    assert gray.text[0][0] == "0" and gray.text[1][1] == ""
    assert values.text[1][1] == "60" and values.text[0][0] == ""


# --- pictures drawn to scale -------------------------------------------------------------


def test_side_by_side_keeps_the_true_sizes():
    photo = np.random.default_rng(0).integers(0, 256, (256, 256), dtype=np.uint8)
    half = photo[::2, ::2]
    canvas, factor, boxes = side_by_side([photo, half])
    assert factor == 1
    assert [box[2:] for box in boxes] == [(256, 256), (128, 128)]
    (top, left, height, width), (top2, left2, height2, width2) = boxes
    np.testing.assert_array_equal(canvas[top : top + height, left : left + width, 0], photo)
    np.testing.assert_array_equal(canvas[top2 : top2 + height2, left2 : left2 + width2, 0], half)
    assert canvas[200:, left2:, 3].max() == 0  # transparent under the smaller picture


def test_small_pictures_are_enlarged_by_one_whole_factor_with_sharp_pixels():
    small = np.arange(40 * 30, dtype=np.uint8).reshape(40, 30)
    canvas, factor, boxes = side_by_side([small, small[::2, ::3]])
    assert factor == 6  # 256 // 40
    assert [box[2:] for box in boxes] == [(240, 180), (120, 60)]
    top, left, height, width = boxes[0]
    drawn = canvas[top : top + height, left : left + width, 0]
    np.testing.assert_array_equal(drawn[::6, ::6], small)  # nearest neighbour: each pixel a 6×6 square
    np.testing.assert_array_equal(drawn, np.kron(small, np.ones((6, 6), np.uint8)))


def test_enlarging_stops_at_the_row_budget():
    narrow = np.zeros((20, 60), np.uint8)
    canvas, factor, boxes = side_by_side([narrow] * 5, budget=900)
    assert factor == 2 and canvas.shape[1] == 5 * 120 + 4 * 24  # 3× (4× by height) would be 996 px wide
