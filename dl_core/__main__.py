"""The command line: `python -m dl_core info | topics | train | warm | cache`.

Same engine as the app: `train` resolves, looks up the cache and trains under the key's lock,
so a teacher can pre-train the defaults before class and the app will answer them instantly.
Bad input exits with status 2 and one line on stderr naming what is allowed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

from dl_core import settings, storage
from dl_core.devices import keras_backend_name, training_device_quick
from dl_core.engine.cache import ModelCache
from dl_core.params import ParamError
from dl_core.topics import get_topic, topic_names


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    try:
        return args.handler(args)
    except (ParamError, ValueError, OSError) as err:  # bad input: one line, never a traceback
        print(f"error: {' '.join(str(err).split())}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: nothing was cached", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m dl_core", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    info = sub.add_parser("info", help="backend, device, and the models, datasets and uploads folders")
    info.set_defaults(handler=cmd_info)

    topics = sub.add_parser("topics", help="trainable topics and their parameters")
    topics.add_argument("--json", action="store_true")
    topics.set_defaults(handler=cmd_topics)

    train = sub.add_parser("train", help="train one configuration (or answer it from the cache)")
    train.add_argument("topic")
    train.add_argument("--set", dest="assignments", action="append", default=[], metavar="NAME=VALUE")
    train.add_argument("--epochs", type=int)
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--data", metavar="PATH", help="the learner's own data, where the topic takes it")
    train.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    train.set_defaults(handler=cmd_train)

    warm = sub.add_parser("warm", help="train every default configuration not yet cached")
    warm.add_argument("topics", nargs="*")
    warm.set_defaults(handler=cmd_warm)

    cache = sub.add_parser("cache", help="list or clear cached models")
    cache.add_argument("action", choices=("ls", "clear"))
    cache.add_argument("topic", nargs="?")
    cache.set_defaults(handler=cmd_cache)
    return parser


def cmd_info(args) -> int:
    cache = ModelCache()
    sizes = storage.sizes()
    print(f"backend:   {keras_backend_name()}")
    print(f"device:    {training_device_quick()}")
    print(f"models:    {len(cache.entries())} models, {sizes['models'] / 2**20:.1f} MB "
          f"(cap {cache.max_bytes / 2**20:.0f} MB) in {cache.models}")
    print(f"datasets:  {sizes['datasets'] / 2**20:.1f} MB in {settings.data_dir()} (never cleared)")
    print(f"uploads:   {sizes['uploads'] / 2**20:.1f} MB (cap {settings.uploads_max_bytes() / 2**20:.0f} MB, "
          f"{settings.uploads_max_age_s() / 86400:.0f} days) in {settings.uploads_dir()}")
    _print_jobs()
    return 0


def _print_jobs() -> None:
    if settings.job_backend() == "local":
        print(f"jobs:      local, {settings.max_workers()} worker(s) at once")
        return
    from dl_core.engine import ray_executor

    address = settings.ray_address()
    ray_executor.connect(address)
    nodes = ray_executor.cluster()
    print(f"jobs:      ray at {address}")
    print(f"Ray cluster: {nodes['nodes']} nodes, {nodes['cpus']:.0f} CPUs, {nodes['gpus']:.0f} GPUs")
    try:
        print(f"Ray trainings launched: {ray_executor.launched()}")
    except ValueError:  # no app has used this cluster yet: the hub does not exist
        print("Ray trainings launched: 0")


def cmd_topics(args) -> int:
    schema = {name: {"title": get_topic(name).title, "params": get_topic(name).schema.to_json()}
              for name in topic_names()}
    if args.json:
        print(json.dumps(schema))
        return 0
    for name, topic in schema.items():
        print(f"{name}: {get_topic(name).summary}")
        for param, spec in topic["params"].items():
            allowed = spec.get("choices") or (f"{spec['min']}..{spec['max']}" if "min" in spec else "")
            print(f"    {param:<15} default {spec['default']!s:<10} {allowed!s:<18} {spec['help']}")
    return 0


def cmd_train(args) -> int:
    from dl_core.engine.runner import resolve, train_or_load

    spec = get_topic(args.topic)
    raw = spec.schema.parse_assignments(args.assignments)
    if args.epochs is not None:
        raw["epochs"] = args.epochs
    resolved = resolve(args.topic, raw, args.seed, args.data)
    started = time.perf_counter()
    entry, hit = train_or_load(resolved, ModelCache(), _console_context(quiet=False))
    seconds = time.perf_counter() - started
    meta = entry.meta
    summary = {"topic": resolved.topic, "params": resolved.params, "cache": "hit" if hit else "miss",
               "seconds": round(seconds, 3), "train_seconds": meta.get("seconds"),
               "dataset": meta["dataset"], "device": meta.get("device"),
               "backend": meta["versions"]["backend"], "metrics": meta["metrics"], "key": entry.key}
    if args.json:
        print(json.dumps(summary))
    else:
        metrics = ", ".join(f"{k}={v:.4g}" if isinstance(v, (int, float)) else f"{k}={v}"
                            for k, v in summary["metrics"].items())  # some are names (backbone)
        print(f"{resolved.topic} [{summary['cache']}] {seconds:.1f} s on {summary['device']}: {metrics}")
    return 0


def cmd_warm(args) -> int:
    from dl_core.engine.runner import resolve, train_or_load

    names = args.topics or topic_names()
    for name in names:
        get_topic(name)  # validate every name before training anything
    for name in names:
        entry, hit = train_or_load(resolve(name), ModelCache(), _console_context(quiet=True))
        print(f"{name}: {'already cached' if hit else 'trained'} ({entry.key})")
    return 0


def cmd_cache(args) -> int:
    cache = ModelCache()
    if args.topic:
        get_topic(args.topic)
    if args.action == "clear":
        removed = cache.clear(args.topic)
        print(f"removed {removed} cached model{'s' if removed != 1 else ''} (datasets and uploads "
              "are never touched)")
        return 0
    for entry in cache.entries(args.topic):
        params = ",".join(f"{k}={v}" for k, v in entry.meta["params"].items())
        print(f"{entry.topic:<12} {entry.key} {entry.size_bytes() / 2**20:7.2f} MB  {params}")
    return 0


def _console_context(quiet: bool):
    """Progress on stderr, so stdout keeps only the result (and its JSON line)."""
    from dl_core.spec import TrainContext

    def emit(event: dict) -> None:
        if event["kind"] == "epoch" and not quiet:
            logs = " ".join(f"{k}={v:.4g}" for k, v in event["logs"].items())
            print(f"epoch {event['epoch']}/{event['epochs']} {logs}", file=sys.stderr, flush=True)

    return TrainContext(emit=emit)


if __name__ == "__main__":
    sys.exit(main())
