"""The shared history chart: a placeholder before the first epoch, the legend clear of the axes."""

from ui.charts import history_chart


def test_an_empty_history_says_when_the_curves_will_appear():
    fig = history_chart({}, total_epochs=5)
    assert not fig.data and not fig.layout.xaxis.visible and not fig.layout.yaxis.visible
    assert "after the first epoch" in fig.layout.annotations[0].text


def test_the_legend_sits_above_the_plot_not_on_the_axis_title():
    fig = history_chart({"loss": [1.0, 0.5], "val_loss": [1.1, 0.7]})
    assert fig.layout.legend.y > 1 and fig.layout.legend.yanchor == "bottom"
    assert [trace.name for trace in fig.data] == ["loss (train)", "loss (validation)"]


def test_every_gate_heatmap_has_its_own_colour_bar_beside_its_row():
    import numpy as np

    from ui.lstm.views import gates_figure

    gates = {name: np.random.default_rng(0).uniform(0, 1, (6, 4))
             for name in ("forget", "input", "output", "cell", "hidden")}
    fig = gates_figure(np.linspace(0, 1, 6), gates)
    heatmaps = [trace for trace in fig.data if trace.type == "heatmap"]
    assert len(heatmaps) == 5 and all(trace.showscale is not False for trace in heatmaps)
    centres = [trace.colorbar.y for trace in heatmaps]
    assert centres == sorted(centres, reverse=True)  # top to bottom, one per row
    assert [trace.colorbar.title.text for trace in heatmaps] == ["f_t", "i_t", "o_t", "C_t", "h_t"]
