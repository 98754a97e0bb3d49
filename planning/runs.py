"""Running a siting scenario end to end: demand → walking times → model → indicators.

The Streamlit pages stay thin: they collect :class:`ScenarioParams` and call
:func:`run_scenario`, which ties together :mod:`planning.demand`, :mod:`geo.access` and the
models of :mod:`optimizer`. Figures such as the 托位 cap per site or the elder-care minimum
site area come from the profile's rules, never from literals here.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from errors import InputError

SERVICES = ("childcare", "eldercare")
OBJECTIVES = ("min_cost", "max_coverage", "p_median")
DEMAND_COL = {"childcare": "childcare_places_required", "eldercare": "eldercare_area_required_m2"}
SPEED_PARAM = {"childcare": "walking_speed_m_per_min",
               "eldercare": "elderly_walking_speed_m_per_min"}
MINUTES_PARAM = {"childcare": "childcare_service_minutes",
                 "eldercare": "eldercare_service_minutes"}

Progress = Callable[[str, float], None]


@dataclass
class ScenarioParams:
    """What the planner chose for one scenario.

    ``minutes`` / ``speed_m_per_min`` of None take the profile's parameters for the service.
    """

    service: str = "childcare"  # 'childcare' | 'eldercare' | 'both'
    objective: str = "min_cost"  # 'min_cost' | 'max_coverage' | 'p_median'
    budget: float | None = None
    p: int | None = None
    minutes: float | None = None
    speed_m_per_min: float | None = None
    candidate_ids: list[str] | None = None
    allow_unmet: bool = True
    time_limit: float | None = 60.0
    gap: float | None = None
    solver: str = "highs"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def validate(self) -> None:
        problems = []
        if self.service not in (*SERVICES, "both"):
            problems.append(f"service must be childcare, eldercare or both; got {self.service!r}")
        if self.objective not in OBJECTIVES:
            problems.append(f"objective must be one of {OBJECTIVES}; got {self.objective!r}")
        if self.objective == "p_median" and not self.p:
            problems.append("the p-median objective needs a number of sites p")
        if self.objective == "max_coverage" and self.p is None and self.budget is None:
            problems.append("maximum coverage needs a budget or a number of sites p")
        for name in ("minutes", "speed_m_per_min", "budget"):
            v = getattr(self, name)
            if v is not None and not (v > 0):
                problems.append(f"{name} must be > 0; got {v}")
        if problems:
            raise InputError(problems, source="scenario parameters")


@dataclass
class ScenarioRun:
    """Everything a run produced, ready for tables, maps and the store."""

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

    def results(self) -> dict[str, Any]:
        """The JSON-able results for :class:`planning.scenarios.Scenario`."""
        return {"indicators": self.indicators, "sites": self.sites,
                "assignments": self.assignments, "unmet": self.unmet, "solver": self.solver,
                "method": self.method}


def _noop(_msg: str, _frac: float) -> None:
    pass


def _rule_value(profile: Any, kind: str, service: str) -> float | None:
    try:
        rule = profile.rule(kind, service=service)
    except Exception:  # noqa: BLE001 - an absent rule kind is simply not applied
        return None
    return None if rule is None else float(rule.value)


def service_defaults(profile: Any, service: str) -> tuple[float, float]:
    """(minutes, speed m/min) of *service* from the profile's parameters."""
    return float(profile.param(MINUTES_PARAM[service])), float(profile.param(SPEED_PARAM[service]))


