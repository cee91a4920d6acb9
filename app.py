"""DL Lab router: page config, grouped navigation and the shared sidebar.

Run with `make run` (or `streamlit run app.py`). Importing this file must stay cheap: no
TensorFlow here or on the home page; pages that train import it only when they need a model.
"""

import streamlit as st

from dl_core import settings
from ui.errors import show_unexpected
from ui.navigation import GROUPS, HOME
from ui.sidebar import render_sidebar
from ui.startup import import_shared_libraries

import_shared_libraries()  # one session at a time: see ui/startup.py

st.set_page_config(page_title="DL Lab", page_icon=":material/school:", layout="wide")

pages = {"": [st.Page(HOME.path, title=HOME.title, icon=HOME.icon, url_path=HOME.url_path,
                      default=True)]}
for group, infos in GROUPS.items():
    pages[group] = [st.Page(p.path, title=p.title, icon=p.icon, url_path=p.url_path) for p in infos]

current = st.navigation(pages)
render_sidebar()
try:
    current.run()
except Exception as error:  # the page boundary: one line and an expander, never a traceback
    if settings.strict_pages():
        raise  # the tests want to see it
    show_unexpected(error)
