"""The 人口估算 step of the data page: census totals shared among the residential areas.

The planner uploads census units (街道/社区 with their population, optionally age groups) and,
optionally, building footprints, runs :func:`planning.population.estimate_population` on the
current areas layer (or on areas built from an OSM extract), sees the totals per census unit
and a map coloured by residents per hectare, and takes the estimate into the areas layer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from pages import common

#: Uploads of the step: kind → file types accepted.
INPUTS: dict[str, list[str]] = {
    "census": ["zip", "gpkg", "geojson", "json"],
    "buildings": ["zip", "gpkg", "geojson", "json"],
    "osm": ["osm", "pbf"],
}
CRS_CHOICES = ["auto", "wgs84", "cgcs2000", "gcj02", "bd09", "EPSG:4547", "EPSG:4549"]
METHODS = ("given", "households", "floor_area", "area")
#: Notes shown as warnings: census residents the estimate could not place in any area.
WARNINGS = frozenset({"population.units_without_areas", "population.units_only_given"})
#: Columns of the summary per census unit, in the order shown.
UNIT_COLUMNS = ("census_unit", "name", "census_population", "given", "estimated", "assigned",
                "unassigned", "areas", *(f"areas_{m}" for m in METHODS))


def _stash(kind: str) -> None:
    f = st.session_state.get(f"pop_{kind}_file")
    if f is not None:
        st.session_state[f"pop_pending_{kind}"] = (f.name, f.getvalue())


def _store_pending(kind: str) -> None:
    """Write a file the planner just uploaded under the session's folder (checked first)."""
    from planning.uploads import store_upload

    pending = st.session_state.pop(f"pop_pending_{kind}", None)
    if not pending:
        return
    name, blob = pending
    try:
        path = store_upload(name, blob, common.workdir() / "population" / kind)
        st.session_state[f"pop_{kind}_path"] = str(path)
    except Exception as exc:  # noqa: BLE001 - shown to the planner
        st.session_state.pop(f"pop_{kind}_path", None)
        common.show_error(exc)


def _upload(kind: str, label: str) -> str | None:
    st.file_uploader(label, type=INPUTS[kind], key=f"pop_{kind}_file",
                     on_change=_stash, args=(kind,))
    _store_pending(kind)
    path = st.session_state.get(f"pop_{kind}_path")
    if path:
        st.caption(Path(path).name)
    return path


def _estimate(census_path: str, *, buildings_path: str | None, osm_path: str | None,
              crs: str | None, storey_height: float, floor_area_per_person: float,
              keep_given: bool, drop_outside: bool, area_type: str,
              areas_name: str) -> dict[str, Any]:
    """Read the inputs as the ``population`` command does and run the estimate."""
    import shapely

    from geo import CRSOverride, read_admin_units, read_buildings, read_osm_residential
    from planning.population import estimate_population

    override = CRSOverride(crs) if crs else None
    census = read_admin_units(census_path, crs=override)
    buildings = (read_buildings(buildings_path, crs=override, storey_height_m=storey_height)
                 if buildings_path else None)
    if osm_path:
        areas, osm_buildings = read_osm_residential(
            osm_path, clip=shapely.box(*census.to_crs(4326).total_bounds),
            storey_height_m=storey_height)
        areas["area_type"] = area_type
        buildings = buildings if buildings is not None else osm_buildings
        source = Path(osm_path).name
    else:
        areas = common.data()["layers"]["areas"]
        if not keep_given and "population" in areas.columns:
            areas = areas.drop(columns="population")
        source = areas_name
    prof = common.profile()
    est = estimate_population(
        areas, census, buildings=buildings,
        persons_per_household=prof.param("persons_per_household"),
        floor_area_per_person_m2=floor_area_per_person,
        outside="drop" if (drop_outside or osm_path) else "error",
        areas_source=source, census_source=Path(census_path).name)
    est.parameters.update({
        "profile": prof.id, "storey_height_m": storey_height, "census": Path(census_path).name,
        "areas": source, "buildings": Path(buildings_path).name if buildings_path else
        (f"{source} (OSM buildings)" if osm_path else None),
        "floor_area_per_person_source":
            f"profile {prof.id}: floor_area_per_person_m2"
            if floor_area_per_person == prof.param("floor_area_per_person_m2") else "given",
        "persons_per_household_source": f"profile {prof.id}: persons_per_household"})
    # the notes of reading the inputs (an areas layer already in use has been read before)
    notes = [*(areas.attrs.get("notes", []) if osm_path else []),
             *(buildings.attrs.get("notes", []) if buildings is not None else []), *est.notes]
    return {"estimate": est, "notes": notes, "census": Path(census_path).name,
            "from_osm": bool(osm_path)}