def site_table(
    facilities: gpd.GeoDataFrame | None,
    candidates: gpd.GeoDataFrame | None,
    *,
    service: str,
    profile: Any,
    candidate_ids: Sequence[str] | None = None,
) -> gpd.GeoDataFrame:
    """Existing facilities and candidate sites of one service in the optimizer's columns.

    Existing sites keep their capacity (``existing_capacity`` = ``max_capacity``, no cost);
    candidates get the profile's per-site limits: child-care sites are capped at the
    ``childcare_max_site_places`` rule, elder-care sites raised to the
    ``eldercare_min_site_area`` rule.
    """
    parts = []
    notes: list[str] = []
    if facilities is not None and len(facilities):
        ex = facilities[facilities["service"].astype(str) == service]
        ex = ex[ex.get("status", pd.Series("existing", index=ex.index)).astype(str) == "existing"]
        if len(ex):
            cap = pd.to_numeric(ex["capacity"], errors="coerce").fillna(0.0)
            parts.append(gpd.GeoDataFrame({
                "id": ex["id"].astype(str).values, "name": ex.get("name", ex["id"]).values,
                "service": service, "status": "existing",
                "fixed_cost": 0.0, "unit_cost": 0.0, "min_capacity": 0.0,
                "max_capacity": cap.values, "existing_capacity": cap.values,
            }, geometry=ex.geometry.values, crs=ex.crs))
    if candidates is not None and len(candidates):
        cd = candidates[candidates["service"].astype(str) == service]
        if candidate_ids is not None:
            wanted = {str(c) for c in candidate_ids}
            keep = cd["id"].astype(str).isin(wanted)
            if "site_id" in cd.columns:
                keep |= cd["site_id"].astype(str).isin(wanted)
            cd = cd[keep]
        if len(cd):
            lo = pd.to_numeric(cd.get("min_capacity"), errors="coerce").fillna(0.0)
            hi = pd.to_numeric(cd.get("max_capacity"), errors="coerce").fillna(np.inf)
            if service == "childcare":
                cap = _rule_value(profile, "childcare_max_site_places", service)
                if cap is not None:
                    hi = hi.clip(upper=cap)
            else:
                least = _rule_value(profile, "eldercare_min_site_area", service)
                if least is not None:
                    lo = lo.clip(lower=least)
            fits = (lo <= hi).to_numpy()
            if not fits.all():
                notes.append(
                    f"{service} candidates {', '.join(cd['id'].astype(str)[~fits])} dropped: "
                    "their largest capacity is below the profile's least site size")
                cd, lo, hi = cd[fits], lo[fits], hi[fits]
            parts.append(gpd.GeoDataFrame({
                "id": cd["id"].astype(str).values, "name": cd.get("name", cd["id"]).values,
                "service": service, "status": "candidate",
                "site_id": cd.get("site_id", cd["id"]).astype(str).values,
                "fixed_cost": pd.to_numeric(cd["fixed_cost"], errors="coerce").fillna(0).values,
                "unit_cost": pd.to_numeric(cd["unit_cost"], errors="coerce").fillna(0).values,
                "min_capacity": lo.values, "max_capacity": hi.values, "existing_capacity": 0.0,
            }, geometry=cd.geometry.values, crs=cd.crs))
    if not parts:
        raise InputError([f"no existing facility and no candidate site for {service}"],
                         source="sites")
    out = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry",
                           crs=parts[0].crs)
    out.attrs["notes"] = notes
    return out


def _solve_one(
    service: str,
    demand: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    pairs: pd.DataFrame,
    params: ScenarioParams,
) -> Any:
    from optimizer.models import MaxCoverage, MinCostProvision, PMedian

    col = DEMAND_COL[service]
    areas = demand[["id", col]].copy()
    areas[col] = pd.to_numeric(areas[col], errors="coerce").fillna(0.0)
    frame_sites = pd.DataFrame(sites.drop(columns="geometry"))
    kw: dict[str, Any] = {"demand_col": col}
    model: Any
    if params.objective == "min_cost":
        model = MinCostProvision.from_geodataframe(areas, frame_sites, pairs,
                                                   allow_unmet=params.allow_unmet, **kw)
    elif params.objective == "max_coverage":
        model = MaxCoverage.from_geodataframe(areas, frame_sites, pairs, budget=params.budget,
                                              p=params.p, **kw)
    else:
        model = PMedian.from_geodataframe(areas, frame_sites, pairs, p=int(params.p or 0), **kw)
    model.solve(solver=params.solver, time_limit=params.time_limit, gap=params.gap)
    return model.result


