"""A class on one machine: deploy/classroom.sh's Ray head, two Streamlit replicas and nginx in
front with sticky sessions; two learners on two replicas train one setting once."""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Error as PlaywrightError

from conftest import ROOT, TINY_AE, free_port, screenshot, upload_into, wait_for_images

pytestmark = [pytest.mark.browser, pytest.mark.ray]

SCRIPT = ROOT / "deploy" / "classroom.sh"
NGINX = "/usr/sbin/nginx"
SETTING = dict(TINY_AE, bottleneck=3, epochs=2)  # no other test trains it


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _replica_ports() -> int:
    """A first port with the next one free too (the replicas take consecutive ports)."""
    for _ in range(50):
        first = free_port()
        if first < 65535 and _port_free(first + 1):
            return first
    raise RuntimeError("no two consecutive free ports")


def _get(url: str, cookie: str | None = None) -> tuple[str, str | None]:
    """(the replica that answered, our Set-Cookie or None) for a GET with that replica cookie."""
    request = urllib.request.Request(url, headers={"Cookie": f"dllab_replica={cookie}"} if cookie else {})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
        ours = [c for c in response.headers.get_all("Set-Cookie") or [] if c.startswith("dllab_replica=")]
        assert len(ours) <= 1, ours
        return response.headers["X-DL-Lab-Replica"], (ours or [None])[0]


@pytest.fixture(scope="module")
def classroom(tmp_path_factory):
    if not os.path.exists(NGINX):
        pytest.fail(f"{NGINX} is missing: `make test` installs Debian's nginx")
    folder = tmp_path_factory.mktemp("classroom")
    env = dict(os.environ, REPLICAS="2", PORT=str(free_port()), REPLICA_PORT=str(_replica_ports()),
               RAY_PORT=str(free_port()), BIND_ADDRESS="127.0.0.1", STOP_TIMEOUT="10",
               DL_LAB_RUN_DIR=str(folder / "run"), DL_LAB_CACHE_DIR=str(folder / "cache"),
               DL_LAB_STRICT_PAGES="0", PY=sys.executable)
    env.pop("DL_LAB_RAY_ADDRESS", None)  # always our own head
    try:
        started = subprocess.run([str(SCRIPT), "start"], check=False, env=env, capture_output=True, text=True,
                                 timeout=300)
        if started.returncode != 0:
            logs = "\n".join(f"--- {log.name}\n{log.read_text()[-3000:]}"
                             for log in sorted((folder / "run" / "logs").glob("*.log")))
            pytest.fail(f"classroom.sh start failed:\n{started.stdout}{started.stderr}\n{logs}")
        yield {"url": f"http://127.0.0.1:{env['PORT']}", "env": env, "cache": folder / "cache",
               "run": folder / "run", "start": started.stdout}
    finally:
        stopped = subprocess.run([str(SCRIPT), "stop"], check=False, env=env, capture_output=True, text=True,
                                 timeout=120)
        assert stopped.returncode == 0, stopped.stdout + stopped.stderr
        status = subprocess.run([str(SCRIPT), "status"], check=False, env=env, capture_output=True,
                                text=True)
        assert status.returncode == 3, status.stdout  # nothing left running


def _png() -> dict:
    from PIL import Image, ImageDraw

    image = Image.new("L", (56, 56), 0)
    ImageDraw.Draw(image).ellipse((12, 8, 44, 48), outline=255, width=6)  # a zero, roughly
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return {"name": "my-zero.png", "mimeType": "image/png", "buffer": buffer.getvalue()}


def test_the_proxy_is_sticky_by_cookie(classroom):
    health = f"{classroom['url']}/_stcore/health"
    drawn = set()
    for _ in range(20):  # no cookie: a replica is drawn and the cookie names it
        replica, cookie = _get(health)
        assert cookie is not None and re.fullmatch(
            rf"dllab_replica={replica}; Path=/; HttpOnly; SameSite=Lax", cookie), (replica, cookie)
        drawn.add(replica)
    assert drawn == {"r1", "r2"}  # 20 draws at 50 %: both, but for 1 chance in 500,000
    for replica in ("r1", "r2", "r2", "r1"):  # a cookie: always that replica, and no new cookie
        assert _get(health, cookie=replica) == (replica, None)
    replica, cookie = _get(health, cookie="r9")  # no such replica (any more): drawn afresh
    assert cookie is not None and cookie.startswith(f"dllab_replica={replica};")


