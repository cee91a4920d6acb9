"""The perceptron rule: the update's sign, convergence where a line exists, none on XOR."""

import numpy as np
import pytest

from dl_core.foundations import perceptron as P


def test_step_adds_x_when_the_answer_should_have_been_one():
    w = np.array([-1.0, 0.0, 0.0])  # score −1 everywhere: says 0
    s = P.step(w, [2.0, 1.0], y=1, eta=0.5)
    assert s.y_hat == 0 and s.mistake
    np.testing.assert_allclose(s.x, [1.0, 2.0, 1.0])
    np.testing.assert_allclose(s.update, 0.5 * s.x)
    np.testing.assert_allclose(s.w_after, w + 0.5 * s.x)
    # The same x now scores higher by exactly η‖x‖².
    assert s.w_after @ s.x - s.score == pytest.approx(0.5 * s.x @ s.x)


def test_step_subtracts_x_when_it_should_have_been_zero_and_leaves_a_right_answer():
    w = np.array([1.0, 0.0, 0.0])
    wrong = P.step(w, [1.0, 1.0], y=0, eta=1.0)
    assert wrong.y_hat == 1 and wrong.mistake
    np.testing.assert_allclose(wrong.w_after, w - wrong.x)
    right = P.step(w, [1.0, 1.0], y=1, eta=1.0)
    assert not right.mistake and np.all(right.update == 0)
    np.testing.assert_array_equal(right.w_after, w)


def test_step_at_score_zero_is_class_one_and_bad_inputs_name_themselves():
    assert P.step([0.0, 0.0, 0.0], [3.0, 4.0], y=1, eta=1.0).y_hat == 1
    with pytest.raises(ValueError, match="2 features but w has 4"):
        P.step([0, 0, 0, 0], [1.0, 2.0], y=1, eta=1.0)
    with pytest.raises(ValueError, match="y=2"):
        P.step([0, 0, 0], [1.0, 2.0], y=2, eta=1.0)


def test_separable_blobs_converge_to_a_separating_line():
    X, y = P.perceptron_points("separable", seed=3)
    assert X.shape == (60, 2) and X.dtype == np.float64 and set(y) == {0, 1}
    steps = P.run(X, y, P.initial_weights(0), eta=0.1, epochs=100)
    mistakes = P.mistakes_per_epoch(steps)
    assert mistakes[-1] == 0 and len(mistakes) < 100
    w = steps[-1].w_after
    np.testing.assert_array_equal(P.predict(w, X), y)
    assert len(steps) == len(mistakes) * len(X)
    assert steps[0].epoch == 1 and [s.index for s in steps[:len(X)]] == list(range(len(X)))


def test_shuffled_order_differs_per_epoch_and_still_converges():
    X, y = P.perceptron_points("separable", seed=0)
    steps = P.run(X, y, np.zeros(3), eta=0.1, epochs=100, order_seed=5)
    assert P.mistakes_per_epoch(steps)[-1] == 0
    first = [s.index for s in steps[:len(X)]]
    assert sorted(first) == list(range(len(X))) and first != list(range(len(X)))
    np.testing.assert_array_equal(P.predict(steps[-1].w_after, X), y)


@pytest.mark.parametrize("name", ["and", "or"])
def test_and_or_converge(name):
    X, y = P.perceptron_points(name)
    np.testing.assert_array_equal(X, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(y, P.TRUTH_TABLES[name])
    steps = P.run(X, y, P.initial_weights(1), eta=0.5, epochs=100)
    assert P.mistakes_per_epoch(steps)[-1] == 0
    np.testing.assert_array_equal(P.predict(steps[-1].w_after, X), y)


def test_xor_never_stops_making_mistakes():
    X, y = P.perceptron_points("xor")
    mistakes = P.mistakes_per_epoch(P.run(X, y, P.initial_weights(0), eta=0.5, epochs=100))
    assert len(mistakes) == 100 and min(mistakes) > 0


def test_unknown_point_set_lists_the_known_ones():
    with pytest.raises(ValueError, match="'nand'.*separable, and, or, xor"):
        P.perceptron_points("nand")


def test_line_points_cover_the_edge_cases():
    ends = P.line_points([0.0, 1.0, -1.0], (-2, 2))  # x2 = x1: the diagonal
    assert sorted(map(tuple, ends)) == [(-2.0, -2.0), (2.0, 2.0)]
    vertical = P.line_points([1.0, 2.0, 0.0], (-3, 3))  # x1 = −0.5
    np.testing.assert_allclose(sorted(map(tuple, vertical)), [(-0.5, -3.0), (-0.5, 3.0)])
    horizontal = P.line_points([1.0, 0.0, 2.0], (-3, 3))  # x2 = −0.5
    np.testing.assert_allclose(sorted(map(tuple, horizontal)), [(-3.0, -0.5), (3.0, -0.5)])
    assert P.line_points([1.0, 0.0, 0.0], (-3, 3)) is None  # no x: no line
    assert P.line_points([10.0, 1.0, 1.0], (-3, 3)) is None  # x1 + x2 = −10 misses the box
    for w in ([0.3, 1.0, -2.5], [1.0, 3.0, -2.0]):
        a, b = P.line_points(w, (-3, 3))
        for point in (a, b):
            assert w[0] + w[1] * point[0] + w[2] * point[1] == pytest.approx(0.0, abs=1e-9)
            assert np.all(np.abs(point) <= 3)
    with pytest.raises(ValueError, match="low < high"):
        P.line_points([0, 1, 1], (2, 1))


def test_the_course_example_line():
    np.testing.assert_array_equal(P.example_line(), [1.0, 3.0, -2.0])
    assert P.example_prediction(0.0, 0.0) == (1.0, 1)
    assert P.example_prediction(0.0, 1.0) == (-1.0, 0)
    assert P.example_prediction(1.0, 2.0) == (0.0, 1)  # on the line: step(0) = 1


def test_initial_weights_are_small_and_seeded():
    w = P.initial_weights(4)
    assert w.shape == (3,) and np.all(np.abs(w) < 0.5)
    np.testing.assert_array_equal(w, P.initial_weights(4))
