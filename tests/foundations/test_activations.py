"""Activations: the analytic derivative against finite differences, g against Keras itself."""

import numpy as np
import pytest

from dl_core.foundations import activations as A

GRID = np.linspace(-5.0, 5.0, 401)
KINKED = ("relu", "leaky_relu")


@pytest.mark.parametrize("name", A.ACTIVATIONS)
def test_derivative_matches_a_central_difference(name):
    z = GRID[np.abs(GRID) >= 1e-3] if name in KINKED else GRID
    h = 1e-5
    numeric = (A.activation(name, z + h) - A.activation(name, z - h)) / (2 * h)
    np.testing.assert_allclose(A.derivative(name, z), numeric, atol=1e-4)


@pytest.mark.parametrize("name", A.ACTIVATIONS)
def test_activation_equals_keras_with_its_defaults(name):
    import keras

    z = np.linspace(-6.0, 6.0, 241).astype(np.float32)
    theirs = keras.ops.convert_to_numpy(getattr(keras.activations, name)(z))
    np.testing.assert_allclose(A.activation(name, z), theirs, atol=1e-5)


def test_kink_conventions_and_textbook_identities():
    np.testing.assert_array_equal(A.derivative("relu", [-1.0, 0.0, 1.0]), [0.0, 0.0, 1.0])
    np.testing.assert_array_equal(A.derivative("leaky_relu", [-1.0, 0.0, 1.0]), [0.2, 0.2, 1.0])
    assert A.derivative("sigmoid", 0.0) == pytest.approx(0.25)  # the sigmoid's largest slope
    assert A.derivative("tanh", 0.0) == pytest.approx(1.0)
    assert A.activation("sigmoid", 800.0) == 1.0 and A.activation("sigmoid", -800.0) == 0.0


def test_every_activation_has_both_formulas():
    assert set(A.FORMULAS) == set(A.ACTIVATIONS)
    assert all(len(pair) == 2 and all(pair) for pair in A.FORMULAS.values())


def test_saturated_regions():
    left, right = A.saturated_regions("sigmoid")  # σ′ < 0.05 · 0.25 where |z| > ~4.4
    assert left[0] == -6.0 and -4.5 < left[1] < -4.3 and right[1] == 6.0 and 4.3 < right[0] < 4.5
    assert len(A.saturated_regions("tanh")) == 2
    (dead,) = A.saturated_regions("relu")
    assert dead[0] == -6.0 and -0.01 <= dead[1] <= 0.0
    (tail,) = A.saturated_regions("elu")  # e^z < 0.05 for z < ln 0.05 ≈ −3.0
    assert tail[0] == -6.0 and tail[1] == pytest.approx(np.log(0.05), abs=0.01)
    assert A.saturated_regions("linear") == [] and A.saturated_regions("leaky_relu") == []
    with pytest.raises(ValueError, match="'swish'"):
        A.saturated_regions("swish")


def test_softmax_is_stable_and_sums_to_one():
    import keras

    z = np.array([[1000.0, 1001.0, 1002.0], [-3.0, 0.0, 2.0]])
    p = A.softmax(z)
    np.testing.assert_allclose(p.sum(axis=-1), 1.0)
    np.testing.assert_allclose(p[0], A.softmax([0.0, 1.0, 2.0]))
    theirs = keras.ops.convert_to_numpy(keras.activations.softmax(z[1:].astype(np.float32)))
    np.testing.assert_allclose(p[1:], theirs, atol=1e-6)
