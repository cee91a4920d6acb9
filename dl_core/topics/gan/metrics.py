"""Honest quality figures for GANs: mode coverage and divergence in 2-D, classifier-based on digits.

2-D (a Gaussian mixture with known centres and σ):
  modes_covered          modes holding at least `min_share` of the samples within 3σ of their centre
  high_quality_fraction  share of samples within 3σ of some centre
  js_divergence          Jensen-Shannon divergence of 2-D histograms (natural log, in [0, ln 2])
Digits (a classifier trained on real images):
  sample_confidence      mean of the classifier's top class probability (quality)
  class_coverage         entropy of the predicted-class histogram / log(#classes) (diversity)
"""

from __future__ import annotations

import numpy as np

HIST_BINS = 40
HIST_EXTENT = 3.0


def min_mode_share(mode_count: int) -> float:
    """'A few percent': 2 % of the samples, or a quarter of a fair share when modes are many."""
    return min(0.02, 0.25 / mode_count)


def mode_stats(samples: np.ndarray, centres: np.ndarray, sigma: float) -> dict[str, float]:
    samples = np.asarray(samples, np.float64)
    if samples.ndim != 2 or samples.shape[1] != 2 or len(samples) == 0:
        raise ValueError(f"samples must be an N×2 array with N > 0, got shape {samples.shape}")
    distances = np.linalg.norm(samples[:, None, :] - centres[None, :, :], axis=2)
    nearest = distances.argmin(axis=1)
    close = distances[np.arange(len(samples)), nearest] <= 3 * sigma
    counts = np.bincount(nearest[close], minlength=len(centres))
    shares = counts / len(samples)
    return {"modes_covered": int((shares >= min_mode_share(len(centres))).sum()),
            "mode_count": int(len(centres)),
            "high_quality_fraction": float(close.mean())}


def js_divergence(real: np.ndarray, fake: np.ndarray, bins: int = HIST_BINS,
                  extent: float = HIST_EXTENT) -> float:
    """JS(P‖Q) = ½KL(P‖M) + ½KL(Q‖M), M = ½(P+Q), on a bins×bins histogram of the square.

    Points outside the square land in the border bins (clipped), so they still count as 'wrong'.
    0 = same histogram; ln 2 ≈ 0.693 = no overlap at all.
    """
    edges = np.linspace(-extent, extent, bins + 1)

    def histogram(points):
        clipped = np.clip(np.asarray(points, np.float64), -extent, extent)
        counts, _, _ = np.histogram2d(clipped[:, 0], clipped[:, 1], bins=[edges, edges])
        return counts.ravel() / max(counts.sum(), 1)

    p, q = histogram(real), histogram(fake)
    m = 0.5 * (p + q)

    def kl(a, b):
        mask = a > 0
        return float(np.sum(a[mask] * np.log(a[mask] / b[mask])))

    return max(0.0, 0.5 * kl(p, m) + 0.5 * kl(q, m))


def classifier_figures(probabilities: np.ndarray) -> dict[str, float]:
    """sample_confidence and class_coverage from an N×C matrix of class probabilities."""
    probabilities = np.asarray(probabilities, np.float64)
    if probabilities.ndim != 2 or probabilities.shape[1] < 2:
        raise ValueError(f"expected an N×C probability matrix with C ≥ 2, got {probabilities.shape}")
    classes = probabilities.shape[1]
    counts = np.bincount(probabilities.argmax(axis=1), minlength=classes)
    share = counts / counts.sum()
    nonzero = share[share > 0]
    entropy = float(-(nonzero * np.log(nonzero)).sum())
    return {"sample_confidence": float(probabilities.max(axis=1).mean()),
            "class_coverage": entropy / float(np.log(classes))}
