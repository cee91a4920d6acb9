"""AppTest: the router, the home page and the autoencoder page, without a browser."""

import json
import subprocess
import sys

import pytest
from streamlit.testing.v1 import AppTest

from ui.navigation import GROUPS
from ui.text import shown

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
    assert "Models:" in sidebar and "Datasets:" in sidebar and "Uploads:" in sidebar
    assert "Trainings:** on this machine, 1 at a time" in sidebar  # the local executor (default)
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
    setting = SCHEMA.canonical(TINY_AE)
    at.session_state["autoencoder_params"] = setting  # no widget state at all
    at.run()
    assert not at.exception
    assert at.select_slider(key="autoencoder_learning_rate").value == setting["learning_rate"]
    assert at.selectbox(key="autoencoder_batch_size").value == TINY_AE["batch_size"]
    assert at.slider(key="autoencoder_bottleneck").value == TINY_AE["bottleneck"]
    assert "Validation MSE" in [m.label for m in at.metric]  # the cached setting, not another


# --- nothing lost, nothing crashes ------------------------------------------------------------

def test_a_markdown_link_in_the_query_string_stays_text(tiny_autoencoder):
    at = open_app_page("app_pages/autoencoder.py",
                       dict(TINY_AE, bottleneck="[Session expired: log in again](http://evil/login)"))
    assert not at.exception
    warnings = [w.value for w in at.warning if "Ignored a setting from the link" in w.value]
    assert warnings and all("](http://" not in w for w in warnings)
    assert any("'[Session expired: log in again](http://evil/login)'" in shown(w) for w in warnings)
    image = open_app_page("app_pages/autoencoder.py", dict(TINY_AE, bottleneck="![p](http://host/pixel.png)"))
    assert not any("![p](" in w.value for w in image.warning)


def test_a_damaged_model_is_retrained_and_the_page_says_so(tmp_path):
    from dl_core.engine.cache import ModelCache
    from dl_core.engine.jobs import get_manager
    from dl_core.engine.runner import resolve, train_or_load

    params = dict(TINY_AE, bottleneck=3)  # a setting of its own: other tests keep theirs
    entry, _ = train_or_load(resolve("autoencoder", params), ModelCache())
    entry.model_path.write_bytes(entry.model_path.read_bytes()[:1000])  # a killed copy
    at = open_app_page("app_pages/autoencoder.py", params)
    assert not at.exception
    assert "The saved model for this setting was damaged; training it again." in [w.value for w in at.warning]
    job = get_manager().find_active(resolve("autoencoder", params).key)
    assert job is not None  # it is training again, for everyone who asks
    get_manager().cancel(job)


def test_an_unexpected_error_is_one_line_without_server_paths(monkeypatch):
    import ui.lstm.data  # only the page script imports choose_data, and afresh on every run

    def broken(*args, **kwargs):
        raise RuntimeError("boom reading /root/.cache/dl-lab/models/lstm/abc/model.keras")

    monkeypatch.setenv("DL_LAB_STRICT_PAGES", "0")  # as a real server runs
    monkeypatch.setattr(ui.lstm.data, "choose_data", broken)
    at = open_app_page("app_pages/lstm.py", {})
    assert not at.exception
    errors = [shown(e.value) for e in at.error]
    assert errors and errors[0].startswith("Something went wrong on this page: RuntimeError: boom "
                                           "reading model.keras.")
    details = " ".join(c.value for c in at.code)
    assert "Traceback" in details and "/root/" not in details and "/work/" not in details
