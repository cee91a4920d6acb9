"""Benchmark: the Sequences page's default forecaster on built-in and real data, and the memory tab.

    .venv/bin/python bench/bench_lstm.py [memory]     # "memory": only the memory tab

Prints, for the default configuration: seconds, test_rmse, baseline_rmse (persistence) and their
ratio, on each built-in series and on each real CSV in ../shared/data/stocks (skipped when
absent); then the memory tab's curve (accuracy against k for SimpleRNN and LSTM) and its time.
Runs offline with a temporary model cache; asserts nothing.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STOCKS = ROOT.parent / "shared" / "data" / "stocks"
os.environ.update({"DL_LAB_OFFLINE": "1", "TF_CPP_MIN_LOG_LEVEL": "2",
                   "DL_LAB_CACHE_DIR": tempfile.mkdtemp(prefix="dl-lab-bench-lstm-")})
sys.path.insert(0, str(ROOT))

from dl_core.engine.cache import ModelCache  # noqa: E402
from dl_core.engine.runner import resolve, train_or_load  # noqa: E402


def forecast_row(label: str, params: dict, data: str | None) -> None:
    started = time.perf_counter()
    try:
        entry, _ = train_or_load(resolve("lstm", params, data=data), ModelCache())
    except ValueError as err:
        print(f"{label:<40} not trainable with the defaults: {err}")
        return
    seconds = time.perf_counter() - started
    m = entry.metrics
    print(f"{label:<40} {seconds:7.1f} s  train {entry.meta['seconds']:6.1f} s  "
          f"epochs {entry.meta['epochs_trained']:3d}  test_rmse {m['test_rmse']:10.4g}  "
          f"baseline_rmse {m['baseline_rmse']:10.4g}  ratio {m['rmse_ratio']:.4f}  "
          f"direction {m['direction_accuracy']:.3f}", flush=True)


def main(memory_only: bool = False) -> None:
    if memory_only:
        return memory()
    print("lstm, default configuration (log-return target, 1×32 LSTM, window 30, horizon 1)")
    forecast_row("built-in: synthetic daily (GBM, regimes)", {}, None)
    forecast_row("built-in: GOOG weekly (plotly)", {"source": "GOOG"}, None)
    if STOCKS.is_dir():
        for path in sorted(STOCKS.glob("*.csv")):
            forecast_row(f"real: {path.name}", {}, str(path))
        forecast_row("real: Google_Stock_Price_Train.csv (Open)", {"value_column": "Open"},
                     str(STOCKS / "Google_Stock_Price_Train.csv"))
    else:
        print(f"({STOCKS} is absent: real CSVs skipped)")
    memory()


def memory() -> None:
    started = time.perf_counter()
    entry, _ = train_or_load(resolve("lstm_memory", {}), ModelCache())
    seconds = time.perf_counter() - started
    a = entry.artifacts()
    print(f"\nlstm_memory, default configuration: {seconds:.1f} s wall ({entry.meta['seconds']:.1f} s training)")
    print("k          " + " ".join(f"{int(k):6d}" for k in a["lags"]))
    print("SimpleRNN  " + " ".join(f"{v:6.2f}" for v in a["simple_rnn_accuracy"]))
    print("LSTM       " + " ".join(f"{v:6.2f}" for v in a["lstm_accuracy"]))
    at_lags = [int(k) for k in a["lags"]]  # the curves are indexed by k: the input x_(T−k)
    for cell, name in (("simple_rnn", "SimpleRNN"), ("lstm", "LSTM")):
        for stage in ("init", "trained"):
            values = a[f"{cell}_grad_{stage}"][at_lags]
            print(f"‖∂L/∂x_(T−k)‖ {name:<9} {stage:<7} " + " ".join(f"{v:9.2e}" for v in values)
                  + f"   ×{entry.metrics[f'{cell}_grad_decay_{stage}']:.3f} per step")

if __name__ == "__main__":
    main(memory_only="memory" in sys.argv[1:])
