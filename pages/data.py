"""Data: the demo district by default, or the planner's own layers and street network."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.texts import column_label
from pages import common

common.setup_page()
T = common.translator()
LANG = common.lang()
st.header(T("page.data"))

CRS_CHOICES = ["auto", "wgs84", "cgcs2000", "gcj02", "bd09", "EPSG:4547", "EPSG:4549",
               "EPSG:32650"]
LAYER_KINDS = ["areas", "developments", "facilities", "candidates", "admin_units"]


def _crs_label(c: str) -> str:
    return T("data.crs_auto") if c == "auto" else {
        "wgs84": "WGS84 (EPSG:4326)", "cgcs2000": "CGCS2000 (EPSG:4490)",
        "gcj02": "GCJ-02 (高德/腾讯)", "bd09": "BD-09 (百度)"}.get(c, c)


def _field_option(name: str) -> str:
    """A canonical field name with its meaning, e.g. 'households（户数）'."""
    label = column_label(name, LANG) if name else name
    if not name or label == name:
        return name
    return f"{name}（{label}）" if LANG == "zh" else f"{name} ({label})"


def _stash_upload() -> None:
    f = st.session_state.get("upload_file")
    if f is not None:
        st.session_state["pending_upload"] = (f.name, f.getvalue())


d = common.data()
src = T("data.demo") if d["source"] == "demo" else T("data.upload")
st.write(T("app.data_summary", source=src, areas=len(d["layers"].get("areas", [])),
           facilities=len(d["layers"].get("facilities", [])),
           candidates=len(d["layers"].get("candidates", [])),
           developments=len(d["layers"].get("developments", []))))
if d["source"] != "demo" and st.button(T("data.reset_demo")):
    common.reset_demo()
    st.rerun()

from planning.uploads import (  # noqa: E402
    MAX_UPLOAD_BYTES,
    canonical_names,
    file_columns,
    read_layer_file,
    recognised_fields,
    store_upload,
)

st.subheader(T("data.upload"))
c1, c2 = st.columns(2)
kind = c1.selectbox(T("data.layer"), LAYER_KINDS + ["network"], key="upload_kind",
                    format_func=lambda k: T("data.network") if k == "network" else T(f"data.{k}"))
crs = c2.selectbox(T("data.crs"), CRS_CHOICES, key="upload_crs", format_func=_crs_label)
st.file_uploader(T("data.file", mb=MAX_UPLOAD_BYTES // (1024 * 1024)),
                 type=["zip", "gpkg", "geojson", "json", "csv", "osm", "pbf"],
                 key="upload_file", on_change=_stash_upload)

pending = st.session_state.get("pending_upload")
if pending:
    name, blob = pending
    try:
        path = store_upload(name, blob, common.workdir())
        st.session_state["upload_path"] = str(path)
        st.session_state.pop("pending_upload", None)
    except Exception as exc:  # noqa: BLE001 - shown to the planner
        st.session_state.pop("pending_upload", None)
        st.session_state.pop("upload_path", None)
        common.show_error(exc)

path = st.session_state.get("upload_path")
mapping: dict[str, str] = {}
if path:
    st.caption(path.split("/")[-1])
    if kind != "network":
        try:
            rec = recognised_fields(file_columns(path))
            st.markdown(f"**{T('data.fields')}**")
            st.dataframe(pd.DataFrame(
                [(c, canon, column_label(canon, LANG) if canon else None) for c, canon in rec],
                columns=[T("data.field_in_file"), T("data.field_canonical"),
                         T("data.field_meaning")]), hide_index=True)
            unknown = [c for c, canon in rec if canon is None and c.lower() != "geometry"]
            if unknown:
                st.caption(T("data.map_fields"))
                options = ["", *canonical_names()]
                for c in unknown:
                    target = st.selectbox(c, options, key=f"map_{c}", format_func=_field_option)
                    if target:
                        mapping[c] = target
        except Exception as exc:  # noqa: BLE001
            common.show_error(exc)
    if st.button(T("data.read"), key="read_upload"):
        try:
            if kind == "network":
                d["network_path"] = path
                common.network()
                st.success(T("data.loaded", n=1, layer=T("data.network")))
            else:
                gdf = read_layer_file(path, kind, crs=None if crs == "auto" else crs,
                                      fields=mapping)
                d["layers"][kind] = gdf
                d["source"] = "upload"
                st.session_state.pop("run", None)
                st.success(T("data.loaded", n=len(gdf), layer=T(f"data.{kind}")))
                repairs = gdf.attrs.get("repairs") or gdf.attrs.get("notes")
                if repairs:
                    st.markdown(f"**{T('data.repairs')}**")
                    for r in repairs:
                        st.write("- " + common.message(r))
        except Exception as exc:  # noqa: BLE001
            common.show_error(exc)

st.subheader(T("data.preview"))
tabs = st.tabs([T(f"data.{k}") for k in LAYER_KINDS])
for tab, k in zip(tabs, LAYER_KINDS, strict=True):
    gdf = d["layers"].get(k)
    if gdf is not None and len(gdf):
        common.show_table(pd.DataFrame(gdf.drop(columns=gdf.geometry.name)), target=tab)

from pages.population_step import population_step  # noqa: E402

population_step()
