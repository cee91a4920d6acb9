"""Shared parts of the Gradient descent page: the problem and its surface, and paths (each one a
cached training of the `descent` topic) gathered for a picture."""

from __future__ import annotations

import numpy as np
import streamlit as st

from dl_core.foundations import descent
from dl_core.topics import descent as topic
from ui.foundations.descent_views import Path
from ui.training import compared_entries

SURFACE_POINTS = 200
OPTIMIZER_NAMES = {"sgd": "SGD", "momentum": "SGD + momentum", "nesterov": "SGD + Nesterov",
                   "rmsprop": "RMSprop", "adagrad": "Adagrad", "adadelta": "Adadelta",
                   "adam": "Adam"}


@st.cache_data(max_entries=8, show_spinner=False)
def surface(name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The exact loss over a 200×200 grid of the problem's box (shared by every session)."""
    return descent.loss_surface(descent.load_problem(name), SURFACE_POINTS)


def available_problems() -> dict[str, str]:
    """name -> title of every problem whose data can be read here (plotly's bundled files are
    normally there; the generated ones always are)."""
    found = {}
    for name in descent.PROBLEMS:
        try:
            found[name] = descent.load_problem(name).title
        except ValueError:
            continue
    return found


def choose_problem(key: str, names: tuple[str, ...] = descent.PROBLEMS, label: str = "Problem"):
    available = available_problems()
    choices = {name: available[name] for name in names if name in available}
    missing = [name for name in names if name not in choices]
    name = st.selectbox(label, list(choices), key=key, format_func=choices.get)
    if missing:
        st.caption(f"Not available here: {', '.join(missing)} (plotly's bundled data files are "
                   "missing).")
    problem = descent.load_problem(name)
    st.latex(rf"{problem.model_latex},\qquad {problem.loss_latex}")
    st.caption(problem.data_note)
    return problem


def describe(params: dict) -> str:
    """A path's label: what differs between paths a learner compares."""
    parts = [OPTIMIZER_NAMES[params["optimizer"]], f"η = {params['learning_rate']:g}"]
    if params["optimizer"] in ("momentum", "nesterov"):
        parts.append(f"α = {params['momentum']:g}")
    parts.append("full batch" if params["batch_size"] == 0 else f"batch {params['batch_size']}")
    if params["schedule"] != "constant":
        parts.append(f"{params['schedule']} schedule")
    return ", ".join(parts)


def as_path(label: str, entry) -> Path:
    artifacts, metrics = entry.artifacts(), entry.metrics
    diverged = int(metrics["diverged_at"]) if metrics["diverged"] else None
    return Path(label, artifacts["path"], artifacts["loss"], diverged)


def gather(key: str, settings: dict[str, dict], button: str) -> dict[str, Path]:
    """The paths of `settings` ({label: params}) that are cached; a button queues the others,
    whose progress is then shown until each is done."""
    settings = {label: topic.SCHEMA.canonical(params) for label, params in settings.items()}
    entries = compared_entries(key, topic.TOPIC.name, settings, button)
    return {label: as_path(label, entry) for label, entry in entries.items() if entry is not None}


def divergence_notes(paths: dict[str, Path] | list[Path]) -> None:
    for path in paths.values() if isinstance(paths, dict) else paths:
        if path.diverged_at is not None:
            st.error(f"**{path.label}: diverged** at step {path.diverged_at}: the loss grew past a "
                     "million times its start (or a weight past 10⁶), so the path stops there "
                     "instead of drawing infinities. The learning rate is too large for this "
                     "surface.")
