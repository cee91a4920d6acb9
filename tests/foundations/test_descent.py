"""Gradient-descent maths: the problems, their exact surfaces, minima, Hessians and GD's limits."""

import time

import numpy as np
import pytest

from dl_core.foundations import descent as D
from dl_core.foundations import problems

CONVEX = ("tips", "iris", "line")


@pytest.fixture(params=D.PROBLEMS)
def problem(request):
    return D.load_problem(request.param)


def test_problems_load_deterministically(problem):
    builder = problems._BUILDERS[problem.name]
    again = builder()
    np.testing.assert_array_equal(problem.x, again.x)
    np.testing.assert_array_equal(problem.y, again.y)
    assert problem.x.dtype == np.float64 and problem.y.dtype == np.float64
    assert problem.x.shape[0] == problem.n and problem.y.shape == (problem.n,)
    assert problem.x.ndim == (2 if problem.name == "iris" else 1)
    assert problem.loss in ("mse", "bce") and problem.kind in ("convex", "non-convex")
    (a1, b1), (a2, b2) = problem.box
    assert a1 < problem.start[0] < b1 and a2 < problem.start[1] < b2
    assert D.load_problem(problem.name) is problem


def test_unknown_problem_names_the_allowed_ones():
    with pytest.raises(ValueError, match="tips, iris, line, tanh"):
        D.load_problem("nope")


def test_unreadable_plotly_data_is_one_clear_valueerror(monkeypatch):
    import plotly.data

    def broken():
        raise FileNotFoundError("tips.csv.gz")

    monkeypatch.setattr(plotly.data, "tips", broken)
    with pytest.raises(ValueError, match="use the built-in problem 'line'"):
        problems._tips()


def test_data_facts():
    tips, iris, line = (D.load_problem(n) for n in ("tips", "iris", "line"))
    assert tips.n == 244 and abs(tips.x.std() - 1) < 1e-12 and tips.x.mean() > 2  # not centred
    assert "bill / 8.88" in tips.data_note
    assert iris.n == 100 and set(iris.y) == {0.0, 1.0} and iris.y.sum() == 50
    np.testing.assert_allclose(iris.x.mean(axis=0), 0, atol=1e-12)
    assert line.n == 100 and line.x.min() >= -2 and line.x.max() <= 2


def test_loss_at_is_vectorised_and_matches_a_loop(problem):
    rng = np.random.default_rng(1)
    w1, w2 = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    L = D.loss_at(problem, w1, w2)
    assert L.shape == (3, 4)
    for i in range(3):
        for j in range(4):
            assert L[i, j] == pytest.approx(D.loss_at(problem, w1[i, j], w2[i, j]), rel=1e-12)
    assert isinstance(D.loss_at(problem, 0.1, 0.2), float)


def test_loss_at_by_hand():
    line = D.load_problem("line")
    assert D.loss_at(line, 1.0, 0.0) == pytest.approx(np.mean((line.x - line.y) ** 2))
    iris = D.load_problem("iris")
    assert D.loss_at(iris, 0.0, 0.0) == pytest.approx(np.log(2.0))
    # huge weights: probabilities clipped at 1e-7 like Keras, so the loss stays finite
    assert np.isfinite(D.loss_at(iris, -1e4, -1e4))
    assert D.loss_at(iris, -1e4, -1e4) <= -np.log(1e-7) + 1e-9


def test_surface_shape_and_orientation(problem):
    w1_axis, w2_axis, L = D.loss_surface(problem, n=30, box=((-1.0, 2.0), (0.0, 5.0)))
    assert w1_axis.shape == (30,) and w2_axis.shape == (30,) and L.shape == (30, 30)
    assert w1_axis[0] == -1 and w1_axis[-1] == 2 and w2_axis[0] == 0 and w2_axis[-1] == 5
    i, j = 7, 21
    assert L[i, j] == pytest.approx(D.loss_at(problem, w1_axis[j], w2_axis[i]))
    w1_axis, w2_axis, L = D.loss_surface(problem, n=10)
    assert (w1_axis[0], w1_axis[-1]) == problem.box[0]
    assert (w2_axis[0], w2_axis[-1]) == problem.box[1]


@pytest.mark.parametrize("name", CONVEX)
def test_grid_minimum_is_within_one_cell_of_the_minimum(name):
    p = D.load_problem(name)
    w1_axis, w2_axis, L = D.loss_surface(p, n=200)
    i, j = np.unravel_index(np.argmin(L), L.shape)
    m = D.minimum(p)
    assert abs(w1_axis[j] - m.w1) <= w1_axis[1] - w1_axis[0]
    assert abs(w2_axis[i] - m.w2) <= w2_axis[1] - w2_axis[0]
    assert L.min() >= m.loss - 1e-12


def test_surface_is_fast(problem):
    D.loss_surface(problem, n=200)
    t = time.perf_counter()
    D.loss_surface(problem, n=200)
    assert time.perf_counter() - t < 5.0  # loose sanity bound; measured ≤ 0.1 s on 2 cores


