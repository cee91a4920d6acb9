"""GAN topic, 2-D toy mode: two small MLPs play the minimax game on points in the plane.

  min_G max_D  E_x[log D(x)] + E_z[log(1 − D(G(z)))]

Training runs `SNAPSHOTS` rounds of `steps // SNAPSHOTS` generator steps (each after k
discriminator steps). After every round we keep a snapshot (fakes from fixed noise, D on a grid,
G's image of a z-grid) so the page can scrub back through the game. Metrics: mode coverage,
high-quality fraction and a histogram JS divergence (see dl_core.topics.gan.metrics).
"""

from __future__ import annotations

import time

import numpy as np

from dl_core.data import toy2d
from dl_core.params import Param, Schema
from dl_core.spec import DatasetInfo, TopicSpec, TrainContext, TrainResult

SNAPSHOTS = 20
EVAL_SAMPLES = 5000
FIXED_NOISE_SEED = 7
EVAL_SEED = 11
POOL_SEED = 3
OPTIMIZERS = ("adam", "rmsprop", "sgd")
TARGET_NAMES = {"ring8": "ring of 8 Gaussians", "grid25": "grid of 25 Gaussians",
                "moons": "two moons", "spiral": "spiral", "custom": "your points"}

SCHEMA = Schema((
    Param("target", "str", "ring8", "The distribution of real points G must learn to imitate",
          choices=toy2d.TARGETS),
    Param("steps", "int", 2000, f"Generator steps in all (split into {SNAPSHOTS} snapshots)",
          min=200, max=10000),
    Param("hidden_layers", "int", 3, "Hidden layers in G and in D", min=1, max=4),
    Param("units", "int", 64, "Units per hidden layer", choices=(16, 32, 64, 128, 256)),
    Param("g_learning_rate", "float", 0.001, "Step size of G's optimiser", min=0.00001, max=0.01,
          log=True),
    Param("d_learning_rate", "float", 0.001, "Step size of D's optimiser", min=0.00001, max=0.01,
          log=True),
    Param("optimizer", "str", "adam", "Adam (β₁ = 0.5), RMSprop or plain SGD, for both players",
          choices=OPTIMIZERS),
    Param("d_steps", "int", 1, "k: discriminator steps per generator step", min=1, max=5),
    Param("loss", "str", "non_saturating", "The game's loss: minimax (standard), non-saturating "
          "or least squares", choices=("standard", "non_saturating", "least_squares")),
    Param("noise_dim", "int", 2, "Numbers in the noise z (2 shows G's mapping as a mesh)", min=1, max=16),
    Param("batch_size", "int", 256, "Real and fake points per step", choices=(64, 128, 256, 512)),
))


def dataset_fingerprint(params: dict, data: str | None) -> str:
    if params["target"] == "custom" and data is None:
        raise ValueError("target 'custom' needs your points: upload a CSV of x,y or draw some")
    return toy2d.fingerprint(params["target"], data if params["target"] == "custom" else None)


def build_model(params: dict):
    from dl_core.models.gan import (
        GAN,
        build_mlp_discriminator,
        build_mlp_generator,
        make_optimizer,
    )

    generator = build_mlp_generator(noise_dim=params["noise_dim"], hidden_layers=params["hidden_layers"],
                                    units=params["units"])
    discriminator = build_mlp_discriminator(hidden_layers=params["hidden_layers"], units=params["units"])
    gan = GAN(generator, discriminator, latent_dim=params["noise_dim"], d_steps=params["d_steps"])
    gan.compile(d_optimizer=make_optimizer(params["optimizer"], params["d_learning_rate"]),
                g_optimizer=make_optimizer(params["optimizer"], params["g_learning_rate"]),
                loss_fn=params["loss"], steps_per_execution=5)
    return gan


def players(gan, loss: str):
    """numpy-in, numpy-out views of G and of D's probability of 'real'."""
    import keras

    from dl_core.models.gan_losses import realness

    def generate(z):
        return keras.ops.convert_to_numpy(gan.generator(np.asarray(z, np.float32), training=False))

    def judge(points):
        scores = gan.discriminator(np.asarray(points, np.float32), training=False)
        return keras.ops.convert_to_numpy(realness(scores, loss))[:, 0]

    return generate, judge


