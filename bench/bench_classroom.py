"""Benchmark: one server under a class (issue #17), in real browsers.

    .venv/bin/python bench/bench_classroom.py [--learners 1,5,10,20,30] [--scenario A,B,C]
                                              [--out FILE] [--client-nice 19]

Modelled on Streamlit's own Playwright load harness: one headless Debian chromium holding one
browser context per learner (its own cookies, session and websocket), against one real
`streamlit run app.py` on a loopback port, offline, with a fresh model cache per scenario and N.

A "everyone watches": N learners open the autoencoder page's defaults (untrained), learner 1
  presses Train, all watch to the end. Per N: the training's wall and CPU seconds (its cache
  entry's meta.json) and their ratio to N = 1, the server's peak RSS and CPU share during the
  training (psutil on the streamlit process; its worker processes apart), the wait from the
  click until each learner sees the result, the watcher count the pages showed, trainings run.
B "everyone explores": N learners open the tiny setting, each moves the real Bottleneck slider
  (keyboard, in the form) to a value of its own, and all press Train at once: the queue positions
  the pages showed, the wait until all see their result, trainings run, errors.
C "after class": on B's server (now cached) every learner opens its setting again in a new page:
  navigation start until "Validation MSE" is on screen, all at once and then one at a time.

The browsers run on the same 2 cores as the server (in a class they are the learners' own
machines): they run at `--client-nice` (19 by default) so that the server and its worker get the
CPU first, and the table gives the live panel's polls the browsers actually sent per second, to
show the load was not starved away. Prints markdown tables; asserts nothing. Targets on 2 cores:
with 30 watchers the training takes at most 1.25 x its time with 1 watcher; the server stays
under 2 GB RSS; a cached result in <= 0.5 s.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlparse

import psutil

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
BROWSER_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update"]
TINY_AE = {"train_size": 200, "epochs": 1, "bottleneck": 2, "batch_size": 64}  # tests/tiny_settings.py
RESULT = "Validation MSE"  # the first metric of a shown result
UNTRAINED = "has not been trained yet"
STATUS_WORDS = r"Queued|Epoch|Starting|trained yet|watching|stopped|failed|cancelled|wrong"
MB = 2 ** 20

# Runs in every page before Streamlit's own scripts: 100 ms after each change of the page it notes,
# with the browser's clock, when the markers first appear, the queue positions and the watcher
# counts shown, and errors.
WATCH_JS = """
(() => {
  const b = window.__bench = {untrained: null, live: null, heading: null, result: null,
                              queue: [], watchers: 0, errors: []};
  let dirty = true, watched = null;
  const tick = () => {
    const main = document.querySelector("[data-testid='stMain']");
    if (!main) return;
    if (main !== watched) {  // look again only after the page changed: idle tabs stay idle
      new MutationObserver(() => { dirty = true; }).observe(
        main, {childList: true, subtree: true, characterData: true});
      watched = main;
      dirty = true;
    }
    if (!dirty) return;
    dirty = false;
    const text = main.textContent, now = Date.now();
    if (b.heading === null && main.querySelector("h1")) b.heading = now;
    if (b.untrained === null && text.includes("has not been trained yet")) b.untrained = now;
    if (b.live === null && text.includes("Cancel training")) b.live = now;
    const q = text.match(/Queued: position (\\d+)/);
    if (q && b.queue[b.queue.length - 1] !== +q[1]) b.queue.push(+q[1]);
    if (text.includes("learners are watching"))
      for (const el of main.querySelectorAll("p")) {
        const w = el.textContent.match(/^(\\d+) learners are watching/);
        if (w) b.watchers = Math.max(b.watchers, +w[1]);
      }
    if (b.result === null && text.includes("Validation MSE")) b.result = now;
    for (const bad of ["Something went wrong", "Training failed"])
      if (text.includes(bad) && !b.errors.includes(bad)) b.errors.push(bad);
    if (main.querySelector("[data-testid='stException']") && !b.errors.includes("exception"))
      b.errors.push("exception");
  };
  setInterval(tick, 100);
})();
"""


# -- the server --------------------------------------------------------------------------------
def free_port() -> int:  # as tests/conftest.py (not imported: it sets the tests' env at import)
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


def _normal_priority() -> None:
    try:  # the bench itself may run niced (see main): the server must not inherit that
        os.setpriority(os.PRIO_PROCESS, 0, 0)
    except OSError:
        pass


SERVER_COUNT = itertools.count(1)
STREAMLIT_OPTIONS: list[str] = []  # --streamlit-option NAME=VALUE, as `--NAME VALUE` (what-ifs)
NOMINAL_POLLS = 1 / 0.5  # ui/training.py's live panel reruns every 0.5 s while a learner watches


class Server:
    """`streamlit run app.py` with a fresh cache; a thread samples its RSS, its workers' RSS
    (its child processes) and its CPU seconds every 0.2 s."""

    def __init__(self, label: str, scratch: Path):
        label = f"{label}-{next(SERVER_COUNT)}"  # a fresh cache every time
        self.cache = scratch / f"cache-{label}"
        self.log_path = scratch / f"streamlit-{label}.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith("DL_LAB_")}
        env.update(DL_LAB_OFFLINE="1", DL_LAB_CACHE_DIR=str(self.cache),
                   DL_LAB_DATA_DIR=str(scratch / "datasets"), TF_CPP_MIN_LOG_LEVEL="2")
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self._log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true",
             "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false",
             *STREAMLIT_OPTIONS],
            cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT,
            preexec_fn=_normal_priority)
        SERVERS.add(self.process.pid)
        wait_for_health(self.url, self.process)
        self.ps = psutil.Process(self.process.pid)
        self.samples: list[tuple[float, float, float, float]] = []  # time, cpu s, rss, workers rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def tree(self) -> set[int]:
        try:
            return {self.ps.pid, *(child.pid for child in self.ps.children(recursive=True))}
        except psutil.Error:
            return {self.ps.pid}

    def cpu(self) -> float:
        times = self.ps.cpu_times()
        return times.user + times.system

    def _sample(self) -> None:
        while not self._stop.wait(0.2):
            try:
                with self.ps.oneshot():
                    now, cpu, rss = time.time(), self.cpu(), self.ps.memory_info().rss
                workers = 0
                for child in self.ps.children(recursive=True):
                    try:
                        workers += child.memory_info().rss
                    except psutil.Error:
                        pass
            except psutil.Error:
                return
            self.samples.append((now, cpu, rss, workers))

    def tree_cpu(self) -> float:
        """CPU seconds of the server and its live child processes (the workers)."""
        total = self.cpu()
        for child in self.ps.children(recursive=True):
            try:
                times = child.cpu_times()
                total += times.user + times.system
            except psutil.Error:
                pass
        return total

    def window(self, start: float, end: float) -> dict:
        """Peak RSS (server; workers summed) and the server's CPU share between two times."""
        inside = [s for s in self.samples if start <= s[0] <= end] or self.samples[-1:]
        before = [s for s in self.samples if s[0] <= start] or self.samples[:1]
        after = [s for s in self.samples if s[0] >= end] or self.samples[-1:]
        first, last = before[-1], after[0]
        wall = max(last[0] - first[0], 1e-6)
        return {"server_rss": max(s[2] for s in inside), "workers_rss": max(s[3] for s in inside),
                "cpu_share": (last[1] - first[1]) / wall}

    def entries(self, topic: str = "autoencoder") -> list[dict]:
        folder = self.cache / "models" / topic
        metas = []
        for meta in sorted(folder.glob("*/meta.json")) if folder.is_dir() else []:
            if not meta.parent.name.startswith("."):
                metas.append(json.loads(meta.read_text()))
        return metas

    def log_errors(self) -> int:
        self._log.flush()
        return self.log_path.read_text(errors="replace").count("Traceback")

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.process.terminate()
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)
        self._log.close()


