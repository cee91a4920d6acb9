"""Hyperparameter widgets built from a topic's schema, mirrored in the URL query string.

The widgets sit in an `st.form`, so moving a slider does not rerun anything until the learner
presses Train. The submitted values are written to the URL, so a shared link reproduces the
setting, and with it the cached result.
"""

from __future__ import annotations

import math

import streamlit as st

from dl_core.params import Param, ParamError, Schema

LOG_STEPS = (1, 2, 5)  # 1e-4, 2e-4, 5e-4, 1e-3, ... on a log-friendly slider


def params_from_query(schema: Schema) -> tuple[dict, list[str]]:
    """Defaults overlaid with valid values from the URL; the problems found, for a warning."""
    values, problems = schema.defaults(), []
    for param in schema.params:
        raw = st.query_params.get(param.name)
        if raw is None:
            continue
        try:
            values[param.name] = param.coerce(raw)
        except ParamError as err:
            problems.append(str(err))
    return values, problems


def write_query(schema: Schema, values: dict) -> None:
    """Put the non-default values in the URL (a short link for the default configuration)."""
    defaults = schema.defaults()
    st.query_params.from_dict({name: str(value) for name, value in values.items()
                               if value != defaults[name]})


def params_form(page: str, schema: Schema, *, labels: dict[str, str] | None = None,
                submit_label: str = "Train",
                stops: dict[str, tuple] | None = None) -> tuple[dict, bool]:
    """Render the form; return (current values, whether Train was pressed now).

    `stops` gives a parameter a slider over hand-picked values (e.g. 0, 0.5, 1, 2, 4, 8 … for a
    weight whose range includes 0, which a log slider cannot show).
    """
    initial, problems = params_from_query(schema)
    for problem in problems:
        st.warning(f"Ignored a setting from the link: {problem}")
    labels = labels or {}
    with st.form(f"{page}_form", border=True):
        columns = st.columns(2)
        values = {}
        for index, param in enumerate(schema.params):
            with columns[index % 2]:
                label = labels.get(param.name, param.name.replace("_", " ").capitalize())
                values[param.name] = _widget(f"{page}_{param.name}", param, initial[param.name], label,
                                             (stops or {}).get(param.name))
        submitted = st.form_submit_button(submit_label, type="primary", width="stretch")
    values = schema.canonical(values)
    if submitted:
        write_query(schema, values)
    return values, submitted


def _widget(key: str, param: Param, value, label: str, stops: tuple | None = None):
    # Pass `value` only on first creation: afterwards Session State owns the widget's value.
    kwargs = {} if key in st.session_state else {"value": value}
    if stops is not None:
        return st.select_slider(label, options=sorted(set(stops) | {value}), key=key,
                                help=param.help, format_func=lambda v: f"{v:g}", **kwargs)
    if param.type == "bool":
        return st.toggle(label, key=key, help=param.help, **kwargs)
    if param.choices is not None:
        options = list(param.choices)
        index = options.index(value) if key not in st.session_state else None
        extra = {} if index is None else {"index": index}
        return st.selectbox(label, options, key=key, help=param.help, **extra)
    if param.type == "float" and param.log:
        options = log_options(param, value)
        return st.select_slider(label, options=options, key=key, help=param.help,
                                format_func=lambda v: f"{v:g}", **kwargs)
    if param.type == "int":
        if param.max - param.min <= 200:
            return st.slider(label, int(param.min), int(param.max), key=key, help=param.help, **kwargs)
        return st.number_input(label, int(param.min), int(param.max), step=100, key=key,
                               help=param.help, **kwargs)
    return st.slider(label, float(param.min), float(param.max), step=0.05, key=key,
                     help=param.help, **kwargs)


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
