"""The generative pages' pictures, judged: small real trainings whose scores guard the recipe.

The defaults themselves take 30 s to 2 min each and are measured by bench/bench_generative.py.
Here the same recipes (architecture, learning rate, batch) train on fewer images for fewer
epochs, and a small judge, trained on the same built-in digits, reads the results. The
thresholds sit below what these exact settings measured (in brackets) by a margin for the
run-to-run spread of a CPU's float reductions, and far above what a broken model scores: a
decoder that draws one blurred average digit is read as the right class about 10 % of the time.
"""

import numpy as np
import pytest

from dl_core.data.digits import load_digits
from dl_core.engine.cache import ModelCache
from dl_core.engine.runner import resolve, train_or_load
from dl_core.inference import load_shared
from dl_core.topics.gan.judge import class_probabilities
from dl_core.topics.gan.metrics import classifier_figures
from dl_core.topics.vae import explore as vae_explore

from conftest import _SESSION_CACHE

JUDGE = {"kind": "digits", "train_size": 3000, "epochs": 4, "batch_size": 64}
SMALL = {"train_size": 3000, "epochs": 8, "batch_size": 64}


def _train(topic: str, params: dict):
    entry, _ = train_or_load(resolve(topic, params), ModelCache(_SESSION_CACHE))
    return entry


@pytest.fixture(scope="module")
def judge():
    return _train("gan_classifier", JUDGE)


@pytest.fixture(scope="module")
def validation():
    digits = load_digits("digits", 200)
    return digits.x_val[:500], digits.y_val[:500]


def judged_correct(judge, images, labels) -> float:
    return float(np.mean(class_probabilities(judge, images).argmax(axis=1) == labels))


def test_the_judge_reads_real_digits(judge, validation):
    images, labels = validation
    assert judged_correct(judge, images, labels) >= 0.85  # [0.91]


@pytest.mark.parametrize("bottleneck, floor", [(16, 0.70), (2, 0.25)])  # [0.80, 0.36]
def test_the_dense_autoencoder_reconstructs_digits_the_judge_recognises(judge, validation,
                                                                       bottleneck, floor):
    entry = _train("autoencoder", dict(SMALL, bottleneck=bottleneck))
    images, labels = validation
    recon = load_shared(entry.model_path)(images[..., None])[..., 0]
    assert judged_correct(judge, recon, labels) >= floor


def test_the_dense_vae_reconstructs_and_samples_digits(judge, validation):
    entry = _train("vae", SMALL)
    images, labels = validation
    mu, _ = vae_explore.encode(entry.model_path, images)
    recon = vae_explore.decode(entry.model_path, mu).astype(np.float32) / 255
    assert judged_correct(judge, recon, labels) >= 0.65  # [0.76]
    samples = vae_explore.sample(entry.model_path, 500, seed=0).astype(np.float32) / 255
    real = classifier_figures(class_probabilities(judge, images))["sample_confidence"]
    fake = classifier_figures(class_probabilities(judge, samples))
    assert fake["sample_confidence"] >= 0.58 * real  # [0.69]
    assert fake["class_coverage"] >= 0.9  # [0.99]: samples of every digit, not one blur
