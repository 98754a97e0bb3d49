"""Scenarios (选址方案): choose service, objective, limits and candidates; run; save."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.messages import Message
from core.texts import value_label
from errors import InfeasibleError, InputError
from pages import common

common.setup_page()
T = common.translator()
st.header(T("page.scenarios"))

from maps.demand_tables import demand_rules_frame, demand_table_frame  # noqa: E402
from planning.age_demand import enrolment_rates  # noqa: E402
from planning.demand import compute_demand  # noqa: E402
from planning.demand_summary import demand_rules  # noqa: E402
from planning.params import ScenarioParams, service_defaults  # noqa: E402
from planning.run_basis import DEMAND_RULE  # noqa: E402
from planning.run_demand import has_age_groups, planner_profile  # noqa: E402
from planning.runs import run_scenario  # noqa: E402
from planning.side_rules import count_rules, has_count_rules  # noqa: E402
from planning.summaries import (  # noqa: E402
    any_unmet,
    demand_totals,
    nested_indicators,
    run_services,
    total,
    unmet_text,
    unmet_with_names,
)
from planning.target_year import DEFAULT_OCCUPANCY_RAMP, parse_ramp  # noqa: E402

LANG = common.lang()


def _service_label(s: str) -> str:
    return T(f"sc.{s}")


prof = common.profile()
d = common.data()
layers = d["layers"]

c1, c2, c3 = st.columns(3)
service = c1.radio(T("sc.service"), ["childcare", "eldercare", "both"], key="sc_service",
                   format_func=_service_label)
objective = c2.selectbox(T("sc.objective"), ["min_cost", "max_coverage", "p_median"],
                         key="sc_objective", format_func=lambda o: T(f"sc.obj.{o}"))
base_svc = "childcare" if service == "both" else service
def_min, def_speed = service_defaults(prof, base_svc)
budget = p = None
if objective == "max_coverage":
    limit = c3.radio(T("sc.limit"), ["p", "budget"], key="sc_limit", horizontal=True,
                     format_func=lambda x: T(f"sc.{x}"))
    if limit == "p":
        p = int(c3.number_input(T("sc.p"), min_value=1, value=3, step=1, key="sc_p"))
    else:
        budget = float(c3.number_input(T("sc.budget"), min_value=0.0, value=1.0e7,
                                       step=1.0e6, key="sc_budget"))
elif objective == "p_median":
    p = int(c3.number_input(T("sc.p"), min_value=1, value=5, step=1, key="sc_p"))

c4, c5, c6 = st.columns(3)
minutes = c4.number_input(T("sc.minutes"), min_value=1.0, max_value=60.0, value=def_min,
                          step=1.0, key="sc_minutes", format="%g")
speed = c5.number_input(T("sc.speed"), min_value=10.0, max_value=120.0, value=def_speed,
                        step=5.0, key="sc_speed", format="%g")
time_limit = c6.number_input(T("sc.time_limit"), min_value=1.0, value=60.0, step=10.0,
                             key="sc_time_limit", format="%g")
cands = layers.get("candidates")
site_ids = sorted(cands["site_id" if "site_id" in cands.columns else "id"].astype(str).unique()
                  ) if cands is not None and len(cands) else []
chosen = st.multiselect(T("sc.candidates"), site_ids, default=site_ids, key="sc_candidates")
allow_unmet = st.checkbox(T("sc.allow_unmet"), value=True,
                          key="sc_allow_unmet")
svc_list = run_services(service)
rule_list = [r for s_ in svc_list for r in count_rules(prof, s_)]
can_count = has_count_rules(prof, service)
side_rules = st.checkbox(
    T("sc.side_rules"), value=can_count, key="sc_side_rules", disabled=not can_count,
    help=T("sc.side_rules_help", rules="; ".join(
        f"{r.id} ({r.value:g} {r.unit}) — {r.source}" for r in rule_list))
    if rule_list else T("sc.no_side_rules"))
if service == "both" and objective == "min_cost":
    st.caption(T("sc.joint_caption"))

# ---- demand: target year, basis, persons per household, the planner's figures (10.6, 9.5)
areas_layer = layers["areas"]
pph_param = prof.parameter("persons_per_household")
ages = has_age_groups(areas_layer)
with st.expander(T("sc.dem.inputs")):
    d1, d2, d3 = st.columns(3)
    target_year = d1.number_input(T("sc.dem.target_year"), min_value=2000, max_value=2100,
                                  value=None, step=1, key="sc_target_year")
    if "completion_year" not in areas_layer.columns:
        d1.caption(T("sc.dem.no_year"))
    default_ramp = ", ".join(f"{x:g}" for x in DEFAULT_OCCUPANCY_RAMP)
    ramp_text = d2.text_input(T("sc.dem.ramp"), value=default_ramp, key="sc_ramp",
                              help=T("sc.dem.ramp_help", ramp=default_ramp))
    pph = d3.number_input(T("sc.dem.pph_input"), min_value=0.5, max_value=10.0,
                          value=float(pph_param.value), step=0.01, format="%g",
                          key=f"sc_pph_{prof.id}",  # a profile's own figure when switched
                          help=T("sc.dem.pph_help", value=f"{pph_param.value:g}",
                                 source=pph_param.source.render(LANG)))
    e1, e2 = st.columns(2)
    basis = e1.radio(T("sc.dem.basis"), ["policy", "need"], key="sc_basis", horizontal=True,
                     format_func=lambda b: T(f"sc.dem.basis.{b}"), disabled=not ages)
    if not ages:
        basis = "policy"
        e1.caption(T("sc.dem.basis_disabled"))
    enrolment = e2.number_input(T("sc.dem.enrolment"), min_value=0.0, max_value=1.0,
                                value=None, step=0.01, key="sc_enrolment", disabled=not ages)
    known_rates = enrolment_rates(prof)
    if ages and known_rates:
        e2.caption(T("sc.dem.enrolment_known", rates="; ".join(
            f"{k}: {v:.0%}" for k, v in known_rates.items())))

present = (set(areas_layer["area_type"].dropna().astype(str))
           if "area_type" in areas_layer.columns else set())
figures: dict[str, float | None] = {}
for svc_ in svc_list:
    kind_ = DEMAND_RULE[svc_][0]
    missing = sorted(at for at in present & {"new", "old"}
                     if prof.rule(kind_, service=svc_, area_type=at) is None)
    if not missing:
        continue
    st.warning(T("sc.dem.missing", profile=common.profile_label(prof.id),
                 service=value_label(svc_, LANG), rule=value_label(kind_, LANG),
                 areas="、".join(T(f"sc.dem.area.{a}") for a in missing)))
    figures[svc_] = st.number_input(T(f"sc.dem.figure.{svc_}"), min_value=0.0, value=None,
                                    step=1.0, key=f"sc_figure_{svc_}", format="%g",
                                    help=T("sc.dem.figure_help"))
pph_used = None if float(pph) == float(pph_param.value) else float(pph)
run_profile = planner_profile(prof, persons_per_household=pph_used,
                              childcare_per_1000=figures.get("childcare"),
                              eldercare_per_100_households=figures.get("eldercare"))
with st.expander(T("sc.dem.rules")):
    st.caption(T("sc.dem.rules_caption"))
    try:
        preview = compute_demand(areas_layer, run_profile)
        rows = [r for r in demand_rules(preview, run_profile) if r["service"] in svc_list]
        common.show_table(demand_rules_frame(rows, LANG))
    except InputError as exc:
        common.show_error(exc)
    used_pph = run_profile.parameter("persons_per_household")
    st.caption(T("sc.dem.pph", value=f"{used_pph.value:g}", source=used_pph.source.render(LANG),
                 basis=common.message(Message(f"policy.basis_{used_pph.basis}"))))

if st.button(T("sc.run"), type="primary", key="sc_run"):
    bar = st.progress(0.0, text=T("sc.progress.demand"))

    def _progress(stage: str, frac: float) -> None:
        bar.progress(min(max(frac, 0.0), 1.0), text=T(f"sc.progress.{stage}"))

    try:
        ramp = parse_ramp(ramp_text) if target_year is not None else None
        # the profile's figures unless the planner changed them: each service keeps its own
        # (the elderly walk slower), and the run's notes cite the profile, not the planner
        params = ScenarioParams(
            service=service, objective=objective, budget=budget, p=p,
            minutes=None if float(minutes) == def_min else float(minutes),
            speed_m_per_min=None if float(speed) == def_speed else float(speed),
            candidate_ids=list(chosen), allow_unmet=bool(allow_unmet),
            time_limit=float(time_limit), side_rules=bool(side_rules) and can_count,
            target_year=None if target_year is None else int(target_year),
            occupancy_ramp=None if ramp == DEFAULT_OCCUPANCY_RAMP else ramp,
            demand_basis=basis, enrolment_rate=None if enrolment is None else float(enrolment),
            persons_per_household=pph_used, childcare_per_1000=figures.get("childcare"),
            eldercare_per_100_households=figures.get("eldercare"))
        with st.spinner(T("sc.progress.solve")):
            run = run_scenario(areas=layers["areas"], facilities=layers.get("facilities"),
                               candidates=cands, network=common.network(), profile=prof,
                               params=params, progress=_progress)
        st.session_state["run"] = {"run": run, "profile_id": common.profile_id()}
        st.session_state.pop("run_error", None)
    except Exception as exc:  # noqa: BLE001
        st.session_state.pop("run", None)
        st.session_state["run_error"] = exc



def _error_title(exc: BaseException) -> str | None:
    """Infeasible, a missing demand figure (its own title: 9.5) or input to correct."""
    if isinstance(exc, InfeasibleError):
        return T("sc.infeasible")
    codes = {getattr(p, "code", None) for p in getattr(exc, "problems", [])}
    if "policy.no_demand_figure" in codes:
        return T("sc.no_figure")
    return T("sc.bad_input") if isinstance(exc, InputError) else None


if "run_error" in st.session_state:
    common.show_error(st.session_state["run_error"],
                      title=_error_title(st.session_state["run_error"]))



def _n(value: float | None, spec: str) -> str:
    return "–" if value is None else format(value, spec)


def _objective_label(params: dict) -> str:
    obj = str(params.get("objective", "min_cost"))
    if obj == "min_cost":
        return T("sc.objval.min_cost_penalised" if params.get("allow_unmet", True)
                 else "sc.objval.min_cost")
    return T(f"sc.objval.{obj}") if obj in ("max_coverage", "p_median") else obj


state = st.session_state.get("run")
if state:
    run = state["run"]
    services = run_services(run.params.get("service", "childcare"))
    ind = nested_indicators(run.indicators, run.params.get("service"))
    obj_label = _objective_label(run.params)
    for svc, s in run.solver.items():
        label = T("sc.joint_status") if svc == "both" else T(f"sc.{svc}")
        st.info(f"{label} · " + T(
            "sc.status", status=value_label(s["status"], LANG), objective_label=obj_label,
            objective=_n(s["objective"], ",.0f" if abs(s["objective"] or 0) >= 1000 else ",.2f"),
            bound=_n(s["bound"], ",.0f" if abs(s["bound"] or 0) >= 1000 else ",.2f"),
            gap=_n(s["gap"], ".2%"), seconds=_n(s["seconds"], ".2f")))
    if run.method != "network":
        st.warning(T("sc.method_fallback"))
    if total(ind, "no_plan"):
        # no plan is never a plan: no sites, cost, coverage or unmet figures, nothing to save
        from core.messages import as_text

        for svc in services:
            if ind.get(svc, {}).get("no_plan"):
                st.error(f"{_service_label(svc)}：{as_text(ind[svc].get('reason'), LANG)}")
        st.stop()
    m1, m2, m3, *m_unmet = st.columns(3 + len(services))
    m1.metric(T("ind.sites"), total(ind, "sites") or 0)
    m2.metric(T("ind.cost"), f"{total(ind, 'cost') or 0:,.0f}")
    share = total(ind, "share_covered")
    m3.metric(T("ind.share_covered"), "–" if share is None else f"{share:.1%}")
    # one figure per service, each in its own unit (托位, m²): never one figure for both
    for col, svc in zip(m_unmet, services, strict=True):
        col.metric(T("ind.unmet") + (f" · {_service_label(svc)}" if len(services) > 1 else ""),
                   unmet_text(ind, [svc], LANG, label=_service_label, default=0.0))
    if (run.params.get("objective") == "min_cost" and run.params.get("allow_unmet", True)
            and any_unmet(ind, services)):
        st.caption(T("sc.cost_note"))

    from pages.plan_map import show_plan_map

    show_plan_map(run, key="sc")

    for note in run.notes:
        st.caption(common.message(note))
    st.subheader(T("sc.dem.totals"))
    tot = demand_totals(run.areas).set_index(["unit_name", "service"])
    for col, svc in zip(st.columns(len(services)), services, strict=True):
        row = tot.loc[("(total)", svc)]
        col.metric(T("sc.dem.total_of", service=_service_label(svc)),
                   f"{row['required']:,.1f} {T(f'sc.unit.{svc}')}")
    if run.demand_table is not None:
        with st.expander(T("sc.dem.by_street"), expanded=True):
            table = run.demand_table[run.demand_table["service"].isin(services)]
            common.show_table(demand_table_frame(table, LANG, rules=run.demand_rules))
            common.show_table(demand_rules_frame(
                [r for r in run.demand_rules if r["service"] in services], LANG))
    if run.rules:
        with st.expander(T("sc.rules"), expanded=True):
            common.show_table(pd.DataFrame(run.rules)[["service", "rule", "applied", "detail",
                                                       "source"]])

    st.subheader(T("sc.sites"))
    common.show_table(run.sites[run.sites["status"] == "proposed"])
    if run.joint_sites is not None:
        st.subheader(T("sc.joint_sites"))
        st.caption(T("sc.joint_caption"))
        common.show_table(run.joint_sites)
    st.subheader(T("sc.unmet"))
    if len(run.unmet):
        common.show_table(unmet_with_names(run.unmet, run.areas))
    else:
        st.success(T("sc.no_unmet"))
    with st.expander(T("sc.assign")):
        common.show_table(run.assignments)

    name = st.text_input(T("sc.name"), value=f"{_service_label(service)} · "
                         f"{T(f'sc.obj.{objective}')}",
                         key="sc_name")
    if st.button(T("sc.save"), key="sc_save"):
        from planning.scenarios import saved_scenario

        sc = saved_scenario(run, name=name, profile_id=state["profile_id"], candidates=cands)
        try:
            common.store().save(sc, owner=common.owner_id())
            st.success(T("sc.saved", name=name))
        except Exception as exc:  # noqa: BLE001
            common.show_error(exc)
