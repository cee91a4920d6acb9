"""The course map: one place that lists every page, used by the router and the home page."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageInfo:
    path: str
    title: str
    icon: str
    url_path: str
    blurb: str


HOME = PageInfo("pages/home.py", "Home", ":material/school:", "home", "")

# Grouped as in DESIGN.md. Only pages that exist are listed; each page issue adds its entry.
GROUPS: dict[str, list[PageInfo]] = {
    "Convolutions": [
        PageInfo("pages/conv_arithmetic.py", "Conv arithmetic", ":material/calculate:",
                 "conv-arithmetic",
                 "Output sizes of convolution, transposed convolution and pooling, with the formula."),
        PageInfo("pages/padding_stride_kernels.py", "Padding, stride & kernels", ":material/grid_on:",
                 "padding-stride-kernels",
                 "Slide a kernel step by step; padding modes, stride, pooling and classic filters."),
    ],
    "Generative": [
        PageInfo("pages/autoencoder.py", "Autoencoder", ":material/compress:", "autoencoder",
                 "Squeeze digits through a bottleneck and rebuild them; denoising; latent space."),
    ],
}
