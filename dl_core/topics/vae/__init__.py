"""VAE topic: a variational autoencoder (dense or convolutional) on digits or on built-in sprites.

Loss per image: L = reconstruction + β · KL(q(z|x) ‖ N(0, 1)). β = 1 is the plain VAE, β = 0 an
autoencoder with noisy codes, β > 1 a β-VAE that trades reconstruction for a tidier latent space.
Metrics: `val_reconstruction`, `val_kl`, `val_loss`, `active_dims`, and for sprites
`disentanglement` (see dl_core.topics.vae.metrics), from 0 to 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dl_core.data import sprites
from dl_core.data.digits import find_source, load_digits
from dl_core.params import Param, Schema
from dl_core.pictures import image_grid, to_uint8
from dl_core.spec import DatasetInfo, TopicSpec, TrainContext, TrainResult
from dl_core.topics.vae import metrics as vae_metrics
from dl_core.topics.vae.explore import SPAN

DATASETS = ("digits", "fashion", "sprites")
BETA_STOPS = (0.0, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 12.0, 16.0, 20.0, 250.0)
EXTREME_BETA = 250.0  # the course notes' extreme example
PREVIEW_COUNT = 8
EXAMPLE_COUNT = 16
PREVIEW_SEED = 7

# The defaults draw the clearest digits a 2-core CPU trains in about 45 s
# (bench/bench_generative.py): a dense VAE with 10 latent dimensions, 14 epochs of 20 000
# images; the convolutional one manages a few epochs of a few thousand in that time, and its
# pictures stay blurred.
SCHEMA = Schema((
    Param("dataset", "str", "digits", "Digits (real MNIST / Fashion-MNIST when available, else "
          "built-in digits), or built-in sprites with known generating factors", choices=DATASETS),
    Param("sprite_size", "int", 32, "Sprites only: image side in pixels", choices=sprites.SIZES),
    Param("architecture", "str", "dense", "Fully connected (dense) encoder and decoder, or "
          "convolutional ones", choices=("dense", "conv")),
    Param("latent_dim", "int", 10, "Latent dimensions: numbers in z", min=2, max=16),
    Param("beta", "float", 1.0, "Weight β of the KL term: 0 = no regulariser, 1 = plain VAE, "
          "larger = β-VAE", min=0.0, max=EXTREME_BETA),
    Param("epochs", "int", 14, "Passes over the training set", min=1, max=50),
    Param("learning_rate", "float", 0.003, "Adam step size", min=0.0001, max=0.01, log=True),
    Param("train_size", "int", 20000, "Training images used", min=200, max=60000),
    Param("batch_size", "int", 128, "Images per gradient step", choices=(32, 64, 128, 256)),
))


@dataclass
class VaeData:
    x_train: np.ndarray  # float32 N×S×S×1 in [0, 1]
    x_val: np.ndarray
    val_labels: np.ndarray | None  # digits: class index per validation image
    val_factors: np.ndarray | None  # sprites: N×5 generating factors
    label_names: tuple[str, ...]
    info: DatasetInfo

    @property
    def image_size(self) -> int:
        return int(self.x_train.shape[1])


def dataset_fingerprint(params: dict, data: str | None) -> str:
    if params["dataset"] == "sprites":
        if data is not None:
            raise ValueError("sprites are built in: --data is for digits (a Keras-layout mnist.npz)")
        return sprites.fingerprint(params["sprite_size"])
    return find_source(params["dataset"], data).fingerprint


def load_data(params: dict, data: str | None = None) -> VaeData:
    if params["dataset"] == "sprites":
        found = sprites.load_sprites(params["train_size"], params["sprite_size"])
        return VaeData(found.x_train[..., None], found.x_val[..., None], None,
                       found.factors_val, sprites.FACTORS, found.info)
    digits = load_digits(params["dataset"], params["train_size"], data)
    return VaeData(digits.x_train[..., None], digits.x_val[..., None], digits.y_val, None,
                   digits.labels, digits.info)


def build_model(params: dict, image_size: int):
    from dl_core.models.vae import build_vae

    return build_vae(latent_dim=params["latent_dim"], image_size=image_size, beta=params["beta"],
                     architecture=params["architecture"])


def preview_maker(shown: np.ndarray, latent_dim: int):
    """Per epoch: validation images, their reconstructions (decoded μ), and fixed prior samples."""
    import keras

    prior_z = np.random.default_rng(PREVIEW_SEED).standard_normal(
        (len(shown), latent_dim)).astype(np.float32)

    def preview(model) -> np.ndarray:
        z_mean, _ = model.encoder(shown, training=False)
        recon = keras.ops.convert_to_numpy(model.decoder(z_mean, training=False))
        samples = keras.ops.convert_to_numpy(model.decoder(prior_z, training=False))
        return image_grid([shown, recon, samples])

    return preview


def latent_summary(model, data: VaeData) -> tuple[dict, dict]:
    """Encode the validation set: (metrics, artifacts) about its latent space."""
    z_mean, z_log_var = (np.asarray(a, np.float32) for a in
                         model.encoder.predict(data.x_val, batch_size=256, verbose=0))
    kl = vae_metrics.kl_per_dimension(z_mean, z_log_var)
    change = vae_metrics.decode_change(lambda z: model.decoder.predict(z, verbose=0)[..., 0],
                                       z_mean.shape[1], SPAN)
    metrics = {"active_dims": vae_metrics.active_dimensions(kl, change)}
    artifacts = {"val_mu": z_mean, "kl_per_dim": kl, "decode_change": change,
                 "examples": to_uint8(data.x_val[:EXAMPLE_COUNT, ..., 0])}
    if data.val_factors is not None:
        codes = vae_metrics.sampled_codes(z_mean, z_log_var, seed=PREVIEW_SEED)
        association = vae_metrics.association_matrix(codes, data.val_factors)
        metrics["disentanglement"] = vae_metrics.disentanglement_score(association)
        artifacts.update(association=association, val_factors=data.val_factors)
    else:
        artifacts["val_labels"] = data.val_labels
    return metrics, artifacts


def train(params: dict, ctx: TrainContext, data: str | None = None) -> TrainResult:
    import keras

    from dl_core.training import ProgressCallback

    found = load_data(params, data)
    model = build_model(params, found.image_size)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=params["learning_rate"]))

    steps = int(np.ceil(len(found.x_train) / params["batch_size"]))
    preview = preview_maker(found.x_val[:PREVIEW_COUNT], params["latent_dim"])
    progress = ProgressCallback(ctx, params["epochs"], steps, preview)
    model.fit(found.x_train, validation_data=(found.x_val,), epochs=params["epochs"],
              batch_size=params["batch_size"], callbacks=[progress], verbose=0, shuffle=True)

    history = progress.history
    metrics = {name: history[name][-1] for name in ("val_loss", "val_reconstruction", "val_kl")
               if history.get(name)}
    latent_metrics, artifacts = latent_summary(model, found)
    metrics.update(latent_metrics)
    info = {"labels": list(found.label_names), "image_size": found.image_size,
            "has_factors": found.val_factors is not None, "builder": "build_vae",
            "model_module": "dl_core/models/vae.py"}
    return TrainResult(model, metrics, history, found.info, progress.previews, artifacts, info)


TOPIC = TopicSpec(
    name="vae",
    title="Variational autoencoder",
    summary="Encode to a distribution, sample with the reparameterisation trick; β-VAE, "
            "latent traversals and disentanglement.",
    version=1,
    schema=SCHEMA,
    train=train,
    dataset_fingerprint=dataset_fingerprint,
    data_help="digits only: a Keras-layout mnist.npz (x_train, y_train, x_test, y_test)",
    gpu=True,
)
