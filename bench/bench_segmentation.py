"""Segmentation benchmarks: the default built-in run, and the real pets subset with and without
skip connections, from scratch and with the pretrained MobileNet encoder.

Run: `.venv/bin/python bench/bench_segmentation.py [--quick]`. Prints figures; asserts nothing.
Each run happens in this one process, one after another, so the ratios compare like with like;
CPU seconds are printed next to wall seconds because the machine may be shared (CPU time / 2 is
roughly the wall time on 2 idle cores). Pets come from $DL_LAB_PETS_DIR or ../shared/data/pets;
the MobileNet weights from ../shared/data/weights, copied into a temporary $KERAS_HOME/models.
"""

from __future__ import annotations

import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
WEIGHTS = "mobilenet_2_5_224_tf_no_top.h5"
sys.path.insert(0, str(ROOT))
os.environ["DL_LAB_OFFLINE"] = "1"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ["DL_LAB_CACHE_DIR"] = tempfile.mkdtemp(prefix="dl-lab-bench-")
if (SHARED / "weights" / WEIGHTS).is_file() and "KERAS_HOME" not in os.environ:
    home = Path(tempfile.mkdtemp(prefix="dl-lab-keras-"))
    (home / "models").mkdir()
    shutil.copy(SHARED / "weights" / WEIGHTS, home / "models" / WEIGHTS)
    os.environ["KERAS_HOME"] = str(home)


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run(label: str, params: dict, data: str | None = None) -> dict:
    from dl_core.engine.cache import ModelCache
    from dl_core.engine.runner import resolve, train_or_load

    wall, cpu = time.perf_counter(), cpu_seconds()
    entry, _ = train_or_load(resolve("segmentation", params, data=data), ModelCache())
    wall, cpu = time.perf_counter() - wall, cpu_seconds() - cpu
    m = entry.metrics
    print(f"{label:<38} {wall:7.1f} s wall {cpu:7.1f} s cpu  encoder {entry.meta['info']['encoder']:<9} "
          f"val_pixel_accuracy {m['val_pixel_accuracy']:.3f}  val_mean_iou {m['val_mean_iou']:.3f}  "
          f"val_dice {m['val_dice']:.3f}  (baseline: accuracy {m['baseline_pixel_accuracy']:.3f}, "
          f"mean IoU {m['baseline_mean_iou']:.3f}; IoU pet {m['val_iou_pet']:.3f} background "
          f"{m['val_iou_background']:.3f} border {m['val_iou_border']:.3f})", flush=True)
    return {"wall": wall, "cpu": cpu, **m}


def main() -> None:
    from dl_core.topics.segmentation import SCHEMA

    quick = "--quick" in sys.argv
    extra = {"epochs": 2} if quick else {}
    print(f"defaults: {SCHEMA.defaults()}  KERAS_HOME={os.environ.get('KERAS_HOME')}")
    base = run("built-in scenes, default", {"dataset": "scenes", **extra})
    pets_dir = os.environ.get("DL_LAB_PETS_DIR") or (str(SHARED / "pets") if (SHARED / "pets").is_dir() else None)
    if pets_dir is None:
        print("pets: skipped (no DL_LAB_PETS_DIR and no ../shared/data/pets)")
        return
    runs = {
        "pets, pretrained, skips (default)": {},
        "pets, pretrained, no skips": {"skip_connections": False},
        "pets, scratch, skips": {"encoder": "scratch"},
        "pets, scratch, no skips": {"encoder": "scratch", "skip_connections": False},
    }
    results = {label: run(label, {"dataset": "pets", **change, **extra}, data=pets_dir)
               for label, change in runs.items()}
    default = results["pets, pretrained, skips (default)"]
    print("ratios within this run (cpu seconds relative to the built-in default):")
    for label, result in results.items():
        print(f"  {label:<38} cpu x{result['cpu'] / base['cpu']:.2f}  mean IoU "
              f"{result['val_mean_iou']:.3f} ({result['val_mean_iou'] - default['val_mean_iou']:+.3f} vs default)")


if __name__ == "__main__":
    main()
