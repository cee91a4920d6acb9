"""AppTest for the two convolution pages: render, refuse impossible settings, uploads, no TF."""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from ui.text import shown

from conftest import ROOT
from make_files import solid_image

if str(ROOT) not in sys.path:  # tests/conftest.py does this too; harmless twice
    sys.path.insert(0, str(ROOT))

ARITHMETIC_PAGE = str(ROOT / "app_pages" / "conv_arithmetic.py")
KERNELS_PAGE = str(ROOT / "app_pages" / "padding_stride_kernels.py")


def render(page: str) -> AppTest:
    app = AppTest.from_file(page, default_timeout=30).run()
    assert not app.exception, [exception.value for exception in app.exception]
    return app


def metrics(app: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in app.metric}




# --- Conv arithmetic ----------------------------------------------------------------------


def test_arithmetic_page_renders_sizes_formulas_and_keras_code():
    app = render(ARITHMETIC_PAGE)
    shown = metrics(app)
    assert shown["Conv2D"] == "4×4×16"  # 7×7, kernel 3, padding 1, stride 2
    assert shown["Conv2DTranspose"] == "13×13×16"
    assert shown["Parameters (weights + biases)"] == "448"
    assert not app.error
    assert any("7 - 3 + 2 \\cdot 1" in latex.value for latex in app.latex)
    assert any("keras.layers.Conv2D(filters=16" in code.value for code in app.code)
    assert app.get("plotly_chart"), "the conv diagram is missing"


def test_impossible_kernel_is_explained_not_raised():
    app = render(ARITHMETIC_PAGE)
    app.selectbox(key="convarith_padding_mode").set_value("valid")
    app.number_input(key="convarith_input_h").set_value(3)
    app.number_input(key="convarith_kernel_h").set_value(9).run()
    assert not app.exception
    assert metrics(app)["Conv2D"] == "impossible"
    messages = " ".join(error.value for error in app.error)
    assert "does not fit" in messages and 'padding="same"' in messages


def test_output_padding_not_below_stride_is_explained():
    app = render(ARITHMETIC_PAGE)
    app.selectbox(key="convarith_output_padding").set_value(2).run()
    assert not app.exception
    assert any("smaller than the stride" in error.value for error in app.error)


def test_uneven_stride_warns_about_dropped_rows():
    app = render(ARITHMETIC_PAGE)
    app.selectbox(key="convarith_padding_mode").set_value("valid").run()
    app.number_input(key="convarith_input_h").set_value(6).run()
    warnings = [warning.value for warning in app.warning if "does not tile" in warning.value]
    assert warnings == ["The stride does not tile the input evenly: the last row of the input itself is "
                        "never covered by the kernel and is dropped. Change the input, padding or stride "
                        "so that (input + 2·padding − kernel span) is a multiple of the stride."]


def test_an_uncovered_padding_row_is_not_a_dropped_pixel():
    """The usual stem (224, kernel 3, stride 2, padding 1) leaves one padded row uncovered: padding."""
    app = render(ARITHMETIC_PAGE)
    for key in ("convarith_input_h", "convarith_input_w"):
        app.number_input(key=key).set_value(224).run()
    assert not [w.value for w in app.warning if "does not tile" in w.value]


def test_keras_dilation_and_stride_warning():
    app = render(ARITHMETIC_PAGE)
    app.number_input(key="convarith_dilation").set_value(2).run()
    assert any("dilation_rate > 1" in warning.value for warning in app.warning)
    assert metrics(app)["Conv2D"] == "3×3×16"


def test_step_slider_moves_the_highlighted_cell():
    app = render(ARITHMETIC_PAGE)
    assert any("**(0, 0)**" in markdown.value for markdown in app.markdown)
    app.slider(key="convarith_step").set_value(6).run()
    assert any("**(1, 1)**" in markdown.value for markdown in app.markdown)


def test_stack_calculator_table():
    app = render(ARITHMETIC_PAGE)
    app.number_input(key="convarith_input_h").set_value(32)
    app.number_input(key="convarith_input_w").set_value(32).run()
    table = next(frame.value for frame in app.dataframe if "receptive field (px)" in frame.value.columns)
    assert table["height"].tolist() == [32, 32, 16, 16, 8, 16]
    assert table["receptive field (px)"].tolist()[:5] == [1, 3, 4, 8, 10]


# --- Padding, stride & kernels ------------------------------------------------------------


def test_kernels_page_renders_the_course_example():
    app = render(KERNELS_PAGE)
    assert metrics(app) == {"Output[0, 0]": "114"}
    assert [chart.proto.id.rsplit("-", 1)[-1] for chart in app.get("plotly_chart")] == [
        "kernels_step_fig", "kernels_preset_fig"]
    assert len(app.get("image")) >= 10  # padding, stride, pooling and kernel pictures


