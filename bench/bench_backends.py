"""Benchmark (issue #18): seconds per epoch of every topic's default setting, TensorFlow vs JAX.

    .venv/bin/python bench/bench_backends.py [--quick] [--backends tensorflow,jax]

Each backend runs in a process of its own (Keras picks its backend at import) and trains every
topic into a private, empty cache: the defaults, with fewer epochs where an epoch is the unit
(the per-epoch time is what is compared, and a default DCGAN epoch under JAX takes minutes).
The dependencies (transfer learning's pretrained source, the DCGAN's judge) train at their own
defaults, first, as rows of their own, so no other row includes them. Times are the engine's
own per-epoch wall seconds (cache metadata `epoch_seconds`): "first" includes tracing and
compilation; "steady" is the median of the later epochs. On a GPU machine run it with
`--backends jax` and compare against this machine's CPU table. Prints a table; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# topic -> overrides of its defaults; dependencies first. gan (2-D) counts 100-step snapshots.
RUNS = {
    "transfer_source": {},
    "gan_classifier": {},
    "transfer": {"epochs": 3, "finetune_epochs": 1},
    "segmentation": {"epochs": 3},
    "lstm": {"epochs": 3, "patience": 5},
    "lstm_memory": {"memory_epochs": 3},
    "autoencoder": {"epochs": 3},
    "vae": {"epochs": 3},
    "gan": {},
    "gan_digits": {"epochs": 2},
}
QUICK = {"transfer_source": {"per_class": 10, "epochs": 2}, "gan_classifier": {"train_size": 500, "epochs": 2},
         "transfer": {"image_size": 96, "epochs": 2, "finetune_epochs": 1},
         "segmentation": {"images": 16, "image_size": 64, "epochs": 2},
         "lstm": {"epochs": 2}, "lstm_memory": {"memory_samples": 500, "memory_epochs": 2},
         "autoencoder": {"train_size": 500, "epochs": 2}, "vae": {"train_size": 500, "epochs": 2},
         "gan": {"steps": 200}, "gan_digits": {"train_size": 512, "epochs": 2}}
UNIT = {"gan": "snapshot (steps/20)", "lstm_memory": "epoch, per cell"}


def measure(quick: bool) -> dict:
    """In the worker: train every run; {topic: {"first", "steady", "epochs", "device"}}."""
    import keras

    from dl_core.engine.cache import ModelCache
    from dl_core.engine.runner import resolve, train_or_load
    from dl_core.topics import transfer
    from dl_core.topics.gan import judge

    runs = QUICK if quick else RUNS
    if quick:  # what the topics ask of their dependencies, shrunk the same way
        judge.SETTINGS = {**judge.SETTINGS, **QUICK["gan_classifier"]}
        transfer.SOURCE_PARAMS = {**transfer.SOURCE_PARAMS, **QUICK["transfer_source"]}
    cache = ModelCache(tempfile.mkdtemp(prefix=f"bench-backends-{keras.backend.backend()}-"))
    out = {"backend": keras.backend.backend(), "topics": {}}
    for topic, overrides in runs.items():
        entry, _ = train_or_load(resolve(topic, overrides), cache)
        seconds = entry.meta["epoch_seconds"]
        out["topics"][topic] = {"first": seconds[0], "epochs": len(seconds),
                                "steady": statistics.median(seconds[1:]) if len(seconds) > 1 else None,
                                "device": entry.meta["device"]}
        print(f"  [{out['backend']}] {topic}: {seconds[0]:.2f} s first, "
              f"{out['topics'][topic]['steady']} s steady", file=sys.stderr, flush=True)
    return out


def in_subprocess(backend: str, quick: bool) -> dict:
    env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "2",
           "DL_LAB_OFFLINE": os.environ.get("DL_LAB_OFFLINE", "1")}
    command = [sys.executable, __file__, "--worker"] + (["--quick"] if quick else [])
    with subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True) as worker:
        tail = []
        for line in worker.stderr:  # our progress lines live; the rest kept for an error
            if line.startswith("  ["):
                print(line, end="", flush=True)
            tail = (tail + [line])[-40:]
        stdout = worker.stdout.read()
    if worker.returncode != 0:
        raise SystemExit(f"the {backend} run failed:\n{''.join(tail)}")
    return json.loads(stdout.strip().splitlines()[-1])


def report(results: list[dict]) -> None:
    names = [r["backend"] for r in results]
    print("\nseconds per epoch (steady = median after the first; first includes compilation)")
    header = f"{'topic':<16}" + "".join(f"{n + ' first':>18}{n + ' steady':>18}" for n in names)
    if len(results) == 2:
        header += f"{names[1] + '/' + names[0]:>18}"
    print(header)
    for topic in results[0]["topics"]:
        cells = [r["topics"][topic] for r in results]
        line = f"{topic:<16}" + "".join(f"{c['first']:>18.2f}{_number(c['steady']):>18}"
                                        for c in cells)
        if len(cells) == 2 and cells[0]["steady"] and cells[1]["steady"]:
            line += f"{cells[1]['steady'] / cells[0]['steady']:>17.2f}×"
        print(line + (f"   ({UNIT[topic]})" if topic in UNIT else ""))
    for r in results:
        devices = sorted({c["device"] for c in r["topics"].values()})
        print(f"{r['backend']}: trained on {', '.join(devices)}")


def _number(value) -> str:
    return "-" if value is None else f"{value:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="tiny settings: checks the script")
    parser.add_argument("--backends", default="tensorflow,jax")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        sys.path.insert(0, str(ROOT))
        print(json.dumps(measure(args.quick)))
        return
    report([in_subprocess(name, args.quick) for name in args.backends.split(",")])


if __name__ == "__main__":
    main()
