"""Playground datasets: deterministic and balanced; a learner's CSV read or refused in one line."""

import time

import numpy as np
import pytest

from dl_core.data import planar


@pytest.mark.parametrize("name", planar.DATASETS)
def test_datasets_are_deterministic_balanced_and_in_the_square(name):
    classes = 4 if name == "blobs" else 2
    X, y = planar.make_points(name, 401, 0.1, seed=3, classes=classes)
    X2, y2 = planar.make_points(name, 401, 0.1, seed=3, classes=classes)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)
    assert not np.array_equal(X, planar.make_points(name, 401, 0.1, seed=4, classes=classes)[0])
    assert X.shape == (401, 2) and X.dtype == np.float32 and y.dtype == np.int64
    counts = np.bincount(y)
    assert len(counts) == classes and counts.max() - counts.min() <= 1
    assert np.abs(X).max() < 1.4 and np.abs(X).max() > 0.6  # about [-1, 1]², noise included
    clean, _ = planar.make_points(name, 401, 0.0, seed=3, classes=classes)
    assert np.abs(clean).max() <= 1.0 + 1e-6 or name == "blobs"


def test_xor_and_circles_have_their_shapes():
    X, y = planar.make_points("xor", 500, 0.0, seed=0)
    assert np.array_equal(y, (X[:, 0] * X[:, 1] < 0).astype(int))
    assert np.abs(X).min() >= planar.XOR_MARGIN - 1e-6
    X, y = planar.make_points("circles", 500, 0.0, seed=0)
    r = np.hypot(X[:, 0], X[:, 1])
    assert r[y == 0].max() <= 0.5 + 1e-6 and r[y == 1].min() >= 0.7 - 1e-6


def test_bad_arguments_say_what_is_allowed():
    with pytest.raises(ValueError, match="choose one of circles"):
        planar.make_points("swirl", 100, 0.1, 0)
    with pytest.raises(ValueError, match="noise=0.9"):
        planar.make_points("xor", 100, 0.9, 0)
    with pytest.raises(ValueError, match="use 2 to 5"):
        planar.make_points("blobs", 100, 0.1, 0, classes=7)


def test_split_is_stratified_and_deterministic():
    X, y = planar.make_points("blobs", 300, 0.1, 0, classes=3)
    a = planar.split(X, y, 0.3, seed=1)
    b = planar.split(X, y, 0.3, seed=1)
    assert all(np.array_equal(p, q) for p, q in zip(a, b))
    x_train, y_train, x_test, y_test = a
    assert len(x_train) + len(x_test) == 300
    assert np.bincount(y_test).tolist() == [30, 30, 30]
    # Every point lands in exactly one part.
    merged = np.concatenate([x_train, x_test])
    assert len(np.unique(merged, axis=0)) == len(np.unique(X, axis=0))


def write(tmp_path, text, name="points.csv"):
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_a_good_csv_is_rescaled_per_axis_with_sorted_labels(tmp_path):
    path = write(tmp_path, "label,x2,x1\n10,0,100\n2,5,300\n2,10,200\n10,10,100\n\n")
    X, y, labels = planar.load_points_csv(path)
    assert labels == ["2", "10"]  # numeric labels in numeric order
    assert X.dtype == np.float32 and X.shape == (4, 2)
    assert X[:, 0].tolist() == [-1.0, 1.0, 0.0, -1.0] and X[:, 1].tolist() == [-1.0, 0.0, 1.0, 1.0]
    assert y.tolist() == [1, 0, 0, 1]
    points = planar.read_points_csv(path)
    assert np.allclose(points.x * points.scale + points.offset,
                       [[100, 0], [300, 5], [200, 10], [100, 10]])
    _, _, names = planar.load_points_csv(write(tmp_path, "X1, X2 ,Label\n0,0,red\n1,1,blue\n"))
    assert names == ["blue", "red"]


def big_csv(rows: int) -> str:
    rng = np.random.default_rng(0)
    values = rng.random((rows, 2))
    return "x1,x2,label\n" + "\n".join(f"{a:.3f},{b:.3f},{i % 2}" for i, (a, b) in
                                       enumerate(values))


@pytest.mark.parametrize("content, message", [
    ("a,b,c\n1,2,3\n", "needs the columns x1, x2, label.*found 'a', 'b', 'c'"),
    ("x1,x2\n1,2\n", r"missing label"),
    ("x1,x2,label\n1,2,a\n3,4,a\n", "only one class"),
    ("x1,x2,label\n" + "\n".join(f"{i},{i},c{i}" for i in range(11)), "11 classes; at most 10"),
    ("x1,x2,label\n1,2,a\n3,oops,b\n", r"row 3: x2='oops' is not a number"),
    ("x1,x2,label\n1,2,a\nnan,4,b\n", "row 3: x1='nan' is not a finite number"),
    ("x1,x2,label\n1,2,a\n3,inf,b\n", "row 3: x2='inf' is not a finite number"),
    ("", "the CSV is empty"),
    ("\n\n  \n", "the CSV is empty"),
    ("x1,x2,label\n", "no rows"),
    ("x1,x2,label\n1,2\n", "row 2 has 2 fields"),
    ("x1,x2,label\n1,2,\n3,4,b\n", "row 2: the label is empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary, not a CSV"),
    (b"x1,x2,label\n1,2,caf\xe9\n", "not UTF-8"),
])
def test_every_bad_csv_gives_one_learner_readable_line(tmp_path, content, message):
    path = write(tmp_path, content)
    with pytest.raises(ValueError, match=message) as caught:
        planar.load_points_csv(path)
    text = str(caught.value)
    assert "\n" not in text and str(tmp_path) not in text and "Traceback" not in text


def test_too_many_rows_is_refused_quickly(tmp_path):
    path = write(tmp_path, big_csv(200_000))
    started = time.perf_counter()
    with pytest.raises(ValueError, match="more than 50,000 rows") as caught:
        planar.load_points_csv(path)
    assert time.perf_counter() - started < 3
    assert "\n" not in str(caught.value)
    X, y, labels = planar.load_points_csv(write(tmp_path, big_csv(planar.MAX_ROWS), "max.csv"))
    assert len(X) == planar.MAX_ROWS and labels == ["0", "1"]
