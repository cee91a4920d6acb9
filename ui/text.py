"""User text made inert before it reaches Streamlit's markdown.

`st.error`, `st.warning`, `st.caption` and friends render markdown: a query value such as
`[Session expired](http://evil/login)` would become a link inside the app, `![p](http://host/x)`
would make the browser fetch a URL, and `:red[...]` would restyle the page. Anything a learner
(or a link) supplied — query values, file names, CSV column names, class folder names, and the
error messages that quote them — goes through `inert` first.
"""

from __future__ import annotations

import re

# The characters that can start markdown in the middle of a sentence: links and images ([ ]),
# HTML and autolinks (< > and the ":" of "http:"), emphasis and code (* _ ~ `), LaTeX ($),
# tables (|), e-mail autolinks (@), Streamlit's ":colour[...]" and ":emoji:" directives (:),
# and the backslash itself. The rest of the punctuation stays as it is, readable in the source.
_SPECIAL = re.compile(r"([\\`*_\[\]<>:$~|@])")
# At the start of a line these begin a heading, a quote or a list.
_LINE_START = re.compile(r"^(\d*)([#>+\-.)])")


# Escapes are undone before GFM turns bare "http://…", "www.…" and "a@b.c" into links (it
# searches the finished text), so an invisible WORD JOINER goes between a scheme ("http", "www",
# "mailto"...) and its ":" or ".", and before an "@": the text reads and copies the same, and
# no link forms. Other colons stay as they are.
_WORD_JOINER = "\u2060"
_AUTOLINK_TRIGGERS = re.compile(r"(?i)\b(www|https?|ftp|mailto|xmpp)(?=\.|\\:)|(?=\\@)")


def inert(text: object) -> str:
    """`text` as markdown that renders exactly those characters and nothing else."""
    flat = " ".join(str(text).split())  # newlines would start new markdown blocks
    escaped = _LINE_START.sub(r"\1\\\2", _SPECIAL.sub(r"\\\1", flat))
    return _AUTOLINK_TRIGGERS.sub(lambda m: (m.group(1) or "") + _WORD_JOINER, escaped)


def shown(markdown: str) -> str:
    """What a reader sees of `inert(text)`: the text itself (for tests and logs)."""
    return re.sub(r"\\(.)", r"\1", markdown.replace(_WORD_JOINER, ""))
