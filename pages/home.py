"""Home: what the tool does and the current district on a map, areas coloured by need."""

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

from errors import InputError  # noqa: E402
from maps.folium_map import build_map  # noqa: E402
from maps.layers import area_measures  # noqa: E402

areas = layers.get("areas")
measures: dict[str, tuple[str, str]] = {}
if areas is not None and len(areas):
    try:
        from planning.demand import compute_demand

        areas = compute_demand(areas, common.profile())
        # what each area needs under the chosen policy profile, in each service's unit
        measures = {col: (kind, label) for col, kind, label in area_measures(
            areas, ["childcare", "eldercare"], lang=common.lang()) if kind == "value"}
    except InputError as exc:
        st.caption(T("home.demand_failed", error=exc.render(common.lang())))
    if "population" in areas.columns:
        measures["population"] = ("value", T("map.measure.population"))
options = list(measures) or [None]
col = st.radio(T("home.colour_by"), options, horizontal=True, key="home_colour",
               format_func=lambda c: measures[c][1] if c else T("map.measure.none"))
kind, label = measures[col] if col else ("value", None)
m = build_map(areas=areas, value_col=col, value_kind=kind, value_label=label,
              sites=layers.get("facilities"), **common.map_kwargs())
common.show_map(m, height=520)
