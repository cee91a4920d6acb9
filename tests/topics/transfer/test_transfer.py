"""Transfer learning with Keras: real weights file, frozen layers, Grad-CAM, tiny runs per strategy."""

import json
import os
import shutil
import subprocess
import sys
import zipfile

import keras
import numpy as np
import pytest

from dl_core.data.image_folders import fit_square
from dl_core.engine.cache import ModelCache
from dl_core.engine.runner import resolve, train_or_load
from dl_core.inference import load_shared
from dl_core.models.transfer import build_small_cnn, build_transfer_classifier
from dl_core.topics import transfer as topic
from dl_core.topics.transfer.gradcam import grad_cam, overlay, score_gradient

from conftest import ROOT
from transfer_helpers import TINY, TINY_SOURCE, write_class_folders

WEIGHTS = "mobilenet_2_5_224_tf_no_top.h5"


@pytest.fixture
def tiny_source(monkeypatch):
    monkeypatch.setattr(topic, "SOURCE_PARAMS", TINY_SOURCE)


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    return str(write_class_folders(tmp_path_factory.mktemp("classes"), per_class=5))


REAL_WEIGHTS_SCRIPT = """
import json, keras, numpy as np
from dl_core.engine.cache import ModelCache
from dl_core.topics.transfer.pretrained import build_backbone, keras_models_dir
from dl_core.engine.runner import resolve, train_or_load
out = {"models_dir": str(keras_models_dir())}
# 96 px has no weights file of its own: the 224 file's conv weights are copied over.
at_96 = build_backbone("mobilenet_025", 96, pretrained=True)
reference = keras.applications.MobileNet(alpha=0.25, include_top=False, weights="imagenet",
                                         input_shape=(224, 224, 3))
random = build_backbone("mobilenet_025", 96, pretrained=False)
out["shape"] = list(at_96.output_shape)
out["same_as_file"] = all(np.array_equal(a, b) for a, b in zip(at_96.get_weights(), reference.get_weights()))
out["differs_from_random"] = not np.array_equal(at_96.get_weights()[0], random.get_weights()[0])
params = dict(%(params)r, backbone="mobilenet_025", strategy="feature")
entry, _ = train_or_load(resolve("transfer", params, data=%(data)r), ModelCache())
again, hit = train_or_load(resolve("transfer", dict(params, head_lr=0.002), data=%(data)r), ModelCache())
out.update(metrics=entry.metrics, first=entry.meta["info"]["feature_cache"],
           second=again.meta["info"]["feature_cache"], second_hit=hit)
print(json.dumps(out))
"""


def test_real_weights_file_through_keras_home(shared_data, folders, tmp_path):
    """A fresh process with KERAS_HOME holding only the shared MobileNet file (Keras reads the
    variable when it is imported): Keras must load it and download nothing."""
    models = tmp_path / "keras_home" / "models"
    models.mkdir(parents=True)
    shutil.copy(shared_data / "weights" / WEIGHTS, models / WEIGHTS)
    env = dict(os.environ, KERAS_HOME=str(tmp_path / "keras_home"))
    code = REAL_WEIGHTS_SCRIPT % {"params": TINY, "data": folders}
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    out = json.loads(run.stdout.strip().splitlines()[-1])
    assert out["models_dir"] == str(models) and out["shape"] == [None, 3, 3, 256]
    assert out["same_as_file"] and out["differs_from_random"]
    assert out["metrics"]["weights_source"] == "imagenet" and out["metrics"]["backbone"] == "mobilenet_025"
    # A new head learning rate retrains only the head, on the cached backbone features.
    assert (out["first"], out["second"], out["second_hit"]) == ("computed", "hit", False)
    assert sorted(p.name for p in models.iterdir()) == [WEIGHTS]  # nothing was downloaded


def _weights(backbone) -> dict[str, list[np.ndarray]]:
    return {layer.name: [np.array(w) for w in layer.get_weights()]
            for layer in backbone.layers if layer.weights}


def _saved_backbone(entry):
    return keras.saving.load_model(entry.model_path, compile=False).get_layer("backbone")


def test_frozen_layers_stay_frozen(tiny_source, folders):
    source, _ = train_or_load(resolve("transfer_source", topic.SOURCE_PARAMS), ModelCache())
    pretrained = _weights(topic.source_backbone(source))
    params = dict(TINY, strategy="feature", augment=True)  # augmentation: the backbone runs in fit()
    entry, _ = train_or_load(resolve("transfer", params, data=folders), ModelCache())
    trained = _weights(_saved_backbone(entry))
    assert trained.keys() == pretrained.keys()
    for name in trained:
        for after, before in zip(trained[name], pretrained[name]):
            assert np.array_equal(after, before), f"{name} changed during feature extraction"

    tuned = dict(params, strategy="finetune", finetune_layers=3, finetune_lr=0.001)
    entry, _ = train_or_load(resolve("transfer", tuned, data=folders), ModelCache())
    after = _weights(_saved_backbone(entry))
    changed = {n for n in after if any(not np.array_equal(a, b) for a, b in zip(after[n], pretrained[n]))}
    assert changed == set(entry.meta["info"]["unfrozen_layers"]) == {"conv4"}  # bn3, bn4 stay frozen


