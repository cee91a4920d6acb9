"""What the transfer page shows about a trained classifier: plain numpy, no Keras, no Streamlit."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def confusion_matrix(true: np.ndarray, predicted: np.ndarray, num_classes: int) -> np.ndarray:
    """counts[i, j] = validation images of class i that the model called j."""
    counts = np.zeros((num_classes, num_classes), np.int64)
    np.add.at(counts, (np.asarray(true, np.int64), np.asarray(predicted, np.int64)), 1)
    return counts


def cell_members(true: np.ndarray, predicted: np.ndarray, actual: int, called: int) -> np.ndarray:
    """Indices of the validation images in one confusion-matrix cell."""
    return np.flatnonzero((np.asarray(true) == actual) & (np.asarray(predicted) == called))


def pca_2d(embeddings: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(points N×2, explained variance ratio of the two components) of centred embeddings."""
    x = np.asarray(embeddings, np.float64)
    centred = x - x.mean(axis=0)
    _, singular, components = np.linalg.svd(centred, full_matrices=False)
    variance = singular ** 2
    ratio = variance[:2] / max(variance.sum(), 1e-12)
    points = centred @ components[:2].T
    if points.shape[1] < 2:  # a single image or a 1-D embedding: pad so the plot still works
        points = np.pad(points, ((0, 0), (0, 2 - points.shape[1])))
        ratio = np.pad(ratio, (0, 2 - len(ratio)))
    return points.astype(np.float32), ratio.astype(np.float32)


def unsure_threshold(num_classes: int) -> float:
    """Below this top probability we say the photo looks unlike the training images: halfway
    between a uniform guess (1/C) and certainty."""
    return 0.5 * (1.0 + 1.0 / num_classes)


@dataclass(frozen=True)
class Prediction:
    ranked: list[tuple[str, float]]  # (class, probability), most likely first
    unsure: bool  # the top probability is low: the photo is far from what the model learned

    @property
    def top(self) -> tuple[str, float]:
        return self.ranked[0]


def rank(probabilities: np.ndarray, labels: list[str] | tuple[str, ...]) -> Prediction:
    probs = np.asarray(probabilities, np.float64).ravel()
    if len(probs) != len(labels):
        raise ValueError(f"got {len(probs)} probabilities for {len(labels)} labels {list(labels)}")
    order = np.argsort(-probs)
    ranked = [(str(labels[i]), float(probs[i])) for i in order]
    return Prediction(ranked, ranked[0][1] < unsure_threshold(len(labels)))
