"""The tabs of the Gradient descent page: paths on a real surface, the learning rate, a
non-convex surface, and backpropagation by hand."""

from __future__ import annotations

import streamlit as st

from dl_core.foundations import backprop, descent
from dl_core.topics import backprop as backprop_topic
from dl_core.topics import descent as topic
from ui.foundations.descent_paths import (
    as_path,
    choose_problem,
    describe,
    divergence_notes,
    gather,
    surface,
)
from ui.foundations.descent_views import contour_figure, loss_per_step_figure, surface_3d_figure
from ui.params_form import params_form
from ui.training import trained_entry

MAX_PINNED = 3  # the current path plus three pinned ones: four on the map
PATH_SETTINGS = ("optimizer", "learning_rate", "momentum", "batch_size", "steps", "schedule")
LABELS = {"batch_size": "Batch size (0 = the full set)", "steps": "Steps",
          "learning_rate": "Learning rate η", "momentum": "Momentum α (momentum, Nesterov)",
          "data_seed": "Seed of the mini-batch order"}


def draw(key: str, problem, paths: list, view: str = "Contour map", pickable: bool = False):
    """The surface with the paths up to a scrubbed step, and their loss per step beside it.
    Returns the map's selection event (a click on it), if any."""
    w1, w2, losses = surface(problem.name)
    minimum = descent.minimum(problem)
    longest = max((len(path.points) - 1 for path in paths), default=0)
    upto = st.slider("Step", 0, longest, longest, key=f"{key}_upto",
                     help="Scrub through the paths: 0 is the start.") if longest else 0
    left, right = st.columns([3, 2])
    event = None
    with left:
        if view == "3-D surface":
            st.plotly_chart(surface_3d_figure(w1, w2, losses, paths, upto), key=f"{key}_3d")
        else:
            figure = contour_figure(w1, w2, losses, (minimum.w1, minimum.w2), paths, upto,
                                    pickable=pickable)
            if pickable:
                event = st.plotly_chart(figure, key=f"{key}_map", on_select="rerun",
                                        selection_mode="points")
            else:
                st.plotly_chart(figure, key=f"{key}_map")
    with right:
        if paths:
            st.plotly_chart(loss_per_step_figure(paths, minimum.loss, upto), key=f"{key}_losses")
        st.caption(f"★ the minimum, ({minimum.w1:.3f}, {minimum.w2:.3f}) with L = "
                   f"{minimum.loss:.4g}, found by {minimum.method}.")
    divergence_notes(paths)
    return event


# --- paths --------------------------------------------------------------------------------


def render_paths_tab(page: str) -> None:
    key = f"{page}_paths"
    problem = choose_problem(f"{key}_problem")
    start = _start_point(key, problem)
    form_values, pressed = params_form(key, topic.SCHEMA, labels=LABELS,
                                       hidden=("problem", "start", "start_w1", "start_w2"))
    params = topic.SCHEMA.canonical({**form_values, "problem": problem.name, **start})
    entry = trained_entry(key, topic.TOPIC.name, params, pressed,
                          live=lambda status: st.progress(status.fraction, text="Descending…"))
    pinned = st.session_state.setdefault(f"{key}_pinned", [])
    paths = [as_path(describe(params), entry)] if entry is not None else []
    others = {describe({**params, **settings}): {**params, **settings} for settings in pinned}
    others.pop(describe(params), None)
    paths += list(gather(f"{key}_pinned", others, "Compute the pinned paths here").values())
    _pin_buttons(key, params, pinned, entry is not None)
    view = st.radio("View", ("Contour map", "3-D surface"), horizontal=True, key=f"{key}_view")
    if view == "Contour map":
        st.caption("Click a point of the map to start there (then press **Train**).")
    event = draw(key, problem, paths, view, pickable=True)
    _take_click(key, event)
    if entry is not None:
        _pseudocode(params, entry)