SERVERS: set[int] = set()  # pids of the streamlit servers we started (their trees are not clients)


def client_processes() -> list[psutil.Process]:
    """This process and its descendants outside the servers' trees: Playwright's driver,
    chromium and its renderers, and the bench's own event loop."""
    me = psutil.Process()
    found = [me]
    for child in me.children():
        if child.pid in SERVERS:
            continue
        found.append(child)
        try:
            found.extend(child.children(recursive=True))
        except psutil.Error:
            pass
    return found


def renice_clients(nice: int) -> None:
    for process in client_processes()[1:]:
        try:
            if process.nice() < nice:
                process.nice(nice)
        except psutil.Error:
            pass


class ClientNicer:
    """Keeps the browsers at `nice`: chromium sets a foreground renderer's priority itself (to
    0, which it may as root), so a single renice at launch does not hold."""

    def __init__(self, nice: int):
        self.nice = nice
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(0.25):
            renice_clients(self.nice)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(2)


def machine_busy() -> float:
    """CPU seconds the whole machine has spent busy."""
    t = psutil.cpu_times()
    return t.user + t.nice + t.system + getattr(t, "irq", 0) + getattr(t, "softirq", 0) \
        + getattr(t, "steal", 0)


def client_cpu() -> float:
    total = 0.0
    for process in client_processes():
        try:
            times = process.cpu_times()
            total += times.user + times.system
        except psutil.Error:
            pass
    return total


