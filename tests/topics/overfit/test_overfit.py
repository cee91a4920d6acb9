"""Regularisation & tuning: one MLP that overfits a few hundred digits, and its cures."""

import numpy as np
import pytest
from tiny_settings import TINY_OVERFIT

from dl_core.engine.cache import ModelCache
from dl_core.engine.runner import resolve, train_or_load
from dl_core.params import ParamError
from dl_core.topics import get_topic, topic_names
from dl_core.topics.overfit import PRESETS, SCHEMA, VAL_SIZE, matching_preset


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return ModelCache(tmp_path_factory.mktemp("overfit-cache"))


def trained(cache, **params):
    entry, _ = train_or_load(resolve("overfit", dict(TINY_OVERFIT, **params)), cache)
    return entry


def test_registered_after_backprop_with_its_defaults():
    names = topic_names()
    assert names.index("overfit") == names.index("backprop") + 1
    assert get_topic("overfit").schema is SCHEMA
    defaults = SCHEMA.defaults()
    assert defaults == {
        "train_size": 300, "width": 128, "depth": 2, "l1": 0.0, "l2": 0.0, "dropout": 0.0,
        "batchnorm": False, "early_stopping": False, "patience": 5, "restore_best": True,
        "epochs": 60, "learning_rate": 0.001, "batch_size": 32, "split": "holdout", "folds": 5,
        "fold": 0, "split_seed": 0}
    assert SCHEMA.get("learning_rate").log and SCHEMA.get("batch_size").choices == (16, 32, 64, 128)
    for preset in PRESETS.values():
        for name, value in preset.items():
            assert SCHEMA.get(name).coerce(value) == value
    assert matching_preset(defaults) == "none"
    assert matching_preset(dict(defaults, l1=0.005)) == "strong L1"
    assert matching_preset(dict(defaults, l1=0.001, dropout=0.5)) is None


def test_the_model_layers_and_penalties():
    from dl_core.models.regularised import build_regularised_mlp

    model = build_regularised_mlp(inputs=20, width=8, depth=2, l1=0.01, l2=0.1, dropout=0.5,
                                  batchnorm=True)
    names = [layer.name for layer in model.layers]
    assert names[1:] == ["dense_1", "bn_1", "relu_1", "dropout_1",
                         "dense_2", "bn_2", "relu_2", "dropout_2", "output"]
    dense = model.get_layer("dense_1")
    assert dense.use_bias is False and dense.activation.__name__ == "linear"
    assert dense.kernel_regularizer.l1 == pytest.approx(0.01)
    assert dense.kernel_regularizer.l2 == pytest.approx(0.1)
    assert model.get_layer("output").kernel_regularizer is not None
    plain = build_regularised_mlp(inputs=20, width=8, depth=3)
    assert [layer.name for layer in plain.layers][1:] == ["dense_1", "dense_2", "dense_3", "output"]
    assert plain.get_layer("dense_1").activation.__name__ == "relu"
    assert plain.get_layer("dense_1").kernel_regularizer is None and not plain.losses


