"""GAN benchmark: prints the figures for issue 5's closing note (asserts nothing).

  2-D ring (defaults): seconds to reach 8/8 modes, final high_quality_fraction; mode coverage
  of a 1000-step run over four seeds (the reliability behind the test's ≥ 6 threshold).
  DCGAN (defaults): seconds per epoch, sample_confidence / class_coverage vs the real reference.

Run: .venv/bin/python bench/bench_gan.py   (a temporary cache, offline: built-in digits)
"""

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("DL_LAB_CACHE_DIR", tempfile.mkdtemp(prefix="dl-lab-bench-gan-"))
os.environ.setdefault("DL_LAB_OFFLINE", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from dl_core.engine.cache import ModelCache  # noqa: E402
from dl_core.engine.runner import resolve, train_or_load  # noqa: E402


def run(topic: str, params: dict, seed: int = 0):
    started = time.perf_counter()
    entry, _ = train_or_load(resolve(topic, params, seed), ModelCache())
    return entry, time.perf_counter() - started


def ring() -> None:
    entry, wall = run("gan", {})
    art, m = entry.artifacts(), entry.metrics
    full = np.flatnonzero(art["snap_modes"] == 8)
    reached = (f"{art['snap_seconds'][full[0]]:.1f} s (step {int(art['snap_step'][full[0]])})"
               if len(full) else "never")
    steady = np.median(entry.meta["epoch_seconds"][1:])
    print(f"ring8 defaults (2000 steps): wall {wall:.1f} s, train {entry.meta['seconds']:.1f} s, "
          f"first interval {entry.meta['epoch_seconds'][0]:.1f} s (graph tracing), then "
          f"{steady / (2000 / 20) * 1000:.1f} ms per step")
    print(f"  8/8 modes first reached after {reached}; final modes {m['modes_covered']}/8, "
          f"high_quality_fraction {m['high_quality_fraction']:.3f}, JS {m['js_divergence']:.3f}")
    covered = [run("gan", {"steps": 1000}, seed)[0].metrics["modes_covered"] for seed in range(4)]
    print(f"  1000 steps, seeds 0-3: modes covered {covered} (test asserts >= 6 with seed 0)")


def dcgan() -> None:
    entry, wall = run("gan_digits", {})
    m, seconds = entry.metrics, entry.meta["epoch_seconds"]
    print(f"DCGAN defaults ({len(seconds)} epochs, {entry.meta['dataset']['name']}, "
          f"{entry.meta['dataset']['train']} images): wall {wall:.1f} s, "
          f"{np.median(seconds):.1f} s per epoch (median; first {seconds[0]:.1f} s)")
    print(f"  sample_confidence {m['sample_confidence']:.3f} vs real {m['real_confidence']:.3f} "
          f"(ratio {m['sample_confidence'] / m['real_confidence']:.2f}); class_coverage "
          f"{m['class_coverage']:.3f} vs real {m['real_coverage']:.3f} "
          f"(ratio {m['class_coverage'] / m['real_coverage']:.2f}); classifier accuracy "
          f"{m['classifier_accuracy']:.3f}; D(x) {m['d_real']:.2f}, D(G(z)) {m['d_fake']:.2f}")


if __name__ == "__main__":
    ring()
    dcgan()
