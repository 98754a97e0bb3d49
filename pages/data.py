"""Data: the demo district by default, or the planner's own layers and street network."""

from __future__ import annotations

from typing import Any

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
LAYER_KINDS = list(common.LAYER_KINDS)


def _crs_label(c: str) -> str:
    return T("data.crs_auto") if c == "auto" else {
        "wgs84": "WGS84 (EPSG:4326)", "cgcs2000": "CGCS2000 (EPSG:4490)",
        "gcj02": "GCJ-02 (高德/腾讯)", "bd09": "BD-09 (百度)"}.get(c, c)


def _layer_label(k: str) -> str:
    return T("data.network") if k == "network" else T(f"data.{k}")


def _field_option(name: str) -> str:
    """A canonical field name with its meaning, e.g. 'households（户数）'."""
    label = column_label(name, LANG) if name else name
    if not name or label == name:
        return name
    return f"{name}（{label}）" if LANG == "zh" else f"{name} ({label})"


def _ids(ids: list[str], n: int = 20) -> str:
    sep = "、" if LANG == "zh" else ", "
    more = len(ids) - n
    tail = "" if more <= 0 else T("upload.more", n=more)
    return sep.join(ids[:n]) + tail


def _stash_upload() -> None:
    f = st.session_state.get(f"upload_file_{st.session_state.get('upload_nonce', 0)}")
    if f is not None:
        st.session_state["pending_upload"] = (f.name, f.getvalue())


@st.cache_data(show_spinner=False, max_entries=8)
def _inspect(path: str, kind: str, crs: str | None, mapping: tuple[tuple[str, str], ...]) -> Any:
    """The upload as read, and what the planner must decide (cached per content and choice)."""
    from pathlib import Path

    from planning.uploads import inspect_upload

    return inspect_upload(Path(path), kind, crs=crs, fields=dict(mapping))


# ---- what is loaded, and where each layer comes from
d = common.data()
src = T("data.demo") if d["source"] == "demo" else T("data.upload")
st.write(T("app.data_summary", source=src, areas=len(d["layers"].get("areas", [])),
           facilities=len(d["layers"].get("facilities", [])),
           candidates=len(d["layers"].get("candidates", [])),
           developments=len(d["layers"].get("developments", []))))
left = common.demo_layers_left()
if d["source"] != "demo" and left:
    st.warning(T("upload.still_demo", layers="、".join(_layer_label(k) for k in left)
                 if LANG == "zh" else ", ".join(_layer_label(k) for k in left)))
b1, b2, b3 = st.columns(3)
if d["source"] != "demo" and left and d["origin"].get("areas") == "upload" and b1.button(
        T("upload.clear_demo"), key="upload_clear_demo", help=T("upload.clear_demo_help")):
    gone = common.clear_demo_layers()
    st.session_state["upload_flash"] = ("success", T(
        "upload.cleared", layers=", ".join(_layer_label(k) for k in gone)), [])
    st.rerun()
if b2.button(T("data.reset_demo"), key="upload_reset_demo"):
    common.reset_demo()
    st.rerun()
if b3.button(T("upload.reset"), key="upload_reset", help=T("upload.reset_help")):
    common.reset_upload()
    st.rerun()

flash = st.session_state.pop("upload_flash", None)
if flash:
    kind_, text, notes = flash
    getattr(st, kind_)(text)
    if notes:
        st.markdown(f"**{T('data.repairs')}**")
        for r in notes:
            st.write("- " + common.message(r))

from planning.uploads import (  # noqa: E402
    MAX_UPLOAD_BYTES,
    canonical_names,
    file_columns,
    finish_upload,
    recognised_fields,
    store_upload,
)

# ---- the upload
st.subheader(T("data.upload"))
c1, c2 = st.columns(2)
kind = c1.selectbox(T("data.layer"), LAYER_KINDS + ["network"], key="upload_kind",
                    format_func=_layer_label)