def run_scenario(
    *,
    areas: gpd.GeoDataFrame,
    facilities: gpd.GeoDataFrame | None,
    candidates: gpd.GeoDataFrame | None,
    network: Any | None,
    profile: Any,
    params: ScenarioParams,
    progress: Progress | None = None,
) -> ScenarioRun:
    """Run one scenario.

    Parameters
    ----------
    areas, facilities, candidates : GeoDataFrame
        Canonical layers (see the contract); facilities are the existing ones.
    network : geo.network.WalkNetwork or None
        None uses straight-line distances (declared in :attr:`ScenarioRun.method`).
    profile : planning.profiles.Profile
    params : ScenarioParams
    progress : callable(message, fraction), optional
        Called with the stage ('demand', 'travel', 'solve', 'done') and a fraction.

    Raises
    ------
    errors.InputError, errors.InfeasibleError, errors.SolverError
        As raised by the steps (bad parameters, infeasible hard scenario, solver failure).
    """
    from geo.access import travel_times
    from planning.demand import compute_demand

    progress = progress or _noop
    params.validate()
    services = list(SERVICES) if params.service == "both" else [params.service]
    progress("demand", 0.05)
    demand = compute_demand(areas, profile)
    demand["id"] = demand["id"].astype(str)
    site_frames, results, all_pairs, cutoffs = [], [], [], {}
    method = "network"
    for k, svc in enumerate(services):
        minutes, speed = service_defaults(profile, svc)
        minutes = float(params.minutes or minutes)
        speed = float(params.speed_m_per_min or speed)
        cutoffs[svc] = (minutes, speed)
        sites = site_table(facilities, candidates, service=svc, profile=profile,
                           candidate_ids=params.candidate_ids)
        progress("travel", 0.1 + 0.4 * k / len(services))
        pairs = travel_times(network, demand, sites, minutes=minutes, speed_m_per_min=speed,
                             fallback=network is None, drop_unsnapped=True)
        method = pairs.attrs.get("method", method)
        progress("solve", 0.5 + 0.4 * k / len(services))
        res = _solve_one(svc, demand, sites, pairs, params)
        site_frames.append(sites)
        results.append(res)
        all_pairs.append(pairs.assign(service=svc))
    run = _assemble(demand, services, site_frames, results, all_pairs, params, method,
                    cutoffs)
    if network is not None:
        progress("travel", 0.95)
        run.service_areas = service_area_layer(network, run.site_layer, cutoffs)
    progress("done", 1.0)
    return run


def service_area_layer(
    network: Any, sites: gpd.GeoDataFrame, cutoffs: dict[str, tuple[float, float]]
) -> gpd.GeoDataFrame | None:
    """Walking reach of *sites* per service (dissolved), at each service's minutes and speed."""
    from geo.service_areas import service_areas

    parts = []
    for svc, (minutes, speed) in cutoffs.items():
        sel = sites[sites["service"] == svc]
        if not len(sel):
            continue
        sa = service_areas(network, sel, minutes=(minutes,), speed_m_per_min=speed,
                           dissolve=True, drop_unsnapped=True)
        if len(sa):
            parts.append(gpd.GeoDataFrame({"service": svc, "minutes": sa["minutes"].values},
                                          geometry=sa.geometry.values, crs=sa.crs))
    if not parts:
        return None
    out = pd.concat(parts, ignore_index=True)
    return gpd.GeoDataFrame(out, geometry="geometry", crs=parts[0].crs)


def _num(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) or math.isinf(f) else f


