"""The map of a run (选址方案): measure per service, the plan's sites, service areas.

Areas are coloured by a chosen measure of each service (shortfall, share met, demand, in its
unit); each site's walking service area is drawn on demand.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import pandas as pd
import streamlit as st

from pages import common


def site_service_areas(network: Any, site_layer: gpd.GeoDataFrame,
                       cutoffs: dict[str, dict[str, float]]) -> gpd.GeoDataFrame | None:
    """Walking reach of each site of *site_layer*, at its service's minutes and speed.

    Parameters
    ----------
    network : geo.WalkNetwork
        The walking network.
    site_layer : GeoDataFrame
        A run's sites (``id``, ``name``, ``service``).
    cutoffs : dict
        Per service ``{"minutes": ..., "speed_m_per_min": ...}`` (a run's
        ``params["cutoffs"]``).

    Returns
    -------
    GeoDataFrame or None
        One polygon per site with ``id``, ``name``, ``service``, ``minutes``; None when no
        site reaches the network.
    """
    from geo import Reach, service_areas

    parts = []
    for svc, cut in cutoffs.items():
        sel = site_layer[site_layer["service"] == svc]
        if not len(sel):
            continue
        reach = Reach(float(cut["minutes"]), float(cut["speed_m_per_min"]))
        sa = service_areas(network, sel, reach=reach, dissolve=False, drop_unsnapped=True)
        if len(sa):
            names = sel.set_index(sel["id"].astype(str))["name"]
            ids = sa["site_id"].astype(str)
            parts.append(gpd.GeoDataFrame(
                {"id": ids.values, "name": ids.map(names).values, "service": svc,
                 "minutes": sa["minutes"].values}, geometry=sa.geometry.values, crs=sa.crs))
    if not parts:
        return None
    return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry",
                            crs=parts[0].crs)


def _cached_service_areas(run: Any, key: str) -> gpd.GeoDataFrame | None:
    """Each site's service area of *run*, computed once per run and kept in the session.

    Kept with the run itself (not its ``id``, which a later run may reuse).
    """
    slot = f"{key}_site_areas"
    held = st.session_state.get(slot)
    if held is not None and held[0] is run:
        return held[1]
    network = common.network()
    if network is None:
        return None
    cutoffs = run.params.get("cutoffs") or {}
    with st.spinner(common.translator()("plan.service_areas")):
        areas = site_service_areas(network, run.site_layer, cutoffs)
    st.session_state[slot] = (run, areas)
    return areas


def show_plan_map(run: Any, *, key: str, height: int = 560) -> str:
    """Show the map of *run*: a measure selector, a service-area toggle, then the map.

    Parameters
    ----------
    run : planning.runs.ScenarioRun
        A finished run (``areas``, ``site_layer``, ``sites``, ``params``).
    key : str
        Prefix of the widgets' keys (``<key>_colour``, ``<key>_site_areas``).
    height : int
        Map height in pixels.

    Returns
    -------
    str
        The map's HTML.
    """
    from maps.folium_map import build_map
    from maps.layers import area_measures
    from maps.sites import plan_site_layer
    from planning.summaries import run_services, uncovered_ids

    T = common.translator()  # noqa: N806 - the pages' short name
    lang = common.lang()
    services = run_services(run.params.get("service", "childcare"))
    measures = {col: (kind, label) for col, kind, label in
                area_measures(run.areas, services, lang=lang)}
    if "coverage" in run.areas.columns and len(services) > 1:
        measures["coverage"] = ("coverage", T("map.coverage"))
    options = list(measures) or [None]
    col = st.radio(T("plan.colour_by"), options, horizontal=True, key=f"{key}_colour",
                   format_func=lambda c: measures[c][1] if c else T("map.measure.none"))
    kind, label = measures.get(col, ("shortfall", None)) if col else ("shortfall", None)
    show_areas = st.checkbox(T("plan.service_areas"), value=False, key=f"{key}_site_areas_on",
                             help=T("plan.service_areas_help"))
    reach = None
    if show_areas:
        if common.network() is None:
            st.caption(T("plan.no_network"))
        else:
            reach = _cached_service_areas(run, key)
    m = build_map(areas=run.areas, value_col=col, value_kind=kind, value_label=label,
                  sites=plan_site_layer(run.site_layer, run.sites), service_areas=reach,
                  # a map coloured by one service's measure rings that service's gaps
                  uncovered_ids=uncovered_ids(run.areas, col),
                  extra_fields={"coverage": T("map.coverage")}, **common.map_kwargs())
    return common.show_map(m, height=height)
