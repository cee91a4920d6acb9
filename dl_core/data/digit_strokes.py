"""Pen skeletons of handwritten digits: the path a hand takes to write each digit.

A digit is a list of strokes; a stroke is an N×2 array of (x, y) points in a box about 0.7
wide and 1 tall, y pointing down as in an image. Each digit has a few styles seen in MNIST
(a plain or a flagged 1, an open or a closed 4, a 7 with or without a bar), and every style
takes its proportions from the random generator, so no two skeletons are the same. The
rendering (pen width, slant, distortion, MNIST's normalisation) is builtin_digits's job.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Strokes = list[np.ndarray]
ARC_STEP_DEGREES = 15  # fine enough that a thick pen hides the polygon's corners


def arc(cx: float, cy: float, rx: float, ry: float, start: float, end: float) -> np.ndarray:
    """Points on an ellipse from angle `start` to `end` (degrees; 0 = right, 90 = down, so
    increasing angles go clockwise on the image)."""
    count = max(2, int(abs(end - start) / ARC_STEP_DEGREES) + 1)
    angles = np.radians(np.linspace(start, end, count))
    return np.stack([cx + rx * np.cos(angles), cy + ry * np.sin(angles)], axis=1)


def line(*points: tuple[float, float]) -> np.ndarray:
    return np.asarray(points, dtype=np.float64)


def _zero(rng: np.random.Generator) -> Strokes:
    rx, ry = rng.uniform(0.22, 0.5), rng.uniform(0.4, 0.5)  # from narrow to round
    start = rng.uniform(-120, -60)
    return [arc(0.35, 0.5, rx, ry, start, start - 360 - rng.uniform(0, 30))]


def _one(rng: np.random.Generator) -> Strokes:
    lean = rng.uniform(-0.04, 0.12)  # on top of the hand's slant: 1s rarely lean left
    top, foot = (0.35 + lean / 2, 0.0), (0.35 - lean / 2, 1.0)
    style = rng.random()
    if style < 0.65:
        return [line(top, foot)]
    flag = (top[0] - rng.uniform(0.12, 0.25), rng.uniform(0.12, 0.3))
    strokes = [line(flag, top, foot)]
    if style > 0.9:  # a base, as some people write it
        strokes.append(line((foot[0] - 0.18, 1.0), (foot[0] + 0.18, 1.0)))
    return strokes


def _two(rng: np.random.Generator) -> Strokes:
    ry = rng.uniform(0.2, 0.3)
    top = arc(0.35, ry, rng.uniform(0.24, 0.32), ry, rng.uniform(190, 220), rng.uniform(370, 400))
    corner = (rng.uniform(0.0, 0.12), 1.0)
    base_end = (rng.uniform(0.55, 0.72), rng.uniform(0.92, 1.0))
    if rng.random() < 0.45:  # the looped 2: a loop where the diagonal meets the base
        radius = rng.uniform(0.1, 0.24)
        loop = arc(corner[0] + radius, 1 - radius, radius, radius, 200, rng.uniform(-90, -40))
        return [np.concatenate([top, loop, line(base_end)])]
    start = top[-1]
    bow = rng.uniform(-0.08, 0.12)  # the neck of a 2 is rarely straight: bowed in or out
    neck = ((start[0] + corner[0]) / 2 + bow, (start[1] + corner[1]) / 2 + bow)
    return [np.concatenate([top, line(neck, corner, base_end)])]


def _three(rng: np.random.Generator) -> Strokes:
    middle = rng.uniform(0.42, 0.52)
    lower_ry = (1 - middle) / 2
    if rng.random() < 0.2:  # the flat-topped 3: a bar, a diagonal to the middle, then the bowl
        upper = line((0.05, 0.0), (0.62, 0.0), (0.3, middle))
    else:
        upper = arc(0.33, middle / 2, rng.uniform(0.22, 0.3), middle / 2, rng.uniform(190, 220), 450)
    lower = arc(0.33, middle + lower_ry, rng.uniform(0.28, 0.36), lower_ry, -90, rng.uniform(140, 170))
    return [np.concatenate([upper, lower])]


def _four(rng: np.random.Generator) -> Strokes:
    bar_y = rng.uniform(0.55, 0.7)
    stem_x = rng.uniform(0.45, 0.6)
    if rng.random() < 0.3:  # closed: the diagonal meets the stem at the top
        outline = line((stem_x, 0.0), (0.0, bar_y), (0.7, bar_y))
    else:  # open: a short down-stroke, then the bar
        outline = line((rng.uniform(0.05, 0.2), 0.0), (0.02, bar_y), (0.7, bar_y))
    stem_top = 0.0 if rng.random() < 0.7 else rng.uniform(0.1, 0.3)
    return [outline, line((stem_x, stem_top), (stem_x - rng.uniform(0, 0.1), 1.0))]


def _five(rng: np.random.Generator) -> Strokes:
    shoulder = (rng.uniform(0.08, 0.18), 0.02)
    neck_y = rng.uniform(0.38, 0.5)
    radius = (1 - neck_y) / 2 + 0.02
    belly = arc(0.34, 1 - radius, rng.uniform(0.26, 0.34), radius, -140, rng.uniform(125, 160))
    bar = line((rng.uniform(0.6, 0.72), 0.0), shoulder)
    return [bar, np.concatenate([line(shoulder, (0.1, neck_y)), belly])]


def _six(rng: np.random.Generator) -> Strokes:
    loop_r = rng.uniform(0.2, 0.38)
    loop_cy = 1 - loop_r
    loop = arc(0.36, loop_cy, rng.uniform(0.22, 0.32), loop_r, 180, rng.uniform(-190, -150))
    if rng.random() < 0.5:  # a straight stem down to the loop
        stem = line((rng.uniform(0.5, 0.65), 0.0), (loop[0, 0] + 0.02, loop_cy - 0.05))
    else:  # a stem that sweeps round
        stem = arc(0.62, 0.9, rng.uniform(0.5, 0.58), 0.9, -90, -180)
    return [np.concatenate([stem, loop])]


def _seven(rng: np.random.Generator) -> Strokes:
    corner = (rng.uniform(0.6, 0.72), 0.0)
    bar_start = (rng.uniform(0.0, 0.1), rng.uniform(0.0, 0.1))
    bar = line(bar_start, corner)
    if rng.random() < 0.35:  # a bar that begins with a small down-stroke, as many people write it
        bar = line((bar_start[0] - 0.02, bar_start[1] + rng.uniform(0.1, 0.25)), bar_start, corner)
    foot = (rng.uniform(0.15, 0.35), 1.0)
    if rng.random() < 0.4:  # a stem that bends: steep at the bottom
        bend = ((corner[0] + foot[0]) / 2 + rng.uniform(0.0, 0.08), 0.5)
        stem = line(corner, bend, foot)
    else:
        stem = line(corner, foot)
    strokes = [np.concatenate([bar, stem[1:]])]
    if rng.random() < 0.15:  # the continental bar
        strokes.append(line((0.2, 0.5), (0.62, 0.5)))
    return strokes


def _eight(rng: np.random.Generator) -> Strokes:
    if rng.random() < 0.6:
        return [_crossed_eight(rng)]
    middle = rng.uniform(0.42, 0.5)
    top_ry, low_ry = middle / 2, (1 - middle) / 2
    shift = rng.uniform(-0.06, 0.06)  # the loops rarely sit exactly above each other
    upper = arc(0.36 + shift, top_ry, rng.uniform(0.18, 0.26), top_ry, -20, -270)
    lower = arc(0.34, middle + low_ry, rng.uniform(0.24, 0.32), low_ry, -90, 270)
    closing = arc(0.36 + shift, top_ry, rng.uniform(0.18, 0.26), top_ry, 90, -20)
    return [np.concatenate([upper, lower, closing])]


def _crossed_eight(rng: np.random.Generator) -> np.ndarray:
    """The one-stroke 8 whose middle is a crossing: a lemniscate of Gerono stood upright,
    x = sin(2t)/2 and y = (1 - cos t)/2, with loops of their own widths and heights."""
    t = np.radians(np.arange(0, 361 + rng.uniform(0, 30), ARC_STEP_DEGREES))
    middle = rng.uniform(0.4, 0.5)
    upper = np.cos(t) > 0
    widths = np.where(upper, rng.uniform(0.25, 0.6), rng.uniform(0.35, 0.8))
    lean = rng.uniform(0.0, 0.15)  # 8s lean more than the hand's slant: the top loop sits right
    y = np.where(upper, middle * (1 - np.cos(t)), middle + (1 - middle) * (-np.cos(t)))
    x = 0.35 + widths * np.sin(2 * t) / 2 * rng.choice([-1, 1]) + lean * (0.5 - y)
    return np.stack([x, y], axis=1)


def _nine(rng: np.random.Generator) -> Strokes:
    ry = rng.uniform(0.2, 0.28)
    rx = rng.uniform(0.24, 0.32)
    loop = arc(0.62 - rx, ry, rx, ry, 10, -350)
    foot = (rng.uniform(0.35, 0.6), 1.0)
    if rng.random() < 0.3:  # a tail that curls left at the bottom
        return [np.concatenate([loop, line((0.62, 0.6)), arc(0.45, 0.8, 0.17, 0.2, 0, 120)])]
    return [np.concatenate([loop, line(foot)])]


SKELETONS: dict[int, Callable[[np.random.Generator], Strokes]] = {
    0: _zero, 1: _one, 2: _two, 3: _three, 4: _four,
    5: _five, 6: _six, 7: _seven, 8: _eight, 9: _nine,
}


def skeleton(digit: int, rng: np.random.Generator) -> Strokes:
    """One random pen path for `digit` (0-9)."""
    return SKELETONS[digit](rng)
