"""Comparison (方案比较): any number of saved scenarios side by side, as a table and as maps.

The table gives each scenario's parameters (service, objective, walking minutes, budget, p,
policy profile) and results in each service's unit; the maps share one colour scale, by
shortfall, coverage or demand (scenarios saved before each area's demand was kept are named:
they offer no demand), and on request draw each scenario's saved walking service areas.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from core.texts import t
from pages import common

common.setup_page()
T = common.translator()
st.header(T("page.comparison"))

store = common.store()
owner = common.owner_id()
saved = store.list(owner=owner)
if not saved:
    st.info(T("cmp.none"))
    st.stop()

labels = {s["id"]: f"{s['name']} ({s['created'][:16].replace('T', ' ')})" for s in saved}
picked = st.multiselect(T("cmp.pick"), list(labels), default=list(labels),
                        format_func=labels.get, key="cmp_pick")
if not picked:
    st.stop()

from maps.folium_map import build_map  # noqa: E402
from maps.layers import area_measures, shared_range  # noqa: E402
from maps.sites import plan_site_layer  # noqa: E402
from planning.scenarios import comparison_table, demand_columns  # noqa: E402
from planning.summaries import run_services, uncovered_ids  # noqa: E402

scenarios = [store.load(sid, owner=owner) for sid in picked]
LANG = common.lang()


def _col(key: str) -> str:
    return t(key, LANG)


def _minutes(params: dict[str, Any]) -> str:
    """Walking minutes of each service of a run, with the unit."""
    cutoffs = params.get("cutoffs") or {}
    services = run_services(str(params.get("service", "childcare")))
    parts = []
    for svc in services:
        m = (cutoffs.get(svc) or {}).get("minutes", params.get("minutes"))
        if m is not None:
            parts.append(T("cmp.minutes_of", service=T(f"sc.{svc}"), m=f"{float(m):g}"))
    return "；".join(parts) if LANG == "zh" else "; ".join(parts)


def _parameters(sc: Any) -> dict[str, Any]:
    p = sc.parameters
    return {_col("cmp.minutes"): _minutes(p),
            _col("cmp.budget"): p.get("budget"),
            _col("cmp.p"): p.get("p"),
            _col("cmp.profile"): common.profile_label(sc.profile_id) if sc.profile_id else "–"}


def _dash_missing(column: pd.Series, pattern: str) -> pd.Series:
    """A column with an empty value (no budget, no p) as text, empty ones as "–", not "None".

    A column without empty values stays numeric (formatted by its column configuration).
    """
    if column.notna().all():
        return column
    return column.map(lambda v: "–" if v is None or pd.isna(v) else pattern.format(float(v)))


table = comparison_table(scenarios, lang=LANG)
params = pd.DataFrame([_parameters(sc) for sc in scenarios])
for key, pattern in (("cmp.budget", "{:,.0f}"), ("cmp.p", "{:.0f}")):
    params[_col(key)] = _dash_missing(params[_col(key)], pattern)
after = list(table.columns).index(_col("ind.objective")) + 1
table = pd.concat([table.iloc[:, :after], params, table.iloc[:, after:]], axis=1)

formats = {"ind.cost": "localized", "ind.share_covered": "percent", "ind.gap": "percent",
           "ind.per_1000": "%.2f", "ind.places": "localized", "cmp.budget": "localized",
           "cmp.p": "%d"}
st.dataframe(table, hide_index=True, column_config={
    _col(k): st.column_config.NumberColumn(_col(k), format=f) for k, f in formats.items()
    if _col(k) in table.columns and pd.api.types.is_numeric_dtype(table[_col(k)])})

# one measure, one colour scale for every map (min and max across the chosen scenarios)
measures: dict[str, tuple[str, str]] = {}
for sc in scenarios:
    services = run_services(str(sc.parameters.get("service", "childcare")))
    for col, kind, label in area_measures(sc.layers.get("areas"), services, lang=LANG):
        measures.setdefault(col, (kind, label))
if any(sc.layers.get("areas") is not None and "coverage" in sc.layers["areas"].columns
       for sc in scenarios):
    measures.setdefault("coverage", ("coverage", T("map.coverage")))
if not measures:
    st.caption(T("cmp.no_measure"))
_SEP = "、" if LANG == "zh" else ", "
no_demand = [sc.name for sc in scenarios if not demand_columns(sc)]
if no_demand:  # saved before each area's demand was kept: no demand measure for them
    st.caption(T("cmp.no_demand", names=_SEP.join(no_demand)))
options = list(measures) or [None]
measure = st.selectbox(T("cmp.measure"), options, key="cmp_measure",
                       format_func=lambda c: measures[c][1] if c else T("map.measure.none"))
kind, label = measures[measure] if measure else ("shortfall", None)
value_range = shared_range([sc.layers.get("areas") for sc in scenarios],
                           measure) if measure else None
show_reach = st.checkbox(T("cmp.service_areas"), value=False, key="cmp_site_areas_on",
                         help=T("cmp.service_areas_help"))
if show_reach:
    no_reach = [sc.name for sc in scenarios if sc.layers.get("service_areas") is None]
    if no_reach:
        st.caption(T("cmp.no_service_areas", names=_SEP.join(no_reach)))


def _site_table(sc: Any) -> pd.DataFrame | None:
    sites = sc.results.get("sites") if isinstance(sc.results, dict) else None
    return pd.DataFrame(sites) if sites is not None else None


for start in range(0, len(scenarios), 2):
    cols = st.columns(2)
    for col, sc in zip(cols, scenarios[start:start + 2], strict=False):
        with col:
            st.markdown(f"**{sc.name}**")
            areas = sc.layers.get("areas")
            m = build_map(areas=areas, value_col=measure, value_kind=kind, value_label=label,
                          value_range=value_range,
                          service_areas=sc.layers.get("service_areas") if show_reach else None,
                          sites=plan_site_layer(sc.layers.get("sites"), _site_table(sc)),
                          # the areas short of the service whose measure colours the map
                          uncovered_ids=uncovered_ids(areas, measure), **common.map_kwargs())
            common.show_map(m, height=420)

if st.button(T("cmp.delete"), key="cmp_delete"):
    for sid in picked:
        store.delete(sid, owner=owner)
    st.rerun()