# -- learners ----------------------------------------------------------------------------------
@dataclass
class Learner:
    index: int
    context: object
    page: object = None
    sent: int = 0  # websocket frames to the server (rerun requests, the live panel's polls)
    received_bytes: int = 0
    page_errors: list = field(default_factory=list)
    stuck: str = ""  # the page's status lines when a wait for its result ran out

    def hook(self, page) -> None:
        self.page = page
        page.set_default_timeout(180_000)
        page.on("pageerror", lambda error: self.page_errors.append(str(error)[:200]))
        page.on("websocket", self._websocket)

    def _websocket(self, ws) -> None:
        ws.on("framesent", self._sent)
        ws.on("framereceived", self._received)

    def _sent(self, payload) -> None:
        self.sent += 1

    def _received(self, payload) -> None:
        self.received_bytes += len(payload)

    async def marks(self) -> dict:
        return await self.page.evaluate("() => window.__bench")

    async def wait_result(self, timeout_s: float) -> dict | None:
        """The page's marks once the result is on screen; None if it did not come in time."""
        from playwright.async_api import Error as PlaywrightError

        try:
            await self.page.wait_for_function(
                "() => window.__bench && window.__bench.result !== null",
                polling=250, timeout=timeout_s * 1000)
            return await self.marks()
        except PlaywrightError:
            try:  # what the learner was left looking at, for the report
                text = await self.page.locator("[data-testid='stMain']").inner_text(timeout=10_000)
                self.stuck = " / ".join(line for line in text.splitlines()
                                        if re.search(STATUS_WORDS, line))[:300] or text[-300:]
            except PlaywrightError as error:
                self.stuck = f"(page unreadable: {str(error)[:80]})"
            return None


async def new_learner(browser, index: int) -> Learner:
    context = await browser.new_context(viewport={"width": 1400, "height": 1000},
                                        reduced_motion="reduce")
    await context.add_init_script(WATCH_JS)
    learner = Learner(index, context)
    learner.hook(await context.new_page())
    return learner


OPEN_TIMEOUT_S = 180  # a page that shows nothing in 3 minutes counts as not served
GIVE_UP_AFTER = 3  # pages not served, after which the rest are not tried (the server is gone)


async def open_learners(browser, n: int, url: str) -> tuple[list[Learner], int]:
    """N learners on `url`, four tabs booting at a time (30 at once only thrash the 2 cores);
    returns those whose page showed the untrained setting, and how many were not served."""
    from playwright.async_api import Error as PlaywrightError

    gate, failed = asyncio.Semaphore(4), []

    async def one(index: int) -> Learner | None:
        async with gate:
            if len(failed) >= GIVE_UP_AFTER:
                failed.append(index)
                return None
            learner = await new_learner(browser, index)
            try:
                await learner.page.goto(url, wait_until="commit", timeout=OPEN_TIMEOUT_S * 1000)
                await learner.page.get_by_text(UNTRAINED).wait_for(timeout=OPEN_TIMEOUT_S * 1000)
                return learner
            except PlaywrightError:
                failed.append(index)
                print(f"   learner {index}: page not served in {OPEN_TIMEOUT_S} s", file=sys.stderr,
                      flush=True)
                await learner.context.close()
                return None

    opened = await asyncio.gather(*(one(i) for i in range(n)))
    return [learner for learner in opened if learner is not None], len(failed)


async def close_all(learners: list[Learner]) -> None:
    await asyncio.gather(*(learner.context.close() for learner in learners), return_exceptions=True)


def per_second(learners: list[Learner], sent_before: list[int], seconds: float) -> float:
    return statistics.mean(l.sent - b for l, b in zip(learners, sent_before)) / max(seconds, 1e-6)


def quantiles(values: list[float]) -> tuple[float, float, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered) + 0.5) - 1))]
    return statistics.median(ordered), p95, ordered[-1]