def _start_point(key: str, problem) -> dict:
    """Where the paths start: the problem's own start, or the learner's (sliders or a click)."""
    chosen = st.session_state.get(f"{key}_start_{problem.name}")
    (low_1, high_1), (low_2, high_2) = problem.box
    w1, w2 = chosen or problem.start
    with st.expander(f"Start point: ({w1:.2f}, {w2:.2f})"
                     + (" — the problem's own" if chosen is None else " — yours")):
        left, right = st.columns(2)
        new_1 = left.slider("start w₁", float(low_1), float(high_1), float(w1), 0.05,
                            key=f"{key}_w1_{problem.name}_{w1:.2f}")
        new_2 = right.slider("start w₂", float(low_2), float(high_2), float(w2), 0.05,
                             key=f"{key}_w2_{problem.name}_{w2:.2f}")
        if (round(new_1, 2), round(new_2, 2)) != (round(w1, 2), round(w2, 2)):
            st.session_state[f"{key}_start_{problem.name}"] = (new_1, new_2)
            st.rerun()
        if chosen is not None and st.button("Back to the problem's start", key=f"{key}_reset"):
            st.session_state.pop(f"{key}_start_{problem.name}")
            st.rerun()
    if chosen is None:
        return {"start": "problem", "start_w1": 0.0, "start_w2": 0.0}
    return {"start": "custom", "start_w1": round(float(w1), 2), "start_w2": round(float(w2), 2)}


def _take_click(key: str, event) -> None:
    points = event.selection.points if event is not None else []
    if points and "x" in points[0] and "y" in points[0]:
        problem_name = st.session_state[f"{key}_problem"]
        clicked = (round(float(points[0]["x"]), 2), round(float(points[0]["y"]), 2))
        if st.session_state.get(f"{key}_start_{problem_name}") != clicked:
            st.session_state[f"{key}_start_{problem_name}"] = clicked
            st.rerun()


def _pin_buttons(key: str, params: dict, pinned: list, trained: bool) -> None:
    settings = {name: params[name] for name in PATH_SETTINGS}
    left, right = st.columns(2)
    if trained and settings not in pinned and len(pinned) < MAX_PINNED:
        if left.button("Pin this path to compare", key=f"{key}_pin",
                       help="Keep it on the map while you try other settings. Pinned paths "
                            "always start where the current one starts, with the same "
                            "mini-batches, so the comparison is fair."):
            pinned.append(settings)
            st.rerun()
    if pinned and right.button(f"Unpin all ({len(pinned)})", key=f"{key}_unpin"):
        pinned.clear()
        st.rerun()


def _pseudocode(params: dict, entry) -> None:
    st.markdown(f"**What ran:** `{entry.meta['info']['optimizer_code']}` applied to the two "
                "weights, one step per mini-batch.")
    if params["optimizer"] in ("sgd", "momentum", "nesterov"):
        name = "sgd" if params["optimizer"] == "sgd" else "momentum"
        left, right = st.columns(2)
        left.code(descent.PSEUDOCODE[name], language=None, wrap_lines=True)
        right.markdown(
            "Keras's `SGD` implements exactly this: with `momentum=α` it keeps a velocity "
            "$v \\leftarrow \\alpha v - \\eta g$ and steps $\\theta \\leftarrow \\theta + v$ "
            "(Algorithm 8.2); with `nesterov=True` it steps "
            "$\\theta \\leftarrow \\theta + \\alpha v - \\eta g$ after the same velocity update.")


# --- the learning rate ----------------------------------------------------------------------

RATE_SHARES = {"too small": 0.03, "good": 0.6, "too large": 1.2}  # × 2/λ_max
# Measured on "line" (excess loss over the last 30 steps): constant 71 %, step 2.4 %, cosine 0.9 %.
SCHEDULE_STEPS, SCHEDULE_BATCH, SCHEDULE_SHARE = 150, 2, 0.4  # share of 2/λ_max


