"""VAE benchmark: training time and validation losses of the defaults, the disentanglement score
of β = 0 / 1 / 4 / 8 on sprites (same seed), and the latency of one decode after a slider move.

    DL_LAB_OFFLINE=1 .venv/bin/python bench/bench_vae.py [--seeds 0,1] [--betas 0,1,4,8]

Runs in a temporary, private model cache, so every figure is a fresh training. The β sweep is
a benchmark rather than a test: at a CPU-sized budget its ordering depends on the seed (see the
printed per-seed rows), which a unit test must not.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DL_LAB_OFFLINE", "1")
os.environ["DL_LAB_CACHE_DIR"] = tempfile.mkdtemp(prefix="dl-lab-bench-vae-")

import numpy as np  # noqa: E402

from dl_core.engine.cache import ModelCache  # noqa: E402
from dl_core.engine.runner import resolve, train_or_load  # noqa: E402
from dl_core.topics.vae import SCHEMA  # noqa: E402
from dl_core.topics.vae import explore as vae_explore  # noqa: E402


def train(params: dict, seed: int = 0):
    started = time.perf_counter()
    entry, _ = train_or_load(resolve("vae", params, seed=seed), ModelCache())
    return entry, time.perf_counter() - started


def losses(entry) -> str:
    m = entry.metrics
    return (f"val_loss {m['val_loss']:.2f}  val_reconstruction {m['val_reconstruction']:.2f}  "
            f"val_kl {m['val_kl']:.3f}  active_dims {m['active_dims']}")


def decode_latency_ms(entry, repeats: int = 200) -> tuple[float, float]:
    """Median and 95th percentile of one slider move: decode one z with the cached model."""
    vae_explore.decode(entry.model_path, np.zeros((1, entry.meta["params"]["latent_dim"])))  # load
    rng = np.random.default_rng(0)
    times = []
    for _ in range(repeats):
        z = rng.uniform(-3, 3, (1, entry.meta["params"]["latent_dim"])).astype(np.float32)
        began = time.perf_counter()
        vae_explore.decode(entry.model_path, z)
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times), float(np.percentile(times, 95))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0,1")
    parser.add_argument("--betas", default="0,1,4,8")
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    betas = [float(b) for b in args.betas.split(",")]
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; "
          f"cache {os.environ['DL_LAB_CACHE_DIR']}")

    defaults = SCHEMA.defaults()
    entry, seconds = train(defaults)
    print(f"defaults {defaults}")
    print(f"  train {seconds:.1f} s (engine-timed fit {entry.meta['seconds']:.1f} s) · {losses(entry)}")
    median, p95 = decode_latency_ms(entry)
    print(f"  decode one image after a slider move: median {median:.1f} ms, p95 {p95:.1f} ms "
          f"(target < 50 ms)")
    grid_began = time.perf_counter()
    vae_explore.traversal_grid(entry.model_path, np.zeros(defaults["latent_dim"], np.float32))
    print(f"  full traversal grid ({defaults['latent_dim']}×9 images): "
          f"{(time.perf_counter() - grid_began) * 1000:.1f} ms")

    sprites = dict(defaults, dataset="sprites")
    scores: dict[float, list[float]] = {beta: [] for beta in betas}
    for seed in seeds:
        for beta in betas:
            entry, seconds = train(dict(sprites, beta=beta), seed=seed)
            scores[beta].append(entry.metrics["disentanglement"])
            print(f"sprites β={beta:g} seed={seed}: train {seconds:.1f} s · disentanglement "
                  f"{entry.metrics['disentanglement']:.3f} · {losses(entry)}")
    for beta in betas:
        print(f"disentanglement β={beta:g}: mean {np.mean(scores[beta]):.3f} over seeds {seeds}")
    if 0.0 in scores and 8.0 in scores:
        wins = sum(b8 > b0 for b0, b8 in zip(scores[0.0], scores[8.0]))
        print(f"β=8 above β=0 on {wins} of {len(seeds)} seeds")
    if 1.0 in scores and 8.0 in scores:
        ratio = np.mean(scores[8.0]) / max(np.mean(scores[1.0]), 1e-9)
        print(f"ratio disentanglement β=8 / β=1 (same run): {ratio:.2f}")


if __name__ == "__main__":
    main()
