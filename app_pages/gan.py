"""GAN: a generator and a discriminator compete. 2-D toy game (default) or a DCGAN on digits."""

import streamlit as st

from ui.gan.sections import digits_section, toy_section
from ui.text import inert

PAGE = "gan"
MODES = {"toy2d": "2-D toy GAN (seconds on a CPU)", "dcgan": "DCGAN on digits"}

st.title("GAN: generator vs discriminator")
st.markdown(
    "A **generator** $G$ turns random noise $z$ into fakes $G(z)$. A **discriminator** $D$ looks at a "
    "sample and outputs the probability $D(x)$ that it is real. They play a two-player game: "
    "$D$ tries to tell real from fake, $G$ tries to fool $D$."
)
st.latex(r"\min_G \max_D \; \mathbb{E}_{x\sim p_{data}}[\log D(x)] + "
         r"\mathbb{E}_{z\sim p_z}[\log(1 - D(G(z)))]")
with st.expander("The three losses, and why the non-saturating one is used in practice"):
    st.markdown("With $D(x) = \\sigma(s(x))$ for a logit $s$:")
    st.latex(r"\text{standard:}\quad \mathcal{L}_D = -\mathbb{E}[\log D(x)] - \mathbb{E}[\log(1-D(G(z)))],"
             r"\qquad \mathcal{L}_G = \mathbb{E}[\log(1 - D(G(z)))]")
    st.latex(r"\text{non-saturating:}\quad \mathcal{L}_G = -\mathbb{E}[\log D(G(z))]")
    st.latex(r"\text{least squares:}\quad \mathcal{L}_D = \tfrac12\mathbb{E}[(s(x)-1)^2] + "
             r"\tfrac12\mathbb{E}[s(G(z))^2],\qquad \mathcal{L}_G = \tfrac12\mathbb{E}[(s(G(z))-1)^2]")
    st.markdown(
        "Early in training $D$ easily spots the fakes, so $D(G(z)) \\approx 0$. There "
        "$\\log(1-D(G(z)))$ is flat: its gradient $\\sigma(s)$ vanishes and $G$ learns nothing "
        "(the standard loss **saturates**). $-\\log D(G(z))$ has the same goal but a steep slope "
        "exactly there, so practitioners use it. Each training step takes $k$ steps of $D$, then one of $G$."
    )
st.markdown(
    "**What goes wrong** — watch for these: **mode collapse** (G puts all its samples on a few "
    "modes; the coverage figure drops), **oscillation** (G chases D around; losses and points "
    "never settle), and **a discriminator that wins too early** (D(G(z)) → 0, G's gradient "
    "vanishes; try the standard loss with a large D learning rate)."
)


def _sync_mode():
    st.query_params.clear()  # the other mode's settings do not apply here
    if st.session_state[f"{PAGE}_mode"] != "toy2d":
        st.query_params["mode"] = st.session_state[f"{PAGE}_mode"]


initial = st.query_params.get("mode", "toy2d")
if initial not in MODES:
    st.warning(f"Ignored a setting from the link: mode={inert(repr(initial))} is not one of {', '.join(MODES)}")
    initial = "toy2d"
if f"{PAGE}_mode" not in st.session_state:
    st.session_state[f"{PAGE}_mode"] = initial
mode = st.radio("Mode", list(MODES), format_func=MODES.get, key=f"{PAGE}_mode", horizontal=True,
                on_change=_sync_mode)

if mode == "toy2d":
    toy_section(PAGE)
else:
    digits_section(f"{PAGE}_digits")
    if "mode" not in st.query_params:
        st.query_params["mode"] = "dcgan"  # the form rewrites the URL on Train: keep the mode in it