crs = c2.selectbox(T("data.crs"), CRS_CHOICES, key="upload_crs", format_func=_crs_label)
st.file_uploader(T("data.file", mb=MAX_UPLOAD_BYTES // (1024 * 1024)),
                 type=["zip", "gpkg", "geojson", "json", "csv", "osm", "pbf"],
                 key=f"upload_file_{st.session_state.get('upload_nonce', 0)}",
                 on_change=_stash_upload)

pending = st.session_state.pop("pending_upload", None)
if pending:
    name, blob = pending
    try:  # stored under its content's hash: a corrected file of the same name is read afresh
        st.session_state["upload_path"] = str(store_upload(name, blob, common.workdir()))
    except Exception as exc:  # noqa: BLE001 - shown to the planner, once
        st.session_state.pop("upload_path", None)
        common.show_error(exc)

path = st.session_state.get("upload_path")
mapping: dict[str, str] = {}
if path:
    st.caption(path.split("/")[-1])
if path and kind == "network":
    if st.button(T("data.read"), key="read_upload"):
        try:  # loaded before it replaces the current network: a bad file changes nothing
            common.network_at(path)  # the same cached read the pages use next
            common.set_layer("network", path)
            st.session_state["upload_flash"] = (
                "success", T("data.loaded", n=1, layer=T("data.network")), [])
            st.rerun()
        except Exception as exc:  # noqa: BLE001
            common.show_error(exc)
elif path:
    check = None
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
        check = _inspect(path, kind, None if crs == "auto" else crs,
                         tuple(sorted(mapping.items())))
    except Exception as exc:  # noqa: BLE001 - validation at upload, in the interface language
        common.show_error(exc)
    confirm = False
    area_type: str | None = None
    cutoff: int | None = None
    if check is not None:
        if check.no_coordinates:
            n = len(check.no_coordinates)
            st.warning(T("upload.no_coords", n=n, rows=_ids(check.no_coordinates)))
            confirm = st.checkbox(T("upload.confirm_drop", n=n), key="upload_confirm_drop")
        if check.area_type_missing:
            n = len(check.area_type_missing)
            st.warning(T("upload.area_type_missing", n=n, rows=_ids(check.area_type_missing)))
            choices = ["new", "old"] + (["year"] if check.has_completion_year else [])
            how = st.radio(T("upload.area_type_choice"), choices, key="upload_area_choice",
                           horizontal=True, format_func=lambda c: T(f"upload.area_{c}"))
            if how == "year":
                y1, y2 = st.columns(2)
                cutoff = int(y1.number_input(T("upload.cutoff"), min_value=1900,
                                             max_value=2100, value=2000, step=1,
                                             key="upload_cutoff",
                                             help=T("upload.cutoff_help")))
                area_type = y2.radio(T("upload.year_default"), ["new", "old"],
                                     key="upload_year_default", index=1, horizontal=True,
                                     format_func=lambda c: T(f"upload.type_{c}"))
            else:
                area_type = how
    if st.button(T("data.read"), key="read_upload") and check is not None:
        try:
            gdf = finish_upload(check, confirm_drop=confirm, area_type=area_type,
                                cutoff_year=cutoff)
            common.set_layer(kind, gdf)
            notes = [*(gdf.attrs.get("notes") or []), *(gdf.attrs.get("repairs") or [])]
            st.session_state["upload_flash"] = (
                "success", T("data.loaded", n=len(gdf), layer=T(f"data.{kind}")), notes)
            st.rerun()
        except Exception as exc:  # noqa: BLE001
            common.show_error(exc)

# ---- the layers loaded
st.subheader(T("data.preview"))
tabs = st.tabs([T(f"data.{k}") for k in LAYER_KINDS])
for tab, k in zip(tabs, LAYER_KINDS, strict=True):
    gdf = d["layers"].get(k)
    if gdf is not None and len(gdf):
        notes = gdf.attrs.get("notes") or []
        for r in notes:
            tab.caption(common.message(r))
        common.show_table(pd.DataFrame(gdf.drop(columns=gdf.geometry.name)), target=tab)

from pages.population_step import population_step  # noqa: E402

population_step()
