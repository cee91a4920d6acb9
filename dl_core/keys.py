"""A request (topic, params, seed, data) made canonical, and the cache key that names its model.

Outside the engine on purpose: a topic whose dataset identity includes another topic's model
(transfer learning on our own pretrained source) computes that key without importing the engine.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from dl_core.spec import TopicSpec


def make_key(topic: str, version: int, params: dict, fingerprint: str, seed: int) -> str:
    """Content hash of everything that decides what a trained model is."""
    identity = {"topic": topic, "version": version, "params": params,
                "data": fingerprint, "seed": seed}
    blob = json.dumps(identity, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:24]


@dataclass(frozen=True)
class Resolved:
    """A validated request: canonical params plus the dataset identity, hence the cache key."""

    spec: TopicSpec
    params: dict
    seed: int
    data: str | None
    fingerprint: str
    key: str

    @property
    def topic(self) -> str:
        return self.spec.name


def resolve(topic: str, params: dict | None = None, seed: int = 0,
            data: str | None = None) -> Resolved:
    """Validate `params` against the topic's schema and compute the cache key.

    Raises ParamError (a ValueError) with a one-line message on bad input.
    """
    from dl_core.topics import get_topic  # the registry imports every topic lazily

    spec = get_topic(topic)
    canonical = spec.schema.canonical(params)
    if data is not None and spec.data_help is None:
        raise ValueError(f"topic {topic!r} does not take --data")
    fingerprint = spec.dataset_fingerprint(canonical, data)
    key = make_key(spec.name, spec.version, canonical, fingerprint, int(seed))
    return Resolved(spec, canonical, int(seed), data, fingerprint, key)
