"""2-D cross-correlation with padding modes and strides, pooling, and preset kernels, in numpy.

This is what a conv layer computes for one filter, written so a learner can read it: pad,
then for each of the k×k kernel offsets add `weight × (the image shifted by that offset)`.
That loop runs k·k times (9 for a 3×3 kernel), never once per pixel, so a 1024×1024 photo
takes milliseconds. Like every CNN framework we do not flip the kernel (cross-correlation);
a textbook "convolution" would flip it first, which only matters for asymmetric kernels.

The step-by-step walkthroughs the page animates (`correlation_steps`, `pool_steps`) and the
worked examples from the course notes (`EXAMPLES`) sit next to the maths they explain.
"""

from __future__ import annotations

import numpy as np

# padding name -> numpy.pad mode. "reflect" mirrors without repeating the edge pixel
# (d c b | a b c d), which is what PyTorch calls "reflect" and TensorFlow "REFLECT".
PADDING_MODES = {
    "none": None,
    "zero": "constant",
    "reflect": "reflect",
    "replicate": "edge",
    "circular": "wrap",
}

KERNELS: dict[str, np.ndarray] = {
    "identity": np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]], dtype=float),
    "sharpen": np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], dtype=float),
    "laplacian edge": np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], dtype=float),
    "outline": np.array([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]], dtype=float),
    "emboss": np.array([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]], dtype=float),
    "box blur": np.ones((3, 3)) / 9.0,
    "gaussian blur": np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]], dtype=float) / 16.0,
    "sobel x": np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=float),
    "sobel y": np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], dtype=float),
    "diagonal": np.array([[1, -1, -1], [-1, 1, -1], [-1, -1, 1]], dtype=float),
    # Large enough that the padding mode visibly changes a 4-pixel frame around the picture.
    "box blur 9×9": np.ones((9, 9)) / 81.0,
}


# Every tab must work on the learner's photo: the 9×9 kernel's mirror padding needs more than
# 4 pixels on each axis, and the stride and pooling tabs need room for several windows.
MIN_PHOTO_SIDE = 16


def photo_problem(image: np.ndarray) -> str | None:
    """Why a photo is too small for the kernel tabs, in one sentence; None when it is fine."""
    height, width = np.asarray(image).shape[:2]
    if min(height, width) < MIN_PHOTO_SIDE:
        return (f"This photo is {width}×{height} px: the kernels, padding and pooling need at least "
                f"{MIN_PHOTO_SIDE} px on each side.")
    return None


def _pair(value: int | tuple[int, int] | list[int], name: str, minimum: int) -> tuple[int, int]:
    """3 -> (3, 3); (2, 1) stays; anything below `minimum` is refused with a fix."""
    pair = (value, value) if np.isscalar(value) else tuple(value)
    if len(pair) != 2 or any(int(v) != v or v < minimum for v in pair):
        raise ValueError(
            f"{name} must be a whole number >= {minimum} or a (rows, cols) pair of them, got {value!r}."
        )
    return int(pair[0]), int(pair[1])


def _as_image(image: np.ndarray) -> np.ndarray:
    """H×W or H×W×C -> float64 H×W×C (a gray image becomes one channel)."""
    array = np.asarray(image, dtype=np.float64)
    if array.ndim == 2:
        return array[:, :, None]
    if array.ndim == 3 and array.shape[2] >= 1:
        return array
    raise ValueError(f"image must be H×W or H×W×C, got an array of shape {array.shape}.")


def _as_kernel(kernel: np.ndarray, channels: int) -> np.ndarray:
    """2-D kernel -> the same kh×kw weights for every channel; kh×kw×C kept as is."""
    weights = np.asarray(kernel, dtype=np.float64)
    if weights.ndim == 2 and min(weights.shape) >= 1:
        return np.repeat(weights[:, :, None], channels, axis=2)
    if weights.ndim == 3 and weights.shape[2] == channels:
        return weights
    raise ValueError(
        f"kernel must be kh×kw (or kh×kw×{channels} to match the image's channels), "
        f"got shape {weights.shape}."
    )


