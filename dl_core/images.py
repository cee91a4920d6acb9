"""Decode and validate uploaded image bytes into numpy arrays.

A learner can upload anything: a phone photo rotated by EXIF, a CMYK JPEG from a print
shop, a 16-bit PNG from a microscope, an animated GIF, a renamed PDF, or a tiny PNG that
declares a billion pixels. Every page that takes an image goes through `decode_image_info`,
so they all accept the same files and refuse the rest with the same one-sentence messages.

`dl_core.digit_input` turns a decoded photo of a digit into an MNIST-style input.
No streamlit and no tensorflow here: this module is used by pages, tests and the CLI alike.
"""

from __future__ import annotations

import io
import logging
import warnings
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, UnidentifiedImageError

log = logging.getLogger(__name__)

# Formats a browser upload can reasonably be. Restricting Pillow to these keeps exotic,
# rarely fuzzed decoders (and formats that are not pictures at all) out of reach.
# MPO is how Pillow names many camera JPEGs that carry a second, preview image.
ALLOWED_FORMATS = ("PNG", "JPEG", "MPO", "GIF", "BMP", "WEBP", "TIFF")
FORMATS_FOR_PEOPLE = "PNG, JPEG, GIF, BMP, WebP or TIFF"

_EXIF_ORIENTATION_TAG = 0x0112
_MODES_WITH_ALPHA = ("RGBA", "LA", "PA", "RGBa", "La")
_SIXTEEN_BIT_MODES = ("I;16", "I;16L", "I;16B", "I;16N")
_REDUCIBLE_MODES = ("L", "LA", "RGB", "RGBA", "RGBa", "La", "I", "F", "CMYK")
_SWAPS_SIDES = (5, 6, 7, 8)  # EXIF orientations that turn the picture a quarter
_EXIF_TRANSPOSE = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
                   4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
                   6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
                   8: Image.Transpose.ROTATE_90}
# A picture this large must carry at least one byte per MAX_PIXELS_PER_BYTE pixels. Deflate
# (PNG) packs at most about 1032 bytes into one, so a flat 6000×6000 PNG fits in 140 KB and
# would cost gigabytes to decode; a real photo of that size takes megabytes.
PROPORTION_CHECK_PIXELS = 4_000_000
MAX_PIXELS_PER_BYTE = 64


class ImageError(ValueError):
    """An upload we cannot turn into a picture; the message is one sentence for a learner."""


@dataclass
class DecodedImage:
    """A decoded upload and what happened to it on the way.

    `original_size` is (width, height) as the learner sees the photo: after EXIF rotation,
    before any downscaling. `notes` are short human sentences for the page to show.
    """

    array: np.ndarray
    original_size: tuple[int, int]
    format: str | None
    mode: str
    downscaled: bool = False
    notes: list[str] = field(default_factory=list)


def decode_image(
    data: bytes,
    *,
    max_bytes: int = 8_000_000,
    max_pixels: int = 40_000_000,
    max_side: int | None = None,
) -> np.ndarray:
    """Decode image bytes into an H×W×3 uint8 RGB array (see `decode_image_info`)."""
    return decode_image_info(
        data, max_bytes=max_bytes, max_pixels=max_pixels, max_side=max_side
    ).array


def decode_image_info(
    data: bytes,
    *,
    max_bytes: int = 8_000_000,
    max_pixels: int = 40_000_000,
    max_side: int | None = None,
) -> DecodedImage:
    """Decode and validate image bytes; raise `ImageError` with a learner-facing sentence
    (see `_decode`); every refusal is logged with its reason."""
    try:
        return _decode(data, max_bytes=max_bytes, max_pixels=max_pixels, max_side=max_side)
    except ImageError as err:
        log.info("refused an uploaded image (%s bytes): %s", len(data) if isinstance(data, bytes) else "?", err)
        raise


def _decode(data: bytes, *, max_bytes: int, max_pixels: int, max_side: int | None) -> DecodedImage:
    """Steps: size checks on the raw bytes, header-only open (so a decompression bomb is
    refused before its pixels are allocated), first frame only, shrinking while decoding when
    `max_side` asks for a smaller picture (JPEG's DCT scaling, then an integer box reduction, all
    in 8 bits), EXIF orientation, colour mode to 8-bit RGB, and a final resize so the longest
    side is at most `max_side`. Work and memory follow the picture that is kept, not the one
    the file declares.
    """
    if max_side is not None and max_side < 1:
        raise ValueError(f"max_side must be a positive number of pixels or None, got {max_side!r}.")
    _check_raw_bytes(data, max_bytes)
    image = _open_header(bytes(data), max_pixels)
    notes: list[str] = []
    frame_count = getattr(image, "n_frames", 1)
    if frame_count > 1:
        # seek(0) is where a freshly opened image already is; we just never seek further.
        notes.append(f"animated image: using the first of its {frame_count} frames")
    source_format, source_mode = image.format, image.mode
    orientation = _exif_orientation(image)
    original_size = image.size[::-1] if orientation in _SWAPS_SIDES else image.size
    if max_side is not None and image.format == "JPEG":
        image.draft(image.mode, (max_side, max_side))  # decode at 1/2, 1/4 or 1/8 scale, if enough
    _load_pixels(image)
    image = _reduce(image, max_side)
    image = _apply_exif_orientation(image, orientation, notes)
    rgb = _to_rgb_array(image, notes)
    rgb, downscaled = _downscale(rgb, max_side, original_size, notes)
    return DecodedImage(
        array=rgb,
        original_size=original_size,
        format=source_format,
        mode=source_mode,
        downscaled=downscaled,
        notes=notes,
    )


