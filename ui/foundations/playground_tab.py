"""The MLP playground tab: 2-D points, a small MLP trained through the job engine, and what each
neuron computes. Everything drawn comes from the cached entry's artifacts (no Keras here)."""

from __future__ import annotations

import streamlit as st

from dl_core.data.planar import load_points_csv
from dl_core.foundations.features import FEATURE_LABELS, FEATURES
from dl_core.source import function_source
from dl_core.topics import playground as topic
from dl_core.topics.playground.surface import affine_residual
from dl_core.uploads import store_upload
from ui.charts import heatmap, history_chart, show_pixels
from ui.foundations.network import network_figure, neuron_maps_figure
from ui.foundations.views import surface_figure
from ui.params_form import params_form, write_query
from ui.results import dataset_note, download_model, model_code, training_facts
from ui.text import inert
from ui.training import trained_entry

PENALTY_STOPS = (0.0, 0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1)  # 0 and a log scale
STOPS = {"l1": PENALTY_STOPS, "l2": PENALTY_STOPS}
BUILT_IN, OWN = "Built-in points", "Your own CSV"
LABELS = {"l1": "L1 strength λ₁", "l2": "L2 strength λ₂", "test_ratio": "Test share",
          "hidden_layers": "Hidden layers", "units": "Units per hidden layer",
          "points": "Points", "classes": "Classes (blobs only)"}


def render_playground_tab(page: str) -> tuple[dict, str | None]:
    """Draw the tab; return the setting and data it trained (the Losses tab compares losses on it)."""
    st.markdown(
        "A **multilayer perceptron** stacks dense layers. With one hidden layer of weights $W_1$, "
        "biases $b_1$ and activation $\\sigma$, and a softmax output over the classes:")
    st.latex(r"\hat y(x) = \operatorname{softmax}\!\left(W_2^\top\, \sigma(W_1^\top x + b_1) + b_2\right)")
    st.markdown(
        "**Linear activations produce linear decisions, whatever the network's size:** a stack of "
        "affine maps is one affine map, so the boundary between two classes is a straight line. "
        "Non-linear activations let the layers bend it, and with enough units they approximate "
        "arbitrarily complex boundaries. Try *circles* with 4 hidden layers of *linear* units, "
        "then with *tanh*.")
    data = _own_data(page)
    if data is False:
        return topic.SCHEMA.defaults(), None
    features = st.multiselect("Input features (what the first layer sees)", list(FEATURES),
                              default=_current_features(page), key=f"{page}_features",
                              format_func=lambda name: FEATURE_LABELS[name])
    if not features:
        st.warning("Choose at least one input feature.")
        return topic.SCHEMA.defaults(), None
    form_values, start = params_form(page, topic.SCHEMA, labels=LABELS, stops=STOPS,
                                     hidden=("features",) + (("dataset", "classes", "points", "noise")
                                                             if data else ()))
    params = topic.SCHEMA.canonical({**form_values, "features": ",".join(features)})
    if start:
        st.session_state[f"{page}_params"] = params
        write_query(topic.SCHEMA, params)
    entry = trained_entry(page, topic.TOPIC.name, params, start, live=_live(page), data=data)
    if entry is not None:
        _results(page, entry)
    model_code("dl_core/models/mlp.py", "build_mlp")
    with st.expander("The same dense layer, written by hand"):
        st.markdown("`keras.layers.Dense(units, activation)` computes $\\sigma(x W + b)$. Written "
                    "out with `add_weight`, as in the course notes:")
        model_code_inline()
    return params, data


def model_code_inline() -> None:
    st.code(function_source("dl_core/models/mlp.py", "MyDenseLayer"), language="python")


def _current_features(page: str) -> list[str]:
    current = st.session_state.get(f"{page}_params", {}).get("features")
    chosen = (current or topic.SCHEMA.get("features").default).split(",")
    return [name for name in chosen if name in FEATURES]


def _own_data(page: str):
    """None: the built-in points; a path: the learner's CSV; False: a problem was shown."""
    choice = st.radio("Data", (BUILT_IN, OWN), horizontal=True, key=f"{page}_data_choice")
    if choice == BUILT_IN:
        return None
    upload = st.file_uploader("A CSV with the columns x1, x2, label (2 to 10 labels)", type=["csv"],
                              key=f"{page}_upload")
    if upload is None:
        st.info("Upload a CSV of points (columns x1, x2, label) to train on your own data.")
        return False
    path = store_upload(upload.getvalue(), ".csv")
    try:
        load_points_csv(path)
    except ValueError as err:
        st.error(f"This CSV cannot be used: {inert(err)}")
        return False
    return str(path)


