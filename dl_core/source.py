"""The source code of a model builder, for the page's "Keras code" panel.

Read from the file with `ast`, not `inspect`, so showing code never imports Keras.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def function_source(relative_path: str, name: str) -> str:
    """Source of the top-level function `name` in `relative_path` (relative to the repo root)."""
    text = (ROOT / relative_path).read_text()
    for node in ast.parse(text).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name == name:
            return ast.get_source_segment(text, node) or ""
    raise ValueError(f"no function {name!r} in {relative_path}")
