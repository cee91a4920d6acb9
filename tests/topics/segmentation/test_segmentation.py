"""Segmentation topic: metrics against hand-computed masks, the data loaders, shapes, training."""

import shutil

import numpy as np
import pytest
from PIL import Image

from dl_core.data import builtin_scenes, pets
from dl_core.topics import segmentation as topic
from dl_core.topics.segmentation.images import overlay, preview_grid
from dl_core.topics.segmentation.metrics import (
    dice_per_class,
    iou_per_class,
    majority_baseline,
    scores,
)
from dl_core.topics.segmentation.shapes import unet_levels

from segmentation_fixtures import TINY, train_tiny

# --- metrics -----------------------------------------------------------------------------------

def test_iou_and_dice_against_hand_computed_masks():
    truth = np.array([[0, 0, 1, 1],
                      [0, 0, 1, 1],
                      [2, 2, 1, 1]])
    pred = np.array([[0, 1, 1, 1],
                     [0, 0, 1, 1],
                     [2, 1, 1, 0]])
    # class 0: TP 3, FP 1 (bottom right), FN 1 -> IoU 3/5, Dice 6/8
    # class 1: TP 5, FP 2, FN 1 -> IoU 5/8, Dice 10/13; class 2: TP 1, FP 0, FN 1 -> 1/2, 2/3
    assert np.allclose(iou_per_class(truth, pred), [3 / 5, 5 / 8, 1 / 2])
    assert np.allclose(dice_per_class(truth, pred), [6 / 8, 10 / 13, 2 / 3])
    result = scores(truth, pred)
    assert result["pixel_accuracy"] == pytest.approx(9 / 12)
    assert result["mean_iou"] == pytest.approx((3 / 5 + 5 / 8 + 1 / 2) / 3)
    assert result["dice"] == pytest.approx((6 / 8 + 10 / 13 + 2 / 3) / 3)
    assert scores(truth, truth)["mean_iou"] == 1.0


def test_absent_class_is_left_out_and_baseline_is_majority():
    truth = np.array([[1, 1], [1, 0]])
    assert scores(truth, truth)["mean_iou"] == 1.0  # border absent from both: not a zero
    base = majority_baseline(np.array([[1, 1, 1, 0]]), truth)
    assert base["pixel_accuracy"] == pytest.approx(0.75)
    assert base["mean_iou"] == pytest.approx((0 + 0.75) / 2)
    with pytest.raises(ValueError, match="mask values must be 0..2"):
        scores(np.array([3]), np.array([0]))


def test_overlay_and_preview_grid():
    image = np.full((4, 4, 3), 100, np.uint8)
    mask = np.array([[0, 1, 2, 1]] * 4)
    blended = overlay(image, mask, opacity=1.0)
    assert (blended[:, 1] == 100).all() and not (blended[:, 0] == 100).all()
    assert (overlay(image, mask, 0.0) == image).all()
    grid = preview_grid(np.zeros((2, 4, 4, 3)), mask[None].repeat(2, 0), mask[None].repeat(2, 0))
    assert grid.shape == (3 * 4 + 4, 2 * 4 + 2, 3) and grid.dtype == np.uint8


# --- data ----------------------------------------------------------------------------------------

def test_builtin_scenes_are_deterministic_with_three_classes():
    images, masks = builtin_scenes.generate(6, 64)
    builtin_scenes.generate.cache_clear()
    again, masks_again = builtin_scenes.generate(6, 64)
    assert np.array_equal(images, again) and np.array_equal(masks, masks_again)
    assert images.shape == (6, 64, 64, 3) and masks.shape == (6, 64, 64)
    assert set(np.unique(masks)) == {0, 1, 2}
    other, _ = builtin_scenes.generate(6, 64, seed=7)
    assert not np.array_equal(images, other)
    assert np.array_equal(builtin_scenes.generate(3, 64)[0], images[:3])  # a prefix of a larger set


