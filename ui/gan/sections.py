"""The two halves of the GAN page: the 2-D toy game and the DCGAN on digits."""

from __future__ import annotations

import logging

import numpy as np
import streamlit as st

from dl_core.data import toy2d
from dl_core.source import function_source
from dl_core.topics import gan as toy_topic
from dl_core.topics.gan import digits as digits_topic
from dl_core.uploads import store_upload
from ui.charts import history_chart, show_pixels
from ui.gan.views import board, drawing_pad
from ui.params_form import params_form
from ui.results import dataset_note, download_model, training_facts
from ui.text import inert
from ui.training import trained_entry

MODEL_FILE = "dl_core/models/gan.py"

log = logging.getLogger(__name__)


def loss_charts(history: dict, page: str, suffix: str, x_title: str, total: int | None = None):
    left, right = st.columns(2)
    losses = {k: history[k] for k in ("d_loss", "g_loss") if k in history}
    outputs = {k: history[k] for k in ("d_real", "d_fake") if k in history}
    with left:
        fig = history_chart(losses, title="D and G losses", total_epochs=total)
        fig.update_xaxes(title=x_title)
        st.plotly_chart(fig, key=f"{page}_{suffix}_losses")
    with right:
        fig = history_chart(outputs, title="Mean D(x) (real) and D(G(z)) (fake)", total_epochs=total,
                            y_title="D output")
        fig.update_xaxes(title=x_title)
        fig.add_hline(y=0.5, line_dash="dot", line_color="grey")
        st.plotly_chart(fig, key=f"{page}_{suffix}_outputs")


def code_panels(page: str, builders: list[str]) -> None:
    for builder in builders:
        player = "generator" if "generator" in builder else "discriminator"
        with st.expander(f"The Keras code of the {player} ({builder})"):
            st.code(function_source(MODEL_FILE, builder), language="python")
    with st.expander("The GAN's train_step (k steps of D, then one of G)"):
        st.code(function_source(MODEL_FILE, "GAN"), language="python")


# -- 2-D toy ---------------------------------------------------------------------------------
def custom_points(page: str) -> str | None:
    """The learner's own target: a CSV upload or a lasso drawing. Returns the stored file's path."""
    key = f"{page}_points_path"
    with st.expander("Your own target points (for target = custom)",
                     expanded=st.session_state.get(key) is not None):
        st.markdown("Upload a CSV with two columns **x,y** (a header line is fine), or lasso some "
                    "dots on the pad below. The points are centred and scaled to fit the board.")
        upload = st.file_uploader("A CSV of x,y points", type=["csv", "txt"], key=f"{page}_points_csv")
        if upload is not None:
            _store_points(upload.getvalue(), key)
        event = st.plotly_chart(drawing_pad(_current_points(key)), key=f"{page}_draw",
                                on_select="rerun", selection_mode=("lasso", "box"))
        selected = [(p["x"], p["y"]) for p in (event.selection.points if event else [])
                    if p.get("curve_number", 0) == 0]
        if selected:
            if st.button(f"Use these {len(selected)} drawn points", key=f"{page}_use_drawn"):
                _store_points(toy2d.points_to_csv(np.array(selected)), key)
        if st.session_state.get(key):
            st.caption(f"Current custom target: {len(_current_points(key))} points.")
    return st.session_state.get(key)


def _store_points(raw: bytes, key: str) -> None:
    try:
        toy2d.read_points_csv(raw)
    except ValueError as err:
        log.info("refused an uploaded CSV: %s", err)
        st.error(f"These points cannot be used: {inert(err)}")
        return
    st.session_state[key] = str(store_upload(raw, ".csv"))


def _current_points(key: str) -> np.ndarray | None:
    path = st.session_state.get(key)
    if not path:
        return None
    from pathlib import Path

    return toy2d.read_points_csv(Path(path).read_bytes())


