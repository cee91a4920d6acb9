"""The tabs of the Regularisation & tuning page: one overfitting model and its cures, batch
normalisation, a hyperparameter search the class fills together, and k-fold cross-validation.
Every training is the `overfit` topic through the job engine, so each setting is trained once
for everyone."""

from __future__ import annotations

import numpy as np
import streamlit as st

from dl_core.foundations import search
from dl_core.topics import overfit as topic
from ui.charts import history_chart
from ui.foundations.regularisation_views import (
    best_found_figure,
    compare_figure,
    gap_figure,
    grid_figure,
    quantile_band_figure,
    random_figure,
    spread_figure,
    weight_histograms,
)
from ui.params_form import params_form, set_form_values
from ui.results import dataset_note, model_code, training_facts
from ui.training import cached_entry, compared_entries, follow_runs, queue_runs, trained_entry

MAX_PINNED = 4
LABELS = {"l1": "L1 strength λ₁", "l2": "L2 strength λ₂", "batchnorm": "Batch normalisation",
          "early_stopping": "Early stopping", "restore_best": "Restore the best weights",
          "train_size": "Training images", "split_seed": "Seed of the validation split"}
PENALTY_STOPS = {"l1": (0.0, 1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2),
                 "l2": (0.0, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1)}


def _entries(key: str, settings: dict[str, dict], button: str) -> dict:
    settings = {label: topic.SCHEMA.canonical(params) for label, params in settings.items()}
    return compared_entries(key, topic.TOPIC.name, settings, button)


# --- overfitting and its cures ---------------------------------------------------------------


def render_overfit_tab(page: str) -> None:
    key = f"{page}_overfit"
    st.markdown(
        "A network with many more weights than training images can learn them by heart: the "
        "training loss keeps falling while the validation loss, after a minimum, rises again. "
        "The distance between the two curves is the **generalisation gap** (shaded). The cures:")
    st.latex(r"L_{\text{reg}} = L + \lambda_1 \sum |w| + \lambda_2 \sum w^2")
    st.markdown(
        "**L1** (λ₁) pushes weights to exactly zero; **L2** (λ₂, weight decay) shrinks them all; "
        "both together are the elastic net. **Dropout** zeroes a random share of units at every "
        "training step (a kind of ensemble of thinned networks); **early stopping** keeps the "
        "weights of the best validation epoch once `patience` epochs pass without improvement; "
        "**batch normalisation** standardises each unit over the batch, $\\hat x = (x - \\mu)/\\sigma$, "
        "after the dense layer and before the activation.")
    _preset_buttons(key)
    params, start = params_form(key, topic.SCHEMA, labels=LABELS, stops=PENALTY_STOPS,
                                hidden=("split", "folds", "fold"))
    entry = trained_entry(key, topic.TOPIC.name, params, start, live=_live(key, params))
    if entry is None:
        return
    dataset_note(entry)
    _overfit_results(key, entry)
    _compare_runs(key, params, entry)
    model_code("dl_core/models/regularised.py", "build_regularised_mlp")


def _preset_buttons(key: str) -> None:
    st.markdown("**Presets** (each one cure on the same model; press Train after choosing):")
    columns = st.columns(len(topic.PRESETS))
    for column, (name, values) in zip(columns, topic.PRESETS.items()):
        if column.button(name, key=f"{key}_preset_{name}"):
            current = st.session_state.get(f"{key}_params", topic.SCHEMA.defaults())
            cures = ("l1", "l2", "dropout", "batchnorm", "early_stopping")
            base = {**current, **{cure: topic.SCHEMA.get(cure).default for cure in cures}}
            set_form_values(key, topic.SCHEMA, {**base, **values})


def _live(key: str, params: dict):
    def live(status):
        left, right = st.columns(2)
        left.plotly_chart(gap_figure(status.history, "loss", "Loss (gap shaded)",
                                     total_epochs=params["epochs"]), key=f"{key}_live_loss")
        right.plotly_chart(gap_figure(status.history, "accuracy", "Accuracy (gap shaded)",
                                      total_epochs=params["epochs"]), key=f"{key}_live_accuracy")
    return live


