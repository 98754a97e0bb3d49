"""The sites of a scenario: existing facilities and candidates in the optimiser's columns.

Policy readings made here (documented so planners can check them)
------------------------------------------------------------------
Site-size rules (``childcare_max_site_places``, ``eldercare_min_site_area``)
    A rule stated for an area type (Hefei: 350 m² per elder-care site *in new areas*) applies
    to a candidate site by the area type of the residential area it stands in, or else of the
    nearest one (a ``area_type`` column of the candidate layer wins). A candidate in or next
    to an old area gets the old-area rule if the profile has one, else none. Without areas to
    look at, the rule for any area type is used, or else the first one of that kind (the
    strict reading). Existing facilities keep their capacity.
Joint siting (service ``'both'`` with the minimum-cost objective)
    Candidate rows of one site share its ``site_id``. A service alone on a site costs that
    row's ``fixed_cost``; where both open on one site the site's fixed cost is its
    ``shared_fixed_cost`` attribute if the candidate layer has one, else the larger of the two
    services' fixed costs (one building: a 社区服务综合体, 共建共享). It must lie between the
    larger fixed cost and their sum. In the optimiser's terms the cost shared by the services is
    ``F = f_c + f_e - S`` and each service keeps ``S - f_other``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from core.messages import Message, Quantity
from errors import InputError
from planning.applied import rule_record

#: Site-size rule kind of each service and whether it bounds capacity from below or above.
SIZE_RULE = {"childcare": ("childcare_max_site_places", "max"),
             "eldercare": ("eldercare_min_site_area", "min")}
#: Site parameters of the optimiser, per service, in the joint site table.
SITE_PARAMS = ("fixed_cost", "unit_cost", "min_capacity", "max_capacity", "existing_capacity")


def nearest_area_values(points: gpd.GeoDataFrame, areas: gpd.GeoDataFrame | None,
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
    near = nearest_area_values(cd, areas, "area_type")
    types = [g if given is not None and g in ("new", "old") else n
             for g, n in zip(given if given is not None else [None] * len(cd), near,
                             strict=True)]
    # Profile.rule gives None where the profile has no such rule: then no size limit applies
    rules = [profile.rule(kind, service=service, area_type=t if t in ("new", "old") else "any")
             for t in types]
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
    notes: list[Message] = []
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
                near = (Message(f"planning.near_{r.area_type}")
                        if r.area_type in ("new", "old") and areas is not None else "")
                applied.append(rule_record(r, service, applied=True, detail=Message(
                    f"planning.size_rule_{side}",
                    {"value": Quantity(float(r.value), r.unit, 3), "near": near,
                     "ids": sids})))
            without = [ids[k] for k, r in enumerate(rules) if r is None]
            if by_rule and without:
                notes.append(Message("planning.size_rule_uncovered", {
                    "service": Message(f"planning.service_{service}"), "ids": without}))
            fits = (lo <= hi).to_numpy()
            if not fits.all():
                notes.append(Message("planning.candidates_dropped_size", {
                    "service": Message(f"planning.service_{service}"),
                    "ids": list(cd["id"].astype(str)[~fits])}))
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
        raise InputError([Message("planning.no_sites",
                                  {"service": Message(f"planning.service_{service}")})],
                         source="sites")
    out = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry",
                           crs=parts[0].crs)
    out.attrs["notes"] = notes
    out.attrs["rules"] = applied
    return out


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
        raise InputError([Message("planning.shared_cost_range", {
            "ids": [keys[i] for i in bad], "values": [float(joint[i]) for i in bad[:5]],
            "fixed": [str(fc[i].tolist()) for i in bad[:5]]})], source="candidate sites")
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



def split_sites(sites: gpd.GeoDataFrame, *, source: str
                ) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """(existing facilities, candidate sites) of a site layer read with its ``status``.

    Raises
    ------
    errors.InputError
        When the layer has neither existing nor candidate (or proposed) sites.
    """
    status = sites["status"].astype(str)
    existing = sites[status == "existing"]
    candidates = sites[status.isin(["candidate", "proposed"])]
    if not len(candidates) and not len(existing):
        raise InputError(["no site with status existing or candidate"], source=source)
    return existing, candidates
