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
