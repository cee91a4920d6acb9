"""GANs: a generator G (noise z -> fake sample) and a discriminator D (sample -> logit of 'real').

`GAN` is a `keras.Model` subclass that overrides `compile(d_optimizer, g_optimizer, loss_fn)` and
`train_step`, as in the keras-io DCGAN example, so `fit()` runs the two-player game: k steps of D,
then one step of G. The same class trains the 2-D toy MLPs and the DCGAN on digits.
"""

import keras
from keras import layers, ops

from dl_core.models.gan_gradients import apply_gradients, loss_and_gradients
from dl_core.models.gan_losses import (
    check_loss,
    discriminator_loss,
    generator_loss,
    realness,
)


def build_mlp_generator(noise_dim: int = 2, hidden_layers: int = 3, units: int = 64,
                        output_dim: int = 2) -> keras.Model:
    """z (noise_dim numbers) -> a point in the plane, through `hidden_layers` ReLU layers."""
    z = keras.Input(shape=(noise_dim,), name="z")
    x = z
    for _ in range(hidden_layers):
        x = layers.Dense(units=units, activation="relu")(x)
    point = layers.Dense(units=output_dim, name="point")(x)
    return keras.Model(z, point, name="generator")


def build_mlp_discriminator(hidden_layers: int = 3, units: int = 64, input_dim: int = 2) -> keras.Model:
    """A point -> one logit s; D(x) = sigmoid(s) is the probability that the point is real."""
    point = keras.Input(shape=(input_dim,), name="point")
    x = point
    for _ in range(hidden_layers):
        x = layers.Dense(units=units, activation="leaky_relu")(x)
    logit = layers.Dense(units=1, name="logit")(x)
    return keras.Model(point, logit, name="discriminator")


def build_dcgan_generator(latent_dim: int = 64) -> keras.Model:
    """z -> 7×7×64 -> transposed convolutions up to 14×14 and 28×28 -> pixels in [0, 1]."""
    z = keras.Input(shape=(latent_dim,), name="z")
    x = layers.Dense(units=7 * 7 * 64)(z)
    x = layers.LeakyReLU(negative_slope=0.2)(x)
    x = layers.Reshape((7, 7, 64))(x)
    x = layers.Conv2DTranspose(filters=64, kernel_size=4, strides=2, padding="same")(x)
    x = layers.LeakyReLU(negative_slope=0.2)(x)
    x = layers.Conv2DTranspose(filters=32, kernel_size=4, strides=2, padding="same")(x)
    x = layers.LeakyReLU(negative_slope=0.2)(x)
    image = layers.Conv2D(filters=1, kernel_size=5, padding="same", activation="sigmoid")(x)
    return keras.Model(z, image, name="generator")


def build_dcgan_discriminator(image_size: int = 28) -> keras.Model:
    """A 28×28 image -> stride-2 convolutions down to 7×7 -> one logit of 'real'.

    D has twice G's filters per layer: a critic that sees strokes and their joins gives G
    gradients towards digits; a weaker one let G win with speckled fragments (see
    dl_core/topics/gan/digits.py)."""
    image = keras.Input(shape=(image_size, image_size, 1), name="image")
    x = layers.Conv2D(filters=64, kernel_size=4, strides=2, padding="same")(image)
    x = layers.LeakyReLU(negative_slope=0.2)(x)
    x = layers.Conv2D(filters=128, kernel_size=4, strides=2, padding="same")(x)
    x = layers.LeakyReLU(negative_slope=0.2)(x)
    x = layers.Flatten()(x)
    x = layers.Dropout(rate=0.3)(x)
    logit = layers.Dense(units=1, name="logit")(x)
    return keras.Model(image, logit, name="discriminator")


