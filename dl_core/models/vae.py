"""A variational autoencoder (VAE), convolutional after the keras-io VAE example, or dense.

The encoder outputs a mean μ and a log-variance log σ² per latent dimension instead of one
point. Training samples z = μ + σ ⊙ ε with ε ~ N(0, 1) (the reparameterisation trick: the
randomness sits in ε, so gradients flow through μ and σ), decodes z, and minimises

    L = reconstruction + β · KL( q(z|x) ‖ N(0, 1) ),  KL = −½ Σ_j (1 + log σ_j² − μ_j² − σ_j²).

The loss is written in `compute_loss`, the hook every backend's built-in `train_step` calls,
so this model trains unchanged on TensorFlow, JAX or PyTorch (a hand-written `train_step`
needs each backend's own gradient tape). The model is registered for saving, so a trained
VAE reloads from its .keras file; its sub-models are named "encoder" and "decoder".
"""

import keras
from keras import layers, ops


def reparameterise(z_mean, z_log_var, epsilon):
    """z = μ + σ ⊙ ε, with σ = exp(½ log σ²)."""
    return z_mean + ops.exp(0.5 * z_log_var) * epsilon


def kl_per_dimension(z_mean, z_log_var):
    """KL(N(μ, σ²) ‖ N(0, 1)) of each latent dimension: −½ (1 + log σ² − μ² − σ²)."""
    return -0.5 * (1.0 + z_log_var - ops.square(z_mean) - ops.exp(z_log_var))


def kl_divergence(z_mean, z_log_var):
    """Per image: the sum over latent dimensions."""
    return ops.sum(kl_per_dimension(z_mean, z_log_var), axis=-1)


def reconstruction_loss(images, reconstruction):
    """Per image: binary cross-entropy summed over pixels (a Bernoulli log-likelihood)."""
    return ops.sum(ops.binary_crossentropy(images, reconstruction), axis=(1, 2, 3))


@keras.saving.register_keras_serializable(package="dl_lab")
class Sampling(layers.Layer):
    """Draws z = μ + σ ⊙ ε. The SeedGenerator makes the draws reproducible for a given seed."""

    def __init__(self, seed=1337, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs):
        z_mean, z_log_var = inputs
        epsilon = keras.random.normal(ops.shape(z_mean), seed=self.seed_generator)
        return reparameterise(z_mean, z_log_var, epsilon)

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}


def build_encoder(latent_dim=8, image_size=28, downsamplings=2):
    """x → stride-2 convolutions → dense → (μ, log σ²), two vectors of `latent_dim` numbers."""
    inputs = keras.Input(shape=(image_size, image_size, 1), name="image")
    x = inputs
    for step in range(downsamplings):
        x = layers.Conv2D(filters=32 * 2 ** min(step, 1), kernel_size=3, strides=2,
                          padding="same", activation="relu")(x)
    x = layers.Flatten()(x)
    x = layers.Dense(units=128, activation="relu")(x)
    z_mean = layers.Dense(units=latent_dim, name="z_mean")(x)
    z_log_var = layers.Dense(units=latent_dim, name="z_log_var")(x)
    return keras.Model(inputs, [z_mean, z_log_var], name="encoder")


def build_decoder(latent_dim=8, image_size=28, downsamplings=2):
    """z → dense → transposed convolutions back up → pixel probabilities (sigmoid)."""
    side = image_size // 2 ** downsamplings
    latent = keras.Input(shape=(latent_dim,), name="z")
    y = layers.Dense(units=128, activation="relu")(latent)
    y = layers.Dense(units=side * side * 64, activation="relu")(y)
    y = layers.Reshape((side, side, 64))(y)
    for step in reversed(range(downsamplings)):
        y = layers.Conv2DTranspose(filters=32 * 2 ** min(step, 1), kernel_size=3, strides=2,
                                   padding="same", activation="relu")(y)
    outputs = layers.Conv2D(filters=1, kernel_size=3, padding="same", activation="sigmoid")(y)
    return keras.Model(latent, outputs, name="decoder")


DENSE_WIDTHS = (512, 256)


