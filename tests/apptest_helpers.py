"""AppTest helpers shared by the page tests: open a page through the router, read image captions."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from conftest import ROOT


def open_app_page(page_path: str, params: dict, timeout: float = 90) -> AppTest:
    """Run app.py (the real router and sidebar) on `page_path`, with `params` in the URL."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    at.switch_page(page_path)
    for name, value in params.items():
        at.query_params[name] = str(value)
    return at.run()


def image_captions(at: AppTest) -> list[str]:
    """Captions of every st.image on the page (AppTest has no typed accessor for images)."""
    found = []

    def walk(node):
        if getattr(node, "type", None) == "image":
            found.extend(img.caption for img in node.proto.imgs)
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return found
