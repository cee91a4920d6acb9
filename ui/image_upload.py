"""One image uploader for every page: same accepted types, same validation, same messages."""

from __future__ import annotations

import streamlit as st

from dl_core.images import DecodedImage, ImageError, decode_image_info
from ui.text import inert

UPLOAD_TYPES = ["png", "jpg", "jpeg", "gif", "bmp", "webp", "tif", "tiff"]


def image_upload(
    label: str,
    key: str,
    *,
    max_side: int | None = 1024,
    help: str | None = None,  # noqa: A002 - mirrors st.file_uploader's argument name
) -> DecodedImage | None:
    """Show a file uploader; return the decoded image, or None when nothing usable was given.

    A bad file shows `st.error` with the decoder's one-sentence message, never a traceback.
    Whatever the decoder did to the picture (downscaled, rotated, converted) is shown as a caption.
    """
    uploaded = st.file_uploader(label, type=UPLOAD_TYPES, key=key, help=help)
    if uploaded is None:
        return None
    decoded, error = _decode_cached(uploaded.getvalue(), max_side)
    if error is not None:
        st.error(error)
        return None
    if decoded.notes:
        st.caption(f"{inert(uploaded.name)}: " + "; ".join(decoded.notes) + ".")
    return decoded


# Every widget change reruns the page; without a cache each rerun would decode the same
# multi-megabyte photo again. Keyed by the bytes, so a new upload is decoded once.
@st.cache_data(max_entries=16, show_spinner=False)
def _decode_cached(data: bytes, max_side: int | None) -> tuple[DecodedImage | None, str | None]:
    try:
        return decode_image_info(data, max_side=max_side), None
    except ImageError as err:
        return None, str(err)
