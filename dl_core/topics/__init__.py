"""Registry of trainable topics. Importing a topic module is cheap: Keras loads only in train()."""

from __future__ import annotations

import importlib

from dl_core import settings
from dl_core.params import ParamError
from dl_core.spec import TopicSpec

# Order is the course order; each later page issue adds its topic here.
TOPIC_MODULES = {
    "playground": "dl_core.topics.playground",
    "vanishing": "dl_core.topics.vanishing",  # gradients per layer of a deep MLP
    "descent": "dl_core.topics.descent",  # a Keras optimiser's path on a two-weight model
    "backprop": "dl_core.topics.backprop",  # Keras's gradient vs the chain rule by hand
    "overfit": "dl_core.topics.overfit",  # regularisation & tuning on one overfitting MLP
    "transfer": "dl_core.topics.transfer",
    "transfer_source": "dl_core.topics.transfer.source",  # the built-in pretraining task
    "segmentation": "dl_core.topics.segmentation",
    "lstm": "dl_core.topics.lstm",
    "lstm_memory": "dl_core.topics.lstm.memory",  # the "why LSTMs remember" task
    "autoencoder": "dl_core.topics.autoencoder",
    "vae": "dl_core.topics.vae",
    "gan": "dl_core.topics.gan",  # the 2-D toy GAN
    "gan_digits": "dl_core.topics.gan.digits",  # the DCGAN
    "gan_classifier": "dl_core.topics.gan.judge",  # the digit judge the DCGAN is scored by
}



def _modules() -> dict[str, str]:
    """Built-in topics plus extra ones from DL_LAB_EXTRA_TOPICS ("name=module,name2=module2").

    The variable lets a course add its own topic module without editing DL Lab, and lets the
    tests run fast fake topics inside real worker processes (which inherit the environment).
    """
    return {**TOPIC_MODULES, **settings.extra_topics()}


def topic_names() -> list[str]:
    return list(_modules())


def get_topic(name: str) -> TopicSpec:
    modules = _modules()
    if name not in modules:
        raise ParamError(f"unknown topic {name!r}: expected one of {', '.join(modules)}")
    return importlib.import_module(modules[name]).TOPIC
