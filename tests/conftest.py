"""Shared test set-up: offline, a private model cache, fast fake topics, a live app and a browser.

The environment is set at import time, before any test imports dl_core, so that worker
processes spawned by the engine inherit it too.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"
CHROMIUM = "/usr/bin/chromium"

_SESSION_CACHE = tempfile.mkdtemp(prefix="dl-lab-test-cache-")
os.environ.update({
    "DL_LAB_OFFLINE": "1",  # never probe the network from tests
    "DL_LAB_CACHE_DIR": _SESSION_CACHE,
    "DL_LAB_DATA_DIR": os.path.join(_SESSION_CACHE, "datasets"),
    "DL_LAB_EXTRA_TOPICS": "fake=fake_topics,fake_staged=fake_staged",
    "DL_LAB_STRICT_PAGES": "1",  # a page's crash reaches AppTest as an exception (tests/pages)
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests"),
                                   os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
})
os.environ.pop("DL_LAB_MNIST_NPZ", None)
for path in (str(ROOT), str(ROOT / "tests")):
    if path not in sys.path:
        sys.path.insert(0, path)

from tiny_settings import TINY_AE  # noqa: E402  (the tests import it from here)


@pytest.fixture
def cache_dir(tmp_path, monkeypatch) -> Path:
    """A private, empty model cache for one test."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("DL_LAB_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is absent (real-format fixtures are optional)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def tiny_autoencoder():
    """A tiny autoencoder trained once into the session cache; AppTests show it from there."""
    from dl_core.engine.cache import ModelCache
    from dl_core.engine.runner import resolve, train_or_load

    entry, _ = train_or_load(resolve("autoencoder", TINY_AE), ModelCache(_SESSION_CACHE))
    return entry


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_health(url: str, process: subprocess.Popen, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited early with code {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"streamlit did not become healthy at {url} within {timeout} s")


@pytest.fixture(scope="session")
def app_url(tmp_path_factory):
    """A real `streamlit run app.py` on a free loopback port, with its own empty cache."""
    port = free_port()
    env = dict(os.environ, DL_LAB_CACHE_DIR=str(tmp_path_factory.mktemp("app-cache")),
               DL_LAB_STRICT_PAGES="0")  # as a real server runs: the page boundary is on
    log = open(tmp_path_factory.mktemp("logs") / "streamlit.log", "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true",
         "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_health(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--disable-sync"])
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    report = getattr(request.node, "call_report", None)
    if report is not None and report.failed:
        _describe_failed_page(page, request.node.name)
    context.close()


def pytest_collection_modifyitems(items):
    """The gallery runs after the other browser tests: it reuses the settings they train (the
    shared server's cache then answers it), and they need those settings untrained at first.
    The backend comparison runs last: the topic tests have trained its TensorFlow half by then,
    and its JAX half (started in the background at collection) has had the whole run to finish."""
    gallery = [item for item in items if item.path.name == "test_gallery.py"]
    if gallery:
        rest = [item for item in items if item.path.name != "test_gallery.py"]
        last_browser = max((i for i, item in enumerate(rest) if "browser" in item.path.parts),
                           default=-1)
        items[:] = rest[:last_browser + 1] + gallery + rest[last_browser + 1:]
    items.sort(key=lambda item: item.get_closest_marker("backends") is not None)  # stable


# The runs of tests/backends under other backends: backend -> {"process", "out", "stderr"}.
BACKEND_RUNS: dict = {}
BACKEND_SMOKE = ROOT / "tests" / "backends" / "backend_smoke.py"


def pytest_collection_finish(session):
    if not session.config.option.collectonly and any(
            item.get_closest_marker("backends") for item in session.items):
        start_backend_run("jax")


def backend_env(backend: str, **extra: str) -> dict:
    return {**os.environ, "KERAS_BACKEND": backend, **extra,
            "PYTHONPATH": os.pathsep.join([str(BACKEND_SMOKE.parent), os.environ["PYTHONPATH"]])}