@keras.saving.register_keras_serializable(package="dl_lab")
class GAN(keras.Model):
    """Both players in one model. Calling it generates: GAN(z) = G(z).

    Each batch of real data holds `d_steps` × batch_size samples: D takes one step on each
    slice (k discriminator steps), then G takes one step on a fresh batch of noise.
    """

    def __init__(self, generator, discriminator, latent_dim: int, d_steps: int = 1, seed: int = 0,
                 **kwargs):
        super().__init__(**kwargs)
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = int(latent_dim)
        self.d_steps = int(d_steps)
        self.seed = int(seed)
        self.noise = keras.random.SeedGenerator(seed)
        self.built = True  # both players are built functional models; call() adds no weights

    def call(self, z, training=False):
        return self.generator(z, training=training)

    def compile(self, d_optimizer, g_optimizer, loss_fn: str = "non_saturating", **kwargs):
        super().compile(**kwargs)
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        self.loss_fn = check_loss(loss_fn)
        self.trackers = {name: keras.metrics.Mean(name=name)
                         for name in ("d_loss", "g_loss", "d_real", "d_fake")}

    @property
    def metrics(self):
        return list(getattr(self, "trackers", {}).values())

    def train_step(self, data):
        real = data[0] if isinstance(data, tuple) else data
        slices = ops.reshape(real, (self.d_steps, -1) + tuple(real.shape[1:]))
        for step in range(self.d_steps):
            d_loss, d_real, d_fake = self._discriminator_step(slices[step])
        g_loss = self._generator_step(ops.shape(slices[0])[0])
        for name, value in (("d_loss", d_loss), ("g_loss", g_loss),
                            ("d_real", d_real), ("d_fake", d_fake)):
            self.trackers[name].update_state(value)
        return {name: tracker.result() for name, tracker in self.trackers.items()}

    def sample_noise(self, batch_size):
        return keras.random.normal((batch_size, self.latent_dim), seed=self.noise)

    def _discriminator_step(self, real):
        fake = self.generator(self.sample_noise(ops.shape(real)[0]), training=True)

        def compute():
            real_scores = self.discriminator(real, training=True)
            fake_scores = self.discriminator(ops.stop_gradient(fake), training=True)
            loss = discriminator_loss(real_scores, fake_scores, self.loss_fn)
            return loss, (real_scores, fake_scores)

        variables = self.discriminator.trainable_weights
        loss, (real_scores, fake_scores), grads = loss_and_gradients(compute, variables)
        apply_gradients(self.d_optimizer, grads, variables)
        return (loss, ops.mean(realness(real_scores, self.loss_fn)),
                ops.mean(realness(fake_scores, self.loss_fn)))

    def _generator_step(self, batch_size):
        z = self.sample_noise(batch_size)

        def compute():
            fake_scores = self.discriminator(self.generator(z, training=True), training=True)
            return generator_loss(fake_scores, self.loss_fn), None

        variables = self.generator.trainable_weights
        loss, _, grads = loss_and_gradients(compute, variables)
        apply_gradients(self.g_optimizer, grads, variables)
        return loss

    def get_config(self):
        return {**super().get_config(), "latent_dim": self.latent_dim, "d_steps": self.d_steps,
                "seed": self.seed,
                "generator": keras.saving.serialize_keras_object(self.generator),
                "discriminator": keras.saving.serialize_keras_object(self.discriminator)}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        generator = keras.saving.deserialize_keras_object(config.pop("generator"))
        discriminator = keras.saving.deserialize_keras_object(config.pop("discriminator"))
        return cls(generator, discriminator, **config)


def make_optimizer(name: str, learning_rate: float):
    """Adam with β₁ = 0.5 (the DCGAN paper's choice: less momentum, less oscillation), RMSprop or SGD."""
    if name == "adam":
        return keras.optimizers.Adam(learning_rate=learning_rate, beta_1=0.5)
    if name == "rmsprop":
        return keras.optimizers.RMSprop(learning_rate=learning_rate)
    if name == "sgd":
        return keras.optimizers.SGD(learning_rate=learning_rate)
    raise ValueError(f"optimizer {name!r} is not one of adam, rmsprop, sgd")