def _check_raw_bytes(data: bytes, max_bytes: int) -> None:
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ImageError(
            f"Expected the file's bytes, got a {type(data).__name__}; pass uploaded_file.getvalue()."
        )
    if len(data) == 0:
        raise ImageError(f"The file is empty (0 bytes); please choose a {FORMATS_FOR_PEOPLE} image.")
    if len(data) > max_bytes:
        raise ImageError(
            f"The file is {len(data) / 1e6:.1f} MB, more than the {max_bytes / 1e6:.1f} MB limit; "
            "please upload a smaller or more compressed image."
        )


def _open_header(data: bytes, max_pixels: int) -> Image.Image:
    """Open lazily (header only) and refuse images that are too large to decode."""
    # Pillow signals a bomb with a global-limit warning or error. We record the warning for
    # this call only (catch_warnings restores the filters on exit) instead of raising the
    # global Image.MAX_IMAGE_PIXELS, and apply our own per-call limit below.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=_registered_formats())
        except Image.DecompressionBombError as err:
            raise _too_many_pixels_error(None, max_pixels) from err
        except UnidentifiedImageError as err:
            raise _unidentified_error(data) from err
        except Exception as err:  # noqa: BLE001 - any decoder failure is a bad file, not a bug
            raise ImageError(
                "This image file is damaged and could not be opened; please export it again or try another file."
            ) from err
    bomb_warned = any(issubclass(w.category, Image.DecompressionBombWarning) for w in caught)
    width, height = image.size
    if bomb_warned or width * height > max_pixels:
        raise _too_many_pixels_error(image.size, max_pixels)
    if width < 1 or height < 1:
        raise ImageError(f"This image has no pixels ({width}×{height}); please upload a real picture.")
    if width * height > PROPORTION_CHECK_PIXELS and width * height > MAX_PIXELS_PER_BYTE * len(data):
        raise ImageError(
            f"This image declares {width}×{height} pixels but the file holds only {len(data) / 1e3:.0f} KB, "
            "far less than a real picture of that size: it was refused as a decompression bomb or a "
            "truncated file; please upload the photo itself."
        )
    return image


# The first bytes of each allowed format: a file that starts like a PNG but does not
# open is a damaged PNG, not "some other kind of file", and the learner should hear that.
_SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "PNG",
    b"\xff\xd8\xff": "JPEG",
    b"GIF8": "GIF",
    b"BM": "BMP",
    b"II*\x00": "TIFF",
    b"MM\x00*": "TIFF",
}


def _unidentified_error(data: bytes) -> ImageError:
    looks_like = next((name for magic, name in _SIGNATURES.items() if data.startswith(magic)), None)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        looks_like = "WebP"
    if looks_like:
        return ImageError(
            f"This {looks_like} file is damaged and could not be opened; "
            "please export it again or try another file."
        )
    return ImageError(f"This file is not an image we can read; please upload a {FORMATS_FOR_PEOPLE} file.")


def _registered_formats() -> tuple[str, ...]:
    # Image.open(formats=...) only knows plugins already registered; init() registers all
    # of them once (later calls return at once), then we keep the ones we allow.
    Image.init()
    return tuple(name for name in ALLOWED_FORMATS if name in Image.OPEN)


def _too_many_pixels_error(size: tuple[int, int] | None, max_pixels: int) -> ImageError:
    declared = f" ({size[0]}×{size[1]})" if size else ""
    return ImageError(
        f"This image declares too many pixels{declared}, more than the {max_pixels / 1e6:.0f} "
        "megapixel limit; please resize it before uploading."
    )


def _load_pixels(image: Image.Image) -> None:
    """Decode the first frame; a truncated or corrupt stream becomes an ImageError."""
    try:
        image.load()
    except Exception as err:  # noqa: BLE001 - OSError, SyntaxError, EOFError, struct.error...
        raise ImageError(
            "This image file is truncated or corrupt and could not be decoded; "
            "please upload the complete file again."
        ) from err


