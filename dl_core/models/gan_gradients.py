"""Gradients of a loss with respect to some variables: the one backend-specific piece of a GAN.

Keras 3 has no backend-neutral `grad`, so a custom `train_step` (two networks, two optimisers)
needs each backend's autodiff, exactly as the keras-io "customising fit()" guides do. This module
keeps that in one small place; the GAN itself only calls `loss_and_gradients`.
"""

import keras


def loss_and_gradients(compute, variables):
    """Run `compute()` -> (loss, extras) and return (loss, extras, d loss / d variables)."""
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        with tf.GradientTape() as tape:
            loss, extras = compute()
        return loss, extras, tape.gradient(loss, variables)
    if backend == "torch":
        for variable in variables:
            variable.value.grad = None
        loss, extras = compute()
        loss.backward()
        return loss, extras, [variable.value.grad for variable in variables]
    raise ValueError(f"the GAN's train_step supports the tensorflow and torch backends, not "
                     f"{backend!r}: set KERAS_BACKEND=tensorflow (JAX needs a stateless train_step)")


def apply_gradients(optimizer, gradients, variables) -> None:
    """`optimizer.apply`, outside autodiff where the backend records it (torch)."""
    if keras.backend.backend() == "torch":
        import torch

        with torch.no_grad():
            optimizer.apply(gradients, variables)
        return
    optimizer.apply(gradients, variables)
