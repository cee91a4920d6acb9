"""The device the sidebar and `info` promise is the one the chosen backend's build can use."""

import importlib.util

import pytest

from dl_core import devices


@pytest.fixture
def gpu_present(monkeypatch):
    monkeypatch.setattr(devices, "describe_quick", lambda: "NVIDIA H200")


def test_no_gpu_means_cpu_on_every_backend(monkeypatch):
    monkeypatch.setattr(devices, "describe_quick", lambda: "CPU")
    assert {devices.training_device_quick(b) for b in ("tensorflow", "jax", "torch")} == {"CPU"}


def test_tensorflow_trains_on_the_gpu_it_finds(gpu_present):
    assert devices.training_device_quick("tensorflow") == "NVIDIA H200"


def test_a_cpu_only_jax_says_the_gpu_stays_idle(gpu_present, monkeypatch):
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    assert devices.training_device_quick("jax") == (
        "CPU (this jax build has no GPU support; present: NVIDIA H200)")


def test_jax_with_its_cuda_plugin_trains_on_the_gpu(gpu_present, monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name: object() if name == "jax_cuda12_plugin" else real(name))
    assert devices.training_device_quick("jax") == "NVIDIA H200"


def test_a_missing_torch_is_not_a_gpu(gpu_present, monkeypatch):
    import importlib.metadata

    def missing(name):
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "version", missing)
    assert devices.training_device_quick("torch").startswith("CPU (this torch build")
