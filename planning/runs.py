"""Running a siting scenario end to end: demand → walking times → model → indicators.

The Streamlit pages and the ``plan`` command's map form both call :func:`run_scenario` with
a :class:`planning.params.ScenarioParams`. The steps live beside this module:
:mod:`planning.sites` (site tables and size rules), :mod:`planning.side_rules` (site-count
rules), :mod:`planning.objectives` (the objective → model registry) and
:mod:`planning.indicators` (figures per service). Figures such as the 托位 cap per site, the
elder-care minimum site area or "one site per 街道" come from the profile's rules, never from
literals here; every rule a run applies is listed, with its source, in
:attr:`ScenarioRun.rules`.

Joint siting (service ``'both'`` with the minimum-cost objective)
    In the plans' own words: 「支持建设集养老、托育等于一体的社区服务综合体」
    (Xuanhan 二（五）), 「推动社区养老、托育、文化、邻里等设施共建共享」 (Quzhou 三（二）4),
    「推动养老托育服务设施与社区服务中心(站)…共建共享」 (Chuzhou 三（二）).
    「两室联建」 is not this: in the Suizhou plan it is a village clinic with an elder-care
    room, the profiles' ``colocated_with_health`` rule.
    Child care and elder care are sited together on shared sites with
    :class:`optimizer.JointSiting` (the shared fixed cost is explained in
    :mod:`planning.sites`); the saving ``f_c + f_e - S`` of a shared site is split evenly
    between its two rows in :attr:`ScenarioRun.sites` (column ``shared_saving``). Reach
    differs by service (the elderly walk slower): walking times are computed once at the
    child-care speed and each service's cutoff converted to it. Other objectives solve each
    service on its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from core.messages import Message
from geo import ISOLATED_FRAGMENT, Reach, fragment_note, service_areas, travel_times
from optimizer import JointSiting
from planning.applied import rule_record
from planning.demand import compute_demand
from planning.demand_summary import demand_rules
from planning.indicators import (
    area_outcome,
    has_plan,
    no_plan_indicators,
    service_outcome,
    solver_record,
    totals,
)
from planning.objectives import build_model
from planning.params import DEMAND_COL, WHOLE_UNITS, Progress, ScenarioParams, no_progress
from planning.run_basis import check_demand_figures, cutoff_basis, demand_records, reach_notes
from planning.run_demand import demand_comparison, profile_for, scenario_demand
from planning.side_rules import check_p, count_rules, countable, has_count_rules, side_rules_for
from planning.sites import joint_site_table, site_table

#: The walking reach of each service in a run.
Cutoffs = dict[str, Reach]

#: A source of walking times with the signature of :func:`geo.access.travel_times` (a sweep
#: passes one that reads times computed once for all its scenarios; see
#: :mod:`planning.sweep`).
TravelTimes = Callable[..., pd.DataFrame]


@dataclass
class ScenarioRun:
    """Everything a run produced, ready for tables, maps and the store.

    ``rules`` lists every profile rule the run applied (or could not apply), each a dict with
    ``service``, ``rule`` (id), ``kind``, ``value``, ``unit``, ``area_type``, ``source``
    (document and clause), ``applied`` (bool) and ``detail`` (a message); ``notes`` are
    messages (dropped candidates, rules capped to the sites available, joint siting used).
    ``indicators`` are nested per service (see :mod:`planning.indicators`).
    ``all_sites`` has every site considered (unopened candidates too) with ``open``.
    """

    params: dict[str, Any]
    indicators: dict[str, Any]
    sites: pd.DataFrame  # chosen + existing sites with capacities, service, cost
    assignments: pd.DataFrame
    unmet: pd.DataFrame
    areas: gpd.GeoDataFrame  # demand + served/unmet/shortfall/coverage per area
    site_layer: gpd.GeoDataFrame  # existing and proposed sites, for maps
    solver: dict[str, Any] = field(default_factory=dict)
    method: str = "network"
    service_areas: gpd.GeoDataFrame | None = None  # walking reach of the open sites
    rules: list[dict[str, Any]] = field(default_factory=list)
    notes: list[Message] = field(default_factory=list)
    all_sites: pd.DataFrame | None = None
    joint_sites: pd.DataFrame | None = None  # per shared site: fixed costs alone / together
    #: the demand rules applied: rates, units, sources (see planning.demand_summary)
    demand_rules: list[dict[str, Any]] = field(default_factory=list)
    #: policy and need-based demand per 街道 and service (see planning.run_demand)
    demand_table: pd.DataFrame | None = None

    def results(self) -> dict[str, Any]:
        """The JSON-able results for :class:`planning.scenarios.Scenario`."""
        out: dict[str, Any] = {
            "indicators": self.indicators, "sites": self.sites,
            "assignments": self.assignments, "unmet": self.unmet, "solver": self.solver,
            "method": self.method, "rules": self.rules, "notes": self.notes}
        if self.joint_sites is not None:
            out["joint_sites"] = self.joint_sites
        if self.demand_table is not None:
            out["demand_rules"] = self.demand_rules
            out["demand"] = self.demand_table
        return out


def _solve_joint(
    demand: gpd.GeoDataFrame,
    per_service: dict[str, gpd.GeoDataFrame],
    network: Any | None,
    cutoffs: Cutoffs,
    params: ScenarioParams,
    rules: dict[str, Any],
    progress: Progress,
    joint_sites: gpd.GeoDataFrame,
    travel: TravelTimes = travel_times,
) -> tuple[list[Any], list[pd.DataFrame], str, Any]:
    """JointSiting on the shared sites; results and pairs split back per service rows."""
    services = list(per_service)
    ref_speed = cutoffs[services[0]].speed_m_per_min
    reach_min = {s: cutoffs[s].metres / ref_speed for s in services}
    progress("travel", 0.1)
    pairs = travel(network, demand, joint_sites,
                         reach=Reach(max(reach_min.values()), ref_speed), fallback=network is None,
                         drop_unsnapped=True)
    method = pairs.attrs.get("method", "network")
    areas = demand[["id"]].copy()
    for s in services:
        areas[s] = pd.to_numeric(demand[DEMAND_COL[s]], errors="coerce").fillna(0.0)
    progress("solve", 0.5)
    model = JointSiting.from_geodataframe(
        areas, pd.DataFrame(joint_sites.drop(columns="geometry")), pairs,
        demand_cols=services, max_cost=[reach_min[s] for s in services],
        allow_unmet=params.allow_unmet, rules={s: r for s, r in rules.items() if r is not None},
        integer_capacity=[WHOLE_UNITS[s] for s in services],
        reach_label=Message("optimizer.reach.per_service"))
    model.solve(solver=params.solver, time_limit=params.time_limit, gap=params.gap)
    res = model.result
    assert res is not None
    results: list[Any] = []
    split_pairs: list[pd.DataFrame] = []
    for s in services:
        row = joint_sites.set_index("id")[f"{s}_row"]
        sel = res.sites[res.sites["service"] == s]
        sel = sel[sel["id"].astype(str).map(row).notna()].copy()
        sel["id"] = sel["id"].astype(str).map(row)
        a = res.assignments[res.assignments["service"] == s].copy()
        a["site_id"] = a["site_id"].astype(str).map(row)
        if "minutes" in a.columns:
            a["minutes"] = a["minutes"] * ref_speed / cutoffs[s].speed_m_per_min
        u = res.unmet[res.unmet["service"] == s].copy()
        results.append(replace(res, sites=sel.drop(columns="service"),
                               assignments=a.drop(columns="service"),
                               unmet=u.drop(columns="service")))
        pp = pairs[pairs["minutes"] <= reach_min[s] + 1e-9].copy()
        pp["destination_id"] = pp["destination_id"].astype(str).map(row)
        pp = pp[pp["destination_id"].notna()]
        pp["minutes"] = pp["minutes"] * ref_speed / cutoffs[s].speed_m_per_min
        split_pairs.append(pp)
    return results, split_pairs, method, res


def _solve_one(service: str, demand: gpd.GeoDataFrame, sites: gpd.GeoDataFrame,
               pairs: pd.DataFrame, params: ScenarioParams, rules: Any = None) -> Any:
    """One service with the scenario's objective (see :mod:`planning.objectives`)."""
    col = DEMAND_COL[service]
    areas = demand[["id", col]].copy()
    areas[col] = pd.to_numeric(areas[col], errors="coerce").fillna(0.0)
    kw: dict[str, Any] = {"demand_col": col, "integer_capacity": WHOLE_UNITS[service]}
    if rules is not None:
        kw["rules"] = rules
    model = build_model(params.objective, areas, pd.DataFrame(sites.drop(columns="geometry")),
                        pairs, budget=params.budget, p=params.p,
                        allow_unmet=params.allow_unmet, **kw)
    model.solve(solver=params.solver, time_limit=params.time_limit, gap=params.gap)
    return model.result


