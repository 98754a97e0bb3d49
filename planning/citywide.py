"""City-wide indicators from the planner's layers, compared with the targets of the profile's plan.

What is computed (each with its definition, so that a reviewer can check it):

``childcare_places_per_1000``
    托位 of the existing child-care facilities / residents of the areas × 1000, against the
    plan's ``childcare_places_per_1000_citywide`` target (4.6 Chuzhou, 4.5 Xuanhan / Quzhou /
    Suizhou, 5.6 Hefei).
``share_<kind>``
    Share of those 托位 in facilities of a kind (普惠 …), where the facilities carry ``kind``,
    against the plan's ``places_share_by_kind`` targets (普惠 >60 % Chuzhou, 80 % Quzhou,
    >50 % Hefei, 90 % Suizhou).
``coverage_<service>``
    Share of residents within the service circle (the profile's minutes and walking speed,
    along the street network or, without one, in a straight line, declared) of an existing
    facility of the service, against the plan's ``coverage_share_target`` (社区托育服务覆盖率,
    居家社区养老服务覆盖率): the tool's reading of a 覆盖率.
``compliance_rate``
    配建达标率: share of the developments given that are compliant (every deciding rule
    passed; "compliant on the rules checked" counts, and how many were so is said), and per
    ``compliance_rate_target`` rule the share of developments of its area type whose rules of
    its service pass (those the plan states no figure for are left out and counted).
``colocation_<service>``
    Share of the service's existing sites within ``health_colocation_max_m`` (a tool default:
    the plans say 同址或邻近 with no distance) of a health facility, given a health layer, for
    the profile's ``colocated_with_health`` rules.

The plan's other targets (beds per 1000 elderly, nursing-bed share) need bed data the tool does
not read; they are listed with that reason. An indicator whose inputs are missing is listed
with the reason, never dropped.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from core.fileio import atomic_write, json_safe
from core.messages import DEFAULT_LANGUAGE, Message, as_text
from errors import InputError
from planning.compliance import check_developments
from planning.compliance_report import COMPLIANT_STATUSES
from planning.demand import compute_demand
from planning.params import MINUTES_PARAM, SPEED_PARAM
from planning.profiles import KINDS, Profile, Rule

#: Output formats of :meth:`IndicatorReport.write`.
INDICATOR_SUFFIXES: tuple[str, ...] = (".json", ".xlsx")
SERVICES: tuple[str, ...] = ("childcare", "eldercare")
#: Rule kinds that are city-wide targets the tool cannot compute from its layers.
NOT_COMPUTED = ("eldercare_beds_per_1000_elderly_target", "nursing_bed_share_target")


@dataclass
class Indicator:
    """One indicator: its value, the plan's target and whether it is met.

    ``met`` is None when the value or the target is missing; ``reason`` then says why.
    """

    id: str
    name: Message
    value: float | None
    unit: str
    target: float | None = None
    target_year: int | None = None
    met: bool | None = None
    source: str = ""
    basis: str | None = None
    strength: str | None = None
    rule: str | None = None
    reason: Message | None = None
    notes: list[Message] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The JSON record: id, name, value, target, target_year, met, unit, source, basis …"""
        return json_safe({
            "id": self.id, "name": self.name.to_json(), "value": _round(self.value),
            "target": self.target, "target_year": self.target_year, "met": self.met,
            "unit": self.unit, "source": self.source, "basis": self.basis,
            "strength": self.strength, "rule": self.rule,
            "reason": self.reason.to_json() if self.reason is not None else None,
            "notes": [n.to_json() for n in self.notes]})


def _round(x: float | None) -> float | None:
    if x is None or not math.isfinite(x):
        return None
    return round(float(x), 6)


