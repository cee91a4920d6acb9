"""AppTest of the Gradient descent page: the surface at once, a path trained and drawn, pinned
paths, a click that moves the start, the learning-rate demo, the backpropagation check."""

from __future__ import annotations

import base64
import json

import pytest
from streamlit.testing.v1 import AppTest

from conftest import _SESSION_CACHE, ROOT

PAGE = ROOT / "app_pages" / "gradient_descent.py"
TINY_PATH = {"steps": 20}


def _train(topic: str, params: dict):
    from dl_core.engine.cache import ModelCache
    from dl_core.engine.runner import resolve, train_or_load

    entry, _ = train_or_load(resolve(topic, params), ModelCache(_SESSION_CACHE))
    return entry


@pytest.fixture(scope="module")
def tiny_path():
    return _train("descent", TINY_PATH)


@pytest.fixture(scope="module")
def default_backprop():
    return _train("backprop", {})


def open_page(params: dict | None = None) -> AppTest:
    """The script itself: AppTest's switch_page needs a page's URL path to be its file name."""
    at = AppTest.from_file(str(PAGE), default_timeout=60)
    for name, value in (params or {}).items():
        at.query_params[name] = str(value)
    return at.run()


def figures(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def traces_named(at: AppTest, name: str) -> list[dict]:
    return [trace for figure in figures(at) for trace in figure["data"] if trace.get("name") == name]


def points(trace: dict) -> int:
    """How many points a trace has (plotly sends numpy arrays as base64 float64)."""
    x = trace["x"]
    return len(x) if isinstance(x, list) else len(base64.b64decode(x["bdata"])) // 8


def test_surface_and_minimum_are_drawn_before_any_training(default_backprop):
    at = open_page({"steps": 7})
    assert not at.exception and not at.error
    assert any("has not been trained yet" in i.value for i in at.info)
    contours = [t for f in figures(at) for t in f["data"] if t["type"] == "contour"]
    assert contours and contours[0]["z"]["shape"] == "200, 200"  # numpy arrays travel as binary
    assert traces_named(at, "minimum")


def test_a_trained_path_is_drawn_and_can_be_pinned(tiny_path, default_backprop):
    at = open_page(TINY_PATH)
    assert not at.exception and not at.error
    label = "SGD, η = 0.1, full batch"
    drawn = traces_named(at, label)
    assert drawn and points(drawn[0]) == 21  # the start and 20 steps
    assert at.slider(key="descent_paths_upto").value == 20
    at.slider(key="descent_paths_upto").set_value(5).run()
    assert points(traces_named(at, label)[0]) == 6
    assert any("keras.optimizers.SGD" in m.value for m in at.markdown)
    at.button(key="descent_paths_pin").click().run()
    assert not at.exception
    assert any(b.key == "descent_paths_unpin" for b in at.button)


def test_the_start_point_moves_with_its_sliders(tiny_path, default_backprop):
    at = open_page(TINY_PATH)
    sliders = [s for s in at.slider if s.label == "start w₁"]
    sliders[0].set_value(2.0).run()
    assert not at.exception
    assert any("Start point: (2.00" in e.label for e in at.expander)
    assert any("has not been trained yet" in i.value for i in at.info)  # a new start, a new path


def test_backpropagation_by_hand_matches_keras(default_backprop):
    at = open_page()
    assert not at.exception
    assert any("the chain rule by hand and automatic differentiation agree" in s.value
               for s in at.success)
    assert default_backprop.metrics["max_abs_difference"] <= 1e-6


def test_rate_and_nonconvex_tabs_offer_their_runs(default_backprop):
    at = open_page()
    labels = {b.label for b in at.button}
    assert {"Run the three learning rates", "Run the three schedules", "Run from four starts",
            "Run SGD and momentum"} <= labels
    assert any("2/\\lambda_{\\max} = " in m.value for m in at.markdown)
    kinds = at.table[0].value["point"].tolist() if at.table else []
    assert "saddle" in kinds or any("saddle" in str(t.value) for t in at.table)
