"""Demand by age beside the policy rates: children under three and residents aged 60+.

The policy rules give demand per 1000 residents (托位) and per 100 households (elder-care m²);
see :func:`planning.demand.compute_demand`. Where the census gives age groups (shared among the
areas by :func:`planning.population.estimate_population`), demand can also be computed from
need:

- child care: children under three (``age_0_3``) × an enrolment rate (入托率) — a profile's
  ``childcare_enrolment_rate_*`` parameter (Quzhou's plan sets 10 % for 2022 and 15 % for
  2025) or the planner's own rate;
- elder care: residents aged 60+ (``age_60_plus``; else population × the elderly share the
  demand step used) and the beds they need under the profile's beds-per-1000-elderly rule.

:func:`demand_side_by_side` puts both next to each other, each figure with its unit and basis;
:func:`use_demand_basis` makes the need-based child-care figure the requirement a plan is run
on (the elder-care requirement stays in m², the unit of the elder-care rules: beds and m² are
never mixed).
"""

from __future__ import annotations

from typing import Any, TypeVar

import numpy as np
import pandas as pd

from core.messages import Message
from errors import InputError
from planning.params import DEMAND_BASES
from planning.profiles import Profile

FrameT = TypeVar("FrameT", bound=pd.DataFrame)

#: Profile parameters holding an enrolment rate (入托率) start with this.
ENROLMENT_PREFIX = "childcare_enrolment_rate"

#: Rule kinds giving elder-care beds per 1000 elderly, in the order they are looked for.
BED_RULE_KINDS: tuple[str, ...] = ("eldercare_beds_per_1000_elderly",
                                   "eldercare_beds_per_1000_elderly_target")

#: Demand bases a plan can be run on.
BASES: tuple[str, ...] = DEMAND_BASES


def enrolment_rates(profile: Profile) -> dict[str, float]:
    """The enrolment-rate parameters of a profile (id → rate), e.g. Quzhou's 2022 and 2025."""
    return {k: p.value for k, p in sorted(profile.parameters.items())
            if k.startswith(ENROLMENT_PREFIX)}


def _rate(profile: Profile, enrolment_rate: float | None,
          rate_parameter: str | None) -> tuple[float, str]:
    """The rate to use and its basis, or an InputError saying what is available."""
    if enrolment_rate is not None:
        if not (np.isfinite(enrolment_rate) and 0 < enrolment_rate <= 1):
            raise InputError([Message("population.enrolment_rate_range",
                                      {"value": enrolment_rate})])
        return float(enrolment_rate), f"入托率 {enrolment_rate:.1%} (given)"
    rates = enrolment_rates(profile)
    if rate_parameter is None and len(rates) >= 1:
        rate_parameter = max(rates)  # the latest target (ids end in their year)
    if rate_parameter is None or rate_parameter not in rates:
        raise InputError([Message("population.enrolment_rate_missing", {
            "profile": profile.id, "parameter": rate_parameter or ENROLMENT_PREFIX + "_*",
            "known": sorted(rates) or ["—"]})])
    p = profile.parameter(rate_parameter)
    return p.value, f"入托率 {p.value:.1%} (profile {profile.id}: {rate_parameter}; {p.source})"


def age_demand(
    areas: FrameT,
    profile: Profile,
    *,
    enrolment_rate: float | None = None,
    rate_parameter: str | None = None,
) -> FrameT:
    """Need-based demand from age groups, beside the policy-rate demand.

    Parameters
    ----------
    areas : DataFrame or GeoDataFrame
        Output of :func:`planning.demand.compute_demand` (``population``,
        ``childcare_places_required``, ``eldercare_area_required_m2``, ``elderly_population``
        …) with ``age_0_3`` and/or ``age_60_plus`` where known (NaN elsewhere).
    profile : Profile
        Gives the enrolment rate (unless ``enrolment_rate`` is given) and the beds per 1000
        elderly rule.
    enrolment_rate : float, optional
        The planner's own 入托率 (0–1]; wins over the profile's.
    rate_parameter : str, optional
        Which enrolment-rate parameter of the profile (default: the latest year's).

    Returns
    -------
    Same type as ``areas``
        A copy with ``childcare_places_need`` (托位: ``age_0_3`` × rate; NaN where the age
        group is unknown), ``childcare_need_basis``, ``elderly_60_plus`` (residents: the age
        group, else ``elderly_population``), ``elderly_basis``, ``eldercare_beds_need`` (beds:
        elderly / 1000 × the rule) and ``eldercare_beds_rule``.

    Raises
    ------
    errors.InputError
        An enrolment rate outside (0, 1], or none given and none in the profile.
    """
    rate, basis = _rate(profile, enrolment_rate, rate_parameter)
    out = areas.copy()
    n = len(out)
    under3 = (pd.to_numeric(out["age_0_3"], errors="coerce").to_numpy(dtype=float,
                                                                       na_value=np.nan)
              if "age_0_3" in out.columns else np.full(n, np.nan))
    out["childcare_places_need"] = under3 * rate
    out["childcare_need_basis"] = np.where(np.isfinite(under3), f"age_0_3 × {basis}",
                                           "age_0_3 unknown")
    elders = (pd.to_numeric(out["age_60_plus"], errors="coerce").to_numpy(dtype=float,
                                                                          na_value=np.nan)
              if "age_60_plus" in out.columns else np.full(n, np.nan))
    fallback = (pd.to_numeric(out["elderly_population"], errors="coerce").to_numpy(
        dtype=float, na_value=np.nan) if "elderly_population" in out.columns
        else np.full(n, np.nan))
    known = np.isfinite(elders)
    share_src = (out["elderly_source"].astype(str).to_numpy()
                 if "elderly_source" in out.columns else np.full(n, "elderly share"))
    out["elderly_60_plus"] = np.where(known, elders, fallback)
    out["elderly_basis"] = np.where(
        known, "age_60_plus (census, shared by residents)",
        np.where(np.isfinite(fallback), np.char.add("population × ", share_src.astype(str)),
                 "unknown"))
    rule = next((r for kind in BED_RULE_KINDS
                 if (r := profile.rule(kind, service="eldercare")) is not None), None)
    if rule is not None:
        out["eldercare_beds_need"] = out["elderly_60_plus"] / 1000.0 * rule.value
        out["eldercare_beds_rule"] = f"{rule.id} ({rule.value:g} {rule.unit}; {rule.source})"
    else:
        out["eldercare_beds_need"] = np.nan
        out["eldercare_beds_rule"] = None
    out.attrs["age_demand"] = {"enrolment_rate": rate, "basis": basis,
                               "beds_rule": rule.id if rule is not None else None}
    return out