def toy_section(page: str) -> None:
    st.markdown("Real points (green) come from the target distribution; G's points (purple) start "
                "as a blob. The background is D's probability of *real*; the grey mesh is where G "
                "sends a square grid of noise $z$ — watch it fold and stretch onto the data.")
    data = custom_points(page)
    params, start = params_form(page, toy_topic.SCHEMA, labels={"d_steps": "k (D steps per G step)"})
    data = data if params["target"] == "custom" else None
    per = max(1, params["steps"] // toy_topic.SNAPSHOTS)

    def live(status):
        left, right = st.columns([3, 2])
        with left:
            if status.previews:
                done = (len(status.previews) - 1) * per
                show_pixels(status.previews[-1], factor=2,
                            caption=f"After {done} generator steps (green real, purple generated)")
        with right:
            fig = history_chart({k: v for k, v in status.history.items() if k in ("d_loss", "g_loss")},
                                title="D and G losses", total_epochs=toy_topic.SNAPSHOTS)
            fig.update_xaxes(title=f"snapshot ({per} steps each)")
            st.plotly_chart(fig, key=f"{page}_live_chart")

    entry = trained_entry(page, toy_topic.TOPIC.name, params, start, live=live, data=data)
    if entry is None:
        return
    dataset_note(entry)
    toy_results(page, entry, per)


def toy_results(page: str, entry, per: int) -> None:
    metrics, artifacts = entry.metrics, entry.artifacts()
    cols = st.columns(4)
    if "modes_covered" in metrics:
        cols[0].metric("Modes covered", f"{metrics['modes_covered']} / {metrics['mode_count']}",
                       help="Modes holding at least a few percent of the samples within 3σ of their centre.")
        cols[1].metric("High-quality fraction", f"{metrics['high_quality_fraction']:.0%}",
                       help="Share of generated points within 3σ of some mode.")
    else:
        cols[0].metric("Modes covered", "n/a", help="Only defined for the Gaussian mixtures.")
    cols[2].metric("JS divergence", f"{metrics['js_divergence']:.3f}",
                   help="Between 2-D histograms of real and generated points: 0 = identical, 0.693 = disjoint.")
    cols[3].metric("D(x) / D(G(z))", f"{metrics['d_real']:.2f} / {metrics['d_fake']:.2f}",
                   help="At equilibrium D cannot tell: both near 0.5.")
    st.caption(training_facts(entry) + " Each 'epoch' here is one snapshot interval.")

    steps = artifacts["snap_step"]
    index = st.slider("Snapshot", 0, len(steps) - 1, len(steps) - 1, key=f"{page}_snapshot",
                      help="Scrub back through training: 0 is the untrained generator.")
    label = f"after {int(steps[index])} generator steps"
    if "snap_modes" in artifacts:
        label += f" — {int(artifacts['snap_modes'][index])}/{len(artifacts['centres'])} modes covered"
    st.markdown(f"**The board {label}**")
    st.plotly_chart(board(artifacts, index), key=f"{page}_board")
    loss_charts(entry.history, page, "toy", f"snapshot ({per} steps each)")
    download_model(entry, page)
    code_panels(page, entry.meta["info"]["builders"])


# -- DCGAN on digits ---------------------------------------------------------------------------
def digits_section(page: str) -> None:
    st.markdown("A DCGAN: G upsamples noise with transposed convolutions, D is a small "
                "convolutional classifier of real vs fake. The grid shows the **same noise** after "
                "every epoch, so you see the same samples grow into digits.")
    params, start = params_form(page, digits_topic.SCHEMA, labels={"d_steps": "k (D steps per G step)"})

    def live(status):
        left, right = st.columns(2)
        with left:
            if status.previews:
                show_pixels(status.previews[-1], factor=2,
                            caption=f"Fixed-noise samples after epoch {len(status.previews) - 1}")
        with right:
            st.plotly_chart(history_chart({k: v for k, v in status.history.items()
                                           if k in ("d_loss", "g_loss")},
                                          total_epochs=status.epochs), key=f"{page}_live_chart")

    entry = trained_entry(page, digits_topic.TOPIC.name, params, start, live=live)
    if entry is None:
        return
    dataset_note(entry)
    digits_results(page, entry, params)


def digits_results(page: str, entry, params: dict) -> None:
    m = entry.metrics
    cols = st.columns(4)
    cols[0].metric("Sample confidence", f"{m['sample_confidence']:.2f}",
                   delta=f"{m['sample_confidence'] - m['real_confidence']:+.2f} vs real",
                   delta_color="off", help="Mean top class probability of a classifier on generated "
                   "samples (quality). The delta compares with real validation images.")
    cols[1].metric("Class coverage", f"{m['class_coverage']:.2f}",
                   delta=f"{m['class_coverage'] - m['real_coverage']:+.2f} vs real", delta_color="off",
                   help="Normalised entropy of the predicted classes: 1 = every class equally, "
                        "low = mode collapse.")
    cols[2].metric("Real images (reference)", f"{m['real_confidence']:.2f} / {m['real_coverage']:.2f}",
                   help="Confidence / coverage of the same classifier on real validation images.")
    cols[3].metric("D(x) / D(G(z))", f"{m['d_real']:.2f} / {m['d_fake']:.2f}")
    st.caption(training_facts(entry) + f" The judging classifier scores {m['classifier_accuracy']:.0%} "
               "on real validation images; it was trained once on the same data and cached.")

    previews = entry.previews()
    epoch = st.slider("Epoch", 0, len(previews) - 1, len(previews) - 1, key=f"{page}_epoch",
                      help="The same fixed noise after every epoch: epoch 0 is the untrained generator.")
    show_pixels(previews[epoch], caption=f"G(fixed noise) after epoch {epoch}", factor=3)
    loss_charts(entry.history, page, "digits", "epoch")

    st.subheader("Walk between two points of the latent space")
    st.markdown("Each seed draws one noise vector $z$; the row shows $G((1-t)z_a + t z_b)$ for "
                "$t$ from 0 to 1. A smooth morph means G learned a continuous map, not a lookup table.")
    left, right = st.columns(2)
    seed_a = left.number_input("Seed of z_a", 0, 10_000, 1, key=f"{page}_seed_a")
    seed_b = right.number_input("Seed of z_b", 0, 10_000, 2, key=f"{page}_seed_b")
    row = digits_topic.interpolate(entry.model_path, params["latent_dim"], int(seed_a), int(seed_b))
    show_pixels(row, caption=f"From z_a (seed {seed_a}) to z_b (seed {seed_b})", factor=3)
    download_model(entry, page)
    code_panels(page, entry.meta["info"]["builders"])
