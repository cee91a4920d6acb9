"""Hyperparameter widgets built from a topic's schema, mirrored in the URL query string.

The widgets sit in an `st.form`, so moving a slider does not rerun anything until the learner
presses Train. The submitted values are written to the URL, so a shared link reproduces the
setting, and with it the cached result.
"""

from __future__ import annotations

import math

import streamlit as st

from dl_core.params import Param, ParamError, Schema
from ui.text import inert

LOG_STEPS = (1, 2, 5)  # 1e-4, 2e-4, 5e-4, 1e-3, ... on a log-friendly slider


def params_from_query(schema: Schema, prefix: str = "") -> tuple[dict, list[str]]:
    """Defaults overlaid with valid values from the URL; the problems found, for a warning.
    `prefix`: this form's names in the URL (a page with two forms keeps them apart)."""
    values, problems = schema.defaults(), []
    for param in schema.params:
        raw = st.query_params.get(prefix + param.name)
        if raw is None:
            continue
        try:
            values[param.name] = param.coerce(raw)
        except ParamError as err:
            problems.append(str(err))
    return values, problems


def write_query(schema: Schema, values: dict, prefix: str = "") -> None:
    """Put the non-default values in the URL (a short link for the default configuration).
    Only this form's names change: another form's setting on the same page stays in the link."""
    defaults = schema.defaults()
    for name, value in values.items():
        key = prefix + name
        if value != defaults[name]:
            st.query_params[key] = str(value)
        elif key in st.query_params:
            del st.query_params[key]


def params_form(page: str, schema: Schema, *, labels: dict[str, str] | None = None,
                submit_label: str = "Train", stops: dict[str, tuple] | None = None,
                hidden: tuple[str, ...] = (), query_prefix: str = "") -> tuple[dict, bool]:
    """Render the form; return (current values, whether Train was pressed now).

    `stops` gives a parameter a slider over hand-picked values (e.g. 0, 0.5, 1, 2, 4, 8 … for a
    weight whose range includes 0, which a log slider cannot show). `hidden` parameters do not
    apply now (the built-in series once the learner brought a CSV): not drawn, value kept.
    `query_prefix` names this form's values in the URL, for a page with more than one form.
    """
    current = _current_values(page, schema, query_prefix)
    labels = labels or {}
    suffix = _widget_suffix(page)
    with st.form(f"{page}_form", border=True):
        columns = st.columns(2)
        values = {name: current[name] for name in hidden}
        shown_params = [param for param in schema.params if param.name not in hidden]
        for index, param in enumerate(shown_params):
            with columns[index % 2]:
                label = labels.get(param.name, param.name.replace("_", " ").capitalize())
                values[param.name] = _widget(f"{page}_{param.name}{suffix}", param, current[param.name], label,
                                             (stops or {}).get(param.name))
        submitted = st.form_submit_button(submit_label, type="primary", width="stretch")
    values = schema.canonical(values)
    if submitted:
        st.session_state[f"{page}_params"] = values
        write_query(schema, values, query_prefix)
    return values, submitted


def set_form_values(page: str, schema: Schema, values: dict) -> None:
    """Put `values` into the page's form (a preset button, say), then rerun to show them.

    The browser keeps a widget's own value for as long as the widget lives, whatever the script
    passes as its default, so the widgets are made anew under fresh keys (a generation suffix)."""
    st.session_state[f"{page}_params"] = schema.canonical(values)
    st.session_state[f"{page}_form_generation"] = st.session_state.get(
        f"{page}_form_generation", 0) + 1
    st.rerun()


def _widget_suffix(page: str) -> str:
    generation = st.session_state.get(f"{page}_form_generation", 0)
    return f"_g{generation}" if generation else ""


def _current_values(page: str, schema: Schema, prefix: str = "") -> dict:
    """The setting this session works on: from the URL on its first run, then the last submitted.

    Kept under a key of our own, not only in the widgets' state: Streamlit drops a widget's state
    when a run ends without drawing it (a rerun cut short, say), and the widget would then come
    back at its minimum, silently changing the setting and hence the cache key.
    """
    key = f"{page}_params"
    if key not in st.session_state:
        values, problems = params_from_query(schema, prefix)
        st.session_state[key] = values
        st.session_state[f"{page}_link_problems"] = problems
    for problem in st.session_state.get(f"{page}_link_problems", []):
        st.warning(f"Ignored a setting from the link: {inert(problem)}")
    return st.session_state[key]


def _widget(key: str, param: Param, value, label: str, stops: tuple | None = None):
    # `value` is always the session's current setting: Streamlit uses it when it (re)creates the
    # widget and otherwise keeps what the learner moved.
    if stops is not None:
        return st.select_slider(label, options=sorted(set(stops) | {value}), value=value, key=key,
                                help=param.help, format_func=lambda v: f"{v:g}")
    if param.type == "bool":
        return st.toggle(label, value=value, key=key, help=param.help)
    if param.choices is not None:
        options = list(param.choices)
        return st.selectbox(label, options, index=options.index(value), key=key, help=param.help)
    if param.type == "float" and param.log:
        return st.select_slider(label, options=log_options(param, value), value=value, key=key,
                                help=param.help, format_func=lambda v: f"{v:g}")
    if param.type == "int":
        if param.max - param.min <= 200:
            return st.slider(label, int(param.min), int(param.max), value=value, key=key,
                             help=param.help)
        return st.number_input(label, int(param.min), int(param.max), value=value, step=100,
                               key=key, help=param.help)
    return st.slider(label, float(param.min), float(param.max), value=float(value), step=0.05,
                     key=key, help=param.help)


def log_options(param: Param, value: float) -> list[float]:
    """1-2-5 steps between the bounds, plus the current value (it may come from a link)."""
    options = set()
    for exponent in range(math.floor(math.log10(param.min)), math.ceil(math.log10(param.max)) + 1):
        for step in LOG_STEPS:
            candidate = float(f"{step}e{exponent}")
            if param.min <= candidate <= param.max:
                options.add(candidate)
    options.add(float(value))
    return sorted(options)
