"""The VAE page's interactive parts: everything that decodes with the cached model, live.

All decoding goes through dl_core.topics.vae.explore, which uses the process-wide read-only model
(`load_shared`): no job, a few milliseconds per image.
"""

from __future__ import annotations

import time

import numpy as np
import streamlit as st

from dl_core.engine.cache import Entry
from dl_core.topics.vae import explore as vae_explore
from dl_core.topics.vae import metrics as vae_metrics
from ui.charts import show_pixels
from ui.image_upload import image_upload
from ui.text import inert
from ui.training import cached_entry, trained_entry
from ui.vae.views import (
    association_heatmap,
    kl_bar_chart,
    latent_scatter,
    manifold_figure,
    traversal_figure,
)

START_PRIOR, START_EXAMPLE = "the prior mean (z = 0)", "a validation image"
TRAVERSAL_NOTE = ("Each row is one latent dimension z_j with its KL (validation mean, nats; grey = "
                  "not active: collapsed, or barely visible); each column the value z_j is set to.")


def dimension_states(artifacts: dict) -> list[str]:
    """What each dimension does (see dl_core.topics.vae.metrics.dimension_states)."""
    return vae_metrics.dimension_states(artifacts["kl_per_dim"], artifacts.get("decode_change"))


def show_traversal(entry: Entry, start: np.ndarray, caption: str, key: str,
                   display_width: int = 860) -> None:
    """The decoded traversal from `start` as a labelled grid, then its caption."""
    images, artifacts = vae_explore.traversal_images(entry.model_path, start), entry.artifacts()
    fig = traversal_figure(images, artifacts["kl_per_dim"], dimension_states(artifacts),
                           vae_explore.traversal_values(), display_width)
    st.plotly_chart(fig, key=key, config={"displayModeBar": False})
    st.caption(caption)


def image_factor(entry: Entry) -> int:
    """Display enlargement: 28/32-pixel images ×3, 64-pixel sprites ×2."""
    return 2 if entry.meta["info"]["image_size"] > 32 else 3


def traversal_section(entry: Entry, page: str) -> None:
    artifacts = entry.artifacts()
    st.subheader("Latent traversal")
    st.markdown("Each row changes **one** latent dimension from −3 to +3 (the prior's ±3σ) while "
                "the others stay fixed at the starting point. A useful dimension changes one "
                "thing about the image; a collapsed one (grey in the KL chart below) changes "
                "nothing.")
    choice = st.radio("Start from", (START_PRIOR, START_EXAMPLE), key=f"{page}_start",
                      horizontal=True)
    start = np.zeros(len(artifacts["kl_per_dim"]), np.float32)
    label, origin = "prior", "the prior mean z = 0"
    if choice == START_EXAMPLE:
        examples = artifacts["examples"]
        index = st.slider("Validation image", 0, len(examples) - 1, 0, key=f"{page}_example")
        show_pixels(examples[index], caption=f"validation image {index}", factor=image_factor(entry))
        start = vae_explore.encode(entry.model_path, examples[index:index + 1] / 255.0)[0][0]
        label, origin = f"example{index}", f"validation image {index}"
    show_traversal(entry, start, f"Traversal from {origin}. {TRAVERSAL_NOTE}",
                   key=f"{page}_traversal")
    st.markdown("**Move one dimension yourself.** Every move decodes one image in this process "
                "with the cached model.")
    slider_decoder(entry, start, f"{page}_{label}_{entry.key[:8]}")


@st.fragment
def slider_decoder(entry: Entry, start: np.ndarray, key: str) -> None:
    """One slider per latent dimension; only this fragment reruns when one moves."""
    left, right = st.columns([3, 1])
    z = np.array(start, np.float32)
    with left:
        columns = st.columns(2)
        for dim in range(len(z)):
            with columns[dim % 2]:
                z[dim] = st.slider(f"z{dim + 1}", -3.0, 3.0, float(np.clip(start[dim], -3, 3)),
                                   step=0.1, key=f"{key}_z{dim}")
    began = time.perf_counter()
    image = vae_explore.decode(entry.model_path, z[None, :])[0]
    milliseconds = (time.perf_counter() - began) * 1000
    with right:
        show_pixels(image, caption=f"decoded in {milliseconds:.0f} ms", factor=4)