# -- scenario A --------------------------------------------------------------------------------
async def scenario_a(browser, n: int, scratch: Path) -> dict:
    server = Server(f"A{n}", scratch)
    learners: list[Learner] = []
    try:
        learners, not_served = await open_learners(browser, n, f"{server.url}/autoencoder")
        row = {"n": n, "opened": len(learners), "not_served": not_served}
        if not learners:
            return dict(row, failed="no page was served")
        await asyncio.sleep(4)  # N idle pages: the "is anyone training this?" poll only
        idle_start, idle_cpu = time.time(), server.cpu()
        await asyncio.sleep(6)
        idle_share = (server.cpu() - idle_cpu) / (time.time() - idle_start)

        sent_before = [l.sent for l in learners]
        recv_before = [l.received_bytes for l in learners]
        client_before, tree_before, busy_before = client_cpu(), server.tree_cpu(), machine_busy()
        clicked = time.time()
        await learners[0].page.get_by_role("button", name="Train", exact=True).click()
        marks = await asyncio.gather(*(l.wait_result(1800) for l in learners))
        everyone = time.time()
        client_seconds = client_cpu() - client_before
        others = (machine_busy() - busy_before) - (server.tree_cpu() - tree_before) - client_seconds
        seen = [m for m in marks if m is not None]
        metas = server.entries()
        row.update(saw_result=len(seen), trainings=len(metas), idle_share=idle_share,
                   stuck=[f"learner {l.index}: {l.stuck}" for l, m in zip(learners, marks) if m is None],
                   errors=sum(bool(m["errors"]) for m in seen) + sum(bool(l.page_errors) for l in learners),
                   log_tracebacks=server.log_errors())
        if not metas or not seen:
            return dict(row, failed="no result within 30 minutes")
        meta = metas[0]
        trained_end = meta["created"]
        live = server.window(trained_end - meta["seconds"], trained_end)
        whole = server.window(clicked, everyone)
        waits = [m["result"] / 1000 - clicked for m in seen]
        row.update({
            "seconds": meta["seconds"],
            "fit_wall": sum(meta["epoch_seconds"]), "fit_cpu": sum(meta["epoch_cpu_seconds"]),
            "server_rss": whole["server_rss"], "workers_rss": whole["workers_rss"],
            "cpu_share": live["cpu_share"], "server_share": whole["cpu_share"],
            "wait_median": statistics.median(waits), "wait_max": max(waits),
            "watchers_shown": max(m["watchers"] for m in seen),
            "live_seen": sum(m["live"] is not None for m in seen),
            "polls": per_second(learners, sent_before, everyone - clicked),
            "kb_per_s": statistics.mean(l.received_bytes - b for l, b in zip(learners, recv_before))
            / 1024 / (everyone - clicked),
            "client_share": client_seconds / (everyone - clicked),
            "others_share": max(others, 0.0) / (everyone - clicked),
            "load": os.getloadavg()[0],
        })
        return row
    finally:
        await close_all(learners)
        server.stop()


