"""The demand a run plans for: the planner's figures, the target year, need by age.

:func:`run_scenario <planning.runs.run_scenario>` calls :func:`scenario_demand` before it
checks the demand figures: the profile with the planner's figures (:func:`planner_profile`,
shared with the ``plan`` command), the residents of the target year
(:func:`planning.target_year.residents_by_year`), the need-based demand where age groups are
known (:func:`planning.age_demand.age_demand`) and the basis the plan is run on. It records
both demands side by side per 街道 and service (:func:`demand_comparison`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from core.messages import Message, Quantity
from core.vocab import SERVICE_UNITS
from errors import InputError
from planning.age_demand import age_demand, use_demand_basis
from planning.params import ScenarioParams
from planning.target_year import DEFAULT_OCCUPANCY_RAMP, residents_by_year

FrameT = TypeVar("FrameT", bound=pd.DataFrame)

#: The demand rule kind, service and unit of each planner's figure.
PLANNER_FIGURES: dict[str, tuple[str, str, str]] = {
    "childcare_per_1000": ("childcare_places_per_1000", "childcare", "托位/千人"),
    "eldercare_per_100_households": ("eldercare_area_per_100_households", "eldercare",
                                     "m²/百户"),
}

#: Columns counting residents (or what follows from them) that a target year scales.
EXTENSIVE: tuple[str, ...] = ("population", "households", "floor_area_m2",
                              "childcare_places_required", "eldercare_area_required_m2",
                              "elderly_population")

#: Age-group columns that make need-based demand possible.
AGE_COLUMNS: tuple[str, ...] = ("age_0_3", "age_60_plus")


def planner_profile(profile: Any, *, persons_per_household: float | None = None,
                    apply_default: Iterable[str] = (), **figures: float | None) -> Any:
    """The profile with the planner's figures for this run.

    Parameters
    ----------
    profile : planning.profiles.Profile
    persons_per_household : float, optional
        Replaces the profile's (basis ``planner``); the same figure set twice is set once.
    apply_default : iterable of str
        Tool-default rules applied on purpose (``--apply-default``).
    **figures : float or None
        Keys of :data:`PLANNER_FIGURES`: a figure for the area types the plan states none for
        (basis ``planner``); area types with a rule keep it.

    Returns
    -------
    planning.profiles.Profile
    """
    profile = profile.adopt_defaults(list(apply_default))
    if persons_per_household is not None:
        old = profile.parameter("persons_per_household")
        if not (old.basis == "planner" and old.value == float(persons_per_household)):
            profile = profile.with_parameter("persons_per_household", persons_per_household)
    for name, value in figures.items():
        if value is None:
            continue
        kind, service, unit = PLANNER_FIGURES[name]
        for at in ("new", "old"):
            if profile.rule(kind, service=service, area_type=at) is None:
                profile = profile.with_planner_rule(kind, service, at, float(value), unit)
    return profile


def profile_for(profile: Any, params: ScenarioParams) -> Any:
    """:func:`planner_profile` with the figures of ``params``."""
    return planner_profile(profile, persons_per_household=params.persons_per_household,
                           **{k: getattr(params, k) for k in PLANNER_FIGURES})


def ramp_of(params: ScenarioParams) -> tuple[tuple[float, ...], str]:
    """The occupancy ramp of a run and its basis (``tool_default`` or ``planner``)."""
    if params.occupancy_ramp is None or tuple(params.occupancy_ramp) == DEFAULT_OCCUPANCY_RAMP:
        return DEFAULT_OCCUPANCY_RAMP, "tool_default"
    return tuple(float(x) for x in params.occupancy_ramp), "planner"


def apply_target_year(demand: FrameT, params: ScenarioParams) -> tuple[FrameT, list[Message]]:
    """Scale every area's residents and demand to the target year (none: unchanged).

    A development completing after the target year counts 0; from its completion year on it
    counts by the ramp's share. The figures of the full development stay in
    ``population_when_full``.
    """
    if params.target_year is None:
        return demand, []
    ramp, basis = ramp_of(params)
    out = residents_by_year(demand, int(params.target_year), ramp=ramp)
    share = out["occupancy"].to_numpy(dtype=float)
    full = pd.to_numeric(out["population"], errors="coerce").to_numpy(dtype=float)
    out["population_when_full"] = full
    for col in (*EXTENSIVE, *(c for c in out.columns if c.startswith("age_"))):
        if col in out.columns:
            out[col] = pd.to_numeric(out[col], errors="coerce").to_numpy(dtype=float) * share
    left, part = share == 0, (share > 0) & (share < 1)
    out.attrs["target_year"] = {"year": int(params.target_year), "ramp": list(ramp),
                                "basis": basis, "left_out": int(left.sum()),
                                "scaled": int(part.sum())}
    note = Message("planning.target_year", {
        "year": int(params.target_year), "left_out": int(left.sum()),
        "left_out_residents": Quantity(float(np.nansum(full[left])), "residents", 0),
        "scaled": int(part.sum()),
        "scaled_residents": Quantity(float(np.nansum(full[part] * share[part])), "residents", 0),
        "ramp": " / ".join(f"{x:.0%}" for x in ramp),
        "basis": Message(f"policy.basis_{basis}")})
    return out, [note]


def has_age_groups(frame: pd.DataFrame) -> bool:
    """Whether any area gives an age group (``age_0_3`` or ``age_60_plus``)."""
    return any(c in frame.columns and pd.to_numeric(frame[c], errors="coerce").notna().any()
               for c in AGE_COLUMNS)


def need_demand(demand: FrameT, profile: Any, params: ScenarioParams
                ) -> tuple[FrameT, list[Message]]:
    """Need-based demand beside the policy rates, and the basis the plan is run on.

    The policy figure stays in ``childcare_places_policy``; ``childcare_places_required``
    becomes the need-based figure with ``demand_basis='need'``.

    Raises
    ------
    errors.InputError
        ``'need'`` without age groups, or without an enrolment rate (the planner's or the
        profile's).
    """
    out = demand.copy()
    out["childcare_places_policy"] = out["childcare_places_required"]
    if not has_age_groups(out):
        if params.demand_basis == "need":
            raise InputError([Message("planning.need_no_age")], source="scenario parameters")
        return out, []
    try:
        out = age_demand(out, profile, enrolment_rate=params.enrolment_rate)
    except InputError as exc:
        if params.demand_basis == "need":
            raise
        return out, [Message("planning.need_not_computed", {"reason": p})
                     for p in exc.problems]
    out = use_demand_basis(out, params.demand_basis)
    out.attrs["demand_basis"] = params.demand_basis
    basis = out.attrs.get("age_demand", {}).get("basis", "")
    return out, [Message("planning.demand_basis_used", {
        "basis": Message(f"planning.basis_{params.demand_basis}"), "detail": basis})]


def demand_comparison(demand: pd.DataFrame, *, by: str = "admin_unit") -> pd.DataFrame:
    """Policy-rate and need-based demand per 街道 and service, with units and bases.

    Returns
    -------
    DataFrame
        ``unit_name`` (the 街道; ``"(total)"`` last), ``service``, ``policy_demand``,
        ``policy_unit``, ``policy_basis`` (rule ids), ``need_demand``, ``need_unit``,
        ``need_basis`` (NaN / None where no age groups are known) and ``used`` (the basis
        the plan ran on: ``attrs['demand_basis']`` of :func:`need_demand`; areas without age
        groups keep their policy figure, as ``childcare_demand_basis`` says).
    """
    keys = (demand[by].astype(object).where(demand[by].notna(), "(none)")
            if by in demand.columns else pd.Series("(none)", index=demand.index))
    policy_cc = demand.get("childcare_places_policy", demand["childcare_places_required"])
    cols = {
        "childcare": (policy_cc, "childcare_rule", "childcare_places_need", "places",
                      "childcare_need_basis"),
        "eldercare": (demand["eldercare_area_required_m2"], "eldercare_rule",
                      "eldercare_beds_need", "beds", "eldercare_beds_rule"),
    }
    used = {"childcare": demand.attrs.get("demand_basis", "policy"), "eldercare": "policy"}
    rows: list[dict[str, Any]] = []
    for svc, (policy, rule_col, need_col, need_unit, need_basis_col) in cols.items():
        p = pd.to_numeric(policy, errors="coerce")
        n = (pd.to_numeric(demand[need_col], errors="coerce") if need_col in demand.columns
             else pd.Series(np.nan, index=demand.index))
        for name, idx in [*keys.groupby(keys, sort=True).groups.items(),
                          ("(total)", demand.index)]:
            rules = sorted({str(x) for x in demand.loc[idx, rule_col].dropna()}) \
                if rule_col in demand.columns else []
            nb = sorted({str(x) for x in demand.loc[idx, need_basis_col].dropna()}) \
                if need_basis_col in demand.columns and n.loc[idx].notna().any() else []
            rows.append({"unit_name": str(name), "service": svc,
                         "policy_demand": p.loc[idx].sum(min_count=1),
                         "policy_unit": SERVICE_UNITS[svc], "policy_basis": ", ".join(rules),
                         "need_demand": n.loc[idx].sum(min_count=1), "need_unit": need_unit,
                         "need_basis": "; ".join(nb) or None, "used": used[svc]})
    return pd.DataFrame(rows)


def scenario_demand(demand: FrameT, profile: Any, params: ScenarioParams
                    ) -> tuple[FrameT, list[Message]]:
    """The target year's demand on the chosen basis, with the notes saying how."""
    demand, notes = apply_target_year(demand, params)
    demand, more = need_demand(demand, profile, params)
    return demand, notes + more
