"""`python -m dl_core`, run as a learner or teacher would: a real subprocess."""

import json
import os
import subprocess
import sys

import pytest

from conftest import ROOT, TINY_AE


def cli(*args, cache=None, check=True):
    env = dict(os.environ)
    if cache is not None:
        env["DL_LAB_CACHE_DIR"] = str(cache)
    result = subprocess.run([sys.executable, "-m", "dl_core", *args], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def sets(params):
    return [item for name, value in params.items() for item in ("--set", f"{name}={value}")]


def test_topics_json_is_the_parameter_schema():
    schema = json.loads(cli("topics", "--json").stdout)
    bottleneck = schema["autoencoder"]["params"]["bottleneck"]
    assert bottleneck == {"default": 16, "type": "int", "min": 2, "max": 64,
                          "help": bottleneck["help"]}
    assert schema["autoencoder"]["params"]["architecture"]["choices"] == ["dense", "conv"]


def test_train_json_then_cache_hit(tmp_path):
    first = cli("train", "autoencoder", *sets(TINY_AE), "--json", cache=tmp_path)
    result = json.loads(first.stdout.strip().splitlines()[-1])
    assert result["cache"] == "miss" and result["topic"] == "autoencoder"
    assert result["params"]["bottleneck"] == 2 and result["backend"] == "tensorflow"
    assert result["dataset"]["source"] == "builtin" and result["dataset"]["train"] == 200
    assert result["device"] == "CPU" and result["seconds"] > 0
    assert set(result["metrics"]) >= {"val_mse", "baseline_mse"}
    assert "epoch 1/1" in first.stderr  # progress goes to stderr, keeping stdout clean
    second = json.loads(cli("train", "autoencoder", *sets(TINY_AE), "--json",
                            cache=tmp_path).stdout.strip().splitlines()[-1])
    assert second["cache"] == "hit" and second["metrics"] == result["metrics"]
    listing = cli("cache", "ls", cache=tmp_path).stdout
    assert result["key"] in listing
    assert "removed 1 cached model " in cli("cache", "clear", cache=tmp_path).stdout


@pytest.mark.parametrize("args,message", [
    (["train", "nope"], "unknown topic 'nope': expected one of"),
    (["train", "autoencoder", "--set", "bottleneck=100"], "expected an int from 2 to 64"),
    (["train", "autoencoder", "--set", "colour=red"], "unknown parameter 'colour'"),
    (["train", "autoencoder", "--set", "architecture=rnn"], "expected one of dense, conv"),
    (["train", "autoencoder", "--set", "bottleneck"], "is not NAME=VALUE"),
    (["train", "autoencoder", "--data", "/no/such/file.npz"], "does not exist"),
    (["cache", "clear", "nope"], "unknown topic"),
])
def test_bad_input_exits_non_zero_with_one_line(args, message, tmp_path):
    result = cli(*args, cache=tmp_path, check=False)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr


def test_info_names_device_backend_and_cache(tmp_path):
    out = cli("info", cache=tmp_path).stdout
    assert "backend:   tensorflow" in out and "device:    CPU" in out and str(tmp_path) in out


def test_warm_trains_defaults_once(tmp_path):
    assert "fake: trained" in cli("warm", "fake", cache=tmp_path).stdout
    assert "fake: already cached" in cli("warm", "fake", cache=tmp_path).stdout


@pytest.mark.parametrize("case", ["a folder as MNIST", "a damaged zip of classes", "a missing file"])
def test_bad_data_exits_2_with_one_line(tmp_path, case):
    if case == "a folder as MNIST":
        args = ("train", "autoencoder", "--data", str(tmp_path))
    elif case == "a damaged zip of classes":
        bad = tmp_path / "classes.zip"
        bad.write_bytes(b"PK\x03\x04" + b"\x00" * 40)
        args = ("train", "transfer", "--data", str(bad))
    else:
        args = ("train", "lstm", "--data", str(tmp_path / "nope.csv"))
    result = cli(*args, cache=tmp_path / "cache", check=False)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, result.stderr
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in result.stderr