def _show(result: dict[str, Any], T: Any) -> None:  # noqa: N803 - the pages' translator
    from maps.folium_map import build_map

    est = result["estimate"]
    units = est.units
    st.info(T("pop.totals", assigned=float(units["assigned"].sum()),
              census=float(units["census_population"].sum()),
              unassigned=float(units["unassigned"].sum()), areas=len(est.areas)))
    cols = [*UNIT_COLUMNS, *(f"{k}_{c}" for c in est.age_columns for k in ("census", "assigned"))]
    shown = pd.DataFrame({T(f"pop.col.{c}"): units[c] for c in cols if c in units})
    whole = {label: st.column_config.NumberColumn(label, format="localized")
             for label in shown.columns if pd.api.types.is_numeric_dtype(shown[label])}
    st.dataframe(shown, hide_index=True, column_config=whole)
    st.caption(T("pop.units_caption"))
    for n in result["notes"]:  # units with no residential area stand out: residents unplaced
        if getattr(n, "code", None) in WARNINGS:
            st.warning(common.message(n))
        else:
            st.write("- " + common.message(n))
    areas = est.areas.copy()
    areas["population_method"] = [T(f"pop.method.{m}") for m in areas["population_method"]]
    m = build_map(areas=areas, value_col="residents_per_ha", value_kind="value",
                  value_label=T("pop.density_legend"),
                  extra_fields={"residents_per_ha": T("pop.col.residents_per_ha"),
                                "population_method": T("pop.col.population_method"),
                                "census_unit": T("pop.col.census_unit")},
                  height=480, **common.map_kwargs())
    common.show_map(m, height=500, key="pop_map")


def population_step() -> None:
    """Draw the 人口估算 step (an expander at the end of the data page)."""
    from geo import DEFAULT_STOREY_HEIGHT_M
    from planning.census import accept_estimate

    T = common.translator()  # noqa: N806 - the pages' short name
    d = common.data()
    result = st.session_state.get("pop_result")
    with st.expander(T("pop.title"), expanded=result is not None
                     or "pop_accepted" in st.session_state):
        st.caption(T("pop.intro"))
        accepted = st.session_state.pop("pop_accepted", None)
        if accepted:
            st.success(T("pop.accepted", n=accepted[0], residents=accepted[1]))
        census_path = _upload("census", T("pop.census_file"))
        buildings_path = _upload("buildings", T("pop.buildings_file"))
        source = st.radio(T("pop.areas_source"), ["current", "osm"], key="pop_source",
                          format_func=lambda s: T(f"pop.source.{s}"), horizontal=True)
        osm_path, area_type, keep_given = None, "old", False
        if source == "osm":
            osm_path = _upload("osm", T("pop.osm_file"))
            area_type = st.selectbox(T("pop.area_type"), ["old", "new"], key="pop_area_type",
                                     format_func=lambda a: T(f"pop.area_type.{a}"))
        else:
            areas = d["layers"].get("areas")
            has_pop = areas is not None and "population" in areas.columns
            some_missing = has_pop and bool(areas["population"].isna().any())
            keep_given = st.checkbox(T("pop.keep_given"), value=some_missing,
                                     key="pop_keep_given", disabled=not has_pop)
        c1, c2, c3 = st.columns(3)
        crs = c1.selectbox(T("data.crs"), CRS_CHOICES, key="pop_crs",
                           format_func=lambda c: T("data.crs_auto") if c == "auto" else c)
        storey = c2.number_input(T("pop.storey_height"), min_value=1.0, max_value=10.0,
                                 value=float(DEFAULT_STOREY_HEIGHT_M), step=0.1,
                                 key="pop_storey_height")
        prof = common.profile()
        fapp_param = prof.parameter("floor_area_per_person_m2")
        pph_param = prof.parameter("persons_per_household")
        fapp_default = float(fapp_param.value)
        fapp = c3.number_input(T("pop.floor_area_per_person"), min_value=5.0, max_value=200.0,
                               value=fapp_default, step=1.0, key="pop_fapp")
        st.caption(T("pop.defaults", fapp=fapp_default,
                     fapp_source=fapp_param.source.render(common.lang()),
                     pph=float(pph_param.value),
                     pph_source=pph_param.source.render(common.lang()),
                     profile=common.profile_label(prof.id), storey=DEFAULT_STOREY_HEIGHT_M))
        drop = st.checkbox(T("pop.drop_outside"), key="pop_drop_outside",
                           disabled=source == "osm")
        ready = bool(census_path) and (bool(osm_path) if source == "osm"
                                       else d["layers"].get("areas") is not None)
        if st.button(T("pop.run"), key="pop_run", disabled=not ready):
            st.session_state.pop("pop_result", None)
            result = None
            try:
                with st.spinner(T("pop.running")):
                    result = _estimate(census_path, buildings_path=buildings_path,
                                       osm_path=osm_path, crs=None if crs == "auto" else crs,
                                       storey_height=float(storey),
                                       floor_area_per_person=float(fapp),
                                       keep_given=keep_given, drop_outside=drop,
                                       area_type=area_type, areas_name=T("data.areas"))
                st.session_state["pop_result"] = result
            except Exception as exc:  # noqa: BLE001 - shown to the planner
                common.show_error(exc)
        if result is None:
            return
        _show(result, T)
        if st.button(T("pop.accept"), key="pop_accept", type="primary"):
            est = result["estimate"]
            d["layers"]["areas"] = accept_estimate(
                None if result["from_osm"] else d["layers"]["areas"], est.areas,
                census_source=result["census"], parameters=est.parameters)
            d["source"] = "upload"
            st.session_state.pop("run", None)
            st.session_state.pop("pop_result", None)
            st.session_state["pop_accepted"] = (len(est.areas),
                                                float(est.areas["population"].sum()))
            st.rerun()  # the page's summary and previews show the new layer
