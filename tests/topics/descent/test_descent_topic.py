"""Gradient descent path: a real Keras optimiser on a real two-weight Keras model, via the engine.

The oracle for the path is Keras itself, applied by hand: the same optimiser class on two plain
keras.Variable scalars, the loss written out as a formula, the same mini-batches drawn here from
their own numpy Generator. The oracles for convergence and divergence are the data's Hessian
(for MSE on ŷ = w₁x + w₂, H = (2/n)·Σ[x, 1][x, 1]ᵀ: full-batch GD is stable iff η < 2/λ_max).
"""

import math

import keras
import numpy as np
import pytest
from tiny_settings import TINY_DESCENT

from dl_core.engine.cache import ModelCache
from dl_core.engine.runner import resolve, train_or_load
from dl_core.foundations import descent
from dl_core.spec import TrainContext
from dl_core.topics import topic_names
from dl_core.topics.descent import OPTIMIZERS, SCHEMA

BATCH = 16
CONSTRUCTORS = {
    "sgd": lambda lr: keras.optimizers.SGD(learning_rate=lr),
    "momentum": lambda lr: keras.optimizers.SGD(learning_rate=lr, momentum=0.9),
    "nesterov": lambda lr: keras.optimizers.SGD(learning_rate=lr, momentum=0.9, nesterov=True),
    "rmsprop": lambda lr: keras.optimizers.RMSprop(learning_rate=lr),
    "adagrad": lambda lr: keras.optimizers.Adagrad(learning_rate=lr),
    "adadelta": lambda lr: keras.optimizers.Adadelta(learning_rate=lr),
    "adam": lambda lr: keras.optimizers.Adam(learning_rate=lr),
}


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return ModelCache(tmp_path_factory.mktemp("descent-cache"))


def run(cache, **params):
    entry, _ = train_or_load(resolve("descent", params), cache)
    return entry


def lambda_max(problem) -> float:
    features = np.stack([problem.x, np.ones_like(problem.x)], axis=1)
    return float(np.linalg.eigvalsh(2.0 * features.T @ features / problem.n)[-1])


def assert_clean(entry):
    artifacts = entry.artifacts()
    k = int(entry.metrics["steps_run"]) if not entry.metrics["diverged"] else len(artifacts["loss"]) - 1
    assert artifacts["path"].shape == (k + 1, 2) and artifacts["path"].dtype == np.float64
    assert artifacts["loss"].shape == (k + 1,)
    assert artifacts["batch_loss"].shape == artifacts["learning_rate"].shape == (k,)
    for name, values in artifacts.items():
        assert np.all(np.isfinite(values)), name
    assert all(math.isfinite(value) for value in entry.metrics.values())
    return artifacts


def hand_path(problem_name, optimizer_name, lr, steps, batch_size, seed, start=None):
    """The same Keras optimiser applied by hand to two keras.Variable scalars (TensorFlow)."""
    import tensorflow as tf

    problem = descent.load_problem(problem_name)
    w1, w2 = (keras.Variable(np.float32(w), name=f"w{i}")
              for i, w in enumerate(start or problem.start, 1))
    optimizer = CONSTRUCTORS[optimizer_name](lr)
    x = np.asarray(problem.x, np.float32)
    y = np.asarray(problem.y, np.float32)
    order = np.random.default_rng(seed).permutation(problem.n)
    path = [[float(w1.numpy()), float(w2.numpy())]]
    for k in range(steps):
        idx = order[k * batch_size:(k + 1) * batch_size]
        xb, yb = x[idx], y[idx]
        with tf.GradientTape() as tape:
            if problem_name == "iris":
                p = keras.ops.sigmoid(w1 * xb[:, 0] + w2 * xb[:, 1])
                loss = keras.ops.mean(keras.losses.binary_crossentropy(yb[:, None], p[:, None]))
            elif problem_name == "tanh":
                loss = keras.ops.mean(keras.ops.square(w2 * keras.ops.tanh(w1 * xb) - yb))
            else:
                loss = keras.ops.mean(keras.ops.square(w1 * xb + w2 - yb))
        optimizer.apply(tape.gradient(loss, [w1, w2]), [w1, w2])
        path.append([float(w1.numpy()), float(w2.numpy())])
    return np.array(path)


