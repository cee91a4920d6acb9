"""Vanishing gradients: per-layer gradient norms of a deep MLP, measured through the engine."""

import numpy as np
import pytest
from tiny_settings import TINY_VANISHING

from dl_core.engine.cache import ModelCache
from dl_core.engine.runner import resolve, train_or_load
from dl_core.topics import topic_names
from dl_core.topics.vanishing import SCHEMA


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return ModelCache(tmp_path_factory.mktemp("vanishing-cache"))


def tiny(cache, **params):
    entry, hit = train_or_load(resolve("vanishing", dict(TINY_VANISHING, **params)), cache)
    assert not hit
    return entry


def test_registered_with_its_defaults():
    assert "vanishing" in topic_names()
    defaults = SCHEMA.defaults()
    assert defaults["activation"] == "sigmoid" and defaults["depth"] == 10


def test_sigmoid_at_depth_ten_starves_the_first_layer(cache):
    entry = tiny(cache, activation="sigmoid")
    artifacts = entry.artifacts()
    for name in ("grad_norms_init", "grad_norms_trained"):
        norms = artifacts[name]
        assert norms.shape == (11,) and np.all(np.isfinite(norms)) and np.all(norms > 0)
    norms = artifacts["grad_norms_init"]
    assert entry.metrics["ratio_init"] == pytest.approx(norms[0] / norms[-1], rel=1e-5)
    assert entry.metrics["ratio_init"] <= 0.1
    assert norms[-1] > norms[len(norms) // 2] > norms[0]  # shrinking on the way down
    assert 0 <= entry.metrics["val_accuracy"] <= 1 and "ratio_trained" in entry.metrics
    assert len(entry.history["loss"]) == TINY_VANISHING["epochs"]
    assert entry.previews() == [] and entry.meta["dataset"]["source"] == "builtin"
    assert entry.meta["info"]["layers"][-1] == "output"


def test_relu_with_he_init_keeps_the_gradient(cache):
    assert tiny(cache, activation="relu").metrics["ratio_init"] >= 0.3


def test_relu_bn_model_and_bad_activation():
    from dl_core.topics.vanishing.train import build_deep_mlp, dense_layers

    model = build_deep_mlp("relu_bn", depth=3, units=8)
    names = [layer.name for layer in model.layers]
    assert names[1:4] == ["dense_1", "bn_1", "relu_1"] and len(dense_layers(model)) == 4
    assert dense_layers(model)[0].use_bias is False
    with pytest.raises(ValueError, match="activation='selu'"):
        build_deep_mlp("selu", depth=3, units=8)


def test_output_layer_gradient_matches_the_softmax_formula():
    """Oracle: for softmax + cross-entropy, ∂L/∂W_out = hᵀ(p − onehot(y)) / N."""
    import keras

    from dl_core.topics.vanishing.train import build_deep_mlp, gradient_norms

    model = build_deep_mlp("tanh", depth=2, units=6, inputs=5, classes=3)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 5)).astype(np.float32)
    y = rng.integers(0, 3, 16)
    hidden = keras.Model(model.input, model.get_layer("dense_2").output)
    h = keras.ops.convert_to_numpy(hidden(x)).astype(np.float64)
    p = keras.ops.convert_to_numpy(model(x)).astype(np.float64)
    expected = h.T @ (p - np.eye(3)[y]) / len(x)
    norms = gradient_norms(model, x, y)
    assert norms.shape == (3,)
    assert norms[-1] == pytest.approx(np.linalg.norm(expected), rel=1e-4)