def test_gradient_matches_finite_differences(problem):
    h = 1e-6
    for w1, w2 in [(0.3, -0.7), (1.2, 0.8), (-2.0, 1.5), problem.start]:
        g1, g2 = D.gradient_at(problem, w1, w2)
        n1 = (D.loss_at(problem, w1 + h, w2) - D.loss_at(problem, w1 - h, w2)) / (2 * h)
        n2 = (D.loss_at(problem, w1, w2 + h) - D.loss_at(problem, w1, w2 - h)) / (2 * h)
        np.testing.assert_allclose([g1, g2], [n1, n2], rtol=1e-6, atol=1e-8)


def test_gradient_is_vectorised(problem):
    w1, w2 = np.array([[0.1, 0.5]]), np.array([[-0.3, 1.0]])
    g1, g2 = D.gradient_at(problem, w1, w2)
    assert g1.shape == g2.shape == (1, 2)
    assert g1[0, 1] == pytest.approx(D.gradient_at(problem, 0.5, 1.0)[0])


def test_minimum(problem):
    m = D.minimum(problem)
    assert m.loss == pytest.approx(D.loss_at(problem, m.w1, m.w2), rel=1e-14)
    np.testing.assert_allclose(D.gradient_at(problem, m.w1, m.w2), 0, atol=1e-9)
    (a1, b1), (a2, b2) = problem.box
    assert a1 < m.w1 < b1 and a2 < m.w2 < b2
    assert m.method
    assert m.loss < D.loss_at(problem, *problem.start)


def test_known_minima():
    line = D.minimum(D.load_problem("line"))
    assert line.w1 == pytest.approx(1.5, abs=0.1) and line.w2 == pytest.approx(-0.5, abs=0.1)
    tips = D.load_problem("tips")
    m = D.minimum(tips)
    slope = np.cov(tips.x, tips.y, bias=True)[0, 1] / tips.x.var()  # simple regression
    assert m.w1 == pytest.approx(slope) and m.w2 == pytest.approx(tips.y.mean() - slope * tips.x.mean())
    iris = D.minimum(D.load_problem("iris"))
    assert 0 < iris.loss < np.log(2)  # the classes overlap: a finite, positive minimum
    tanh = D.minimum(D.load_problem("tanh"))
    assert tanh.w1 > 0 and tanh.w1 == pytest.approx(1.0, abs=0.1)
    assert tanh.w2 == pytest.approx(2.0, abs=0.1)
    assert D.loss_at(D.load_problem("tanh"), -tanh.w1, -tanh.w2) == pytest.approx(tanh.loss)


@pytest.mark.parametrize("name", ["tips", "line"])
def test_hessian_of_linear_problems_matches_finite_differences(name):
    p = D.load_problem(name)
    H = D.hessian(p, 0.4, -0.2)
    h = 1e-4
    num = np.empty((2, 2))
    for k, (e1, e2) in enumerate([(h, 0), (0, h)]):
        num[:, k] = (np.array(D.gradient_at(p, 0.4 + e1, -0.2 + e2))
                     - np.array(D.gradient_at(p, 0.4 - e1, -0.2 - e2))) / (2 * h)
    np.testing.assert_allclose(H, num, rtol=1e-7, atol=1e-9)
    A = np.stack([p.x, np.ones_like(p.x)], axis=1)
    np.testing.assert_allclose(H, 2 * A.T @ A / p.n, atol=1e-12)


def test_iris_hessian_matches_finite_differences():
    p = D.load_problem("iris")
    h = 1e-5
    for w in [(0.0, 0.0), (1.0, 2.0)]:
        num = np.empty((2, 2))
        for k, e in enumerate(np.eye(2) * h):
            num[:, k] = (np.array(D.gradient_at(p, *(np.array(w) + e)))
                         - np.array(D.gradient_at(p, *(np.array(w) - e)))) / (2 * h)
        np.testing.assert_allclose(D.hessian(p, *w), num, rtol=1e-6, atol=1e-9)


def _gd(p, lr, steps):
    return D.gradient_descent(p, p.start, lr, steps)


def test_max_stable_learning_rate_on_line():
    p = D.load_problem("line")
    eta = D.max_stable_learning_rate(p)
    m = D.minimum(p)
    assert eta == pytest.approx(2 / np.linalg.eigvalsh(D.hessian(p, m.w1, m.w2))[-1])
    path, losses = _gd(p, 0.9 * eta, 500)
    assert len(losses) == 501 and D.divergence_step(losses, path) is None
    assert losses[-1] == pytest.approx(m.loss, rel=1e-6)
    path, losses = _gd(p, 1.1 * eta, 2000)
    t = D.divergence_step(losses, path)
    assert t is not None and t == len(losses) - 1  # gradient_descent stops there
    assert losses[t] > 1e6 * losses[0]


@pytest.mark.parametrize("name", ["tips", "line"])
def test_gd_with_a_good_rate_reaches_the_minimum_in_200_steps(name):
    p = D.load_problem(name)
    path, losses = _gd(p, 0.5 * D.max_stable_learning_rate(p), 200)
    assert losses[-1] <= 1.01 * D.minimum(p).loss
    assert np.all(np.diff(losses) <= 1e-12)  # below 2/λ_max, GD on a quadratic never goes up


