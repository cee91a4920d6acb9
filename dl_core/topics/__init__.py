"""Registry of trainable topics. Importing a topic module is cheap: Keras loads only in train()."""

from __future__ import annotations

import importlib

from dl_core.params import ParamError
from dl_core.topics.base import TopicSpec

# Order is the course order; each later page issue adds its topic here.
TOPIC_MODULES = {
    "autoencoder": "dl_core.topics.autoencoder",
}


def topic_names() -> list[str]:
    return list(TOPIC_MODULES)


def get_topic(name: str) -> TopicSpec:
    if name not in TOPIC_MODULES:
        raise ParamError(f"unknown topic {name!r}: expected one of {', '.join(TOPIC_MODULES)}")
    return importlib.import_module(TOPIC_MODULES[name]).TOPIC
