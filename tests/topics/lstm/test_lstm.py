"""Sequences topic: CSV parsing, leak-free windows, baselines, gates vs Keras, tiny trainings."""

import json
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest

from dl_core.data import stocks, ticker
from dl_core.engine.cache import ModelCache
from dl_core.engine.runner import resolve, train_or_load
from dl_core.topics import lstm as topic
from dl_core.topics.lstm import forecasting as fc

from conftest import _SESSION_CACHE
from lstm_fixtures import TINY, TINY_MEMORY

GOOD_CSV = "Date,Open,Close,Volume\n" + "".join(
    f"2020-01-{d:02d},{100 + d},{101 + d},\"1,000\"\n" for d in range(1, 29))


def table(text: str):
    return stocks.read_table(text.encode())


# -- CSV parsing ---------------------------------------------------------------------------
def test_yahoo_and_google_course_files_parse(shared_data):
    folder = shared_data / "stocks"
    aapl = stocks.load_csv(folder / "AAPL.csv")
    assert aapl.name.endswith("Adj Close") and len(aapl.values) > 3000
    assert aapl.dates[0] == np.datetime64("2000-02-01") and np.all(np.diff(aapl.dates).astype(int) > 0)
    google = stocks.load_csv(folder / "Google_Stock_Price_Train.csv", value_column="Volume")
    assert google.dates[0] == np.datetime64("2012-01-03")  # M/D/YYYY
    assert google.values[0] == 7_380_500  # quoted thousands separators
    assert "2-for-1 split" in stocks.load_csv(folder / "Google_Stock_Price_Train.csv").note


def test_good_csv_picks_columns_and_reverses_newest_first():
    t = table(GOOD_CSV)
    assert stocks.date_columns(t) == ["Date"] and stocks.numeric_columns(t)[0] == "Close"
    dates, values, column, note = stocks.parse_series(t)
    assert column == "Close" and values[0] == 102 and note == ""
    lines = GOOD_CSV.strip().split("\n")
    reversed_csv = "\n".join([lines[0]] + lines[:0:-1])
    dates2, values2, _, note2 = stocks.parse_series(table(reversed_csv))
    assert np.array_equal(values, values2) and "reversed" in note2


@pytest.mark.parametrize("text,column,message", [
    ("Date,Open\n2020-01-01,1\n", "Close", "column 'Close' is not in the CSV"),
    ("Day,Close\nmonday,1\ntuesday,2\n", "auto", "no date column found"),
    ("Date,Close\n2020-01-01,1.5\n2020-01-02,abc\n", "Close", "has text where numbers are expected"),
    ("Date,Close\n2020-01-01,1.5\n2020-01-02,\n2020-01-03,NaN\n", "Close", "2 missing value"),
    ("Date,Close\n2020-01-01,1\n2020-01-02,2\n2020-01-02,3\n", "Close", "appears more than once"),
    ("Date,Close\n2020-01-01,1\n2020-01-03,2\n2020-01-02,3\n", "Close", "not in ascending order"),
    ("Date,Name\n2020-01-01,x\n2020-01-02,y\n", "auto", "no numeric column found"),
    ("Date,Close\n2020-01-01,1\n20xx-01-02,2\n", "Close", "does not hold dates"),
])
def test_malformed_csv_messages(text, column, message):
    with pytest.raises(ValueError, match=message):
        stocks.parse_series(table(text), value_column=column)


@pytest.mark.parametrize("raw,message", [(b"", "the CSV is empty"), (b"\xff\xfe\x00\x01", "not a text CSV"),
                                         (b"just one column\n1\n2\n", "could not be told apart")])
def test_unreadable_files(raw, message):
    with pytest.raises(ValueError, match=message):
        stocks.read_table(raw)


def test_too_few_rows_for_the_window():
    prices = np.linspace(10, 20, 40)
    with pytest.raises(ValueError, match="too few rows for window=30 and horizon=1: the series has 40"):
        fc.prepare(prices, "price", 30, 1)
    with pytest.raises(ValueError, match="strictly positive"):
        fc.prepare(np.r_[prices, -1.0], "log_return", 5, 1)