def _assemble(
    demand: gpd.GeoDataFrame,
    services: list[str],
    site_frames: list[gpd.GeoDataFrame],
    results: list[Any],
    all_pairs: list[pd.DataFrame],
    params: ScenarioParams,
    method: str,
    cutoffs: dict[str, tuple[float, float]],
) -> ScenarioRun:
    pop = pd.to_numeric(demand["population"], errors="coerce").fillna(0.0)
    total_pop = float(pop.sum())
    site_rows, assign_rows, unmet_rows, layers = [], [], [], []
    indicators: dict[str, Any] = {}
    areas = demand.copy()
    solver: dict[str, Any] = {}
    fully_served = pd.Series(True, index=areas.index)
    for svc, sites, res, pairs in zip(services, site_frames, results, all_pairs, strict=True):
        rs = res.sites.copy()
        rs["id"] = rs["id"].astype(str)
        merged = sites.drop(columns="geometry").merge(
            rs[[c for c in rs.columns if c in ("id", "open", "capacity", "new_capacity")]],
            on="id", how="left")
        new_cap = pd.to_numeric(merged.get("new_capacity"), errors="coerce").fillna(0.0)
        is_cand = merged["status"] == "candidate"
        opened = is_cand & (new_cap > 1e-6)
        merged["new_capacity"] = new_cap
        merged["cost"] = np.where(opened, merged["fixed_cost"] + merged["unit_cost"] * new_cap,
                                  0.0)
        merged["status"] = np.where(opened, "proposed", merged["status"])
        chosen = merged[merged["status"] != "candidate"].copy()
        chosen["capacity"] = pd.to_numeric(chosen["existing_capacity"], errors="coerce").fillna(
            0.0) + chosen["new_capacity"]
        site_rows.append(chosen)
        geo = sites.set_index("id").geometry
        layers.append(gpd.GeoDataFrame(
            chosen[["id", "name", "service", "status", "capacity"]],
            geometry=geo.loc[chosen["id"]].values, crs=sites.crs))
        a = res.assignments.copy()
        a["service"] = svc
        assign_rows.append(a)
        u = res.unmet.copy()
        u["service"] = svc
        unmet_rows.append(u)
        col = DEMAND_COL[svc]
        req = pd.to_numeric(areas[col], errors="coerce").fillna(0.0)
        um = u.groupby(u["id"].astype(str))["amount"].sum() if len(u) else pd.Series(dtype=float)
        unmet_amt = areas["id"].map(um).fillna(0.0)
        areas[f"{svc}_unmet"] = unmet_amt
        areas[f"{svc}_served_share"] = np.where(req > 0, 1.0 - unmet_amt / req.where(req > 0, 1),
                                                1.0)
        fully_served &= unmet_amt <= 1e-6 * np.maximum(req, 1.0)
        in_reach = set(pairs["origin_id"].astype(str))
        areas[f"{svc}_in_reach"] = areas["id"].isin(in_reach)
        total_cap = float(chosen["capacity"].sum())
        prefix = "" if len(services) == 1 else f"{svc}_"
        indicators.update({
            f"{prefix}sites": int(opened.sum()),
            f"{prefix}places": float(new_cap[opened].sum()),
            f"{prefix}cost": float(merged["cost"].sum()),
            f"{prefix}per_1000": (total_cap / total_pop * 1000.0) if total_pop else None,
            f"{prefix}unmet": float(unmet_amt.sum()),
            f"{prefix}required": float(req.sum()),
        })
        solver[svc] = {"status": res.status, "proven_optimal": bool(res.proven_optimal),
                       "objective": _num(res.objective), "bound": _num(res.bound),
                       "gap": _num(res.gap), "seconds": _num(res.seconds),
                       "solver": getattr(res, "solver", params.solver)}
    if len(services) > 1:
        indicators["sites"] = sum(indicators[f"{s}_sites"] for s in services)
        indicators["cost"] = sum(indicators[f"{s}_cost"] for s in services)
        indicators["unmet"] = sum(indicators[f"{s}_unmet"] for s in services)
    areas["fully_served"] = fully_served
    areas["coverage"] = np.mean([areas[f"{s}_served_share"] for s in services], axis=0)
    areas["shortfall"] = sum(areas[f"{s}_unmet"] for s in services)
    indicators["share_covered"] = (float(pop[fully_served].sum()) / total_pop) if total_pop \
        else None
    first = solver[services[0]]
    indicators["status"] = ", ".join(sorted({v["status"] for v in solver.values()}))
    gaps = [v["gap"] for v in solver.values() if v["gap"] is not None]
    indicators["gap"] = max(gaps) if gaps else None
    indicators["objective"] = first["objective"] if len(services) == 1 else None
    indicators["method"] = method
    sites_df = pd.concat(site_rows, ignore_index=True)
    keep = ["id", "name", "service", "status", "existing_capacity", "new_capacity", "capacity",
            "cost"]
    return ScenarioRun(
        params=params.to_dict() | {"cutoffs": cutoffs},
        indicators=indicators,
        sites=sites_df[[c for c in keep if c in sites_df.columns]],
        assignments=pd.concat(assign_rows, ignore_index=True),
        unmet=pd.concat(unmet_rows, ignore_index=True),
        areas=areas,
        site_layer=gpd.GeoDataFrame(pd.concat(layers, ignore_index=True), geometry="geometry",
                                    crs=layers[0].crs),
        solver=solver,
        method=method,
    )
