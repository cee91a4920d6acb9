"""Backprop by hand on the 2-1-1 network: the chain rule's factors against finite differences."""

import math

import numpy as np
import pytest

from dl_core.foundations import backprop as B


def _numeric(values, name, h=1e-5):
    up, down = dict(values), dict(values)
    up[name] += h
    down[name] -= h
    return (B.forward(up)["J"] - B.forward(down)["J"]) / (2 * h)


def test_forward_by_hand():
    f = B.forward()
    z1 = 0.3 * 0.5 + (-0.2) * (-1.0) + 0.1
    assert f["z1"] == pytest.approx(z1)
    a1 = 1 / (1 + math.exp(-z1))
    assert f["a1"] == pytest.approx(a1)
    z2 = 0.8 * a1 - 0.3
    assert f["z2"] == pytest.approx(z2)
    y_hat = 1 / (1 + math.exp(-z2))
    assert f["y_hat"] == pytest.approx(y_hat)
    assert f["J"] == pytest.approx(0.5 * (y_hat - 1.0) ** 2)
    assert set(B.DEFAULT) <= set(f)


@pytest.mark.parametrize("seed", [None, 0, 1, 2])
def test_gradients_match_central_differences(seed):
    values = dict(B.DEFAULT)
    if seed is not None:
        rng = np.random.default_rng(seed)
        values = {k: float(rng.normal()) for k in B.DEFAULT}
        values["y"] = float(seed % 2)
    grads = B.gradients(values)
    assert set(grads) == set(B.PARAMS)
    for name in B.PARAMS:
        assert grads[name] == pytest.approx(_numeric(values, name), abs=1e-8)


def test_chain_rule_factors():
    chains = B.chain_rule()
    f = B.forward()
    assert [len(chains[p]) for p in B.PARAMS] == [5, 5, 5, 3, 3]
    w11 = [v for _, v in chains["w11"]]
    assert w11 == pytest.approx([f["y_hat"] - 1.0, f["y_hat"] * (1 - f["y_hat"]), 0.8,
                                 f["a1"] * (1 - f["a1"]), 0.5])
    assert chains["w12"][-1][1] == -1.0 and chains["b1"][-1][1] == 1.0
    assert chains["w2"][-1][1] == pytest.approx(f["a1"])
    for factors in chains.values():
        assert all(isinstance(tex, str) and r"\partial" in tex for tex, _ in factors)
    assert B.gradients()["w11"] == pytest.approx(math.prod(w11))


def test_bad_names():
    with pytest.raises(ValueError, match="x1"):
        B.forward({"w3": 1.0})
    with pytest.raises(ValueError, match="w11"):
        B.gradient_latex("w3")
    assert r"\partial a_1" in B.gradient_latex("w11")
    assert r"\partial a_1" not in B.gradient_latex("w2")
