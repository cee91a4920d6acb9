"""Autoencoder: squeeze an image through a bottleneck z and rebuild it."""

import numpy as np
import plotly.express as px
import streamlit as st

from dl_core.digit_input import fit_to_square
from dl_core.topics import autoencoder as topic
from ui.charts import history_chart, show_pixels
from ui.image_upload import image_upload
from ui.params_form import params_form
from ui.results import dataset_note, download_model, model_code, training_facts
from ui.text import inert
from ui.training import trained_entry

PAGE = "autoencoder"

st.title("Autoencoder")
st.markdown(
    "An autoencoder learns to copy its input through a narrow **bottleneck**. The encoder $f$ "
    "squeezes an image $x$ into a short code $z$, the decoder $g$ rebuilds it, and training "
    "minimises the reconstruction error. With a small $z$ the network must keep only what "
    "matters about the image: a compression learned from data, without labels."
)
st.latex(r"z = f(\tilde{x}),\qquad \hat{x} = g(z),\qquad "
         r"\mathcal{L} = \frac{1}{N P}\sum_{i=1}^{N} \lVert x_i - g(f(\tilde{x}_i)) \rVert^2")
st.markdown(
    "Here $P = 28 \\times 28$ pixels, so $\\mathcal{L}$ is the mean squared error per pixel. "
    "Plain autoencoder: $\\tilde{x} = x$. **Denoising** autoencoder: the input is corrupted, "
    "$\\tilde{x} = \\operatorname{clip}(x + \\sigma\\varepsilon)$ with $\\varepsilon \\sim \\mathcal{N}(0, 1)$, "
    "while the target stays the clean $x$, so the network must learn what digits look like. "
    "The yardstick is the **baseline**: always answering the average training image."
)

params, start = params_form(PAGE, topic.SCHEMA, labels={"noise": "Noise level σ (denoising)"})


def live(status):
    left, right = st.columns(2)
    with left:
        st.plotly_chart(history_chart(status.history, total_epochs=status.epochs),
                        key=f"{PAGE}_live_chart")
    with right:
        if status.previews:
            show_pixels(status.previews[-1], caption=f"Validation images (top) and reconstructions "
                                                     f"(bottom) after epoch {len(status.previews) - 1}",
                        factor=3)


entry = trained_entry(PAGE, topic.TOPIC.name, params, start, live=live)

if entry is not None:
    dataset_note(entry)
    metrics = entry.metrics
    cols = st.columns(3)
    cols[0].metric("Validation MSE", f"{metrics['val_mse']:.4f}")
    cols[1].metric("Baseline MSE (mean image)", f"{metrics['baseline_mse']:.4f}")
    cols[2].metric("Error vs baseline", f"{metrics['relative_error']:.0%}",
                   help="Validation MSE as a share of the baseline's: lower is better.")
    if "noisy_input_mse" in metrics:
        st.caption(f"The noisy input itself has MSE {metrics['noisy_input_mse']:.4f} against the clean "
                   "image: the model's output should be much closer than that.")
    st.caption(training_facts(entry))

    left, right = st.columns(2)
    with left:
        st.plotly_chart(history_chart(entry.history), key=f"{PAGE}_history")
    with right:
        previews = entry.previews()
        epoch = st.slider("Epoch", 0, len(previews) - 1, len(previews) - 1, key=f"{PAGE}_epoch",
                          help="Scrub back through training: epoch 0 is the untrained model.")
        rows = "clean / noisy input / reconstruction" if params["denoise"] else "originals / reconstructions"
        show_pixels(previews[epoch], caption=f"Fixed validation images, rows: {rows} (epoch {epoch})",
                    factor=3)

    artifacts = entry.artifacts()
    labels = entry.meta["info"]["labels"]
    method = entry.meta["info"]["latent_method"]
    st.subheader("The latent space")
    st.markdown("Each dot is one validation image, placed at its code $z$"
                + (" (the bottleneck has exactly 2 numbers)." if method == "raw" else
                   ", projected onto its first two principal components (the bottleneck has "
                   f"{params['bottleneck']} numbers; choose 2 to see the raw code).")
                + " Similar images land near each other even though no labels were used.")
    points = artifacts["latent_2d"]
    names = np.asarray(labels)[artifacts["latent_labels"]]
    fig = px.scatter(x=points[:, 0], y=points[:, 1], color=names, height=460,
                     labels={"x": "z₁" if method == "raw" else "PC 1", "y": "z₂" if method == "raw" else "PC 2",
                             "color": "label"},
                     category_orders={"color": list(labels)},
                     hover_data={"image": np.arange(len(points))})
    fig.update_traces(marker={"size": 5, "opacity": 0.75})
    st.plotly_chart(fig, key=f"{PAGE}_latent")

    st.subheader("Reconstruct your own image")
    st.markdown("Upload a photo or drawing of a digit. It is turned into an MNIST-style input "
                "(28×28, white on black, centred) and passed through the trained model.")
    upload = image_upload("An image (PNG, JPEG, …)", key=f"{PAGE}_upload", max_side=1024)
    try:
        square, steps = fit_to_square(upload.array) if upload is not None else (None, [])
    except ValueError as err:  # a blank or featureless picture: nothing to centre
        st.warning(f"This picture cannot be used: {inert(err)}")
        square = None
    if square is not None:
        step_cols = st.columns(len(steps) + 1)
        for col, (title, image) in zip(step_cols, steps):
            with col:
                st.image(image, caption=title, width=110)
        recon, error = topic.reconstruct(entry.model_path, square)
        with step_cols[-1]:
            show_pixels(recon, caption=f"reconstruction (MSE {error:.4f})")

    download_model(entry, PAGE)

model_code("dl_core/models/autoencoder.py", f"build_{params['architecture']}_autoencoder")
