"""Comparison (方案比较): saved scenarios side by side, as a table and as maps."""

from __future__ import annotations

import re
from typing import Any

import pandas as pd
import streamlit as st

from core.texts import t, value_label
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
picked = st.multiselect(T("cmp.pick"), list(labels), default=list(labels)[-3:],
                        format_func=labels.get, key="cmp_pick")
if not picked:
    st.stop()

from planning.scenarios import comparison_table  # noqa: E402

scenarios = [store.load(sid, owner=owner) for sid in picked]
LANG = common.lang()
table = comparison_table(scenarios, lang=LANG)


def _col(key: str) -> str:
    return t(key, LANG)


def _per_service(text: object) -> object:
    """'childcare 365; eldercare 5,012' (a joint scenario) with the services' names."""
    if not isinstance(text, str):
        return text
    return re.sub(r"\b(childcare|eldercare)\b", lambda m: str(value_label(m.group(1), LANG)),
                  text)


def _unmet(sc: Any) -> str:
    """Unmet demand per service in its own unit (托位 and m² are never added up)."""
    from planning.indicators import nested

    svc = str(sc.parameters.get("service", ""))
    services = ["childcare", "eldercare"] if svc == "both" else [svc]
    ind = nested(sc.results.get("indicators", {}) if isinstance(sc.results, dict) else {},
                 services)
    parts = []
    for s in services:
        v = ind.get(s, {}).get("unmet")
        if v is not None and s in ("childcare", "eldercare"):
            parts.append(f"{value_label(s, LANG) if svc == 'both' else ''} {v:,.1f} "
                         f"{t(f'sc.unit.{s}', LANG)}".strip())
    return "；".join(parts) or "–"


if _col("ind.status") in table.columns:
    table[_col("ind.status")] = table[_col("ind.status")].map(lambda v: value_label(v, LANG))
for key, spec in (("ind.places", ",.0f"), ("ind.per_1000", ".2f")):
    # a joint scenario gives a text per service: then show every row as text
    if _col(key) in table.columns and table[_col(key)].map(lambda v: isinstance(v, str)).any():
        table[_col(key)] = table[_col(key)].map(
            lambda v, spec=spec: format(v, spec) if isinstance(v, int | float) else _per_service(v))
if _col("ind.unmet") in table.columns:
    table[_col("ind.unmet")] = [_unmet(sc) for sc in scenarios]
formats = {"ind.cost": "localized", "ind.share_covered": "percent", "ind.gap": "percent",
           "ind.per_1000": "%.2f", "ind.places": "localized"}
st.dataframe(table, hide_index=True, column_config={
    _col(k): st.column_config.NumberColumn(_col(k), format=f) for k, f in formats.items()
    if _col(k) in table.columns and pd.api.types.is_numeric_dtype(table[_col(k)])})

from maps.folium_map import build_map  # noqa: E402

cols = st.columns(min(len(scenarios), 3))
for col, sc in zip(cols, scenarios[:3], strict=False):
    with col:
        st.markdown(f"**{sc.name}**")
        areas = sc.layers.get("areas")
        unc = []
        if areas is not None and "fully_served" in areas.columns:
            unc = areas.loc[~areas["fully_served"].astype(bool), "id"].tolist()
        m = build_map(areas=areas, value_col="shortfall", sites=sc.layers.get("sites"),
                      service_areas=sc.layers.get("service_areas"),
                      uncovered_ids=unc, **common.map_kwargs())
        common.show_map(m, height=420)

if st.button(T("cmp.delete"), key="cmp_delete"):
    for sid in picked:
        store.delete(sid, owner=owner)
    st.rerun()