def _tiny_classifier(seed: int = 0):
    keras.utils.set_random_seed(seed)
    return build_transfer_classifier(build_small_cnn(work_size=32), 3, 32, "unit", bn_inference=False)


def test_gradcam_gradient_matches_the_analytic_oracle():
    """Head = global average pooling + dense, so ∂y_c/∂A_ijk = W_kc / (H'W') exactly."""
    model = _tiny_classifier()
    feature_map = np.random.default_rng(0).random((4, 4, 128)).astype(np.float32)
    gradient = score_gradient(feature_map, [model.get_layer("pool"), model.get_layer("logits")], 2)
    kernel = model.get_layer("logits").get_weights()[0]
    expected = np.broadcast_to(kernel[:, 2] / 16.0, gradient.shape)
    np.testing.assert_allclose(gradient, expected, rtol=1e-3, atol=1e-7)


def test_gradcam_map_shape_and_not_constant():
    model = _tiny_classifier(seed=1)
    image = np.zeros((32, 32, 3), np.uint8)
    image[4:14, 18:30] = 255  # a bright patch in one corner
    heatmap, probabilities = grad_cam(model, image)
    assert heatmap.shape == (32, 32) and probabilities.shape == (3,)
    assert heatmap.min() >= 0 and heatmap.max() <= 1 and heatmap.std() > 0.01
    shown = overlay(fit_square(np.full((50, 80, 3), 128, np.uint8), 32), heatmap)
    assert shown.shape == (32, 32, 3) and shown.dtype == np.uint8


@pytest.mark.parametrize("strategy", ["scratch", "feature", "finetune"])
def test_tiny_run_in_each_strategy(tiny_source, folders, strategy):
    params = dict(TINY, strategy=strategy)
    entry, _ = train_or_load(resolve("transfer", params, data=folders), ModelCache())
    metrics = entry.metrics
    assert 0 <= metrics["val_accuracy"] <= 1 and 0 <= metrics["scratch_val_accuracy"] <= 1
    assert metrics["weights_source"] == ("none" if strategy == "scratch" else "builtin-pretrained")
    expected_epochs = 2 if strategy == "finetune" else 1
    assert len(entry.history["val_accuracy"]) == expected_epochs
    artifacts = entry.artifacts()
    assert artifacts["embedding_2d"].shape == (len(artifacts["val_labels"]), 2)
    assert entry.meta["info"]["labels"] == ["round", "square"]
    heatmap, probabilities = topic.explain(entry.model_path, np.zeros((96, 96, 3), np.uint8))
    assert heatmap.shape == (96, 96) and abs(float(probabilities.sum()) - 1) < 1e-4
    assert load_shared(entry.model_path).model.get_layer("backbone") is not None  # reloads


def test_command_line_with_data_folder_and_unsafe_zip(folders, tmp_path):
    base = [sys.executable, "-m", "dl_core", "train", "transfer", "--set", "strategy=scratch",
            "--set", "backbone=builtin_cnn", "--set", "image_size=96", "--set", "epochs=1"]
    plain = subprocess.run(base + ["--data", folders], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert plain.returncode == 0, plain.stderr[-2000:]
    assert "backbone=builtin_cnn" in plain.stdout and "weights_source=none" in plain.stdout
    done = subprocess.run(base + ["--data", folders, "--json"], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["cache"] == "hit" and summary["dataset"]["source"] == "real"
    assert set(summary["metrics"]) >= {"val_accuracy", "scratch_val_accuracy", "backbone", "weights_source"}
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as archive:
        archive.writestr("../../escaped.png", b"x")
    refused = subprocess.run(base + ["--data", str(evil)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert refused.returncode == 2 and "outside the zip" in refused.stderr
    assert not (tmp_path.parent / "escaped.png").exists()


def test_a_fresh_machine_sees_every_stage_in_order(tiny_source, folders, cache_dir):
    """Offline on a new machine the run pretrains the source, computes the features, trains the
    head and the from-scratch comparison: each is a stage, and the bar never goes back."""
    from dl_core.engine.status import JobStatus, apply_event
    from dl_core.spec import TrainContext
    from dl_core.topics.transfer import stages

    events: list[dict] = []
    ctx = TrainContext(emit=events.append, batch_interval_s=0.0)
    train_or_load(resolve("transfer", dict(TINY, strategy="feature"), data=folders), ModelCache(), ctx)
    planned = [title for e in events if e["kind"] == "plan" for title, _ in e["stages"]]
    assert planned == [stages.PRETRAIN, stages.FEATURES, stages.TRAIN["feature"], stages.SCRATCH,
                       stages.RESULTS]
    entered = [e["title"] for e in events if e["kind"] == "stage"]
    assert entered == planned
    job, fractions = JobStatus("j", "transfer", "k", {}, "running"), []
    for event in events:
        apply_event(job, event)
        fractions.append(job.fraction)
    assert fractions == sorted(fractions) and fractions[-1] > 0.99
