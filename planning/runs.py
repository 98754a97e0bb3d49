"""Running a siting scenario end to end: demand → walking times → model → indicators.

The Streamlit pages and the ``plan`` command's map form both call :func:`run_scenario` with
a :class:`ScenarioParams`; it ties together :mod:`planning.demand`, :mod:`geo.access` and the
models of :mod:`optimizer`. Figures such as the 托位 cap per site, the elder-care minimum site
area or "one site per 街道" come from the profile's rules, never from literals here; every
rule a run applies is listed, with its source, in :attr:`ScenarioRun.rules`.

Policy readings made here (documented so planners can check them)
------------------------------------------------------------------
Site-size rules (``childcare_max_site_places``, ``eldercare_min_site_area``)
    A rule stated for an area type (Hefei: 350 m² per elder-care site *in new areas*) applies
    to a candidate site by the area type of the residential area it stands in, or else of the
    nearest one (a ``area_type`` column of the candidate layer wins). A candidate in or next
    to an old area gets the old-area rule if the profile has one, else none. Without areas to
    look at, the rule for any area type is used, or else the first one of that kind (the
    strict reading). Existing facilities keep their capacity.
Site-count rules (``facilities_per_admin_unit``, ``facilities_per_population``)
    With ``ScenarioParams.side_rules`` (on by default where the profile has such rules for the
    service) every 街道 (the areas' ``admin_unit``) gets at least ``value`` open sites
    (existing ones count), and at least ``ceil(residents / value)`` for a per-population rule;
    rules for a county or city level are not applied (the areas carry 街道 only) and are
    listed as such. A rule restricted to a facility kind (``public``, ``puhui``) counts only
    sites of that kind; when the rules of one service name a kind and others do not, all are
    applied counting only sites of that kind (stricter, so every rule holds). A site lies in
    the 街道 of its ``admin_unit`` field, or else of the nearest residential area. Where a 街道
    has fewer sites (existing plus candidates) than a rule asks, the rule is applied as all of
    them, and the run's notes say so.
Joint siting (service ``'both'`` with the minimum-cost objective)
    Child care and elder care are sited together on shared sites with
    :class:`optimizer.JointSiting`. Candidate rows of one site share its ``site_id``. A
    service alone on a site costs that row's ``fixed_cost``; where both open on one site the
    site's fixed cost is its ``shared_fixed_cost`` attribute if the candidate layer has one,
    else the larger of the two services' fixed costs (one building, 综合体 / 两室联建). It
    must lie between the larger fixed cost and their sum. In the optimiser's terms the cost
    shared by the services is ``F = f_c + f_e - S`` and each service keeps ``S - f_other``;
    the saving ``f_c + f_e - S`` of a shared site is split evenly between its two rows in
    :attr:`ScenarioRun.sites` (column ``shared_saving``). Reach differs by service (the
    elderly walk slower): walking times are computed once at the child-care speed and each
    service's cutoff converted to it. Other objectives solve each service on its own.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from errors import InfeasibleError, InputError

SERVICES = ("childcare", "eldercare")
OBJECTIVES = ("min_cost", "max_coverage", "p_median")
DEMAND_COL = {"childcare": "childcare_places_required", "eldercare": "eldercare_area_required_m2"}
#: Whether a service's capacity comes in whole units: 托位 do, elder-care floor area (m²) does not.
WHOLE_UNITS = {"childcare": True, "eldercare": False}
SPEED_PARAM = {"childcare": "walking_speed_m_per_min",
               "eldercare": "elderly_walking_speed_m_per_min"}
MINUTES_PARAM = {"childcare": "childcare_service_minutes",
                 "eldercare": "eldercare_service_minutes"}
#: Site-size rule kind of each service and whether it bounds capacity from below or above.
SIZE_RULE = {"childcare": ("childcare_max_site_places", "max"),
             "eldercare": ("eldercare_min_site_area", "min")}
COUNT_RULES = ("facilities_per_admin_unit", "facilities_per_population")
#: Site parameters of the optimiser, per service, in the joint site table.
SITE_PARAMS = ("fixed_cost", "unit_cost", "min_capacity", "max_capacity", "existing_capacity")

Progress = Callable[[str, float], None]


@dataclass
class ScenarioParams:
    """What the planner chose for one scenario.

    ``minutes`` / ``speed_m_per_min`` of None take the profile's parameters for the service.
    ``side_rules`` of None applies the profile's site-count rules wherever it has some for the
    service (see the module notes); ``joint`` sites both services together for ``'both'``
    with the minimum-cost objective.
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
    side_rules: bool | None = None
    joint: bool = True

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
    """Everything a run produced, ready for tables, maps and the store.

    ``rules`` lists every profile rule the run applied (or could not apply), each a dict with
    ``service``, ``rule`` (id), ``kind``, ``value``, ``unit``, ``area_type``, ``source``
    (document and clause), ``applied`` (bool) and ``detail``; ``notes`` are plain sentences
    (dropped candidates, rules capped to the sites available, joint siting used).
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
    notes: list[str] = field(default_factory=list)
    all_sites: pd.DataFrame | None = None
    joint_sites: pd.DataFrame | None = None  # per shared site: fixed costs alone / together

    def results(self) -> dict[str, Any]:
        """The JSON-able results for :class:`planning.scenarios.Scenario`."""
        out: dict[str, Any] = {
            "indicators": self.indicators, "sites": self.sites,
            "assignments": self.assignments, "unmet": self.unmet, "solver": self.solver,
            "method": self.method, "rules": self.rules, "notes": self.notes}
        if self.joint_sites is not None:
            out["joint_sites"] = self.joint_sites
        return out


def _noop(_msg: str, _frac: float) -> None:
    pass


def _rule_value(profile: Any, kind: str, service: str) -> float | None:
    try:
        rule = profile.rule(kind, service=service)
    except Exception:  # noqa: BLE001 - an absent rule kind is simply not applied
        return None
    return None if rule is None else float(rule.value)


def rule_record(rule: Any, service: str, *, applied: bool, detail: str) -> dict[str, Any]:
    """A JSON-able description of a profile rule as a run used it (with its source)."""
    return {"service": service, "rule": rule.id, "kind": rule.kind, "value": float(rule.value),
            "unit": rule.unit, "area_type": rule.area_type, "source": str(rule.source),
            "profile": getattr(rule, "origin", ""), "applied": bool(applied),
            "detail": detail}


def service_defaults(profile: Any, service: str) -> tuple[float, float]:
    """(minutes, speed m/min) of *service* from the profile's parameters."""
    return float(profile.param(MINUTES_PARAM[service])), float(profile.param(SPEED_PARAM[service]))


