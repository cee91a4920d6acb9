"""Spine benchmarks: engine overhead, cache-hit latency, default autoencoder, home render, worker memory.

Run: `.venv/bin/python bench/bench_engine.py` (or `make bench`). Prints figures; asserts nothing.
Everything runs in one invocation so the ratios compare like with like on a noisy shared machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DL_LAB_OFFLINE", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ["DL_LAB_CACHE_DIR"] = tempfile.mkdtemp(prefix="dl-lab-bench-")

THROUGHPUT_PARAMS = {"train_size": 6000, "epochs": 4}


def bare_fit_epoch_seconds(params: dict) -> list[tuple[float, float]]:
    """Plain model.fit on the same model and data, in its own process like the worker."""
    code = f"""
import json, time, keras, numpy as np
from dl_core.topics import autoencoder as t
from dl_core.data.digits import load_digits
params = t.SCHEMA.canonical({params!r})
keras.utils.set_random_seed(0)
d = load_digits(params["dataset"], params["train_size"])
x, xv = d.x_train[..., None], d.x_val[..., None]
model = t.build_model(params)
model.compile(optimizer=keras.optimizers.Adam(params["learning_rate"]), loss="mse")
times = []
class T(keras.callbacks.Callback):
    def on_epoch_begin(self, e, logs=None): self.t, self.c = time.perf_counter(), time.process_time()
    def on_epoch_end(self, e, logs=None):
        times.append((time.perf_counter() - self.t, time.process_time() - self.c))
model.fit(x, x, validation_data=(xv, xv), epochs=params["epochs"], batch_size=params["batch_size"],
          verbose=0, callbacks=[T()])
print(json.dumps(times))
"""
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         check=True, env=dict(os.environ, PYTHONPATH=str(ROOT))).stdout
    return json.loads(out.strip().splitlines()[-1])


def engine_epoch_seconds(manager, params: dict) -> list[tuple[float, float]]:
    """The same training through the job engine; epoch times from its own progress events."""
    ticket = manager.request("autoencoder", params)
    status = manager.wait(ticket.job_id, timeout=900)
    assert status.state == "done", status.error
    meta = status.entry.meta
    return list(zip(meta["epoch_seconds"], meta["epoch_cpu_seconds"]))


def main() -> None:
    from dl_core.engine.jobs import JobManager

    manager = JobManager(max_workers=1, max_jobs_per_worker=100)
    figures: dict[str, object] = {}

    # 1. Throughput: job engine vs bare fit, alternated twice (this machine is shared and noisy),
    #    epochs after the first (which pays graph tracing), best epoch time of each side.
    bare, engine = [], []
    for round_index in range(2):
        params = dict(THROUGHPUT_PARAMS, learning_rate=0.002 + round_index * 0.001)  # a fresh key
        bare += bare_fit_epoch_seconds(params)[1:]
        engine += engine_epoch_seconds(manager, params)[1:]
    images = THROUGHPUT_PARAMS["train_size"]
    bare_rate, engine_rate = images / min(w for w, _ in bare), images / min(w for w, _ in engine)
    figures["throughput_bare_img_per_s"] = round(bare_rate, 1)
    figures["throughput_engine_img_per_s"] = round(engine_rate, 1)
    figures["throughput_ratio_engine_over_bare"] = round(engine_rate / bare_rate, 3)
    # CPU seconds per epoch: what the work costs, less disturbed by other load than wall time.
    bare_cpu, engine_cpu = sorted(c for _, c in bare), sorted(c for _, c in engine)
    figures["cpu_ratio_bare_over_engine_median"] = round(
        bare_cpu[len(bare_cpu) // 2] / engine_cpu[len(engine_cpu) // 2], 3)
    figures["epoch_seconds_bare (wall, cpu)"] = [(round(w, 2), round(c, 2)) for w, c in bare]
    figures["epoch_seconds_engine (wall, cpu)"] = [(round(w, 2), round(c, 2)) for w, c in engine]

    # 2. Cached result latency (in-process; no interpreter start): request -> entry + arrays + model.
    from dl_core.inference import load_shared

    started = time.perf_counter()
    ticket = manager.request("autoencoder", THROUGHPUT_PARAMS)
    ticket.entry.previews(), ticket.entry.artifacts()
    figures["cache_hit_seconds"] = round(time.perf_counter() - started, 4)
    started = time.perf_counter()
    import keras  # noqa: F401  (once per page process; counted apart from the model load)

    figures["keras_import_seconds"] = round(time.perf_counter() - started, 3)
    started = time.perf_counter()
    load_shared(ticket.entry.model_path)
    figures["cache_hit_model_load_seconds"] = round(time.perf_counter() - started, 3)

    # 3. The default autoencoder configuration.
    started = time.perf_counter()
    status = manager.wait(manager.request("autoencoder", {}).job_id, timeout=900)
    metrics = status.entry.metrics
    figures["default_autoencoder"] = {
        "wall_seconds": round(time.perf_counter() - started, 1),
        "train_seconds": status.entry.meta["seconds"],
        "val_mse": round(metrics["val_mse"], 5), "baseline_mse": round(metrics["baseline_mse"], 5),
        "val_over_baseline": round(metrics["relative_error"], 3)}

    # 4. Worker memory after 1 and after 10 trainings (tiny distinct settings).
    import psutil

    rss = []
    for index in range(10):
        params = {"train_size": 500, "epochs": 1, "bottleneck": 2 + index}
        manager.wait(manager.request("autoencoder", params).job_id, timeout=300)
        if index in (0, 9):
            time.sleep(0.5)
            rss.append(psutil.Process(manager.worker_pids()[0]).memory_info().rss / 2**20)
    figures["worker_rss_mb_after_1"] = round(rss[0], 1)
    figures["worker_rss_mb_after_10"] = round(rss[1], 1)
    figures["worker_rss_ratio_10_over_1"] = round(rss[1] / rss[0], 3)
    manager.shutdown()

    # 5. Cold render of the home page in a fresh process, and proof it does not import TF.
    code = ("import sys, time, json; t = time.perf_counter(); "
            "from streamlit.testing.v1 import AppTest; at = AppTest.from_file('app.py').run(); "
            "print(json.dumps({'seconds': time.perf_counter() - t, "
            "'tensorflow_imported': 'tensorflow' in sys.modules, 'keras_imported': 'keras' in sys.modules}))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout
    figures["home_cold_render"] = json.loads(out.strip().splitlines()[-1])

    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
