"""Transfer learning, without Keras: image-folder loading, zip safety, uploads, weights plan, metrics."""


import numpy as np
import pytest

from dl_core.data import builtin_shapes, image_folders, transfer_target
from dl_core.data.safe_zip import UnsafeZipError, extract_zip
from dl_core.topics.transfer.metrics import cell_members, confusion_matrix, pca_2d, rank
from dl_core.topics.transfer.pretrained import plan_weights

from make_files import zip_bytes
from transfer_helpers import class_uploads, write_class_folders


def test_hymenoptera_layout_and_its_three_oddities(shared_data):
    root = shared_data / "hymenoptera"
    layout = image_folders.find_layout(root)  # looks through hymenoptera_data/
    assert layout.labels == ("ants", "bees") and layout.val is not None
    assert (len(layout.train["ants"]), len(layout.val["bees"])) == (124, 83)
    ants = {p.name for p in layout.train["ants"]}
    assert {"imageNotFound.gif", "ant photos.jpg", "formica.jpeg"} <= ants
    for name in ("imageNotFound.gif", "ant photos.jpg", "formica.jpeg"):
        image = image_folders.decode_square((layout.root / "train" / "ants" / name).read_bytes(), 32)
        assert image.shape == (32, 32, 3) and image.dtype == np.uint8
    images = image_folders.load_layout(layout, 32, train_per_class=3)
    assert images.x_train.shape == (6, 32, 32, 3) and images.x_val.shape == (153, 32, 32, 3)
    assert list(np.bincount(images.y_val)) == [70, 83]
    target = transfer_target.find_target("ants_bees", str(root))
    assert target.origin == "real" and target.fingerprint.startswith("folders:")


def test_generated_flat_folders_split_and_skip_unreadable_files(tmp_path):
    root = write_class_folders(tmp_path / "data", per_class=5)
    (root / "round" / "notes.txt").write_text("not an image")
    (root / "square" / "broken.jpg").write_bytes(b"\xff\xd8\xff garbage")
    layout = image_folders.find_layout(root)
    assert layout.labels == ("round", "square") and layout.val is None
    images = image_folders.load_layout(layout, 24)
    assert images.x_train.shape == (8, 24, 24, 3) and images.x_val.shape == (2, 24, 24, 3)
    assert sorted(s.split(":")[0] for s in images.skipped) == ["round/notes.txt", "square/broken.jpg"]


def test_train_val_layout_inside_a_wrapping_folder(tmp_path):
    write_class_folders(tmp_path / "wrap" / "my_data", per_class=3, split=True)
    layout = image_folders.find_layout(tmp_path / "wrap")
    assert layout.root.name == "my_data" and layout.val is not None
    images = image_folders.load_layout(layout, 16, train_per_class=2)
    assert len(images.y_train) == 4 and len(images.y_val) == 4


def test_fingerprint_hashes_content_not_file_names(tmp_path):
    root = write_class_folders(tmp_path / "a", per_class=4)
    before = image_folders.fingerprint(image_folders.find_layout(root))
    first = sorted((root / "round").iterdir())[0]
    first.rename(first.with_name("renamed by the learner.png"))
    assert image_folders.fingerprint(image_folders.find_layout(root)) == before
    first = sorted((root / "round").iterdir())[0]
    first.write_bytes(class_uploads(1)[1][1][0])  # other pixels
    assert image_folders.fingerprint(image_folders.find_layout(root)) != before


@pytest.mark.parametrize("names,message", [
    (["cats", "Cats "], "duplicate class names"),
    (["only"], "needs 2 to 10 classes"),
    ([f"c{i}" for i in range(11)], "needs 2 to 10 classes"),
])
def test_bad_class_names(tmp_path, names, message):
    for name in names:
        (tmp_path / name).mkdir()
    with pytest.raises(image_folders.ImageFolderError, match=message):
        image_folders.find_layout(tmp_path)


def test_too_few_images_per_class(tmp_path):
    root = write_class_folders(tmp_path, per_class=4)
    for path in sorted((root / "square").iterdir())[1:]:
        path.unlink()
    with pytest.raises(image_folders.ImageFolderError, match="'square' has only 1 readable image"):
        image_folders.load_layout(image_folders.find_layout(root), 16)
    with pytest.raises(image_folders.ImageFolderError, match="at least 3"):
        image_folders.store_class_uploads([("a", [b"1"]), ("b", [b"2", b"3", b"4"])], tmp_path / "up")


def test_class_uploads_are_content_addressed_and_nameless(tmp_path):
    uploads = class_uploads(3)
    first = image_folders.store_class_uploads(uploads, tmp_path)
    assert image_folders.store_class_uploads(uploads, tmp_path) == first
    files = sorted(p.name for p in (first / "round").iterdir())
    assert len(files) == 3 and all(name.endswith(".img") for name in files)
    with pytest.raises(image_folders.ImageFolderError, match="duplicate"):
        image_folders.store_class_uploads([("A", uploads[0][1]), ("a", uploads[1][1])], tmp_path)


