"""The course map: one place that lists every page, used by the router and the home page.

Page files live in `app_pages/`, not `pages/`: Streamlit treats a `pages/` folder beside the entry
script as a legacy multipage app, and the first session after a server start would then get an
automatic menu of raw file names instead of this router.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageInfo:
    path: str
    title: str
    icon: str
    url_path: str
    blurb: str


HOME = PageInfo("app_pages/home.py", "Home", ":material/school:", "home", "")

# Grouped as in DESIGN.md. Only pages that exist are listed; each page issue adds its entry.
GROUPS: dict[str, list[PageInfo]] = {
    "Foundations": [
        PageInfo("app_pages/perceptron_mlp.py", "Perceptron & MLP", ":material/hub:", "perceptron-mlp",
                 "The perceptron rule step by step; an MLP playground; activations and losses."),
        PageInfo("app_pages/gradient_descent.py", "Gradient descent", ":material/trending_down:",
                 "gradient-descent",
                 "A real two-weight model, its exact loss surface, and every optimiser's path."),
        PageInfo("app_pages/regularisation.py", "Regularisation & tuning", ":material/tune:",
                 "regularisation",
                 "Watch a model overfit, then cure it; a hyperparameter grid the class fills together."),
    ],
    "Convolutions": [
        PageInfo("app_pages/conv_arithmetic.py", "Conv arithmetic", ":material/calculate:",
                 "conv-arithmetic",
                 "Output sizes of convolution, transposed convolution and pooling, with the formula."),
        PageInfo("app_pages/padding_stride_kernels.py", "Padding, stride & kernels", ":material/grid_on:",
                 "padding-stride-kernels",
                 "Slide a kernel step by step; padding modes, stride, pooling and classic filters."),
    ],
    "Vision": [
        PageInfo("app_pages/transfer.py", "Transfer learning", ":material/transform:", "transfer",
                 "Pretrained vs random start; feature extraction vs fine-tuning; Grad-CAM on your photo."),
        PageInfo("app_pages/segmentation.py", "Segmentation", ":material/content_cut:", "segmentation",
                 "A U-Net cuts out pets pixel by pixel; skip connections and transposed convolutions."),
    ],
    "Sequences": [
        PageInfo("app_pages/lstm.py", "Stock LSTM", ":material/show_chart:", "lstm",
                 "Forecast prices with an LSTM against persistence; its gates; why LSTMs remember."),
    ],
    "Generative": [
        PageInfo("app_pages/autoencoder.py", "Autoencoder", ":material/compress:", "autoencoder",
                 "Squeeze digits through a bottleneck and rebuild them; denoising; latent space."),
        PageInfo("app_pages/vae.py", "VAE", ":material/blur_on:", "vae",
                 "Encode to a distribution; latent traversals, sampling, β-VAE and disentanglement."),
        PageInfo("app_pages/gan.py", "GAN", ":material/swords:", "gan",
                 "A generator and a discriminator compete: a 2-D toy game and a DCGAN on digits."),
    ],
}