def _overfit_results(key: str, entry) -> None:
    metrics, artifacts = entry.metrics, entry.artifacts()
    cols = st.columns(4)
    cols[0].metric("Validation accuracy", f"{metrics['val_accuracy']:.1%}")
    cols[1].metric("Gap (train − validation)", f"{metrics['gap']:.1%}")
    cols[2].metric("Validation loss: final / best", f"{metrics['final_val_loss'] / metrics['min_val_loss']:.2f}",
                   help="1.00: the final weights are as good as the best epoch's.")
    cols[3].metric("First-layer weights below 10⁻³", f"{metrics['first_layer_small_share']:.0%}")
    st.caption(training_facts(entry) + " The losses shown are what Keras minimises: the "
               "cross-entropy plus the L1/L2 penalty, so a penalised run's loss sits higher by "
               "that penalty.")
    early = entry.meta["params"]["early_stopping"]
    best, stopped = int(metrics["best_epoch"]), int(metrics["stopped_epoch"])
    left, right = st.columns(2)
    left.plotly_chart(gap_figure(entry.history, "loss", "Loss (gap shaded)", best if early else None,
                                 stopped if early else None), key=f"{key}_loss")
    right.plotly_chart(gap_figure(entry.history, "accuracy", "Accuracy (gap shaded)",
                                  best if early else None, stopped if early else None),
                       key=f"{key}_accuracy")
    if early:
        restored = entry.meta["params"]["restore_best"]
        st.markdown(f"Early stopping: the best validation loss came at epoch **{best}**; after "
                    f"{entry.meta['params']['patience']} more epochs without improvement training "
                    f"stopped at epoch **{stopped}**"
                    + (f", and the weights of epoch {best} were restored." if restored else
                       ", keeping the last epoch's weights (restore off)."))
    samples = {name[len("weights_"):]: values for name, values in artifacts.items()
               if name.startswith("weights_")}
    shares = {name: metrics.get(f"small_weight_share_{name}", 0.0) for name in samples}
    st.plotly_chart(weight_histograms(samples, shares), key=f"{key}_weights")
    st.caption("The trained kernel weights of each layer. L1 piles many of them at exactly 0; "
               "L2 narrows the whole distribution.")


def _compare_runs(key: str, params: dict, entry) -> None:
    st.subheader("Compare runs")
    pinned = st.session_state.setdefault(f"{key}_pinned", {})
    label = _label(params)
    left, right = st.columns(2)
    if label not in pinned and len(pinned) < MAX_PINNED and left.button(
            "Pin this run", key=f"{key}_pin", help="Same seed, same data: only the settings differ."):
        pinned[label] = params
        st.rerun()
    if pinned and right.button(f"Unpin all ({len(pinned)})", key=f"{key}_unpin"):
        pinned.clear()
        st.rerun()
    entries = {name: entry if name == label else cached_entry(topic.TOPIC.name, values)
               for name, values in {**pinned, label: params}.items()}
    histories = {name: e.history for name, e in entries.items() if e is not None}
    if len(histories) < 2:
        st.caption("Pin this run, change a setting and train again: the runs are overlaid here.")
        return
    left, right = st.columns(2)
    left.plotly_chart(compare_figure(histories, "loss", "Loss"), key=f"{key}_compare_loss")
    right.plotly_chart(compare_figure(histories, "accuracy", "Accuracy"), key=f"{key}_compare_acc")


def _label(params: dict) -> str:
    defaults = topic.SCHEMA.defaults()
    changed = [_setting(name, value) for name, value in params.items() if value != defaults[name]]
    return ", ".join(changed) or "defaults (no regularisation)"


def _setting(name: str, value) -> str:
    words = name.replace("_", " ")
    if isinstance(value, bool):
        return words if value else f"no {words}"
    return f"{words} {value:g}" if isinstance(value, float) else f"{words} {value}"


# --- batch normalisation ---------------------------------------------------------------------

HIGH_RATE = 0.03


