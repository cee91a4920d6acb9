"""The shared history chart: a placeholder before the first epoch, the legend clear of the axes."""

import numpy as np
import pytest

from ui.charts import colour_bar_image, heatmap, history_chart, image_grid_figure


def test_an_empty_history_says_when_the_curves_will_appear():
    fig = history_chart({}, total_epochs=5)
    assert not fig.data and not fig.layout.xaxis.visible and not fig.layout.yaxis.visible
    assert "after the first epoch" in fig.layout.annotations[0].text


def test_the_legend_sits_above_the_plot_not_on_the_axis_title():
    fig = history_chart({"loss": [1.0, 0.5], "val_loss": [1.1, 0.7]})
    assert fig.layout.legend.y > 1 and fig.layout.legend.yanchor == "bottom"
    assert [trace.name for trace in fig.data] == ["loss (train)", "loss (validation)"]


def test_every_gate_heatmap_has_its_own_colour_bar_beside_its_row():
    from ui.lstm.views import gates_figure

    gates = {name: np.random.default_rng(0).uniform(0, 1, (6, 4))
             for name in ("forget", "input", "output", "cell", "hidden")}
    fig = gates_figure(np.linspace(0, 1, 6), gates)
    heatmaps = [trace for trace in fig.data if trace.type == "heatmap"]
    assert len(heatmaps) == 5 and all(trace.showscale is not False for trace in heatmaps)
    centres = [trace.colorbar.y for trace in heatmaps]
    assert centres == sorted(centres, reverse=True)  # top to bottom, one per row
    assert [trace.colorbar.title.text for trace in heatmaps] == ["f_t", "i_t", "o_t", "C_t", "h_t"]


def test_a_heatmap_always_has_a_titled_colour_bar_and_its_first_row_on_top():
    fig = heatmap([[0.1, 0.9], [0.4, 0.2]], ["a", "b"], ["z1", "z2"], "|r|", zmin=0, zmax=1,
                  text_format=".2f")
    trace = fig.data[0]
    assert trace.type == "heatmap" and trace.showscale is True
    assert trace.colorbar.title.text == "|r|" and (trace.zmin, trace.zmax) == (0, 1)
    assert trace.texttemplate == "%{z:.2f}" and fig.layout.yaxis.autorange == "reversed"


def test_the_vae_association_heatmap_uses_the_shared_helper():
    from ui.vae.views import association_heatmap

    fig = association_heatmap(np.eye(3, 2), ["x", "y"])
    assert fig.data[0].type == "heatmap" and fig.data[0].colorbar.title.text == "|r| or η"
    assert list(fig.data[0].y) == ["z1", "z2", "z3"]


def test_an_image_grid_names_each_row_and_column_at_its_centre():
    cells = np.zeros((2, 3, 10, 10), np.uint8)
    fig = image_grid_figure(cells, ["r1", "r2"], ["a", "b", "c"], gap=2)
    assert fig.data[0].type == "image" and fig.data[0].source.startswith("data:image/png;base64,")
    assert list(fig.layout.xaxis.tickvals) == [4.5, 16.5, 28.5]
    assert list(fig.layout.yaxis.tickvals) == [4.5, 16.5]
    assert list(fig.layout.yaxis.ticktext) == ["r1", "r2"] and fig.layout.yaxis.scaleanchor == "x"


def test_a_colour_bar_runs_from_its_low_colour_to_its_high_colour():
    from dl_core.topics.transfer.gradcam import heat_colours

    bar = colour_bar_image(heat_colours, 260, [(0, "0"), (1, "max")], title="relative")
    assert bar.shape[1] == 260 and bar.shape[2] == 3
    np.testing.assert_array_equal(bar[5, 1], heat_colours(np.array(0.0)))
    np.testing.assert_array_equal(bar[5, 258], heat_colours(np.array(1.0)))
    assert (bar[20:] < 128).any()  # the tick labels are drawn under the bar


@pytest.mark.parametrize("width", [120, 260])
def test_tick_labels_stay_inside_a_narrow_colour_bar(width):
    from dl_core.topics.transfer.gradcam import heat_colours

    bar = colour_bar_image(heat_colours, width, [(0, "0"), (1, "the map's maximum")])
    text = bar[14:] < 200
    assert text.any() and not text[:, -1].any() and not text[:, 0].any()


def _prediction_page():
    import numpy as np

    from dl_core.topics.transfer.gradcam import overlay
    from dl_core.topics.transfer.metrics import rank
    from ui.transfer import prediction_view

    photo = np.full((64, 64, 3), 120, np.uint8)
    heatmap = np.outer(np.linspace(0, 1, 64), np.ones(64)).astype(np.float32)
    prediction_view(photo, overlay(photo, heatmap), rank(np.array([0.8, 0.2]), ["ants", "bees"]))


def test_the_gradcam_overlay_has_its_colour_scale_and_says_it_is_relative():
    from streamlit.testing.v1 import AppTest

    from apptest_helpers import image_captions

    at = AppTest.from_function(_prediction_page, default_timeout=60).run()
    assert not at.exception
    # The photo, the overlay, and under the overlay its colour bar (uncaptioned: labelled inside).
    assert image_captions(at) == ["your photo (as the model sees it)", "Grad-CAM for “ants”", ""]
    note = " ".join(c.value for c in at.caption)
    assert "divided by its own maximum" in note and "relative" in note and "50%" in note