def start_backend_run(backend: str) -> dict:
    """Train every topic's tiny setting under KERAS_BACKEND=backend in a background process,
    into its own cache and datasets folders, at low priority (the suite's own tests come first)."""
    if backend in BACKEND_RUNS:
        return BACKEND_RUNS[backend]
    folder = Path(tempfile.mkdtemp(prefix=f"dl-lab-{backend}-run-"))
    stderr = open(folder / "stderr.txt", "w")  # noqa: SIM115 - the process outlives this call
    process = subprocess.Popen(
        [sys.executable, str(BACKEND_SMOKE), "train", str(folder / "out.json"), str(folder / "cache")],
        env=backend_env(backend, DL_LAB_DATA_DIR=str(folder / "datasets")),
        stdout=subprocess.DEVNULL, stderr=stderr, preexec_fn=lambda: os.nice(10))
    BACKEND_RUNS[backend] = {"process": process, "out": folder / "out.json",
                             "stderr": folder / "stderr.txt"}
    return BACKEND_RUNS[backend]


def pytest_sessionfinish(session):
    for run in BACKEND_RUNS.values():
        if run["process"].poll() is None:
            run["process"].kill()  # a run stopped early (-x, Ctrl-C) leaves no process behind


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep the call phase's report on the test item, so the `page` fixture knows it failed."""
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.call_report = report


def _describe_failed_page(page, name: str) -> None:
    """CI shows only text: print what the learner would have seen, and keep a screenshot."""
    try:
        path = screenshot(page, f"FAILED-{name}")
        text = page.locator("[data-testid='stMain']").inner_text(timeout=5_000)
    except Exception as error:  # noqa: BLE001 - a diagnosis must never hide the real failure
        print(f"(could not describe the page: {error})")
        return
    print(f"--- the page at failure ({page.url}; screenshot {path}) ---\n{text[-4000:]}")


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot for a person to look at (into $DL_LAB_SHOTS/dl-lab-shots, or
    the temp folder's). Streamlit scrolls its main area inside the window, so a full_page shot
    alone stops at the window's height: the window is grown to the page's height for the shot."""
    folder = Path(os.environ.get("DL_LAB_SHOTS", tempfile.gettempdir())) / "dl-lab-shots"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    size = page.viewport_size
    height = page.evaluate("() => Math.max(...[...document.querySelectorAll("
                           "\"[data-testid='stMain'], [data-testid='stAppViewContainer']\")]"
                           ".map(e => e.scrollHeight), window.innerHeight)")
    page.set_viewport_size({"width": size["width"], "height": min(int(height) + 40, 12_000)})
    page.wait_for_timeout(700)  # charts re-lay themselves out for the new height
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(size)
    return path


def upload_into(page, label: str, files, attempts: int = 3) -> None:
    """Give `files` (a list of paths or of {"name", "mimeType", "buffer"}) to the file uploader
    labelled `label`, and wait until it lists the last one.

    By label, because a page can hold several uploaders and one drawn later by a rerun would
    shift any positional choice. Again if the list stays empty: files given while the page
    reruns (after the previous upload) can land in an uploader that is being replaced."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    last = files[-1] if isinstance(files, list) else files
    last_name = last["name"] if isinstance(last, dict) else Path(last).name
    uploader = page.locator("[data-testid='stFileUploader']").filter(has_text=label)
    for attempt in range(attempts):
        uploader.locator("input[type='file']").set_input_files(files)
        try:
            uploader.get_by_text(last_name, exact=True).wait_for(timeout=20_000)
            return
        except PlaywrightTimeout:
            if attempt == attempts - 1:
                raise


def wait_for_images(page, at_least: int = 1) -> None:
    """Until at least `at_least` st.image pictures are on the page and every one has loaded
    (a rerun replaces them, and the browser fetches each again: never assume it already did)."""
    page.wait_for_function(
        "n => { const imgs = [...document.querySelectorAll(\"[data-testid='stImage'] img\")];"
        " return imgs.length >= n && imgs.every(img => img.complete && img.naturalWidth > 0); }",
        arg=at_least)