def _live(page: str):
    def live(status):
        left, right = st.columns(2)
        if status.previews:
            with left:
                show_pixels(status.previews[-1], factor=2,
                            caption=f"Decision surface after epoch {len(status.previews) - 1}: "
                                    "filled dots train, rings test")
        right.plotly_chart(history_chart(status.history, total_epochs=status.epochs,
                                         title="Loss and accuracy per epoch", y_title=""),
                           key=f"{page}_live_chart")
    return live


def _results(page: str, entry) -> None:
    dataset_note(entry)
    metrics, artifacts, info = entry.metrics, entry.artifacts(), entry.meta["info"]
    cols = st.columns(4)
    cols[0].metric("Test accuracy", f"{metrics['test_accuracy']:.1%}")
    cols[1].metric("Train accuracy", f"{metrics['train_accuracy']:.1%}")
    cols[2].metric("Test loss", f"{metrics['test_loss']:.4f}")
    cols[3].metric("Train loss", f"{metrics['train_loss']:.4f}")
    st.caption(training_facts(entry))
    if entry.meta["params"]["activation"] == "linear":
        _linear_note(artifacts, info)
    surface_column, curves_column = st.columns(2)
    probabilities = artifacts["surface_probs"]
    with surface_column:
        epoch = st.slider("Epoch", 0, len(probabilities) - 1, len(probabilities) - 1,
                          key=f"{page}_epoch", help="Scrub back through training: 0 is the untrained network.")
        st.plotly_chart(surface_figure(artifacts, probabilities[epoch], info["labels"]),
                        key=f"{page}_surface")
    with curves_column:
        losses = {name: values for name, values in entry.history.items() if name.endswith("loss")}
        accuracies = {name: values for name, values in entry.history.items() if "accuracy" in name}
        epochs = len(entry.history.get("loss", [])) or None
        st.plotly_chart(history_chart(losses, title="Loss per epoch (validation = the test points)",
                                      total_epochs=epochs), key=f"{page}_loss_chart")
        st.plotly_chart(history_chart(accuracies, title="Accuracy per epoch (validation = the test "
                                      "points)", y_title="accuracy", total_epochs=epochs),
                        key=f"{page}_accuracy_chart")
    _neurons(page, artifacts, info)
    labels = info["labels"]
    confusion = heatmap(artifacts["confusion"], labels, labels, "test points", text_format=".0f",
                        x_title="predicted class", y_title="true class", row_height=46)
    confusion.update_xaxes(type="category")  # labels such as "0" and "1" are names, not numbers
    confusion.update_yaxes(type="category")
    st.markdown("**Confusion matrix** of the test points: row = true class, column = predicted.")
    st.plotly_chart(confusion, key=f"{page}_confusion")
    download_model(entry, page)


def _linear_note(artifacts: dict, info: dict) -> None:
    """With linear units the network is one affine map of its features: say how straight the
    boundary really is (measured on the grid), or why it bends when the features do."""
    if set(info["features"]) <= {"x1", "x2"}:
        residual = affine_residual(artifacts["surface_logits"], artifacts["grid_x1"],
                                   artifacts["grid_x2"], relative=True)
        st.caption("Every unit is linear, so the network is one affine map of x₁ and x₂ and the "
                   "boundary is a straight line: fitting a + b·x₁ + c·x₂ to the difference of "
                   f"the output scores over the grid leaves at most {residual:.1e} of their range.")
    else:
        st.caption("Every unit is linear, so the network is an affine map of its input features: "
                   "the boundary is straight in the features' space, and bends in the plane only "
                   "as the features themselves (x₁², sin πx₁, …) do.")


def _neurons(page: str, artifacts: dict, info: dict) -> None:
    st.subheader("What every neuron computes")
    st.markdown("Each small map is one hidden unit's activation over the same plane (blue high, "
                "orange low); the output layer combines them. Below, the network itself: each "
                "edge is a learned weight, its width the size and its colour the sign "
                "(blue positive, orange negative).")
    if len(artifacts["neuron_maps"]):
        names = [f"layer {layer.split('_')[-1]} · unit {unit + 1}" for layer, unit in info["neuron_maps"]]
        st.plotly_chart(neuron_maps_figure(artifacts["neuron_maps"], names),
                        key=f"{page}_neurons")
    else:
        st.caption("No hidden layer: the inputs feed the output directly (logistic regression).")
    st.plotly_chart(network_figure(artifacts, info), key=f"{page}_network")