@dataclass
class _Plan:
    """What the steps of :func:`run_scenario` gather before the results are assembled."""

    demand: gpd.GeoDataFrame
    services: list[str]
    cutoffs: Cutoffs
    per_service: dict[str, gpd.GeoDataFrame]
    rules: list[dict[str, Any]] = field(default_factory=list)
    notes: list[Message] = field(default_factory=list)
    side: dict[str, Any] = field(default_factory=dict)
    joint_sites: gpd.GeoDataFrame | None = None
    side_applied: bool = False


def _side_rules(plan: _Plan, profile: Any, params: ScenarioParams, apply: bool) -> None:
    """Turn the profile's site-count rules into side rules per service (or record why not)."""
    for svc in plan.services:
        if not apply:
            for r in count_rules(profile, svc):
                why = (Message("planning.count_rule_off") if countable(r) else
                       Message("planning.count_rule_level",
                               {"level": Message(f"planning.level_{r.admin_level}")}))
                plan.rules.append(rule_record(r, svc, applied=False, detail=why))
            if not params.share_rules:
                plan.side[svc] = None
                continue
        js = plan.joint_sites
        if js is not None:
            frame = gpd.GeoDataFrame({"kind": js[f"{svc}_kind"].values,
                                      "admin_unit": js["admin_unit"].values},
                                     geometry=js.geometry.values, crs=js.crs)
            ex = js[f"{svc}_existing_capacity"].to_numpy() > 0
            av = ex | (js[f"{svc}_max_capacity"].to_numpy() > 0)
            rules, recs, nts, _ = side_rules_for(frame, plan.demand, service=svc,
                                                 profile=profile, existing=ex, available=av,
                                                 counts=apply, shares=params.share_rules)
        else:
            rules, recs, nts, new_needed = side_rules_for(
                plan.per_service[svc], plan.demand, service=svc, profile=profile,
                counts=apply, shares=params.share_rules)
            check_p(svc, params, new_needed)
        plan.side[svc] = rules
        plan.rules.extend(recs)
        plan.notes.extend(nts)