def render_rate_tab(page: str) -> None:
    key = f"{page}_rates"
    problem = choose_problem(f"{key}_problem", names=("line", "tips"))
    limit = descent.max_stable_learning_rate(problem)
    st.markdown(
        "Near its minimum a smooth loss is close to a quadratic bowl whose curvature is the "
        "Hessian $H$. Full-batch gradient descent then multiplies the distance to the minimum "
        "along each eigenvector of $H$ by $1 - \\eta\\lambda$ at every step, so it converges "
        f"exactly when $0 < \\eta < 2/\\lambda_{{\\max}}$. For this surface (a quadratic, so "
        f"this is exact) $2/\\lambda_{{\\max}} = {limit:.4g}$.")
    base = {"problem": problem.name, "optimizer": "sgd", "batch_size": 0, "steps": 100}
    settings = {f"{name}: η = {share * limit:.3g} ({share:g} × 2/λ_max)":
                {**base, "learning_rate": float(f"{share * limit:.3g}")}
                for name, share in RATE_SHARES.items()}
    paths = gather(key, settings, "Run the three learning rates")
    if paths:
        draw(key, problem, list(paths.values()))
        st.markdown("Too small creeps towards the minimum; good gets there in a few steps; too "
                    "large overshoots further at every step, so the path zig-zags outwards and "
                    "the loss explodes.")
    st.subheader("Learning-rate schedules")
    st.markdown("With mini-batches the gradient is noisy, so a constant rate keeps jittering "
                "around the minimum. A schedule shrinks η as training goes on: **step decay** "
                "halves it every quarter of the steps, **cosine** lowers it smoothly to 0. The price: "
                "a smaller η also moves more slowly, so a schedule that decays too early stops "
                "short of the minimum.")
    noisy = {"problem": problem.name, "optimizer": "sgd", "batch_size": SCHEDULE_BATCH,
             "steps": SCHEDULE_STEPS, "learning_rate": float(f"{SCHEDULE_SHARE * limit:.3g}")}
    schedules = {f"{name}, η₀ = {noisy['learning_rate']:g}, batch {SCHEDULE_BATCH}":
                 {**noisy, "schedule": name}
                 for name in ("constant", "step", "cosine")}
    paths = gather(f"{key}_schedules", schedules, "Run the three schedules")
    if paths:
        draw(f"{key}_schedules", problem, list(paths.values()))


# --- a non-convex surface ---------------------------------------------------------------------

STARTS = ((-5.0, 3.0), (-2.0, -3.5), (3.0, 3.5), (1.0, -3.0))
PLATEAU_STEPS = 300


def render_nonconvex_tab(page: str) -> None:
    key = f"{page}_nonconvex"
    problem = descent.load_problem("tanh")
    st.latex(rf"{problem.model_latex},\qquad {problem.loss_latex}")
    st.caption(problem.data_note)
    points = descent.critical_points(problem)
    st.markdown("Flipping the signs of both weights gives the same function, so this surface has "
                "two equally good minima, and between them a **saddle point**, where the "
                "gradient is zero but the surface curves up one way and down the other:")
    st.table({"point": [p.kind for p in points], "w₁": [f"{p.w1:.3f}" for p in points],
              "w₂": [f"{p.w2:.3f}" for p in points], "loss": [f"{p.loss:.4g}" for p in points],
              "Hessian eigenvalues": [f"{p.eigenvalues[0]:.3g}, {p.eigenvalues[1]:.3g}"
                                      for p in points]})
    base = {"problem": "tanh", "optimizer": "sgd", "batch_size": 0, "steps": 150,
            "learning_rate": 0.3, "start": "custom"}
    starts = {f"start ({w1:g}, {w2:g})": {**base, "start_w1": w1, "start_w2": w2}
              for w1, w2 in STARTS}
    paths = gather(key, starts, "Run from four starts")
    if paths:
        draw(key, problem, list(paths.values()))
        ends = [f"from {label[6:]} {_arrival(points, path)}" for label, path in paths.items()]
        st.markdown("Full-batch SGD, η = 0.3, 150 steps: " + "; ".join(ends) + ".")
    st.subheader("A plateau: where plain SGD stalls and momentum does not")
    st.markdown(
        f"From {problem.start}, $w_1$ is so large that $\\tanh(w_1 x)$ is saturated: the surface "
        "is almost flat in $w_1$, its gradient tiny. Plain SGD takes tiny steps across it; "
        "momentum adds the small steps up in its velocity and crosses.")
    plateau = {"problem": "tanh", "batch_size": 0, "steps": PLATEAU_STEPS, "learning_rate": 0.1}
    runs = {"SGD, η = 0.1": {**plateau, "optimizer": "sgd"},
            "SGD + momentum α = 0.9, η = 0.1": {**plateau, "optimizer": "momentum", "momentum": 0.9}}
    paths = gather(f"{key}_plateau", runs, "Run SGD and momentum")
    if paths:
        draw(f"{key}_plateau", problem, list(paths.values()))


