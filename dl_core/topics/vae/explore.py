"""Explore a trained VAE in the page process: encode, decode, traverse, sample.

Everything here runs on the cached model, loaded once per process by `load_shared` and used
read-only under its lock. No job is queued: decoding one image takes a few milliseconds, so a
slider can redraw it on every move.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from dl_core.inference import load_shared
from dl_core.pictures import image_grid, to_uint8

TRAVERSAL_STEPS = 9
SPAN = 3.0  # traversals and the manifold cover ±3 standard deviations of the prior N(0, 1)


def _shared(model_path: str | Path):
    """The shared model. Importing the model module first registers the VAE and Sampling
    classes with Keras, which a fresh page process needs before it can load the .keras file."""
    import dl_core.models.vae  # noqa: F401

    return load_shared(model_path)


def latent_dim(model_path: str | Path) -> int:
    return int(_shared(model_path).model.get_layer("decoder").input_shape[-1])


def encode(model_path: str | Path, images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(μ, log σ²) of a batch of S×S images in [0, 1]."""
    z_mean, z_log_var = _shared(model_path)(np.asarray(images, np.float32)[..., None], layer="encoder")
    return np.asarray(z_mean, np.float32), np.asarray(z_log_var, np.float32)


def decode(model_path: str | Path, z: np.ndarray) -> np.ndarray:
    """Latent points (N×d) → uint8 images N×S×S."""
    z = np.asarray(z, np.float32)
    expected = latent_dim(model_path)
    if z.ndim != 2 or z.shape[1] != expected:
        raise ValueError(f"z has shape {z.shape}, expected N×{expected} (one row per image)")
    images = _shared(model_path)(z, layer="decoder")
    return to_uint8(images[..., 0])


def traversal_points(start: np.ndarray, steps: int = TRAVERSAL_STEPS,
                     span: float = SPAN) -> np.ndarray:
    """d·steps latent points: row j sweeps z_j from −span to +span, the others stay at `start`."""
    start = np.asarray(start, np.float32).reshape(-1)
    values = traversal_values(steps, span)
    points = np.repeat(start[None, None, :], len(start), axis=0).repeat(steps, axis=1)
    for dim in range(len(start)):
        points[dim, :, dim] = values
    return points.reshape(-1, len(start))


def traversal_values(steps: int = TRAVERSAL_STEPS, span: float = SPAN) -> np.ndarray:
    """The values each traversal row gives its dimension, left to right."""
    return np.linspace(-span, span, steps, dtype=np.float32)


def traversal_images(model_path: str | Path, start: np.ndarray,
                     steps: int = TRAVERSAL_STEPS) -> np.ndarray:
    """uint8 d×steps×S×S: row j is the decoded sweep of z_j over `traversal_values(steps)`."""
    images = decode(model_path, traversal_points(start, steps))
    return images.reshape(len(np.ravel(start)), steps, *images.shape[1:])


def traversal_grid(model_path: str | Path, start: np.ndarray,
                   steps: int = TRAVERSAL_STEPS) -> np.ndarray:
    """One picture: a row per latent dimension, decoded along its sweep."""
    rows = traversal_images(model_path, start, steps).astype(np.float32) / 255.0
    return image_grid(list(rows))


def manifold_points(dims: tuple[int, int], latent_size: int, base: np.ndarray | None = None,
                    steps: int = 11, span: float = SPAN) -> np.ndarray:
    """A steps×steps grid over [−span, span]² in dimensions `dims`; the others at `base` (0)."""
    first, second = dims
    base = np.zeros(latent_size, np.float32) if base is None else np.asarray(base, np.float32)
    values = traversal_values(steps, span)
    points = np.repeat(base[None, :], steps * steps, axis=0)
    # Rows go from +span at the top to −span at the bottom, like a plot's y axis.
    points[:, first] = np.tile(values, steps)
    points[:, second] = np.repeat(values[::-1], steps)
    return points


def manifold_images(model_path: str | Path, dims: tuple[int, int], steps: int = 11) -> np.ndarray:
    """uint8 steps×steps×S×S, laid out as `manifold_points`: rows from +span down to −span."""
    images = decode(model_path, manifold_points(dims, latent_dim(model_path), steps=steps))
    return images.reshape(steps, steps, *images.shape[1:])


def manifold_grid(model_path: str | Path, dims: tuple[int, int], steps: int = 11) -> np.ndarray:
    rows = manifold_images(model_path, dims, steps).astype(np.float32) / 255.0
    return image_grid(list(rows), gap=0)


def sample_grid(model_path: str | Path, count: int, seed: int, per_row: int = 4,
                gap: int = 4) -> np.ndarray:
    """`count` generated images in rows of `per_row`, white gaps between them (one picture)."""
    images = sample(model_path, count, seed).astype(np.float32) / 255.0
    rows = [images[i:i + per_row] for i in range(0, count, per_row)]
    if len(rows[-1]) < per_row:  # a short last row is padded with white
        pad = np.ones((per_row - len(rows[-1]), *images.shape[1:]), np.float32)
        rows[-1] = np.concatenate([rows[-1], pad])
    return image_grid(rows, gap=gap)


def sample(model_path: str | Path, count: int, seed: int) -> np.ndarray:
    """Generate: decode z ~ N(0, 1). Returns uint8 count×S×S."""
    z = np.random.default_rng(seed).standard_normal((count, latent_dim(model_path)))
    return decode(model_path, z.astype(np.float32))


def upload_to_input(rgb: np.ndarray, image_size: int, sprites: bool):
    """A learner's photo → the model's input (grayscale, white on black, resized), plus steps.

    Digits are centred MNIST-style in a 4-pixel margin; a sprite fills the middle half of the
    canvas, the size of a typical built-in sprite. Raises ValueError for a blank picture.
    """
    from dl_core.digit_input import fit_to_square

    margin = image_size // 4 if sprites else 4
    return fit_to_square(rgb, size=image_size, margin=margin)
