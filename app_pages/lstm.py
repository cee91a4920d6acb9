"""Sequences: forecast prices with an LSTM against honest baselines; its gates; why it remembers."""

import streamlit as st

from dl_core.topics import lstm as topic
from ui.charts import history_chart, show_pixels
from ui.lstm.data import choose_data
from ui.lstm.memory_tab import render_memory_tab
from ui.lstm.views import (
    future_figure,
    gates_figure,
    history_figure,
    one_step_figure,
    recursive_figure,
    scores_table,
)
from ui.params_form import params_form
from ui.results import dataset_note, download_model, model_code, training_facts
from ui.text import inert
from ui.training import trained_entry

PAGE = "lstm"

st.title("Stock LSTM")
st.markdown(
    "A recurrent network reads a sequence one step at a time and carries a **state** $h_t$ "
    "from step to step: the same weights are applied at every step, and $h_t$ is the "
    "network's memory of everything it has read so far.")
st.latex(r"h_t = f(h_{t-1}, x_t) = \tanh(W_{hh} h_{t-1} + W_{xh} x_t + b)")
st.markdown(
    "Training unrolls the loop over the window and backpropagates through every step "
    "(**backpropagation through time**). The gradient reaching step $t-k$ is a product of $k$ "
    "Jacobians $\\partial h_t / \\partial h_{t-1}$, so it can vanish or explode as $k$ grows. "
    "The **LSTM** adds a cell state $C_t$ and three gates that decide what to forget, what to "
    "write and what to show:")
st.latex(r"\begin{aligned}"
         r"f_t &= \sigma(W_f\cdot[h_{t-1}, x_t] + b_f) & i_t &= \sigma(W_i\cdot[h_{t-1}, x_t] + b_i) & "
         r"\tilde C_t &= \tanh(W_C\cdot[h_{t-1}, x_t] + b_C)\\"
         r"C_t &= f_t * C_{t-1} + i_t * \tilde C_t & o_t &= \sigma(W_o\cdot[h_{t-1}, x_t] + b_o) & "
         r"h_t &= o_t * \tanh(C_t)\end{aligned}")
st.markdown(
    "Here the network is used **many-to-one** (a window of $w$ values in, the next value out; or "
    "the next $h$ values, one Dense output each). Stacked layers are **many-to-many**: each passes "
    "its whole sequence $h_1 \\dots h_w$ to the next.")

forecast_tab, gates_tab, memory_tab = st.tabs(["Forecasting", "Gates made visible", "Why LSTMs remember"])

with forecast_tab:
    st.subheader("Data")
    choice = choose_data(PAGE)
    form_values, start = params_form(PAGE, topic.FORM_SCHEMA,
                                     labels={"source": "Built-in series", "ma_span": "Moving-average span"},
                                     hidden=("source",) if choice.data else ())
    params = topic.SCHEMA.canonical({**form_values, **choice.columns})
    st.markdown("**Preparation, with no look-ahead.** The series is cut in time: the first 70 % "
                "trains, the next 15 % validates (early stopping), the last 15 % tests. Nothing is "
                "shuffled across that cut. The scaler is fit on the training days only:")
    st.latex(r"z_t = \frac{x_t - \mu_{\text{train}}}{\sigma_{\text{train}}},\qquad "
             r"r_t = \log\frac{s_t}{s_{t-1}}")
    st.markdown("A scaler fit on all days would leak the test period's level and spread into "
                "training (**leakage**): the model would look better than it can be in real use. "
                "Prices wander, so a network trained on past price *levels* meets test levels it "
                "never saw; **log-returns** $r_t$ are stationary-ish, and predicting them asks the "
                "honest question: *how much will it move?*")
    ready = choice.ok
    if ready:
        try:
            topic.prepare(params, choice.data)
        except ValueError as err:
            st.error(f"This setting cannot be trained: {inert(err)}")
            ready = False

    def live(status):
        left, right = st.columns(2)
        left.plotly_chart(history_chart(status.history, total_epochs=status.epochs),
                          key=f"{PAGE}_live_chart")
        if status.previews:
            with right:
                show_pixels(status.previews[-1], factor=1,
                            caption=f"Validation period: price (grey) and one-step forecast (blue) "
                                    f"after epoch {len(status.previews) - 1}")

    entry = trained_entry(PAGE, topic.TOPIC.name, params, start, live=live, data=choice.data) if ready else None

