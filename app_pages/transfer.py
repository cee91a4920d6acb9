"""Transfer learning: pretrained against random start, feature extraction against fine-tuning."""

import streamlit as st

from dl_core.data.image_folders import fit_square
from dl_core.topics import transfer as topic
from dl_core.topics.transfer.gradcam import overlay
from dl_core.topics.transfer.metrics import rank
from ui.charts import history_chart
from ui.image_upload import image_upload
from ui.params_form import params_form
from ui.results import dataset_note, download_model, model_code, training_facts
from ui.text import inert
from ui.training import cached_entry, follow_runs, queue_runs, trained_entry
from ui.transfer import (
    STRATEGY_NAMES,
    comparison_chart,
    confusion_view,
    feature_space,
    own_classes,
    prediction_view,
)

PAGE = "transfer"
WEIGHTS_NAMES = {"imagenet": "ImageNet", "builtin-pretrained": "DL Lab's own pretraining",
                 "none": "none (random)"}

st.title("Transfer learning")
st.markdown(
    "A network's weights can start **random**, or come from a model **pretrained** on other data. "
    "Early layers of any image network learn edges, colours and textures; later layers combine "
    "them into parts. Those features are useful far beyond the classes they were learned on, so "
    "with only a few hundred photos of ants and bees we can borrow them instead of learning them."
)
st.latex(r"p(y \mid x) = \operatorname{softmax}\big(W \cdot \operatorname{GAP}(f_\theta(x)) + b\big),"
         r"\qquad \mathcal{L} = -\frac{1}{N}\sum_{i=1}^{N} \log p(y_i \mid x_i)")
st.markdown(
    "- **From scratch**: $\\theta$, $W$, $b$ all start random and are all trained.\n"
    "- **Feature extraction**: $\\theta$ comes from pretraining and stays **frozen**; only the new "
    "head $W, b$ is trained. The backbone's features of every image are computed once and cached, "
    "so retraining the head takes seconds.\n"
    "- **Fine-tuning**: feature extraction first, then the top $N$ layers of $\\theta$ are "
    "unfrozen and trained with a **low learning rate**, so the pretrained features shift a little "
    "towards the new task instead of being overwritten by large early gradients. BatchNorm layers "
    "stay frozen and in inference mode: their running mean and variance came from millions of "
    "images, and re-estimating them from our few small batches would disturb every feature they feed."
)

# The form comes first and is drawn on every run, even while the learner's own classes are
# incomplete: a form skipped or cut short in a run can lose its values (Streamlit drops the
# state of widgets that were not drawn), and the data widgets below rerun the page often.
params, start = params_form(PAGE, topic.SCHEMA, labels={
    "head_lr": "Head learning rate", "finetune_lr": "Fine-tuning learning rate",
    "finetune_layers": "N: layers to unfreeze", "train_per_class": "Training images per class (at most)"})
params = topic.strategy_params(params, params["strategy"])

source = st.radio("Data", ["Ants and bees (built-in shapes when offline)", "My own classes"],
                  key=f"{PAGE}_data_kind", horizontal=True)
data = own_classes(PAGE) if source == "My own classes" else None
if source == "My own classes" and data is None:
    st.stop()


def live(status):
    st.plotly_chart(history_chart({k: v for k, v in status.history.items() if "accuracy" in k},
                                  title="Accuracy per epoch", total_epochs=status.epochs,
                                  y_title="accuracy"), key=f"{PAGE}_live_chart")


entry = trained_entry(PAGE, topic.TOPIC.name, params, start, live=live, data=data)

if entry is not None:
    dataset_note(entry)
    info, metrics = entry.meta["info"], entry.metrics
    if info.get("weights_note") and metrics["weights_source"] != "none":
        (st.warning if info["asked_backbone"] != metrics["backbone"] else st.caption)(info["weights_note"])
    if info.get("skipped_count"):
        with st.expander(f"{info['skipped_count']} file(s) skipped: not readable images"):
            st.text("\n".join(info["skipped"]))
    cols = st.columns(3)
    cols[0].metric(f"Validation accuracy ({STRATEGY_NAMES[params['strategy']]})",
                   f"{metrics['val_accuracy']:.1%}")
    if "scratch_val_accuracy" in metrics:
        cols[1].metric("From scratch (same images)", f"{metrics['scratch_val_accuracy']:.1%}",
                       help="A from-scratch run of the same network on the same images, with the "
                            "default training settings.")
    cols[2].markdown(f"**Backbone:** {info['backbone_title']}  \n"
                     f"**Starting weights:** {WEIGHTS_NAMES[metrics['weights_source']]}")
    st.caption(training_facts(entry) + (f" Backbone features: {info['feature_cache']}."
                                        if "feature_cache" in info else ""))

    st.subheader("Three strategies, same images")
    runs, missing = {}, []
    for strategy in topic.STRATEGIES:
        other = entry if strategy == params["strategy"] else cached_entry(
            topic.TOPIC.name, topic.strategy_params(params, strategy), data)
        if other is None:
            missing.append(strategy)
        else:
            runs[strategy] = other.history
    st.plotly_chart(comparison_chart(runs), key=f"{PAGE}_comparison")
    if missing:
        names = ", ".join(STRATEGY_NAMES[s] for s in missing)
        if st.button(f"Train the others too ({names})", key=f"{PAGE}_train_others"):
            queue_runs(PAGE, {STRATEGY_NAMES[s]: (topic.TOPIC.name, topic.strategy_params(params, s), data)
                              for s in missing})
        follow_runs(PAGE, [STRATEGY_NAMES[s] for s in missing])

    labels = info["labels"]
    artifacts = entry.artifacts()
    st.subheader("Where it goes wrong")
    confusion_view(PAGE, artifacts, labels)

    st.subheader("Feature space")
    feature_space(PAGE, artifacts, labels, WEIGHTS_NAMES[metrics["weights_source"]])

    st.subheader("Predict on your own photo")
    st.markdown("The photo is centre-cropped like the training images. **Grad-CAM** colours the "
                "regions that raised the predicted class's score: with $A^k$ the last feature maps "
                "and $y^c$ the class score,")
    st.latex(r"\alpha_k^c = \frac{1}{HW}\sum_{i,j}\frac{\partial y^c}{\partial A^k_{ij}},\qquad "
             r"L^c = \operatorname{ReLU}\Big(\sum_k \alpha_k^c A^k\Big)")
    upload = image_upload("A photo to classify", key=f"{PAGE}_upload", max_side=1024)
    if upload is not None:
        photo = fit_square(upload.array, params["image_size"])
        try:
            heatmap, probabilities = topic.explain(entry.model_path, photo)
        except (OSError, ValueError) as err:
            st.error(f"The trained model could not be used for this photo: {inert(err)}")
        else:
            prediction_view(photo, overlay(photo, heatmap), rank(probabilities, labels))

    download_model(entry, PAGE)

model_code("dl_core/models/transfer.py", "build_transfer_classifier")
