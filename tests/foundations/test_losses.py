"""Losses: derivatives against finite differences, binary cross-entropy against Keras."""

import numpy as np
import pytest

from dl_core.foundations import losses as L

P_GRID = np.linspace(0.02, 0.98, 97)


@pytest.mark.parametrize("name", ["binary_crossentropy", "mse"])
@pytest.mark.parametrize("y", [0.0, 1.0])
def test_derivative_matches_a_central_difference(name, y):
    h = 1e-6
    numeric = (L.loss_curve(name, y, P_GRID + h) - L.loss_curve(name, y, P_GRID - h)) / (2 * h)
    np.testing.assert_allclose(L.loss_gradient(name, y, P_GRID), numeric, rtol=1e-4, atol=1e-4)


def test_categorical_gradient_matches_a_central_difference():
    y = np.array([0.0, 1.0, 0.0])
    p = np.array([0.2, 0.5, 0.3])
    h = 1e-6
    numeric = [(L.loss_curve("categorical_crossentropy", y, p + h * e)
                - L.loss_curve("categorical_crossentropy", y, p - h * e)) / (2 * h)
               for e in np.eye(3)]
    np.testing.assert_allclose(L.loss_gradient("categorical_crossentropy", y, p), numeric,
                               atol=1e-4)


def test_categorical_is_minus_log_of_the_true_class():
    p = np.array([[0.1, 0.7, 0.2], [0.5, 0.25, 0.25]])
    y = np.array([[0, 1, 0], [0, 0, 1]])
    np.testing.assert_allclose(L.categorical_crossentropy(y, p), -np.log([0.7, 0.25]))
    np.testing.assert_allclose(L.negative_log_likelihood([0.7, 0.25]), -np.log([0.7, 0.25]))


def test_binary_crossentropy_equals_keras():
    import keras

    # p = 1e-9 is clipped to 1e-7 by both. (Not p = 1: in float32, Keras's 1 − 1e-7 rounds to
    # 1 − 1.19e-7, so its loss there is 15.94 where the float64 one is 16.12.)
    y = np.array([0, 1, 1, 0, 1, 0.25], np.float32)
    p = np.array([0.1, 0.9, 0.3, 0.7, 1e-9, 0.6], np.float32)
    theirs = keras.ops.convert_to_numpy(keras.losses.binary_crossentropy(y[:, None], p[:, None]))
    np.testing.assert_allclose(L.binary_crossentropy(y, p), theirs, rtol=1e-5, atol=1e-5)


def test_clipping_keeps_the_ends_finite():
    assert L.binary_crossentropy(1.0, 0.0) == pytest.approx(-np.log(1e-7))
    assert np.isfinite(L.loss_gradient("binary_crossentropy", 1.0, 0.0))
    assert L.mse(1.0, 0.0) == 1.0 and L.loss_gradient("mse", 1.0, 0.0) == -2.0


def test_tables_and_formulas():
    assert set(L.FORMULAS) == set(L.LOSSES)
    assert {c.loss for c in L.WHICH_LOSS.values()} == set(L.LOSSES)
    assert L.WHICH_LOSS["binary classification"].output == "sigmoid"
    assert L.WHICH_LOSS["multi-class classification"].output == "softmax"
    with pytest.raises(ValueError, match="'hinge'.*binary_crossentropy"):
        L.loss_curve("hinge", 1.0, 0.5)
