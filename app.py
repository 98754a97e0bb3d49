"""Streamlit entry point: ``streamlit run app.py`` opens the tool on the demo district.

Thin by design: the sidebar (language, policy profile, base map) and the page list; each page
in ``pages/`` only wires widgets to planning/, geo/, optimizer/ and maps/.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from core.texts import t  # noqa: E402
from pages import common  # noqa: E402

st.set_page_config(page_title="一老一小设施规划 · Planning", page_icon=":material/home_work:",
                   layout="wide")

def _keep_language() -> None:
    # The language lives in its own state key, not in the widget's: the widget's label and
    # options follow the language, and Streamlit may take a relabelled widget for a new one
    # and drop its value, which switched the interface back to Chinese on the next run.
    st.session_state["lang"] = st.session_state["lang_choice"]


def _keep_profile() -> None:
    st.session_state["profile_id"] = st.session_state["profile_choice"]


T = common.translator()
with st.sidebar:
    languages = ["zh", "en"]
    st.radio(t("app.language", common.lang()), languages, key="lang_choice", horizontal=True,
             index=languages.index(common.lang()), on_change=_keep_language,
             format_func=lambda x: "中文" if x == "zh" else "English")
    choices = common.profile_choices()
    ids = [c[0] for c in choices]
    default = st.session_state.get("profile_id", common.DEFAULT_PROFILE)
    # like the language: the chosen profile lives in its own state key, so that relabelling
    # the widget in the other language never resets it to the first profile in the list
    st.session_state["profile_id"] = default if default in ids else ids[0]
    st.selectbox(T("app.profile"), ids, key="profile_choice",
                 index=ids.index(st.session_state["profile_id"]),
                 on_change=_keep_profile, format_func=common.profile_label)
    st.selectbox(T("app.basemap"), ["offline", "osm", "tianditu", "amap"],
                 key="basemap", format_func=lambda b: T(f"map.{b}"))
    if st.session_state.get("basemap") == "tianditu":
        st.text_input(T("app.tianditu_key"), key="tianditu_key", type="password")

common.setup_page()

pages = [
    st.Page("pages/home.py", title=T("page.home"), icon=":material/home:", default=True),
    st.Page("pages/data.py", title=T("page.data"), icon=":material/database:"),
    st.Page("pages/compliance.py", title=T("page.compliance"), icon=":material/rule:"),
    st.Page("pages/indicators.py", title=T("page.indicators"), icon=":material/monitoring:"),
    st.Page("pages/scenarios.py", title=T("page.scenarios"), icon=":material/location_on:"),
    st.Page("pages/comparison.py", title=T("page.comparison"), icon=":material/compare:"),
    st.Page("pages/sensitivity.py", title=T("page.sensitivity"), icon=":material/ssid_chart:"),
    st.Page("pages/export.py", title=T("page.export"), icon=":material/download:"),
]
st.navigation(pages).run()