# -- windows, splits, scaling --------------------------------------------------------------
@pytest.mark.parametrize("target", fc.TARGETS)
@pytest.mark.parametrize("horizon", [1, 4])
def test_no_test_or_validation_value_reaches_training(target, horizon):
    prices = np.exp(np.random.default_rng(0).normal(0, 0.01, 300).cumsum()) * 50
    prepared = fc.prepare(prices, target, 10, horizon)
    a, b = prepared.bounds
    assert (a, b) == (210, 255)
    train, val, test = (prepared.anchors[s] for s in fc.SPLITS)
    assert train.max() + horizon < a and val.min() + 1 >= a and val.max() + horizon < b
    assert test.min() + 1 >= b and test.max() + horizon == len(prices) - 1
    # Poison everything from day a on: nothing the model is fit on may change.
    poisoned = prices.copy()
    poisoned[a:] *= 1000
    other = fc.prepare(poisoned, target, 10, horizon)
    assert (other.mean, other.std) == (prepared.mean, prepared.std)
    assert np.array_equal(other.inputs("train"), prepared.inputs("train"))
    assert np.array_equal(other.targets("train"), prepared.targets("train"))
    # ...and the scaler is exactly the training days' statistics.
    fit_days = fc.modelled_series(prices, target)[(1 if target == "log_return" else 0):a]
    assert prepared.mean == pytest.approx(fit_days.mean()) and prepared.std == pytest.approx(fit_days.std())


def test_windows_and_price_reconstruction_round_trip():
    prices = np.array([10.0, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21] * 5) + np.arange(60)
    for target in fc.TARGETS:
        prepared = fc.prepare(prices, target, 4, 3)
        anchors = prepared.anchors["test"]
        back = prepared.to_prices(anchors, prepared.targets("test"))
        assert np.allclose(back, fc.truth(prices, anchors, 3))  # perfect targets → exact prices
        assert prepared.inputs("test").shape == (len(anchors), 4, 1)


def test_baselines_and_scores_on_hand_made_series():
    prices = np.array([1.0, 2, 4, 3, 5, 6])
    anchors = np.array([2, 3, 4])
    assert np.array_equal(fc.persistence(prices, anchors, 2), [[4, 4], [3, 3], [5, 5]])
    assert np.allclose(fc.moving_average(prices, anchors, 1, 2)[:, 0], [3, 3.5, 4])
    assert np.allclose(fc.moving_average(prices, np.array([0, 1]), 1, 3)[:, 0], [1, 1.5])  # short start
    actual = fc.truth(prices, anchors, 1)
    assert np.array_equal(actual[:, 0], [3, 5, 6])
    s = fc.scores(fc.persistence(prices, anchors, 1), actual, prices[anchors])
    assert s["rmse"] == pytest.approx(np.sqrt((1 + 4 + 1) / 3)) and s["mae"] == pytest.approx(4 / 3)
    assert s["mape"] == pytest.approx(100 * (1 / 3 + 2 / 5 + 1 / 6) / 3)
    assert s["direction_accuracy"] == pytest.approx(2 / 3)  # "no change" counts as up: down, up, up
    perfect = fc.scores(actual, actual, prices[anchors])
    assert perfect["rmse"] == 0 and perfect["direction_accuracy"] == 1


def test_recursive_forecast_feeds_predictions_back():
    prices = np.arange(1.0, 41.0)
    prepared = fc.prepare(prices, "price", 3, 1)
    seen = []

    def predict(window):  # "next = last + one day's step", in scaled units
        seen.append(window[0, :, 0].copy())
        return window[:, -1:, 0] + 1 / prepared.std

    path = fc.recursive_forecast(predict, prepared, 20, 5)
    assert np.allclose(path, prices[21:26])
    assert np.allclose(seen[1][-1], seen[0][-1] + 1 / prepared.std)  # its own output came back in


