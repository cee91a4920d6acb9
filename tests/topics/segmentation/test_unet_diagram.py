"""The U-Net drawing: for every setting the form allows, no label covers a label, a square or an
arrow, and the figure draws exactly the laid-out labels at the laid-out width."""

from itertools import combinations, product

import pytest

from dl_core.topics import segmentation as topic
from dl_core.topics.segmentation.shapes import unet_levels
from ui.unet_diagram import Box, text_size, unet_figure, unet_layout

PARAMS = {param.name: param for param in topic.SCHEMA.params}
SETTINGS = list(product(PARAMS["image_size"].choices,
                        range(PARAMS["depth"].min, PARAMS["depth"].max + 1),
                        PARAMS["base_filters"].choices, ("scratch", "mobilenet"),
                        PARAMS["upsampling"].choices, (True, False)))


def _clashes(layout) -> list[str]:
    found = [f"{a.text!r} over {b.text!r}" for a, b in combinations(layout.labels, 2) if a.overlaps(b)]
    for label in layout.labels:
        found += [f"{label.text!r} over the square of {name}"
                  for name, square in layout.squares.items() if label.overlaps(square)]
        found += [f"an arrow through {label.text!r}" for arrow in layout.arrows + layout.skips
                  if arrow.crosses(label)]
    found += [f"squares {a} and {b} touch"
              for (a, sa), (b, sb) in combinations(layout.squares.items(), 2) if sa.overlaps(sb)]
    found += [f"{b.text!r} outside the figure" for b in layout.labels
              if not (0 <= b.x0 and b.x1 <= layout.width and 0 <= b.y0 and b.y1 <= layout.height)]
    return found


def test_the_settings_cover_the_whole_form():
    assert len(SETTINGS) == 4 * 4 * 3 * 2 * 2 * 2


@pytest.mark.parametrize("image_size,depth,base_filters,encoder,upsampling,skips", SETTINGS)
def test_no_label_overlaps_anything_at_any_setting(image_size, depth, base_filters, encoder,
                                                   upsampling, skips):
    rows = unet_levels(image_size, depth, base_filters, encoder, upsampling, skips)
    layout = unet_layout(rows, depth, skips)
    assert not _clashes(layout)
    # Every tensor is labelled once, every level change once, and the skip lines once.
    kinds = [b.kind for b in layout.labels]
    assert kinds.count("skip") == (1 if skips else 0)
    assert kinds.count("step") == 2 * depth
    assert kinds.count("tensor") == len(layout.squares) == 2 * depth + 3
    assert f"bottleneck<br>{rows[depth + 1].size}×" in " ".join(b.text for b in layout.labels)


def test_the_check_can_fail():
    """A label moved onto its neighbour's square is reported."""
    layout = unet_layout(unet_levels(96, 4, 16), 4, True)
    square = layout.squares["enc_1"]
    layout.labels.append(Box(square.x0, square.y0, square.x1 + 40, square.y1, "max-pool 2×2", "step"))
    assert any("max-pool" in clash for clash in _clashes(layout))


def test_the_deepest_setting_fits_a_wide_page():
    layout = unet_layout(unet_levels(160, 5, 32), 5, True)
    assert layout.width <= 900  # the main column of the wide layout on a 1400-pixel screen


def test_the_figure_draws_the_layout_at_its_own_width():
    rows = unet_levels(128, 3, 16)
    layout = unet_layout(rows, 3, True)
    fig = unet_figure(rows, 3, True)
    assert fig.layout.width == pytest.approx(layout.width)
    assert list(fig.layout.xaxis.range) == [0, layout.width]  # one data unit = one pixel
    drawn = sorted(a.text for a in fig.layout.annotations if a.text)
    assert drawn == sorted(b.text for b in layout.labels)
    assert [trace.name for trace in fig.data] == ["input", "encoder", "bottleneck", "decoder", "output",
                                                  "skip connection"]


def test_text_size_is_generous_for_the_multiplication_sign():
    assert text_size("96×96", 10)[0] > text_size("96x96", 10)[0]
    assert text_size("a<br>b", 10)[1] == pytest.approx(2 * text_size("a", 10)[1])
