"""Segmentation: a U-Net learns to cut out pets, epoch by epoch."""

import streamlit as st

from dl_core.topics import segmentation as topic
from dl_core.topics.segmentation.images import mask_png, overlay
from dl_core.topics.segmentation.shapes import unet_levels
from ui.charts import history_chart, show_pixels
from ui.image_upload import image_upload
from ui.params_form import params_form
from ui.results import dataset_note, download_model, model_code, training_facts
from ui.segmentation import comparison, epoch_timeline, shape_table
from ui.training import cached_entry, trained_entry
from ui.unet_diagram import unet_figure

PAGE = "segmentation"

st.title("Segmentation with a U-Net")
st.markdown(
    "Segmentation gives **every pixel** a class: here *pet*, *background* or the *border* "
    "between them, as in the Oxford-IIIT Pet trimaps. A **fully convolutional** "
    "encoder–decoder does it: the encoder halves the image level by level and learns *what* is "
    "there; the decoder doubles it back to full size and says *where*. Its upsampling is a "
    "**transposed convolution**, a convolution whose stride spreads the input out:"
)
st.latex(r"n_{\text{out}} = (n_{\text{in}} - 1)\,s + k - 2p"
         r"\quad(\text{'same'}: n_{\text{out}} = s\,n_{\text{in}})")
st.markdown(
    "The bottleneck is small, so fine detail is lost on the way down. **U-Net**'s **skip "
    "connections** concatenate each encoder level to the decoder level of the same size, "
    "handing the full-resolution detail straight to the output. Switch them off below and compare."
)
st.latex(r"\mathcal{L} = -\frac{1}{HW}\sum_{i} \log p_i(y_i)\;\bigl[+\;1 - \tfrac{1}{C}\sum_c "
         r"\frac{2\sum_i p_{ic}\,y_{ic}}{\sum_i p_{ic} + \sum_i y_{ic}}\bigr]")
st.latex(r"\mathrm{IoU}_c = \frac{TP_c}{TP_c + FP_c + FN_c}\qquad "
         r"\mathrm{Dice}_c = \frac{2\,TP_c}{2\,TP_c + FP_c + FN_c}\qquad "
         r"\text{mean IoU} = \frac{1}{C}\sum_c \mathrm{IoU}_c")

params, start = params_form(PAGE, topic.SCHEMA, labels={"images": "Images (train + validation)"})
encoder = topic.effective_encoder(params)


def live(status):
    left, right = st.columns(2)
    with left:
        losses = {k: v for k, v in status.history.items() if k in ("loss", "val_loss")}
        st.plotly_chart(history_chart(losses, total_epochs=status.epochs), key=f"{PAGE}_live_loss_chart")
        scores = {k: v for k, v in status.history.items()
                  if k in ("val_pixel_accuracy", "val_mean_iou", "val_dice")}
        st.plotly_chart(history_chart(scores, "Validation scores per epoch", status.epochs, "score"),
                        key=f"{PAGE}_live_scores_chart")
    with right:
        if status.previews:
            show_pixels(status.previews[-1], factor=2,
                        caption=f"Input / ground truth / prediction after epoch {len(status.previews) - 1}")


entry = trained_entry(PAGE, topic.TOPIC.name, params, start, live=live)

if entry is not None:
    dataset_note(entry)
    st.caption(entry.meta["info"]["encoder_note"])
    metrics = entry.metrics
    cols = st.columns(4)
    cols[0].metric("Validation mean IoU", f"{metrics['val_mean_iou']:.3f}",
                   f"{metrics['val_mean_iou'] - metrics['baseline_mean_iou']:+.3f} vs baseline")
    cols[1].metric("Pixel accuracy", f"{metrics['val_pixel_accuracy']:.3f}",
                   f"{metrics['val_pixel_accuracy'] - metrics['baseline_pixel_accuracy']:+.3f} vs baseline")
    cols[2].metric("Dice", f"{metrics['val_dice']:.3f}")
    cols[3].metric("Baseline pixel accuracy", f"{metrics['baseline_pixel_accuracy']:.3f}",
                   help="Always answering the most common class (background): the model must beat this.")
    st.caption("IoU per class: " + " · ".join(
        f"{name} {metrics[f'val_iou_{name}']:.3f}" for name in ("pet", "background", "border"))
        + f" · baseline mean IoU {metrics['baseline_mean_iou']:.3f}. " + training_facts(entry))

    trained = len(entry.history.get("loss", [])) or None  # whole-number epoch ticks
    left, right = st.columns(2)
    with left:
        st.plotly_chart(history_chart({k: v for k, v in entry.history.items()
                                       if k in ("loss", "val_loss")}, total_epochs=trained),
                        key=f"{PAGE}_loss_chart")
    with right:
        st.plotly_chart(history_chart({k: v for k, v in entry.history.items() if k in
                                       ("val_pixel_accuracy", "val_mean_iou", "val_dice")},
                                      "Validation scores per epoch", trained, "score"),
                        key=f"{PAGE}_scores_chart")

    st.subheader("Epoch timeline")
    epoch_timeline(entry, PAGE)
    encoder = entry.meta["info"]["encoder"]

st.subheader("The architecture, level by level")
levels = unet_levels(params["image_size"], params["depth"], params["base_filters"], encoder,
                     params["upsampling"], params["skip_connections"])
# Drawn at its own width: its labels are placed in pixels (ui/unet_diagram.py).
st.plotly_chart(unet_figure(levels, params["depth"], params["skip_connections"]),
                key=f"{PAGE}_architecture", width="content", config={"displayModeBar": False})
st.caption("Shapes computed with the convolution arithmetic formulas (dl_core.conv.arithmetic) and "
           "checked against the built Keras model in the tests. Encoder: "
           + ("MobileNet α = 0.25 (pretrained)." if encoder == "mobilenet" else "trained from scratch."))
with st.expander("Every tensor's shape"):
    st.dataframe(shape_table(levels), hide_index=True)

if entry is not None:
    st.subheader("With and without skip connections")
    flipped = {**params, "skip_connections": not params["skip_connections"]}
    other = cached_entry(topic.TOPIC.name, flipped)
    pair = (entry, other) if params["skip_connections"] else (other, entry)
    comparison(*pair)

    st.subheader("Cut out your own photo")
    upload = image_upload("A photo (PNG, JPEG, …)", key=f"{PAGE}_upload", max_side=1024)
    if upload is not None:
        mask = topic.predict_mask(entry.model_path, upload.array, params["image_size"])
        opacity = st.slider("Mask opacity", 0.0, 1.0, 0.55, 0.05, key=f"{PAGE}_opacity")
        left, right = st.columns(2)
        with left:
            st.image(overlay(upload.array, mask, opacity), caption="predicted mask over your photo")
        with right:
            st.image(mask_png(mask), caption="predicted mask")
        st.download_button("Download the mask (PNG)", data=mask_png(mask),
                           file_name="dl-lab-mask.png", mime="image/png", key=f"{PAGE}_mask_download")

    download_model(entry, PAGE)

model_code("dl_core/models/unet.py", "build_mobilenet_unet" if encoder == "mobilenet" else "build_unet")