_zip = zip_bytes


def test_good_zip_extracts_and_loads(tmp_path):
    entries = {f"set/{kind}/{i}.png": data for kind, images in class_uploads(3) for i, data in enumerate(images)}
    path = tmp_path / "good.zip"
    path.write_bytes(_zip(entries))
    folder = extract_zip(path, tmp_path / "out")
    assert extract_zip(path, tmp_path / "out") == folder  # extracted once
    assert image_folders.find_layout(folder).labels == ("round", "square")


@pytest.mark.parametrize("name,message", [("/tmp/evil.png", "absolute path"),
                                          ("../../evil.png", "outside the zip"),
                                          ("ok/../../evil.png", "outside the zip"),
                                          ("C:\\evil.png", "absolute path")])
def test_unsafe_zip_paths_are_refused_and_nothing_is_written(tmp_path, name, message):
    path = tmp_path / "bad.zip"
    path.write_bytes(_zip({"cls/a.png": b"x", name: b"evil"}))
    out = tmp_path / "deep" / "out"
    with pytest.raises(UnsafeZipError, match=message):
        extract_zip(path, out)
    written = [p for p in tmp_path.rglob("*") if p.is_file() and p != path]
    assert written == []


def test_zip_bomb_is_refused(tmp_path):
    path = tmp_path / "bomb.zip"
    path.write_bytes(_zip({"cls/zeros.png": bytes(30 * 1024 * 1024)}))
    assert path.stat().st_size < 100_000
    with pytest.raises(UnsafeZipError, match="zip bomb"):
        extract_zip(path, tmp_path / "out")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*.png"))


def test_not_a_zip(tmp_path):
    path = tmp_path / "fake.zip"
    path.write_bytes(b"hello")
    with pytest.raises(UnsafeZipError, match="not a readable zip"):
        extract_zip(path, tmp_path / "out")


def test_builtin_target_differs_from_source_and_is_small():
    assert not set(builtin_shapes.TARGET_SHAPES) & set(builtin_shapes.SOURCE_SHAPES)
    assert len(builtin_shapes.source_labels()) >= 20
    x_train, y_train, x_val, _ = builtin_shapes.target_task(32)
    again = builtin_shapes._target_split(builtin_shapes.TARGET_TRAIN_PER_CLASS, 32,
                                         builtin_shapes.TARGET_TRAIN_SEED)
    assert np.array_equal(x_train, again[0])
    assert x_train.shape[0] == len(builtin_shapes.TARGET_SHAPES) * builtin_shapes.TARGET_TRAIN_PER_CLASS
    assert x_train.shape[1:] == (32, 32, 3) and x_val.shape[0] > x_train.shape[0]
    target = transfer_target.find_target("ants_bees", None)  # offline, no ants/bees configured
    assert target.origin == "builtin" and "offline" in target.note


def test_weights_plan(tmp_path, monkeypatch):
    # Keras reads KERAS_HOME once at import (another test may have imported it), so point the
    # lookup itself at an empty folder; the real KERAS_HOME path is tested in test_transfer.py.
    monkeypatch.setattr("dl_core.topics.transfer.pretrained.keras_models_dir", lambda: tmp_path / "models")
    fallback = plan_weights("mobilenet_025", "feature", "src")
    assert fallback.source == "builtin-pretrained" and fallback.backbone == "builtin_cnn"
    assert "offline" in fallback.note and "mobilenet_2_5_224_tf_no_top.h5" in fallback.note
    assert str(tmp_path) not in fallback.note, "a learner never sees a server path"
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "mobilenet_2_5_224_tf_no_top.h5").write_bytes(b"weights")
    found = plan_weights("mobilenet_025", "feature", "src")
    assert found.source == "imagenet" and found.backbone == "mobilenet_025"
    assert plan_weights("mobilenet_025", "scratch", "src").source == "none"
    assert plan_weights("resnet50", "finetune", "src").source == "builtin-pretrained"


def test_confusion_pca_and_ranking():
    true, predicted = np.array([0, 0, 1, 1, 1]), np.array([0, 1, 1, 1, 0])
    assert confusion_matrix(true, predicted, 2).tolist() == [[1, 1], [1, 2]]
    assert cell_members(true, predicted, 1, 0).tolist() == [4]
    points, ratio = pca_2d(np.random.default_rng(0).normal(size=(20, 5)) * [10, 1, 1, 1, 1])
    assert points.shape == (20, 2) and ratio[0] > 0.5
    sure = rank(np.array([0.1, 0.9]), ["ants", "bees"])
    assert sure.top == ("bees", 0.9) and not sure.unsure
    assert rank(np.array([0.3, 0.35, 0.35]), ["a", "b", "c"]).unsure
    with pytest.raises(ValueError, match="2 probabilities for 3 labels"):
        rank(np.array([0.5, 0.5]), ["a", "b", "c"])
