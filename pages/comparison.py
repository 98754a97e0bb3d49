"""Comparison (方案比较): saved scenarios side by side, as a table and as maps."""

from __future__ import annotations

import streamlit as st

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
table = comparison_table(scenarios, lang=common.lang())
st.dataframe(table, hide_index=True)

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