# -- scenarios B and C -------------------------------------------------------------------------
def setting_for(index: int) -> dict:
    """Learner `index`'s own setting: the tiny one with the bottleneck moved `index` steps."""
    return dict(TINY_AE, bottleneck=2 + index % 63, epochs=1 + index // 63)


async def move_bottleneck(learner: Learner, steps: int) -> bool:
    """Move the form's Bottleneck slider `steps` to the right (left if negative) with the
    keyboard; True when the slider then shows the value expected."""
    slider = learner.page.get_by_role("slider", name="Bottleneck")
    await slider.wait_for()
    wanted = str(int(await slider.get_attribute("aria-valuetext")) + steps)
    if steps:
        await slider.focus()
        for _ in range(abs(steps)):
            await learner.page.keyboard.press("ArrowRight" if steps > 0 else "ArrowLeft")
    for _ in range(20):
        if await slider.get_attribute("aria-valuetext") == wanted:
            return True
        await asyncio.sleep(0.1)
    return False


async def scenario_b(browser, n: int, scratch: Path) -> tuple[dict, list[dict], Server, list]:
    """Returns B's row, each learner's figures, and the server and learners for C."""
    server = Server(f"BC{n}", scratch)
    learners: list[Learner] = []
    try:
        link = f"{server.url}/autoencoder?{urlencode(TINY_AE)}"
        learners, not_served = await open_learners(browser, n, link)
        row = {"n": n, "opened": len(learners), "not_served": not_served}
        if not learners:
            return dict(row, failed="no page was served"), [], server, learners
        via_slider = list(await asyncio.gather(*(move_bottleneck(l, l.index % 63) for l in learners)))
        fallback = [l for l, ok in zip(learners, via_slider) if not ok]
        for learner in fallback:  # the slider did not take the keys: the link instead
            await learner.page.goto(f"{server.url}/autoencoder?{urlencode(setting_for(learner.index))}")
            await learner.page.get_by_text(UNTRAINED).wait_for()
        sent_before = [l.sent for l in learners]
        clicked = time.time()
        await asyncio.gather(*(l.page.get_by_role("button", name="Train", exact=True).click()
                               for l in learners))
        marks = list(await asyncio.gather(*(l.wait_result(900) for l in learners)))
        everyone = time.time()
        await asyncio.sleep(1)
        per_learner = []
        for learner, mark in zip(learners, marks):
            query = parse_qs(urlparse(learner.page.url).query)
            per_learner.append({
                "index": learner.index, "bottleneck": int(query.get("bottleneck", ["16"])[0]),
                "wait": None if mark is None else mark["result"] / 1000 - clicked,
                "queue": [] if mark is None else mark["queue"],
                "errors": ([] if mark is None else mark["errors"]) + learner.page_errors,
                "stuck": learner.stuck})
        metas = server.entries()
        whole = server.window(clicked, everyone)
        waits = [p["wait"] for p in per_learner if p["wait"] is not None] or [float("nan")]
        firsts = sorted(p["queue"][0] for p in per_learner if p["queue"])
        row.update({
            "via_slider": sum(via_slider), "saw_result": sum(m is not None for m in marks),
            "settings": len({p["bottleneck"] for p in per_learner}),
            "wanted": all(p["bottleneck"] == setting_for(p["index"])["bottleneck"] for p in per_learner),
            "trainings": len(metas), "total": max(waits),  # until the last result that came
            "wait_median": statistics.median(waits), "wait_max": max(waits),
            "queued": len(firsts), "first_positions": firsts,
            "counted_down": all(p["queue"] == sorted(p["queue"], reverse=True) for p in per_learner),
            "train_seconds": statistics.median(m["seconds"] for m in metas) if metas else float("nan"),
            "server_rss": whole["server_rss"], "workers_rss": whole["workers_rss"],
            "cpu_share": whole["cpu_share"],
            "polls": per_second(learners, sent_before, everyone - clicked),
            "errored": sum(bool(p["errors"]) for p in per_learner),
            "error_texts": sorted({e for p in per_learner for e in p["errors"]}),
            "stuck": [p for p in per_learner if p["wait"] is None],
            "log_tracebacks": server.log_errors(),
        })
        return row, per_learner, server, learners
    except BaseException:
        await close_all(learners)
        server.stop()
        raise


async def reopen(learner: Learner, url: str) -> tuple[float, float, list]:
    """A new page in the learner's browser (its old one closed): seconds from navigation start
    to the heading and to the result on screen (nan if it did not come in 3 minutes)."""
    if learner.page is not None:
        await learner.page.close()
    learner.page_errors = []
    learner.hook(await learner.context.new_page())
    started = time.time()
    await learner.page.goto(url, wait_until="commit")
    mark = await learner.wait_result(180)
    if mark is None:
        return float("nan"), float("nan"), ["no result in 180 s"]
    return mark["heading"] / 1000 - started, mark["result"] / 1000 - started, \
        mark["errors"] + learner.page_errors


def latent_text(bottleneck: int) -> str:
    """Words only the result of this bottleneck shows (its latent-space paragraph)."""
    return ("bottleneck has exactly 2 numbers" if bottleneck == 2
            else f"bottleneck has {bottleneck} numbers")


async def in_tab(learner: Learner, steps: int) -> tuple[float, float, list]:
    """In the learner's open tab: move the slider `steps` to another trained setting and press
    Train; seconds from the click until that setting's result (its latent-space paragraph,
    below the metrics) is on screen."""
    from playwright.async_api import Error as PlaywrightError

    moved = await move_bottleneck(learner, steps)
    slider = learner.page.get_by_role("slider", name="Bottleneck")
    target = latent_text(int(await slider.get_attribute("aria-valuetext")))
    started = time.time()
    await learner.page.get_by_role("button", name="Train", exact=True).click()
    try:
        seen = await learner.page.wait_for_function(
            "t => { const m = document.querySelector(\"[data-testid='stMain']\");"
            " return m && m.textContent.includes(t) && m.textContent.includes('Validation MSE')"
            " ? Date.now() : null; }", arg=target, polling=50, timeout=180_000)
    except PlaywrightError:
        return float("nan"), float("nan"), ["no result in 180 s"]
    return float("nan"), await seen.json_value() / 1000 - started, \
        ([] if moved else ["slider did not move"]) + learner.page_errors


async def scenario_c(server: Server, learners: list[Learner], per_learner: list[dict]) -> dict:
    own = {p["index"]: p["bottleneck"] for p in per_learner}
    urls = [f"{server.url}/autoencoder?{urlencode(dict(TINY_AE, bottleneck=own[l.index]))}"
            for l in learners]
    before = len(server.entries())
    started = time.time()
    together = await asyncio.gather(*(reopen(l, u) for l, u in zip(learners, urls)))
    window = server.window(started, time.time())
    one_by_one = [await reopen(l, u) for l, u in zip(learners, urls)]
    runs = {"new page, all at once": together, "new page, one at a time": one_by_one}
    trained = set(own.values())
    steps = {}  # a neighbour's setting, trained in B (then back to their own)
    for learner in learners:
        mine = own[learner.index]
        neighbour = next((b for b in (mine - 1, mine + 1) if b in trained), None)
        if neighbour is not None:
            steps[learner.index] = neighbour - mine
    movers = [l for l in learners if l.index in steps]
    if movers:
        runs["open tab, one at a time"] = [await in_tab(l, steps[l.index]) for l in movers]
        runs["open tab, all at once"] = list(await asyncio.gather(
            *(in_tab(l, -steps[l.index]) for l in movers)))
    return {"n": len(learners), "runs": runs, "server_rss": window["server_rss"],
            "new_trainings": len(server.entries()) - before}


# -- report ------------------------------------------------------------------------------------
def gb(value: float) -> str:
    return f"{value / 2**30:.2f}"


A_HEADER = "\n".join([
    "### A: everyone watches (default autoencoder; one learner presses Train)",
    "",
    "| N | pages served | trainings | training s | ×N=1 | fit wall s | fit CPU s | ×N=1 (CPU) | "
    "server CPU share (training) | idle pages' share | server RSS GB | workers RSS GB | click → all "
    "see result s (median / max) | saw the result | watchers shown | polls /learner/s | "
    "KB /learner/s | browsers' CPU share | other work's CPU share | load (1 min) |",
    "|" + "---|" * 20,
])


def row_a(r: dict, base: dict | None) -> str:
    served = f"{r['opened']}/{r['n']}"
    if "failed" in r:
        return f"| {r.get('label', r['n'])} | {served} | {r.get('trainings', '–')} | " \
               f"{r['failed']} |" + " |" * 16
    wall = f"{r['seconds'] / base['seconds']:.2f}" if base else "–"
    cpu = f"{r['fit_cpu'] / base['fit_cpu']:.2f}" if base else "–"
    return (
        f"| {r.get('label', r['n'])} | {served} | {r['trainings']} | {r['seconds']:.1f} | {wall} | "
        f"{r['fit_wall']:.1f} | {r['fit_cpu']:.1f} | {cpu} | {r['cpu_share']:.0%} | "
        f"{r['idle_share']:.0%} | {gb(r['server_rss'])} | {gb(r['workers_rss'])} | "
        f"{r['wait_median']:.1f} / {r['wait_max']:.1f} | {r['saw_result']}/{r['opened']} | "
        f"{r['watchers_shown']} | {r['polls']:.2f} | {r['kb_per_s']:.1f} | {r['client_share']:.0%} | "
        f"{r['others_share']:.0%} | {r['load']:.1f} |")


def summary_a(rows: list[dict]) -> str:
    done = [r for r in rows if "failed" not in r]
    base = rows[0] if rows and rows[0]["n"] == 1 and "failed" not in rows[0] else None
    lines = []
    for r in rows:
        problems = []
        if r.get("not_served"):
            problems.append(f"{r['not_served']} of {r['n']} pages never drew (not served in "
                            f"{OPEN_TIMEOUT_S} s, or not tried after {GIVE_UP_AFTER} such)")
        if r.get("errors") or r.get("log_tracebacks"):
            problems.append(f"{r['errors']} page(s) with an error, {r['log_tracebacks']} traceback(s) "
                            "in the server log")
        if r.get("stuck"):
            problems.append("no result in 30 minutes on " + "; ".join(r["stuck"]))
        if "live_seen" in r and r["live_seen"] < r["saw_result"]:
            problems.append(f"only {r['live_seen']} of {r['saw_result']} saw the live panel before "
                            "the result")
        if problems:
            lines.append(f"- N={r.get('label', r['n'])}: " + "; ".join(problems))
    fit = poll_cost(done)
    if fit is not None:
        intercept, per_poll = fit
        n = max(r["n"] for r in done)
        lines.append(
            f"- Server CPU share over the watch ≈ {intercept:.0%} + {per_poll * 1000:.0f} ms × (polls "
            f"per second, all learners), least squares over the rows. A class on its own machines "
            f"polls {NOMINAL_POLLS:g} times per learner per second while watching: {n} watchers "
            f"would ask {intercept + per_poll * n * NOMINAL_POLLS:.0%} of a core of the server "
            "process (one Python process: about 100% is all it can get).")
    largest = max(done, key=lambda r: r["n"]) if done else None
    if base and largest["n"] > 1:
        ratio = largest["seconds"] / base["seconds"]
        peak = max(r["server_rss"] for r in done)
        lines.append(
            f"- Target: with {largest['n']} watchers the training took {ratio:.2f} × its time with 1 "
            f"(≤ 1.25: {'met' if ratio <= 1.25 else 'MISSED'}); server peak RSS {gb(peak)} GB "
            f"(< 2 GB: {'met' if peak < 2 * 2**30 else 'MISSED'}).")
    missing = [r for r in rows if r.get("opened", 0) < r["n"]]
    if missing:
        lines.append(f"- MISSED: the server did not serve every learner at N = "
                     f"{', '.join(str(r['n']) for r in missing)}.")
    return "\n".join(lines)


def poll_cost(rows: list[dict]) -> tuple[float, float] | None:
    """(base share, CPU seconds per poll): the server's share over the whole watch, fitted
    against the polls per second all learners sent."""
    points = [(r["polls"] * r["opened"], r["server_share"]) for r in rows]
    if len({x for x, _ in points}) < 2:
        return None
    mean_x = statistics.mean(x for x, _ in points)
    mean_y = statistics.mean(y for _, y in points)
    slope = (sum((x - mean_x) * (y - mean_y) for x, y in points)
             / sum((x - mean_x) ** 2 for x, _ in points))
    return mean_y - slope * mean_x, slope


def compress(positions: list[int]) -> str:
    if not positions:
        return "none"
    runs, start, prev = [], positions[0], positions[0]
    for value in positions[1:] + [None]:
        if value is not None and value in (prev, prev + 1):
            prev = value
            continue
        runs.append(f"{start}" if start == prev else f"{start}–{prev}")
        if value is not None:
            start = prev = value
    return ", ".join(runs)


def table_b(row: dict) -> str:
    lines = [
        "### B: everyone explores (tiny autoencoder; each learner moves the Bottleneck slider, "
        "all press Train at once)",
        "",
        "| N | pages served | set by the slider | distinct settings (as asked) | trainings run | "
        "median training s | click → last result seen s | per learner s (median / max) | saw "
        "the result | learners shown a queue position | first positions shown | counted down | "
        "server CPU share | server RSS GB | workers RSS GB | polls /learner/s | sessions errored | "
        "server tracebacks |",
        "|" + "---|" * 18,
    ]
    if "failed" in row:
        lines.append(f"| {row['n']} | {row['opened']}/{row['n']} | {row['failed']} |" + " |" * 15)
        return "\n".join(lines)
    lines.append(
        f"| {row['n']} | {row['opened']}/{row['n']} | {row['via_slider']} | {row['settings']} "
        f"({'yes' if row['wanted'] else 'NO'}) | {row['trainings']} | {row['train_seconds']:.1f} | "
        f"{row['total']:.1f} | {row['wait_median']:.1f} / {row['wait_max']:.1f} | "
        f"{row['saw_result']}/{row['opened']} | {row['queued']} | {compress(row['first_positions'])} | "
        f"{'yes' if row['counted_down'] else 'no'} | {row['cpu_share']:.0%} | "
        f"{gb(row['server_rss'])} | {gb(row['workers_rss'])} | {row['polls']:.2f} | "
        f"{row['errored']} | {row['log_tracebacks']} |")
    if row["error_texts"]:
        lines.append(f"\nErrors seen: {', '.join(row['error_texts'])}")
    if row["not_served"]:
        lines.append(f"\n{row['not_served']} of {row['n']} pages never drew: MISSED.")
    for stuck in row["stuck"]:
        lines.append(f"\nNo result in 15 minutes for learner {stuck['index']} (bottleneck "
                     f"{stuck['bottleneck']}); the page said: {stuck['stuck'] or '(nothing)'}")
    return "\n".join(lines)


def table_c(row: dict) -> str:
    lines = [
        "### C: after class (B's settings reopened in new pages; all cached)",
        "",
        "| N | how | to the result s (median / p95 / max) | ≤ 0.5 s | to the page's heading s "
        "(median / max) | new trainings | server RSS GB | errored |",
        "|" + "---|" * 8,
    ]
    for how, results in row["runs"].items():
        heading = [r[0] for r in results if r[0] == r[0]]  # not nan
        result = [r[1] if r[1] == r[1] else float("inf") for r in results]
        median, p95, worst = quantiles(result)
        to_heading = ("–" if "open tab" in how or not heading else
                      f"{statistics.median(heading):.2f} / {max(heading):.2f}")
        lines.append(
            f"| {row['n']} | {how} | {median:.2f} / {p95:.2f} / {worst:.2f} | "
            f"{sum(r <= 0.5 for r in result)}/{len(result)} | {to_heading} | "
            f"{row['new_trainings']} | {gb(row['server_rss'])} | "
            f"{sum(bool(r[2]) for r in results)} |")
    lines.append("\nNew page: from navigation start until \"Validation MSE\" is on screen. Open "
                 "tab: the learner moves the Bottleneck slider to a neighbour's trained setting (then "
                 "back) and presses Train; from the click until that setting's latent-space paragraph "
                 "(below the metrics) is on screen.")
    return "\n".join(lines)


# -- main --------------------------------------------------------------------------------------
async def run(args, out) -> None:
    from playwright.async_api import async_playwright

    learners_a = [int(n) for n in args.learners.split(",")]
    scenarios = {s.strip().upper() for s in args.scenario.split(",")}
    scratch = Path(tempfile.mkdtemp(prefix="bench-classroom-"))
    try:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
            nicer = ClientNicer(args.client_nice)
            if "A" in scenarios:
                rows: list[dict] = []
                out(A_HEADER)
                plan = list(learners_a)
                if len(plan) > 1 and plan[0] == 1:
                    plan.append(1)  # the baseline again at the end: how far the machine drifted
                for turn, n in enumerate(plan):
                    print(f"A: {n} learner(s) …", file=sys.stderr, flush=True)
                    row = await scenario_a(browser, n, scratch)
                    if turn == len(learners_a):
                        row["label"] = "1 (again)"
                    rows.append(row)
                    print(f"   {row}", file=sys.stderr, flush=True)
                    base = rows[0] if rows[0]["n"] == 1 and "failed" not in rows[0] else None
                    out(row_a(row, base))
                out("\n" + summary_a(rows) + "\n")
            if scenarios & {"B", "C"}:
                n = args.explorers or max(learners_a)
                print(f"B: {n} learner(s) …", file=sys.stderr, flush=True)
                row, per_learner, server, learners = await scenario_b(browser, n, scratch)
                try:
                    print(f"   {per_learner}", file=sys.stderr, flush=True)
                    if "B" in scenarios:
                        out(table_b(row) + "\n")
                    if "C" in scenarios and "failed" not in row:
                        print(f"C: {len(learners)} learner(s) …", file=sys.stderr, flush=True)
                        served = [l for l in learners
                                  if any(p["index"] == l.index and p["wait"] is not None
                                         for p in per_learner)]
                        out(table_c(await scenario_c(server, served, per_learner)) + "\n")
                finally:
                    await close_all(learners)
                    server.stop()
            await browser.close()
            nicer.stop()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--learners", default="1,5,10,20,30", help="N for scenario A")
    parser.add_argument("--scenario", default="A,B,C")
    parser.add_argument("--explorers", type=int, default=None,
                        help="N for scenarios B and C (default: the largest of --learners)")
    parser.add_argument("--client-nice", type=int, default=19,
                        help="nice value of the browsers (they share the server's cores here)")
    parser.add_argument("--streamlit-option", action="append", default=[], metavar="NAME=VALUE",
                        help="an extra `streamlit run` option, e.g. runner.postScriptGC=false")
    parser.add_argument("--out", default=None, help="also write the tables to this file")
    args = parser.parse_args()
    for option in args.streamlit_option:
        name, _, value = option.partition("=")
        STREAMLIT_OPTIONS.extend([f"--{name}", value])
    if not os.path.exists(CHROMIUM):
        sys.exit(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    if os.geteuid() == 0:  # the bench's own event loop is a client too; the server is reset to 0
        os.setpriority(os.PRIO_PROCESS, 0, args.client_nice)
    if args.out:
        Path(args.out).write_text("")

    def out(text: str) -> None:  # to the file as it comes: a run cut short keeps its figures
        print(text, flush=True)
        if args.out:
            with open(args.out, "a") as file:
                file.write(text + "\n")

    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    out(f"# One server under a class — {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, "
        f"{psutil.virtual_memory().total / 2**30:.0f} GB, load {load} at start, Python "
        f"{platform.python_version()}; browsers at nice {args.client_nice}"
        + (f"; streamlit options {' '.join(STREAMLIT_OPTIONS)}" if STREAMLIT_OPTIONS else "") + "\n")
    asyncio.run(run(args, out))


if __name__ == "__main__":
    main()