def latent_space_section(entry: Entry, page: str) -> None:
    artifacts, info = entry.artifacts(), entry.meta["info"]
    kl = artifacts["kl_per_dim"]
    dims = vae_metrics.most_active(kl, 2)
    st.subheader("The latent space in two dimensions")
    which = ("the two latent dimensions" if len(kl) == 2 else
             f"the two most active dimensions, z{dims[0] + 1} and z{dims[1] + 1} (largest KL); "
             "the other dimensions are held at 0")
    st.markdown(f"Left: the decoder's output over a grid of [−3, 3]² in {which}. Because the KL "
                "term pulls every code towards N(0, 1), the space is **continuous** (nearby "
                "points decode to similar images) and **complete** (every point decodes to "
                "something plausible). Right: the means μ of encoded validation images.")
    left, right = st.columns(2)
    with left:
        steps = 11
        fig = manifold_figure(vae_explore.manifold_images(entry.model_path, tuple(dims), steps),
                              dims, vae_explore.traversal_values(steps))
        st.plotly_chart(fig, key=f"{page}_manifold", config={"displayModeBar": False})
        st.caption(f"horizontal: z{dims[0] + 1} from −3 to +3 · vertical: "
                   f"z{dims[1] + 1} from +3 (top) to −3")
    with right:
        if info["has_factors"]:
            names = info["labels"]
            name = st.selectbox("Colour by factor", names, index=names.index("x"),
                                key=f"{page}_colour")
            factor = names.index(name)
            colours = artifacts["val_factors"][:, factor]
            categories = list(_shape_names()) if name == "shape" else None
            fig = latent_scatter(artifacts["val_mu"], dims, colours, name, categories)
        else:
            fig = latent_scatter(artifacts["val_mu"], dims, artifacts["val_labels"], "label",
                                 info["labels"])
        st.plotly_chart(fig, key=f"{page}_scatter")

    st.subheader("KL per dimension")
    states = dimension_states(artifacts)
    st.markdown(kl_text(states, "decode_change" in artifacts))
    st.plotly_chart(kl_bar_chart(kl, states), key=f"{page}_kl_bars")


def kl_text(states: list[str], change_measured: bool) -> str:
    """The KL chart's reading, with the rule that makes a dimension "active"."""
    active, still = states.count(vae_metrics.ACTIVE), states.count(vae_metrics.STILL)
    text = (f"How far each dimension's posterior sits from the prior, averaged over the validation "
            f"images. **{active} of {len(states)}** dimensions are active")
    if change_measured:
        text += (f": their KL is above {vae_metrics.ACTIVE_KL:g} nats, and setting the dimension to "
                 f"−3 instead of +3 (the rest of z at 0) changes the decoded pixels by at least "
                 f"{vae_metrics.VISIBLE_CHANGE:g} on average (pixels run from 0 to 1)")
    text += (". The grey ones have collapsed to the prior: the encoder ignores them and the "
             "decoder cannot use them. A larger β collapses more of them.")
    if still:
        text += (f" The {still} orange one(s) carry some information (KL above the line) that the "
                 "decoder barely shows: moving them hardly changes the picture.")
    return text


def _shape_names():
    from dl_core.data.sprites import SHAPES

    return SHAPES


def disentanglement_section(entry: Entry, page: str) -> None:
    artifacts, info = entry.artifacts(), entry.meta["info"]
    st.subheader("Disentanglement")
    score = entry.metrics["disentanglement"]
    st.markdown(
        "Each sprite was drawn from five known factors. The heatmap shows how strongly each "
        "latent dimension's sampled code z = μ + σε follows each factor: |Pearson r| for the "
        "continuous ones, the correlation ratio η for the shape (a collapsed dimension is "
        "almost pure noise, so it scores near 0). A **disentangled** code has one bright cell per "
        "factor column. The score is the mean, over factors, of the gap between a factor's best "
        "and second-best dimension (a correlation version of the mutual-information gap): "
        "0 = smeared or missing, 1 = each factor read off exactly one dimension.")
    st.metric("Disentanglement score", f"{score:.2f}")
    st.plotly_chart(association_heatmap(artifacts["association"], info["labels"]),
                    key=f"{page}_heatmap")