def _exif_orientation(image: Image.Image) -> int:
    try:
        return int(image.getexif().get(_EXIF_ORIENTATION_TAG, 1))
    except Exception:  # noqa: BLE001 - a broken EXIF block should not lose the picture
        return 1


def _apply_exif_orientation(image: Image.Image, orientation: int, notes: list[str]) -> Image.Image:
    """Turn the pixels the way the camera meant them to be seen (ImageOps.exif_transpose's table)."""
    method = _EXIF_TRANSPOSE.get(orientation)
    if method is None:
        return image
    notes.append(f"rotated by EXIF (orientation {orientation})")
    return image.transpose(method)


def _reduce(image: Image.Image, max_side: int | None) -> Image.Image:
    """Shrink by a whole factor (a box average, in the image's own 8-bit mode) while staying at
    least `max_side` on the long side; the exact size comes later, from a LANCZOS resize."""
    if max_side is None or image.mode not in _REDUCIBLE_MODES:
        return image
    factor = max(image.size) // max_side
    return image.reduce(factor) if factor >= 2 else image


def _to_rgb_array(image: Image.Image, notes: list[str]) -> np.ndarray:
    """Any Pillow mode -> H×W×3 uint8 RGB, compositing transparency onto white."""
    mode = image.mode
    if mode == "RGB":
        return np.asarray(image, dtype=np.uint8).copy()
    if mode in _SIXTEEN_BIT_MODES or mode in ("I", "F"):
        return _gray_high_depth_to_rgb(image, notes)
    if mode == "CMYK":
        notes.append("converted from CMYK")
        return np.asarray(image.convert("RGB"), dtype=np.uint8).copy()
    has_alpha = mode in _MODES_WITH_ALPHA or "transparency" in image.info
    if has_alpha:
        notes.append(f"converted from {mode}: transparent areas shown on white")
        return _composite_on_white(image.convert("RGBA"))
    if mode not in ("L", "1", "P"):
        notes.append(f"converted from {mode}")
    try:
        return np.asarray(image.convert("RGB"), dtype=np.uint8).copy()
    except Exception as err:  # noqa: BLE001 - an exotic mode Pillow cannot convert
        raise ImageError(
            f"This image uses the colour mode {mode!r}, which we cannot convert to RGB; "
            "please save it as an ordinary 8-bit RGB PNG or JPEG."
        ) from err


def _gray_high_depth_to_rgb(image: Image.Image, notes: list[str]) -> np.ndarray:
    """16-bit and 32-bit gray are scaled (not clipped) into 0..255."""
    values = np.asarray(image).astype(np.float32)  # exact for 16-bit values; half of float64
    if image.mode == "F":
        notes.append("converted from 32-bit float")
        finite = values[np.isfinite(values)]
        # Float images in [0, 1] are the common scientific convention; anything else is
        # shown as-is within 0..255 so that a mislabelled 8-bit image is not stretched.
        scale = 255.0 if finite.size and finite.min() >= 0 and finite.max() <= 1 else 1.0
        scaled = np.nan_to_num(values, nan=0.0, posinf=255.0, neginf=0.0) * scale
    elif image.mode == "I" and values.size and values.max() <= 255 and values.min() >= 0:
        notes.append("converted from 32-bit integer")  # 8-bit data stored in a wide mode
        scaled = values
    else:
        notes.append("converted from 16-bit: scaled to 8-bit")
        scaled = np.clip(values, 0, 65535) * (255.0 / 65535.0)
    gray = np.clip(np.rint(scaled), 0, 255).astype(np.uint8)
    return np.repeat(gray[:, :, None], 3, axis=2)


def _composite_on_white(rgba: Image.Image) -> np.ndarray:
    """rgb·α + white·(1 − α), computed by Pillow in 8 bits (no float copy of the picture)."""
    white = Image.new("RGB", rgba.size, (255, 255, 255))
    white.paste(rgba, mask=rgba.getchannel("A"))
    return np.asarray(white, dtype=np.uint8).copy()


def _downscale(rgb: np.ndarray, max_side: int | None, original_size: tuple[int, int],
               notes: list[str]) -> tuple[np.ndarray, bool]:
    width, height = original_size
    if max_side is None or max(width, height) <= max_side:
        return rgb, False
    factor = max_side / max(width, height)
    new_width = max(1, round(width * factor))
    new_height = max(1, round(height * factor))
    if rgb.shape[:2] != (new_height, new_width):
        # LANCZOS averages over the source pixels, so detail shrinks instead of aliasing.
        resized = Image.fromarray(rgb).resize((new_width, new_height), Image.Resampling.LANCZOS)
        rgb = np.asarray(resized, dtype=np.uint8).copy()
    notes.append(f"downscaled from {width}×{height} to {new_width}×{new_height}")
    return rgb, True
