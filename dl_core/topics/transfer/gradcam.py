"""Grad-CAM: where in the photo did the classifier look for class c?

Selvaraju et al. (2017): with A the last convolutional feature map (H'×W'×K) and y_c the score
(logit) of class c,
    α_k = 1/(H'W') Σ_ij ∂y_c/∂A_ijk        (how much channel k matters for c)
    L_c = ReLU(Σ_k α_k A_k)                 (a coarse H'×W' map, upsampled onto the photo)

The gradient ∂y_c/∂A comes from the backend-neutral helper (dl_core.models.gradients): the
head's layers are applied to A as a tensor, so the same code runs on TensorFlow, JAX and PyTorch.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops
from PIL import Image

from dl_core.models.gradients import value_and_gradients


def score_gradient(feature_map: np.ndarray, head: list[keras.layers.Layer], class_index: int) -> np.ndarray:
    """∂y_c/∂A for one feature map A (H'×W'×K); `head` maps A (batched) to the class logits."""
    def score(features):
        x = features
        for layer in head:
            x = layer(x, training=False)
        return x[0, class_index], None

    batch = ops.convert_to_tensor(np.asarray(feature_map, np.float32)[None])
    _, _, gradient = value_and_gradients(score, batch)
    return ops.convert_to_numpy(gradient)[0]


def cam_from_gradient(feature_map: np.ndarray, gradient: np.ndarray) -> np.ndarray:
    """L_c = ReLU(Σ_k α_k A_k), scaled to [0, 1] (all zeros when nothing speaks for c)."""
    weights = gradient.mean(axis=(0, 1))
    cam = np.maximum((feature_map * weights).sum(axis=-1), 0.0)
    peak = cam.max()
    return (cam / peak if peak > 0 else cam).astype(np.float32)


def grad_cam(model: keras.Model, image: np.ndarray, class_index: int | None = None,
             head_names: tuple[str, ...] = ("pool", "logits")) -> tuple[np.ndarray, np.ndarray]:
    """(heatmap H×W in [0, 1] at the image's size, class probabilities) for one image.

    `model` is a transfer classifier (layers "preprocess", "backbone", then `head_names`).
    Without `class_index` the map explains the predicted class.
    """
    batch = np.asarray(image, np.float32)[None]
    probabilities = ops.convert_to_numpy(model(batch, training=False))[0]
    if class_index is None:
        class_index = int(np.argmax(probabilities))
    preprocessed = model.get_layer("preprocess")(batch)
    feature_map = ops.convert_to_numpy(model.get_layer("backbone")(preprocessed, training=False))[0]
    gradient = score_gradient(feature_map, [model.get_layer(n) for n in head_names], class_index)
    cam = cam_from_gradient(feature_map, gradient)
    height, width = batch.shape[1:3]
    upsampled = np.asarray(Image.fromarray(cam, mode="F").resize((width, height), Image.BILINEAR))
    return np.clip(upsampled, 0.0, 1.0), probabilities


def heat_colours(heatmap: np.ndarray) -> np.ndarray:
    """A blue → yellow → red colour ramp for values in [0, 1] (H×W → H×W×3 uint8)."""
    h = np.clip(np.asarray(heatmap, np.float32), 0, 1)[..., None]
    stops = np.array([[30, 60, 200], [250, 220, 40], [220, 30, 30]], np.float32)
    low = stops[0] + (stops[1] - stops[0]) * np.clip(h * 2, 0, 1)
    high = stops[1] + (stops[2] - stops[1]) * np.clip(h * 2 - 1, 0, 1)
    return np.where(h < 0.5, low, high).astype(np.uint8)


OVERLAY_OPACITY = 0.5  # the overlay is half heatmap colour, half photo
SCALE_TICKS = ((0.0, "0"), (0.5, "0.5"), (1.0, "1 = the map's max"))  # the colour bar's labels
# What the overlay's colours mean, exactly: cam_from_gradient divides the map by its own maximum.
SCALE_NOTE = ("Colour: the Grad-CAM map divided by its own maximum: blue (0) where the "
              "gradient-weighted features give no evidence for the class (zero or negative, cut "
              "off by the ReLU), red (1) where they give the most; blended "
              f"{OVERLAY_OPACITY:.0%} over the photo. The scale is relative: a weak and a "
              "confident prediction both reach red somewhere, and blue everywhere means no "
              "region gave any evidence.")


def overlay(photo: np.ndarray, heatmap: np.ndarray, opacity: float = OVERLAY_OPACITY) -> np.ndarray:
    """The heatmap blended over the photo (resized to the photo's size)."""
    photo = np.asarray(photo, np.uint8)
    height, width = photo.shape[:2]
    if heatmap.shape != (height, width):
        heatmap = np.asarray(Image.fromarray(np.asarray(heatmap, np.float32), mode="F")
                             .resize((width, height), Image.BILINEAR))
    blended = (1 - opacity) * photo.astype(np.float32) + opacity * heat_colours(heatmap)
    return np.clip(blended, 0, 255).astype(np.uint8)