def test_registered_with_its_defaults():
    assert "descent" in topic_names()
    assert topic_names().index("descent") == topic_names().index("vanishing") + 1
    defaults = SCHEMA.defaults()
    assert defaults["problem"] == "tips" and defaults["optimizer"] == "sgd"
    assert defaults["batch_size"] == 0 and defaults["steps"] == 100
    assert SCHEMA.get("optimizer").choices == OPTIMIZERS == tuple(CONSTRUCTORS)
    assert SCHEMA.get("problem").choices == descent.PROBLEMS


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_first_steps_are_kerass_own_optimizer_on_the_same_batches(cache, optimizer):
    if keras.backend.backend() != "tensorflow":
        pytest.skip("the by-hand oracle uses tf.GradientTape")
    entry = run(cache, problem="tips", optimizer=optimizer, learning_rate=0.05,
                batch_size=BATCH, steps=3, data_seed=5)
    path = assert_clean(entry)["path"]
    expected = hand_path("tips", optimizer, 0.05, 3, BATCH, 5)
    np.testing.assert_allclose(path, expected, atol=1e-6, rtol=0)
    assert not np.allclose(path[0], path[-1])  # it really moved
    assert entry.meta["info"]["optimizer_code"].startswith(
        f"keras.optimizers.{type(CONSTRUCTORS[optimizer](0.1)).__name__}(learning_rate=0.05")


@pytest.mark.parametrize("problem, optimizer", [("iris", "adam"), ("tanh", "momentum")])
def test_the_other_models_follow_kerass_optimizer_too(cache, problem, optimizer):
    if keras.backend.backend() != "tensorflow":
        pytest.skip("the by-hand oracle uses tf.GradientTape")
    entry = run(cache, problem=problem, optimizer=optimizer, learning_rate=0.1,
                batch_size=BATCH, steps=3, data_seed=1, start="custom", start_w1=1.0,
                start_w2=-2.0)
    path = assert_clean(entry)["path"]
    assert path[0].tolist() == [1.0, -2.0]
    np.testing.assert_allclose(path, hand_path(problem, optimizer, 0.1, 3, BATCH, 1, (1.0, -2.0)),
                               atol=1e-6, rtol=0)
    problem_ = descent.load_problem(problem)
    np.testing.assert_allclose(entry.artifacts()["loss"],
                               [descent.loss_at(problem_, *w) for w in path], rtol=1e-12)


def test_full_batch_sgd_with_a_good_rate_reaches_the_minimum(cache):
    problem = descent.load_problem("line")
    rate = 1.0 / lambda_max(problem)  # half the stability limit
    entry = run(cache, problem="line", learning_rate=rate, steps=200)
    artifacts = assert_clean(entry)
    metrics = entry.metrics
    assert metrics["min_loss"] == pytest.approx(descent.minimum(problem).loss)
    reached = np.flatnonzero(artifacts["loss"] <= 1.01 * metrics["min_loss"])
    assert reached.size and reached[0] <= 200
    assert metrics["excess"] == pytest.approx(metrics["final_loss"] / metrics["min_loss"] - 1)
    assert 0 <= metrics["excess"] < 0.01 and metrics["diverged"] == 0
    assert metrics["diverged_at"] == -1 and metrics["steps_run"] == 200
    np.testing.assert_allclose(artifacts["learning_rate"], rate, rtol=1e-12)
    assert entry.meta["info"]["minimum"] == pytest.approx(list(descent.minimum(problem)[:2]))

    model = keras.saving.load_model(entry.model_path)  # the trained two-weight Keras model
    w1, w2 = artifacts["path"][-1]
    x = np.array([[-1.0], [0.5], [2.0]], np.float32)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(model(x))[:, 0], w1 * x[:, 0] + w2,
                               rtol=1e-5, atol=1e-6)
    assert len(model.trainable_weights) == 2


def test_momentum_reaches_the_one_percent_band_sooner_than_sgd(cache):
    """On the tips valley (curvatures 0.29 and 13.6), at the same learning rate."""
    first = {}
    for optimizer in ("sgd", "momentum"):
        entry = run(cache, problem="tips", optimizer=optimizer, learning_rate=0.05, steps=600)
        within = np.flatnonzero(entry.artifacts()["loss"] <= 1.01 * entry.metrics["min_loss"])
        first[optimizer] = int(within[0]) if within.size else None
    assert first["momentum"] is not None
    assert first["sgd"] is None or first["momentum"] < first["sgd"], first


