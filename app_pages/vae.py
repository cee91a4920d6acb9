"""Variational autoencoder: encode to a distribution, sample, traverse; β-VAE and disentanglement."""

import streamlit as st

from dl_core.topics import vae as topic
from ui.charts import show_pixels
from ui.params_form import params_form
from ui.results import dataset_note, download_model, training_facts
from ui.training import trained_entry
from ui.vae.explorer import (
    comparison_section,
    disentanglement_section,
    image_factor,
    latent_space_section,
    sampling_section,
    traversal_section,
    upload_section,
)
from ui.vae.views import code_panel, loss_term_charts

PAGE = "vae"
LARGE_BETAS = (2.0, 4.0, 8.0, 16.0, 20.0, topic.EXTREME_BETA)

st.title("Variational autoencoder (VAE)")
st.markdown(
    "An autoencoder maps each image to one point $z$. A **variational** autoencoder maps it to "
    "a small Gaussian cloud instead: the encoder outputs a mean $\\mu$ and a standard deviation "
    "$\\sigma$ per latent dimension, the decoder sees a random point of that cloud, and a KL "
    "term keeps every cloud close to the standard normal prior. The result is a latent space "
    "you can walk through and sample from."
)
st.latex(r"q(z \mid x) = \mathcal{N}\!\left(\mu(x),\ \operatorname{diag}\sigma^2(x)\right),\qquad "
         r"z = \mu + \sigma \odot \varepsilon,\quad \varepsilon \sim \mathcal{N}(0, I)")
st.markdown("The **reparameterisation trick** moves the randomness into $\\varepsilon$, so the "
            "gradient flows through $\\mu$ and $\\sigma$. The KL divergence of each cloud from the "
            "prior has a closed form:")
st.latex(r"D_{KL}\!\left(q(z \mid x)\,\|\,\mathcal{N}(0, I)\right) = "
         r"-\tfrac{1}{2} \sum_{j=1}^{d} \left(1 + \log\sigma_j^2 - \mu_j^2 - \sigma_j^2\right)")
st.markdown("Training maximises reconstruction − β·KL, i.e. minimises the loss below "
            "(reconstruction = binary cross-entropy summed over pixels). β = 1 is the VAE; "
            "β = 0 drops the regulariser; a **β-VAE** (β > 1) squeezes the code harder, which "
            "tends to give **disentangled** dimensions: one factor changes while the others stay "
            "fixed. The course notes' extreme β = 250 is the last stop of the slider.")
st.latex(r"\mathcal{L}(x) = \underbrace{-\log p(x \mid z)}_{\text{reconstruction}} "
         r"+ \beta \cdot D_{KL}\!\left(q(z \mid x)\,\|\,\mathcal{N}(0, I)\right)")

params, start = params_form(PAGE, topic.SCHEMA, stops={"beta": topic.BETA_STOPS},
                            labels={"beta": "β (weight of the KL term)",
                                    "latent_dim": "Latent dimensions d",
                                    "sprite_size": "Sprite size (sprites only)"})


def live(status):
    loss_term_charts(status.history, key=f"{PAGE}_live", total_epochs=status.epochs)
    if status.previews:
        show_pixels(status.previews[-1], factor=3,
                    caption=f"Validation images, reconstructions, and samples from fixed prior "
                            f"points, after epoch {len(status.previews) - 1}")


entry = trained_entry(PAGE, topic.TOPIC.name, params, start, live=live)

if entry is not None:
    dataset_note(entry)
    metrics = entry.metrics
    cols = st.columns(5 if "disentanglement" in metrics else 4)
    cols[0].metric("Validation loss", f"{metrics['val_loss']:.1f}",
                   help="reconstruction + β·KL, nats per image")
    cols[1].metric("Reconstruction", f"{metrics['val_reconstruction']:.1f}")
    cols[2].metric("KL", f"{metrics['val_kl']:.2f}")
    cols[3].metric("Active dimensions", f"{metrics['active_dims']} / {params['latent_dim']}")
    if "disentanglement" in metrics:
        cols[4].metric("Disentanglement", f"{metrics['disentanglement']:.2f}")
    st.caption(training_facts(entry))

    loss_term_charts(entry.history, key=f"{PAGE}_history")
    previews = entry.previews()
    epoch = st.slider("Epoch", 0, len(previews) - 1, len(previews) - 1, key=f"{PAGE}_epoch",
                      help="Scrub back through training: epoch 0 is the untrained model.")
    show_pixels(previews[epoch], factor=image_factor(entry),
                caption=f"Rows: validation images / reconstructions from μ / decoded prior "
                        f"samples (epoch {epoch})")

    traversal_section(entry, PAGE)
    latent_space_section(entry, PAGE)
    if "disentanglement" in metrics:
        disentanglement_section(entry, PAGE)
    comparison_section(entry, PAGE, params, LARGE_BETAS)
    sampling_section(entry, PAGE)
    upload_section(entry, PAGE)
    download_model(entry, PAGE)

code_panel(params["architecture"])
