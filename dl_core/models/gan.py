"""GANs: a generator G (noise z -> fake sample) and a discriminator D (sample -> logit of 'real').

`GAN` is a `keras.Model` subclass that overrides `compile(d_optimizer, g_optimizer, loss_fn)` and
`train_step`, as in the keras-io DCGAN example, so `fit()` runs the two-player game: k steps of D,
then one step of G. The same class trains the 2-D toy MLPs and the DCGAN on digits.

The game is written once, as a pure function of the players' weight values (Keras's stateless
pattern: `stateless_call`, `stateless_apply`), so it runs on every backend: JAX's `fit()` hands
`train_step` those values and takes the new ones back; on TensorFlow and PyTorch `train_step`
reads the variables, plays, and assigns the results.
"""

from typing import NamedTuple

import keras
from keras import layers, ops

from dl_core.models.gan_losses import (
    check_loss,
    discriminator_loss,
    generator_loss,
    realness,
)
from dl_core.models.gradients import outside_autodiff, value_and_gradients


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


class Players(NamedTuple):
    """Everything one round of the game reads and writes, as lists of variables or of values."""

    generator: list
    generator_state: list  # non-trainable: BatchNorm statistics, seeds
    discriminator: list
    discriminator_state: list  # non-trainable: the dropout layer's seed
    d_optimizer: list
    g_optimizer: list
    noise: list  # [the seed of z's generator]

    def flat(self) -> list:
        return [item for field in self for item in field]

    def like(self, flat: list) -> "Players":
        """The same structure filled with `flat` (in `flat()`'s order)."""
        parts, start = [], 0
        for field in self:
            parts.append(list(flat[start:start + len(field)]))
            start += len(field)
        return Players(*parts)


