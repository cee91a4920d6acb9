"""Backpropagation, checked: Keras's gradient of a 2-1-1 network against the chain rule by hand.

The network: z₁ = w₁₁x₁ + w₁₂x₂ + b₁, a₁ = σ(z₁), z₂ = w₂a₁ + b₂, ŷ = σ(z₂), and the loss of one
example J = ½(ŷ − y)². The page works the chain rule out step by step
(dl_core.foundations.backprop, pure numpy); this topic builds the same network as a real Keras
model, Dense(1, sigmoid) → Dense(1, sigmoid) with exactly those weights, asks Keras for ∂J/∂θ and
reports both and their largest difference (float64 where the backend computes in float64:
TensorFlow and PyTorch; JAX computes in float32 unless x64 is enabled, so there the difference is
float32 rounding, still far below 1e-6).
"""

from __future__ import annotations

from dl_core.foundations.backprop import DEFAULT
from dl_core.params import Param, Schema
from dl_core.spec import TopicSpec

PARAMS = ("x1", "x2", "y", "w11", "w12", "b1", "w2", "b2")
WEIGHTS = ("w11", "w12", "b1", "w2", "b2")

_HELP = {
    "x1": "First input x₁", "x2": "Second input x₂", "y": "Target y (in [0, 1])",
    "w11": "Hidden weight w₁₁ (from x₁)", "w12": "Hidden weight w₁₂ (from x₂)",
    "b1": "Hidden bias b₁", "w2": "Output weight w₂", "b2": "Output bias b₂",
}


def _param(name: str) -> Param:
    low, high = (0.0, 1.0) if name == "y" else (-10.0, 10.0)
    return Param(name, "float", float(DEFAULT[name]), _HELP[name], min=low, max=high)


SCHEMA = Schema(tuple(_param(name) for name in PARAMS))


def dataset_fingerprint(params: dict, data: str | None) -> str:
    return "backprop:one-example:v1"  # the example is the parameters themselves (in the key)


def train(params: dict, ctx, data: str | None = None):
    from dl_core.topics.backprop.train import train as run

    return run(params, ctx, data)


TOPIC = TopicSpec(
    name="backprop",
    title="Backpropagation check",
    summary="Keras's gradient of a 2-1-1 sigmoid network, parameter by parameter, against the "
            "chain rule worked out by hand.",
    version=1,
    schema=SCHEMA,
    train=train,
    dataset_fingerprint=dataset_fingerprint,
)
