"""A fake topic of two stages: it builds on the fake topic (a dependency trained as a stage of its
job, when not cached yet) and then trains itself. For the engine's staged-progress tests."""

from dl_core.params import Param, Schema
from dl_core.spec import TopicSpec

import fake_topics

BUILD_ON = "training the fake topic it builds on"
OWN = "training itself"

SCHEMA = Schema((
    Param("epochs", "int", 2, "epochs", min=1, max=100),
    Param("tag", "str", "a", "the tag of the fake run it builds on (and its own key)"),
))


def train(params, ctx, data=None):
    needed = {"epochs": 3, "tag": f"base-{params['tag']}"}
    stages = [(BUILD_ON, 3.0)] if ctx.cached("fake", needed) is None else []
    ctx.plan(*stages, (OWN, 1.0))
    ctx.require("fake", needed, stage=BUILD_ON)
    ctx.begin(OWN)
    return fake_topics.train({"epochs": params["epochs"], "sleep_s": 0.0, "fail": False,
                              "tag": params["tag"]}, ctx, data)


TOPIC = TopicSpec("fake_staged", "Fake staged", "engine test topic in two stages", 1, SCHEMA,
                  train, lambda params, data: "random-v1")