def pad_image(
    image: np.ndarray, padding: str = "zero", pad_width: int | tuple[int, int] | None = None,
    kernel_shape: tuple[int, int] = (3, 3),
) -> np.ndarray:
    """Pad H×W(×C) on all four sides; pad_width defaults to kernel_size // 2 per axis."""
    if padding not in PADDING_MODES:
        raise ValueError(
            f"padding must be one of {', '.join(PADDING_MODES)}, got {padding!r}; "
            '"zero" is what Keras does with padding="same".'
        )
    array = np.asarray(image)
    if padding == "none":
        return array
    rows, cols = _pair((kernel_shape[0] // 2, kernel_shape[1] // 2) if pad_width is None else pad_width,
                       "pad_width", 0)
    widths = [(rows, rows), (cols, cols)] + [(0, 0)] * (array.ndim - 2)
    if PADDING_MODES[padding] == "reflect" and (rows >= array.shape[0] or cols >= array.shape[1]):
        raise ValueError(
            f"Mirror padding of {max(rows, cols)} needs an image larger than that on each axis, "
            f"got {array.shape[0]}×{array.shape[1]}; use a smaller pad_width or zero padding."
        )
    return np.pad(array, widths, mode=PADDING_MODES[padding])


def correlate_channels(
    image: np.ndarray, kernel: np.ndarray, padding: str = "zero",
    pad_width: int | tuple[int, int] | None = None, stride: int | tuple[int, int] = 1,
) -> np.ndarray:
    """Cross-correlate each channel separately: H×W(×C) -> H'×W'×C (not summed)."""
    pixels = _as_image(image)
    weights = _as_kernel(kernel, pixels.shape[2])
    kernel_rows, kernel_cols = weights.shape[:2]
    step_rows, step_cols = _pair(stride, "stride", 1)
    padded = pad_image(pixels, padding, pad_width, (kernel_rows, kernel_cols))
    if kernel_rows > padded.shape[0] or kernel_cols > padded.shape[1]:
        raise ValueError(
            f"The {kernel_rows}×{kernel_cols} kernel is larger than the padded image "
            f"({padded.shape[0]}×{padded.shape[1]}); use a smaller kernel or more padding."
        )
    out_rows = (padded.shape[0] - kernel_rows) // step_rows + 1
    out_cols = (padded.shape[1] - kernel_cols) // step_cols + 1
    output = np.zeros((out_rows, out_cols, pixels.shape[2]))
    product = np.empty_like(output)
    # One pass per kernel offset (k·k passes), each a whole-image multiply-add; zero weights
    # (4 of the 9 in sharpen) contribute nothing and are skipped.
    for row in range(kernel_rows):
        for col in range(kernel_cols):
            if not weights[row, col].any():
                continue
            shifted = padded[row : row + (out_rows - 1) * step_rows + 1 : step_rows,
                             col : col + (out_cols - 1) * step_cols + 1 : step_cols]
            np.multiply(shifted, weights[row, col], out=product)
            output += product
    return output


def convolve2d(
    image: np.ndarray, kernel: np.ndarray, padding: str = "zero",
    pad_width: int | tuple[int, int] | None = None, stride: int | tuple[int, int] = 1,
) -> np.ndarray:
    """What one conv filter computes: per-channel cross-correlation, summed over channels.

    image H×W or H×W×C; kernel kh×kw (shared by all channels) or kh×kw×C. Returns H'×W'
    float64 with H' = (H + 2·pad − kh) // stride + 1. padding: none, zero, reflect,
    replicate or circular.
    """
    if np.ndim(kernel) == 2 and np.ndim(image) == 3:
        # Correlation and padding are linear, so with one kernel shared by all channels,
        # sum(k ⋆ channel) = k ⋆ sum(channels): one correlation instead of C.
        image = np.asarray(image, dtype=np.float64).sum(axis=2)
    return correlate_channels(image, kernel, padding, pad_width, stride).sum(axis=2)


def pool2d(
    x: np.ndarray, size: int | tuple[int, int] = 2, stride: int | tuple[int, int] | None = None,
    mode: str = "max",
) -> np.ndarray:
    """Max or average pooling without padding ("valid"); stride defaults to size, as in Keras."""
    if mode not in ("max", "avg"):
        raise ValueError(f'mode must be "max" or "avg", got {mode!r}.')
    pixels = np.asarray(x, dtype=np.float64)
    if pixels.ndim not in (2, 3):
        raise ValueError(f"x must be H×W or H×W×C, got shape {pixels.shape}.")
    pool_rows, pool_cols = _pair(size, "size", 1)
    step_rows, step_cols = _pair(size if stride is None else stride, "stride", 1)
    if pool_rows > pixels.shape[0] or pool_cols > pixels.shape[1]:
        raise ValueError(
            f"The {pool_rows}×{pool_cols} pooling window is larger than the "
            f"{pixels.shape[0]}×{pixels.shape[1]} input; use a smaller pool size."
        )
    windows = np.lib.stride_tricks.sliding_window_view(pixels, (pool_rows, pool_cols), axis=(0, 1))
    windows = windows[::step_rows, ::step_cols]
    reduce = np.max if mode == "max" else np.mean
    return reduce(windows, axis=(-2, -1))


def normalise_for_display(feature_map: np.ndarray, method: str = "clip") -> np.ndarray:
    """Float feature map -> uint8 picture. Edge maps are negative in half their pixels, so:

    clip    keep 0..255 as is (negatives turn black, bright overshoots white);
    abs     show the strength of the response, whatever its sign;
    minmax  stretch the smallest value to 0 and the largest to 255 (mid gray = 0 only if symmetric).
    """
    values = np.asarray(feature_map, dtype=np.float64)
    if method == "clip":
        shown = values
    elif method == "abs":
        shown = np.abs(values)
        shown = shown * (255.0 / shown.max()) if shown.max() > 255 else shown
    elif method == "minmax":
        low, high = float(values.min()), float(values.max())
        shown = (values - low) * (255.0 / (high - low)) if high > low else np.zeros_like(values)
    else:
        raise ValueError(f'method must be "clip", "abs" or "minmax", got {method!r}.')
    return np.clip(np.rint(shown), 0, 255).astype(np.uint8)


# --- step by step, for the animation on small matrices -----------------------------------


def correlation_steps(
    image: np.ndarray, kernel: np.ndarray, padding: str = "zero",
    pad_width: int | tuple[int, int] | None = None, stride: int | tuple[int, int] = 1,
) -> dict:
    """Every kernel position on a small 2-D matrix: the window, products and their sum.

    Returns {"padded", "inside", "output", "steps"}: `inside` is True on the cells of the padded
    matrix that belong to the input (False on the padding). Each step has the output cell
    (row, col), the window's top-left corner in the padded matrix, the window, the products
    and the total.
    """
    matrix = np.asarray(image, dtype=np.float64)
    if matrix.ndim != 2:
        raise ValueError(f"The step-by-step view takes a 2-D matrix, got shape {matrix.shape}.")
    weights = np.asarray(kernel, dtype=np.float64)
    output = convolve2d(matrix, weights, padding, pad_width, stride)
    padded = pad_image(matrix, padding, pad_width, weights.shape)
    inside = pad_image(np.ones(matrix.shape, bool), "none" if padding == "none" else "zero", pad_width,
                       weights.shape)
    step_rows, step_cols = _pair(stride, "stride", 1)
    steps = []
    for row, col in np.ndindex(*output.shape):  # a handful of cells: this is for reading
        top, left = row * step_rows, col * step_cols
        window = padded[top : top + weights.shape[0], left : left + weights.shape[1]]
        steps.append({"row": row, "col": col, "top": top, "left": left, "window": window,
                      "products": window * weights, "total": float(output[row, col])})
    return {"padded": padded, "inside": inside, "output": output, "steps": steps}


def pool_steps(
    x: np.ndarray, size: int | tuple[int, int] = 2, stride: int | tuple[int, int] | None = None,
    mode: str = "max",
) -> dict:
    """Every pooling window on a small 2-D matrix with the value it produces."""
    matrix = np.asarray(x, dtype=np.float64)
    output = pool2d(matrix, size, stride, mode)
    pool_rows, pool_cols = _pair(size, "size", 1)
    step_rows, step_cols = _pair(size if stride is None else stride, "stride", 1)
    steps = []
    for row, col in np.ndindex(*output.shape):
        top, left = row * step_rows, col * step_cols
        window = matrix[top : top + pool_rows, left : left + pool_cols]
        steps.append({"row": row, "col": col, "top": top, "left": left, "window": window,
                      "total": float(output[row, col])})
    return {"padded": matrix, "inside": np.ones(matrix.shape, bool), "output": output, "steps": steps}


# --- worked examples from the course notes -----------------------------------------------

EXAMPLES: dict[str, dict] = {
    "5×5 photo patch, sharpen, zero padding": {
        "image": np.array([[60, 113, 56, 139, 85], [73, 121, 54, 84, 128], [131, 99, 70, 129, 127],
                           [80, 57, 115, 69, 134], [104, 126, 123, 95, 130]], dtype=float),
        "kernel": KERNELS["sharpen"], "padding": "zero", "stride": 1, "operation": "convolution",
    },
    "6×6 binary image, diagonal filter, stride 1": {
        "image": np.array([[1, 0, 0, 0, 0, 1], [0, 1, 0, 0, 1, 0], [0, 0, 1, 1, 0, 0],
                           [1, 0, 0, 0, 1, 0], [0, 1, 0, 0, 1, 0], [0, 0, 1, 0, 1, 0]], dtype=float),
        "kernel": KERNELS["diagonal"], "padding": "none", "stride": 1, "operation": "convolution",
    },
    "4×4 max pooling, 2×2, stride 2": {
        "image": np.array([[1, 3, 5, 3], [4, 2, 3, 1], [3, 1, 1, 3], [0, 1, 0, 4]], dtype=float),
        "kernel": None, "padding": "none", "stride": 2, "operation": "max pooling",
    },
}
EXAMPLES["6×6 binary image, diagonal filter, stride 2"] = {
    **EXAMPLES["6×6 binary image, diagonal filter, stride 1"], "stride": 2,
}


def sample_image(size: int = 256) -> np.ndarray:
    """A deterministic, photo-like RGB scene (sky, sun, hills, a house, grass texture).

    Drawn here rather than shipped so the page works offline and nothing binary is committed;
    it has what filters need to show: smooth gradients, hard edges, diagonals and fine texture.
    """
    rows, cols = np.mgrid[0:size, 0:size] / size
    sky = np.stack([90 + 110 * rows, 150 + 80 * rows, 235 - 20 * rows], axis=2)
    image = sky.copy()
    sun = (rows - 0.22) ** 2 + (cols - 0.78) ** 2 < 0.09**2
    image[sun] = (255, 214, 90)
    hill = rows > 0.62 + 0.08 * np.sin(cols * 7.0)
    grass = np.random.default_rng(7).normal(0, 18, (size, size))
    image[hill] = np.stack([60 + grass, 140 + grass, 55 + 0.5 * grass], axis=2)[hill]
    wall = (rows > 0.45) & (rows < 0.75) & (cols > 0.18) & (cols < 0.45)
    image[wall] = (205, 180, 150)
    roof = (rows <= 0.45) & (rows > 0.45 - (0.135 - np.abs(cols - 0.315))) & (np.abs(cols - 0.315) < 0.15)
    image[roof] = (160, 50, 45)
    door = (rows > 0.6) & (rows < 0.75) & (np.abs(cols - 0.315) < 0.03)
    image[door] = (90, 60, 40)
    window = (rows > 0.5) & (rows < 0.57) & (np.abs(cols - 0.4) < 0.025)
    image[window] = (120, 190, 230)
    return np.clip(np.rint(image), 0, 255).astype(np.uint8)


def compare_padding(
    image: np.ndarray, kernel: np.ndarray, first: str = "zero", second: str = "reflect"
) -> dict:
    """The same kernel with two padding modes, and where (and how far from the edge) they differ.

    Only windows that overlap the padding can differ, so every difference lies within
    kernel_size // 2 pixels of the border: `max_border_distance` says how deep it actually went.
    """
    out_first = convolve2d(image, kernel, first)
    out_second = convolve2d(image, kernel, second)
    difference = np.abs(out_first - out_second)
    changed = difference > 1e-9
    rows, cols = np.nonzero(changed)
    height, width = changed.shape
    depth = np.minimum.reduce([rows, cols, height - 1 - rows, width - 1 - cols]) if rows.size else np.array([-1])
    return {first: out_first, second: out_second, "difference": difference, "changed": changed,
            "changed_fraction": float(changed.mean()), "max_border_distance": int(depth.max()),
            "highlight": highlight(image, changed)}


HIGHLIGHT = np.array([230, 40, 40], dtype=np.uint8)


def highlight(image: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The picture, dimmed to gray, with the pixels in `mask` in bright red: a thin border of
    changed pixels stays visible on a picture, where white on black looked like an empty box."""
    gray = np.asarray(image, dtype=np.float64)
    gray = gray.mean(axis=2) if gray.ndim == 3 else gray
    span = float(gray.max() - gray.min()) or 1.0
    dimmed = (60 + 120 * (gray - gray.min()) / span).astype(np.uint8)
    out = np.repeat(dimmed[:, :, None], 3, axis=2)
    out[np.asarray(mask, bool)] = HIGHLIGHT
    return out
