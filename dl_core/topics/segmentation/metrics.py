"""Segmentation scores computed from a confusion matrix, in numpy (no Keras, backend-free).

Classes follow the Oxford-IIIT Pet trimaps shifted to start at 0: 0 = pet (object),
1 = background, 2 = border. For each class c with true positives TP, false positives FP and
false negatives FN:

    IoU_c  = TP / (TP + FP + FN)          Dice_c = 2·TP / (2·TP + FP + FN)

The means are taken over the classes that occur in the truth or the prediction (a class that
is absent from both has no defined score and is left out, as keras.metrics.MeanIoU does).
"""

from __future__ import annotations

import numpy as np

NUM_CLASSES = 3
CLASS_NAMES = ("pet", "background", "border")


def confusion_matrix(truth: np.ndarray, pred: np.ndarray, num_classes: int = NUM_CLASSES) -> np.ndarray:
    """counts[t, p] = pixels whose true class is t and predicted class is p."""
    truth, pred = np.asarray(truth).ravel(), np.asarray(pred).ravel()
    if truth.shape != pred.shape:
        raise ValueError(f"truth has {truth.size} pixels but pred has {pred.size}: "
                         "pass masks of one shape")
    low, high = (min(truth.min(), pred.min()), max(truth.max(), pred.max())) if truth.size else (0, 0)
    if low < 0 or high >= num_classes:
        raise ValueError(f"mask values must be 0..{num_classes - 1}; got truth {np.unique(truth)[:6]}, "
                         f"pred {np.unique(pred)[:6]}")
    flat = truth.astype(np.int64) * num_classes + pred.astype(np.int64)
    return np.bincount(flat, minlength=num_classes * num_classes).reshape(num_classes, num_classes)


def _per_class(counts: np.ndarray, dice: bool) -> np.ndarray:
    tp = np.diag(counts).astype(np.float64)
    fp = counts.sum(axis=0) - tp
    fn = counts.sum(axis=1) - tp
    numerator, denominator = (2 * tp, 2 * tp + fp + fn) if dice else (tp, tp + fp + fn)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, numerator / np.maximum(denominator, 1), np.nan)


def iou_per_class(truth, pred, num_classes: int = NUM_CLASSES) -> np.ndarray:
    return _per_class(confusion_matrix(truth, pred, num_classes), dice=False)


def dice_per_class(truth, pred, num_classes: int = NUM_CLASSES) -> np.ndarray:
    return _per_class(confusion_matrix(truth, pred, num_classes), dice=True)


def scores(truth, pred, num_classes: int = NUM_CLASSES) -> dict[str, float]:
    """Pixel accuracy, mean IoU and mean Dice, plus the IoU of each class."""
    counts = confusion_matrix(truth, pred, num_classes)
    iou, dice = _per_class(counts, dice=False), _per_class(counts, dice=True)
    out = {"pixel_accuracy": float(np.trace(counts) / max(counts.sum(), 1)),
           "mean_iou": float(np.nanmean(iou)) if np.isfinite(iou).any() else 0.0,
           "dice": float(np.nanmean(dice)) if np.isfinite(dice).any() else 0.0}
    for index in range(num_classes):
        name = CLASS_NAMES[index] if index < len(CLASS_NAMES) else str(index)
        out[f"iou_{name}"] = 0.0 if np.isnan(iou[index]) else float(iou[index])
    return out


def majority_baseline(train_masks: np.ndarray, val_masks: np.ndarray,
                      num_classes: int = NUM_CLASSES) -> dict[str, float]:
    """Scores of always predicting the most common training class: the yardstick for 'learned'."""
    majority = int(np.bincount(np.asarray(train_masks).ravel(), minlength=num_classes).argmax())
    return scores(val_masks, np.full_like(val_masks, majority), num_classes)
