"""d loss / d x for tensors x: the one backend-specific piece of DL Lab, in one small place.

Keras 3 has no backend-neutral `grad`. Everything that needs a gradient outside `fit()` (the
GANs' two-player step, the LSTM memory tab's input gradients, Grad-CAM) writes its loss as a
pure function of tensors and asks `value_and_gradients`. A model's weights enter that function
as values through `model.stateless_call(trainable, non_trainable, x)`, Keras's documented
stateless pattern, so the same code runs inside JAX's traced, stateless `train_step` and inside
TensorFlow's or PyTorch's eager or graph steps.
"""

from __future__ import annotations

import contextlib

import keras


def value_and_gradients(fn, values):
    """fn(values) -> (loss, extras); returns (loss, extras, d loss / d values).

    `values` is a tensor or a list of tensors; the gradients have the same structure. `loss` is
    a scalar. `extras` is anything else fn computes along the way (scores, updated states), so
    the forward pass runs once.
    """
    backend = keras.backend.backend()
    if backend == "tensorflow":
        return _tensorflow(fn, values)
    if backend == "jax":
        import jax

        (loss, extras), grads = jax.value_and_grad(fn, has_aux=True)(values)
        return loss, extras, grads
    if backend == "torch":
        return _torch(fn, values)
    raise ValueError(f"backend {backend!r} is not supported: use tensorflow, jax or torch")


def _tensorflow(fn, values):
    import tensorflow as tf

    values = tf.nest.map_structure(tf.convert_to_tensor, values)
    with tf.GradientTape() as tape:
        tape.watch(values)
        loss, extras = fn(values)
    return loss, extras, tape.gradient(loss, values)


def _torch(fn, values):
    import torch

    single = not isinstance(values, (list, tuple))
    leaves = [torch.as_tensor(v).detach().clone().requires_grad_(True)
              for v in ([values] if single else values)]
    loss, extras = fn(leaves[0] if single else leaves)
    grads = torch.autograd.grad(loss, leaves, allow_unused=True)
    grads = [torch.zeros_like(v) if g is None else g for v, g in zip(leaves, grads)]
    return loss.detach(), extras, grads[0] if single else grads


def outside_autodiff():
    """A context in which tensor arithmetic is not recorded for gradients: PyTorch records
    every operation on a tensor that requires a gradient (an optimizer's update must not be);
    TensorFlow and JAX record only inside a tape or a traced function, so nothing to do."""
    if keras.backend.backend() == "torch":
        import torch

        return torch.no_grad()
    return contextlib.nullcontext()