def test_two_learners_on_two_replicas_train_one_setting_once(classroom, browser):
    url, cache = classroom["url"], classroom["cache"]
    link = f"{url}/autoencoder?{urlencode(SETTING)}"
    contexts = []
    learners = []
    try:
        for replica in ("r1", "r2"):
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            context.add_cookies([{"name": "dllab_replica", "value": replica, "url": url}])
            contexts.append(context)
            learner = context.new_page()
            learner.set_default_timeout(60_000)
            response = learner.goto(link)
            assert response.headers["x-dl-lab-replica"] == replica  # each on their own replica
            _wait_for_text(learner, "has not been trained yet")  # the websocket works
            learners.append(learner)
        ada, bob = learners
        ada.get_by_role("button", name="Train", exact=True).click()
        # Bob presses Train on his replica too. His page may already have moved on (it notices a
        # finished entry in the shared cache within 2 s), so a vanished button is no failure.
        with contextlib.suppress(PlaywrightError):  # a timeout, or a button gone while clicked
            bob.get_by_role("button", name="Train", exact=True).click(timeout=5_000)
        facts = []
        for learner in learners:
            _wait_for_text(learner, "Validation MSE", timeout=180_000)
            learner.get_by_text("Reconstruct your own image").wait_for()
            assert learner.get_by_text("Something went wrong").count() == 0
            facts.append(learner.get_by_text(re.compile(r"^Trained in [\d.]+ s")).first.inner_text())
        assert facts[0] == facts[1], facts  # both show the one training (its seconds, its versions)

        entries = [meta for meta in (cache / "models" / "autoencoder").glob("*/meta.json")
                   if not meta.parent.name.startswith(".")]
        assert len(entries) == 1, entries  # trained once, into the replicas' shared cache
        launched = _ray_trainings_launched(classroom["run"])
        if launched is not None:  # DL_LAB_JOBS=ray (classroom.sh's default): one Ray task in all
            assert launched == 1

        # An upload goes through the proxy to the learner's own replica, and back as a picture.
        upload_into(bob, "An image", [_png()])
        bob.get_by_text(re.compile(r"reconstruction \(MSE [\d.]+\)")).wait_for(timeout=120_000)
        wait_for_images(bob, at_least=2)
        screenshot(ada, "classroom-learner-1-replica-1")
        screenshot(bob, "classroom-learner-2-replica-2")
    except BaseException:
        for number, learner in enumerate(learners, start=1):  # CI shows text: what each one saw
            try:
                path = screenshot(learner, f"FAILED-classroom-learner-{number}")
                text = learner.locator("[data-testid='stMain']").inner_text(timeout=5_000)
                print(f"--- learner {number} ({learner.url}; {path}) ---\n{text[-3000:]}")
            except Exception as error:  # noqa: BLE001 - never hide the real failure
                print(f"(could not describe learner {number}: {error})")
        raise
    finally:
        for context in contexts:
            context.close()


def _wait_for_text(page, text: str, timeout: float = 60_000) -> None:
    """Until `text` shows; a page that shows its error line instead fails at once, with it."""
    trouble = page.get_by_text("Something went wrong")
    page.get_by_text(text).or_(trouble).first.wait_for(timeout=timeout)
    if trouble.count():
        pytest.fail(f"{page.url}: {trouble.first.inner_text()}")


def _ray_trainings_launched(run_dir: Path) -> int | None:
    """`Ray trainings launched: K` from `dl_core info` with the classroom's settings (its `env`
    file), or None where the classroom runs its trainings locally (DL_LAB_JOBS=local)."""
    settings = dict(os.environ)
    for line in (run_dir / "env").read_text().splitlines():
        match = re.match(r"export (\w+)=(.*)$", line)
        if match:
            settings[match.group(1)] = shlex.split(match.group(2))[0]
    if settings.get("DL_LAB_JOBS") != "ray":
        return None
    info = subprocess.run([sys.executable, "-m", "dl_core", "info"], check=False, env=settings, cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert info.returncode == 0, info.stderr
    match = re.search(r"^Ray trainings launched: (\d+)$", info.stdout, re.MULTILINE)
    assert match, info.stdout
    return int(match.group(1))
