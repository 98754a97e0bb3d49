"""Compliance (配建核查): check developments against the policy profile, rule by rule."""

from __future__ import annotations

import streamlit as st

from core.texts import value_label
from pages import common

common.setup_page()
T = common.translator()
LANG = common.lang()
st.header(T("page.compliance"))
st.caption(f"{T('app.profile')}: {common.profile_label(common.profile_id())}")

d = common.data()
devs = d["layers"].get("developments")
if devs is None or len(devs) == 0:
    st.warning(T("data.error") + " " + T("data.developments") + " = 0")
    st.stop()

what = st.radio(T("comp.what"), ["all", "one"], horizontal=True, key="comp_what",
                format_func=lambda w: T("comp.all") if w == "all" else T("comp.one"))
subset = devs
if what == "one":
    ids = devs["id"].astype(str).tolist()
    names = dict(zip(ids, devs["name"].astype(str), strict=True))
    pick = st.selectbox(T("comp.pick"), ids, key="comp_pick",
                        format_func=lambda i: f"{i} {names.get(i, '')}")
    subset = devs[devs["id"].astype(str) == pick]

# a tool default (e.g. 8 托位 per 1000 in old areas, where the plan states no figure) decides
# verdicts only when the planner applies it on purpose; the report then says so
base = common.profile()
defaults = sorted({o.id for o in base.omitted if o.rule is not None
                   and o.rule.basis == "tool_default"}
                  | {r.id for r in base.rules if r.basis == "tool_default"
                     and r.scope == "development"})
chosen = (st.multiselect(T("comp.apply_default"), defaults, key="comp_defaults",
                         help=T("comp.apply_default_help")) if defaults else [])

if st.button(T("comp.run"), type="primary", key="comp_run") or "comp_report" in st.session_state:
    from planning.compliance import check_developments
    from planning.summaries import shortfall_by_development

    try:
        report = check_developments(subset, base.adopt_defaults(chosen))
    except Exception as exc:  # noqa: BLE001
        common.show_error(exc)
        st.stop()
    st.session_state["comp_report"] = True
    from planning.profiles import parameter_message

    for pid in report.parameters_used():  # the conversion figures, with basis and source
        st.caption(common.message(parameter_message(report.profile, pid)))
    summary = report.summary_frame()
    n_fail = int((~summary["compliant"].astype(bool)).sum())
    st.subheader(T("comp.summary", n=len(summary), fail=n_fail))
    # the status columns say it in words; their True/False twins stay in the Excel only
    common.show_table(summary.drop(columns=["compliant"], errors="ignore"))
    frame = report.to_frame()
    st.subheader(T("comp.table"))
    common.show_table(frame.drop(columns=["development_compliant", "passed"], errors="ignore"))
    st.session_state["comp_frame"] = frame
    from maps.export import excel_bytes

    st.download_button(T("exp.xlsx"), data=excel_bytes({"summary": summary, "rules": frame},
                                                       lang=common.lang()),
                       file_name="compliance.xlsx", key="comp_xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

    if devs.geometry.notna().any():
        st.subheader(T("comp.map"))
        kinds = [k for k in frame["kind"].dropna().unique().tolist()]
        kind = st.selectbox(T("comp.map_rule"), kinds, key="comp_kind",
                            format_func=lambda k: str(value_label(k, LANG))) if kinds else None
        short, unit = shortfall_by_development(frame, kind)
        layer = subset[subset.geometry.notna()].copy()
        layer["shortfall"] = layer["id"].astype(str).map(short)
        from maps.folium_map import build_map

        m = build_map(areas=layer, value_col="shortfall", value_kind="shortfall",
                      value_label=T("comp.map_legend", kind=value_label(kind, LANG), unit=unit),
                      **common.map_kwargs())
        common.show_map(m, height=480)
