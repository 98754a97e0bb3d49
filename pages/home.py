"""Home: what the tool does and the current district on a map."""

from __future__ import annotations

import streamlit as st

from pages import common

common.setup_page()
T = common.translator()
st.title(T("app.title"))
st.caption(T("app.caption"))
st.info(T("app.home_intro"))

d = common.data()
layers = d["layers"]
src = T("data.demo") if d["source"] == "demo" else T("data.upload")
st.write(T("app.data_summary", source=src, areas=len(layers.get("areas", [])),
           facilities=len(layers.get("facilities", [])),
           candidates=len(layers.get("candidates", [])),
           developments=len(layers.get("developments", []))))

from maps.folium_map import build_map  # noqa: E402

sites = layers.get("facilities")
m = build_map(areas=layers.get("areas"), sites=sites, **common.map_kwargs())
common.show_map(m, height=520)
