"""AppTest of the Sequences page: built-in data, a good CSV, bad CSVs, the gates and memory tabs."""

import base64
import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from dl_core.data import stocks
from dl_core.engine.cache import ModelCache
from dl_core.engine.runner import resolve, train_or_load
from dl_core.uploads import store_upload

from apptest_helpers import open_app_page
from conftest import _SESSION_CACHE
from lstm_fixtures import TINY, TINY_MEMORY, european_csv, split_csv, yahoo_csv

PAGE = "app_pages/lstm.py"
COLUMNS = {"date_column": "Date", "value_column": "Adj Close"}


@pytest.fixture(scope="module")
def trained_csv():
    """A tiny model on the generated CSV, trained into the session cache the AppTest reads."""
    raw = yahoo_csv()
    path = store_upload(raw, ".csv")
    entry, _ = train_or_load(resolve("lstm", dict(TINY, **COLUMNS), data=str(path)),
                             ModelCache(_SESSION_CACHE))
    return raw, entry


def plotted(values) -> np.ndarray:
    """A plotly JSON array: a list, or numpy's bytes as plotly encodes them ({"dtype", "bdata"})."""
    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"])
    return np.asarray(values)


def open_page(params: dict) -> AppTest:
    return open_app_page(PAGE, params, timeout=60)


def upload(at: AppTest, name: str, raw: bytes) -> AppTest:
    at.radio(key="lstm_data_choice").set_value("Upload a CSV").run()
    at.file_uploader(key="lstm_upload").set_value((name, raw, "text/csv"))
    return at.run()


def test_builtin_untrained_invites_training_and_names_its_data():
    at = open_page(dict(TINY, units=5))
    assert not at.exception and not at.error
    assert any("has not been trained yet" in i.value for i in at.info)
    assert at.selectbox(key="lstm_source").value == "synthetic"
    assert at.slider(key="lstm_units").value == 5  # the link filled the form
    assert any("Train SimpleRNN and LSTM" in b.label for b in at.button)  # the memory tab's form


def test_good_csv_shows_the_cached_result(trained_csv):
    raw, entry = trained_csv
    at = upload(open_page(TINY), "prices.csv", raw)
    assert not at.exception and not at.error
    assert "lstm_source" not in [s.key for s in at.selectbox]  # no built-in series beside your CSV
    assert at.selectbox(key="lstm_value_column").value == "Adj Close"
    labels = [m.label for m in at.metric]
    assert {"Test RMSE (model)", "Test RMSE (persistence)", "Direction accuracy"} <= set(labels)
    text = " ".join(m.value for m in at.markdown)
    assert "The lag trap" in text
    verdicts = [w.value for w in at.warning] + [s.value for s in at.success]
    assert any("persistence" in v for v in verdicts)  # says plainly whether it beats persistence
    assert any("your CSV" in c.value for c in at.caption)  # dataset note names the data
    gate_window = at.select_slider(key="lstm_gate_window")
    assert gate_window.value == len(entry.artifacts()["gate_windows"]) - 1
    assert len(at.table) == 1


@pytest.mark.parametrize("raw,message", [
    (b"Date,Close\n2021-01-04,10\n2021-01-05,abc\n2021-01-06,11\n", "has text where numbers are expected"),
    (b"Date,Close\n2021-01-04,10\n2021-01-04,11\n2021-01-06,12\n", "appears more than once"),
    (b"\x00\xff\xfebinary", "not a text CSV"),
    (b"Date,Close\n" + b"".join(b"2021-01-%02d,%d\n" % (d, d) for d in range(1, 21)), "too few rows"),
])
def test_bad_csv_shows_a_clear_error(raw, message):
    at = upload(open_page(TINY), "bad.csv", raw)
    assert not at.exception
    assert any(message in e.value for e in at.error), [e.value for e in at.error]
    # Only the memory tab (its own topic) invites training; the forecaster is not offered.
    assert sum("has not been trained yet" in i.value for i in at.info) == 1


def test_a_european_export_is_read_and_the_page_says_how():
    at = upload(open_page(TINY), "export.csv", european_csv())
    assert not at.exception and not at.error, [e.value for e in at.error]
    captions = [c.value for c in at.caption]
    assert "Read as: separator ';', decimal comma, thousands '.', dates day.month.year" in captions
    assert at.selectbox(key="lstm_date_column").value == "Datum"
    assert "Schluss" in at.selectbox(key="lstm_value_column").options
    assert any("has not been trained yet" in i.value for i in at.info)  # ready to train


def test_ambiguous_dates_are_flagged_before_training():
    rows = [f"01/{m:02d}/2024,{10 + m}.5" for m in range(1, 13)]  # could be 12 days or 12 months
    raw = ("Date,Close\n" + "\n".join(rows) + "\n").encode()
    at = upload(open_page(TINY), "short.csv", raw)
    assert not at.exception
    assert any("assumed: no day above 12" in w.value for w in at.warning), [w.value for w in at.warning]