# -- gates ---------------------------------------------------------------------------------
@pytest.mark.parametrize("num_layers", [1, 2])
def test_recomputed_gates_match_keras(num_layers):
    import keras

    from dl_core.models.recurrent import build_forecaster
    from dl_core.topics.lstm.gates import layer_weights, lstm_gates

    keras.utils.set_random_seed(3)
    model = build_forecaster("lstm", window=12, num_layers=num_layers, units=6)
    layer = model.get_layer("lstm_1")
    bias = layer.get_weights()[2]
    layer.set_weights(layer.get_weights()[:2] + [bias + np.linspace(-1, 1, bias.size)])  # non-trivial b
    x = np.random.default_rng(1).standard_normal((1, 12, 1)).astype("float32")
    ours = lstm_gates(x[0], *layer_weights(layer))
    theirs = keras.ops.convert_to_numpy(keras.Model(model.input, layer.output)(x))[0]
    expected = theirs if num_layers == 2 else theirs[None, :]  # return_sequences only when stacked
    got = ours["hidden"] if num_layers == 2 else ours["hidden"][-1:]
    assert np.allclose(got, expected, atol=1e-5)
    assert set(ours) >= {"forget", "input", "output", "cell", "hidden"}
    assert ours["forget"].min() > 0 and ours["forget"].max() < 1


# -- ticker --------------------------------------------------------------------------------
def test_ticker_fails_fast_offline():
    with pytest.raises(ticker.TickerError, match="offline"):
        ticker.fetch_ticker_csv("AAPL")
    with pytest.raises(ticker.TickerError, match="does not look like a ticker"):
        ticker.fetch_ticker_csv("not a ticker!")


