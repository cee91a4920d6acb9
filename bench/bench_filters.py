"""Benchmark: numpy convolution speed and the cold render time of the two convolution pages.

    .venv/bin/python bench/bench_filters.py

Prints one line per figure. Not part of the test run. Targets (issue 3): convolve2d on a
1024×1024 RGB photo with a 3×3 kernel under 0.2 s; pages render "instantly" (no TensorFlow).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dl_core.conv.filters import KERNELS, convolve2d, correlate_channels  # noqa: E402

PAGES = ["app_pages/conv_arithmetic.py", "app_pages/padding_stride_kernels.py"]

# Run in a fresh interpreter so that nothing is imported or cached yet: what the first
# learner after a server start would wait for (AppTest runs the script like the server does).
COLD_RENDER = """
import json, sys, time
started = time.perf_counter()
sys.path.insert(0, {root!r})
from streamlit.testing.v1 import AppTest
imported = time.perf_counter()
app = AppTest.from_file({page!r}, default_timeout=60)
app.run()
rendered = time.perf_counter()
print(json.dumps({{"first_run_s": rendered - imported, "streamlit_import_s": imported - started,
                   "exceptions": len(app.exception), "tensorflow_loaded": "tensorflow" in sys.modules}}))
"""


def best_of(repeats: int, function) -> float:
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        timings.append(time.perf_counter() - started)
    return min(timings)


def bench_convolve() -> None:
    photo = np.random.default_rng(0).integers(0, 256, (1024, 1024, 3), dtype=np.uint8)
    # sharpen has 4 zero weights that are skipped; box blur has none (the dense worst case).
    for name in ("sharpen", "box blur"):
        for padding in ("zero", "reflect"):
            seconds = best_of(5, lambda: convolve2d(photo, KERNELS[name], padding))
            print(f"convolve2d 1024x1024x3, 3x3 {name}, padding={padding}: {seconds:.3f} s (best of 5)")
    seconds = best_of(5, lambda: correlate_channels(photo, KERNELS["box blur"], "zero"))
    print(f"correlate_channels (per channel, not summed) 1024x1024x3, 3x3 box blur: {seconds:.3f} s (best of 5)")
    seconds = best_of(5, lambda: convolve2d(photo, KERNELS["sharpen"], "zero", stride=2))
    print(f"convolve2d 1024x1024x3, 3x3 kernel, stride 2: {seconds:.3f} s (best of 5)")


def bench_pages() -> None:
    for page in PAGES:
        code = COLD_RENDER.format(root=str(ROOT), page=str(ROOT / page))
        started = time.perf_counter()
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
        process_seconds = time.perf_counter() - started
        report = json.loads(result.stdout.strip().splitlines()[-1])
        print(f"cold render {page}: first run {report['first_run_s']:.2f} s "
              f"(whole fresh process {process_seconds:.2f} s, streamlit import {report['streamlit_import_s']:.2f} s, "
              f"exceptions {report['exceptions']}, tensorflow loaded: {report['tensorflow_loaded']})")


if __name__ == "__main__":
    bench_convolve()
    bench_pages()