def quality(real: np.ndarray, fake: np.ndarray, target: toy2d.Target) -> dict[str, float]:
    from dl_core.topics.gan.metrics import js_divergence, mode_stats

    metrics = {"js_divergence": js_divergence(real, fake)}
    if target.centres is not None:
        metrics.update(mode_stats(fake, target.centres, target.sigma))
    return metrics


def train(params: dict, ctx: TrainContext, data: str | None = None) -> TrainResult:
    from dl_core.topics.gan.snapshots import (
        SHOWN,
        render,
        stack_snapshots,
        take_snapshot,
    )
    from dl_core.training import ProgressCallback

    target = toy2d.get_target(params["target"], data if params["target"] == "custom" else None)
    per_snapshot = max(1, params["steps"] // SNAPSHOTS)
    batch = params["batch_size"] * params["d_steps"]  # k slices of real points per G step
    pool = target.sample(per_snapshot * batch, np.random.default_rng(POOL_SEED))
    shown_real = target.sample(SHOWN, np.random.default_rng(POOL_SEED + 1))
    fixed_noise = np.random.default_rng(FIXED_NOISE_SEED).standard_normal(
        (SHOWN, params["noise_dim"])).astype(np.float32)

    gan = build_model(params)
    generate, judge = players(gan, params["loss"])
    snapshots, snapshot_seconds, started = [], [], time.monotonic()

    def preview(_model):
        snapshot = take_snapshot(generate, judge, fixed_noise, params["noise_dim"])
        snapshots.append(snapshot)
        snapshot_seconds.append(time.monotonic() - started)
        return render(snapshot, shown_real)

    progress = ProgressCallback(ctx, SNAPSHOTS, per_snapshot, preview, unit="snapshot",
                                step_unit="generator step")
    gan.fit(pool, batch_size=batch, epochs=SNAPSHOTS, shuffle=True, verbose=0, callbacks=[progress])

    rng = np.random.default_rng(EVAL_SEED)
    real_eval = target.sample(EVAL_SAMPLES, rng)
    fake_eval = generate(rng.standard_normal((EVAL_SAMPLES, params["noise_dim"])).astype(np.float32))
    metrics = quality(real_eval, fake_eval, target)
    metrics.update({name: values[-1] for name, values in progress.history.items()})
    artifacts = {**stack_snapshots(snapshots), "real": shown_real,
                 "snap_seconds": np.asarray(snapshot_seconds, np.float32),
                 "snap_step": np.arange(len(snapshots), dtype=np.int64) * per_snapshot}
    if target.centres is not None:
        artifacts["centres"] = target.centres
        artifacts["snap_modes"] = np.array([quality(shown_real, s["fake"], target)["modes_covered"]
                                            for s in snapshots], np.int64)
    dataset = DatasetInfo(TARGET_NAMES[params["target"]],
                          "upload" if params["target"] == "custom" else "builtin",
                          len(pool), EVAL_SAMPLES, dataset_fingerprint(params, data),
                          _note(target))
    info = {"steps_per_snapshot": per_snapshot, "sigma": target.sigma,
            "model_module": "dl_core/models/gan.py",
            "builders": ["build_mlp_generator", "build_mlp_discriminator"]}
    return TrainResult(gan, metrics, progress.history, dataset, progress.previews, artifacts, info)


def _note(target: toy2d.Target) -> str:
    if target.centres is None:
        return "Points generated on the fly from a fixed seed."
    return (f"A mixture of {len(target.centres)} Gaussians with σ = {target.sigma}, generated on "
            "the fly from a fixed seed.")


TOPIC = TopicSpec(
    name="gan",
    title="GAN (2-D toy)",
    summary="A generator and a discriminator compete on points in the plane.",
    version=1,
    schema=SCHEMA,
    train=train,
    dataset_fingerprint=dataset_fingerprint,
    data_help="a CSV of x,y points (used with --set target=custom)",
)
