"""Which device trains, and how to tell without importing a deep-learning framework.

The sidebar must say "GPU name or CPU" on every page, and the home page must not import
TensorFlow (seconds of start-up), so `describe_quick()` asks the NVIDIA driver directly.
`configure_training_device()` runs in the training process, where Keras is imported anyway.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess

from dl_core import settings


def keras_backend_name() -> str:
    """The backend Keras will use: KERAS_BACKEND, else Keras's default (tensorflow)."""
    return settings.keras_backend()


@functools.lru_cache(maxsize=1)
def describe_quick() -> str:
    """GPU name(s) from nvidia-smi, or "CPU". Cached: the hardware does not change under us."""
    if os.environ.get("CUDA_VISIBLE_DEVICES", None) in ("", "-1"):
        return "CPU"
    smi = shutil.which("nvidia-smi")
    if not smi:
        return "CPU"
    try:
        out = subprocess.run([smi, "--query-gpu=name", "--format=csv,noheader"],
                             capture_output=True, text=True, timeout=5, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return "CPU"
    names = [line.strip() for line in out.splitlines() if line.strip()]
    return ", ".join(names) if names else "CPU"


# The packages that give each backend its GPU (none of them is imported here: only looked for).
GPU_BUILDS = {"jax": ("jax_cuda12_plugin", "jax_cuda13_plugin")}


def training_device_quick(backend: str | None = None) -> str:
    """The device the next training will use, without importing a framework: the GPU when
    there is one and the backend's installed build can drive it, else "CPU" (saying why when a
    GPU sits idle). TensorFlow's Linux wheel drives a GPU whenever the driver is there."""
    backend = backend or keras_backend_name()
    gpu = describe_quick()
    if gpu == "CPU" or _has_gpu_build(backend):
        return gpu
    return f"CPU (this {backend} build has no GPU support; present: {gpu})"


def _has_gpu_build(backend: str) -> bool:
    import importlib.metadata
    import importlib.util

    if backend == "jax":
        return any(importlib.util.find_spec(name) is not None for name in GPU_BUILDS["jax"])
    if backend == "torch":
        try:  # CPU-only wheels are versioned like "2.5.1+cpu"
            return "+cpu" not in importlib.metadata.version("torch")
        except importlib.metadata.PackageNotFoundError:
            return False
    return True


def configure_training_device() -> str:
    """Let training use a GPU when present (memory growth on for TF) and name the device."""
    backend = keras_backend_name()
    if backend == "tensorflow":
        return _configure_tensorflow()
    if backend == "jax":
        import jax

        gpus = [d for d in jax.devices() if d.platform == "gpu"]
        return getattr(gpus[0], "device_kind", "GPU") if gpus else "CPU"
    if backend == "torch":
        import torch

        return torch.cuda.get_device_name(0) if torch.cuda.is_available() else "CPU"
    return "CPU"


def _configure_tensorflow() -> str:
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    for gpu in gpus:
        try:
            # Without this TF takes the whole card, and the page process (inference) and the
            # training worker could not share it.
            tf.config.experimental.set_memory_growth(gpu, True)
        except RuntimeError:
            pass  # already initialised: growth was set earlier in this process
    if not gpus:
        return "CPU"
    details = tf.config.experimental.get_device_details(gpus[0])
    return details.get("device_name", "GPU")
