"""Transfer-learning benchmarks: accuracy and seconds per strategy, real weights and offline path.

Run: `.venv/bin/python bench/bench_transfer.py` (needs ../shared/data). Prints figures; asserts
nothing. Two phases, each in its own process because Keras reads KERAS_HOME when imported:
  real    — ants/bees (hymenoptera), MobileNet α=0.25 with the shared ImageNet weights file;
  builtin — no weights file, offline: our own pretraining on built-in shapes, built-in target.
Order inside a phase: scratch first (it is the reference the others report), then feature
extraction (computes and caches the backbone features), fine-tuning, and a head retrain after a
learning-rate change (the "slider change": features come from the cache).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
WEIGHTS = SHARED / "weights" / "mobilenet_2_5_224_tf_no_top.h5"
PHASES = {
    "real": {"dataset": "ants_bees", "backbone": "mobilenet_025", "image_size": 224},
    "builtin": {"dataset": "builtin", "backbone": "mobilenet_025", "image_size": 96},
}


def run_phase(name: str) -> dict:
    sys.path.insert(0, str(ROOT))
    from dl_core.engine.cache import ModelCache
    from dl_core.engine.runner import resolve, train_or_load

    cache, out = ModelCache(), {}
    if name == "builtin":
        started = time.perf_counter()
        entry, _ = train_or_load(resolve("transfer_source", {}), cache)
        out["source_pretraining"] = {"seconds": round(time.perf_counter() - started, 1),
                                     "source_val_accuracy": round(entry.metrics["val_accuracy"], 3)}
    base = PHASES[name]
    runs = [("scratch", {}), ("feature", {}), ("finetune", {}), ("feature_head_retrain", {"head_lr": 0.003})]
    for label, extra in runs:
        strategy = label.split("_")[0]
        started = time.perf_counter()
        entry, hit = train_or_load(resolve("transfer", dict(base, strategy=strategy, **extra)), cache)
        out[label] = {"seconds": round(time.perf_counter() - started, 2), "cache_hit": hit,
                      "val_accuracy": round(entry.metrics["val_accuracy"], 3),
                      "scratch_val_accuracy": round(entry.metrics.get("scratch_val_accuracy", float("nan")), 3),
                      "weights_source": entry.metrics["weights_source"],
                      "backbone": entry.metrics["backbone"],
                      "feature_cache": entry.meta["info"].get("feature_cache"),
                      "train": entry.meta["dataset"]["train"], "val": entry.meta["dataset"]["val"]}
    return out


def main() -> None:
    if not SHARED.is_dir():
        print("../shared/data is absent: nothing to benchmark")
        return
    figures = {}
    for name in PHASES:
        keras_home = Path(tempfile.mkdtemp(prefix="dl-lab-keras-"))
        (keras_home / "models").mkdir()
        if name == "real":
            shutil.copy(WEIGHTS, keras_home / "models" / WEIGHTS.name)
        env = dict(os.environ, KERAS_HOME=str(keras_home), DL_LAB_OFFLINE="1", TF_CPP_MIN_LOG_LEVEL="2",
                   DL_LAB_CACHE_DIR=tempfile.mkdtemp(prefix="dl-lab-bench-transfer-"),
                   DL_LAB_HYMENOPTERA=str(SHARED / "hymenoptera"), PYTHONPATH=str(ROOT))
        result = subprocess.run([sys.executable, __file__, "--phase", name], cwd=ROOT, env=env,
                                capture_output=True, text=True)
        if result.returncode != 0:
            print(result.stderr[-3000:])
            raise SystemExit(f"phase {name} failed")
        figures[name] = json.loads(result.stdout.strip().splitlines()[-1])
        print(name, json.dumps(figures[name], indent=1), flush=True)
    for name, phase in figures.items():
        gain = phase["feature"]["val_accuracy"] - phase["scratch"]["val_accuracy"]
        print(f"{name}: feature extraction {phase['feature']['val_accuracy']:.3f} in "
              f"{phase['feature']['seconds']:.1f} s; fine-tuning {phase['finetune']['val_accuracy']:.3f} in "
              f"{phase['finetune']['seconds']:.1f} s; scratch {phase['scratch']['val_accuracy']:.3f} in "
              f"{phase['scratch']['seconds']:.1f} s; feature − scratch = {gain:+.3f}; head retrain "
              f"after a slider change {phase['feature_head_retrain']['seconds']:.2f} s "
              f"(features: {phase['feature_head_retrain']['feature_cache']}); ratio feature/scratch "
              f"seconds {phase['feature']['seconds'] / phase['scratch']['seconds']:.2f}")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--phase":
        print(json.dumps(run_phase(sys.argv[2])))
    else:
        main()
