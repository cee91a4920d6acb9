"""Digits from the fonts this machine has without a download, for variety in the built-in set.

Two sources, both found at run time and skipped cleanly when absent: Pillow's own scalable
default font, and the web fonts that Streamlit (a declared dependency) ships for its pages
(the sans-serif faces of its KaTeX and Source Sans families, as .woff2 files that FreeType
reads). Streamlit's files are located through its package metadata, never imported: dl_core
does not import streamlit.
"""

from __future__ import annotations

import functools
import importlib.metadata

import numpy as np
from PIL import Image, ImageDraw, ImageFont, features

GLYPH_SIZE = 80  # font size the glyphs are drawn at; the final digit is 20 pixels tall
PILLOW_DEFAULT = "pillow-default"
# Streamlit's sans-serif text faces, upright and italic: the nearest to handwriting of what it
# ships (its serif, monospace and bold faces, and KaTeX's symbol fonts, are left out).
STREAMLIT_FACES = ("KaTeX_SansSerif-Regular", "KaTeX_SansSerif-Italic", "SourceSansVF-")
BOX_PIXELS = 20  # the longer side a digit is normalised to (builtin_digits.BOX)
MESH_CELLS = 4  # the elastic distortion is piecewise bilinear on a 4×4 grid


def _streamlit_fonts() -> list[str]:
    try:
        files = importlib.metadata.files("streamlit") or []
    except importlib.metadata.PackageNotFoundError:
        return []
    paths = [file for file in files if file.name.endswith((".woff2", ".ttf", ".otf"))
             and file.name.startswith(STREAMLIT_FACES)]
    return sorted(str(file.locate()) for file in paths)


@functools.lru_cache(maxsize=None)
def _load(key: str, size: int) -> ImageFont.FreeTypeFont:
    if key == PILLOW_DEFAULT:
        return ImageFont.load_default(size=size)
    return ImageFont.truetype(key, size)


def _draws_ten_digits(key: str) -> bool:
    """Whether the font loads and has ten distinct, non-empty digit glyphs (not one 'missing'
    box for all of them)."""
    try:
        glyphs = [_glyph(key, digit, 0) for digit in range(10)]
    except OSError:
        return False
    shapes = {(glyph.size, glyph.tobytes()) for glyph in glyphs}
    return len(shapes) == 10 and all(glyph.getbbox() for glyph in glyphs)


@functools.lru_cache(maxsize=1)
def available() -> tuple[str, ...]:
    """The fonts usable now, in a stable order (the order feeds the random choice)."""
    if not features.check("freetype2"):  # without FreeType Pillow has only a tiny bitmap font
        return ()
    candidates = [PILLOW_DEFAULT] + _streamlit_fonts()
    return tuple(key for key in candidates if _draws_ten_digits(key))


@functools.lru_cache(maxsize=None)
def _glyph(key: str, digit: int, thickness: int) -> Image.Image:
    """A white-on-black glyph cropped to its ink; `thickness` widens the strokes (cached: a few
    hundred distinct ones exist)."""
    font = _load(key, GLYPH_SIZE)
    margin = GLYPH_SIZE // 2
    canvas = Image.new("L", (GLYPH_SIZE * 2, GLYPH_SIZE * 2), 0)
    ImageDraw.Draw(canvas).text((margin, margin), str(digit), fill=255, font=font,
                                stroke_width=thickness, stroke_fill=255)
    box = canvas.getbbox()
    return canvas.crop(box) if box else canvas


@functools.lru_cache(maxsize=None)
def _stem_width(key: str) -> float:
    """The font's stroke width, as a fraction of its digits' height: the median width of ink
    across the rows of its '1', which the stem fills but for its flag and foot (a light face
    and a bold one differ by a factor of three)."""
    one = _glyph(key, 1, 0)
    row_ink = np.asarray(one, dtype=np.float64).sum(1) / 255.0
    return float(np.median(row_ink) / one.height)


def _thickness(key: str, pen: float) -> int:
    """How much to widen the glyphs (Pillow's stroke_width, in glyph pixels) so that the strokes
    come out `pen` wide in a digit BOX_PIXELS tall."""
    height = _glyph(key, 8, 0).height
    missing = pen / BOX_PIXELS * height - _stem_width(key) * height
    return max(0, int(round(missing / 2)))


def draw(key: str, digit: int, rng: np.random.Generator, matrix: np.ndarray,
         pen: float) -> Image.Image:
    """The digit in font `key` with strokes about `pen` final pixels wide, mapped by the 2×2
    `matrix` (slant, rotation, aspect) and elastically distorted."""
    glyph = _glyph(key, digit, _thickness(key, pen))
    height = glyph.height
    centre = np.array(glyph.size) / 2
    corners = (np.array([[0, 0], [glyph.width, 0], [0, height], glyph.size]) - centre) @ matrix.T
    low, high = corners.min(0) - 2, corners.max(0) + 2
    size = np.ceil(high - low).astype(int)
    inverse = np.linalg.inv(matrix)
    grid_x = np.linspace(0, size[0], MESH_CELLS + 1)
    grid_y = np.linspace(0, size[1], MESH_CELLS + 1)
    out = np.stack(np.meshgrid(grid_x, grid_y), axis=-1)  # (rows, cols, 2) output points
    source = (out + low) @ inverse.T + centre
    inner = (slice(1, -1), slice(1, -1))  # the border stays put: nothing is pulled off-canvas
    source[inner] += rng.normal(0.0, 0.03 * height, source[inner].shape)
    corners = (source[:-1, :-1], source[1:, :-1], source[1:, 1:], source[:-1, 1:])  # NW SW SE NE
    quads = np.stack(corners, axis=2).reshape(MESH_CELLS * MESH_CELLS, 8).tolist()
    xs, ys = grid_x.astype(int).tolist(), grid_y.astype(int).tolist()
    boxes = [(xs[col], ys[row], xs[col + 1], ys[row + 1])
             for row in range(MESH_CELLS) for col in range(MESH_CELLS)]
    mesh = list(zip(boxes, quads))
    return glyph.transform((int(size[0]), int(size[1])), Image.MESH, mesh, Image.BILINEAR)