def layer_notes(*layers: gpd.GeoDataFrame | None) -> list[Message]:
    """What reading the input layers recorded (``attrs['notes']`` and ``attrs['repairs']``).

    Defaults filled in, rows excluded, area types set by the planner at upload, geometries
    repaired: a run carries them into its notes, and so into its exports and result files.
    """
    out: list[Message] = []
    for layer in layers:
        if layer is None:
            continue
        for note in [*layer.attrs.get("notes", []), *layer.attrs.get("repairs", [])]:
            if isinstance(note, Message) and note not in out:
                out.append(note)
    return out


def _prepare(areas: gpd.GeoDataFrame, facilities: gpd.GeoDataFrame | None,
             candidates: gpd.GeoDataFrame | None, profile: Any,
             params: ScenarioParams, demand: gpd.GeoDataFrame | None = None) -> _Plan:
    """Demand, reach, site tables and side rules of every service of the scenario."""
    base = compute_demand(areas, profile) if demand is None else demand
    prepared: gpd.GeoDataFrame
    prepared, demand_notes = scenario_demand(base, profile, params)
    demand = prepared
    check_demand_figures(demand, profile, params.services)
    plan = _Plan(demand=demand, services=params.services, cutoffs={}, per_service={})
    plan.notes.extend(layer_notes(areas, facilities, candidates))
    plan.notes.extend(demand_notes)
    plan.rules.extend(demand_records(profile, params.services, demand))
    plan.notes.extend(reach_notes(profile, params))
    plan.notes.extend(demand.attrs.get("warnings", []))
    for svc in plan.services:
        plan.cutoffs[svc] = params.reach(profile, svc)
        st = site_table(facilities, candidates, service=svc, profile=profile,
                        candidate_ids=params.candidate_ids, areas=demand)
        plan.per_service[svc] = st
        plan.rules.extend(st.attrs["rules"])
        plan.notes.extend(st.attrs["notes"])
    if params.service == "both" and params.objective == "min_cost" and params.joint:
        plan.joint_sites = joint_site_table(plan.per_service)
    apply = (has_count_rules(profile, params.service) if params.side_rules is None
             else bool(params.side_rules))
    _side_rules(plan, profile, params, apply)
    plan.side_applied = apply or params.share_rules
    return plan


