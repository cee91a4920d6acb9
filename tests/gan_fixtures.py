"""Tiny GAN settings shared by the GAN tests and the backend smoke run."""

TINY_RING = {"steps": 1000}  # seed 0: 8/8 modes; seeds 1-3 give 7-8 (see bench/bench_gan.py)
TINY_DCGAN = {"train_size": 256, "epochs": 1, "batch_size": 64, "latent_dim": 8}
TINY_CLASSIFIER = {"train_size": 500, "epochs": 1, "batch_size": 128}
