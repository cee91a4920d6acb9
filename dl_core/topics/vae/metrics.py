"""What a trained VAE's latent space looks like, in numbers: KL per dimension, disentanglement.

No Keras here: these take the encoder's outputs (μ, log σ²) as numpy arrays, so tests can check
them on made-up codes whose answer is known.
"""

from __future__ import annotations

import numpy as np

ACTIVE_KL = 0.1  # nats: a dimension carrying less than this is treated as collapsed to the prior
# Mean |Δ pixel| (pixels in [0, 1]) between the decodes at z_j = −3 and z_j = +3 (the rest of z at
# 0, where the traversal starts) below which a dimension's effect cannot be seen in the picture.
VISIBLE_CHANGE = 0.05
CONSTANT_STD = 1e-6
ACTIVE, STILL, COLLAPSED = "active", "still", "collapsed"


def kl_per_dimension(z_mean: np.ndarray, z_log_var: np.ndarray) -> np.ndarray:
    """Average over images of −½ (1 + log σ² − μ² − σ²), one number per latent dimension."""
    z_mean, z_log_var = np.asarray(z_mean, np.float64), np.asarray(z_log_var, np.float64)
    kl = -0.5 * (1.0 + z_log_var - z_mean ** 2 - np.exp(z_log_var))
    return kl.mean(axis=0).astype(np.float32)


def decode_change(decode, latent_dim: int, span: float = 3.0) -> np.ndarray:
    """Per dimension j: the mean absolute pixel difference between decode(+span·e_j) and
    decode(−span·e_j), every other coordinate at 0. `decode` maps N×d codes to N images in [0, 1]."""
    ends = np.eye(latent_dim, dtype=np.float32) * span
    high, low = (np.asarray(decode(z), np.float64).reshape(latent_dim, -1) for z in (ends, -ends))
    return np.abs(high - low).mean(axis=1).astype(np.float32)


def dimension_states(kl: np.ndarray, change: np.ndarray | None = None) -> list[str]:
    """Each dimension: "collapsed" (KL ≤ ACTIVE_KL: the posterior is the prior), "still" (it
    carries information, but moving it across ±3 barely changes the picture), else "active".
    Without `change` (a model cached before it was measured) only the KL decides."""
    kl = np.asarray(kl, np.float64)
    change = np.full(len(kl), np.inf) if change is None else np.asarray(change, np.float64)
    return [COLLAPSED if k <= ACTIVE_KL else STILL if c < VISIBLE_CHANGE else ACTIVE
            for k, c in zip(kl, change)]


def active_dimensions(kl: np.ndarray, change: np.ndarray | None = None) -> int:
    return dimension_states(kl, change).count(ACTIVE)


def most_active(kl: np.ndarray, count: int = 2) -> list[int]:
    """Indices of the `count` dimensions with the largest KL (the most informative)."""
    return [int(i) for i in np.argsort(-np.asarray(kl), kind="stable")[:count]]


def sampled_codes(z_mean: np.ndarray, z_log_var: np.ndarray, seed: int = 0) -> np.ndarray:
    """z = μ + σ ⊙ ε with a fixed ε: the code the decoder actually receives.

    Disentanglement is measured on these, not on μ alone: a collapsed dimension can keep a
    faint trace of a factor in its tiny μ, but under σ ≈ 1 noise the decoder cannot read it.
    """
    z_mean = np.asarray(z_mean, np.float32)
    epsilon = np.random.default_rng(seed).standard_normal(z_mean.shape).astype(np.float32)
    return z_mean + np.exp(0.5 * np.asarray(z_log_var, np.float32)) * epsilon


def abs_correlation(codes: np.ndarray, factor: np.ndarray) -> np.ndarray:
    """|Pearson r| between each latent dimension and one continuous factor (0 if constant)."""
    codes = np.asarray(codes, np.float64)
    factor = np.asarray(factor, np.float64)
    centred_codes = codes - codes.mean(axis=0)
    centred_factor = factor - factor.mean()
    norms = np.sqrt((centred_codes ** 2).sum(axis=0) * (centred_factor ** 2).sum())
    dots = np.abs(centred_factor @ centred_codes)
    return np.where(norms > CONSTANT_STD, dots / np.maximum(norms, CONSTANT_STD), 0.0)


def correlation_ratio(codes: np.ndarray, categories: np.ndarray) -> np.ndarray:
    """η per latent dimension for a categorical factor: √(between-class var / total var).

    The categorical counterpart of |r|: 1 when the dimension is a function of the category,
    0 when every category has the same mean.
    """
    codes = np.asarray(codes, np.float64)
    total = ((codes - codes.mean(axis=0)) ** 2).sum(axis=0)
    between = np.zeros(codes.shape[1])
    for value in np.unique(categories):
        members = codes[categories == value]
        between += len(members) * (members.mean(axis=0) - codes.mean(axis=0)) ** 2
    return np.where(total > CONSTANT_STD, np.sqrt(between / np.maximum(total, CONSTANT_STD)), 0.0)


def association_matrix(codes: np.ndarray, factors: np.ndarray,
                       categorical: tuple[int, ...] = (0,)) -> np.ndarray:
    """latent_dim × n_factors: |r| for continuous factors, η for categorical ones, in [0, 1]."""
    codes, factors = np.asarray(codes), np.asarray(factors)
    if codes.ndim != 2 or factors.ndim != 2 or len(codes) != len(factors):
        raise ValueError(f"codes {codes.shape} and factors {factors.shape} must be N×d and N×k "
                         "with the same N (one row per image)")
    columns = [correlation_ratio(codes, factors[:, k]) if k in categorical
               else abs_correlation(codes, factors[:, k]) for k in range(factors.shape[1])]
    return np.clip(np.stack(columns, axis=1), 0.0, 1.0).astype(np.float32)


def disentanglement_score(association: np.ndarray) -> float:
    """Mean over factors of the gap between its best and second-best latent dimension.

    Like the mutual-information gap (MIG), with correlations: 1 when every factor is read off
    one dimension and no other dimension knows about it; near 0 when a factor is smeared over
    several dimensions (entangled) or not captured at all.
    """
    association = np.asarray(association, np.float64)
    if association.shape[0] < 2:
        return float(association.max(axis=0).mean())
    top_two = -np.sort(-association, axis=0)[:2]
    return float(np.mean(top_two[0] - top_two[1]))