def _nearest_area_values(points: gpd.GeoDataFrame, areas: gpd.GeoDataFrame | None,
                         column: str) -> pd.Series:
    """Value of *column* of the residential area containing each feature, else the nearest."""
    out = pd.Series([None] * len(points), index=points.index, dtype=object)
    if areas is None or column not in areas.columns or not len(points) or not len(areas):
        return out
    from geo import local_metric_crs

    crs = local_metric_crs(areas)
    a = gpd.GeoDataFrame({"_v": areas[column].values}, geometry=areas.geometry.values,
                         crs=areas.crs).to_crs(crs)
    a = a[a["_v"].notna()]
    if not len(a):
        return out
    pts = gpd.GeoDataFrame({"_i": np.arange(len(points))},
                           geometry=points.geometry.representative_point().values,
                           crs=points.crs).to_crs(crs)
    j = gpd.sjoin_nearest(pts, a, how="left").drop_duplicates("_i").sort_values("_i")
    out[:] = j["_v"].to_numpy()
    return out


def _size_limits(cd: gpd.GeoDataFrame, *, service: str, profile: Any,
                 areas: gpd.GeoDataFrame | None) -> tuple[pd.Series, pd.Series, list[Any]]:
    """The profile's site-size rule of every candidate row (see the module notes)."""
    kind, side = SIZE_RULE[service]
    given = cd["area_type"].astype(str) if "area_type" in cd.columns else None
    near = _nearest_area_values(cd, areas, "area_type")
    types = [g if given is not None and g in ("new", "old") else n
             for g, n in zip(given if given is not None else [None] * len(cd), near,
                             strict=True)]
    rules = []
    for t in types:
        try:
            r = profile.rule(kind, service=service,
                             area_type=t if t in ("new", "old") else "any")
        except Exception:  # noqa: BLE001 - an absent rule kind is simply not applied
            r = None
        rules.append(r)
    return pd.Series(types, index=cd.index, dtype=object), pd.Series(side, index=cd.index), rules


