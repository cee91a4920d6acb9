"""AppTest of the Regularisation & tuning page: a cached run with its gap, histograms and pins;
presets; the BatchNorm, search and k-fold tabs offer their trainings; a bad fold is refused."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest
from tiny_settings import TINY_OVERFIT

from conftest import _SESSION_CACHE, ROOT

PAGE = ROOT / "app_pages" / "regularisation.py"


def _train(params: dict):
    from dl_core.engine.cache import ModelCache
    from dl_core.engine.runner import resolve, train_or_load

    entry, _ = train_or_load(resolve("overfit", params), ModelCache(_SESSION_CACHE))
    return entry


@pytest.fixture(scope="module")
def tiny_runs():
    return _train(TINY_OVERFIT), _train(dict(TINY_OVERFIT, early_stopping=True, patience=1))


def open_page(params: dict | None = None) -> AppTest:
    """The script itself: AppTest's switch_page needs a page's URL path to be its file name."""
    at = AppTest.from_file(str(PAGE), default_timeout=60)
    for name, value in (params or {}).items():
        at.query_params[name] = str(value)
    return at.run()


def test_untrained_setting_and_the_other_tabs_offer_training():
    at = open_page(dict(TINY_OVERFIT, width=12))
    assert not at.exception and not at.error
    assert any("has not been trained yet" in i.value for i in at.info)
    labels = {b.label for b in at.button}
    assert "Train both" in labels  # BatchNorm tab
    assert any(label.startswith("Train the ") and "missing cells" in label for label in labels)
    assert any(label.startswith("Train the 5 folds and 5 splits") for label in labels)


def test_cached_run_shows_gap_histograms_and_can_be_pinned(tiny_runs):
    at = open_page(TINY_OVERFIT)
    assert not at.exception and not at.error
    labels = {m.label for m in at.metric}
    assert {"Validation accuracy", "Gap (train − validation)", "First-layer weights below 10⁻³"} <= labels
    at.button(key="reg_overfit_pin").click().run()
    assert any(b.key == "reg_overfit_unpin" for b in at.button)


def test_early_stopping_names_its_epochs(tiny_runs):
    _, early = tiny_runs
    at = open_page(dict(TINY_OVERFIT, early_stopping=True, patience=1))
    assert not at.exception
    best = int(early.metrics["best_epoch"])
    assert any(f"the best validation loss came at epoch **{best}**" in m.value for m in at.markdown)


def test_a_preset_sets_the_form():
    at = open_page()
    at.button(key="reg_overfit_preset_dropout 0.5").click().run()
    assert not at.exception
    assert [s.value for s in at.slider if s.label == "Dropout"] == [0.5]


def test_a_fold_outside_k_is_refused_in_one_line():
    at = open_page({"split": "kfold", "folds": 3, "fold": 5})
    assert not at.exception
    errors = [e.value for e in at.error if "cannot be trained" in e.value]
    assert errors and "fold=5" in errors[0] and "\n" not in errors[0]


def test_a_grid_cell_trained_by_one_session_is_filled_for_the_next():
    from dl_core.foundations import search
    from ui.foundations.regularisation_tabs import _search_params

    # Another learner's session trains the first grid cell (the same params the page asks for).
    _train(_search_params(search.grid_points(4)[0]))
    after = open_page()
    assert not after.exception
    texts = [p.proto.text for p in after.get("progress")]
    assert any(t.startswith("1 of 32 trainings done") for t in texts), texts
    grid = [json.loads(c.proto.spec) for c in after.get("plotly_chart")
            if "Grid search" in json.loads(c.proto.spec)["layout"].get("title", {}).get("text", "")]
    cells = grid[0]["data"][0]["text"]
    assert sum(bool(cell) for row in cells for cell in row) == 1  # exactly that cell is filled