ARRIVED = 0.05  # how close (in w) to a critical point a path's end must be to say it got there


def _arrival(points, path) -> str:
    """Where a path ended, in words: at which critical point, or still on its way."""
    w = path.points[-1]
    best = min(points, key=lambda p: (p.w1 - w[0]) ** 2 + (p.w2 - w[1]) ** 2)
    if ((best.w1 - w[0]) ** 2 + (best.w2 - w[1]) ** 2) ** 0.5 <= ARRIVED:
        return f"reaches the {best.kind} ({best.w1:.2f}, {best.w2:.2f})"
    return (f"is still on its way at ({w[0]:.2f}, {w[1]:.2f}), loss {path.losses[-1]:.3g}, "
            f"{len(path.points) - 1} steps later")


# --- backpropagation by hand ------------------------------------------------------------------


AGREE = 1e-6


def render_backprop_tab(page: str) -> None:
    key = f"{page}_backprop"
    st.markdown("One training example through a 2-1-1 network: two inputs, one hidden sigmoid "
                "unit, one sigmoid output, loss $J = \\tfrac12(\\hat y - y)^2$. Backpropagation "
                "is the chain rule, applied from the loss back to each weight.")
    values = _backprop_values(key)
    forward = backprop.forward(values)
    st.markdown("**Forward pass**")
    st.latex(r"\begin{aligned}" + r"\\".join(
        rf"{backprop.FORWARD_LATEX[name]} &= {forward[name]:.6f}" for name in backprop.FORWARD_LATEX)
        + r"\end{aligned}")
    st.markdown("**Backward pass**: each gradient is a product of local derivatives.")
    hand = backprop.gradients(values)
    for param, factors in backprop.chain_rule(values).items():
        product = r" \cdot ".join(f"({value:.6f})" for _, value in factors)
        st.latex(r"\begin{aligned}" + backprop.gradient_latex(param).replace(" = ", " &= ", 1)
                 + rf"\\ &= {product}\\ &= {hand[param]:.8f}\end{{aligned}}")
    entry = trained_entry(key, backprop_topic.TOPIC.name, values, True)
    if entry is not None:
        metrics = entry.metrics
        st.markdown("**Keras's own gradient** (automatic differentiation of the same "
                    "network, float64):")
        st.table({"parameter": list(backprop.PARAMS),
                  "by hand (chain rule)": [f"{hand[p]:.10f}" for p in backprop.PARAMS],
                  "Keras": [f"{metrics[f'keras_{p}']:.10f}" for p in backprop.PARAMS]})
        difference = metrics["max_abs_difference"]
        if difference <= AGREE:
            st.success(f"Largest difference: {difference:.1e}: the chain rule by hand and "
                       "automatic differentiation agree.")
        else:
            st.warning(f"Largest difference: {difference:.1e}, more than {AGREE:g}: the two "
                       "disagree beyond rounding here (for weights this large, float32 rounding "
                       "of a saturated sigmoid can be the reason).")


def _backprop_values(key: str) -> dict:
    columns = st.columns(4)
    values = {}
    for index, name in enumerate((*backprop.INPUTS, *backprop.PARAMS)):
        label = {"x1": "x₁", "x2": "x₂", "y": "label y", "w11": "w₁₁", "w12": "w₁₂", "b1": "b₁",
                 "w2": "w₂", "b2": "b₂"}[name]
        values[name] = columns[index % 4].number_input(label, -5.0, 5.0, float(backprop.DEFAULT[name]),
                                                       0.1, key=f"{key}_{name}", format="%.2f")
    return backprop_topic.SCHEMA.canonical(values)