def site_table(
    facilities: gpd.GeoDataFrame | None,
    candidates: gpd.GeoDataFrame | None,
    *,
    service: str,
    profile: Any,
    candidate_ids: Sequence[str] | None = None,
    areas: gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Existing facilities and candidate sites of one service in the optimizer's columns.

    Existing sites keep their capacity (``existing_capacity`` = ``max_capacity``, no cost);
    candidates get the profile's per-site limits: child-care sites are capped at the
    ``childcare_max_site_places`` rule, elder-care sites raised to the
    ``eldercare_min_site_area`` rule, each by the area type of the residential area the
    candidate stands in or next to (*areas*; see the module notes). Columns ``kind`` and
    ``admin_unit`` are kept for the site-count rules, ``area_type`` and ``size_rule`` say
    which rule applied. ``attrs['notes']`` lists dropped candidates, ``attrs['rules']`` the
    size rules applied (see :attr:`ScenarioRun.rules`).
    """
    parts = []
    notes: list[str] = []
    applied: list[dict[str, Any]] = []

    def _col(df: pd.DataFrame, name: str) -> np.ndarray:
        return (df[name].astype(object).where(df[name].notna(), None).values
                if name in df.columns else np.full(len(df), None, dtype=object))

    if facilities is not None and len(facilities):
        ex = facilities[facilities["service"].astype(str) == service]
        ex = ex[ex.get("status", pd.Series("existing", index=ex.index)).astype(str) == "existing"]
        if len(ex):
            cap = pd.to_numeric(ex["capacity"], errors="coerce").fillna(0.0)
            parts.append(gpd.GeoDataFrame({
                "id": ex["id"].astype(str).values, "name": ex.get("name", ex["id"]).values,
                "service": service, "status": "existing",
                "site_id": ex["id"].astype(str).values,
                "kind": _col(ex, "kind"), "admin_unit": _col(ex, "admin_unit"),
                "fixed_cost": 0.0, "unit_cost": 0.0, "min_capacity": 0.0,
                "max_capacity": cap.values, "existing_capacity": cap.values,
                "area_type": None, "size_rule": "",
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
            types, _side, rules = _size_limits(cd, service=service, profile=profile,
                                               areas=areas)
            _kind, side = SIZE_RULE[service]
            ids = cd["id"].astype(str).to_numpy()
            by_rule: dict[str, tuple[Any, list[str]]] = {}
            for k, r in enumerate(rules):
                if r is None:
                    continue
                if side == "max":
                    hi.iloc[k] = min(hi.iloc[k], float(r.value))
                else:
                    lo.iloc[k] = max(lo.iloc[k], float(r.value))
                by_rule.setdefault(r.id, (r, []))[1].append(ids[k])
            for r, sids in by_rule.values():
                bound = "at most" if side == "max" else "at least"
                where = (" (candidates in or next to "
                         f"{'new' if r.area_type == 'new' else 'old'} areas)"
                         if r.area_type in ("new", "old") and areas is not None else "")
                applied.append(rule_record(
                    r, service, applied=True,
                    detail=f"{bound} {r.value:g} {r.unit} per candidate site{where}: "
                           + ", ".join(sids)))
            without = [ids[k] for k, r in enumerate(rules) if r is None]
            if by_rule and without:
                notes.append(f"{service} candidates {', '.join(without)} stand in or next to "
                             "areas of a type the profile's site-size rule does not cover: "
                             "no profile limit on their size")
            fits = (lo <= hi).to_numpy()
            if not fits.all():
                notes.append(
                    f"{service} candidates {', '.join(cd['id'].astype(str)[~fits])} dropped: "
                    "their largest capacity is below the profile's least site size")
                cd, lo, hi = cd[fits], lo[fits], hi[fits]
                types = types[fits]
                rules = [r for r, f in zip(rules, fits, strict=True) if f]
            parts.append(gpd.GeoDataFrame({
                "id": cd["id"].astype(str).values, "name": cd.get("name", cd["id"]).values,
                "service": service, "status": "candidate",
                "site_id": cd.get("site_id", cd["id"]).astype(str).values,
                "kind": _col(cd, "kind"), "admin_unit": _col(cd, "admin_unit"),
                "fixed_cost": pd.to_numeric(cd["fixed_cost"], errors="coerce").fillna(0).values,
                "unit_cost": pd.to_numeric(cd["unit_cost"], errors="coerce").fillna(0).values,
                "min_capacity": lo.values, "max_capacity": hi.values, "existing_capacity": 0.0,
                "area_type": types.values, "size_rule": ["" if r is None else r.id
                                                         for r in rules],
            } | ({"shared_fixed_cost": pd.to_numeric(cd["shared_fixed_cost"],
                                                     errors="coerce").values}
                 if "shared_fixed_cost" in cd.columns else {}),
                geometry=cd.geometry.values, crs=cd.crs))
    if not parts:
        raise InputError([f"no existing facility and no candidate site for {service}"],
                         source="sites")
    out = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry",
                           crs=parts[0].crs)
    out.attrs["notes"] = notes
    out.attrs["rules"] = applied
    return out


# --------------------------------------------------------------------------- site-count rules

def count_rules(profile: Any, service: str) -> list[Any]:
    """The profile's site-count rules for *service* (per 街道 / per N residents)."""
    out: list[Any] = []
    for kind in COUNT_RULES:
        try:
            out.extend(profile.rules_for(kind=kind, service=service))
        except Exception:  # noqa: BLE001 - profiles without such kinds
            continue
    return out


def _countable(rule: Any) -> bool:
    """Whether the runner can apply a site-count rule (per population or per 街道)."""
    return rule.kind == "facilities_per_population" or rule.admin_level in (None, "street")


def has_count_rules(profile: Any, service: str) -> bool:
    """Whether the profile has a site-count rule the runner can apply for *service*
    (``'both'``: for either service)."""
    services = SERVICES if service == "both" else (service,)
    return any(_countable(r) for s in services for r in count_rules(profile, s))


def side_rules_for(
    sites: gpd.GeoDataFrame,
    demand: gpd.GeoDataFrame,
    *,
    service: str,
    profile: Any,
    existing: np.ndarray | None = None,
    available: np.ndarray | None = None,
) -> tuple[Any, list[dict[str, Any]], list[str], dict[str, int]]:
    """Site-count rules of the profile as :class:`optimizer.SideRules` over *sites*.

    Parameters
    ----------
    sites : GeoDataFrame
        One row per model site, in model order, with ``kind`` and ``admin_unit`` (optional).
    demand : GeoDataFrame
        Areas with ``population`` and ``admin_unit`` (the 街道).
    existing, available : array of bool, optional
        Whether each site holds this service already / may hold it (default: every site
        with ``existing_capacity`` > 0 / every site).

    Returns
    -------
    (SideRules or None, rule records, notes, needed new sites per 街道)
    """
    from optimizer import SideRules, sites_required_per_group

    rules = count_rules(profile, service)
    records: list[dict[str, Any]] = []
    notes: list[str] = []
    if not rules:
        return None, records, notes, {}
    has_units = "admin_unit" in demand.columns and demand["admin_unit"].notna().any()
    usable = []
    for r in rules:
        if r.kind == "facilities_per_admin_unit" and r.admin_level not in (None, "street"):
            records.append(rule_record(
                r, service, applied=False,
                detail=f"not applied: the rule counts per {r.admin_level}; the areas carry "
                       "街道 (admin_unit) only"))
        elif r.kind == "facilities_per_admin_unit" and not has_units:
            records.append(rule_record(r, service, applied=False,
                                       detail="not applied: the areas have no admin_unit"))
        else:
            usable.append(r)
    if not usable:
        return None, records, notes, {}
    if has_units:
        units = demand["admin_unit"].astype(object).where(demand["admin_unit"].notna(), None)
        names = sorted({str(u) for u in units if u is not None})
    else:
        units = pd.Series("(all areas)", index=demand.index, dtype=object)
        names = ["(all areas)"]
    code = {n: k for k, n in enumerate(names)}
    area_group = np.array([code.get(str(u), -1) if u is not None else -1 for u in units])
    pop = pd.to_numeric(demand["population"], errors="coerce").fillna(0.0).to_numpy()
    G = len(names)
    need = np.zeros(G, dtype=np.int64)
    per_rule = []
    for r in usable:
        if r.kind == "facilities_per_population":
            n = sites_required_per_group(pop, area_group, residents_per_site=float(r.value),
                                         n_groups=G)
        else:
            n = sites_required_per_group(pop, area_group, at_least=int(math.ceil(r.value)),
                                         n_groups=G)
        per_rule.append((r, n))
        need = np.maximum(need, n)
    kinds = sorted({str(r.facility_kind) for r in usable
                    if r.facility_kind not in (None, "any")})
    # the site's 街道: its own admin_unit field, else the nearest area's
    own = (sites["admin_unit"].astype(object).where(sites["admin_unit"].notna(), None)
           if "admin_unit" in sites.columns and has_units
           else pd.Series([None] * len(sites), index=sites.index, dtype=object))
    if has_units and own.isna().any():
        near = _nearest_area_values(sites, demand, "admin_unit")
        own = own.where(own.notna(), near)
    if not has_units:
        own = pd.Series("(all areas)", index=sites.index, dtype=object)
    group = np.array([code.get(str(u), -1) if u is not None else -1 for u in own])
    if kinds:
        site_kind = (sites["kind"].astype(str).to_numpy() if "kind" in sites.columns
                     else np.full(len(sites), ""))
        group = np.where(np.isin(site_kind, kinds), group, -1)
        if any(r.facility_kind in (None, "any") for r in usable):
            notes.append(f"{service}: site-count rules applied together counting only "
                         f"{'/'.join(kinds)} sites (stricter than the rules for any kind)")
    ex = (pd.to_numeric(sites["existing_capacity"], errors="coerce").fillna(0).to_numpy() > 0
          if existing is None else np.asarray(existing, bool))
    av = np.ones(len(sites), bool) if available is None else np.asarray(available, bool)
    have = np.bincount(group[(group >= 0) & av], minlength=G)[:G]
    short = np.flatnonzero(need > have)
    if len(short):
        notes.append(f"{service}: " + "; ".join(
            f"{names[g]} needs {need[g]} site(s) by the profile's count rules but only "
            f"{have[g]} site(s) (existing and candidate) lie in it" for g in short)
            + " — applied as all of them")
        need = np.minimum(need, have)
    exist_in = np.bincount(group[(group >= 0) & ex], minlength=G)[:G]
    new_needed = {names[g]: int(need[g] - exist_in[g]) for g in range(G)
                  if need[g] > exist_in[g]}
    for r, n in per_rule:
        kind_txt = (f" of kind {r.facility_kind}" if r.facility_kind not in (None, "any")
                    else "")
        per = ("per 街道" if r.kind == "facilities_per_admin_unit" and has_units else
               f"one per {r.value:g} residents, per 街道" if has_units else
               f"one per {r.value:g} residents")
        detail = (f"at least {per}{kind_txt}: "
                  + ", ".join(f"{names[g]} {int(n[g])}" for g in range(G)))
        records.append(rule_record(r, service, applied=True, detail=detail))
    rules_obj = SideRules(site_group=group.astype(np.int64),
                          min_open_per_group=need.astype(np.int64))
    return rules_obj, records, notes, new_needed


# --------------------------------------------------------------------------- joint siting

def joint_site_table(per_service: dict[str, gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    """One row per physical site with ``<service>_<param>`` columns for
    :class:`optimizer.JointSiting` (see the module notes for the shared fixed cost).

    *per_service* are the :func:`site_table` frames; rows of one site share ``site_id``
    (existing facilities are their own site). A service absent from a site gets capacity 0.
    Columns ``<service>_row`` name each service's row id, ``fixed_cost_both`` the site's fixed
    cost where both services open, ``shared_fixed_cost`` the optimiser's shared part.

    Raises
    ------
    InputError
        If a ``shared_fixed_cost`` attribute lies outside [max(f_c, f_e), f_c + f_e].
    """
    services = list(per_service)
    first: dict[str, Any] = {}
    for svc in services:
        for row in per_service[svc].itertuples(index=False):
            first.setdefault(str(row.site_id), row)
    keys = list(first)
    pos = {k: i for i, k in enumerate(keys)}
    m = len(keys)
    base = per_service[services[0]]
    out = gpd.GeoDataFrame({
        "id": keys, "name": [first[k].name for k in keys],
        "status": [first[k].status for k in keys],
        "admin_unit": [first[k].admin_unit for k in keys],
    }, geometry=[first[k].geometry for k in keys], crs=base.crs)
    given_shared = np.full(m, np.nan)
    for svc in services:
        f = per_service[svc]
        idx = f["site_id"].astype(str).map(pos).to_numpy()
        for p in SITE_PARAMS:
            col = np.zeros(m)
            col[idx] = pd.to_numeric(f[p], errors="coerce").fillna(0.0).to_numpy()
            out[f"{svc}_{p}"] = col
        row = np.full(m, None, dtype=object)
        row[idx] = f["id"].astype(str).to_numpy()
        out[f"{svc}_row"] = row
        kind = np.full(m, None, dtype=object)
        kind[idx] = f["kind"].to_numpy()
        out[f"{svc}_kind"] = kind
        if "shared_fixed_cost" in f.columns:
            v = pd.to_numeric(f["shared_fixed_cost"], errors="coerce").to_numpy()
            cur = given_shared[idx]
            given_shared[idx] = np.where(np.isnan(cur), v, cur)
    fc = np.column_stack([out[f"{s}_fixed_cost"].to_numpy() for s in services])
    has = np.column_stack([out[f"{s}_row"].notna().to_numpy() for s in services])
    has &= (out["status"] == "candidate").to_numpy()[:, None]
    both = has.all(axis=1)
    total = fc.sum(axis=1)
    biggest = fc.max(axis=1)
    joint = np.where(np.isnan(given_shared), biggest, given_shared)
    bad = np.flatnonzero(both & ((joint < biggest - 1e-9) | (joint > total + 1e-9)))
    if len(bad):
        raise InputError([
            f"shared_fixed_cost must lie between the larger fixed cost of the two services "
            f"and their sum; sites {', '.join(keys[i] for i in bad[:20])} have "
            f"{[float(joint[i]) for i in bad[:5]]} for fixed costs "
            f"{[fc[i].tolist() for i in bad[:5]]}"], source="candidate sites")
    shared = np.where(both, total - joint, 0.0)
    out["fixed_cost_both"] = np.where(both, joint, np.nan)
    out["shared_fixed_cost"] = shared
    out["shared_source"] = np.where(~both, "", np.where(np.isnan(given_shared),
                                                        "max of the services' fixed costs",
                                                        "shared_fixed_cost attribute"))
    for s, svc in enumerate(services):
        out[f"{svc}_fixed_cost"] = fc[:, s] - shared
    out.attrs["fixed_cost_alone"] = {svc: fc[:, s] for s, svc in enumerate(services)}
    return out


def _solve_joint(
    demand: gpd.GeoDataFrame,
    per_service: dict[str, gpd.GeoDataFrame],
    network: Any | None,
    cutoffs: dict[str, tuple[float, float]],
    params: ScenarioParams,
    rules: dict[str, Any],
    progress: Progress,
    joint_sites: gpd.GeoDataFrame,
) -> tuple[list[Any], list[pd.DataFrame], str, Any]:
    """JointSiting on the shared sites; results and pairs split back per service rows."""
    from dataclasses import replace

    from geo import Reach, travel_times
    from optimizer import JointSiting

    services = list(per_service)
    ref_speed = cutoffs[services[0]][1]
    reach_min = {s: cutoffs[s][0] * cutoffs[s][1] / ref_speed for s in services}
    progress("travel", 0.1)
    pairs = travel_times(network, demand, joint_sites,
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
        reach_label="within each service's walking reach")
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
            a["minutes"] = a["minutes"] * ref_speed / cutoffs[s][1]
        u = res.unmet[res.unmet["service"] == s].copy()
        results.append(replace(res, sites=sel.drop(columns="service"),
                               assignments=a.drop(columns="service"),
                               unmet=u.drop(columns="service")))
        pp = pairs[pairs["minutes"] <= reach_min[s] + 1e-9].copy()
        pp["destination_id"] = pp["destination_id"].astype(str).map(row)
        pp = pp[pp["destination_id"].notna()]
        pp["minutes"] = pp["minutes"] * ref_speed / cutoffs[s][1]
        split_pairs.append(pp)
    return results, split_pairs, method, res


# --------------------------------------------------------------------------- running

def _solve_one(
    service: str,
    demand: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    pairs: pd.DataFrame,
    params: ScenarioParams,
    rules: Any = None,
) -> Any:
    from optimizer.models import MaxCoverage, MinCostProvision, PMedian

    col = DEMAND_COL[service]
    areas = demand[["id", col]].copy()
    areas[col] = pd.to_numeric(areas[col], errors="coerce").fillna(0.0)
    frame_sites = pd.DataFrame(sites.drop(columns="geometry"))
    kw: dict[str, Any] = {"demand_col": col, "integer_capacity": WHOLE_UNITS[service]}
    if rules is not None:
        kw["rules"] = rules
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


def _check_p(service: str, params: ScenarioParams, new_needed: dict[str, int]) -> None:
    """A number of sites p below what the site-count rules need is infeasible: say so."""
    need = sum(new_needed.values())
    if params.p is not None and params.objective != "min_cost" and need > params.p:
        raise InfeasibleError(
            f"the profile's site-count rules need at least {need} new {service} site(s) ("
            + ", ".join(f"{k} {v}" for k, v in new_needed.items())
            + f") but the number of sites p is {params.p}; raise p or do not apply the "
            "per-街道 / per-population rules")


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
    """Run one scenario (the readings of the policy rules are in the module notes).

    Parameters
    ----------
    areas, facilities, candidates : GeoDataFrame
        Canonical layers (see the contract); facilities are the existing ones; candidate
        rows of one site share ``site_id`` (optionally ``shared_fixed_cost``).
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
    from geo import Reach, travel_times
    from planning.demand import compute_demand

    progress = progress or _noop
    params.validate()
    services = list(SERVICES) if params.service == "both" else [params.service]
    apply_counts = (has_count_rules(profile, params.service) if params.side_rules is None
                    else bool(params.side_rules))
    progress("demand", 0.05)
    demand = compute_demand(areas, profile)
    demand["id"] = demand["id"].astype(str)
    cutoffs: dict[str, tuple[float, float]] = {}
    per_service: dict[str, gpd.GeoDataFrame] = {}
    rule_records: list[dict[str, Any]] = []
    notes: list[str] = []
    for svc in services:
        minutes, speed = service_defaults(profile, svc)
        cutoffs[svc] = (float(params.minutes or minutes), float(params.speed_m_per_min or speed))
        st = site_table(facilities, candidates, service=svc, profile=profile,
                        candidate_ids=params.candidate_ids, areas=demand)
        per_service[svc] = st
        rule_records.extend(st.attrs["rules"])
        notes.extend(st.attrs["notes"])
    joint = params.service == "both" and params.objective == "min_cost" and params.joint
    joint_sites = joint_site_table(per_service) if joint else None
    side: dict[str, Any] = {}
    for svc in services:
        if not apply_counts:
            for r in count_rules(profile, svc):
                why = ("turned off for this run" if _countable(r) else
                       f"the rule counts per {r.admin_level}; the areas carry 街道 only")
                rule_records.append(rule_record(r, svc, applied=False,
                                                detail=f"not applied: {why}"))
            side[svc] = None
            continue
        if joint_sites is not None:
            frame = gpd.GeoDataFrame({
                "kind": joint_sites[f"{svc}_kind"].values,
                "admin_unit": joint_sites["admin_unit"].values,
            }, geometry=joint_sites.geometry.values, crs=joint_sites.crs)
            ex = joint_sites[f"{svc}_existing_capacity"].to_numpy() > 0
            av = ex | (joint_sites[f"{svc}_max_capacity"].to_numpy() > 0)
            rules, recs, nts, new_needed = side_rules_for(frame, demand, service=svc,
                                                          profile=profile, existing=ex,
                                                          available=av)
        else:
            rules, recs, nts, new_needed = side_rules_for(per_service[svc], demand,
                                                          service=svc, profile=profile)
            _check_p(svc, params, new_needed)
        side[svc] = rules
        rule_records.extend(recs)
        notes.extend(nts)
    site_frames: list[gpd.GeoDataFrame] = []
    results: list[Any] = []
    all_pairs: list[pd.DataFrame] = []
    method = "network"
    shared: dict[str, float] = {}
    joint_res = None
    if joint_sites is not None:
        notes.append("child care and elder care sited jointly on shared sites (JointSiting); "
                     "where both open on one site its fixed cost is the shared_fixed_cost "
                     "attribute, else the larger of the two services' fixed costs")
        results, all_pairs, method, joint_res = _solve_joint(
            demand, per_service, network, cutoffs, params, side, progress, joint_sites)
        site_frames = [per_service[s] for s in services]
        both_open = set(joint_res.details.get("shared_sites", []))
        saving = joint_sites.set_index("id")["shared_fixed_cost"]
        shared = {str(k): float(saving.get(k, 0.0)) for k in both_open}
    else:
        if params.service == "both":
            notes.append("each service solved on its own: joint siting is a minimum-cost model")
        for k, svc in enumerate(services):
            minutes, speed = cutoffs[svc]
            sites = per_service[svc]
            progress("travel", 0.1 + 0.4 * k / len(services))
            pairs = travel_times(network, demand, sites, reach=Reach(minutes, speed),
                                 fallback=network is None,
                                 drop_unsnapped=True)
            method = pairs.attrs.get("method", method)
            progress("solve", 0.5 + 0.4 * k / len(services))
            res = _solve_one(svc, demand, sites, pairs, params, side.get(svc))
            site_frames.append(sites)
            results.append(res)
            all_pairs.append(pairs.assign(service=svc))
    run = _assemble(demand, services, site_frames, results, all_pairs, params, method,
                    cutoffs, shared=shared)
    run.rules = rule_records
    run.notes = notes
    run.params["side_rules_applied"] = apply_counts
    if joint_res is not None and joint_sites is not None:
        s = {"status": joint_res.status, "proven_optimal": bool(joint_res.proven_optimal),
             "objective": _num(joint_res.objective), "bound": _num(joint_res.bound),
             "gap": _num(joint_res.gap), "seconds": _num(joint_res.seconds),
             "solver": getattr(joint_res, "solver", params.solver), "model": "joint siting"}
        run.solver = {"both": s}
        run.indicators["objective"] = s["objective"]
        run.indicators["shared_sites"] = len(shared)
        run.indicators["shared_saving"] = float(sum(shared.values()))
        cols = ["id", "name", "admin_unit", *[f"{s_}_fixed_cost" for s_ in services],
                "fixed_cost_both", "shared_source"]
        js = pd.DataFrame(joint_sites.drop(columns="geometry"))
        js = js[js["status"] == "candidate"].copy()
        alone = joint_sites.attrs["fixed_cost_alone"]
        cand = (joint_sites["status"] == "candidate").to_numpy()
        for s_ in services:
            js[f"{s_}_fixed_cost"] = np.where(js[f"{s_}_row"].notna(), alone[s_][cand], np.nan)
        js["both_open"] = js["id"].isin(list(shared))
        run.joint_sites = js[[*cols, "both_open"]].reset_index(drop=True)
    if network is not None:
        progress("travel", 0.95)
        run.service_areas = service_area_layer(network, run.site_layer, cutoffs)
    progress("done", 1.0)
    return run


def service_area_layer(
    network: Any, sites: gpd.GeoDataFrame, cutoffs: dict[str, tuple[float, float]]
) -> gpd.GeoDataFrame | None:
    """Walking reach of *sites* per service (dissolved), at each service's minutes and speed."""
    from geo import Reach, service_areas

    parts = []
    for svc, (minutes, speed) in cutoffs.items():
        sel = sites[sites["service"] == svc]
        if not len(sel):
            continue
        sa = service_areas(network, sel, reach=Reach(minutes, speed),
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
    *,
    shared: dict[str, float] | None = None,
) -> ScenarioRun:
    shared = shared or {}
    pop = pd.to_numeric(demand["population"], errors="coerce").fillna(0.0)
    total_pop = float(pop.sum())
    site_rows, assign_rows, unmet_rows, layers, all_rows = [], [], [], [], []
    indicators: dict[str, Any] = {}
    areas = demand.copy()
    solver: dict[str, Any] = {}
    fully_served = pd.Series(True, index=areas.index)
    for svc, sites, res, pairs in zip(services, site_frames, results, all_pairs, strict=True):
        rs = res.sites.copy()
        rs["id"] = rs["id"].astype(str)
        merged = sites.drop(columns="geometry").merge(
            rs[[c for c in rs.columns if c in ("id", "open", "capacity", "new_capacity",
                                               "action")]],
            on="id", how="left")
        new_cap = pd.to_numeric(merged.get("new_capacity"), errors="coerce").fillna(0.0)
        is_cand = merged["status"] == "candidate"
        # opened by the model (a site-count rule may open a site that serves nobody)
        opened = is_cand & ((merged["action"].isin(["new", "enlarged"]) if "action" in
                             merged.columns else False) | (new_cap > 1e-6))
        merged["new_capacity"] = new_cap
        merged["cost"] = np.where(opened, merged["fixed_cost"] + merged["unit_cost"] * new_cap,
                                  0.0)
        saving = merged["site_id"].astype(str).map(shared).fillna(0.0) / 2.0
        merged["shared_saving"] = np.where(opened, saving, 0.0)
        merged["cost"] = merged["cost"] - merged["shared_saving"]
        merged["status"] = np.where(opened, "proposed", merged["status"])
        merged["open"] = opened | (merged["status"] == "existing")
        all_rows.append(merged)
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
    keep = ["id", "site_id", "name", "service", "status", "existing_capacity", "new_capacity",
            "capacity", "cost", *(["shared_saving"] if shared else []), "size_rule"]
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
        all_sites=pd.concat(all_rows, ignore_index=True),
    )
