"""Every DL_LAB_* environment variable and every directory DL Lab uses, read in this one place.

Each setting is a function, read when called (not at import), so a test or a worker process that
changes the environment sees the change. Nothing else in the tree reads a DL_LAB_* variable: a
test (tests/test_layers.py) holds that rule.
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_CACHE_MAX_MB = 4096
DEFAULT_WORKER_MAX_JOBS = 20
DEFAULT_WORKER_MAX_RSS_MB = 4096
DEFAULT_UPLOADS_MAX_MB = 1024
DEFAULT_UPLOADS_MAX_AGE_DAYS = 30
DEFAULT_INFERENCE_MODELS = 6
DEFAULT_TICKER_URL = "https://query1.finance.yahoo.com"


def _text(name: str) -> str:
    return os.environ.get(name, "").strip()


def _path(name: str) -> Path | None:
    value = _text(name)
    return Path(value).expanduser() if value else None


def _positive_int(name: str, default: int) -> int:
    """An integer setting of at least 1; a value that is not a number falls back to the default."""
    try:
        return max(1, int(float(_text(name) or default)))
    except ValueError:
        return default


# -- directories -------------------------------------------------------------------------------

def cache_dir() -> Path:
    """Root of the model cache: DL_LAB_CACHE_DIR, else $XDG_CACHE_HOME/dl-lab or ~/.cache/dl-lab."""
    explicit = _path("DL_LAB_CACHE_DIR")
    if explicit is not None:
        return explicit
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "dl-lab"


def data_dir() -> Path:
    """Where real datasets are looked for and downloaded to: DL_LAB_DATA_DIR, else the user data
    directory ($XDG_DATA_HOME/dl-lab/datasets or ~/.local/share/dl-lab/datasets). Not in the
    cache: nothing that clears or evicts models may ever touch a dataset."""
    explicit = _path("DL_LAB_DATA_DIR")
    if explicit is not None:
        return explicit
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "dl-lab" / "datasets"


def models_dir() -> Path:
    """Trained models: <cache>/models/<topic>/<key>/ (evicted by the cache's size cap)."""
    return cache_dir() / "models"


def uploads_dir() -> Path:
    """Learners' uploaded files (content-addressed), what is unpacked from them and the features
    computed from them: <cache>/uploads/, kept apart from the models, with a cap of its own."""
    return cache_dir() / "uploads"


def features_dir() -> Path:
    """Backbone features computed once per (images, weights) and reused by every head."""
    return uploads_dir() / "features"


def uploads_max_bytes() -> int:
    """Size cap of the uploads' folder (DL_LAB_UPLOADS_MAX_MB): the oldest files go first."""
    return _positive_int("DL_LAB_UPLOADS_MAX_MB", DEFAULT_UPLOADS_MAX_MB) * 1024 * 1024


def uploads_max_age_s() -> float:
    """Uploads unused for this many days are removed (DL_LAB_UPLOADS_MAX_AGE_DAYS)."""
    return _positive_int("DL_LAB_UPLOADS_MAX_AGE_DAYS", DEFAULT_UPLOADS_MAX_AGE_DAYS) * 86400.0


def inference_models() -> int:
    """How many trained models the page process keeps loaded for inference (DL_LAB_INFERENCE_MODELS)."""
    return _positive_int("DL_LAB_INFERENCE_MODELS", DEFAULT_INFERENCE_MODELS)


def keras_home() -> Path:
    """Keras's own folder (pretrained weights live in its models/): KERAS_HOME, else ~/.keras."""
    return _path("KERAS_HOME") or Path.home() / ".keras"


# -- cache and workers -------------------------------------------------------------------------

def cache_max_bytes() -> int:
    """The model cache's size cap (DL_LAB_CACHE_MAX_MB); least recently used models are evicted."""
    try:
        megabytes = float(_text("DL_LAB_CACHE_MAX_MB") or DEFAULT_CACHE_MAX_MB)
    except ValueError:
        megabytes = DEFAULT_CACHE_MAX_MB
    return int(megabytes * 1024 * 1024)


def max_workers() -> int:
    """Trainings that run at once, each in its own worker process (DL_LAB_MAX_WORKERS)."""
    return _positive_int("DL_LAB_MAX_WORKERS", 1)


def worker_max_jobs() -> int:
    """A worker process is replaced after this many jobs (DL_LAB_WORKER_MAX_JOBS)."""
    return _positive_int("DL_LAB_WORKER_MAX_JOBS", DEFAULT_WORKER_MAX_JOBS)


def worker_max_rss_mb() -> int:
    """... or once its resident memory passes this many MB (DL_LAB_WORKER_MAX_RSS_MB)."""
    return _positive_int("DL_LAB_WORKER_MAX_RSS_MB", DEFAULT_WORKER_MAX_RSS_MB)


def strict_pages() -> bool:
    """DL_LAB_STRICT_PAGES=1: a page's unexpected exception propagates instead of being shown as
    one line (the test suite sets it, so an AppTest sees every crash as an exception)."""
    return _text("DL_LAB_STRICT_PAGES") not in ("", "0")


JOB_BACKENDS = ("local", "ray")


def job_backend() -> str:
    """Which executor runs trainings (DL_LAB_JOBS): "local" worker processes or "ray" tasks."""
    backend = _text("DL_LAB_JOBS").lower() or "local"
    if backend not in JOB_BACKENDS:
        raise ValueError(f"DL_LAB_JOBS={backend!r} is not a job backend: use one of "
                         f"{', '.join(JOB_BACKENDS)}")
    return backend


def ray_address() -> str:
    """The Ray cluster to run trainings on (DL_LAB_RAY_ADDRESS, host:port of its head)."""
    address = _text("DL_LAB_RAY_ADDRESS")
    if not address:
        raise ValueError("DL_LAB_JOBS=ray needs DL_LAB_RAY_ADDRESS=host:port, the Ray head "
                         "(`ray start --head` prints it)")
    return address


def ray_max_jobs() -> int | None:
    """Trainings this app runs on the cluster at once (DL_LAB_RAY_MAX_JOBS; None: one per CPU)."""
    return _positive_int("DL_LAB_RAY_MAX_JOBS", 1) if _text("DL_LAB_RAY_MAX_JOBS") else None


def extra_topics() -> dict[str, str]:
    """Topic modules added without editing DL Lab: DL_LAB_EXTRA_TOPICS="name=module,name2=module2"."""
    topics = {}
    for item in filter(None, _text("DL_LAB_EXTRA_TOPICS").split(",")):
        name, _, module = item.partition("=")
        topics[name.strip()] = module.strip()
    return topics


# -- data and network --------------------------------------------------------------------------

def offline() -> bool:
    """DL_LAB_OFFLINE set (to anything but 0): never try the network."""
    return _text("DL_LAB_OFFLINE") not in ("", "0")


def mnist_npz(kind: str) -> Path | None:
    """A local Keras-layout npz: DL_LAB_MNIST_NPZ for digits, DL_LAB_FASHION_NPZ for fashion."""
    return _path("DL_LAB_MNIST_NPZ" if kind == "digits" else "DL_LAB_FASHION_NPZ")


def pets_dir() -> Path | None:
    """A local Oxford-IIIT Pet folder (images/, annotations/trimaps/): DL_LAB_PETS_DIR."""
    return _path("DL_LAB_PETS_DIR")


def hymenoptera_dir() -> Path | None:
    """A local ants/bees folder (train/ and val/ of class folders): DL_LAB_HYMENOPTERA."""
    return _path("DL_LAB_HYMENOPTERA")


def ticker_url() -> str:
    """Base URL of the daily-prices service (DL_LAB_TICKER_URL; tests point it at a local server)."""
    return (_text("DL_LAB_TICKER_URL") or DEFAULT_TICKER_URL).rstrip("/")


def keras_backend() -> str:
    """The Keras backend the next Keras import will use (KERAS_BACKEND, default tensorflow)."""
    return _text("KERAS_BACKEND") or "tensorflow"
