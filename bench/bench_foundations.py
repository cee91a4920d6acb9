"""Foundations benchmarks: the MLP playground's speed and figures, and the vanishing-gradient ratios.

Run: `.venv/bin/python bench/bench_foundations.py`. Prints figures; asserts nothing. One
invocation, one warm worker, so the figures compare like with like on a noisy shared machine.

- Default playground setting: wall time from request to the finished entry (warm worker), the
  seconds per epoch (each epoch is one new surface for the live panel, which redraws twice a
  second), and the accuracies the issue names (defaults on circles and XOR; 0 hidden layers on
  XOR; 4 hidden layers of linear units on circles).
- A trained setting reopened: resolve + lookup + the arrays the page draws, and the page's own
  server-side render with that entry (AppTest), in seconds.
- Vanishing gradients at the defaults: first ÷ output layer gradient norm, per activation.
- Gradient descent: a 200-step path per optimiser (warm worker), request to entry; the 200×200
  loss surface of each problem; a cached path reopened.
- Regularisation: the default overfitting run and its figures, one grid cell, and the page's
  rerun with those cells cached.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DL_LAB_OFFLINE", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ["DL_LAB_CACHE_DIR"] = tempfile.mkdtemp(prefix="dl-lab-bench-")

WARM_UP = {"points": 100, "epochs": 2, "units": 4}
CASES = {"circles (defaults)": {"dataset": "circles"},
         "xor (defaults)": {"dataset": "xor"},
         "xor, 0 hidden layers": {"dataset": "xor", "hidden_layers": 0},
         "circles, 4 linear hidden layers": {"dataset": "circles", "hidden_layers": 4,
                                             "activation": "linear"}}


def timed(manager, topic: str, params: dict) -> tuple[float, object]:
    started = time.perf_counter()
    status = manager.wait(manager.request(topic, params).job_id, timeout=900)
    assert status.state == "done", status.error
    return time.perf_counter() - started, status.entry


def playground_figures(manager) -> dict:
    figures = {}
    for label, params in CASES.items():
        seconds, entry = timed(manager, "playground", params)
        epochs = entry.meta["epoch_seconds"][1:]  # the first pays graph tracing
        figures[label] = {"wall_seconds": round(seconds, 2), "train_seconds": entry.meta["seconds"],
                          "median_epoch_seconds": round(sorted(epochs)[len(epochs) // 2], 4),
                          "test_accuracy": entry.metrics["test_accuracy"]}
    return figures


def reopen_figures(manager) -> dict:
    from dl_core.engine.runner import lookup, resolve

    started = time.perf_counter()
    entry = lookup(resolve("playground", {}), manager.cache)
    entry.artifacts(), entry.previews()
    lookup_seconds = time.perf_counter() - started

    from streamlit.testing.v1 import AppTest

    page = AppTest.from_file(str(ROOT / "app_pages" / "perceptron_mlp.py"), default_timeout=120)
    page.run()  # the first render imports the page's modules: not what a learner's rerun costs
    started = time.perf_counter()
    page.run()
    return {"lookup_and_arrays_seconds": round(lookup_seconds, 4),
            "page_rerun_with_cached_entry_seconds": round(time.perf_counter() - started, 3),
            "page_errors": [e.value for e in page.error]}


def vanishing_figures(manager) -> dict:
    figures = {}
    for activation in ("sigmoid", "tanh", "relu", "relu_bn"):
        seconds, entry = timed(manager, "vanishing", {"activation": activation})
        figures[activation] = {"ratio_init": float(f"{entry.metrics['ratio_init']:.3g}"),
                               "ratio_trained": float(f"{entry.metrics['ratio_trained']:.3g}"),
                               "val_accuracy": round(entry.metrics["val_accuracy"], 3),
                               "wall_seconds": round(seconds, 1)}
    return figures


DESCENT_OPTIMIZERS = ("sgd", "momentum", "nesterov", "rmsprop", "adagrad", "adadelta", "adam")


def descent_figures(manager) -> dict:
    from dl_core.engine.runner import lookup, resolve
    from dl_core.foundations import descent

    paths = {}
    for optimizer in DESCENT_OPTIMIZERS:
        seconds, _ = timed(manager, "descent", {"optimizer": optimizer, "steps": 200,
                                                "batch_size": 8})
        paths[optimizer] = round(seconds, 2)
    surfaces = {}
    for name in descent.PROBLEMS:
        problem = descent.load_problem(name)
        started = time.perf_counter()
        descent.loss_surface(problem, 200)
        surfaces[name] = round(time.perf_counter() - started, 3)
    started = time.perf_counter()
    entry = lookup(resolve("descent", {"optimizer": "adam", "steps": 200, "batch_size": 8}),
                   manager.cache)
    entry.artifacts()
    return {"200_step_path_seconds (request to entry, batch 8)": paths,
            "surface_200x200_seconds": surfaces,
            "cached_path_seconds": round(time.perf_counter() - started, 4)}


def regularisation_figures(manager) -> dict:
    from dl_core.foundations import search
    from ui.foundations.regularisation_tabs import _search_params

    seconds, entry = timed(manager, "overfit", {})
    metrics = entry.metrics
    cell_seconds, _ = timed(manager, "overfit", _search_params(search.grid_points(4)[0]))

    from streamlit.testing.v1 import AppTest

    page = AppTest.from_file(str(ROOT / "app_pages" / "regularisation.py"), default_timeout=120)
    page.run()
    started = time.perf_counter()
    page.run()
    return {"default_run": {"wall_seconds": round(seconds, 1), "train_seconds": entry.meta["seconds"],
                            "final_over_min_val_loss": round(metrics["final_val_loss"] / metrics["min_val_loss"], 3),
                            "gap": round(metrics["gap"], 3), "val_accuracy": round(metrics["val_accuracy"], 3)},
            "one_grid_cell_seconds": round(cell_seconds, 1),
            "page_rerun_seconds (default run and one cell cached)": round(time.perf_counter() - started, 3)}


def main() -> None:
    from dl_core.engine.jobs import JobManager

    manager = JobManager(max_workers=1, max_jobs_per_worker=100)
    try:
        warm_seconds, _ = timed(manager, "playground", WARM_UP)  # the worker imports TF here
        figures = {"warm_up_seconds (worker start, tiny setting)": round(warm_seconds, 1),
                   "playground": playground_figures(manager),
                   "reopen": reopen_figures(manager),
                   "vanishing": vanishing_figures(manager),
                   "descent": descent_figures(manager),
                   "regularisation": regularisation_figures(manager)}
    finally:
        manager.shutdown()
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