def run_scenario(
    *,
    areas: gpd.GeoDataFrame,
    facilities: gpd.GeoDataFrame | None,
    candidates: gpd.GeoDataFrame | None,
    network: Any | None,
    profile: Any,
    params: ScenarioParams,
    progress: Progress | None = None,
    demand: gpd.GeoDataFrame | None = None,
    travel: TravelTimes | None = None,
) -> ScenarioRun:
    """Run one scenario (the readings of the policy rules are in the step modules' notes).

    Parameters
    ----------
    areas, facilities, candidates : GeoDataFrame
        Canonical layers as the readers return them (ids are strings); facilities are the
        existing ones; candidate rows of one site share ``site_id`` (optionally
        ``shared_fixed_cost``).
    network : geo.network.WalkNetwork or None
        None uses straight-line distances (declared in :attr:`ScenarioRun.method`).
    profile : planning.profiles.Profile
        The policy profile whose rules and parameters apply.
    params : ScenarioParams
        What the planner chose.
    progress : callable(message, fraction), optional
        Called with the stage ('demand', 'travel', 'solve', 'done') and a fraction.
    demand : GeoDataFrame, optional
        ``compute_demand(areas, profile)`` when already computed (a sweep computes it once
        for all its scenarios); by default computed here.
    travel : callable, optional
        Used instead of :func:`geo.access.travel_times` (same signature), e.g. a sweep's
        reader of walking times computed once (:mod:`planning.sweep`).

    Raises
    ------
    errors.InputError, errors.InfeasibleError, errors.SolverError
        As raised by the steps (bad parameters, infeasible hard scenario, solver failure).
    """
    progress = progress or no_progress
    params.validate()
    profile = profile_for(profile, params)
    progress("demand", 0.05)
    plan = _prepare(areas, facilities, candidates, profile, params, demand)
    travel = travel or travel_times
    shared: dict[str, float] = {}
    joint_res = None
    if plan.joint_sites is not None:
        plan.notes.append(Message("planning.joint_used"))
        results, all_pairs, method, joint_res = _solve_joint(
            plan.demand, plan.per_service, network, plan.cutoffs, params, plan.side, progress,
            plan.joint_sites, travel)
        saving = plan.joint_sites.set_index("id")["shared_fixed_cost"]
        shared = {str(k): float(saving.get(k, 0.0))
                  for k in joint_res.details.get("shared_sites", [])}
    else:
        if params.service == "both":
            plan.notes.append(Message("planning.each_service_alone"))
        results, all_pairs, method = _solve_separately(plan, network, params, progress,
                                                       travel)
    run = _assemble(plan, results, all_pairs, params, method, shared=shared)
    # --- areas alone on isolated street fragments: their unmet demand says why (geo.unreached)
    for svc, svc_pairs in zip(plan.services, all_pairs, strict=True):
        note = fragment_note(svc_pairs, Message(f"planning.service_{svc}"))
        if note is not None:
            run.notes.append(note)
            on = (run.unmet["service"] == svc) & run.unmet["id"].isin(note.args["ids"])
            run.unmet.loc[on, "reason"] = ISOLATED_FRAGMENT
    run.params["side_rules_applied"] = plan.side_applied
    run.params["cutoff_basis"] = cutoff_basis(profile, params)
    run.params["parameters_used"] = {
        pid: profile.parameter(pid).describe()
        for pid in ("persons_per_household", "floor_area_per_person_m2")}
    run.params["target_year_used"] = plan.demand.attrs.get("target_year")
    run.demand_rules = [r for r in demand_rules(plan.demand, profile)
                        if r["service"] in plan.services]
    table = demand_comparison(plan.demand)
    run.demand_table = table[table["service"].isin(plan.services)].reset_index(drop=True)
    if joint_res is not None and plan.joint_sites is not None:
        _add_joint(run, joint_res, plan.joint_sites, plan.services, shared, params.solver)
    if network is not None:
        progress("travel", 0.95)
        run.service_areas = service_area_layer(network, run.site_layer, plan.cutoffs)
    progress("done", 1.0)
    return run