def upload_section(entry: Entry, page: str) -> None:
    info = entry.meta["info"]
    st.subheader("Your own image")
    kind = "a shape (white on black or dark on light)" if info["has_factors"] else "a digit"
    st.markdown(f"Upload a picture of {kind}. It is turned into the model's input (grayscale, "
                f"{info['image_size']}×{info['image_size']}), encoded to μ, and traversed from there.")
    upload = image_upload("An image (PNG, JPEG, …)", key=f"{page}_upload", max_side=1024)
    if upload is None:
        return
    try:
        square, steps = vae_explore.upload_to_input(upload.array, info["image_size"],
                                                     info["has_factors"])
    except ValueError as err:
        st.warning(f"This picture cannot be used: {inert(err)}")
        return
    factor = image_factor(entry)
    z_mean, _ = vae_explore.encode(entry.model_path, square[None])
    recon = vae_explore.decode(entry.model_path, z_mean)[0]
    columns = st.columns(len(steps) + 1)
    for column, (title, image) in zip(columns, steps):
        with column:
            st.image(image, caption=title, width=110)
    with columns[-1]:
        show_pixels(recon, caption="decoded from its μ", factor=factor)
    show_traversal(entry, z_mean[0], f"Traversal from your image's μ. {TRAVERSAL_NOTE}",
                   key=f"{page}_upload_traversal")


def sampling_section(entry: Entry, page: str) -> None:
    st.subheader("Sampling: generate new images")
    st.markdown("Draw z ~ N(0, 1) and decode it. This works because training kept the codes "
                "close to the prior: there are no holes where the decoder has never been.")
    seed_key = f"{page}_sample_seed"
    if st.button("New samples", key=f"{page}_resample"):
        st.session_state[seed_key] = st.session_state.get(seed_key, 0) + 1
    grid = vae_explore.sample_grid(entry.model_path, 16, st.session_state.get(seed_key, 0))
    show_pixels(grid, caption="16 decoded samples z ~ N(0, 1), 4 × 4", factor=image_factor(entry))


def comparison_section(entry: Entry, page: str, params: dict, large_betas: tuple) -> None:
    st.subheader("β = 1 against a large β")
    st.markdown("The same setting trained twice, once as a plain VAE and once as a β-VAE. Compare "
                "the traversals: with a large β fewer dimensions stay active, and each tends to "
                "change one factor (position, size…) while the others stay fixed.")
    default = params["beta"] if params["beta"] in large_betas else 8.0
    large = st.select_slider("Large β", options=list(large_betas), value=default,
                             key=f"{page}_compare_beta", format_func=lambda v: f"{v:g}")
    for column, beta in zip(st.columns(2), (1.0, float(large))):
        with column:
            st.markdown(f"**β = {beta:g}**")
            setting = dict(params, beta=beta)
            other = entry if setting == params else cached_entry(entry.topic, setting)
            if other is None:
                pressed = st.button(f"Train β = {beta:g}", key=f"{page}_train_beta_{beta:g}")
                other = trained_entry(f"{page}_cmp_{beta:g}", entry.topic, setting, pressed)
            if other is not None:
                _comparison_column(other, f"{page}_compare_{beta:g}")


def _comparison_column(entry: Entry, key: str) -> None:
    metrics = entry.metrics
    cols = iter(st.columns(2))
    if "disentanglement" in metrics:
        next(cols).metric("Disentanglement", f"{metrics['disentanglement']:.2f}")
    next(cols).metric("Active dimensions", f"{metrics.get('active_dims', 0)}")
    start = np.zeros(len(entry.artifacts()["kl_per_dim"]), np.float32)
    show_traversal(entry, start, f"Traversal from z = 0 (validation reconstruction "
                                 f"{metrics['val_reconstruction']:.1f}, KL {metrics['val_kl']:.2f}). "
                                 f"{TRAVERSAL_NOTE}", key=f"{key}_traversal", display_width=420)
