"""Ray executor against local worker processes, in one run: task start overhead and epoch times.

Run: `.venv/bin/python bench/bench_ray.py` (or `make bench`). Starts a Ray head on loopback (its
node keeps its own cache, so every entry travels back as bytes), prints figures, asserts nothing.
- start overhead: request -> training started (the "start" event) and request -> entry in the
  replica's cache, for a one-epoch fake-sized training; local with a warm worker, Ray with a
  fresh process per task (max_calls=1), which is the price of giving TF's memory back;
- the default autoencoder: seconds per epoch (from the entry's metadata) and request -> entry.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
os.environ.setdefault("DL_LAB_OFFLINE", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ["DL_LAB_EXTRA_TOPICS"] = "fake=fake_topics"
os.environ["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(ROOT / "tests")])
os.environ["DL_LAB_CACHE_DIR"] = tempfile.mkdtemp(prefix="dl-lab-bench-ray-")

REPEATS = 3


def timed_request(manager, topic: str, params: dict) -> dict:
    started = time.perf_counter()
    ticket = manager.request(topic, params)
    to_start = None
    while True:
        status = manager.status(ticket.job_id)
        if to_start is None and status.device is not None:
            to_start = time.perf_counter() - started
        if not status.active:
            break
        time.sleep(0.02)
    assert status.state == "done", status.error
    meta = status.entry.meta
    return {"to_start": to_start or 0.0, "to_entry": time.perf_counter() - started,
            "epoch_seconds": meta["epoch_seconds"], "train_seconds": meta["seconds"]}


def start_overhead(manager, label: str) -> list[dict]:
    timed_request(manager, "fake", {"tag": f"{label}-warm", "epochs": 1})  # a warm local worker
    return [timed_request(manager, "fake", {"tag": f"{label}-{i}", "epochs": 1}) for i in range(REPEATS)]


def main() -> None:
    from ray_head import start_head, stop_head

    from dl_core.engine.cache import ModelCache
    from dl_core.engine.jobs import JobManager
    from dl_core.engine.ray_executor import RayExecutor

    scratch = Path(tempfile.mkdtemp(prefix="dl-lab-bench-ray-caches-"))
    address, head = start_head(scratch / "node")
    local = JobManager(ModelCache(scratch / "local"), max_workers=1, max_jobs_per_worker=100)
    ray_cache = ModelCache(scratch / "replica")
    remote = JobManager(ray_cache, executor=RayExecutor(ray_cache, address))
    try:
        rows = {"local": start_overhead(local, "local"), "ray": start_overhead(remote, "ray")}
        autoencoder = {"local": timed_request(local, "autoencoder", {}),
                       "ray": timed_request(remote, "autoencoder", {})}
    finally:
        local.shutdown()
        remote.shutdown()
        stop_head(head)
    report(rows, autoencoder)


def report(rows: dict, autoencoder: dict) -> None:
    print("## Task start overhead (one-epoch fake topic, median of 3)\n")
    print("| executor | request -> training starts | request -> entry in the app's cache |")
    print("|---|---|---|")
    medians = {}
    for name, runs in rows.items():
        medians[name] = [statistics.median(r[k] for r in runs) for k in ("to_start", "to_entry")]
        print(f"| {name} | {medians[name][0]:.2f} s | {medians[name][1]:.2f} s |")
    extra = medians["ray"][1] - medians["local"][1]
    print(f"\nRay costs {extra:.2f} s more per job (a fresh process imports TF each time).\n")
    print("## Default autoencoder\n")
    print("| executor | s / epoch (mean, epochs 2..) | training | request -> entry |")
    print("|---|---|---|---|")
    per_epoch = {}
    for name, run in autoencoder.items():
        steady = run["epoch_seconds"][1:] or run["epoch_seconds"]
        per_epoch[name] = statistics.mean(steady)
        print(f"| {name} | {per_epoch[name]:.2f} | {run['train_seconds']:.1f} s | {run['to_entry']:.1f} s |")
    print(f"\nRay / local, seconds per epoch: {per_epoch['ray'] / per_epoch['local']:.2f}x")


if __name__ == "__main__":
    main()
