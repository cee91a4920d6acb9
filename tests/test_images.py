"""dl_core.images: every awkward upload is generated here with Pillow, nothing from disk."""

from __future__ import annotations

import io
import struct
import time
import warnings
import zlib

import numpy as np
import pytest
from PIL import Image, ImageDraw

from dl_core.digit_input import fit_to_square, to_grayscale
from dl_core.images import (
    DecodedImage,
    ImageError,
    decode_image,
    decode_image_info,
)

from make_files import encode_image

encode = encode_image


def png_declaring_size(width: int, height: int) -> bytes:
    """A tiny, valid-looking PNG whose header claims width×height gray pixels."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def assert_learner_message(err: pytest.ExceptionInfo) -> None:
    message = str(err.value)
    assert message and "\n" not in message and message.endswith("."), message
    assert "Traceback" not in message


# --- refusals ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data, expected_words",
    [
        (b"", "empty"),
        (b"hello, this is a text file and not a picture\n" * 10, "not an image"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "damaged"),
        (b"GIF89a" + b"\xff" * 30, "damaged"),
    ],
    ids=["empty", "text", "corrupt-png", "corrupt-gif"],
)
def test_refuses_non_images(data, expected_words):
    with pytest.raises(ImageError, match=expected_words) as err:
        decode_image(data)
    assert_learner_message(err)


def test_refuses_truncated_jpeg():
    noise = np.random.default_rng(0).integers(0, 256, (200, 200, 3), dtype=np.uint8)
    whole = encode(Image.fromarray(noise), "JPEG", quality=90)
    assert decode_image(whole).shape == (200, 200, 3)
    with pytest.raises(ImageError, match="truncated or corrupt") as err:
        decode_image(whole[: len(whole) // 2])
    assert_learner_message(err)


def test_refuses_byte_strings_over_the_limit():
    small_png = encode(Image.new("RGB", (8, 8)), "PNG")
    with pytest.raises(ImageError, match="limit"):
        decode_image(small_png, max_bytes=len(small_png) - 1)
    with pytest.raises(ImageError, match="8.0 MB limit") as err:
        decode_image(small_png + b"\x00" * 8_000_000)
    assert_learner_message(err)


def test_refuses_something_that_is_not_bytes():
    with pytest.raises(ImageError, match="str"):
        decode_image("photo.png")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "width, height",
    [(100_000, 100_000), (10_000, 10_000), (7_000, 7_000)],
    ids=["over-2x-pillow-limit", "over-pillow-limit", "over-our-limit"],
)
def test_refuses_decompression_bombs_quickly_without_leaking_state(width, height):
    limit_before = Image.MAX_IMAGE_PIXELS
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a bomb warning escaping to the caller fails the test
        with pytest.raises(ImageError, match="too many pixels") as err:
            decode_image(png_declaring_size(width, height))
    # Decoding 10^10 pixels would take minutes and gigabytes; a header check takes ms.
    assert time.perf_counter() - started < 1.0
    assert Image.MAX_IMAGE_PIXELS == limit_before
    assert_learner_message(err)


def test_pixel_limit_is_per_call():
    data = encode(Image.new("RGB", (100, 100)), "PNG")
    with pytest.raises(ImageError, match="too many pixels"):
        decode_image(data, max_pixels=5_000)
    assert decode_image(data).shape == (100, 100, 3)


# --- colour modes -----------------------------------------------------------------------


def test_cmyk_jpeg_becomes_rgb():
    cyan_free_red = Image.new("CMYK", (16, 16), (0, 255, 255, 0))  # no cyan = red
    info = decode_image_info(encode(cyan_free_red, "JPEG", quality=95))
    assert info.mode == "CMYK" and "converted from CMYK" in info.notes
    red, green, blue = info.array[8, 8].astype(int)
    assert red > 230 and green < 30 and blue < 30


def test_sixteen_bit_png_is_scaled_not_clipped():
    levels = np.array([[0, 257, 32896, 65535]], dtype=np.uint16)
    data = encode(Image.fromarray(levels), "PNG")
    info = decode_image_info(data)
    assert info.array.dtype == np.uint8 and info.array.shape == (1, 4, 3)
    # Clipping would give [0, 255, 255, 255]; scaling keeps the ramp.
    assert info.array[0, :, 0].tolist() == [0, 1, 128, 255]
    assert any("16-bit" in note for note in info.notes)


def test_rgba_is_composited_onto_white():
    pixels = np.zeros((2, 2, 4), dtype=np.uint8)
    pixels[0, 0] = (255, 0, 0, 255)  # opaque red stays red
    pixels[0, 1] = (255, 0, 0, 0)  # invisible red becomes white
    pixels[1, 0] = (0, 0, 0, 128)  # half-transparent black becomes mid gray
    pixels[1, 1] = (0, 0, 255, 255)
    rgb = decode_image(encode(Image.fromarray(pixels, "RGBA"), "PNG"))
    assert rgb[0, 0].tolist() == [255, 0, 0]
    assert rgb[0, 1].tolist() == [255, 255, 255]
    assert rgb[1, 0].tolist() == [127, 127, 127]
    assert rgb[1, 1].tolist() == [0, 0, 255]


def test_la_is_composited_onto_white():
    la = Image.new("LA", (2, 1))
    la.putpixel((0, 0), (0, 0))  # transparent black -> white
    la.putpixel((1, 0), (0, 255))  # opaque black stays black
    rgb = decode_image(encode(la, "PNG"))
    assert rgb[0, 0].tolist() == [255, 255, 255]
    assert rgb[0, 1].tolist() == [0, 0, 0]


def test_palette_with_transparency():
    palette_image = Image.new("P", (4, 4), 0)
    palette_image.putpalette([0, 0, 0, 0, 200, 0] + [0] * (256 * 3 - 6))
    palette_image.putpixel((1, 1), 1)
    info = decode_image_info(encode(palette_image, "PNG", transparency=0))
    assert info.mode == "P"
    assert info.array[0, 0].tolist() == [255, 255, 255]  # index 0 is transparent
    assert info.array[1, 1].tolist() == [0, 200, 0]


def test_palette_without_transparency_keeps_colours():
    palette_image = Image.new("RGB", (4, 4), (10, 20, 30)).convert("P", palette=Image.Palette.ADAPTIVE)
    assert decode_image(encode(palette_image, "GIF"))[2, 2].tolist() == [10, 20, 30]


def test_one_bit_image():
    bits = Image.new("1", (3, 1), 0)
    bits.putpixel((1, 0), 1)
    rgb = decode_image(encode(bits, "PNG"))
    assert rgb[0, :, 0].tolist() == [0, 255, 0]


def test_float_image_in_unit_range_is_scaled():
    floats = Image.fromarray(np.array([[0.0, 0.5, 1.0]], dtype=np.float32))
    rgb = decode_image(encode(floats, "TIFF"))
    assert rgb[0, :, 0].tolist() == [0, 128, 255]


def test_grayscale_becomes_three_equal_channels():
    rgb = decode_image(encode(Image.new("L", (5, 4), 77), "PNG"))
    assert rgb.shape == (4, 5, 3) and rgb.dtype == np.uint8 and (rgb == 77).all()


# --- orientation, frames, size ----------------------------------------------------------


def test_exif_orientation_six_rotates_clockwise():
    stored = Image.new("RGB", (80, 40), (255, 255, 255))  # landscape as stored by the sensor
    ImageDraw.Draw(stored).rectangle((0, 0, 19, 19), fill=(255, 0, 0))  # red at top-left
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"
    info = decode_image_info(encode(stored, "JPEG", quality=95, exif=exif.tobytes()))
    assert info.array.shape == (80, 40, 3)  # portrait now: H and W swapped
    assert info.original_size == (40, 80)
    assert any("rotated by EXIF" in note for note in info.notes)
    # After a clockwise quarter turn the top-left corner lands at the top-right.
    assert info.array[5, 34].tolist()[0] > 200 and info.array[5, 34].tolist()[1] < 60
    assert info.array[5, 5].tolist() == pytest.approx([255, 255, 255], abs=10)


def test_animated_gif_uses_first_frame():
    frames = [Image.new("RGB", (6, 6), colour) for colour in [(255, 0, 0), (0, 255, 0), (0, 0, 255)]]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:], duration=50, loop=0)
    info = decode_image_info(buffer.getvalue())
    assert info.array[3, 3].tolist() == [255, 0, 0]
    assert any("first of its 3 frames" in note for note in info.notes)


def test_downscale_keeps_aspect_and_says_so():
    info = decode_image_info(encode(Image.new("RGB", (400, 300), (9, 9, 9)), "PNG"), max_side=100)
    assert isinstance(info, DecodedImage)
    assert info.array.shape == (75, 100, 3) and info.downscaled
    assert info.original_size == (400, 300)
    assert "downscaled from 400×300 to 100×75" in info.notes
    assert decode_image(encode(Image.new("RGB", (40, 30)), "PNG"), max_side=100).shape == (30, 40, 3)


def test_plain_rgb_has_no_notes():
    info = decode_image_info(encode(Image.new("RGB", (10, 10)), "PNG"), max_side=100)
    assert info.notes == [] and not info.downscaled and info.format == "PNG"


# --- MNIST-style input ------------------------------------------------------------------


def drawn_seven(width=220, height=160) -> np.ndarray:
    """A black '7' on white paper, off-centre towards the top-left, as a phone would see it."""
    paper = Image.new("RGB", (width, height), (235, 235, 230))
    pen = ImageDraw.Draw(paper)
    pen.line((30, 20, 90, 20), fill=(20, 20, 20), width=9)
    pen.line((90, 20, 55, 110), fill=(20, 20, 20), width=9)
    return np.asarray(paper)


def test_to_grayscale_range_and_shape():
    gray = to_grayscale(drawn_seven())
    assert gray.dtype == np.float32 and gray.shape == (160, 220)
    assert 0.0 <= gray.min() < 0.1 and 0.9 < gray.max() <= 1.0
    with pytest.raises(ValueError, match="shape"):
        to_grayscale(np.zeros((2, 3, 4, 5)))


def test_fit_to_square_makes_a_centred_white_on_black_digit():
    square, steps = fit_to_square(to_grayscale(drawn_seven()))
    assert square.shape == (28, 28) and square.dtype == np.float32
    assert square.max() == pytest.approx(1.0) and square.min() >= 0.0
    assert [title for title, _ in steps] == ["original grayscale", "inverted", "cropped", "28×28"]
    assert all(image.dtype == np.uint8 for _, image in steps)
    # White on black: the 4-pixel margin is background, the ink is bright.
    assert square[:4].max() == 0 and square[-4:].max() == 0 and square[:, :4].max() == 0
    # Centred: the bounding box of the ink sits in the middle of the 28×28 frame.
    rows = np.flatnonzero(square.max(axis=1) > 0.25)
    cols = np.flatnonzero(square.max(axis=0) > 0.25)
    assert abs((rows[0] + rows[-1]) / 2 - 13.5) <= 1.5
    assert abs((cols[0] + cols[-1]) / 2 - 13.5) <= 1.5
    assert rows[-1] - rows[0] >= 18  # the tall side fills the 20-pixel box


def test_fit_to_square_keeps_light_on_dark_input_as_is():
    inverted_photo = 255 - drawn_seven()
    square, steps = fit_to_square(inverted_photo)
    assert "inverted" not in [title for title, _ in steps]
    assert square.max() == pytest.approx(1.0) and square[0, 0] == 0


def test_fit_to_square_refuses_blank_and_bad_arguments():
    with pytest.raises(ValueError, match="blank"):
        fit_to_square(np.full((30, 30), 0.8, dtype=np.float32))
    with pytest.raises(ValueError, match="margin"):
        fit_to_square(to_grayscale(drawn_seven()), size=8, margin=4)
    with pytest.raises(ValueError, match="invert"):
        fit_to_square(to_grayscale(drawn_seven()), invert="yes")


# --- hostile uploads: bounded work (issue: a 140 KB PNG cost 15.6 s and 2.2 GB) -----------------

def test_a_decompression_bomb_is_refused_from_its_header():
    from make_files import hostile_images

    images = hostile_images()
    for name in ("6000² RGBA PNG bomb (140 KB)", "truncated PNG declaring 6000²"):
        with pytest.raises(ImageError, match="refused as a decompression bomb or a truncated file"):
            decode_image_info(images[name], max_side=1024)
    with pytest.raises(ImageError, match="too many pixels"):
        decode_image_info(images["PNG header declaring 30000²"], max_side=1024)


def test_a_big_photo_is_shrunk_while_decoding():
    from make_files import hostile_images

    info = decode_image_info(hostile_images()["4000×3000 JPEG, EXIF-rotated"], max_side=1024)
    assert info.original_size == (3000, 4000) and info.array.shape == (1024, 768, 3)
    assert "downscaled from 3000×4000 to 768×1024" in info.notes


HOSTILE_DECODER = """
import json, sys
sys.path.insert(0, sys.argv[1])
from dl_core.images import ImageError, decode_image_info
def status_kb(field):  # VmRSS: resident now; VmHWM: the peak since the last reset
    return int(next(l for l in open("/proc/self/status") if l.startswith(field)).split()[1])
open("/proc/self/clear_refs", "w").write("5")  # reset the peak: imports do not count
baseline = status_kb("VmRSS")
outcomes = {}
for path in sys.argv[2:]:
    try:
        outcomes[path] = list(decode_image_info(open(path, "rb").read(), max_side=1024).array.shape)
    except ImageError as err:
        outcomes[path] = str(err)
grown = (status_kb("VmHWM") - baseline) / 1024
print(json.dumps({"grown_mb": grown, "outcomes": outcomes}))
"""


def test_no_hostile_upload_costs_more_than_300_mb(tmp_path):
    """Decoded in a fresh process, whose peak resident memory is what the server would pay."""
    import json
    import subprocess
    import sys

    from conftest import ROOT
    from make_files import hostile_images

    paths = []
    for index, data in enumerate(hostile_images().values()):
        paths.append(tmp_path / f"upload-{index}")
        paths[-1].write_bytes(data)
    result = subprocess.run([sys.executable, "-c", HOSTILE_DECODER, str(ROOT), *map(str, paths)],
                            capture_output=True, text=True, timeout=120, check=True)
    report = json.loads(result.stdout)
    assert report["grown_mb"] < 300, report
    assert all(isinstance(outcome, (list, str)) for outcome in report["outcomes"].values())
