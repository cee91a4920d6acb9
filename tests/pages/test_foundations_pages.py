"""AppTest of the Perceptron & MLP page: the perceptron walkthrough, the playground with good and
malformed CSVs, the activations and the vanishing-gradient measurement, the losses."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest
from tiny_settings import TINY_PLAYGROUND, TINY_VANISHING

from conftest import _SESSION_CACHE, ROOT

PAGE = "app_pages/perceptron_mlp.py"


def _train(topic: str, params: dict, data: str | None = None):
    from dl_core.engine.cache import ModelCache
    from dl_core.engine.runner import resolve, train_or_load

    entry, _ = train_or_load(resolve(topic, params, data=data), ModelCache(_SESSION_CACHE))
    return entry


@pytest.fixture(scope="module")
def tiny_playground():
    return _train("playground", TINY_PLAYGROUND)


@pytest.fixture(scope="module")
def tiny_vanishing():
    return _train("vanishing", TINY_VANISHING)


def open_page(params: dict | None = None) -> AppTest:
    """The page script itself (AppTest's switch_page finds a page only when its URL path is its
    file name, and this page's is perceptron-mlp), with `params` in the URL."""
    at = AppTest.from_file(str(ROOT / PAGE), default_timeout=60)
    for name, value in (params or {}).items():
        at.query_params[name] = str(value)
    return at.run()


def markdown_text(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_perceptron_steps_and_runs_to_the_end():
    at = open_page()
    assert not at.exception and not at.error
    assert at.slider(key="mlp_perc_step").value == 0
    assert "**Start:**" in markdown_text(at)
    at.button(key="mlp_perc_next").click().run()
    assert not at.exception
    assert at.slider(key="mlp_perc_step").value == 1
    assert "**Epoch 1, sample 1**" in markdown_text(at)
    at.button(key="mlp_perc_end").click().run()
    assert any("the line separates every point" in s.value for s in at.success)


def test_perceptron_on_xor_never_converges_and_says_why():
    at = open_page()
    at.radio(key="mlp_perc_set").set_value("XOR").run()
    at.button(key="mlp_perc_end").click().run()
    assert not at.exception
    assert any("No line puts these classes on two sides" in w.value for w in at.warning)


def test_perceptron_rejects_a_csv_with_three_labels():
    at = open_page()
    at.radio(key="mlp_perc_set").set_value("Your own CSV").run()
    raw = b"x1,x2,label\n0,0,a\n1,1,b\n2,0,c\n"
    at.file_uploader(key="mlp_perc_upload").set_value(("three.csv", raw, "text/csv")).run()
    assert not at.exception
    assert any("this CSV has 3 labels" in e.value for e in at.error)


def test_untrained_playground_setting_invites_training():
    at = open_page(dict(TINY_PLAYGROUND, units=5))
    assert not at.exception
    assert any("has not been trained yet" in i.value for i in at.info)


def test_cached_playground_shows_surface_neurons_network_and_confusion(tiny_playground):
    at = open_page(TINY_PLAYGROUND)
    assert not at.exception and not at.error
    labels = {m.label for m in at.metric}
    assert {"Test accuracy", "Train accuracy", "Test loss", "Train loss"} <= labels
    assert at.slider(key="mlp_epoch").value == TINY_PLAYGROUND["epochs"]
    at.slider(key="mlp_epoch").set_value(0).run()
    assert not at.exception
    keys = {chart.proto.id for chart in at.get("plotly_chart")}
    assert len(keys) >= 5  # surface, loss, accuracy, neurons, network, confusion, …
    assert any(s.value == "What every neuron computes" for s in at.subheader)


@pytest.mark.parametrize("name,raw,message", [
    ("wrong columns", b"a,b,c\n1,2,x\n", "x1"),
    ("one class", b"x1,x2,label\n0,0,a\n1,1,a\n2,2,a\n", "only one class"),
    ("text in numbers", b"x1,x2,label\n0,0,a\nzero,1,b\n", "row"),
    ("too many rows", b"x1,x2,label\n" + b"0.5,0.5,a\n1,1,b\n" * 100_000, "50"),
    ("binary junk", bytes(range(256)) * 8, ""),
])
def test_playground_answers_a_malformed_csv_in_one_line(name, raw, message):
    at = open_page()
    at.radio(key="mlp_data_choice").set_value("Your own CSV").run()
    at.file_uploader(key="mlp_upload").set_value((f"{name}.csv", raw, "text/csv")).run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert errors and "This CSV cannot be used" in errors[0] and message in errors[0]
    assert "\n" not in errors[0] and "/tmp" not in errors[0]


def test_playground_takes_a_good_csv():
    at = open_page(TINY_PLAYGROUND)
    at.radio(key="mlp_data_choice").set_value("Your own CSV").run()
    raw = b"x1,x2,label\n" + b"".join(f"{i % 7},{i % 5},{'ab'[i % 2]}\n".encode() for i in range(60))
    at.file_uploader(key="mlp_upload").set_value(("mine.csv", raw, "text/csv")).run()
    assert not at.exception and not at.error
    assert any("has not been trained yet" in i.value for i in at.info)


def test_activation_reads_off_g_and_its_derivative(tiny_vanishing):
    at = open_page({f"vg_{k}": v for k, v in TINY_VANISHING.items()})
    assert not at.exception
    at.selectbox(key="mlp_curve_activation").set_value("sigmoid").run()
    at.slider(key="mlp_curve_z").set_value(0.0).run()
    values = {m.label: m.value for m in at.metric}
    assert values["g(0)"] == "0.5000" and values["g′(0)"] == "0.2500"


def test_vanishing_measurement_is_shown_when_cached(tiny_vanishing):
    at = open_page({f"vg_{k}": v for k, v in TINY_VANISHING.items()})
    assert not at.exception and not at.error
    labels = {m.label for m in at.metric}
    assert "First ÷ last layer, at initialisation" in labels


def test_losses_offer_to_train_both_losses():
    at = open_page(dict(TINY_PLAYGROUND, units=3))
    assert not at.exception
    assert any(b.label == "Train with both losses" for b in at.button)
