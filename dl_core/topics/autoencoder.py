"""Autoencoder topic: compress 28×28 images through a bottleneck and reconstruct them.

Loss: L = 1/(N·P) Σ_i ‖x_i − g(f(x̃_i))‖² over P pixels (Keras's "mse"), with x̃ = x (plain)
or x + noise (denoising).
Metrics: `val_mse` against `baseline_mse`, the error of always answering the mean training
image, so that "good" has a yardstick.
"""

from __future__ import annotations

import numpy as np

from dl_core.data.digits import KINDS, find_source, load_digits
from dl_core.params import Param, Schema
from dl_core.pictures import image_grid, to_uint8
from dl_core.spec import TopicSpec, TrainContext, TrainResult

PREVIEW_COUNT = 8
LATENT_POINTS = 1000
NOISE_SEED = 99

# The defaults draw the clearest reconstructions a 2-core CPU trains in about 30 s
# (bench/bench_generative.py): the dense network, for many epochs on many images, beats the
# convolutional one trained for the few epochs it manages in that time.
SCHEMA = Schema((
    Param("dataset", "str", "digits", "Real MNIST / Fashion-MNIST when available, else built-in digits",
          choices=KINDS),
    Param("architecture", "str", "dense", "Fully connected (dense) layers, or convolutional ones",
          choices=("dense", "conv")),
    Param("bottleneck", "int", 16, "Size of the code z: how many numbers describe an image", min=2, max=64),
    Param("epochs", "int", 22, "Passes over the training set", min=1, max=50),
    Param("learning_rate", "float", 0.004, "Adam step size", min=0.0001, max=0.01, log=True),
    Param("train_size", "int", 20000, "Training images used", min=200, max=60000),
    Param("batch_size", "int", 256, "Images per gradient step", choices=(32, 64, 128, 256)),
    Param("denoise", "bool", False, "Corrupt the input with noise; the target stays clean"),
    Param("noise", "float", 0.3, "Noise level σ for denoising (pixels are in [0, 1])", min=0.0, max=0.8),
))


def dataset_fingerprint(params: dict, data: str | None) -> str:
    return find_source(params["dataset"], data).fingerprint


def corrupt(images: np.ndarray, noise: float, seed: int) -> np.ndarray:
    """x̃ = clip(x + σ·ε, 0, 1) with ε ~ N(0, 1): the denoising autoencoder's input."""
    rng = np.random.default_rng(seed)
    noisy = images + noise * rng.standard_normal(images.shape).astype(np.float32)
    return np.clip(noisy, 0.0, 1.0).astype(np.float32)


def mse(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.mean((np.asarray(a, np.float32) - np.asarray(b, np.float32)) ** 2))


def latent_projection(codes: np.ndarray) -> tuple[np.ndarray, str]:
    """2-D view of the codes: themselves when the bottleneck is 2, else their first two PCs."""
    if codes.shape[1] == 2:
        return codes.astype(np.float32), "raw"
    centred = codes - codes.mean(axis=0)
    _, _, components = np.linalg.svd(centred, full_matrices=False)
    return (centred @ components[:2].T).astype(np.float32), "pca"


def build_model(params: dict):
    from dl_core.models.autoencoder import (
        build_conv_autoencoder,
        build_dense_autoencoder,
    )

    builder = build_conv_autoencoder if params["architecture"] == "conv" else build_dense_autoencoder
    return builder(bottleneck=params["bottleneck"])


def train(params: dict, ctx: TrainContext, data: str | None = None) -> TrainResult:
    import keras

    from dl_core.training import ProgressCallback

    digits = load_digits(params["dataset"], params["train_size"], data)
    x_train, x_val = digits.x_train[..., None], digits.x_val[..., None]
    inputs_train, inputs_val = x_train, x_val
    if params["denoise"]:
        inputs_train = corrupt(x_train, params["noise"], NOISE_SEED)
        inputs_val = corrupt(x_val, params["noise"], NOISE_SEED + 1)

    model = build_model(params)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=params["learning_rate"]), loss="mse")

    shown = slice(0, PREVIEW_COUNT)
    preview_rows = [x_val[shown]] + ([inputs_val[shown]] if params["denoise"] else [])

    def preview(m):
        recon = keras.ops.convert_to_numpy(m(inputs_val[shown], training=False))
        return image_grid(preview_rows + [recon])

    steps = int(np.ceil(len(x_train) / params["batch_size"]))
    progress = ProgressCallback(ctx, params["epochs"], steps, preview)
    model.fit(inputs_train, x_train, validation_data=(inputs_val, x_val),
              epochs=params["epochs"], batch_size=params["batch_size"],
              callbacks=[progress], verbose=0, shuffle=True)

    recon_val = model.predict(inputs_val, batch_size=256, verbose=0)
    mean_image = x_train.mean(axis=0)
    metrics = {"val_mse": mse(recon_val, x_val),
               "baseline_mse": mse(np.broadcast_to(mean_image, x_val.shape), x_val)}
    metrics["relative_error"] = metrics["val_mse"] / metrics["baseline_mse"]
    if params["denoise"]:
        metrics["noisy_input_mse"] = mse(inputs_val, x_val)

    encoder = model.get_layer("encoder")
    codes = encoder.predict(inputs_val[:LATENT_POINTS], batch_size=256, verbose=0)
    points, method = latent_projection(codes)
    artifacts = {"latent_2d": points, "latent_labels": digits.y_val[:LATENT_POINTS],
                 "preview_inputs": to_uint8(inputs_val[shown, ..., 0]),
                 "mean_image": to_uint8(mean_image[..., 0])}
    info = {"labels": list(digits.labels), "latent_method": method,
            "builder": f"build_{params['architecture']}_autoencoder",
            "model_module": "dl_core/models/autoencoder.py"}
    return TrainResult(model, metrics, progress.history, digits.info, progress.previews,
                       artifacts, info)


def reconstruct(model_path, image: np.ndarray) -> tuple[np.ndarray, float]:
    """Reconstruct one 28×28 image in [0, 1] with a cached model: (x̂ as uint8, its MSE)."""
    from dl_core.inference import load_shared

    batch = np.asarray(image, np.float32).reshape(1, 28, 28, 1)
    recon = load_shared(model_path)(batch)
    return to_uint8(recon[0, ..., 0]), mse(recon, batch)


TOPIC = TopicSpec(
    name="autoencoder",
    title="Autoencoder",
    summary="Compress images through a bottleneck and reconstruct them; optionally denoise.",
    version=3,
    schema=SCHEMA,
    train=train,
    dataset_fingerprint=dataset_fingerprint,
    data_help="a Keras-layout mnist.npz (x_train, y_train, x_test, y_test)",
    gpu=True,
)
