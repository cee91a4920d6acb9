"""Backpropagation check: Keras's gradient of the 2-1-1 network against the chain rule by hand."""

import keras
import numpy as np
import pytest
from tiny_settings import TINY_BACKPROP

from dl_core.engine.cache import ModelCache
from dl_core.engine.runner import resolve, train_or_load
from dl_core.foundations import backprop
from dl_core.topics import topic_names
from dl_core.topics.backprop import SCHEMA, WEIGHTS


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return ModelCache(tmp_path_factory.mktemp("backprop-cache"))


def test_registered_with_the_chain_rules_defaults():
    assert "backprop" in topic_names()
    assert SCHEMA.defaults() == {name: float(value) for name, value in backprop.DEFAULT.items()}


@pytest.mark.parametrize("values", [
    TINY_BACKPROP,
    {"x1": 2.0, "x2": 3.0, "y": 0.0, "w11": -1.5, "w12": 0.7, "b1": 0.4, "w2": -2.0, "b2": 1.0},
    {"x1": -4.0, "x2": 0.25, "y": 0.3, "w11": 2.5, "w12": -3.0, "b1": -1.0, "w2": 4.0, "b2": -0.5},
])
def test_keras_gradient_equals_the_chain_rule(cache, values):
    entry, hit = train_or_load(resolve("backprop", values), cache)
    assert not hit
    full = SCHEMA.canonical(values)
    by_hand = backprop.gradients(full)
    metrics = entry.metrics
    assert metrics["max_abs_difference"] <= 1e-6
    for name in WEIGHTS:
        assert metrics[f"keras_{name}"] == pytest.approx(by_hand[name], abs=1e-6)
    assert metrics["J"] == pytest.approx(backprop.forward(full)["J"], abs=1e-7)
    artifacts = entry.artifacts()
    np.testing.assert_allclose(artifacts["chain_rule_gradients"], [by_hand[n] for n in WEIGHTS])
    assert artifacts["abs_difference"].max() == pytest.approx(metrics["max_abs_difference"])
    if keras.backend.backend() == "tensorflow":
        assert entry.meta["info"]["dtype"] == "float64" and metrics["max_abs_difference"] < 1e-12

    model = keras.saving.load_model(entry.model_path)  # the real Keras 2-1-1 model
    prediction = keras.ops.convert_to_numpy(model(np.array([[full["x1"], full["x2"]]])))
    assert prediction.ravel()[0] == pytest.approx(backprop.forward(full)["y_hat"], abs=1e-7)
    assert [layer.name for layer in model.layers[1:]] == ["hidden", "output"]