def _solve_separately(plan: _Plan, network: Any | None, params: ScenarioParams,
                      progress: Progress, travel: TravelTimes = travel_times,
                      ) -> tuple[list[Any], list[pd.DataFrame], str]:
    """Each service on its own: walking times at its reach, then its model."""
    results: list[Any] = []
    all_pairs: list[pd.DataFrame] = []
    method = "network"
    n = len(plan.services)
    for k, svc in enumerate(plan.services):
        sites = plan.per_service[svc]
        progress("travel", 0.1 + 0.4 * k / n)
        pairs = travel(network, plan.demand, sites, reach=plan.cutoffs[svc],
                             fallback=network is None, drop_unsnapped=True)
        method = pairs.attrs.get("method", method)
        progress("solve", 0.5 + 0.4 * k / n)
        results.append(_solve_one(svc, plan.demand, sites, pairs, params, plan.side.get(svc)))
        all_pairs.append(pairs.assign(service=svc))
    return results, all_pairs, method


def _assemble(plan: _Plan, results: list[Any], all_pairs: list[pd.DataFrame],
              params: ScenarioParams, method: str, *,
              shared: dict[str, float]) -> ScenarioRun:
    """The run's tables, per-area outcome and indicators (per service, then in total)."""
    pop = pd.to_numeric(plan.demand["population"], errors="coerce").fillna(0.0)
    total_pop = float(pop.sum())
    areas = plan.demand.copy()
    fully_served = pd.Series(True, index=areas.index)
    outcomes, assign_rows, unmet_rows = [], [], []
    indicators: dict[str, Any] = {}
    solver: dict[str, Any] = {}
    for svc, res, pairs in zip(plan.services, results, all_pairs, strict=True):
        out = service_outcome(svc, plan.per_service[svc], res, total_population=total_pop,
                              solver=params.solver, shared=shared)
        outcomes.append(out)
        assign_rows.append(res.assignments.assign(service=svc))
        unmet = res.unmet.assign(service=svc)
        unmet_rows.append(unmet)
        served, unmet_total, required = area_outcome(areas, svc, unmet, pairs)
        fully_served &= served
        indicators[svc] = {**out.indicators, "unmet": unmet_total, "required": required}
        solver[svc] = out.solver
        if not has_plan(res):
            # no plan is never a plan: no sites, cost, coverage or unmet figures
            indicators[svc] = no_plan_indicators(svc, res, required)
            areas[[f"{svc}_unmet", f"{svc}_served_share"]] = np.nan
    areas["fully_served"] = fully_served
    areas["coverage"] = np.mean([areas[f"{s}_served_share"] for s in plan.services], axis=0)
    if len(plan.services) == 1:
        # one service: its shortfall in its unit; with both, 托位 and m² stay apart
        # (``childcare_unmet``, ``eldercare_unmet``) and are never added
        areas["shortfall"] = areas[f"{plan.services[0]}_unmet"]
    planned = all(has_plan(r) for r in results)
    share = float(pop[fully_served].sum()) / total_pop if total_pop and planned else None
    if not planned:
        areas["fully_served"] = pd.NA
    indicators["total"] = totals({s: indicators[s] for s in plan.services}, solver,
                                 share_covered=share, method=method)
    sites_df = pd.concat([o.chosen for o in outcomes], ignore_index=True)
    keep = ["id", "site_id", "name", "service", "status", "existing_capacity", "new_capacity",
            "capacity", "cost", *(["shared_saving"] if shared else []), "size_rule"]
    layers = [o.layer for o in outcomes]
    return ScenarioRun(
        params=params.to_dict() | {"cutoffs": {
            s: {"minutes": r.minutes, "speed_m_per_min": r.speed_m_per_min}
            for s, r in plan.cutoffs.items()}},
        indicators=indicators,
        sites=sites_df[[c for c in keep if c in sites_df.columns]],
        assignments=pd.concat(assign_rows, ignore_index=True),
        unmet=pd.concat(unmet_rows, ignore_index=True),
        areas=areas,
        site_layer=gpd.GeoDataFrame(pd.concat(layers, ignore_index=True), geometry="geometry",
                                    crs=layers[0].crs),
        solver=solver,
        method=method,
        rules=plan.rules,
        notes=plan.notes,
        all_sites=pd.concat([o.all_sites for o in outcomes], ignore_index=True),
    )


