"""Export (导出): offline HTML map, PNG/PDF figure, GeoPackage, Excel, report PDF."""

from __future__ import annotations

import streamlit as st

from pages import common

common.setup_page()
T = common.translator()
st.header(T("page.export"))

store = common.store()
owner = common.owner_id()
saved = store.list(owner=owner)
options = (["__current__"] if st.session_state.get("run") else []) + [s["id"] for s in saved]
if not options:
    st.info(T("exp.nothing"))
    st.stop()
names = {s["id"]: s["name"] for s in saved} | {"__current__": T("exp.current")}
choice = st.selectbox(T("exp.scenario"), options, format_func=names.get, key="exp_choice")

from maps.bundle import scenario_bundle  # noqa: E402

if st.button(T("exp.prepare"), type="primary", key="exp_prepare"):
    try:
        if choice == "__current__":
            run = st.session_state["run"]["run"]
            bundle = scenario_bundle(run=run, name=T("exp.current"),
                                     profile=common.profile(), **common.map_kwargs())
        else:
            sc = store.load(choice, owner=owner)
            bundle = scenario_bundle(scenario=sc, profile=common.profile_for(sc.profile_id),
                                     **common.map_kwargs())
        st.session_state["exp_bundle"] = bundle
    except Exception as exc:  # noqa: BLE001
        st.session_state.pop("exp_bundle", None)
        common.show_error(exc)

bundle = st.session_state.get("exp_bundle")
if bundle:
    for key, (label, fname, mime) in {
        "html": (T("exp.html"), "map.html", "text/html"),
        "png": (T("exp.png"), "map.png", "image/png"),
        "pdf_fig": (T("exp.pdf_fig"), "map.pdf", "application/pdf"),
        "gpkg": (T("exp.gpkg"), "layers.gpkg", "application/geopackage+sqlite3"),
        "xlsx": (T("exp.xlsx"), "tables.xlsx",
                 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        "report": (T("exp.report"), "report.pdf", "application/pdf"),
    }.items():
        st.download_button(label, data=bundle[key], file_name=fname, mime=mime,
                           key=f"dl_{key}")
    st.image(bundle["png"])
