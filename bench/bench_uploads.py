"""Benchmark: time and peak memory to decode each of a dozen hostile uploads, as the pages do.

    .venv/bin/python bench/bench_uploads.py                # today's decoder
    .venv/bin/python bench/bench_uploads.py --before REV   # and dl_core/images.py as of git REV

Each image is decoded with max_side=1024 (what every page asks for) in a fresh interpreter, so
the peak resident memory it adds is what one upload costs the server. Prints a table; asserts
nothing. Target (issue "Nothing lost, nothing crashes"): no upload costs more than 300 MB or 3 s.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from make_files import hostile_images  # noqa: E402  (the same files the tests use)

DECODE_ONE = """
import importlib.util, json, sys, time
sys.path.insert(0, sys.argv[1])
spec = importlib.util.spec_from_file_location("decoder", sys.argv[2])
decoder = importlib.util.module_from_spec(spec)
sys.modules["decoder"] = decoder  # dataclasses look their module up there
spec.loader.exec_module(decoder)
data = open(sys.argv[3], "rb").read()
def status_kb(field):  # VmRSS: resident now; VmHWM: the peak since the last reset
    return int(next(l for l in open("/proc/self/status") if l.startswith(field)).split()[1])
open("/proc/self/clear_refs", "w").write("5")  # reset the peak: imports do not count
baseline = status_kb("VmRSS")
started = time.perf_counter()
try:
    outcome = "decoded to %dx%d" % decoder.decode_image_info(data, max_side=1024).array.shape[1::-1]
except decoder.ImageError as err:
    outcome = "refused: " + str(err)[:60]
except Exception as err:
    outcome = "CRASH: %s: %s" % (type(err).__name__, str(err)[:50])
seconds = time.perf_counter() - started
grown = (status_kb("VmHWM") - baseline) / 1024
print(json.dumps({"seconds": seconds, "mb": grown, "outcome": outcome}))
"""


def measure(decoder: Path, upload: Path) -> dict:
    result = subprocess.run([sys.executable, "-c", DECODE_ONE, str(ROOT), str(decoder), str(upload)],
                            capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["?"])[-1]
        return {"seconds": float("nan"), "mb": float("nan"),
                "outcome": f"process died ({result.returncode}): {last[:60]}"}
    return json.loads(result.stdout)


def decoder_at(revision: str, folder: Path) -> Path:
    source = subprocess.run(["git", "show", f"{revision}:dl_core/images.py"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout
    path = folder / f"images_{revision}.py"
    path.write_text(source)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", metavar="REV", help="also measure dl_core/images.py as of this commit")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        decoders = {"after": ROOT / "dl_core" / "images.py"}
        if args.before:
            decoders = {"before": decoder_at(args.before, folder), **decoders}
        print(f"{'upload':40} {'bytes':>10}  " + "  ".join(f"{name:>8} s {name:>8} MB" for name in decoders))
        for name, data in hostile_images().items():
            upload = folder / "upload"
            upload.write_bytes(data)
            figures = {label: measure(path, upload) for label, path in decoders.items()}
            cells = "  ".join(f"{f['seconds']:10.2f} {f['mb']:11.0f}" for f in figures.values())
            print(f"{name:40} {len(data):10,}  {cells}   {figures['after']['outcome']}")
            if "before" in figures and figures["before"]["outcome"] != figures["after"]["outcome"]:
                print(f"{'':40} {'':10}  before: {figures['before']['outcome']}")


if __name__ == "__main__":
    main()
