"""The page boundary: an unexpected exception becomes one line and an expander, never a traceback.

`client.showErrorDetails = "none"` (.streamlit/config.toml) stops Streamlit from printing
exceptions with server paths; these helpers say what went wrong instead, with every absolute
path cut down to its last name. The full traceback goes to the server's log.
"""

from __future__ import annotations

import logging
import re
import traceback

import streamlit as st

from ui.text import inert

log = logging.getLogger(__name__)

# An absolute POSIX path (or a Windows one): everything up to the last component goes.
_ABSOLUTE_PATH = re.compile(r"(?<![\w:/])(?:[A-Za-z]:)?(?:[\\/][\w.\-+@~]*)+[\\/](?=[\w.\-+@~])")


def scrub_paths(text: str) -> str:
    """`text` with every absolute path reduced to its final name (`/root/x/model.keras` -> `model.keras`)."""
    return _ABSOLUTE_PATH.sub("", text)


def one_line(error: BaseException) -> str:
    """`ValueError: what went wrong`, without server paths, on one line."""
    message = " ".join(str(error).split()) or "no message"
    return scrub_paths(f"{type(error).__name__}: {message}")


def show_unexpected(error: Exception) -> None:
    """What a page shows when something it did not foresee went wrong."""
    log.exception("unexpected error in a page")
    st.error(f"Something went wrong on this page: {inert(one_line(error))}. Changing the setting "
             "or reloading the page usually helps; nothing you trained is lost.")
    with st.expander("Technical details"):
        st.code(scrub_paths("".join(traceback.format_exception(error))), language=None)


def show_details(details: str) -> None:
    """A failed job's traceback, in an expander, with server paths cut out."""
    with st.expander("Technical details"):
        st.code(scrub_paths(details), language=None)
