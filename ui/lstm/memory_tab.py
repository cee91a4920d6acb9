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
CURVES = (("SimpleRNN, untrained", "simple_rnn", "init"), ("SimpleRNN, trained", "simple_rnn", "trained"),
          ("LSTM, untrained", "lstm", "init"), ("LSTM, trained", "lstm", "trained"))
GRADIENT = r"$\lVert \partial \mathcal{L} / \partial x_{T-k} \rVert$"
FLATTER = 1.5  # "flatter" only when one curve keeps 1.5× the other's share of the signal at the longest lag


def render_memory_tab(page: str) -> None:
    st.markdown(
        "**The task.** A stream of random numbers $x_1 \\dots x_T$ in $[-1, 1]$ arrives with a second "
        "channel that *marks* one of them, $x_{T-k}$: $k$ steps before the last input $x_T$. At the "
        "end the network must output the marked number (a recall within ±0.1 counts as correct; "
        "always answering 0 scores about 10 %). Everything after the mark is distraction, so the "
        "network has to carry one number unchanged for $k$ steps. Both networks see the same data; "
        "the lags $k$ take turns. The loss of one sequence is $\\mathcal{L} = (\\hat y - y)^2$, and "
        "the input $k$ steps back gets the gradient (for the LSTM, read $h$ as its whole state "
        "$(h_t, C_t)$):")
    st.latex(r"\frac{\partial \mathcal{L}}{\partial x_{T-k}} = \frac{\partial \mathcal{L}}{\partial h_T}"
             r"\Bigl(\prod_{t=T-k+1}^{T} \frac{\partial h_t}{\partial h_{t-1}}\Bigr)"
             r"\frac{\partial h_{T-k}}{\partial x_{T-k}}")
    st.latex(r"\text{SimpleRNN: } \frac{\partial h_t}{\partial h_{t-1}} = "
             r"\operatorname{diag}(1-h_t^2)\,W_{hh}\qquad "
             r"\text{LSTM, direct cell path: } \frac{\partial C_t}{\partial C_{t-1}}\Big|_{\text{direct}} = "
             r"\operatorname{diag}(f_t)")
    st.markdown(
        "If every Jacobian in the product has size (norm) at most $\\gamma < 1$, the product has "
        "size at most $\\gamma^k$: the gradient shrinks geometrically with $k$ (**vanishing "
        "gradient**); Jacobians that stretch can make it grow as fast (**exploding**). The LSTM's "
        "cell state is updated additively, $C_t = f_t * C_{t-1} + i_t * \\tilde C_t$, so along the "
        "direct path $C_{t-1} \\to C_t$ the gradient is multiplied only by the forget gates; with "
        "$f_t \\approx 1$ and $i_t \\approx 0$ the cell would also hold a stored number unchanged. "
        "How far back the gradient survives, before and after training, is what the right chart "
        "below measures.")
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
    curves = {name: artifacts[f"{cell}_grad_{stage}"] for name, cell, stage in CURVES}
    factors = {name: metrics[f"{cell}_grad_decay_{stage}"] for name, cell, stage in CURVES}
    longest = int(artifacts["lags"][-1])
    with right:
        st.plotly_chart(gradient_figure(curves, factors, longest), key=f"{page}_memory_gradients")
        st.caption(gradient_caption(len(curves["LSTM, trained"])))
    st.markdown(gradient_story(metrics, longest))
    model_code("dl_core/models/recurrent.py", "build_memory_classifier")


def gradient_caption(length: int) -> str:
    """Exactly what the gradient chart plots."""
    return (f"Plotted: for each $k = 0 \\dots {length - 1}$, the mean over {topic.GRADIENT_SAMPLES} "
            f"validation sequences of {GRADIENT}, the size of the gradient of that sequence's loss "
            "$\\mathcal{L} = (\\hat y - y)^2$ with respect to its input $k$ steps before the last one "
            "(both channels: value and mark), before training (dotted) and after (solid); log scale. "
            "\"×f per step\" is $e^{\\text{slope}}$ of the least-squares line through "
            f"$\\log$ {GRADIENT} over every $k$.")


def gradient_story(metrics: dict, longest: int) -> str:
    """What this run's curves show, from its own measured factors (never a fixed claim)."""
    rnn = {stage: metrics[f"simple_rnn_grad_decay_{stage}"] for stage in ("init", "trained")}
    lstm = {stage: metrics[f"lstm_grad_decay_{stage}"] for stage in ("init", "trained")}

    def reach(factor: float) -> str:  # share of the last input's gradient left after `longest` steps
        share = factor ** longest
        return f"{share:.2%}" if share < 0.1 else f"{share:.0%}"

    text = ("**Read the slopes, not the heights.** On a log axis a gradient that is multiplied by "
            "the same factor at every step back is a straight line, and that factor is its slope. "
            "The height is set by how wrong the network still is: every step's gradient carries "
            "the factor $\\partial \\mathcal{L} / \\partial \\hat y = 2(\\hat y - y)$, so a network "
            "that answers well has a low curve everywhere. "
            f"**Before training** the gradient shrinks by ×{rnn['init']:.3f} per step in the SimpleRNN "
            f"and ×{lstm['init']:.3f} in the LSTM: at those rates, of the gradient the last input "
            f"gets, {reach(rnn['init'])} and {reach(lstm['init'])} would reach $k = {longest}$.")
    if lstm["init"] < rnn["init"]:
        text += (" The untrained LSTM's falls faster. (Keras starts its forget gates near "
                 "$\\sigma(1) \\approx 0.73$, and along the direct cell path every step multiplies "
                 "the gradient by them.)")
    text += (f" **After training**: ×{rnn['trained']:.3f} per step in the SimpleRNN "
             f"({reach(rnn['trained'])} would reach $k = {longest}$) and ×{lstm['trained']:.3f} in "
             f"the LSTM ({reach(lstm['trained'])}).")
    rnn_share, lstm_share = rnn["trained"] ** longest, lstm["trained"] ** longest
    if lstm_share >= FLATTER * rnn_share:
        text += (" The trained LSTM's curve is far flatter than the SimpleRNN's: its error signal "
                 "reaches the far-back inputs it has to learn from.")
    elif rnn_share >= FLATTER * lstm_share:
        text += " In this run the trained SimpleRNN's curve is the flatter one."
    else:
        text += " In this run both trained curves are about as flat."
    return text + (" A flat curve means the error signal reaches far-back inputs, not that the network "
                   "can use it: the accuracies on the left say whether it learnt to remember.")