def test_tiny_training_records_everything(cache):
    entry = trained(cache)
    epochs = TINY_OVERFIT["epochs"]
    assert sorted(entry.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert all(len(values) == epochs for values in entry.history.values())
    m = entry.metrics
    assert m["min_val_loss"] == pytest.approx(min(entry.history["val_loss"]), rel=1e-6)
    assert m["best_epoch"] == 1 + int(np.argmin(entry.history["val_loss"]))
    assert m["stopped_epoch"] == epochs and m["gap"] == pytest.approx(
        m["train_accuracy"] - m["val_accuracy"])
    # no early stopping: the evaluated val loss is the last epoch's
    assert m["final_val_loss"] == pytest.approx(entry.history["val_loss"][-1], rel=1e-5)
    assert m["first_layer_small_share"] == m["small_weight_share_dense_1"]
    assert {"small_weight_share_dense_2", "small_weight_share_output"} <= set(m)
    assert "bn_mode_difference" not in m
    artifacts = entry.artifacts()
    assert artifacts["weights_dense_1"].shape == (5000,)  # 784 × 16 kernel values, sampled
    assert artifacts["weights_dense_1"].dtype == np.float16
    assert artifacts["weights_dense_2"].shape == (16 * 16,)
    assert artifacts["weights_output"].shape == (16 * 10,)
    quantiles = artifacts["preact_quantiles"]
    assert quantiles.shape == (epochs + 1, 5) and np.all(np.diff(quantiles, axis=1) >= 0)
    assert "bn_batch_stats" not in artifacts
    info = entry.meta["info"]
    assert info["builder"] == "build_regularised_mlp"
    assert info["model_module"] == "dl_core/models/regularised.py"
    assert info["preset"] == "none" and info["dense_layers"] == ["dense_1", "dense_2", "output"]
    assert entry.meta["dataset"]["train"] == 100 and entry.meta["dataset"]["val"] == VAL_SIZE


def test_early_stopping_stops_patience_epochs_after_the_best(cache):
    # learning rate 0.3 on 100 images: the val loss explodes after the first epochs
    for restore in (True, False):
        entry = trained(cache, epochs=40, learning_rate=0.3, early_stopping=True, patience=2,
                        restore_best=restore)
        m, losses = entry.metrics, entry.history["val_loss"]
        assert m["stopped_epoch"] < 40 and m["stopped_epoch"] == len(losses)
        assert m["stopped_epoch"] == m["best_epoch"] + 2
        if restore:
            assert abs(m["final_val_loss"] - min(losses)) <= 1e-6 * max(1.0, min(losses))
        else:
            assert m["final_val_loss"] == pytest.approx(losses[-1], rel=1e-5)
        assert entry.meta["info"]["early_stopped"]


def test_strong_l1_zeroes_most_first_layer_weights(cache):
    """Measured at the page's defaults (see PRESETS); here 20 epochs of the same setting."""
    settings = {"train_size": 300, "width": 128, "epochs": 20}
    sparse = trained(cache, **settings, **PRESETS["strong L1"]).metrics
    plain = trained(cache, **settings, **PRESETS["none"]).metrics
    assert sparse["first_layer_small_share"] >= 0.5
    assert plain["first_layer_small_share"] <= 0.05


def test_kfold_folds_partition_the_pool():
    from dl_core.topics.overfit.train import pool_size, split_indices

    params = dict(SCHEMA.defaults(), split="kfold", train_size=103, folds=4)
    assert pool_size(params) == 103
    validations = []
    for fold in range(4):
        train_idx, val_idx = split_indices(dict(params, fold=fold))
        assert not set(train_idx) & set(val_idx)
        assert sorted(np.concatenate([train_idx, val_idx])) == list(range(103))
        validations.append(val_idx)
    everything = np.concatenate(validations)
    assert sorted(everything) == list(range(103)) and len(set(everything)) == 103
    assert {len(v) for v in validations} <= {25, 26}
    with pytest.raises(ParamError, match="fold=4 with folds=4"):
        resolve("overfit", dict(TINY_OVERFIT, split="kfold", folds=4, fold=4))
    with pytest.raises(ValueError, match="expected a fold from 0 to 3"):
        split_indices(dict(params, fold=4))


def test_holdout_split_seed_changes_the_split():
    from dl_core.topics.overfit.train import pool_size, split_indices

    params = dict(SCHEMA.defaults(), train_size=200)
    assert pool_size(params) == 200 + VAL_SIZE
    train_0, val_0 = split_indices(params)
    train_1, val_1 = split_indices(dict(params, split_seed=1))
    assert len(train_0) == 200 and len(val_0) == VAL_SIZE
    assert sorted(np.concatenate([train_0, val_0])) == list(range(1200))
    assert set(train_0) != set(train_1)
    assert np.array_equal(split_indices(params)[0], train_0)  # deterministic


def test_kfold_training_validates_on_one_fold(cache):
    entry = trained(cache, split="kfold", folds=5, fold=2, epochs=1)
    assert entry.meta["dataset"]["train"] == 80 and entry.meta["dataset"]["val"] == 20


def test_batchnorm_run_compares_batch_and_moving_statistics(cache):
    import keras

    from dl_core.topics.overfit.train import batchnorm, bn_parts, dense_output

    entry = trained(cache, batchnorm=True)
    stats = entry.artifacts()["bn_batch_stats"]
    assert stats.shape == (4, 8) and np.all(np.isfinite(stats))
    assert np.all(stats[1] > 0) and np.all(stats[3] > 0)  # variances
    assert entry.metrics["bn_mode_difference"] > 0
    assert entry.artifacts()["preact_quantiles"].shape == (TINY_OVERFIT["epochs"] + 1, 5)
    # our numpy inference-mode BN is the layer's own
    model = keras.saving.load_model(entry.model_path)
    x = np.random.default_rng(0).random((16, 784)).astype(np.float32)
    layer = model.get_layer("bn_1")
    z = dense_output(model, x)
    ours = batchnorm(z, bn_parts(layer), training=False)
    theirs = keras.ops.convert_to_numpy(layer(z.astype(np.float32), training=False))
    np.testing.assert_allclose(theirs, ours, rtol=1e-4, atol=1e-5)


def test_the_defaults_overfit_visibly(cache):
    """The page's starting point (~25 s on 2 CPU cores): val loss climbs back, train >> val."""
    entry, _ = train_or_load(resolve("overfit", {}), cache)
    m = entry.metrics
    assert m["final_val_loss"] >= 1.3 * m["min_val_loss"]
    assert m["gap"] >= 0.1
