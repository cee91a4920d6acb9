"""Every page × every uploader × a dozen malformed files: each answered in the page, none raises.

The suite runs with DL_LAB_STRICT_PAGES=1, so an exception that the page boundary would have
turned into one line reaches AppTest here as an exception: this sweep sees every crash.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from dl_core.data.image_folders import store_class_uploads
from dl_core.data.transfer_target import uploads_root
from dl_core.engine.cache import ModelCache
from dl_core.engine.runner import resolve, train_or_load
from dl_core.topics import transfer as transfer_topic
from ui.text import shown

from apptest_helpers import open_app_page
from conftest import ROOT, TINY_AE
from make_files import hostile_images, hostile_zips, solid_image, zip_bytes
from segmentation_fixtures import TINY as TINY_SEGMENTATION
from segmentation_fixtures import train_tiny
from transfer_helpers import TINY as TINY_TRANSFER
from transfer_helpers import TINY_SOURCE, class_uploads
from vae_fixtures import TINY_VAE, tiny_vae  # noqa: F401


def bad_images() -> dict[str, bytes]:
    return {**hostile_images(),
            "empty file": b"",
            "a PDF": b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
            "a zip named .png": zip_bytes({"a.txt": b"x"}),
            "HTML with a script": b"<html><script>alert(1)</script></html>",
            "2×300 sliver": solid_image(2, 300),
            "blank white 64²": solid_image(64, 64, (255, 255, 255))}


def bad_csvs() -> dict[str, bytes]:
    header = "Date,Close\n"
    return {
        "empty": b"",
        "binary": bytes(range(256)) * 4,
        "header only": header.encode(),
        "one column": b"Close\n1\n2\n3\n",
        "text prices": (header + "".join(f"2020-01-{d:02d},abc\n" for d in range(1, 29))).encode(),
        "NaN prices": (header + "".join(f"2020-01-{d:02d},NaN\n" for d in range(1, 29))).encode(),
        "dates twice": (header + "2020-01-01,1\n" * 40).encode(),
        "latin-1": "Date,Cl\xf4ture\n2020-01-01,1\n".encode("latin-1"),
        "semicolons": b"Date;Close\n2020-01-01;1\n2020-01-02;2\n",
        "a markdown link as a column": b"Date,[click](http://evil/x)\n2020-01-01,1\n2020-01-02,2\n",
        "past the row cap": (header + "2020-01-01,1\n" * 100_001).encode(),
        "one enormous line": b"Date,Close\n" + b"9" * 2_000_000 + b"\n",
        "unbalanced quotes": b'Date,Close\n"2020-01-01,1\n2020-01-02,2\n',
    }


def bad_zips() -> dict[str, bytes]:
    return {**hostile_zips(), "empty file": b"", "a PNG named .zip": solid_image(20, 20),
            "text": b"hello\n" * 50}


EXTENSIONS = {"image/png": ".png", "text/csv": ".csv", "application/zip": ".zip"}


def sweep(at: AppTest, key: str, files: dict[str, bytes], mime: str, multiple: bool = False) -> None:
    """Each file under the extension the uploader accepts (Streamlit checks it): the content lies."""
    for name, data in files.items():
        upload = (f"{name}{EXTENSIONS[mime]}", data, mime)
        value = [upload] if multiple else upload
        at.file_uploader(key=key).set_value(value).run()
        assert not at.exception, (key, name, at.exception)
        errors = [e.value for e in at.error if "Something went wrong" in e.value]
        assert not errors, (key, name, errors)


@pytest.fixture(scope="module")
def tiny_transfer():
    saved = transfer_topic.SOURCE_PARAMS
    transfer_topic.SOURCE_PARAMS = TINY_SOURCE  # the page runs in this process and sees it too
    data = str(store_class_uploads(class_uploads(5), uploads_root()))
    params = transfer_topic.strategy_params(dict(TINY_TRANSFER, strategy="feature"), "feature")
    train_or_load(resolve("transfer", params, data=data), ModelCache())
    yield params
    transfer_topic.SOURCE_PARAMS = saved


def test_autoencoder_upload(tiny_autoencoder):
    sweep(open_app_page("app_pages/autoencoder.py", TINY_AE), "autoencoder_upload", bad_images(), "image/png")


def test_vae_upload(tiny_vae):  # noqa: F811 - the fixture imported above
    sweep(open_app_page("app_pages/vae.py", TINY_VAE), "vae_upload", bad_images(), "image/png")


def test_segmentation_upload():
    train_tiny()
    sweep(open_app_page("app_pages/segmentation.py", TINY_SEGMENTATION), "segmentation_upload",
          bad_images(), "image/png")


def test_kernels_upload():
    # AppTest's switch_page finds a page by its file name, and this page's URL differs from it.
    at = AppTest.from_file(str(ROOT / "app_pages" / "padding_stride_kernels.py"), default_timeout=60).run()
    sweep(at, "kernels_upload", bad_images(), "image/png")


def test_lstm_csv_upload():
    at = open_app_page("app_pages/lstm.py", {})
    at.radio(key="lstm_data_choice").set_value("Upload a CSV").run()
    sweep(at, "lstm_upload", bad_csvs(), "text/csv")


def test_gan_points_upload():
    sweep(open_app_page("app_pages/gan.py", {}), "gan_points_csv", bad_csvs(), "text/csv")


def test_transfer_zip_upload():
    at = open_app_page("app_pages/transfer.py", {})
    at.radio(key="transfer_data_kind").set_value("My own classes").run()
    at.radio(key="transfer_own_how").set_value("a zip of class folders").run()
    sweep(at, "transfer_zip", bad_zips(), "application/zip")


def test_transfer_class_and_photo_uploads(tiny_transfer):
    at = open_app_page("app_pages/transfer.py", tiny_transfer)
    at.radio(key="transfer_data_kind").set_value("My own classes").run()
    sweep(at, "transfer_class_files_0", bad_images(), "image/png", multiple=True)
    for index, (name, images) in enumerate(class_uploads(5)):
        at.text_input(key=f"transfer_class_name_{index}").input(name)
        at.file_uploader(key=f"transfer_class_files_{index}").set_value(
            [(f"{name}{i}.png", data, "image/png") for i, data in enumerate(images)])
    at.run()
    [b for b in at.button if b.label == "Train"][0].click().run()
    assert any(m.label.startswith("Validation accuracy") for m in at.metric)  # the cached result
    sweep(at, "transfer_upload", bad_images(), "image/png")


def test_a_markdown_file_name_is_shown_literally(tiny_autoencoder):
    at = open_app_page("app_pages/autoencoder.py", TINY_AE)
    name = "[Session expired: log in again](http://evil/login).png"
    at.file_uploader(key="autoencoder_upload").set_value((name, solid_image(1500, 1000), "image/png")).run()
    captions = [c.value for c in at.caption if "Session expired" in c.value]
    assert captions and all("](http://" not in c for c in captions)  # not markdown link syntax
    assert any(name in shown(c) for c in captions)  # and a reader sees the name exactly


@pytest.mark.parametrize("choice,radio,key", [
    ("Your own CSV", "mlp_perc_set", "mlp_perc_upload"),
    ("Your own CSV", "mlp_data_choice", "mlp_upload")])
def test_perceptron_mlp_csv_uploads(choice, radio, key):
    # Opened as a file, like the kernels page: its URL path (perceptron-mlp) is not its file name.
    at = AppTest.from_file(str(ROOT / "app_pages" / "perceptron_mlp.py"), default_timeout=60).run()
    at.radio(key=radio).set_value(choice).run()
    sweep(at, key, bad_csvs(), "text/csv")
    assert len(at.error) == 1 and at.error[0].value.startswith("This CSV cannot be used")