def build_dense_encoder(latent_dim=8, image_size=28):
    """x → flattened pixels → fully connected ReLU layers → (μ, log σ²)."""
    inputs = keras.Input(shape=(image_size, image_size, 1), name="image")
    x = layers.Flatten()(inputs)
    for units in DENSE_WIDTHS:
        x = layers.Dense(units=units, activation="relu")(x)
    z_mean = layers.Dense(units=latent_dim, name="z_mean")(x)
    z_log_var = layers.Dense(units=latent_dim, name="z_log_var")(x)
    return keras.Model(inputs, [z_mean, z_log_var], name="encoder")


def build_dense_decoder(latent_dim=8, image_size=28):
    """z → the encoder's layers in reverse → one probability per pixel (sigmoid)."""
    latent = keras.Input(shape=(latent_dim,), name="z")
    y = latent
    for units in reversed(DENSE_WIDTHS):
        y = layers.Dense(units=units, activation="relu")(y)
    y = layers.Dense(units=image_size * image_size, activation="sigmoid")(y)
    outputs = layers.Reshape((image_size, image_size, 1))(y)
    return keras.Model(latent, outputs, name="decoder")


@keras.saving.register_keras_serializable(package="dl_lab")
class VAE(keras.Model):
    """Encoder + Sampling + decoder, trained on L = reconstruction + β·KL.

    Reports `loss`, `reconstruction` and `kl` (per image, averaged over the batch) as separate
    metrics, so the page can plot the two terms of the loss apart.
    """

    def __init__(self, encoder, decoder, beta=1.0, seed=1337, **kwargs):
        super().__init__(**kwargs)
        self.encoder = encoder
        self.decoder = decoder
        self.beta = float(beta)
        self.seed = seed
        self.sampling = Sampling(seed=seed, name="sampling")
        self.reconstruction_tracker = keras.metrics.Mean(name="reconstruction")
        self.kl_tracker = keras.metrics.Mean(name="kl")

    def build(self, input_shape=None):
        # Nothing to create: the encoder and decoder are built functional models, and the
        # sampler's seed state and the metric trackers were made in __init__.
        self.built = True

    def call(self, images):
        z_mean, z_log_var = self.encoder(images)
        z = self.sampling([z_mean, z_log_var])
        return self.decoder(z), z_mean, z_log_var

    def _terms(self, images, y_pred):
        reconstruction, z_mean, z_log_var = y_pred
        return (ops.mean(reconstruction_loss(images, reconstruction)),
                ops.mean(kl_divergence(z_mean, z_log_var)))

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        reconstruction, kl = self._terms(x, y_pred)
        return reconstruction + self.beta * kl

    def compute_metrics(self, x, y, y_pred, sample_weight=None):
        reconstruction, kl = self._terms(x, y_pred)
        self.reconstruction_tracker.update_state(reconstruction)
        self.kl_tracker.update_state(kl)
        return super().compute_metrics(x, y, y_pred, sample_weight)

    def get_config(self):
        return {**super().get_config(), "beta": self.beta, "seed": self.seed,
                "encoder": keras.saving.serialize_keras_object(self.encoder),
                "decoder": keras.saving.serialize_keras_object(self.decoder)}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["encoder"] = keras.saving.deserialize_keras_object(config["encoder"])
        config["decoder"] = keras.saving.deserialize_keras_object(config["decoder"])
        return cls(**config)


def build_vae(latent_dim=8, image_size=28, beta=1.0, seed=1337, architecture="conv"):
    """The whole VAE, convolutional or fully connected ("dense"). The convolutional one takes
    28×28 and 32×32 images down twice (to 7 or 8), 64×64 three times."""
    if architecture == "dense":
        encoder = build_dense_encoder(latent_dim, image_size)
        decoder = build_dense_decoder(latent_dim, image_size)
    else:
        downsamplings = 2 if image_size <= 32 else 3
        encoder = build_encoder(latent_dim, image_size, downsamplings)
        decoder = build_decoder(latent_dim, image_size, downsamplings)
    vae = VAE(encoder, decoder, beta=beta, seed=seed, name="vae")
    vae.build()
    return vae