def step_figure(app: AppTest) -> dict:
    chart = next(chart for chart in app.get("plotly_chart") if chart.proto.id.endswith("kernels_step_fig"))
    return json.loads(chart.proto.spec)


def panel_traces(figure: dict, panel: int) -> list[dict]:
    axis = "x" if panel == 1 else f"x{panel}"
    return [trace for trace in figure["data"] if trace.get("xaxis", "x") == axis]


def array(value) -> np.ndarray:
    """A figure's array: plotly writes numeric ones as base64 ({"dtype", "bdata", "shape"})."""
    if isinstance(value, dict):
        flat = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        return flat.reshape([int(n) for n in str(value.get("shape", flat.size)).split(",")])
    return np.asarray(value, dtype=float)


def written_numbers(text: list[list[str]]) -> list[str]:
    return [cell for row in text for cell in row if cell != ""]


@pytest.mark.parametrize("step", [1, 13, 25])
def test_the_output_grid_has_its_final_shape_from_the_first_step(step):
    """5×5 sharpen example: the output panel is always 5×5, with one more number per step."""
    app = render(KERNELS_PAGE)
    app.slider(key="kernels_step").set_value(step).run()
    figure = step_figure(app)
    output = panel_traces(figure, 4)
    assert [array(trace["z"]).shape for trace in output] == [(5, 5)] * (2 if step < 25 else 1)
    assert len(written_numbers(output[-1]["text"])) == step
    assert figure["layout"]["xaxis4"]["range"] == [-0.5, 4.5]
    assert figure["layout"]["yaxis4"]["range"] == [6.5, -0.5]  # fixed: the cells never resize
    row, col = divmod(step - 1, 5)
    box = figure["layout"]["shapes"][-1]  # the cell just computed is outlined
    assert (box["x0"], box["y0"], box["xref"]) == (col - 0.5, row - 0.5, "x4")


def test_the_kernel_is_shown_next_to_the_window():
    app = render(KERNELS_PAGE)
    figure = step_figure(app)
    titles = [annotation["text"] for annotation in figure["layout"]["annotations"]]
    assert titles[1] == "kernel w<br>3×3"
    kernel = panel_traces(figure, 2)
    assert array(kernel[-1]["z"]).tolist() == [[0, -1, 0], [-1, 5, -1], [0, -1, 0]]
    assert written_numbers(kernel[-1]["text"]) == ["0", "-1", "0", "-1", "5", "-1", "0", "-1", "0"]


@pytest.mark.parametrize("step", [1, 2, 13])
def test_the_written_formula_adds_up_to_the_cell(step):
    app = render(KERNELS_PAGE)
    app.slider(key="kernels_step").set_value(step).run()
    formula = next(latex.value for latex in app.latex if "\\sum" in latex.value)
    pairs = re.findall(r"\(?(-?[\d.]+)\)? \\cdot \(?(-?[\d.]+)\)?", formula)
    bias = re.search(r"\\underbrace\{(-?[\d.]+)\}_\{b\}", formula).group(1)
    total = sum(float(w) * float(x) for w, x in pairs) + float(bias)
    assert len(pairs) == 9
    [(label, value)] = metrics(app).items()
    assert f"\\mathbf{{{value}}}" in formula and float(value) == total
    assert label == f"Output[{(step - 1) // 5}, {(step - 1) % 5}]"
    assert f"y_{{{(step - 1) // 5},{(step - 1) % 5}}}" in formula


def test_stride_and_pooling_pictures_are_drawn_at_their_true_sizes(monkeypatch):
    """A 256-px photo and its 128-px stride-2 output: 2:1 on screen, in a box as wide as the picture."""
    import ui.conv

    real, drawn = ui.conv.side_by_side, []

    def recording(pictures, *args, **kwargs):
        drawn.append(([np.shape(picture) for picture in pictures], real(pictures, *args, **kwargs)))
        return drawn[-1][1]

    monkeypatch.setattr(ui.conv, "side_by_side", recording)  # the page imports it at each run
    app = render(KERNELS_PAGE)
    (shapes, (canvas, factor, boxes)), (pool_shapes, (_, _, pool_boxes)) = drawn  # stride tab, pooling tab
    assert shapes == pool_shapes == [(256, 256), (128, 128)] and factor == 1
    assert [box[2:] for box in boxes] == [box[2:] for box in pool_boxes] == [(256, 256), (128, 128)]
    block = app.main.get_by_key("kernels_stride_pictures")
    assert block.proto.width_config.pixel_width == canvas.shape[1] == 256 + 24 + 128  # never stretched
    [image] = block.get("image")
    assert image.captions == ["Left: the input, 256×256 px. Right: the stride (2, 2) output, 128×128 px. "
                              "Drawn pixel for pixel (a narrower page shrinks them alike)."]

    drawn.clear()
    app.slider(key="kernels_stride_rows").set_value(4)
    app.slider(key="kernels_stride_cols").set_value(1).run()
    shapes, (_, _, boxes) = drawn[0]
    assert shapes[1] == (64, 256) and [box[2:] for box in boxes] == [(256, 256), (64, 256)]


