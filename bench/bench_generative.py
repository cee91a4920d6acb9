"""Benchmark (issue #13): do the generative pages' defaults draw recognisable digits, in time?

    .venv/bin/python bench/bench_generative.py [--quick] [--only builtin|mnist]

For each digit source (the built-in digits, and real MNIST from ../shared/data/mnist/mnist.npz
when it is there) the script trains, into a private cache, the digit judge (the GAN page's own
classifier) and each generative topic at its default setting, then scores the pictures with the
judge:

- autoencoder, bottleneck 2 and 16: the share of validation reconstructions the judge reads as
  the digit they came from (targets ≥ 60 % and ≥ 90 %, in ≤ 30 s of training);
- VAE: reconstructions judged correct (≥ 85 %), the judge's mean confidence on prior samples
  against its confidence on real digits (≥ 0.8×), and whether every dimension called active
  changes its picture visibly (≥ 0.05; see dl_core.topics.vae.metrics), in ≤ 45 s;
- DCGAN: the judge's mean confidence on samples against real digits (≥ 0.9×) and the class
  coverage (≥ 0.9), in ≤ 120 s.

Then the VAE slider's decode latency (one image, 200 moves): percentiles idle and while a
training runs beside it. Training times are wall seconds of the training itself (cache
metadata). `--quick` shrinks every setting to seconds, to check the script itself. Prints a
table; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MNIST = ROOT.parent / "shared" / "data" / "mnist" / "mnist.npz"
QUICK = {"autoencoder": {"train_size": 500, "epochs": 1}, "vae": {"train_size": 500, "epochs": 1},
         "gan_digits": {"train_size": 512, "epochs": 1}}
TARGET_SECONDS = {"autoencoder": 30, "vae": 45, "gan_digits": 120}


def judged_correct(judge, images, labels) -> float:
    import numpy as np

    from dl_core.topics.gan.judge import class_probabilities

    return float(np.mean(class_probabilities(judge, images).argmax(axis=1) == labels))


def score_source(quick: bool) -> dict:
    """Everything for the source this process sees (DL_LAB_MNIST_NPZ set or not)."""
    import numpy as np

    from dl_core.data.digits import load_digits
    from dl_core.engine.cache import ModelCache
    from dl_core.engine.runner import resolve, train_or_load
    from dl_core.inference import load_shared
    from dl_core.topics.gan.judge import class_probabilities, judge_params
    from dl_core.topics.gan.metrics import classifier_figures
    from dl_core.topics.vae import explore as vae_explore
    from dl_core.topics.vae import metrics as vae_metrics

    cache = ModelCache()
    judge, _ = train_or_load(resolve("gan_classifier", judge_params("digits")), cache)
    digits = load_digits("digits", 1000)
    x, y = digits.x_val, digits.y_val
    real_confidence = classifier_figures(class_probabilities(judge, x))["sample_confidence"]
    out = {"source": digits.info.name, "judge_accuracy": judge.metrics["val_accuracy"],
           "real_confidence": real_confidence}
    for bottleneck in (2, 16):
        params = dict(QUICK["autoencoder"] if quick else {}, bottleneck=bottleneck)
        entry, _ = train_or_load(resolve("autoencoder", params), cache)
        recon = load_shared(entry.model_path)(x[..., None])[..., 0]
        out[f"autoencoder_{bottleneck}"] = {"seconds": entry.meta["seconds"],
                                            "judged_correct": judged_correct(judge, recon, y)}
    entry, _ = train_or_load(resolve("vae", QUICK["vae"] if quick else {}), cache)
    vae_path = entry.model_path
    mu, _ = vae_explore.encode(entry.model_path, x)
    recon = vae_explore.decode(entry.model_path, mu).astype(np.float32) / 255.0
    samples = vae_explore.sample(entry.model_path, 1000, seed=0).astype(np.float32) / 255.0
    artifacts = entry.artifacts()
    states = vae_metrics.dimension_states(artifacts["kl_per_dim"], artifacts.get("decode_change"))
    out["vae"] = {"seconds": entry.meta["seconds"], "judged_correct": judged_correct(judge, recon, y),
                  "sample_confidence": classifier_figures(
                      class_probabilities(judge, samples))["sample_confidence"],
                  "active": states.count("active"), "dims": len(states),
                  "smallest_active_change": min(
                      (float(c) for c, s in zip(artifacts["decode_change"], states) if s == "active"),
                      default=None)}
    entry, _ = train_or_load(resolve("gan_digits", QUICK["gan_digits"] if quick else {}), cache)
    out["gan_digits"] = {"seconds": entry.meta["seconds"],
                         "sample_confidence": entry.metrics["sample_confidence"],
                         "class_coverage": entry.metrics["class_coverage"]}
    out["decode_ms"] = decode_latency(vae_path)
    return out


def decode_latency(vae_path, moves: int = 200) -> dict:
    """Percentiles of one slider move's decode, idle and with a training running beside it."""
    import numpy as np

    from dl_core.topics.vae import explore as vae_explore

    def run() -> list[float]:
        z = np.zeros((1, vae_explore.latent_dim(vae_path)), np.float32)
        times = []
        for step in range(moves):
            z[0, 0] = -3 + 6 * step / moves
            started = time.perf_counter()
            vae_explore.decode(vae_path, z)
            times.append((time.perf_counter() - started) * 1000)
        return times

    run()  # trace the predict function once
    idle = run()
    busy_env = dict(os.environ, DL_LAB_CACHE_DIR=tempfile.mkdtemp(prefix="bench-busy-"))
    busy = subprocess.Popen([sys.executable, "-m", "dl_core", "train", "autoencoder", "--set",
                             "train_size=20000", "--set", "epochs=30"], cwd=ROOT, env=busy_env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(30)  # past its imports and its data: training now
    try:
        loaded = run()
    finally:
        busy.kill()
    return {name: {"p50": float(np.percentile(t, 50)), "p95": float(np.percentile(t, 95))}
            for name, t in (("idle", idle), ("while training", loaded))}


def in_subprocess(mnist: bool, quick: bool) -> dict:
    env = dict(os.environ, DL_LAB_CACHE_DIR=tempfile.mkdtemp(prefix="bench-generative-"),
               DL_LAB_OFFLINE="1", TF_CPP_MIN_LOG_LEVEL="2")
    env.pop("DL_LAB_MNIST_NPZ", None)
    if mnist:
        env["DL_LAB_MNIST_NPZ"] = str(MNIST)
    args = [sys.executable, __file__, "--worker"] + (["--quick"] if quick else [])
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def mark(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def in_time(topic: str, seconds: float) -> str:
    """"37.0 s (≤ 30 s: MISSED)": a training time against the topic's budget."""
    budget = TARGET_SECONDS[topic]
    return f"{seconds:.1f} s (≤ {budget} s: {mark(seconds <= budget)})"


def report(result: dict) -> None:
    real = result["real_confidence"]
    print(f"\n== {result['source']}  (judge: {result['judge_accuracy']:.1%} on validation; "
          f"mean confidence on real digits {real:.3f})")
    for bottleneck, target in ((2, 0.6), (16, 0.9)):
        row = result[f"autoencoder_{bottleneck}"]
        print(f"autoencoder, bottleneck {bottleneck:>2}: {row['judged_correct']:.1%} judged correct "
              f"(≥ {target:.0%}: {mark(row['judged_correct'] >= target)}), "
              f"{in_time('autoencoder', row['seconds'])}")
    vae = result["vae"]
    ratio = vae["sample_confidence"] / real
    print(f"VAE: {vae['judged_correct']:.1%} reconstructions judged correct "
          f"({mark(vae['judged_correct'] >= 0.85)}); samples' confidence {ratio:.2f}× real "
          f"({mark(ratio >= 0.8)}); {vae['active']} of {vae['dims']} dimensions active, smallest "
          f"change {vae['smallest_active_change']}; {in_time('vae', vae['seconds'])}")
    gan = result["gan_digits"]
    ratio = gan["sample_confidence"] / real
    print(f"DCGAN: samples' confidence {ratio:.2f}× real ({mark(ratio >= 0.9)}); class coverage "
          f"{gan['class_coverage']:.2f} ({mark(gan['class_coverage'] >= 0.9)}); "
          f"{in_time('gan_digits', gan['seconds'])}")
    for name, figures in result["decode_ms"].items():
        print(f"VAE slider decode, {name}: p50 {figures['p50']:.1f} ms, p95 {figures['p95']:.1f} ms "
              f"(p95 ≤ 50 ms: {mark(figures['p95'] <= 50)})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", choices=("builtin", "mnist"))
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        sys.path.insert(0, str(ROOT))
        print(json.dumps(score_source(args.quick)))
        return
    sources = [s for s in ("builtin", "mnist") if args.only in (None, s)]
    for source in sources:
        if source == "mnist" and not MNIST.is_file():
            print(f"\n== real MNIST: skipped ({MNIST} is not there)")
            continue
        report(in_subprocess(source == "mnist", args.quick))


if __name__ == "__main__":
    main()