def demand_side_by_side(frame: pd.DataFrame) -> pd.DataFrame:
    """Policy-rate and need-based demand per area, each with its unit and basis, and a total.

    Parameters
    ----------
    frame : DataFrame
        Output of :func:`age_demand` (after :func:`planning.demand.compute_demand`).

    Returns
    -------
    pandas.DataFrame
        Rows: the areas, then ``total``. Columns: ``id``, ``population`` (residents),
        ``childcare_policy`` and ``childcare_need`` (托位) with ``childcare_policy_basis`` /
        ``childcare_need_basis``, ``eldercare_policy_m2`` (m²) with its rule,
        ``elderly_60_plus`` (residents) and ``eldercare_beds_need`` (beds) with their bases.
        Figures of different units stay in their own columns.
    """
    cols: dict[str, Any] = {
        "id": frame["id"] if "id" in frame.columns else frame.index,
        "population": frame["population"],
        "childcare_policy": frame.get("childcare_places_required"),
        "childcare_policy_basis": frame.get("childcare_rule"),
        "childcare_need": frame["childcare_places_need"],
        "childcare_need_basis": frame["childcare_need_basis"],
        "eldercare_policy_m2": frame.get("eldercare_area_required_m2"),
        "eldercare_policy_basis": frame.get("eldercare_rule"),
        "elderly_60_plus": frame["elderly_60_plus"],
        "elderly_basis": frame["elderly_basis"],
        "eldercare_beds_need": frame["eldercare_beds_need"],
        "eldercare_beds_rule": frame["eldercare_beds_rule"],
    }
    table = pd.DataFrame({k: (np.asarray(v) if v is not None else np.nan)
                          for k, v in cols.items()})
    numeric = ["population", "childcare_policy", "childcare_need", "eldercare_policy_m2",
               "elderly_60_plus", "eldercare_beds_need"]
    total: dict[str, Any] = {c: pd.to_numeric(table[c], errors="coerce").sum(min_count=1)
                             for c in numeric}
    total["id"] = "total"
    units = {"population": "residents", "childcare_policy": "places",
             "childcare_need": "places", "eldercare_policy_m2": "m2",
             "elderly_60_plus": "residents", "eldercare_beds_need": "beds"}
    table = pd.concat([table, pd.DataFrame([total])], ignore_index=True)
    table.attrs["units"] = units
    return table


def use_demand_basis(frame: FrameT, basis: str = "policy") -> FrameT:
    """The child-care requirement a plan is run on: the policy rate's or the need-based one.

    Parameters
    ----------
    frame : DataFrame
        Output of :func:`age_demand`.
    basis : {'policy', 'need'}
        ``'need'`` replaces ``childcare_places_required`` with ``childcare_places_need``
        (areas without age groups keep the policy figure, and their basis says so).

    Returns
    -------
    Same type as ``frame``
        A copy with ``childcare_places_required`` and ``childcare_demand_basis``.
    """
    if basis not in BASES:
        raise InputError([Message("population.demand_basis", {"value": basis,
                                                              "choices": list(BASES)})])
    out = frame.copy()
    policy = pd.to_numeric(out["childcare_places_required"], errors="coerce")
    rule = (out["childcare_rule"].fillna("no figure in the plan").astype(str)
            if "childcare_rule" in out.columns else "policy")
    if basis == "policy":
        out["childcare_demand_basis"] = "policy: " + rule
        return out
    need = pd.to_numeric(out["childcare_places_need"], errors="coerce")
    has = need.notna()
    out["childcare_places_required"] = need.where(has, policy)
    out["childcare_demand_basis"] = np.where(
        has, "need: " + out["childcare_need_basis"].astype(str),
        "policy (age groups unknown): " + pd.Series(rule, index=out.index).astype(str))
    return out