def render_batchnorm_tab(page: str) -> None:
    key = f"{page}_batchnorm"
    st.markdown(
        "Batch normalisation standardises each unit's pre-activation over the mini-batch and "
        "then rescales it with two learned numbers per unit, γ and β:")
    st.latex(r"\hat x = \frac{x - \mu_{\mathcal B}}{\sqrt{\sigma^2_{\mathcal B} + \epsilon}},"
             r"\qquad y = \gamma \hat x + \beta")
    st.markdown(
        f"Below, the same network with and without it at a high learning rate (η = {HIGH_RATE}), "
        "same seed and data.")
    base = {"learning_rate": HIGH_RATE}
    settings = {"without BatchNorm": {**base, "batchnorm": False},
                "with BatchNorm": {**base, "batchnorm": True}}
    entries = _entries(key, settings, "Train both")
    done = {label: entry for label, entry in entries.items() if entry is not None}
    if not done:
        return
    columns = st.columns(len(done))
    for column, (label, entry) in zip(columns, done.items()):
        with column:
            st.plotly_chart(history_chart({n: entry.history[n] for n in ("loss", "val_loss")
                                           if n in entry.history}, title=f"Loss, {label}"),
                            key=f"{key}_{label}_loss")
    quantiles = {label: entry.artifacts()["preact_quantiles"] for label, entry in done.items()}
    st.plotly_chart(quantile_band_figure(quantiles), key=f"{key}_bands")
    st.caption("With BatchNorm the values going into the first ReLU stay centred and of one "
               "scale through training; without it their distribution moves as the weights do "
               "(far below 0, a ReLU unit outputs 0 and passes no gradient back). With BatchNorm "
               "the first epochs' validation loss is high because inference mode uses moving "
               "averages, which need a few epochs to catch up with the batch statistics "
               "(Keras's momentum 0.99, about 10 steps per epoch here).")
    with_bn = done.get("with BatchNorm")
    if with_bn is not None:
        _modes(with_bn)


def _modes(entry) -> None:
    stats = entry.artifacts()["bn_batch_stats"]
    st.markdown(
        "**Training mode vs inference mode.** While training, BatchNorm uses the statistics of "
        "the batch in front of it; at inference it uses moving averages collected during "
        "training, so one image's answer does not depend on the other images in its batch. On "
        "one fixed batch of validation images, for the first 8 units of the first layer:")
    units = [f"unit {index + 1}" for index in range(stats.shape[1])]
    st.table({"": ["batch mean μ_B", "batch variance σ²_B", "moving mean", "moving variance"],
              **{unit: [f"{value:.3f}" for value in stats[:, index]] for index, unit in enumerate(units)}})
    st.caption(f"Mean |BN(x) in training mode − BN(x) in inference mode| on that batch: "
               f"{entry.metrics['bn_mode_difference']:.4f}.")


# --- hyperparameter search -------------------------------------------------------------------

PER_AXIS = 4
SEARCH_BASE = {"epochs": 30}