@dataclass
class IndicatorReport:
    """The indicators of one profile over the planner's layers."""

    profile: Profile
    indicators: list[Indicator]
    inputs: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """``{"profile", "indicators": [...]}`` plus the inputs and the figures used."""
        return json_safe({
            "profile": self.profile.id, "profile_name": self.profile.name,
            "indicators": [i.to_dict() for i in self.indicators],
            "inputs": self.inputs,
            "parameters_used": {pid: self.profile.parameters[pid].describe()
                                for pid in ("persons_per_household", "health_colocation_max_m")
                                if pid in self.profile.parameters},
        })

    def to_frame(self, lang: str = DEFAULT_LANGUAGE) -> pd.DataFrame:
        """One row per indicator, texts in ``lang``."""
        rows = []
        for i in self.indicators:
            rows.append({
                "indicator": i.id, "name": i.name.render(lang), "value": _round(i.value),
                "target": i.target, "target_year": i.target_year, "met": i.met,
                "unit": i.unit,
                "basis": as_text(Message(f"policy.basis_{i.basis}"), lang) if i.basis else "",
                "strength": (as_text(Message(f"policy.strength_{i.strength}"), lang)
                             if i.strength else ""),
                "reason": i.reason.render(lang) if i.reason is not None else "",
                "notes": "; ".join(n.render(lang) for n in i.notes),
                "source": i.source})
        return pd.DataFrame(rows)

    def write(self, path: str | Path, *, lang: str = DEFAULT_LANGUAGE) -> Path:
        """Write ``.json`` (message codes kept) or ``.xlsx`` (texts in ``lang``), atomically."""
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix not in INDICATOR_SUFFIXES:
            raise InputError([f"output {path}: unsupported format {suffix or '(none)'}; use "
                              f"one of {', '.join(INDICATOR_SUFFIXES)}"])
        if suffix == ".json":
            from core.fileio import json_text

            text = json_text(self.to_dict())

            def write(tmp: Path) -> None:
                tmp.write_text(text, encoding="utf-8")
        else:
            from core.texts import label_frame

            frame = label_frame(self.to_frame(lang), lang)

            def write(tmp: Path) -> None:
                with pd.ExcelWriter(tmp, engine="openpyxl") as xw:
                    frame.to_excel(xw, sheet_name="indicators", index=False)
        writer: Callable[[Path], None] = write
        atomic_write(path, writer)
        return path


#: How ``met`` is shown in a table: ✓ met, ✗ not met, — not decided (the reason says why).
MET_MARKS: dict[bool | None, str] = {True: "✓", False: "✗", None: "—"}


def display_frame(report: IndicatorReport, lang: str = DEFAULT_LANGUAGE) -> pd.DataFrame:
    """The table a planner reads: indicator, value, target, target year, met (✓/✗/—), unit,
    source, basis and the reason (with the notes), texts in ``lang``; shares in per cent.

    Parameters
    ----------
    report : IndicatorReport
    lang : {'zh', 'en'}

    Returns
    -------
    pandas.DataFrame
        Canonical column names (``core.texts.label_frame`` labels them).
    """
    rows = []
    for i in report.indicators:
        scale, unit = (100.0, "%") if i.unit == "share" else (1.0, i.unit)
        why = [i.reason.render(lang)] if i.reason is not None else []
        why += [n.render(lang) for n in i.notes]
        value = _round(i.value)
        rows.append({
            "indicator": i.name.render(lang),
            "value": None if value is None else round(value * scale, 2),
            "target": None if i.target is None else round(i.target * scale, 4),
            "target_year": i.target_year, "met": MET_MARKS[i.met], "unit": unit,
            "source": i.source,
            "basis": as_text(Message(f"policy.basis_{i.basis}"), lang) if i.basis else "",
            "reason": "; ".join(why)})
    frame = pd.DataFrame(rows)
    frame["target_year"] = frame["target_year"].astype("Int64")
    return frame

def _target(rule: Rule | None) -> dict[str, Any]:
    if rule is None:
        return {"target": None, "target_year": None, "source": "", "basis": None,
                "strength": None, "rule": None}
    return {"target": rule.value, "target_year": rule.target_year, "source": str(rule.source),
            "basis": rule.basis, "strength": rule.strength, "rule": rule.id}


