"""The Perceptron tab: the perceptron rule walked one sample at a time, on a 2-D set of points.

The trace is computed in dl_core.foundations.perceptron (pure numpy, instant); this tab only
keeps the learner's position in it and draws it. Step and Play rerun only the walkthrough.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from dl_core.data.planar import load_points_csv
from dl_core.foundations import perceptron
from dl_core.uploads import store_upload
from ui.foundations.views import mistakes_figure, perceptron_figure
from ui.text import inert

SETS = {"Separable blobs": "separable", "AND": "and", "OR": "or", "XOR": "xor"}
OWN = "Your own CSV"
MAX_EPOCHS = 100
PLAY_INTERVAL_S = 0.4


def render_perceptron_tab(page: str) -> None:
    st.markdown(
        "The **perceptron** is one neuron with a step activation. Each input $x$ gets a leading 1, "
        "so $w_0$ is the bias, and the neuron answers")
    st.latex(r"\hat y = f(w^\top x),\qquad f(s) = \begin{cases}1 & s \ge 0\\ 0 & s < 0\end{cases}")
    st.markdown("It learns one sample at a time: whenever it is wrong, it moves $w$ towards the "
                "right answer, then goes on to the next sample, until a whole pass has no mistake.")
    st.latex(r"w \leftarrow w + \eta\,(y - \hat y)\,x")
    st.markdown(
        "**Why the sign is +.** If the answer should be 1 but was 0, then $y - \\hat y = 1$ and the "
        "rule adds $\\eta x$, so the score of that sample grows by $\\eta\\lVert x\\rVert^2 > 0$ "
        "towards $\\ge 0$; if it should be 0 but was 1, the rule subtracts and the score falls. "
        "(One version of the notes prints $w - \\eta(y - \\hat y)x$: that moves the score the wrong "
        "way and never learns.) When the two classes can be split by a line, the rule stops after "
        "finitely many mistakes (the perceptron convergence theorem); when they cannot, as in XOR, "
        "it never stops.")
    points = _chosen_points(page)
    if points is None:
        return
    x, y, names = points
    left, right = st.columns(2)
    eta = left.select_slider("Learning rate η", options=[0.01, 0.05, 0.1, 0.5, 1.0], value=0.1,
                             key=f"{page}_perc_eta", on_change=_reset, args=(page,))
    seed = right.number_input("Seed of the starting weights", 0, 999, 0, key=f"{page}_perc_seed",
                              on_change=_reset, args=(page,))
    trace = perceptron.run(x, y, perceptron.initial_weights(int(seed)), float(eta), MAX_EPOCHS)
    playing = st.toggle("Play", key=f"{page}_perc_play",
                        help=f"Take one step every {PLAY_INTERVAL_S:g} s.")
    st.fragment(run_every=PLAY_INTERVAL_S if playing else None)(_walkthrough)(
        page, x, y, names, trace, playing)
    example_line()


def _chosen_points(page: str):
    choice = st.radio("Points", [*SETS, OWN], horizontal=True, key=f"{page}_perc_set",
                      on_change=_reset, args=(page,))
    if choice != OWN:
        x, y = perceptron.perceptron_points(SETS[choice], seed=0)
        return x, y, ["0", "1"]
    upload = st.file_uploader("A CSV with the columns x1, x2, label (two labels)", type=["csv"],
                              key=f"{page}_perc_upload", on_change=_reset, args=(page,))
    if upload is None:
        st.info("Upload a CSV of points to run the rule on your own data.")
        return None
    try:
        x, y, names = load_points_csv(store_upload(upload.getvalue(), ".csv"))
    except ValueError as err:
        st.error(f"This CSV cannot be used: {inert(err)}")
        return None
    if len(names) != 2:
        st.error(f"The perceptron tells two classes apart; this CSV has {len(names)} labels. "
                 "Keep two, or use the MLP playground tab, which takes up to 10.")
        return None
    return x, y, names


def _reset(page: str) -> None:
    st.session_state[f"{page}_perc_step"] = 0


def _advance(page: str, count: int) -> None:
    st.session_state[f"{page}_perc_step"] = min(st.session_state.get(f"{page}_perc_step", 0) + 1,
                                                count)


def _walkthrough(page: str, x, y, names, trace, playing: bool) -> None:
    count = len(trace)
    key = f"{page}_perc_step"
    if st.session_state.get(key, 0) > count:
        _reset(page)
    if playing:
        _advance(page, count)
    slider, step_button, end_button = st.columns([6, 1, 1], vertical_alignment="bottom")
    slider.slider("Step (samples seen)", 0, count, key=key)
    step_button.button("Step ▶", key=f"{page}_perc_next", on_click=_advance, args=(page, count),
                       disabled=st.session_state[key] >= count)
    end_button.button("Run to the end", key=f"{page}_perc_end",
                      on_click=lambda: st.session_state.__setitem__(key, count))
    done = st.session_state[key]
    current = trace[done - 1] if done else None
    weights = current.w_after if current else trace[0].w_before
    figure_column, numbers_column = st.columns([3, 2])
    figure_column.plotly_chart(perceptron_figure(x, y, names, weights, current),
                               key=f"{page}_perc_plane", config={"displayModeBar": False})
    with numbers_column:
        _step_numbers(current, weights)
    mistakes = perceptron.mistakes_per_epoch(trace[:done])
    if mistakes:
        st.plotly_chart(mistakes_figure(mistakes), key=f"{page}_perc_mistakes",
                        config={"displayModeBar": False})
    _verdict(trace, done, count)


def _vector(values) -> str:
    # round(...) + 0.0 turns −0.0004 and −0.0 into 0.0, so nothing prints as "-0.000"
    return r"(" + r",\ ".join(f"{round(float(v), 3) + 0.0:.3f}" for v in values) + r")"


def _step_numbers(current, weights) -> None:
    if current is None:
        st.markdown("**Start:** the weights are drawn at random. Press **Step ▶**.")
        st.latex(rf"w = {_vector(weights)}")
        return
    verdict = "a mistake, so w moves" if current.mistake else "correct, so w stays"
    st.markdown(f"**Epoch {current.epoch}, sample {current.index + 1}** (circled): {verdict}.")
    st.latex(
        r"\begin{aligned}"
        rf"x &= {_vector(current.x)}\\"
        rf"y &= {current.y}\\"
        rf"w^\top x &= {round(current.score, 3) + 0.0:.3f}\\"
        rf"\hat y &= f(w^\top x) = {current.y_hat}\\"
        rf"\eta\,(y - \hat y)\,x &= {_vector(current.update)}\\"
        rf"w_{{\text{{new}}}} &= {_vector(current.w_after)}"
        r"\end{aligned}")


def _verdict(trace, done: int, count: int) -> None:
    last = trace[-1]
    converged = not any(s.mistake for s in trace if s.epoch == last.epoch)
    if done < count:
        return
    if converged:
        st.success(f"No mistake in epoch {last.epoch}: the line separates every point, and the "
                   "rule stops.")
    else:
        st.warning(f"Still {sum(s.mistake for s in trace if s.epoch == last.epoch)} mistakes in "
                   f"epoch {last.epoch} of {MAX_EPOCHS}. No line puts these classes on two sides "
                   "(for XOR: (0,0) and (1,1) on one side, (0,1) and (1,0) on the other is "
                   "impossible, because any line with both 0-points on one side has their "
                   "midpoint (½,½) there too, and that is also the midpoint of the two 1-points), "
                   "so the rule keeps correcting forever. A hidden layer fixes this: see the MLP "
                   "playground tab.")


def example_line() -> None:
    with st.expander("The notes' example: ŷ = g(1 + 3x₁ − 2x₂)"):
        st.markdown("Here $w = (1, 3, -2)$: the line $1 + 3x_1 - 2x_2 = 0$ splits the plane; "
                    "points where the score is $\\ge 0$ are class 1.")
        left, right = st.columns(2)
        x1 = left.slider("x₁", -3.0, 3.0, 1.0, 0.5, key="perc_example_x1")
        x2 = right.slider("x₂", -3.0, 3.0, 2.0, 0.5, key="perc_example_x2")
        score, y_hat = perceptron.example_prediction(x1, x2)
        st.latex(rf"1 + 3\cdot({x1:g}) - 2\cdot({x2:g}) = {score:g}\ \Rightarrow\ \hat y = {y_hat}")
        grid = np.array([[x1, x2]])
        st.plotly_chart(perceptron_figure(grid, np.array([y_hat]), ["0", "1"],
                                          perceptron.example_line(), None, box=(-3.5, 3.5)),
                        key="perc_example_plane", config={"displayModeBar": False})
