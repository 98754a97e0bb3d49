"""Site-count rules of a profile (per 街道, per N residents) as side rules of the models.

Policy readings made here (documented so planners can check them)
------------------------------------------------------------------
Site-count rules (``facilities_per_admin_unit``, ``facilities_per_population``)
    With ``ScenarioParams.side_rules`` (on by default where the profile has such rules for the
    service) every 街道 (the areas' ``admin_unit``) gets at least ``value`` open sites
    (existing ones count), and at least ``ceil(residents / value)`` for a per-population rule;
    rules for a county or city level are not applied (the areas carry 街道 only) and are
    listed as such. Every rule is its own constraint: a rule restricted to a facility kind
    (``public``, ``puhui``) counts only sites of that kind, a rule for any kind counts every
    site (so Chuzhou's one site per 2万 residents and one 普惠 site per 街道 hold together,
    a 普惠 site counting for both). A site lies in the 街道 of its ``admin_unit`` field, or
    else of the nearest residential area. Where a 街道 has fewer sites (existing plus
    candidates, of the rule's kind) than a rule asks, that rule is applied as all of them,
    and the run's notes say so, rule by rule.
"""

from __future__ import annotations

import math
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from core.messages import Message
from core.vocab import SERVICES
from errors import InfeasibleError
from optimizer import CountRule, SideRules, sites_required_per_group
from planning.applied import rule_record
from planning.params import ScenarioParams
from planning.sites import nearest_area_values

COUNT_RULES = ("facilities_per_admin_unit", "facilities_per_population")
#: The group of areas without a 街道 field: all areas together.
ALL_AREAS = "(all areas)"


def count_rules(profile: Any, service: str) -> list[Any]:
    """The profile's site-count rules for *service* (per 街道 / per N residents)."""
    return [r for kind in COUNT_RULES for r in profile.rules_for(kind=kind, service=service)]


def countable(rule: Any) -> bool:
    """Whether the runner can apply a site-count rule (per population or per 街道)."""
    return rule.kind == "facilities_per_population" or rule.admin_level in (None, "street")


def has_count_rules(profile: Any, service: str) -> bool:
    """Whether the profile has a site-count rule the runner can apply for *service*
    (``'both'``: for either service)."""
    services = SERVICES if service == "both" else (service,)
    return any(countable(r) for s in services for r in count_rules(profile, s))


def share_rules(profile: Any, service: str) -> list[Any]:
    """The profile's shares of 托位 by facility kind (普惠 >60 % …) for *service*."""
    return list(profile.rules_for(kind="places_share_by_kind", service=service))


def kind_shares_for(sites: gpd.GeoDataFrame, *, service: str, profile: Any
                    ) -> tuple[np.ndarray | None, dict[str, tuple[float | None, float | None]],
                               list[dict[str, Any]]]:
    """The profile's share rules as ``(site_kind, kind_shares, records)`` for the optimiser.

    The share is of the capacity of every open site (existing ones count): at least the
    plan's figure of it in sites of the rule's kind. Sites without a ``kind`` cannot be told
    apart: the rule is then not applied, and its record says why.
    """
    rules = share_rules(profile, service)
    records: list[dict[str, Any]] = []
    if not rules:
        return None, {}, records
    kinds = (sites["kind"].astype(object).where(sites["kind"].notna(), "").astype(str)
             .to_numpy() if "kind" in sites.columns else None)
    shares: dict[str, tuple[float | None, float | None]] = {}
    for r in rules:
        kind_msg = Message(f"planning.kind_{r.facility_kind}")
        if kinds is None or not (kinds != "").any():
            records.append(rule_record(r, service, applied=False, detail=Message(
                "policy.share_rule_no_kind", {"kind": kind_msg})))
            continue
        shares[str(r.facility_kind)] = (float(r.value), None)
        records.append(rule_record(r, service, applied=True, detail=Message(
            "policy.share_rule", {"kind": kind_msg, "share": f"{r.value:.0%}", "rule": r.id})))
    return (kinds if shares else None), shares, records


