"""Keras-side pieces of the segmentation topic: augmented batches, the Dice loss, per-epoch scores.

Imported only inside training code, because it imports Keras. Everything is written with
`keras` / `keras.ops`, so it runs on the TensorFlow, JAX and PyTorch backends.
"""

from __future__ import annotations

import keras
import numpy as np

from dl_core.topics.segmentation.metrics import NUM_CLASSES, scores

MIN_CROP = 0.75  # a random crop keeps at least 75 % of each side, then is stretched back


class AugmentedBatches(keras.utils.PyDataset):
    """Shuffled batches with random horizontal flips and random crops, images and masks together.

    Crops are resized back with nearest-neighbour index maps: the mask keeps exact classes and
    the whole thing stays cheap numpy work on a CPU.
    """

    def __init__(self, images: np.ndarray, masks: np.ndarray, batch_size: int, seed: int,
                 augment: bool):
        super().__init__()
        self.images, self.masks = images, masks
        self.batch_size, self.augment = batch_size, augment
        self.rng = np.random.default_rng(seed)
        self.order = self.rng.permutation(len(images))

    def __len__(self) -> int:
        return int(np.ceil(len(self.images) / self.batch_size))

    def __getitem__(self, index: int):
        chosen = self.order[index * self.batch_size:(index + 1) * self.batch_size]
        images, masks = self.images[chosen], self.masks[chosen]
        if not self.augment:
            return images, masks
        pairs = [self._augment(image, mask) for image, mask in zip(images, masks)]
        return np.stack([p[0] for p in pairs]), np.stack([p[1] for p in pairs])

    def _augment(self, image: np.ndarray, mask: np.ndarray):
        size = image.shape[0]
        if self.rng.random() < 0.5:
            image, mask = image[:, ::-1], mask[:, ::-1]
        side = int(size * self.rng.uniform(MIN_CROP, 1.0))
        top, left = self.rng.integers(0, size - side + 1, 2)
        index = (np.arange(size) * side // size)
        rows, cols = (top + index)[:, None], (left + index)[None, :]
        return image[rows, cols], mask[rows, cols]

    def on_epoch_end(self):
        self.order = self.rng.permutation(len(self.images))


@keras.saving.register_keras_serializable(package="dl_lab")
def dice_loss(y_true, y_pred):
    """1 − mean over classes of the soft Dice 2·Σ p·y / (Σ p + Σ y), over the whole batch."""
    one_hot = keras.ops.one_hot(keras.ops.cast(y_true, "int32"), NUM_CLASSES)
    axes = (0, 1, 2)
    overlap = keras.ops.sum(one_hot * y_pred, axis=axes)
    total = keras.ops.sum(one_hot, axis=axes) + keras.ops.sum(y_pred, axis=axes)
    return 1.0 - keras.ops.mean((2.0 * overlap + 1.0) / (total + 1.0))


@keras.saving.register_keras_serializable(package="dl_lab")
def cross_entropy_dice(y_true, y_pred):
    """Sparse categorical cross-entropy (per pixel) plus the Dice loss."""
    ce = keras.ops.mean(keras.losses.sparse_categorical_crossentropy(y_true, y_pred))
    return ce + dice_loss(y_true, y_pred)


def loss_for(name: str):
    if name == "cross_entropy":
        return "sparse_categorical_crossentropy"
    if name == "cross_entropy+dice":
        return cross_entropy_dice
    raise ValueError(f"loss={name!r}: expected 'cross_entropy' or 'cross_entropy+dice'")


def predict_masks(model, images: np.ndarray, batch_size: int = 32) -> np.ndarray:
    probabilities = model.predict(images, batch_size=batch_size, verbose=0)
    return np.argmax(probabilities, axis=-1).astype(np.uint8)


def numpy_loss(masks: np.ndarray, probabilities: np.ndarray, loss: str) -> float:
    """The training loss on already-predicted probabilities: no second pass over the images."""
    picked = np.take_along_axis(probabilities, masks[..., None].astype(np.int64), axis=-1)
    value = float(-np.mean(np.log(np.clip(picked, 1e-7, 1.0))))
    if loss == "cross_entropy+dice":
        one_hot = np.eye(NUM_CLASSES, dtype=np.float32)[masks]
        overlap = (one_hot * probabilities).sum(axis=(0, 1, 2))
        total = one_hot.sum(axis=(0, 1, 2)) + probabilities.sum(axis=(0, 1, 2))
        value += float(1.0 - np.mean((2.0 * overlap + 1.0) / (total + 1.0)))
    return value


class ValidationScores(keras.callbacks.Callback):
    """Adds val_loss, val_pixel_accuracy, val_mean_iou and val_dice to the epoch logs.

    One prediction pass over the validation images serves all four (fit's own validation would
    be a second pass). Put it before ProgressCallback in the callback list: later callbacks see
    the same logs dict, so the live chart and the history get these numbers too.
    """

    def __init__(self, images: np.ndarray, masks: np.ndarray, loss: str):
        super().__init__()
        self.images, self.masks, self.loss = images, masks, loss

    def on_epoch_end(self, epoch, logs=None):
        if logs is None:
            return
        probabilities = self.model.predict(self.images, batch_size=32, verbose=0)
        result = scores(self.masks, np.argmax(probabilities, axis=-1))
        logs["val_loss"] = numpy_loss(self.masks, probabilities, self.loss)
        logs.update({f"val_{name}": value for name, value in result.items()
                     if name in ("pixel_accuracy", "mean_iou", "dice")})