class PlayerOptimizers:
    """What `fit()` sees as `model.optimizer`: each player's optimizer, built on that player's
    weights only. JAX's `fit()` passes `train_step` the values of `model.optimizer.variables`
    and stores what comes back, so both optimizers' states must be listed here."""

    def __init__(self, d_optimizer, discriminator, g_optimizer, generator):
        self.pairs = ((d_optimizer, discriminator), (g_optimizer, generator))

    @property
    def built(self) -> bool:
        return all(optimizer.built for optimizer, _ in self.pairs)

    def build(self, _all_weights=None) -> None:
        for optimizer, player in self.pairs:
            if not optimizer.built:
                optimizer.build(player.trainable_variables)

    @property
    def variables(self) -> list:
        return [v for optimizer, _ in self.pairs for v in optimizer.variables]


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
        self.optimizer = PlayerOptimizers(d_optimizer, self.discriminator, g_optimizer,
                                          self.generator)
        self.loss_fn = check_loss(loss_fn)
        self.trackers = {name: keras.metrics.Mean(name=name)
                         for name in ("d_loss", "g_loss", "d_real", "d_fake")}

    @property
    def metrics(self):
        return list(getattr(self, "trackers", {}).values())

    def players(self) -> Players:
        """The variables the game reads and writes."""
        self.optimizer.build()
        return Players(self.generator.trainable_variables, self.generator.non_trainable_variables,
                       self.discriminator.trainable_variables,
                       self.discriminator.non_trainable_variables,
                       self.d_optimizer.variables, self.g_optimizer.variables, [self.noise.state])

    # fit() calls train_step(data) on TensorFlow and PyTorch, train_step(state, data) on JAX.
    def train_step(self, *args):
        if keras.backend.backend() == "jax":
            return self._stateless_train_step(*args)
        return self._stateful_train_step(*args)

    def current_values(self) -> Players:
        """What the players' variables hold now (the stateful backends' starting point)."""
        variables = self.players()
        return variables.like([v.value for v in variables.flat()])

    def keep(self, values: Players) -> None:
        """Write a round's new values back into the players' variables."""
        with outside_autodiff():
            for variable, value in zip(self.players().flat(), values.flat()):
                variable.assign(value)

    def _stateful_train_step(self, data):
        values, figures = self.play(self.current_values(), _real_batch(data))
        self.keep(values)
        for name, value in figures.items():
            self.trackers[name].update_state(value)
        return {name: tracker.result() for name, tracker in self.trackers.items()}

    def _stateless_train_step(self, state, data):
        *_, metric_values = state  # the other three are looked up by variable below
        listed = (self.trainable_variables, self.non_trainable_variables, self.optimizer.variables)
        current = {id(v): value for variables, values in zip(listed, state)
                   for v, value in zip(variables, values)}
        variables = self.players()
        values, figures = self.play(variables.like([current[id(v)] for v in variables.flat()]),
                                    _real_batch(data))
        current.update({id(v): value for v, value in zip(variables.flat(), values.flat())})
        logs, metric_values = self._stateless_metrics(metric_values, figures)
        return logs, tuple([current[id(v)] for v in variables] for variables in listed) + (
            metric_values,)

    def _stateless_metrics(self, metric_values, figures):
        logs, updated, start = {}, [], 0
        for tracker in self.metrics:
            end = start + len(tracker.variables)
            values = tracker.stateless_update_state(metric_values[start:end], figures[tracker.name])
            logs[tracker.name] = tracker.stateless_result(values)
            updated.extend(values)
            start = end
        return logs, updated

    def play(self, values: Players, real) -> tuple[Players, dict]:
        """One round on weight values: k discriminator steps, one generator step.
        Returns the new values and the round's figures (the last D step's, G's loss)."""
        slices = ops.reshape(real, (self.d_steps, -1) + tuple(real.shape[1:]))
        for step in range(self.d_steps):
            values, d_figures = self.discriminator_step(values, slices[step])
        values, g_loss = self.generator_step(values, ops.shape(slices[0])[0])
        return values, {**d_figures, "g_loss": g_loss}

    def draw_noise(self, values: Players, batch_size):
        """z ~ N(0, I) from the noise seed's value, and the advanced seed."""
        with keras.StatelessScope(state_mapping=[(self.noise.state, values.noise[0])]) as scope:
            z = keras.random.normal((batch_size, self.latent_dim), seed=self.noise)
        return z, values._replace(noise=[scope.get_current_value(self.noise.state)])

    def generate(self, values: Players, z):
        fake, state = self.generator.stateless_call(values.generator, values.generator_state, z,
                                                    training=True)
        return fake, values._replace(generator_state=state)

    def discriminator_step(self, values: Players, real) -> tuple[Players, dict]:
        """D descends L_D on this real batch and a batch of G's fakes (G is held fixed)."""
        z, values = self.draw_noise(values, ops.shape(real)[0])
        fake, values = self.generate(values, z)
        fake = ops.stop_gradient(fake)

        def loss_of(weights):
            real_scores, state = self.discriminator.stateless_call(
                weights, values.discriminator_state, real, training=True)
            fake_scores, state = self.discriminator.stateless_call(weights, state, fake,
                                                                   training=True)
            return (discriminator_loss(real_scores, fake_scores, self.loss_fn),
                    (real_scores, fake_scores, state))

        loss, (real_scores, fake_scores, state), grads = value_and_gradients(
            loss_of, values.discriminator)
        weights, slots = self._descend(self.d_optimizer, self.discriminator, grads,
                                       values.discriminator, values.d_optimizer)
        figures = {"d_loss": loss, "d_real": ops.mean(realness(real_scores, self.loss_fn)),
                   "d_fake": ops.mean(realness(fake_scores, self.loss_fn))}
        return values._replace(discriminator=weights, discriminator_state=state,
                               d_optimizer=slots), figures

    def generator_step(self, values: Players, batch_size) -> tuple[Players, object]:
        """G descends L_G through D's verdict on a fresh batch of fakes (D is held fixed)."""
        z, values = self.draw_noise(values, batch_size)

        def loss_of(weights):
            fake, g_state = self.generator.stateless_call(weights, values.generator_state, z,
                                                          training=True)
            scores, d_state = self.discriminator.stateless_call(
                values.discriminator, values.discriminator_state, fake, training=True)
            return generator_loss(scores, self.loss_fn), (g_state, d_state)

        loss, (g_state, d_state), grads = value_and_gradients(loss_of, values.generator)
        weights, slots = self._descend(self.g_optimizer, self.generator, grads,
                                       values.generator, values.g_optimizer)
        return values._replace(generator=weights, generator_state=g_state,
                               discriminator_state=d_state, g_optimizer=slots), loss

    @staticmethod
    def _descend(optimizer, player, grads, weights, slots):
        """One optimizer step: (new weights, new optimizer slots).

        JAX's step is stateless (`stateless_apply` on values). TensorFlow's optimizers refuse
        `stateless_apply`, so there (and on PyTorch) the step updates the player's variables,
        which hold exactly `weights` on those backends, and reads the results back."""
        if keras.backend.backend() == "jax":
            return optimizer.stateless_apply(slots, grads, weights)
        with outside_autodiff():
            optimizer.apply(grads, player.trainable_variables)
        return ([v.value for v in player.trainable_variables],
                [v.value for v in optimizer.variables])

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


def _real_batch(data):
    return data[0] if isinstance(data, tuple) else data


def make_optimizer(name: str, learning_rate: float):
    """Adam with β₁ = 0.5 (the DCGAN paper's choice: less momentum, less oscillation), RMSprop or SGD."""
    if name == "adam":
        return keras.optimizers.Adam(learning_rate=learning_rate, beta_1=0.5)
    if name == "rmsprop":
        return keras.optimizers.RMSprop(learning_rate=learning_rate)
    if name == "sgd":
        return keras.optimizers.SGD(learning_rate=learning_rate)
    raise ValueError(f"optimizer {name!r} is not one of adam, rmsprop, sgd")
