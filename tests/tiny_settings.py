"""The smallest setting worth training, per topic: seconds on a CPU each.

One module with no side effects, so the topic tests and the backend smoke run
(tests/backends/backend_smoke.py, in a process of its own) train exactly the same settings.
"""

TINY_AE = {"train_size": 200, "epochs": 1, "bottleneck": 2, "batch_size": 64}
TINY_VAE = {"train_size": 200, "epochs": 1, "latent_dim": 2, "batch_size": 64}
TINY_SPRITES = dict(TINY_VAE, dataset="sprites", latent_dim=4)
TINY_SEGMENTATION = {"dataset": "scenes", "images": 16, "image_size": 64, "depth": 2,
                     "base_filters": 8, "epochs": 1, "batch_size": 4, "encoder": "scratch"}
TINY_LSTM = {"units": 4, "window": 5, "epochs": 1, "batch_size": 128, "patience": 1}
TINY_MEMORY = {"longest_lag": 5, "memory_samples": 500, "memory_epochs": 1, "memory_units": 4}
# Our own pretraining, shrunk to seconds (the real default runs once per machine).
TINY_SOURCE = {"per_class": 10, "epochs": 1}
TINY_TRANSFER = {"backbone": "builtin_cnn", "image_size": 96, "epochs": 1, "finetune_epochs": 1,
                 "finetune_layers": 4, "batch_size": 16}
TINY_RING = {"steps": 1000}  # seed 0: 8/8 modes; seeds 1-3 give 7-8 (see bench/bench_gan.py)
TINY_DCGAN = {"train_size": 256, "epochs": 1, "batch_size": 64, "latent_dim": 8}
TINY_CLASSIFIER = {"train_size": 500, "epochs": 1, "batch_size": 128}
TINY_VANISHING = {"train_size": 500, "epochs": 1, "batch_size": 128}  # gradients: at init, cheap
TINY_PLAYGROUND = {"points": 100, "epochs": 2, "units": 4}
TINY_DESCENT = {"steps": 20}  # full-batch SGD on tips: deterministic, the same on every backend
TINY_BACKPROP = {}  # one forward and backward pass: nothing to shrink
TINY_OVERFIT = {"train_size": 100, "epochs": 3, "width": 16}  # 100 images, 3 epochs: a second