def _indicator(iid: str, name: Message, value: float | None, unit: str, rule: Rule | None,
               reason: Message | None = None, notes: list[Message] | None = None) -> Indicator:
    t = _target(rule)
    met = (None if value is None or t["target"] is None
           else bool(value >= t["target"] - 1e-9))
    if reason is None and value is not None and rule is None:
        reason = Message("policy.ind_no_target")
    return Indicator(id=iid, name=name, value=value, unit=unit, met=met, reason=reason,
                     notes=list(notes or []), **t)


def _existing(facilities: gpd.GeoDataFrame | None, service: str) -> gpd.GeoDataFrame | None:
    if facilities is None:
        return None
    f = facilities
    if "service" in f.columns:
        f = f[f["service"].astype(str) == service]
    if "status" in f.columns:
        f = f[f["status"].astype(str) == "existing"]
    return f


def citywide_indicators(
    profile: Profile,
    areas: gpd.GeoDataFrame,
    *,
    facilities: gpd.GeoDataFrame | None = None,
    developments: pd.DataFrame | None = None,
    health: gpd.GeoDataFrame | None = None,
    network: Any | None = None,
    max_snap_m: float = 200.0,
) -> IndicatorReport:
    """The indicators the profile's plan sets targets for, computed from the layers.

    Parameters
    ----------
    profile : Profile
    areas : GeoDataFrame
        Residential areas (population or households; see :func:`compute_demand`).
    facilities : GeoDataFrame, optional
        Facilities with ``service``, ``status`` (existing ones count), ``capacity`` (托位 for
        child care) and optionally ``kind`` (``public``, ``puhui``, ``market``).
    developments : DataFrame, optional
        Developments for the 配建达标率 (checked with :func:`check_developments`).
    health : GeoDataFrame, optional
        Health facilities, for the co-location rules.
    network : geo.network.WalkNetwork, optional
        Street network; None measures coverage in a straight line (declared).

    Returns
    -------
    IndicatorReport
    """
    demand = compute_demand(areas, profile)
    pop = float(pd.to_numeric(demand["population"], errors="coerce").fillna(0.0).sum())
    out: list[Indicator] = []
    cc = _existing(facilities, "childcare")

    # 托位 per 1000 residents
    rule = profile.rule("childcare_places_per_1000_citywide")
    name = Message("policy.ind_places_per_1000")
    places = None
    if cc is None:
        out.append(_indicator("childcare_places_per_1000", name, None, "托位/千人", rule,
                              Message("policy.ind_missing_facilities")))
    elif "capacity" not in cc.columns:
        out.append(_indicator("childcare_places_per_1000", name, None, "托位/千人", rule,
                              Message("policy.ind_missing_capacity")))
    elif pop <= 0:
        out.append(_indicator("childcare_places_per_1000", name, None, "托位/千人", rule,
                              Message("policy.ind_missing_population")))
    else:
        places = pd.to_numeric(cc["capacity"], errors="coerce").fillna(0.0)
        out.append(_indicator("childcare_places_per_1000", name,
                              float(places.sum()) / pop * 1000.0, "托位/千人", rule))

    # shares of 托位 by kind (普惠 …)
    share_rules = profile.rules_for(kind="places_share_by_kind", service="childcare")
    kinds = [r.facility_kind for r in share_rules] or ["puhui"]
    for kind in dict.fromkeys(kinds):
        rule = next((r for r in share_rules if r.facility_kind == kind), None)
        name = Message("policy.ind_puhui_share", {"kind": Message(f"planning.kind_{kind}")})
        iid = f"share_{kind}"
        if cc is None or places is None:
            out.append(_indicator(iid, name, None, "share", rule,
                                  Message("policy.ind_missing_facilities") if cc is None
                                  else Message("policy.ind_missing_capacity")))
        elif "kind" not in cc.columns or cc["kind"].isna().all():
            out.append(_indicator(iid, name, None, "share", rule,
                                  Message("policy.ind_missing_kind")))
        elif places.sum() <= 0:
            out.append(_indicator(iid, name, None, "share", rule,
                                  Message("policy.ind_missing_service",
                                          {"service": Message("planning.service_childcare")})))
        else:
            mine = float(places[cc["kind"].astype(str) == kind].sum())
            out.append(_indicator(iid, name, mine / float(places.sum()), "share", rule))

    # share of residents within each service circle
    for svc in SERVICES:
        rule = next(iter(profile.rules_for(kind="coverage_share_target", service=svc)), None)
        name = Message("policy.ind_coverage", {"service": Message(f"planning.service_{svc}")})
        fac = _existing(facilities, svc)
        if fac is None:
            out.append(_indicator(f"coverage_{svc}", name, None, "share", rule,
                                  Message("policy.ind_missing_facilities")))
            continue
        if not len(fac):
            out.append(_indicator(f"coverage_{svc}", name, None, "share", rule, Message(
                "policy.ind_missing_service", {"service": Message(f"planning.service_{svc}")})))
            continue
        if pop <= 0:
            out.append(_indicator(f"coverage_{svc}", name, None, "share", rule,
                                  Message("policy.ind_missing_population")))
            continue
        value, notes = _coverage_share(profile, demand, fac, svc, network, max_snap_m)
        out.append(_indicator(f"coverage_{svc}", name, value, "share", rule, notes=notes))

    # 配建达标率
    out.extend(_compliance_rates(profile, developments))

    # 同址或邻近 a health facility
    for rule in profile.rules_for(kind="colocated_with_health"):
        svc = rule.service if rule.service in SERVICES else "eldercare"
        name = Message("policy.ind_colocation", {"service": Message(f"planning.service_{svc}")})
        fac = _existing(facilities, svc)
        iid = f"colocation_{svc}"
        if health is None:
            out.append(_indicator(iid, name, None, "share", None,
                                  Message("policy.ind_missing_health")))
            out[-1] = _with_rule(out[-1], rule)
            continue
        if fac is None or not len(fac):
            out.append(_with_rule(_indicator(iid, name, None, "share", None, Message(
                "policy.ind_missing_facilities") if fac is None else Message(
                "policy.ind_missing_service", {"service": Message(
                    f"planning.service_{svc}")})), rule))
            continue
        limit = profile.param("health_colocation_max_m")
        near = _within(fac, health, limit)
        ind = _indicator(iid, name, float(near.mean()), "share", None)
        ind.notes.append(Message("policy.parameter_used", {
            "param": "health_colocation_max_m", "value": f"{limit:g} m",
            "basis": Message(f"policy.basis_{profile.parameter('health_colocation_max_m').basis}"),
            "source": str(profile.parameter("health_colocation_max_m").source)}))
        out.append(_with_rule(ind, rule))

    # targets the tool cannot compute from its layers: listed, not dropped
    for kind in NOT_COMPUTED:
        for rule in profile.rules_for(kind=kind):
            unit = "share" if KINDS[kind].share else rule.unit
            out.append(_indicator(rule.id, Message(f"policy.ind_{kind}"), None,
                                  unit, rule, Message("policy.ind_not_computed")))
    inputs = {"areas": len(areas), "residents": pop,
              "facilities": None if facilities is None else len(facilities),
              "developments": None if developments is None else len(developments),
              "health": None if health is None else len(health),
              "method": "network" if network is not None else "straight-line"}
    return IndicatorReport(profile, out, inputs)