def test_ticker_download_from_a_local_server(tmp_path, monkeypatch):
    monkeypatch.delenv("DL_LAB_OFFLINE")
    day = 86400
    chart = {"chart": {"result": [{"timestamp": [1577923200 + i * day for i in range(40)],
                                   "indicators": {"quote": [{"open": [1.0 + i for i in range(40)],
                                                             "high": [2.0 + i for i in range(40)],
                                                             "low": [0.5 + i for i in range(40)],
                                                             "close": [1.5 + i for i in range(39)] + [None],
                                                             "volume": [100] * 40}],
                                                  "adjclose": [{"adjclose": [1.4 + i for i in range(40)]}]}}]}}
    folder = tmp_path / "v8" / "finance" / "chart"
    folder.mkdir(parents=True)
    (folder / "TEST").write_text(json.dumps(chart))
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(SimpleHTTPRequestHandler, directory=str(tmp_path)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        raw = ticker.fetch_ticker_csv("test", 5, base=base)
        with pytest.raises(ticker.TickerError, match="answered 404"):
            ticker.fetch_ticker_csv("MISSING", 5, base=base)
    finally:
        server.shutdown()
    dates, values, column, _ = stocks.parse_series(stocks.read_table(raw))
    assert column == "Adj Close" and len(values) == 39 and values[0] == pytest.approx(1.4)
    assert str(dates[0]) == "2020-01-02"


# -- tiny trainings ------------------------------------------------------------------------
def test_tiny_training_on_builtin_series_and_reload(tmp_path):
    entry, hit = train_or_load(resolve("lstm", dict(TINY, source="GOOG")), ModelCache(tmp_path))
    assert not hit and entry.meta["dataset"]["source"] == "builtin"
    m = entry.metrics
    assert {"val_rmse", "test_rmse", "baseline_rmse", "direction_accuracy"} <= set(m)
    assert m["rmse_ratio"] == pytest.approx(m["test_rmse"] / m["baseline_rmse"])
    assert 0 <= m["direction_accuracy"] <= 1 and len(entry.previews()) == len(entry.history["loss"]) + 1
    artifacts = entry.artifacts()
    assert len(artifacts["future"]) == topic.FUTURE_STEPS and artifacts["dates"].dtype.kind == "M"
    gates = topic.gate_activations(entry.model_path, artifacts["gate_windows"][-1], "lstm_1")
    assert gates["hidden"].shape == (TINY["window"], TINY["units"])
    from dl_core.inference import load_shared  # the saved model loads back and predicts

    out = load_shared(entry.model_path)(artifacts["gate_windows"][:2])
    assert out.shape == (2, 1)


def test_tiny_training_on_real_format_csv_hashes_the_content(shared_data, tmp_path):
    source = shared_data / "stocks" / "Google_Stock_Price_Train.csv"
    copy = tmp_path / "renamed.csv"
    copy.write_bytes(source.read_bytes())
    params = dict(TINY, cell="gru", horizon=3, target="price", value_column="Open")
    first = resolve("lstm", params, data=str(source))
    assert resolve("lstm", params, data=str(copy)).key == first.key  # same bytes, same key
    edited = tmp_path / "edited.csv"
    edited.write_bytes(source.read_bytes().replace(b"325.25", b"325.26"))
    assert resolve("lstm", params, data=str(edited)).key != first.key
    entry, _ = train_or_load(first, ModelCache(tmp_path / "cache"))
    assert entry.meta["dataset"]["source"] == "upload" and "Open" in entry.meta["dataset"]["name"]
    assert entry.artifacts()["test_forecast"].shape[1] == 3
    assert entry.metrics["baseline_rmse"] > 0


def test_memory_task_data_and_tiny_run():
    from dl_core.topics.lstm.memory_task import accuracy_per_lag, decay_per_step, recall_data

    x, y, k = recall_data(60, [1, 4], seed=0)
    assert x.shape == (60, 9, 2) and np.all(x[..., 1].sum(axis=1) == 1)
    assert np.array_equal(np.bincount(k), [0, 30, 0, 0, 30])  # the lags take turns
    assert np.array_equal(y[:, 0], x[np.arange(60), 8 - k, 0])  # the marked value x_{T−k}
    assert np.array_equal(x[np.arange(60), 8 - k, 1], np.ones(60))  # ...is the marked one
    assert np.allclose(accuracy_per_lag(y, y, k, [1, 4]), 1.0)
    assert np.allclose(accuracy_per_lag(y + 0.5, y, k, [1, 4]), 0.0)
    entry, _ = train_or_load(resolve("lstm_memory", TINY_MEMORY), ModelCache(_SESSION_CACHE))
    artifacts, metrics = entry.artifacts(), entry.metrics
    assert list(artifacts["lags"]) == [1, 2, 3, 4, 5]
    for cell in ("simple_rnn", "lstm"):
        for stage in ("init", "trained"):
            curve = artifacts[f"{cell}_grad_{stage}"]
            assert curve.shape == (10,)  # one norm per lag k = 0 … T−1
            assert np.all(np.isfinite(curve)) and np.all(curve > 0)
            assert metrics[f"{cell}_grad_decay_{stage}"] == pytest.approx(decay_per_step(curve))
    # Untrained, both shrink with k (index 0 is the last input): the vanishing gradient.
    for cell in ("simple_rnn", "lstm"):
        assert artifacts[f"{cell}_grad_init"][-1] < artifacts[f"{cell}_grad_init"][0]
        assert metrics[f"{cell}_grad_decay_init"] < 1


def test_gradient_by_lag_indexes_the_input_k_steps_back():
    """A model that outputs exactly x_{T−j}'s value: only lag j gets a gradient, of size |2(ŷ − y)|."""
    import keras

    from dl_core.topics.lstm.memory_task import gradient_by_lag

    length, j = 6, 2
    inputs = keras.Input(shape=(length, 2))
    picked = keras.layers.Lambda(lambda t: t[:, length - 1 - j, :1])(inputs)
    model = keras.Model(inputs, picked)
    x = np.random.default_rng(0).uniform(-1, 1, (8, length, 2)).astype("float32")
    y = np.zeros((8, 1), "float32")
    curve = gradient_by_lag(model, x, y)
    expected = np.zeros(length)
    expected[j] = np.mean(np.abs(2 * x[:, length - 1 - j, 0]))  # ∂(ŷ − y)²/∂x = 2(ŷ − y)
    assert np.allclose(curve, expected, atol=1e-6)


def test_decay_per_step_is_the_geometric_factor():
    from dl_core.topics.lstm.memory_task import decay_per_step

    k = np.arange(30)
    assert decay_per_step(3.0 * 0.8 ** k) == pytest.approx(0.8)
    assert decay_per_step(np.full(30, 0.01)) == pytest.approx(1.0)  # the level does not matter
    noisy = 0.5 * 0.9 ** k * np.exp(np.random.default_rng(0).normal(0, 0.2, 30))
    assert decay_per_step(noisy) == pytest.approx(0.9, abs=0.01)
    for bad in (np.zeros(5), np.array([1.0]), np.array([1.0, np.nan])):
        with pytest.raises(ValueError, match="finite, positive"):
            decay_per_step(bad)
