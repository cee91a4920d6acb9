"""A learner's photo of a digit turned into an MNIST-style input, with the steps shown.

MNIST digits are white strokes on black, cropped to their ink and centred in a 20×20 box
inside 28×28. A learner's photo is the opposite (dark pen on light paper) and off-centre, so a
model trained on MNIST needs these same steps before it can read it. The photo itself comes
from `dl_core.images.decode_image_info`. No streamlit and no tensorflow here.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from dl_core.pictures import to_uint8

_LUMA_WEIGHTS = np.array([0.299, 0.587, 0.114], dtype=np.float32)  # ITU-R BT.601
_INK_THRESHOLD = 0.25  # fraction of the stretched range that counts as a stroke


def to_grayscale(arr: np.ndarray) -> np.ndarray:
    """H×W or H×W×{1,3,4} (uint8 0..255 or float 0..1) -> float32 H×W in [0, 1]."""
    values = np.asarray(arr)
    if values.ndim == 3 and values.shape[2] in (1, 3, 4):
        values = values[:, :, 0] if values.shape[2] == 1 else values[:, :, :3] @ _LUMA_WEIGHTS
    elif values.ndim != 2:
        raise ValueError(
            f"Expected an H×W or H×W×3 image array, got shape {values.shape}; "
            "decode the upload with decode_image() first."
        )
    gray = values.astype(np.float32)
    if np.asarray(arr).dtype == np.uint8:
        gray = gray / 255.0
    return np.clip(gray, 0.0, 1.0)


def fit_to_square(
    gray: np.ndarray, size: int = 28, invert: bool | str = "auto", margin: int = 4
) -> tuple[np.ndarray, list[tuple[str, np.ndarray]]]:
    """Photo -> MNIST-style float32 size×size in [0, 1], plus the intermediate images.

    invert: True, False, or "auto" (invert when the border is lighter than the image as a
    whole, i.e. dark ink on light paper). `steps` holds (title, uint8 image) for display.
    """
    if size - 2 * margin < 1 or margin < 0:
        raise ValueError(
            f"size={size} with margin={margin} leaves no room for the digit; "
            "use a margin smaller than size/2 (MNIST uses size=28, margin=4)."
        )
    if invert not in (True, False, "auto"):
        raise ValueError(f"invert must be True, False or 'auto', got {invert!r}.")
    image = to_grayscale(gray)
    steps = [("original grayscale", to_uint8(image))]
    if invert is True or (invert == "auto" and _background_is_light(image)):
        image = 1.0 - image
        steps.append(("inverted", to_uint8(image)))
    image = _stretch_from_background(image)
    image = _crop_to_ink(image)
    steps.append(("cropped", to_uint8(image)))
    square = _centre_in_square(_pad_to_square(image), size, margin)
    steps.append((f"{size}×{size}", to_uint8(square)))
    return square, steps


def _background_is_light(image: np.ndarray) -> bool:
    border = np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]])
    return float(border.mean()) > float(image.mean())


def _stretch_from_background(image: np.ndarray) -> np.ndarray:
    """Map the background (border median) to 0 and the brightest ink to 1."""
    border = np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]])
    background, brightest = float(np.median(border)), float(image.max())
    if brightest - background < 1e-3:
        raise ValueError(
            "The image looks blank: nothing stands out from the background; "
            "draw a thicker, darker digit or crop the photo closer to it."
        )
    return np.clip((image - background) / (brightest - background), 0.0, 1.0)


def _crop_to_ink(image: np.ndarray) -> np.ndarray:
    rows = np.flatnonzero((image > _INK_THRESHOLD).any(axis=1))
    cols = np.flatnonzero((image > _INK_THRESHOLD).any(axis=0))
    return image[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]


def _pad_to_square(image: np.ndarray) -> np.ndarray:
    """Pad the short side with background so resizing keeps the digit's aspect ratio."""
    height, width = image.shape
    side = max(height, width)
    top, left = (side - height) // 2, (side - width) // 2
    square = np.zeros((side, side), dtype=np.float32)
    square[top : top + height, left : left + width] = image
    return square


def _centre_in_square(square: np.ndarray, size: int, margin: int) -> np.ndarray:
    inner = size - 2 * margin
    # BOX averages every source pixel into the small grid: thin strokes fade instead of vanishing.
    small = Image.fromarray(square.astype(np.float32)).resize((inner, inner), Image.Resampling.BOX)
    out = np.zeros((size, size), dtype=np.float32)
    out[margin : margin + inner, margin : margin + inner] = np.clip(np.asarray(small), 0.0, 1.0)
    peak = float(out.max())
    return out / peak if peak > 0 else out
