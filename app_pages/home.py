"""Home: what DL Lab is, and a map of the course."""

import streamlit as st

from ui.navigation import GROUPS

st.title("DL Lab")
st.markdown(
    "An interactive deep-learning course. Each page teaches one topic: the maths next to a real "
    "Keras model that trains while you watch. Move the sliders, press **Train**, follow the loss "
    "curve and the model's outputs epoch by epoch, then try the model on your own image or data."
)
st.markdown(
    "Every page works offline on a built-in dataset and switches to the real dataset when it is "
    "available; it always says which one you are looking at. Trained models are kept on the "
    "server and shared, so a setting anyone trained before answers instantly."
)

for group, infos in GROUPS.items():
    st.subheader(group)
    for info in infos:
        st.page_link(info.path, label=info.title, icon=info.icon)
        st.caption(info.blurb)
