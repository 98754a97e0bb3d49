"""Demand in the open: the rates a run applied, with their sources, and the totals.

A planner must be able to see, next to every plan, which figure produced the demand (10 托位
per 1000 residents in new areas, 8 in old ones, m² of elder-care floor area per 100
households, persons per household) and how much demand there is per service and per 街道,
each in its unit. Both functions read the table of :func:`planning.demand.compute_demand`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from core.vocab import SERVICE_UNITS
from planning.params import DEMAND_COL

#: The rule column and the base of each service's rate in the demand table.
_RULE_COL = {"childcare": "childcare_rule", "eldercare": "eldercare_rule"}
_BASE = {"childcare": ("population", "residents"), "eldercare": ("households", "households")}


def demand_rules(demand: pd.DataFrame, profile: Any) -> list[dict[str, Any]]:
    """One row per service and area type: the rule applied, its rate, source and totals.

    Rows for area types without a rule say so (``rule`` None, ``required`` None) instead of
    counting zero demand there.

    Returns
    -------
    list of dict
        ``service``, ``area_type``, ``rule``, ``rate``, ``rate_unit``, ``source``, ``basis``
        (where the profile records one), ``areas``, ``base`` (residents or households),
        ``base_unit``, ``required``, ``unit``.
    """
    rows: list[dict[str, Any]] = []
    for service, col in DEMAND_COL.items():
        base_col, base_unit = _BASE[service]
        for area_type, part in demand.groupby("area_type", sort=True):
            ids = part[_RULE_COL[service]].dropna().unique()
            rule = (next((r for r in profile.rules if r.id == ids[0]), None)
                    if len(ids) else None)
            required = pd.to_numeric(part[col], errors="coerce")
            rows.append({
                "service": service, "area_type": area_type,
                "rule": rule.id if rule is not None else None,
                "rate": float(rule.value) if rule is not None else None,
                "rate_unit": rule.unit if rule is not None else None,
                "source": rule.source.describe() if rule is not None else None,
                "basis": getattr(rule, "basis", None) if rule is not None else None,
                "areas": int(len(part)),
                "base": float(pd.to_numeric(part[base_col], errors="coerce").sum()),
                "base_unit": base_unit,
                "required": float(required.sum()) if required.notna().any() else None,
                "unit": SERVICE_UNITS[service],
            })
    return rows


def demand_totals(demand: pd.DataFrame, *, by: str = "admin_unit") -> pd.DataFrame:
    """Residents and demand per ``by`` (the 街道) and service, each in its unit, with a total.

    Areas without a value of ``by`` are grouped under ``"(none)"``. Demand that no rule
    gives (NaN) is left out of the sums and counted in ``areas_without_rule``.

    Returns
    -------
    DataFrame
        ``unit_name`` (the 街道), ``service``, ``residents``, ``required``, ``unit``,
        ``areas``, ``areas_without_rule``; the last rows (``unit_name`` ``"(total)"``) give
        the totals over all areas.
    """
    keys = (demand[by].astype(object).where(demand[by].notna(), "(none)")
            if by in demand.columns else pd.Series("(none)", index=demand.index))
    rows: list[dict[str, Any]] = []
    pop = pd.to_numeric(demand["population"], errors="coerce")
    for service, col in DEMAND_COL.items():
        req = pd.to_numeric(demand[col], errors="coerce")
        for name, idx in [*keys.groupby(keys, sort=True).groups.items(),
                          ("(total)", demand.index)]:
            rows.append({"unit_name": str(name), "service": service,
                         "residents": float(pop.loc[idx].sum()),
                         "required": float(req.loc[idx].sum()),
                         "unit": SERVICE_UNITS[service], "areas": int(len(idx)),
                         "areas_without_rule": int(req.loc[idx].isna().sum())})
    return pd.DataFrame(rows)
