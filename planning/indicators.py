"""The figures of a finished run, per service and in total, and the run's tables.

Indicators are nested per service, each figure in that service's unit (托位 for child care,
m² of floor area for elder care), and numbers of different units are never added::

    {"childcare": {"sites", "new_capacity", "cost", "per_1000", "unmet", "required", "unit"},
     "eldercare": {...},
     "total": {"sites", "cost", "share_covered", "status", "gap", "objective", "method", ...}}
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from core.messages import Message
from core.vocab import SERVICE_UNITS
from planning.params import DEMAND_COL


def finite_or_none(v: Any) -> float | None:
    """``v`` as a float, or None where it is missing, NaN or infinite."""
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) or math.isinf(f) else f


def solver_record(res: Any, solver: str, **extra: Any) -> dict[str, Any]:
    """Status, proof, objective, bound, gap and time of a solve, JSON-able."""
    return {"status": res.status, "proven_optimal": bool(res.proven_optimal),
            "objective": finite_or_none(res.objective), "bound": finite_or_none(res.bound),
            "gap": finite_or_none(res.gap), "seconds": finite_or_none(res.seconds),
            "solver": getattr(res, "solver", solver), **extra}


@dataclass
class ServiceOutcome:
    """What one service's solve gave, merged with its site table."""

    all_sites: pd.DataFrame  # every site considered, with open / status / cost
    chosen: pd.DataFrame  # existing and proposed sites with their capacity
    layer: gpd.GeoDataFrame  # the chosen sites as points, for maps
    indicators: dict[str, Any]
    solver: dict[str, Any]


def service_outcome(
    service: str,
    sites: gpd.GeoDataFrame,
    res: Any,
    *,
    total_population: float,
    solver: str,
    shared: dict[str, float],
) -> ServiceOutcome:
    """Merge a service's solve into its site table: opened sites, capacities, costs.

    A candidate counts as opened when the model built or enlarged it (a site-count rule may
    open a site that serves nobody). Where both services share a site the saving of the
    shared fixed cost is split evenly between its two rows (``shared_saving``).
    """
    rs = res.sites.copy()
    merged = sites.drop(columns="geometry").merge(
        rs[[c for c in rs.columns if c in ("id", "open", "capacity", "new_capacity",
                                           "action")]], on="id", how="left")
    new_cap = pd.to_numeric(merged.get("new_capacity"), errors="coerce").fillna(0.0)
    is_cand = merged["status"] == "candidate"
    acted = (merged["action"].isin(["new", "enlarged"]) if "action" in merged.columns
             else pd.Series(False, index=merged.index))
    opened = is_cand & (acted | (new_cap > 1e-6))
    merged["new_capacity"] = new_cap
    merged["cost"] = np.where(opened, merged["fixed_cost"] + merged["unit_cost"] * new_cap, 0.0)
    saving = merged["site_id"].map(shared).fillna(0.0) / 2.0
    merged["shared_saving"] = np.where(opened, saving, 0.0)
    merged["cost"] = merged["cost"] - merged["shared_saving"]
    merged["status"] = np.where(opened, "proposed", merged["status"])
    merged["open"] = opened | (merged["status"] == "existing")
    chosen = merged[merged["status"] != "candidate"].copy()
    chosen["capacity"] = pd.to_numeric(chosen["existing_capacity"], errors="coerce").fillna(
        0.0) + chosen["new_capacity"]
    geometry = sites.set_index("id").geometry
    layer = gpd.GeoDataFrame(chosen[["id", "name", "service", "status", "capacity"]],
                             geometry=geometry.loc[chosen["id"]].values, crs=sites.crs)
    total_cap = float(chosen["capacity"].sum())
    indicators = {
        "sites": int(opened.sum()),
        "new_capacity": float(new_cap[opened].sum()),
        "cost": float(merged["cost"].sum()),
        "per_1000": (total_cap / total_population * 1000.0) if total_population else None,
        "unit": SERVICE_UNITS[service],
    }
    return ServiceOutcome(all_sites=merged, chosen=chosen, layer=layer, indicators=indicators,
                          solver=solver_record(res, solver))


def area_outcome(areas: pd.DataFrame, service: str, unmet: pd.DataFrame,
                 pairs: pd.DataFrame) -> tuple[pd.Series, float, float]:
    """Add ``<service>_unmet``, ``_served_share`` and ``_in_reach`` to ``areas`` (in place).

    Returns
    -------
    (fully served, unmet total, required total)
        Whether each area's demand of this service is met, and the service's totals.
    """
    req = pd.to_numeric(areas[DEMAND_COL[service]], errors="coerce").fillna(0.0)
    um = unmet.groupby(unmet["id"])["amount"].sum() if len(unmet) else pd.Series(dtype=float)
    unmet_amt = areas["id"].map(um).fillna(0.0)
    areas[f"{service}_unmet"] = unmet_amt
    areas[f"{service}_served_share"] = np.where(
        req > 0, 1.0 - unmet_amt / req.where(req > 0, 1), 1.0)
    areas[f"{service}_in_reach"] = areas["id"].isin(set(pairs["origin_id"]))
    served = unmet_amt <= 1e-6 * np.maximum(req, 1.0)
    return served, float(unmet_amt.sum()), float(req.sum())


#: Solver statuses that come with a plan (a time-limited plan is "feasible", with its gap).
PLAN_STATUSES = ("optimal", "feasible")


def has_plan(res: Any) -> bool:
    """Whether a solve ended with a plan (proven or a time-limited incumbent)."""
    return str(res.status) in PLAN_STATUSES


def no_plan_indicators(service: str, res: Any, required: float) -> dict[str, Any]:
    """A service whose solve found no plan: its status, why, and the requirement only."""
    return {"no_plan": True, "status": str(res.status), "reason": Message(
                "planning.no_plan", {"status": str(res.status)}),
            "required": required, "unit": SERVICE_UNITS[service], "sites": None,
            "new_capacity": None, "cost": None, "per_1000": None, "unmet": None}


def totals(per_service: dict[str, dict[str, Any]], solver: dict[str, dict[str, Any]], *,
           share_covered: float | None, method: str) -> dict[str, Any]:
    """The run's figures across services: counts and money only, never 托位 + m²."""
    gaps = [v["gap"] for v in solver.values() if v["gap"] is not None]
    objectives = [v["objective"] for v in solver.values()]
    planned = not any(v.get("no_plan") for v in per_service.values())
    return {
        "sites": sum(v["sites"] for v in per_service.values()) if planned else None,
        "cost": float(sum(v["cost"] for v in per_service.values())) if planned else None,
        "no_plan": not planned,
        "share_covered": share_covered,
        "status": ", ".join(sorted({v["status"] for v in solver.values()})),
        "gap": max(gaps) if gaps else None,
        "objective": objectives[0] if len(objectives) == 1 else None,
        "method": method,
    }