def test_an_unadjusted_split_is_named_before_training_and_can_be_adjusted():
    raw = split_csv()
    adjusted, column = stocks.split_adjusted_csv(stocks.read_table(raw), "Date", "Close")
    params = dict(TINY, date_column="Date", value_column=column)
    train_or_load(resolve("lstm", params, data=str(store_upload(adjusted, ".csv"))), ModelCache(_SESSION_CACHE))

    at = upload(open_page(TINY), "course.csv", raw)
    assert not at.exception and not at.error
    assert at.selectbox(key="lstm_value_column").value == "Close"
    split_day = str(np.busday_offset("2021-01-04", 150, roll="forward"))
    (warning,) = [w.value for w in at.warning if "Before you train: a stock split" in w.value]
    assert "2\\-for\\-1 split" in warning or "2-for-1 split" in warning
    assert split_day in warning and "×0.5" in warning
    box = at.checkbox(key="lstm_split_adjust")
    assert box.value is False and f"multiply every price before {split_day} by 1/2" in box.label
    assert any("has not been trained yet" in i.value for i in at.info)  # nothing trained on the raw Close
    assert not at.metric or "Test RMSE (model)" not in [m.label for m in at.metric]

    box.check().run()  # the adjusted series is another dataset, with the model trained above
    assert not at.exception and not at.error
    assert "Test RMSE (model)" in [m.label for m in at.metric]
    assert any("split" in c.value and "adjusted" in c.value for c in at.caption)  # the dataset note
    assert not any("Before you train" in w.value for w in at.warning)
    assert any("A stock split, adjusted." in i.value for i in at.info)


def test_the_google_course_file_warns_before_training(shared_data):
    raw = (shared_data / "stocks" / "Google_Stock_Price_Train.csv").read_bytes()
    at = upload(open_page(TINY), "Google_Stock_Price_Train.csv", raw)
    assert not at.exception and not at.error
    (warning,) = [w.value for w in at.warning if "Before you train: a stock split" in w.value]
    assert "2014-03-27" in warning and "not adjusted before 2014-03-27" in warning
    assert "by 1/2" in at.checkbox(key="lstm_split_adjust").label


def test_ticker_download_offline_says_so():
    at = open_page(TINY)
    at.radio(key="lstm_data_choice").set_value("Download a ticker").run()
    at.button(key="lstm_ticker_download").click().run()
    assert not at.exception
    assert any("offline" in w.value for w in at.warning)


def test_memory_tab_shows_a_cached_comparison():
    params = TINY_MEMORY
    entry, _ = train_or_load(resolve("lstm_memory", params), ModelCache(_SESSION_CACHE))  # a hit after test_lstm
    at = open_page(params)
    assert not at.exception and not at.error
    labels = [m.label for m in at.metric]
    assert "SimpleRNN accuracy at k = 5" in labels and "LSTM accuracy at k = 5" in labels
    assert at.slider(key="lstm_memory_longest_lag").value == 5
    # The gradient chart: one curve per (cell, stage), x = k = 0 … T−1, log y, fitted factors named.
    chart = next(json.loads(c.proto.spec) for c in at.get("plotly_chart")
                 if "Gradient reaching the input k steps back" in c.proto.spec)
    assert chart["layout"]["yaxis"]["type"] == "log"
    metrics, artifacts = entry.metrics, entry.artifacts()
    for trace in chart["data"]:
        name = trace["name"].split(":")[0]
        cell = "simple_rnn" if name.startswith("SimpleRNN") else "lstm"
        stage = "init" if "untrained" in name else "trained"
        assert list(plotted(trace["x"])) == list(range(10))
        assert np.allclose(plotted(trace["y"]), artifacts[f"{cell}_grad_{stage}"])
        assert f"×{metrics[f'{cell}_grad_decay_{stage}']:.3f} per step" in trace["name"]
    assert len(chart["data"]) == 4
    caption = next(c.value for c in at.caption if c.value.startswith("Plotted:"))
    assert "$k = 0 \\dots 9$" in caption and "mean over 256 validation sequences" in caption
    assert "\\partial x_{T-k}" in caption and "log scale" in caption
    story = next(m.value for m in at.markdown if "Read the slopes, not the heights" in m.value)
    for cell in ("simple_rnn", "lstm"):
        for stage in ("init", "trained"):
            assert f"×{metrics[f'{cell}_grad_decay_{stage}']:.3f}" in story
    assert "forget gates near 1" not in story  # a claim this run did not measure


def test_gradient_story_follows_the_measured_slopes():
    from ui.lstm.memory_tab import gradient_story

    def story(rnn, lstm):
        return gradient_story({"simple_rnn_grad_decay_init": 0.9, "lstm_grad_decay_init": 0.8,
                               "simple_rnn_grad_decay_trained": rnn, "lstm_grad_decay_trained": lstm}, 30)

    assert "The trained LSTM's curve is far flatter" in story(0.96, 1.0)
    assert "the trained SimpleRNN's curve is the flatter one" in story(1.0, 0.96)
    assert "both trained curves are about as flat" in story(0.995, 0.997)
    assert "The untrained LSTM's falls faster" in story(0.96, 1.0)  # 0.8 < 0.9 before training
    assert "4.24%" in story(0.96, 1.0)  # 0.9³⁰ = 4.24 % would reach k = 30


def test_an_untrained_memory_task_names_its_own_button():
    at = open_page(dict(TINY_MEMORY, longest_lag=7))
    assert not at.exception
    infos = [i.value for i in at.info if "has not been trained yet" in i.value]
    assert any("Press **Train SimpleRNN and LSTM**" in i for i in infos), infos