def render_search_tab(page: str) -> None:
    key = f"{page}_search"
    budget = PER_AXIS * PER_AXIS
    st.markdown(
        f"Two hyperparameters, the learning rate and the dropout rate. A **grid** of "
        f"{PER_AXIS} × {PER_AXIS} cells spends {budget} trainings on only {PER_AXIS} values of "
        f"each; a **random search** with the same budget of {budget} trainings tries {budget} "
        "different values of each. When one hyperparameter matters much more than the other, "
        "random search samples that one more finely. Every cell is one cached training, so "
        f"whoever trains a cell fills it for everyone. Each training here runs "
        f"{SEARCH_BASE['epochs']} epochs of the default model.")
    grid = search.grid_points(PER_AXIS)
    randoms = search.random_points(budget)
    settings = {**{f"grid {i + 1}": _search_params(p) for i, p in enumerate(grid)},
                **{f"random {i + 1}": _search_params(p) for i, p in enumerate(randoms)}}
    entries = {label: cached_entry(topic.TOPIC.name, topic.SCHEMA.canonical(params))
               for label, params in settings.items()}
    scores = {label: (entry.metrics["val_accuracy"] if entry is not None else None)
              for label, entry in entries.items()}
    grid_scores = [scores[f"grid {i + 1}"] for i in range(budget)]
    random_scores = [scores[f"random {i + 1}"] for i in range(budget)]
    done = sum(score is not None for score in scores.values())
    st.progress(done / len(scores), text=f"{done} of {len(scores)} trainings done")
    _one_cell(key, settings, entries)
    if done < len(scores) and st.button(f"Train the {len(scores) - done} missing cells",
                                        key=f"{key}_run", type="primary"):
        queue_runs(key, {label: (topic.TOPIC.name, topic.SCHEMA.canonical(settings[label]), None)
                         for label, entry in entries.items() if entry is None})
    follow_runs(key, [label for label, entry in entries.items() if entry is None])
    rates = sorted({p[0] for p in grid})
    dropouts = sorted({p[1] for p in grid})
    matrix = np.array([[np.nan if s is None else s for s in grid_scores[row * PER_AXIS:(row + 1) * PER_AXIS]]
                       for row in range(PER_AXIS)])
    left, right = st.columns(2)
    left.plotly_chart(grid_figure(rates, dropouts, matrix), key=f"{key}_grid")
    right.plotly_chart(random_figure(randoms, random_scores), key=f"{key}_random")
    st.plotly_chart(best_found_figure({"grid": search.best_so_far(grid_scores),
                                       "random": search.best_so_far(random_scores)}),
                    key=f"{key}_best")


def _one_cell(key: str, settings: dict[str, dict], entries: dict) -> None:
    """Train one chosen cell: a learner's share of the class's search."""
    missing = [label for label, entry in entries.items() if entry is None]
    if not missing:
        return
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    label = left.selectbox("A cell nobody has trained yet", missing, key=f"{key}_cell",
                           format_func=lambda name: f"{name}: learning rate "
                           f"{settings[name]['learning_rate']:g}, dropout {settings[name]['dropout']:g}")
    if right.button("Train this cell", key=f"{key}_cell_run"):
        queue_runs(f"{key}_cell", {label: (topic.TOPIC.name, topic.SCHEMA.canonical(settings[label]),
                                           None)})
    follow_runs(f"{key}_cell", missing)


def _search_params(point: tuple[float, float]) -> dict:
    rate, dropout = point
    return {**SEARCH_BASE, "learning_rate": rate, "dropout": dropout}


# --- k-fold cross-validation -----------------------------------------------------------------


def render_kfold_tab(page: str) -> None:
    key = f"{page}_kfold"
    st.markdown(
        "One validation split gives one number, and a different split of the same images gives "
        "a different one. **k-fold cross-validation** cuts the training images into k folds, "
        "trains k times with each fold held out once, and reports the k scores: their mean is "
        "the estimate, their spread says how much one split can mislead.")
    folds = st.slider("k (folds)", 3, 10, 5, key=f"{key}_k")
    kfold = {f"fold {i + 1}": {"split": "kfold", "folds": folds, "fold": i} for i in range(folds)}
    holdout = {f"split seed {i}": {"split": "holdout", "split_seed": i} for i in range(folds)}
    entries = _entries(key, {**kfold, **holdout}, f"Train the {folds} folds and {folds} splits")
    groups = {f"{folds}-fold CV": [entries[label].metrics["val_accuracy"] for label in kfold
                                  if entries[label] is not None],
              "one holdout split, reseeded": [entries[label].metrics["val_accuracy"] for label in holdout
                                              if entries[label] is not None]}
    stats = {label: search.spread(scores) for label, scores in groups.items() if len(scores) >= 2}
    if not stats:
        return
    st.plotly_chart(spread_figure(groups, stats), key=f"{key}_spread")
    lines = [f"**{label}**: mean {mean:.1%} ± {std:.1%} (one standard deviation, {len(groups[label])} "
             "trainings)" for label, (mean, std) in stats.items()]
    st.markdown("  \n".join(lines))
    widest = max(std for _, std in stats.values())
    st.markdown(
        f"So two settings whose validation accuracies differ by less than about {widest:.1%} "
        "(this spread) are not reliably told apart by a single split: compare their cross-validated "
        "means, over the same folds, instead.")