def test_tanh_critical_points():
    p = D.load_problem("tanh")
    points = D.critical_points(p)
    minima = [c for c in points if c.kind == "minimum"]
    saddles = [c for c in points if c.kind == "saddle"]
    assert len(minima) == 2 and len(saddles) == 1 and len(points) == 3
    a, b = minima
    assert (a.w1, a.w2) == pytest.approx((-b.w1, -b.w2)) and a.loss == pytest.approx(b.loss)
    m = D.minimum(p)
    assert (a.w1, a.w2) == pytest.approx((m.w1, m.w2))  # lowest loss first, w₁ > 0 first
    s = saddles[0]
    assert (s.w1, s.w2) == pytest.approx((0.0, 0.0), abs=1e-9)
    assert s.loss == pytest.approx(np.mean(p.y ** 2))
    lo, hi = np.linalg.eigvalsh(D.hessian(p, s.w1, s.w2))
    assert lo < 0 < hi and s.eigenvalues == pytest.approx((lo, hi))
    c = np.mean(p.x * p.y)
    assert hi == pytest.approx(2 * c, rel=1e-6)
    assert s.loss > a.loss


def test_tanh_plateau_stalls_gd():
    p = D.load_problem("tanh")
    path, losses = _gd(p, 0.1, 300)
    # after the fast first steps, 250 steps barely move the loss: the saturated-tanh plateau
    assert losses[50] - losses[300] < 0.05 and losses[300] > 10 * D.minimum(p).loss
    g1, _ = D.gradient_at(p, *path[100])
    assert abs(g1) < 0.05


def test_convex_problems_have_one_critical_point():
    for name in ("line", "iris"):
        points = D.critical_points(D.load_problem(name))
        assert [c.kind for c in points] == ["minimum"]


def test_divergence_step():
    path = np.zeros((5, 2))
    assert D.divergence_step([1.0, 0.5, 0.2, 0.1, 0.05], path) is None
    assert D.divergence_step([1.0, 10.0, 2e6, 1e9, np.inf], path) == 2
    assert D.divergence_step([1.0, 0.5, np.nan, 0.1, 0.1], path) == 2
    assert D.divergence_step([1.0, 2.0, 3.0], path[:3], limit=2.5) == 2
    big = path.copy()
    big[3] = [2e6, 0.0]
    assert D.divergence_step([1.0] * 5, big) == 3


def test_direction_variability():
    straight = np.stack([np.linspace(0, 1, 20), np.linspace(0, 2, 20)], axis=1)
    assert D.direction_variability(straight) == pytest.approx(0.0, abs=1e-12)
    zigzag = np.array([[t, (-1) ** t] for t in range(20)], dtype=float)
    assert D.direction_variability(zigzag) > D.direction_variability(straight) + 0.5
    reverse = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 0.0], [1.0, 0.0]])
    assert D.direction_variability(reverse) == pytest.approx(2.0)
    with_pauses = np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 0.0], [2.0, 0.0]])
    assert D.direction_variability(with_pauses) == 0.0
    assert D.direction_variability(np.zeros((1, 2))) == 0.0


def test_momentum_on_an_elongated_valley_zigzags_less_than_plain_gd():
    """A check of direction_variability on real paths: GD near 2/λ_max zig-zags on 'line'."""
    p = D.load_problem("line")
    path, _ = _gd(p, 0.95 * D.max_stable_learning_rate(p), 40)
    slow, _ = _gd(p, 0.2 * D.max_stable_learning_rate(p), 40)
    assert D.direction_variability(path) > D.direction_variability(slow)


def test_pseudocode_and_keras_sgd_match():
    assert "θ ← θ − η g" in D.PSEUDOCODE["sgd"]
    assert "v ← α v − η g" in D.PSEUDOCODE["momentum"]
    assert "θ ← θ + v" in D.PSEUDOCODE["momentum"]


@pytest.mark.parametrize("nesterov", [False, True])
def test_keras_sgd_momentum_is_algorithm_8_2(nesterov):
    """What the module docstring says of keras.optimizers.SGD, checked on three steps."""
    keras = pytest.importorskip("keras")
    lr, alpha = 0.1, 0.9
    var = keras.Variable(np.array([1.0, -2.0], dtype="float32"))
    opt = keras.optimizers.SGD(learning_rate=lr, momentum=alpha, nesterov=nesterov)
    theta, v = np.array([1.0, -2.0]), np.zeros(2)
    for g in ([0.5, -1.0], [0.2, 0.3], [-0.4, 0.1]):
        opt.apply_gradients([(keras.ops.convert_to_tensor(np.array(g, dtype="float32")), var)])
        v = alpha * v - lr * np.array(g)
        theta = theta + (alpha * v - lr * np.array(g) if nesterov else v)
        np.testing.assert_allclose(keras.ops.convert_to_numpy(var), theta, rtol=1e-6)
