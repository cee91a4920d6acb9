"""Overfitting, and every knob that cures it: one small MLP on a few hundred digit images.

The model (dl_core/models/regularised.py): 784 pixels → `depth` hidden Dense(`width`) + ReLU →
softmax over 10 digits, with optional L1 / L2 penalties on every kernel, dropout after each hidden
activation, BatchNormalization between each Dense and its ReLU, and early stopping on val_loss.
With no regularisation, 300 training images and 60 epochs, the validation loss bottoms out after
a few epochs and then climbs while training accuracy reaches 100 %.

Data: 28×28 digits flattened to 784 floats in [0, 1] (MNIST when available, else DL Lab's
built-in digits, offline). The images come from a fixed pool: the first images of the dataset's
training split, taken in order.
- split="holdout": the pool is the first train_size + VAL_SIZE (1000) training images;
  numpy.random.default_rng(split_seed).permutation(pool) puts the first train_size of the
  permuted positions into training and the other VAL_SIZE into validation. Another split_seed is
  another random holdout split of the same pool.
- split="kfold": the pool is the first train_size training images;
  numpy.random.default_rng(0).permutation(train_size) is cut by numpy.array_split into `folds`
  consecutive parts (sizes differ by at most one); part `fold` validates, the other parts train.
  The folds do not depend on split_seed, so the `folds` runs of one setting partition the pool.
  fold must be below folds.
"""

from __future__ import annotations

from dl_core.data.digits import find_source
from dl_core.params import Param, ParamError, Schema
from dl_core.spec import TopicSpec

VAL_SIZE = 1000  # holdout validation images: enough for smooth curves
SPLITS = ("holdout", "kfold")

SCHEMA = Schema((
    Param("train_size", "int", 300, "Training images (holdout) / pool cut into folds (kfold)",
          min=100, max=5000),
    Param("width", "int", 128, "Units per hidden layer", min=8, max=512),
    Param("depth", "int", 2, "Hidden Dense layers", min=1, max=4),
    Param("l1", "float", 0.0, "L1 penalty l1·Σ|w| on every kernel (sparse weights)",
          min=0.0, max=0.01),
    Param("l2", "float", 0.0, "L2 penalty l2·Σw² on every kernel (weight decay)",
          min=0.0, max=0.1),
    Param("dropout", "float", 0.0, "Dropout rate after each hidden activation", min=0.0, max=0.8),
    Param("batchnorm", "bool", False, "Dense → BatchNormalization → ReLU in every hidden layer"),
    Param("early_stopping", "bool", False, "Stop when val_loss has not improved for `patience` "
          "epochs"),
    Param("patience", "int", 5, "Epochs without a better val_loss before early stopping stops",
          min=1, max=30),
    Param("restore_best", "bool", True, "Early stopping: go back to the best epoch's weights"),
    Param("epochs", "int", 60, "Passes over the training set (at most)", min=1, max=300),
    Param("learning_rate", "float", 0.001, "Adam step size", min=0.0001, max=1.0, log=True),
    Param("batch_size", "int", 32, "Examples per gradient step", choices=(16, 32, 64, 128)),
    Param("split", "str", "holdout", "holdout: a random validation set of 1000 images; kfold: "
          "one fold of the training pool validates", choices=SPLITS),
    Param("folds", "int", 5, "k of k-fold cross-validation", min=3, max=10),
    Param("fold", "int", 0, "Which fold validates (below folds)", min=0, max=9),
    Param("split_seed", "int", 0, "Holdout: which random split of the same pool", min=0, max=99),
))

# What the page offers as one click each: parameters to set on top of the defaults. Measured at
# the defaults (built-in digits, TensorFlow, seed 0, ~20-24 s each on 2 CPU cores), as
# final val loss / its minimum (best epoch), val accuracy, train − val accuracy gap, share of
# first-layer kernel weights with |w| < 1e-3:
#   none            1.286 / 0.933 (8)   0.725  0.275  1.4 %
#   L2 0.01         1.512 / 1.512 (60)  0.713  0.287  44 %    (no rise: the curve flattens)
#   strong L1 0.005 2.366 / 2.366 (60)  0.671  0.222  98 %    (train accuracy 0.89)
#   dropout 0.5     1.193 / 0.934 (26)  0.712  0.288  1.4 %
#   early stopping  0.933 / 0.933 (8)   0.709  0.274  1.4 %   (stopped at epoch 13, 6 s)
#   batchnorm       1.035 / 0.969 (28)  0.695  0.305  1.5 %   (bn_mode_difference 0.086)
# Keras's loss and val_loss include the penalty (l1·Σ|w| + l2·Σw²), so with L1 / L2 they sit
# above the plain cross-entropy.
PRESETS = {
    "none": {},
    "L2": {"l2": 0.01},
    "strong L1": {"l1": 0.005},
    "dropout 0.5": {"dropout": 0.5},
    "early stopping": {"early_stopping": True},
    "batchnorm": {"batchnorm": True},
}
REGULARISERS = ("l1", "l2", "dropout", "batchnorm", "early_stopping")


def check(params: dict) -> None:
    """The one rule between parameters: a fold that exists."""
    if params["split"] == "kfold" and params["fold"] >= params["folds"]:
        raise ParamError(f"fold={params['fold']} with folds={params['folds']}: expected a fold "
                         f"from 0 to {params['folds'] - 1}; lower fold or raise folds")


def matching_preset(params: dict) -> str | None:
    """The preset whose regularisers are exactly these ones (other settings may differ)."""
    defaults = SCHEMA.defaults()
    for name, preset in PRESETS.items():
        wanted = {key: preset.get(key, defaults[key]) for key in REGULARISERS}
        if all(params.get(key, defaults[key]) == value for key, value in wanted.items()):
            return name
    return None


def dataset_fingerprint(params: dict, data: str | None) -> str:
    check(params)  # refused when the request is resolved, before anything is queued
    return find_source("digits", data).fingerprint


def train(params: dict, ctx, data: str | None = None):
    from dl_core.topics.overfit.train import train as run

    return run(params, ctx, data)


TOPIC = TopicSpec(
    name="overfit",
    title="Regularisation & tuning",
    summary="One small MLP that overfits a few hundred digits, and every cure: L1/L2, dropout, "
            "early stopping, BatchNorm; holdout vs k-fold validation.",
    version=1,
    schema=SCHEMA,
    train=train,
    dataset_fingerprint=dataset_fingerprint,
    data_help="a Keras-layout mnist.npz (x_train, y_train, x_test, y_test)",
)
