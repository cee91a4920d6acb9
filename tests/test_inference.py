"""Models loaded for inference: shared, bounded in number, forgotten when their entry goes."""

import numpy as np
import pytest

from dl_core import inference


def save_tiny_model(path):
    import keras

    inputs = keras.Input(shape=(3,))
    keras.Model(inputs, keras.layers.Dense(2)(inputs)).save(path)
    return path


def test_loaded_models_are_bounded_and_follow_their_files(tmp_path, monkeypatch):
    monkeypatch.setenv("DL_LAB_INFERENCE_MODELS", "2")
    paths = [save_tiny_model(tmp_path / f"m{i}.keras") for i in range(3)]
    first = inference.load_shared(paths[0])
    assert inference.load_shared(paths[0]) is first  # one shared copy
    assert first(np.zeros((1, 3))).shape == (1, 2)
    inference.load_shared(paths[1])
    inference.load_shared(paths[2])
    held = inference.loaded_paths()
    assert str(paths[0].resolve()) not in held and len(held) == 2  # least recently used went
    paths[1].unlink()  # its cache entry was cleared
    inference.load_shared(paths[2])
    assert inference.loaded_paths() == [str(paths[2].resolve())]
    with pytest.raises(ValueError, match="no longer in the cache"):
        inference.load_shared(paths[1])