if entry is not None:
    metrics, artifacts, info = entry.metrics, entry.artifacts(), entry.meta["info"]
    with forecast_tab:
        dataset_note(entry)
        cols = st.columns(4)
        cols[0].metric("Test RMSE (model)", f"{metrics['test_rmse']:.4g}")
        cols[1].metric("Test RMSE (persistence)", f"{metrics['baseline_rmse']:.4g}")
        cols[2].metric("Model / persistence", f"{metrics['rmse_ratio']:.3f}",
                       help="Below 1: the model beats 'tomorrow = today'.")
        cols[3].metric("Direction accuracy", f"{metrics['direction_accuracy']:.1%}")
        if metrics["rmse_ratio"] >= 1 - topic.TIE_MARGIN:
            st.warning(f"**The model does not beat persistence.** Its test RMSE is "
                       f"{metrics['rmse_ratio']:.3f}× that of simply repeating today's price"
                       + (" (a difference under 1 % is noise)" if metrics["rmse_ratio"] < 1 else "")
                       + ". That is the usual result on prices: tomorrow's move is close to "
                       "unpredictable from the past alone. Persistence is the bar, not a formality.")
        else:
            st.success(f"The model beats persistence by {1 - metrics['rmse_ratio']:.1%} in RMSE on the "
                       "test period. Check the direction accuracy too before believing it.")
        st.table(scores_table(metrics).style.format(
            {"RMSE": "{:.4g}", "MAE": "{:.4g}", "MAPE %": "{:.2f}", "direction accuracy": "{:.1%}"}))
        st.latex(r"\text{RMSE} = \sqrt{\tfrac1n\textstyle\sum(\hat s - s)^2}\quad "
                 r"\text{MAE} = \tfrac1n\textstyle\sum|\hat s - s|\quad "
                 r"\text{MAPE} = \tfrac{100}{n}\textstyle\sum\left|\tfrac{\hat s - s}{s}\right|")
        st.caption(training_facts(entry) + f" Early stopping kept epoch {info['best_epoch']} "
                   f"(best validation loss){' and stopped early' if info['stopped_early'] else ''}.")
        dates, prices = artifacts["dates"], artifacts["prices"]
        st.plotly_chart(history_figure(dates, prices, info["bounds"]), key=f"{PAGE}_series")
        st.plotly_chart(one_step_figure(dates, prices, artifacts["test_anchors"], artifacts["test_forecast"],
                                        artifacts["test_ma"]), key=f"{PAGE}_one_step")
        st.markdown(
            f"**The lag trap.** On a chart the forecast hugs the price, which looks impressive. But "
            f"persistence, the price shifted by one day, hugs it just as well. The model's one-step "
            f"forecast is on average **{metrics['lag_rmse']:.4g}** (RMSE) away from *yesterday's* "
            f"price and **{metrics['test_rmse']:.4g}** away from the actual price"
            + (": it mostly copies yesterday." if metrics["lag_rmse"] < metrics["test_rmse"] else ".")
            + " Judge a forecaster by the table above, not by the picture.")
        st.plotly_chart(recursive_figure(dates, prices, int(artifacts["recursive_start"][0]),
                                         artifacts["recursive"]), key=f"{PAGE}_recursive")
        st.caption("Recursive multi-step forecast from the last validation day: each forecast is fed "
                   "back as the newest input, so errors compound and grow with the step.")
        left, right = st.columns(2)
        left.plotly_chart(history_chart(entry.history, title="Loss per epoch (scaled MSE)"),
                          key=f"{PAGE}_loss")
        right.plotly_chart(future_figure(dates, prices, artifacts["future_dates"], artifacts["future"],
                                         artifacts["future_direct"]), key=f"{PAGE}_future")
        download_model(entry, PAGE)

    with gates_tab:
        if entry.meta["params"]["cell"] != "lstm":
            st.info("Gates exist in the LSTM only: choose **cell = lstm** in the Forecasting tab and train.")
        else:
            windows, anchors = artifacts["gate_windows"], artifacts["gate_anchors"]
            pick = st.select_slider("Test window ending on", options=list(range(len(windows))),
                                    value=len(windows) - 1, key=f"{PAGE}_gate_window",
                                    format_func=lambda i: str(dates[anchors[i]]),
                                    help="Which test window to feed through the trained first LSTM layer.")
            st.caption(f"The {len(windows[pick])} values up to {str(dates[anchors[pick]])}, scaled with the "
                       "training scaler, as the network reads them.")
            gates = topic.gate_activations(entry.model_path, windows[pick], info["recurrent_layer"])
            st.markdown("Recomputed from the layer's weights with the formulas above (Keras stores the "
                        "gates in the order $i, f, \\tilde C, o$ inside `kernel`, `recurrent_kernel` and "
                        "`bias`). Each heatmap row is one unit; columns are time steps of the window.")
            st.plotly_chart(gates_figure(windows[pick][:, 0], gates), key=f"{PAGE}_gates")
else:
    with gates_tab:
        st.info("Train a forecaster with **cell = lstm** in the Forecasting tab to see its gates.")

with memory_tab:
    render_memory_tab(PAGE)

with forecast_tab:
    model_code("dl_core/models/recurrent.py", "build_forecaster")
