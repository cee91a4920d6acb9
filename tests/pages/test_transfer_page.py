"""AppTest of the transfer-learning page: own classes uploaded, trained, a photo predicted."""


import json

import pytest
from streamlit.testing.v1 import AppTest

from dl_core.data.image_folders import store_class_uploads
from dl_core.data.transfer_target import uploads_root
from dl_core.engine.cache import ModelCache
from dl_core.engine.runner import resolve, train_or_load
from dl_core.topics import transfer as topic
from ui.charts import CATEGORY_COLOURS

from apptest_helpers import image_captions, open_app_page
from make_files import shape_png, zip_bytes
from transfer_helpers import TINY, TINY_SOURCE, class_uploads

PAGE = "app_pages/transfer.py"
PARAMS = topic.strategy_params(dict(TINY, strategy="feature"), "feature")  # as the page keys it


@pytest.fixture(scope="module")
def trained():
    """The page's Train answers from the cache: the same uploads, trained here first, tiny."""
    saved = topic.SOURCE_PARAMS
    topic.SOURCE_PARAMS = TINY_SOURCE  # the page runs in this process, so it sees this too
    data = str(store_class_uploads(class_uploads(5), uploads_root()))
    entry, _ = train_or_load(resolve("transfer", PARAMS, data=data), ModelCache())
    yield entry
    topic.SOURCE_PARAMS = saved


def open_page(params: dict) -> AppTest:
    return open_app_page(PAGE, params, timeout=90)


def upload_classes(at: AppTest, uploads) -> AppTest:
    at.radio(key="transfer_data_kind").set_value("My own classes").run()
    for index, (name, images) in enumerate(uploads):
        at.text_input(key=f"transfer_class_name_{index}").input(name)
        at.file_uploader(key=f"transfer_class_files_{index}").set_value(
            [(f"{name}{i}.png", data, "image/png") for i, data in enumerate(images)])
    return at.run()


def test_upload_classes_train_and_predict(trained):
    at = upload_classes(open_page(PARAMS), class_uploads(5))
    assert not at.exception and not at.error
    train = [b for b in at.button if b.label == "Train"][0]
    train.click().run()
    assert not at.exception and not at.error
    labels = [m.label for m in at.metric]
    assert "Validation accuracy (feature extraction)" in labels and "From scratch (same images)" in labels
    assert any("your classes: round, square" in c.value for c in at.caption)  # names its data
    spec = json.loads(at.get("plotly_chart")[-1].proto.spec)  # the feature-space scatter
    colours = [trace["marker"]["color"] for trace in spec["data"]]
    assert colours == list(CATEGORY_COLOURS[:2])  # colour-blind-safe, not two similar blues
    at.file_uploader(key="transfer_upload").set_value(("photo.png", shape_png("round", 7, 80), "image/png"))
    at.run()
    assert not at.exception and not at.error
    captions = image_captions(at)
    assert "your photo (as the model sees it)" in captions
    assert any(c.startswith("Grad-CAM for") for c in captions)
    bars = [p for p in at.get("progress")]
    assert len(bars) == 2  # one bar per class, with its probability
    assert any("add up to 100 %" in c.value for c in at.caption)  # no class is "none of these"


def test_builtin_default_invites_training_and_shows_code():
    at = open_page({})
    assert not at.exception
    assert any("has not been trained yet" in i.value for i in at.info)
    assert any(e.label == "The Keras code of this model" for e in at.expander)


@pytest.mark.parametrize("names,counts,message", [
    (("cats", "Cats "), (3, 3), "duplicate class names"),
    (("a", "b"), (2, 3), "at least 3"),
    (("<a href=x>cats", "dogs"), (3, 3), "without slashes or angle brackets"),  # plotly reads HTML
])
def test_bad_classes_show_a_clear_error(names, counts, message):
    images = [class_uploads(3)[i][1][:count] for i, count in enumerate(counts)]
    at = upload_classes(open_page(PARAMS), list(zip(names, images)))
    assert not at.exception
    assert any(message in e.value for e in at.error)


def test_unreadable_files_are_listed_and_unsafe_zip_refused():
    uploads = [(name, images + [b"not an image"]) for name, images in class_uploads(3)]
    at = open_page(PARAMS)
    at.radio(key="transfer_data_kind").set_value("My own classes").run()
    for index, (name, images) in enumerate(uploads):
        at.text_input(key=f"transfer_class_name_{index}").input(name)
        at.file_uploader(key=f"transfer_class_files_{index}").set_value(
            [(f"{name}{i}.png", data, "image/png") for i, data in enumerate(images)])
    at.run()
    assert not at.exception
    assert any("Skipped files that are not readable images" in w.value and "round3.png" in w.value
               for w in at.warning)

    evil = zip_bytes({"ok/a.png": class_uploads(1)[0][1][0], "../evil.png": b"x"})
    at.radio(key="transfer_own_how").set_value("a zip of class folders").run()
    at.file_uploader(key="transfer_zip").set_value(("classes.zip", evil, "application/zip"))
    at.run()
    assert not at.exception
    assert any("outside the zip" in e.value for e in at.error)