def _with_rule(ind: Indicator, rule: Rule) -> Indicator:
    """An indicator whose target is "every site" (a share of 1) by a co-location rule."""
    ind.target = 1.0
    ind.source, ind.basis, ind.strength, ind.rule = (str(rule.source), rule.basis,
                                                     rule.strength, rule.id)
    ind.met = None if ind.value is None else bool(ind.value >= 1.0 - 1e-9)
    if ind.reason is not None and ind.reason.code == "policy.ind_no_target":
        ind.reason = None
    return ind


def _within(points: gpd.GeoDataFrame, others: gpd.GeoDataFrame, limit_m: float) -> np.ndarray:
    """Whether each of ``points`` lies within ``limit_m`` metres of one of ``others``."""
    from geo import local_metric_crs

    crs = local_metric_crs(points)
    a = points.to_crs(crs).geometry.representative_point()
    b = others.to_crs(crs).geometry
    return np.array([bool((b.distance(p) <= limit_m + 1e-9).any()) for p in a])


def _coverage_share(profile: Profile, demand: gpd.GeoDataFrame, fac: gpd.GeoDataFrame,
                    service: str, network: Any | None, max_snap_m: float
                    ) -> tuple[float | None, list[Message]]:
    from geo import Reach, coverage, travel_times

    minutes = profile.param(MINUTES_PARAM[service])
    speed = profile.param(SPEED_PARAM[service])
    m_prm = profile.parameter(MINUTES_PARAM[service])
    notes = [Message("policy.cutoff_basis", {
        "service": Message(f"planning.service_{service}"),
        "minutes": f"{minutes:g} min", "speed": f"{speed:g} m/min",
        "basis": Message(f"policy.basis_{m_prm.basis}"), "source": str(m_prm.source)})]
    if network is None:
        notes.append(Message("policy.ind_straight_line"))
    reach = Reach(minutes, speed)
    pairs = travel_times(network, demand, fac, reach=reach, max_snap_m=max_snap_m,
                         drop_unsnapped=True, fallback=network is None)
    res = coverage(demand, fac, pairs, reach=reach, capacity_col=None)
    share = res.overall.get("share")
    return (None if share is None else float(share)), notes