def test_stepping_fills_the_next_output_cell():
    app = render(KERNELS_PAGE)
    app.button(key="kernels_next").click().run()
    assert metrics(app) == {"Output[0, 1]": "328"}  # 5·113 − 60 − 56 − 121
    app.selectbox(key="kernels_example").set_value("6×6 binary image, diagonal filter, stride 2").run()
    assert app.slider(key="kernels_step").value == 1
    values = []
    for step in range(1, 5):
        app.slider(key="kernels_step").set_value(step).run()
        values.append(next(iter(metrics(app).values())))
    assert values == ["3", "-3", "-3", "0"]


def test_max_pooling_example():
    app = render(KERNELS_PAGE)
    app.selectbox(key="kernels_example").set_value("4×4 max pooling, 2×2, stride 2").run()
    values = []
    for step in range(1, 5):
        app.slider(key="kernels_step").set_value(step).run()
        values.append(next(iter(metrics(app).values())))
    assert values == ["4", "5", "3", "4"]
    assert any(latex.value.strip("$\n") == r"y_{1,1} = \max(1, 3, 0, 4) = \mathbf{4}" for latex in app.latex)
    figure = step_figure(app)
    assert [annotation["text"] for annotation in figure["layout"]["annotations"]] == [
        "input x<br>4×4", "window<br>→ max", "output y<br>2×2, stride 2"]


def test_uploading_a_large_photo_downscales_and_says_so():
    app = render(KERNELS_PAGE)
    app.file_uploader(key="kernels_upload").set_value(("holiday.png", solid_image(1200, 800), "image/png")).run()
    assert not app.exception and not app.error
    assert any("downscaled to 512×341" in info.value for info in app.info)
    assert any("downscaled from 1200×800 to 512×341" in caption.value for caption in app.caption)


def test_corrupt_upload_is_refused_cleanly():
    app = render(KERNELS_PAGE)
    app.file_uploader(key="kernels_upload").set_value(("photo.jpg", b"\xff\xd8\xff" + b"\x00" * 50, "image/jpeg")).run()
    assert not app.exception
    assert [error.value for error in app.error] == [
        "This JPEG file is damaged and could not be opened; please export it again or try another file."
    ]
    assert any("built-in sample" in caption.value for caption in app.caption)


def test_custom_kernel_and_display_modes():
    app = render(KERNELS_PAGE)
    app.selectbox(key="kernels_preset").set_value("custom").run()
    assert not app.exception
    for method in ["abs", "minmax", "clip"]:
        app.radio(key="kernels_display").set_value(method).run()
        assert not app.exception
    app.radio(key="kernels_custom_size").set_value(5).run()
    assert not app.exception and not app.error


RENDER_IN_FRESH_PROCESS = """
import json, sys, time
sys.path.insert(0, {root!r})
from streamlit.testing.v1 import AppTest
started = time.perf_counter()
app = AppTest.from_file({page!r}, default_timeout=60).run()
print(json.dumps({{"seconds": time.perf_counter() - started, "exceptions": len(app.exception),
                   "tensorflow": "tensorflow" in sys.modules, "keras": "keras" in sys.modules}}))
"""


@pytest.mark.parametrize("page", [ARITHMETIC_PAGE, KERNELS_PAGE], ids=["conv-arithmetic", "kernels"])
def test_pages_do_not_import_tensorflow(page):
    code = RENDER_IN_FRESH_PROCESS.format(root=str(ROOT), page=page)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["exceptions"] == 0
    assert report["tensorflow"] is False and report["keras"] is False


def test_play_advances_the_walkthrough():
    app = render(KERNELS_PAGE)
    app.toggle(key="kernels_play").set_value(True).run()
    assert not app.exception
    assert list(metrics(app)) == ["Output[0, 1]"]  # each (timed) rerun of the fragment moves one step


def test_each_layer_explains_its_own_impossible_setting_and_names_its_axes():
    app = render(ARITHMETIC_PAGE)
    for key in ("convarith_kernel_h", "convarith_kernel_w"):
        app.number_input(key=key).set_value(12).run()
    errors = [shown(error.value) for error in app.error]
    assert any(e.startswith("**Conv2D:** The kernel does not fit") for e in errors)
    assert any(e.startswith("**Max / Avg pooling:** The pooling window does not fit") for e in errors)
    app = render(ARITHMETIC_PAGE)
    formulas = [latex.value.strip("$\n") for latex in app.latex]
    assert any(f.startswith(r"\text{height: }H_o") for f in formulas)
    assert any(f.startswith(r"\text{width: }W_o") for f in formulas)
    assert not any(f.startswith(r"\text{height: }W_o") for f in formulas)
