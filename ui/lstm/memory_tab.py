"""The "Why LSTMs remember" tab: SimpleRNN vs LSTM on recalling a marked bit k steps back."""

from __future__ import annotations

import streamlit as st

from dl_core.topics.lstm import memory as topic
from ui.charts import history_chart
from ui.lstm.views import gradient_figure, memory_accuracy_figure
from ui.params_form import params_form
from ui.results import model_code
from ui.training import trained_entry

LABELS = {"longest_lag": "Longest lag k", "memory_units": "Units", "memory_samples": "Training sequences",
          "memory_epochs": "Epochs (per network)", "memory_learning_rate": "Learning rate"}

TRAIN_LABEL = "Train SimpleRNN and LSTM"


def render_memory_tab(page: str) -> None:
    st.markdown(
        "**The task.** A stream of random numbers in $[-1, 1]$ arrives with a second channel that "
        "*marks* one of them, $k$ steps before the end. At the end the network must output the "
        "marked number (a recall within ±0.1 counts as correct; always answering 0 scores about "
        "10 %). Everything after the mark is distraction, so the network has to carry one number "
        "unchanged for $k$ steps. Both networks see the same data; the lags $k$ take turns.")
    st.latex(r"\frac{\partial \mathcal{L}}{\partial h_{T-k}} = \frac{\partial \mathcal{L}}{\partial h_T}"
             r"\prod_{t=T-k+1}^{T} \frac{\partial h_t}{\partial h_{t-1}}")
    st.latex(r"\text{SimpleRNN: } \frac{\partial h_t}{\partial h_{t-1}} = "
             r"\operatorname{diag}(1-h_t^2)\,W_{hh}\qquad "
             r"\text{LSTM, along the cell: } \frac{\partial C_t}{\partial C_{t-1}} \approx \operatorname{diag}(f_t)")
    st.markdown(
        "A product of $k$ matrices whose size is below 1 shrinks geometrically (**vanishing "
        "gradient**; above 1 it explodes). The LSTM's cell state is updated additively, "
        "$C_t = f_t * C_{t-1} + i_t * \\tilde C_t$, so the gradient along it is scaled only by the "
        "forget gates, which training can hold near 1; with $f_t \\approx 1$ and $i_t \\approx 0$ "
        "the cell also holds a stored number unchanged.")
    params, start = params_form(f"{page}_memory", topic.SCHEMA, labels=LABELS,
                                submit_label=TRAIN_LABEL)
    live = lambda status: st.plotly_chart(history_chart(status.history, total_epochs=status.epochs),
                                          key=f"{page}_memory_live")
    entry = trained_entry(f"{page}_memory", topic.TOPIC.name, params, start, live=live,
                          train_label=TRAIN_LABEL)
    if entry is None:
        return
    artifacts, metrics = entry.artifacts(), entry.metrics
    cols = st.columns(2)
    cols[0].metric(f"SimpleRNN accuracy at k = {int(artifacts['lags'][-1])}",
                   f"{metrics['simple_rnn_accuracy_longest_lag']:.0%}")
    cols[1].metric(f"LSTM accuracy at k = {int(artifacts['lags'][-1])}",
                   f"{metrics['lstm_accuracy_longest_lag']:.0%}")
    st.caption(f"Both networks trained in {entry.meta['seconds']:.1f} s on {entry.meta.get('device', 'CPU')}; "
               f"{entry.meta['dataset']['train']} training and {entry.meta['dataset']['val']} validation "
               "sequences of generated numbers.")
    left, right = st.columns(2)
    left.plotly_chart(memory_accuracy_figure(artifacts["lags"], artifacts["simple_rnn_accuracy"],
                                             artifacts["lstm_accuracy"]), key=f"{page}_memory_accuracy")
    curves = {"SimpleRNN, untrained": artifacts["simple_rnn_grad_init"],
              "SimpleRNN, trained": artifacts["simple_rnn_grad_trained"],
              "LSTM, untrained": artifacts["lstm_grad_init"], "LSTM, trained": artifacts["lstm_grad_trained"]}
    right.plotly_chart(gradient_figure(curves), key=f"{page}_memory_gradients")
    st.markdown(
        "The right chart shows how much of the loss's gradient reaches the input that came that "
        "many steps before the end (further right = further back; log scale), before training (dotted) "
        "and after (solid). Before training both curves fall with distance; the untrained LSTM "
        "even faster, because its forget gates start near σ(1) ≈ 0.73 and each step multiplies by "
        "them. Training teaches the LSTM to hold its forget gates near 1, which flattens its curve: "
        "every step back gets the same signal. The SimpleRNN has no gate to learn; its gradient "
        "still fades with distance, and its accuracy on the left falls towards 'always answering "
        "0' as k grows.")
    model_code("dl_core/models/recurrent.py", "build_memory_classifier")
