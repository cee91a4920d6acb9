"""AppTest: the router, the home page and the autoencoder page, without a browser."""

import json
import subprocess
import sys

import pytest
from streamlit.testing.v1 import AppTest

from ui.navigation import GROUPS

from apptest_helpers import image_captions, open_app_page
from conftest import ROOT, TINY_AE
from make_files import digit_png

AE_PAGE = "app_pages/autoencoder.py"


def app() -> AppTest:
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)


def test_home_links_every_page_and_sidebar_shows_compute():
    at = app().run()
    assert not at.exception
    assert at.title[0].value == "DL Lab"
    sidebar = " ".join(m.value for m in at.sidebar.markdown)
    assert "Device:" in sidebar and "CPU" in sidebar and "Keras backend:" in sidebar
    assert "Model cache:" in sidebar
    headers = [h.value for h in at.subheader]
    assert headers == list(GROUPS)


def test_home_renders_without_importing_tensorflow():
    code = ("import sys, time; from streamlit.testing.v1 import AppTest; t = time.perf_counter(); "
            "at = AppTest.from_file('app.py', default_timeout=60).run(); "
            "import json; print(json.dumps({'exception': bool(at.exception), "
            "'tf': 'tensorflow' in sys.modules, 'keras': 'keras' in sys.modules, "
            "'seconds': time.perf_counter() - t}))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         timeout=120, check=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    assert result == {**result, "exception": False, "tf": False, "keras": False}


def open_autoencoder(params: dict) -> AppTest:
    return open_app_page(AE_PAGE, params, timeout=60)


def test_untrained_setting_invites_training(tiny_autoencoder):
    at = open_autoencoder(dict(TINY_AE, bottleneck=3))
    assert not at.exception
    assert any("has not been trained yet" in i.value for i in at.info)


def test_cached_result_shows_at_once(tiny_autoencoder):
    at = open_autoencoder(TINY_AE)
    assert not at.exception
    labels = [m.label for m in at.metric]
    assert "Validation MSE" in labels and "Baseline MSE (mean image)" in labels
    assert any("built-in digits" in i.value for i in at.info)  # the page names its data source
    assert at.slider(key="autoencoder_epoch").max == TINY_AE["epochs"]
    assert at.slider(key="autoencoder_bottleneck").value == 2  # the URL filled the form


def test_bad_link_value_is_ignored_with_a_warning(tiny_autoencoder):
    at = open_autoencoder(dict(TINY_AE, bottleneck=999))
    assert not at.exception
    assert any("Ignored a setting from the link" in w.value for w in at.warning)


def test_good_upload_is_reconstructed(tiny_autoencoder):
    at = open_autoencoder(TINY_AE)
    at.file_uploader(key="autoencoder_upload").set_value(("one.png", digit_png(), "image/png"))
    at.run()
    assert not at.exception and not at.error
    captions = image_captions(at)
    assert {"original grayscale", "28×28"} <= set(captions)  # the conversion steps are shown
    assert any(c.startswith("reconstruction (MSE") for c in captions)


@pytest.mark.parametrize("name,payload", [("broken.png", b"\x89PNG\r\n\x1a\n garbage"),
                                          ("empty.jpg", b""), ("notes.png", b"hello world")])
def test_bad_upload_shows_error_not_traceback(tiny_autoencoder, name, payload):
    at = open_autoencoder(TINY_AE)
    at.file_uploader(key="autoencoder_upload").set_value((name, payload, "image/png"))
    at.run()
    assert not at.exception
    assert at.error and all(e.value for e in at.error)


def test_widgets_are_drawn_from_the_sessions_setting(tiny_autoencoder):
    """Streamlit drops widget state after a run cut short; the widgets must then come back at the
    session's setting (kept under our own key), not at their minimums."""
    from dl_core.topics.autoencoder import SCHEMA

    at = app()
    at.switch_page(AE_PAGE)
    at.session_state["autoencoder_params"] = SCHEMA.canonical(TINY_AE)  # no widget state at all
    at.run()
    assert not at.exception
    assert at.select_slider(key="autoencoder_learning_rate").value == 0.002
    assert at.selectbox(key="autoencoder_batch_size").value == TINY_AE["batch_size"]
    assert at.slider(key="autoencoder_bottleneck").value == TINY_AE["bottleneck"]
    assert "Validation MSE" in [m.label for m in at.metric]  # the cached setting, not another
