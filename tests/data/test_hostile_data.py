"""Hostile learner data answered in one line: damaged or tricky zips, odd .npz files, huge CSVs.

Every loader raises a ValueError that says what was wrong and what is accepted; the command
line turns it into one line and exit status 2 (tests/engine/test_cli.py checks that side).
"""

from __future__ import annotations

import numpy as np
import pytest

from dl_core.data import digits, image_folders, stocks, transfer_target

from make_files import hostile_zips, shape_png, two_class_zip_entries, zip_bytes

PNG = shape_png("round", 1)


EXPECTED = {
    "bad CRC": "is damaged",
    "lying local header": "is damaged",
    "encrypted entry": "password-protected",
    "file and folder with one name": "both a file and a folder named 'ants'",
    "the same name twice": "twice",
    "300-character name": "longer than 200 characters",
    "not a zip at all": "is not a readable zip",
    "an empty class folder": "'wasps' holds no files",
    "a single class": "only one class folder, 'ants'",
    "no class folders": "found no class folders",
}
HOSTILE_ZIPS = hostile_zips()


def test_every_hostile_zip_has_an_expected_answer():
    assert set(EXPECTED) == set(HOSTILE_ZIPS)


@pytest.mark.parametrize("case", sorted(HOSTILE_ZIPS))
def test_hostile_zip_is_refused_in_one_line(tmp_path, case):
    data, expected = HOSTILE_ZIPS[case], EXPECTED[case]
    path = tmp_path / "classes.zip"
    path.write_bytes(data)
    with pytest.raises(ValueError) as caught:
        transfer_target.find_target("ants_bees", str(path))
    message = str(caught.value)
    assert expected in message and "\n" not in message
    assert str(tmp_path) not in message  # the learner sees the file's name, not a server path


def test_a_good_zip_still_loads(tmp_path):
    path = tmp_path / "classes.zip"
    path.write_bytes(zip_bytes(two_class_zip_entries()))
    assert transfer_target.find_target("ants_bees", str(path)).name.endswith("ants, bees")


def test_store_class_uploads_refuses_an_overlong_class_name(tmp_path):
    with pytest.raises(ValueError, match="longer than 80 characters"):
        image_folders.store_class_uploads([("a" * 300, [PNG] * 3), ("b", [PNG] * 3)], tmp_path)


# --- digits files ---------------------------------------------------------------------------

def _npz(tmp_path, **arrays) -> str:
    path = tmp_path / "mnist.npz"
    np.savez(path, **arrays)
    return str(path)


@pytest.mark.parametrize("case, expected", [
    ("a folder", "is a folder: expected a Keras-layout mnist.npz"),
    ("pickled objects", "holds Python objects, not image arrays"),
    ("other arrays", "it has no array x_train, y_train, x_test, y_test (it has weights)"),
    ("wrong shapes", "x_train has shape (5, 10)"),
    ("not a zip", "could not be read as an .npz file: it is not a zip of arrays"),
])
def test_a_bad_digits_file_says_what_is_expected(tmp_path, case, expected):
    images = np.zeros((4, 28, 28), np.uint8)
    labels = np.zeros(4, np.int64)
    if case == "a folder":
        data = str(tmp_path)
    elif case == "pickled objects":
        data = _npz(tmp_path, x_train=np.array([{"a": 1}], dtype=object), y_train=labels,
                    x_test=images, y_test=labels)
    elif case == "other arrays":
        data = _npz(tmp_path, weights=np.zeros(3))
    elif case == "wrong shapes":
        data = _npz(tmp_path, x_train=np.zeros((5, 10)), y_train=labels, x_test=images, y_test=labels)
    else:
        (tmp_path / "mnist.npz").write_bytes(b"definitely not a zip")
        data = str(tmp_path / "mnist.npz")
    digits._read_real.cache_clear()
    with pytest.raises(ValueError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        digits.load_digits("digits", 4, data)


# --- CSVs -----------------------------------------------------------------------------------

def test_a_csv_past_the_row_cap_is_refused_before_parsing(monkeypatch):
    monkeypatch.setattr(stocks, "MAX_ROWS", 1000)
    rows = "".join(f"2020-01-01,{i}\n" for i in range(1500))
    with pytest.raises(ValueError, match="at most 1,000 days"):
        stocks.read_table(("Date,Close\n" + rows).encode())