def write_pet(root, name, size=(40, 30), kind="jpg", trimap=True, trimap_size=None, values=(1, 2, 3)):
    (root / "images").mkdir(parents=True, exist_ok=True)
    (root / "annotations" / "trimaps").mkdir(parents=True, exist_ok=True)
    rgb = Image.new("RGB", size, (200, 50, 50))
    if kind == "gif":
        rgb.convert("P").save(root / "images" / f"{name}.jpg", format="GIF")  # a GIF named .jpg
    elif kind == "rgba":
        Image.new("RGBA", size, (0, 0, 255, 128)).save(root / "images" / f"{name}.jpg", format="PNG")
    elif kind == "junk":
        (root / "images" / f"{name}.jpg").write_bytes(b"not an image")
    else:
        rgb.save(root / "images" / f"{name}.jpg", format="JPEG")
    if trimap:
        w, h = trimap_size or size
        values_map = np.full((h, w), values[1], np.uint8)
        values_map[: h // 2, : w // 2] = values[0]
        values_map[h // 2, :] = values[2]
        Image.fromarray(values_map).save(root / "annotations" / "trimaps" / f"{name}.png")


def test_trimap_loader_on_generated_files(tmp_path):
    write_pet(tmp_path, "cat_1")
    write_pet(tmp_path, "cat_2", kind="gif")
    write_pet(tmp_path, "dog_1", kind="rgba")
    write_pet(tmp_path, "dog_2", trimap=False)
    write_pet(tmp_path, "dog_3", trimap_size=(10, 10))
    write_pet(tmp_path, "dog_4", kind="junk")
    data = pets.load_pets(tmp_path, count=3, size=16)
    assert sorted(data.names) == ["cat_1", "cat_2", "dog_1"]  # GIF and RGBA-PNG named .jpg both read
    assert data.images.shape == (3, 16, 16, 3) and data.images.dtype == np.uint8
    assert set(np.unique(data.masks)) == {0, 1, 2}  # 1, 2, 3 -> pet 0, background 1, border 2
    skipped = " | ".join(data.skipped)
    assert "dog_2.jpg: no trimap" in skipped and "does not match the image" in skipped
    assert "dog_4.jpg" in skipped
    with pytest.raises(ValueError, match="only 3 usable"):
        pets.load_pets(tmp_path, count=4, size=16)


def test_trimap_is_resized_with_nearest_neighbour(tmp_path):
    write_pet(tmp_path, "a", size=(40, 30))
    mask = pets.read_trimap(tmp_path / "annotations" / "trimaps" / "a.png", size=64)
    assert mask.shape == (64, 64) and set(np.unique(mask)) <= {0, 1, 2}  # no blended values
    write_pet(tmp_path, "b", values=(1, 2, 9))
    with pytest.raises(ValueError, match="expected trimap values 1 = pet"):
        pets.read_trimap(tmp_path / "annotations" / "trimaps" / "b.png")


def test_bad_pets_folders_are_reported(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        pets.find_pets_dir(str(tmp_path / "nowhere"))
    (tmp_path / "images").mkdir()
    with pytest.raises(ValueError, match="no annotations/trimaps/ folder"):
        pets.find_pets_dir(str(tmp_path))
    (tmp_path / "annotations" / "trimaps").mkdir(parents=True)
    Image.new("RGB", (8, 8)).save(tmp_path / "images" / "x.jpg")
    with pytest.raises(ValueError, match="has a matching trimap"):
        pets.load_pets(tmp_path, 1, 16)


def test_real_pets_subset(shared_data):
    root = shared_data / "pets"
    data = pets.load_pets(root, count=8, size=64)
    assert data.images.shape == (8, 64, 64, 3) and data.masks.shape == (8, 64, 64)
    assert set(np.unique(data.masks)) == {0, 1, 2}
    background = (data.masks == 1).mean()
    assert 0.3 < background < 0.8  # pets fill much of the frame, as in the real set
    assert pets.fingerprint(root) == pets.fingerprint(root)


def test_offline_without_pets_uses_scenes_and_says_why(monkeypatch):
    monkeypatch.delenv(pets.ENV_VAR, raising=False)
    sets = topic.load_data(topic.SCHEMA.canonical({**TINY, "dataset": "pets"}))
    assert sets.info.source == "builtin" and "No Oxford-IIIT Pet folder" in sets.info.note
    assert sets.x_train.shape == (13, 64, 64, 3) and sets.y_val.shape == (3, 64, 64)


# --- model shapes ----------------------------------------------------------------------------

@pytest.mark.parametrize("depth", [2, 3, 4, 5])
def test_unet_output_matches_input_for_every_size_and_depth(depth):
    from dl_core.models.unet import build_unet

    for size in topic.SCHEMA.get("image_size").choices:
        model = build_unet(image_size=size, depth=depth, base_filters=8)
        assert model.output_shape == (None, size, size, 3)


@pytest.mark.parametrize("upsampling", ["transposed", "upsample_conv"])
@pytest.mark.parametrize("skips", [True, False])
def test_drawn_shapes_equal_the_built_model(upsampling, skips):
    from dl_core.models.unet import build_unet

    model = build_unet(96, 3, 8, upsampling, skips)
    for level in unet_levels(96, 3, 8, "scratch", upsampling, skips)[1:]:
        assert tuple(model.get_layer(level.name).output.shape[1:]) == level.shape, level.name


def test_mobilenet_shapes_and_pretrained_weights(shared_data, tmp_path, monkeypatch):
    from dl_core.models.unet import build_mobilenet_unet

    weights = tmp_path / "models" / topic.WEIGHTS_FILE
    weights.parent.mkdir()
    shutil.copy(shared_data / "weights" / topic.WEIGHTS_FILE, weights)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    params = topic.SCHEMA.canonical({"image_size": 128, "depth": 5})
    assert topic.weights_source(params) == str(weights) and topic.effective_encoder(params) == "mobilenet"
    model = build_mobilenet_unet(128, 5, 16, weights=topic.weights_source(params))
    for level in unet_levels(128, 5, 16, "mobilenet")[1:]:
        assert tuple(model.get_layer(level.name).output.shape[1:]) == level.shape, level.name
    import h5py

    with h5py.File(weights, "r") as stored:
        imagenet = np.asarray(stored["conv1"]["conv1"]["kernel:0"])
    encoder = model.get_layer("mobilenet_encoder")
    assert np.array_equal(encoder.get_layer("conv1").get_weights()[0], imagenet)  # really loaded
    assert not encoder.trainable  # frozen unless fine_tune
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "empty"))
    assert topic.weights_source(params) is None and "trained from scratch instead" in topic.encoder_note(params)


# --- a tiny training run -------------------------------------------------------------------

def test_tiny_training_run_saves_reloads_and_predicts():
    entry = train_tiny()
    assert entry.meta["dataset"]["source"] == "builtin" and entry.meta["info"]["encoder"] == "scratch"
    metrics = entry.metrics
    for name in ("val_pixel_accuracy", "val_mean_iou", "val_dice", "baseline_pixel_accuracy"):
        assert 0.0 <= metrics[name] <= 1.0, name
    assert set(entry.history) >= {"loss", "val_loss", "val_mean_iou", "val_dice", "val_pixel_accuracy"}
    assert len(entry.history["val_loss"]) == TINY["epochs"] and np.isfinite(entry.history["val_loss"]).all()
    previews = entry.previews()
    assert len(previews) == 2 and previews[0].shape == (3 * 64 + 4, 3 * 64 + 4, 3)
    assert not np.array_equal(previews[0], previews[1])  # the prediction row changed
    mask = topic.predict_mask(entry.model_path, np.zeros((50, 70, 3), np.uint8), 64)
    assert mask.shape == (50, 70) and mask.max() <= 2  # back at the photo's own size


@pytest.mark.parametrize("loss", ["cross_entropy", "cross_entropy+dice"])
def test_validation_loss_in_numpy_equals_the_keras_loss(loss):
    import keras

    from dl_core.topics.segmentation.training import loss_for, numpy_loss

    rng = np.random.default_rng(0)
    masks = rng.integers(0, 3, (2, 5, 5)).astype(np.uint8)
    logits = rng.normal(size=(2, 5, 5, 3)).astype(np.float32)
    probabilities = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    keras_loss = keras.losses.get(loss_for(loss))
    expected = float(np.mean(keras.ops.convert_to_numpy(keras_loss(masks, probabilities))))
    assert numpy_loss(masks, probabilities, loss) == pytest.approx(expected, rel=1e-4)
