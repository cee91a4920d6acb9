"""Files the tests build instead of reading from disk: images, zips and CSVs, as bytes.

One place for them, so every test that needs "a PNG of a digit" or "a zip of class folders"
makes the same one, and a new kind of awkward file is added once.
"""

from __future__ import annotations

import functools
import io
import warnings
import zipfile

import numpy as np
from PIL import Image, ImageDraw


def encode_image(image: Image.Image, fmt: str = "PNG", **save_args) -> bytes:
    """`image` saved in `fmt` (PNG, JPEG, GIF, ...), as bytes."""
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **save_args)
    return buffer.getvalue()


def solid_image(width: int, height: int, colour=(200, 40, 40), fmt: str = "PNG") -> bytes:
    """One flat colour: the simplest valid image of a given size."""
    return encode_image(Image.new("RGB", (width, height), colour), fmt)


def digit_png() -> bytes:
    """A hand-drawn-looking "1": a thick black stroke on white, portrait like a phone photo."""
    image = Image.new("RGB", (120, 160), "white")
    ImageDraw.Draw(image).line([(60, 20), (60, 140)], fill="black", width=14)
    return encode_image(image)


def photo_png() -> bytes:
    """A small landscape "photo": an orange ellipse on a blue background."""
    image = Image.new("RGB", (160, 120), (90, 140, 200))
    ImageDraw.Draw(image).ellipse([40, 30, 120, 100], fill=(230, 120, 40))
    return encode_image(image)


def shape_png(kind: str, seed: int, size: int = 48) -> bytes:
    """A PNG of a circle ("round") or a square ("square") at a random place and colour."""
    rng = np.random.default_rng(seed)
    image = Image.new("RGB", (size, size), tuple(int(v) for v in rng.integers(0, 90, 3)))
    x, y = (int(v) for v in rng.integers(4, size // 2, 2))
    box = (x, y, x + size // 2 - 2, y + size // 2 - 2)
    colour = tuple(int(v) for v in rng.integers(160, 255, 3))
    draw = ImageDraw.Draw(image)
    (draw.ellipse if kind == "round" else draw.rectangle)(box, fill=colour)
    return encode_image(image)


def zip_bytes(entries: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A zip holding `entries` (archive name -> content), names written exactly as given."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def png_header_only(width: int, height: int, colour_type: int = 6) -> bytes:
    """A PNG that declares width×height pixels and holds none: a signature, IHDR and IEND."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


@functools.lru_cache(maxsize=1)
def hostile_images() -> dict[str, bytes]:
    """A dozen uploads that have cost a server time or memory, or crashed a decoder: bombs,
    truncated files, odd modes and sizes. Shared by tests/test_images.py and bench/bench_uploads.py."""
    rng = np.random.default_rng(0)
    noise = rng.integers(0, 255, (750, 1000, 3), dtype=np.uint8)
    photo = Image.fromarray(noise).resize((4000, 3000), Image.Resampling.BILINEAR)
    bomb = encode_image(Image.new("RGBA", (6000, 6000), (0, 0, 0, 0)))
    texture = Image.fromarray(rng.integers(0, 255, (40, 40, 4), dtype=np.uint8), "RGBA")
    rgba = texture.resize((1800, 1800), Image.Resampling.BILINEAR)  # smooth, like a real cut-out
    exif = Image.Exif()
    exif[0x0112] = 6
    frames = [Image.new("L", (300, 300), 4 * index) for index in range(61)]  # gray: cheap to write
    gif = io.BytesIO()
    frames[0].save(gif, format="GIF", save_all=True, append_images=frames[1:], duration=20)
    big_jpeg = encode_image(photo, "JPEG", quality=70)
    return {
        "6000² RGBA PNG bomb (140 KB)": bomb,
        "truncated PNG declaring 6000²": bomb[:150],
        "PNG header declaring 30000²": png_header_only(30000, 30000),
        "4000×3000 JPEG photo": big_jpeg,
        "truncated JPEG photo": big_jpeg[: len(big_jpeg) // 2],
        "4000×3000 JPEG, EXIF-rotated": encode_image(photo, "JPEG", quality=70, exif=exif.tobytes()),
        "1800² RGBA PNG with real transparency": encode_image(rgba),
        "3000² CMYK JPEG": encode_image(photo.crop((0, 0, 3000, 3000)).convert("CMYK"), "JPEG"),
        "2000² 16-bit gray PNG": encode_image(Image.fromarray(
            np.tile(np.linspace(0, 65535, 2000).astype(np.uint16), (2000, 1)))),
        "animated GIF, 61 frames": gif.getvalue(),
        "1×1 PNG": solid_image(1, 1),
        "a text file named .png": b"hello, this is not a picture\n" * 10,
    }


# -- zips --------------------------------------------------------------------------------------

def two_class_zip_entries(extra: dict[str, bytes] | None = None) -> dict[str, bytes]:
    """A good zip's entries: ants/ and bees/, three small PNGs each (plus `extra`)."""
    return {**{f"{c}/{i}.png": shape_png("round" if c == "ants" else "square", i)
               for c in ("ants", "bees") for i in range(3)},
            **(extra or {})}


def _stored_zip(entries: dict[str, bytes]) -> bytes:
    return zip_bytes(entries, compression=zipfile.ZIP_STORED)  # the bytes appear as written


def _encrypted_zip() -> bytes:
    """A zip whose entry says "encrypted" (bit 0 of the flags) in both of its headers."""
    data = bytearray(_stored_zip(two_class_zip_entries()))
    for signature, flags_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = data.find(signature)
        data[start + flags_at] |= 0x1
    return bytes(data)


def _bad_crc() -> bytes:
    first = shape_png("round", 0)
    return _stored_zip(two_class_zip_entries()).replace(first[100:110], b"0123456789", 1)


def _lying_header() -> bytes:
    """The local header names another file than the central directory does."""
    return _stored_zip(two_class_zip_entries()).replace(b"ants/0.png", b"ants/9.png", 1)


def _same_name_twice() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in two_class_zip_entries().items():
            archive.writestr(name, data)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "Duplicate name": exactly the point
            archive.writestr("ants/0.png", shape_png("round", 9))
    return buffer.getvalue()


@functools.lru_cache(maxsize=1)
def hostile_zips() -> dict[str, bytes]:
    """Zips that have escaped as tracebacks: damaged, encrypted, colliding, overlong, odd layouts."""
    png = shape_png("round", 1)
    return {
        "bad CRC": _bad_crc(),
        "lying local header": _lying_header(),
        "encrypted entry": _encrypted_zip(),
        "file and folder with one name": zip_bytes(two_class_zip_entries({"ants": b"not a folder"})),
        "the same name twice": _same_name_twice(),
        "300-character name": zip_bytes(two_class_zip_entries({"ants/" + "x" * 300 + ".png": png})),
        "not a zip at all": b"PK\x03\x04 but nothing else",
        "an empty class folder": zip_bytes({**two_class_zip_entries(), "wasps/": b""}),
        "a single class": zip_bytes({f"ants/{i}.png": png for i in range(4)}),
        "no class folders": zip_bytes({"1.png": png, "2.png": png}),
    }