def side_rules_for(
    sites: gpd.GeoDataFrame,
    demand: gpd.GeoDataFrame,
    *,
    service: str,
    profile: Any,
    existing: np.ndarray | None = None,
    available: np.ndarray | None = None,
    counts: bool = True,
    shares: bool = False,
) -> tuple[Any, list[dict[str, Any]], list[Message], dict[str, int]]:
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

    counts, shares : bool
        Apply the site-count rules / the shares of 托位 by kind (``places_share_by_kind``).

    Returns
    -------
    (SideRules or None, rule records, notes, needed new sites per 街道)
    """
    site_kind, kind_shares, records = (kind_shares_for(sites, service=service, profile=profile)
                                       if shares else (None, {}, []))
    base = (SideRules(site_kind=site_kind, kind_shares=kind_shares) if kind_shares else None)
    rules = count_rules(profile, service) if counts else []
    notes: list[Message] = []
    if not rules:
        return base, records, notes, {}
    has_units = "admin_unit" in demand.columns and demand["admin_unit"].notna().any()
    usable = []
    for r in rules:
        if r.kind == "facilities_per_admin_unit" and r.admin_level not in (None, "street"):
            records.append(rule_record(r, service, applied=False, detail=Message(
                "planning.count_rule_level",
                {"level": Message(f"planning.level_{r.admin_level}")})))
        elif r.kind == "facilities_per_admin_unit" and not has_units:
            records.append(rule_record(r, service, applied=False,
                                       detail=Message("planning.count_rule_no_units")))
        else:
            usable.append(r)
    if not usable:
        return base, records, notes, {}
    if has_units:
        units = demand["admin_unit"].astype(object).where(demand["admin_unit"].notna(), None)
        names = sorted({str(u) for u in units if u is not None})
    else:
        units = pd.Series(ALL_AREAS, index=demand.index, dtype=object)
        names = [ALL_AREAS]
    code = {n: k for k, n in enumerate(names)}
    area_group = np.array([code.get(str(u), -1) if u is not None else -1 for u in units])
    pop = pd.to_numeric(demand["population"], errors="coerce").fillna(0.0).to_numpy()
    G = len(names)
    per_rule = []
    for r in usable:
        if r.kind == "facilities_per_population":
            n = sites_required_per_group(pop, area_group, residents_per_site=float(r.value),
                                         n_groups=G)
        else:
            n = sites_required_per_group(pop, area_group, at_least=int(math.ceil(r.value)),
                                         n_groups=G)
        per_rule.append((r, n))
    # the site's 街道: its own admin_unit field, else the nearest area's
    own = (sites["admin_unit"].astype(object).where(sites["admin_unit"].notna(), None)
           if "admin_unit" in sites.columns and has_units
           else pd.Series([None] * len(sites), index=sites.index, dtype=object))
    if has_units and own.isna().any():
        near = nearest_area_values(sites, demand, "admin_unit")
        own = own.where(own.notna(), near)
    if not has_units:
        own = pd.Series(ALL_AREAS, index=sites.index, dtype=object)
    group = np.array([code.get(str(u), -1) if u is not None else -1 for u in own],
                     dtype=np.int64)
    kind_of = (sites["kind"].astype(object).where(sites["kind"].notna(), "").astype(str)
               .to_numpy() if "kind" in sites.columns else np.full(len(sites), ""))
    ex = (pd.to_numeric(sites["existing_capacity"], errors="coerce").fillna(0).to_numpy() > 0
          if existing is None else np.asarray(existing, bool))
    av = np.ones(len(sites), bool) if available is None else np.asarray(available, bool)
    count_list: list[CountRule] = []
    new_need = np.zeros(G, dtype=np.int64)
    for r, n in per_rule:
        # a rule for one kind (普惠 …) counts only sites of that kind; the others count all
        mask = (None if r.facility_kind in (None, "any")
                else kind_of == str(r.facility_kind))
        rule = CountRule(group, n, mask, label=str(r.id))
        have = rule.count(av)
        short = np.flatnonzero(n > have)
        if len(short):
            notes.append(Message("planning.count_rules_capped", {
                "service": Message(f"planning.service_{service}"), "rule": str(r.id),
                "units": [Message("planning.count_rule_unit_short", {
                    "unit": names[g], "need": int(n[g]), "have": int(have[g])})
                    for g in short]}))
        capped = np.minimum(n, have)
        new_need = np.maximum(new_need, capped - rule.count(ex))
        count_list.append(CountRule(group, capped, mask, label=str(r.id)))
    new_needed = {names[g]: int(new_need[g]) for g in range(G) if new_need[g] > 0}
    for r, n in per_rule:
        msg_code = ("planning.count_rule_per_unit" if r.kind == "facilities_per_admin_unit"
                    and has_units else "planning.count_rule_per_population_unit" if has_units
                    else "planning.count_rule_per_population")
        detail = Message(msg_code, {
            "residents": float(r.value),
            "kind": (Message("planning.count_rule_kind",
                             {"kind": Message(f"planning.kind_{r.facility_kind}")})
                     if r.facility_kind not in (None, "any") else ""),
            "counts": [f"{names[g]} {int(n[g])}" for g in range(G)]})
        records.append(rule_record(r, service, applied=True, detail=detail))
    rules_obj = SideRules(site_kind=site_kind, kind_shares=kind_shares or None, counts=count_list)
    return rules_obj, records, notes, new_needed


def check_p(service: str, params: ScenarioParams, new_needed: dict[str, int]) -> None:
    """A number of sites p below what the site-count rules need is infeasible: say so."""
    need = sum(new_needed.values())
    if params.p is not None and params.objective != "min_cost" and need > params.p:
        raise InfeasibleError(Message("planning.count_rules_exceed_p", {
            "need": need, "service": Message(f"planning.service_{service}"), "p": params.p,
            "units": [f"{k} {v}" for k, v in new_needed.items()]}))