@pytest.mark.parametrize("factor, steps", [(1.1, 300), (13.0, 1000)])
def test_a_rate_above_two_over_lambda_max_diverges_and_is_reported(cache, factor, steps):
    problem = descent.load_problem("line")
    if hasattr(descent, "max_stable_learning_rate"):
        assert descent.max_stable_learning_rate(problem) == pytest.approx(2 / lambda_max(problem))
    rate = factor * 2.0 / lambda_max(problem)
    entry = run(cache, problem="line", learning_rate=rate, steps=steps)
    artifacts = assert_clean(entry)  # no NaN, no infinity, consistent shapes
    metrics = entry.metrics
    assert metrics["diverged"] == 1.0 and 0 < metrics["diverged_at"] < steps
    assert metrics["steps_run"] == metrics["diverged_at"]  # it stopped there
    assert len(artifacts["loss"]) - 1 <= metrics["diverged_at"]
    assert artifacts["loss"][-1] > 100 * artifacts["loss"][0]


def test_batch_size_one_zigzags_more_than_the_full_batch(cache):
    stochastic = run(cache, problem="line", learning_rate=0.05, batch_size=1, steps=60)
    full = run(cache, problem="line", learning_rate=0.05, batch_size=0, steps=60)
    noisy = descent.direction_variability(assert_clean(stochastic)["path"])
    smooth = descent.direction_variability(assert_clean(full)["path"])
    assert noisy > 0.1 > smooth
    # the mini-batch loss is noisy, the recorded loss is the exact full-data one
    artifacts = stochastic.artifacts()
    problem = descent.load_problem("line")
    assert artifacts["loss"][-1] == pytest.approx(descent.loss_at(problem, *artifacts["path"][-1]))
    assert np.std(artifacts["batch_loss"] - artifacts["loss"][:-1]) > 0.01


@pytest.mark.parametrize("schedule", ["step", "cosine"])
def test_schedules_set_the_learning_rate_of_each_step(cache, schedule):
    steps, lr = 40, 0.2
    entry = run(cache, problem="line", learning_rate=lr, steps=steps, schedule=schedule)
    rates = assert_clean(entry)["learning_rate"]
    k = np.arange(steps)
    if schedule == "step":
        expected = lr * 0.5 ** (k // (steps // 4))
        code = "ExponentialDecay(0.2, decay_steps=10, decay_rate=0.5, staircase=True)"
    else:
        expected = lr * 0.5 * (1 + np.cos(np.pi * k / steps))
        code = "CosineDecay(0.2, decay_steps=40)"
    np.testing.assert_allclose(rates, expected, rtol=1e-5, atol=1e-7)
    assert code in entry.meta["info"]["optimizer_code"]
    if keras.backend.backend() == "tensorflow" and schedule == "step":
        # and the optimiser really used them: SGD's steps shrink with the rate
        path = entry.artifacts()["path"]
        problem = descent.load_problem("line")
        w = np.array(path[0])
        for step in range(3):
            g = np.array(descent.gradient_at(problem, *w))
            w = w - expected[step] * g
        np.testing.assert_allclose(path[3], w, atol=1e-5)


def test_progress_goes_out_in_steps_and_tiny_setting_is_fast():
    from dl_core.topics.descent import TOPIC

    events = []
    params = SCHEMA.canonical(TINY_DESCENT)
    result = TOPIC.train(params, TrainContext(emit=events.append))
    epochs = [e for e in events if e["kind"] == "epoch"]
    assert [e["epoch"] for e in epochs] == list(range(2, 21, 2))
    assert all(e["epochs"] == 20 and e["unit"] == "step" and "loss" in e["logs"] for e in epochs)
    assert result.metrics["steps_run"] == 20 and result.info["problem"]
    assert result.info["optimizer_code"] == "keras.optimizers.SGD(learning_rate=0.1)"


def test_a_cancel_stops_the_loop():
    from dl_core.spec import StopRequested
    from dl_core.topics.descent import TOPIC

    with pytest.raises(StopRequested):
        TOPIC.train(SCHEMA.canonical({"steps": 1000}), TrainContext(should_stop=lambda: True))
