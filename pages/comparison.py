"""Comparison (方案比较): saved scenarios side by side, as a table and as maps."""

from __future__ import annotations

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
picked = st.multiselect(T("cmp.pick"), list(labels), default=list(labels)[-3:],
                        format_func=labels.get, key="cmp_pick")
if not picked:
    st.stop()

from planning.scenarios import comparison_table  # noqa: E402
from planning.summaries import shortfall_layers, uncovered_ids  # noqa: E402

scenarios = [store.load(sid, owner=owner) for sid in picked]
LANG = common.lang()
table = comparison_table(scenarios, lang=LANG)


def _col(key: str) -> str:
    return t(key, LANG)


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
        by = shortfall_layers(areas, common.lang())
        m = build_map(areas=areas, value_col=by[0][0] if by else None,
                      value_label=by[0][1] if by else None, sites=sc.layers.get("sites"),
                      service_areas=sc.layers.get("service_areas"),
                      uncovered_ids=uncovered_ids(areas), **common.map_kwargs())
        common.show_map(m, height=420)

if st.button(T("cmp.delete"), key="cmp_delete"):
    for sid in picked:
        store.delete(sid, owner=owner)
    st.rerun()
