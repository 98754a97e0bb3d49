"""City-wide indicators (全市指标): the loaded layers against the targets of the profile's plan."""

from __future__ import annotations

import streamlit as st

from pages import common

common.setup_page()
T = common.translator()
LANG = common.lang()
st.header(T("page.indicators"))
st.caption(f"{T('app.profile')}: {common.profile_label(common.profile_id())}")
st.write(T("ind.intro"))

d = common.data()
layers = d["layers"]
areas = layers.get("areas")
if areas is None or len(areas) == 0:
    st.warning(T("ind.no_areas"))
    st.stop()

from maps.export import excel_bytes  # noqa: E402
from planning.citywide import citywide_indicators, display_frame  # noqa: E402

try:
    report = citywide_indicators(common.profile(), areas,
                                 facilities=layers.get("facilities"),
                                 developments=layers.get("developments"),
                                 network=common.network())
except Exception as exc:  # noqa: BLE001
    common.show_error(exc)
    st.stop()

inputs = report.inputs
none = T("ind.none")
st.caption(T("ind.inputs", areas=inputs["areas"], residents=f"{inputs['residents']:,.0f}",
             facilities=none if inputs["facilities"] is None else inputs["facilities"],
             developments=none if inputs["developments"] is None else inputs["developments"],
             method=T("ind.method_network") if inputs["method"] == "network"
             else T("ind.method_line")))
from planning.profiles import parameter_message  # noqa: E402

for pid in ("persons_per_household", "health_colocation_max_m"):
    if pid in report.profile.parameters:  # the figures used, with their basis and source
        st.caption(common.message(parameter_message(report.profile, pid)))
frame = display_frame(report, LANG)
met = report.to_frame(LANG)["met"]
st.subheader(T("ind.summary", n=len(frame), met=int((met == True).sum()),  # noqa: E712
               unmet=int((met == False).sum()), open=int(met.isna().sum())))  # noqa: E712
common.show_table(frame)
st.session_state["ind_frame"] = frame
st.download_button(T("ind.xlsx"), data=excel_bytes({"indicators": frame}, lang=LANG),
                   file_name="indicators.xlsx", key="ind_xlsx",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