def _compliance_rates(profile: Profile, developments: pd.DataFrame | None) -> list[Indicator]:
    rate_rules = profile.rules_for(kind="compliance_rate_target")
    name_all = Message("policy.ind_compliance_rate_all")
    if developments is None:
        out = [_indicator("compliance_rate", name_all, None, "share", None,
                          Message("policy.ind_missing_developments"))]
        for r in rate_rules:
            out.append(_indicator(f"compliance_rate_{r.service}_{r.area_type}", Message(
                "policy.ind_compliance_rate", {
                    "service": Message(f"planning.service_{r.service}"),
                    "area": Message(f"policy.area_{r.area_type}")}), None, "share", r,
                Message("policy.ind_missing_developments")))
        return out
    report = check_developments(developments, profile)
    devs = report.developments
    ok = [d for d in devs if d.status in COMPLIANT_STATUSES]
    notes = []
    partial = sum(d.status == "compliant_on_rules_checked" for d in devs)
    if partial:
        notes.append(Message("policy.ind_unchecked_devs", {"n": partial}))
    out = [_indicator("compliance_rate", name_all, len(ok) / len(devs) if devs else None,
                      "share", None, None if devs else Message("policy.ind_missing_developments"),
                      notes)]
    for r in rate_rules:
        name = Message("policy.ind_compliance_rate", {
            "service": Message(f"planning.service_{r.service}"),
            "area": Message(f"policy.area_{r.area_type}")})
        iid = f"compliance_rate_{r.service}_{r.area_type}"
        mine = [d for d in devs if r.area_type in ("any", d.area_type)]
        if not mine:
            out.append(_indicator(iid, name, None, "share", r, Message(
                "policy.ind_missing_area_devs", {"area": Message(f"policy.area_{r.area_type}")})))
            continue
        services = (r.service,) if r.service in SERVICES else SERVICES
        assessed, passed, unchecked = 0, 0, 0
        for d in mine:
            if any(x.get("no_figure") and x["service"] in services for x in d.not_checked):
                unchecked += 1
                continue
            rules = [x for x in d.rules if x.service in services and x.decides]
            assessed += 1
            passed += all(x.status == "passed" for x in rules)
        notes = [Message("policy.ind_unchecked_devs", {"n": unchecked})] if unchecked else []
        if not assessed:
            out.append(_indicator(iid, name, None, "share", r,
                                  Message("policy.ind_unchecked_devs", {"n": unchecked})))
            continue
        out.append(_indicator(iid, name, passed / assessed, "share", r, notes=notes))
    return out


__all__ = ["INDICATOR_SUFFIXES", "Indicator", "IndicatorReport", "MET_MARKS", "citywide_indicators",
           "display_frame"]