def _add_joint(run: ScenarioRun, res: Any, joint_sites: gpd.GeoDataFrame,
               services: list[str], shared: dict[str, float], solver: str) -> None:
    """The joint solve's status, the shared sites and their fixed costs alone / together."""
    s = solver_record(res, solver, model="joint siting")
    run.solver = {"both": s}
    run.indicators["total"].update(objective=s["objective"], shared_sites=len(shared),
                                   shared_saving=float(sum(shared.values())))
    cols = ["id", "name", "admin_unit", *[f"{x}_fixed_cost" for x in services],
            "fixed_cost_both", "shared_source"]
    js = pd.DataFrame(joint_sites.drop(columns="geometry"))
    js = js[js["status"] == "candidate"].copy()
    alone = joint_sites.attrs["fixed_cost_alone"]
    cand = (joint_sites["status"] == "candidate").to_numpy()
    for x in services:
        js[f"{x}_fixed_cost"] = np.where(js[f"{x}_row"].notna(), alone[x][cand], np.nan)
    js["both_open"] = js["id"].isin(list(shared))
    run.joint_sites = js[[*cols, "both_open"]].reset_index(drop=True)


def service_area_layer(
    network: Any, sites: gpd.GeoDataFrame, cutoffs: Cutoffs
) -> gpd.GeoDataFrame | None:
    """Walking reach of *sites* per service (dissolved), at each service's minutes and speed."""
    parts = []
    for svc, reach in cutoffs.items():
        sel = sites[sites["service"] == svc]
        if not len(sel):
            continue
        sa = service_areas(network, sel, reach=reach,
                           dissolve=True, drop_unsnapped=True)
        if len(sa):
            parts.append(gpd.GeoDataFrame({"service": svc, "minutes": sa["minutes"].values},
                                          geometry=sa.geometry.values, crs=sa.crs))
    if not parts:
        return None
    out = pd.concat(parts, ignore_index=True)
    return gpd.GeoDataFrame(out, geometry="geometry", crs=parts[0].crs)

