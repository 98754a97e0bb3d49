"""What a run rests on: the demand figures it needs, and the basis of its rules and reach.

A run stops where the profile gives no demand figure (unknown is not zero), lists the demand
rules it used with their basis (local plan, national standard, tool default, the planner's
own figure), and says where each service's walking circle and speed come from.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from core.messages import Message, Quantity
from errors import InputError
from planning.applied import rule_record
from planning.params import DEMAND_COL, ScenarioParams

#: The demand rule of each service, and the option that supplies a figure where a plan has none.
DEMAND_RULE = {"childcare": ("childcare_places_per_1000", "--childcare-per-1000"),
               "eldercare": ("eldercare_area_per_100_households",
                             "--eldercare-per-100-households")}


def check_demand_figures(demand: pd.DataFrame, profile: Any, services: list[str]) -> None:
    """Stop where the profile has no demand figure for a service in an area type.

    Xuanhan's plan states no elder-care floor area, Suizhou's none for old areas: their demand
    is unknown, not zero, so a plan would place nothing there and still report 'optimal'.

    Raises
    ------
    errors.InputError
        One problem per service, naming the rule kind, the area types and the areas.
    """
    problems: list[Message] = []
    for svc in services:
        col = DEMAND_COL[svc]
        missing = pd.to_numeric(demand[col], errors="coerce").isna()
        if not missing.any():
            continue
        kind, option = DEMAND_RULE[svc]
        types = sorted(set(demand.loc[missing, "area_type"].astype(str)))
        problems.append(Message("policy.no_demand_figure", {
            "profile": profile.id, "service": Message(f"planning.service_{svc}"),
            "kind": kind, "areas": [Message(f"policy.area_{t}") for t in types],
            "ids": [str(i) for i in demand.loc[missing, "id"]], "option": option}))
    if problems:
        raise InputError(problems, source=f"profile {profile.id}")


def demand_records(profile: Any, services: list[str], demand: pd.DataFrame
                    ) -> list[dict[str, Any]]:
    """The demand rules the run used, per service and area type, with basis and source."""
    out = []
    present = set(demand["area_type"].astype(str))
    for svc in services:
        kind = DEMAND_RULE[svc][0]
        for at in ("new", "old"):
            if at not in present:
                continue
            r = profile.rule(kind, service=svc, area_type=at)
            if r is None:
                continue
            detail = (Message("policy.warn_planner_rule",
                              {"rule": r.id, "value": f"{r.value:g} {r.unit}"})
                      if r.basis == "planner" else
                      Message("policy.warn_adopted", {"rule": r.id,
                                                      "value": f"{r.value:g} {r.unit}"})
                      if r.adopted else Message(f"policy.basis_{r.basis}"))
            out.append(rule_record(r, svc, applied=True, detail=detail))
    return out


def cutoff_basis(profile: Any, params: ScenarioParams) -> dict[str, dict[str, str]]:
    """Basis and source of each service's circle minutes and walking speed."""
    from planning.params import MINUTES_PARAM, SPEED_PARAM

    out = {}
    for svc in params.services:
        m = profile.parameter(MINUTES_PARAM[svc])
        v = profile.parameter(SPEED_PARAM[svc])
        out[svc] = {
            "minutes_basis": "planner" if params.minutes else m.basis,
            "minutes_source": "" if params.minutes else str(m.source),
            "speed_basis": "planner" if params.speed_m_per_min else v.basis,
            "speed_source": "" if params.speed_m_per_min else str(v.source)}
    return out


def reach_notes(profile: Any, params: ScenarioParams) -> list[Message]:
    """Where each service's walking circle and speed come from (plan, tool default, planner)."""
    from planning.params import MINUTES_PARAM

    notes = []
    for svc in params.services:
        reach = params.reach(profile, svc)
        minutes, speed = reach.minutes, reach.speed_m_per_min
        m = profile.parameter(MINUTES_PARAM[svc])
        basis = "planner" if params.minutes else m.basis
        source = "—" if params.minutes else str(m.source)
        notes.append(Message("policy.cutoff_basis", {
            "service": Message(f"planning.service_{svc}"),
            "minutes": Quantity(minutes, "minutes"), "speed": Quantity(speed, "m_per_min"),
            "basis": Message(f"policy.basis_{basis}"), "source": source}))
    return notes


