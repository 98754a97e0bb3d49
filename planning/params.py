"""What the planner chose for one scenario, and the per-service figures a run reads.

:class:`ScenarioParams` is the one description of a scenario that the app, the ``plan``
command and the scenario store share. The reach of each service (walking minutes and speed)
comes from the profile's parameters unless the planner overrides it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from core.messages import Message
from core.vocab import OBJECTIVES, SERVICE_CHOICES, SERVICES
from errors import InputError
from geo import Reach

#: Column of each service's requirement in the demand table (托位; m² of floor area).
DEMAND_COL = {"childcare": "childcare_places_required", "eldercare": "eldercare_area_required_m2"}
#: Whether a service's capacity comes in whole units: 托位 do, elder-care floor area (m²) does not.
WHOLE_UNITS = {"childcare": True, "eldercare": False}
#: Profile parameters holding each service's walking speed and service-circle minutes.
SPEED_PARAM = {"childcare": "walking_speed_m_per_min",
               "eldercare": "elderly_walking_speed_m_per_min"}
MINUTES_PARAM = {"childcare": "childcare_service_minutes",
                 "eldercare": "eldercare_service_minutes"}

#: Demand bases a plan can be run on: the policy rates, or need from age groups.
DEMAND_BASES: tuple[str, ...] = ("policy", "need")
#: Target years a scenario accepts (a sanity range, not a policy figure).
YEAR_RANGE: tuple[int, int] = (2000, 2100)

#: Called with a stage ('demand', 'travel', 'solve', 'done') and the fraction done.
Progress = Callable[[str, float], None]


def no_progress(_stage: str, _fraction: float) -> None:
    """A :data:`Progress` that reports nowhere."""


@dataclass
class ScenarioParams:
    """What the planner chose for one scenario.

    ``minutes`` / ``speed_m_per_min`` of None take the profile's parameters for the service.
    ``side_rules`` of None applies the profile's site-count rules wherever it has some for the
    service (see :mod:`planning.side_rules`); ``joint`` sites both services together for
    ``'both'`` with the minimum-cost objective; ``share_rules`` applies the profile's shares of
    托位 by kind (普惠 …) as side rules.

    Demand (see :mod:`planning.run_demand`): ``target_year`` counts developments by their
    ``completion_year`` with ``occupancy_ramp`` (None: the tool default
    :data:`planning.target_year.DEFAULT_OCCUPANCY_RAMP`); ``demand_basis`` ``'need'`` runs
    child care on children under three × ``enrolment_rate`` (None: the profile's 入托率);
    ``persons_per_household``, ``childcare_per_1000`` (托位 per 1000 residents) and
    ``eldercare_per_100_households`` (m² per 100 households) are the planner's figures, the
    last two only for area types the plan states no figure for.
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
    share_rules: bool = False
    target_year: int | None = None
    occupancy_ramp: tuple[float, ...] | None = None
    demand_basis: str = "policy"  # 'policy' | 'need'
    enrolment_rate: float | None = None
    persons_per_household: float | None = None
    childcare_per_1000: float | None = None
    eldercare_per_100_households: float | None = None

    @property
    def services(self) -> list[str]:
        """The services this scenario plans (both for ``'both'``)."""
        return list(SERVICES) if self.service == "both" else [self.service]

    def to_dict(self) -> dict[str, Any]:
        """The parameters as a JSON-able dict."""
        return asdict(self)

    def validate(self) -> None:
        """Raise :class:`errors.InputError` naming every parameter that is out of range."""
        problems: list[Message] = []
        if self.service not in SERVICE_CHOICES:
            problems.append(Message("planning.param_service", {"value": self.service}))
        if self.objective not in OBJECTIVES:
            problems.append(Message("planning.param_objective",
                                    {"value": self.objective, "choices": list(OBJECTIVES)}))
        if self.objective == "p_median" and not self.p:
            problems.append(Message("planning.param_p_needed"))
        if self.objective == "max_coverage" and self.p is None and self.budget is None:
            problems.append(Message("planning.param_budget_or_p"))
        for name in ("minutes", "speed_m_per_min", "budget", "persons_per_household",
                     "childcare_per_1000", "eldercare_per_100_households"):
            v = getattr(self, name)
            if v is not None and not (math.isfinite(float(v)) and v > 0):
                problems.append(Message("planning.param_positive", {"name": name, "value": v}))
        problems.extend(self._demand_problems())
        if problems:
            raise InputError(problems, source="scenario parameters")

    def _demand_problems(self) -> list[Message]:
        """Out-of-range target year, ramp, demand basis or enrolment rate."""
        out: list[Message] = []
        y = self.target_year
        if y is not None and not (float(y) == int(y) and YEAR_RANGE[0] <= int(y) <= YEAR_RANGE[1]):
            out.append(Message("planning.param_year", {"value": y, "low": YEAR_RANGE[0],
                                                       "high": YEAR_RANGE[1]}))
        ramp = self.occupancy_ramp
        if ramp is not None and (not len(ramp) or not all(
                math.isfinite(float(x)) and 0 <= x <= 1 for x in ramp)):
            out.append(Message("planning.param_ramp", {"value": list(ramp)}))
        if self.demand_basis not in DEMAND_BASES:
            out.append(Message("planning.param_basis", {"value": self.demand_basis,
                                                        "choices": list(DEMAND_BASES)}))
        r = self.enrolment_rate
        if r is not None and not (math.isfinite(float(r)) and 0 < r <= 1):
            out.append(Message("planning.param_enrolment", {"value": r}))
        return out

    def reach(self, profile: Any, service: str) -> Reach:
        """The walking reach of ``service``: the planner's minutes and speed, else the
        profile's."""
        minutes, speed = service_defaults(profile, service)
        return Reach(float(self.minutes or minutes), float(self.speed_m_per_min or speed))


def service_defaults(profile: Any, service: str) -> tuple[float, float]:
    """(minutes, speed m/min) of ``service`` from the profile's parameters."""
    return float(profile.param(MINUTES_PARAM[service])), float(profile.param(SPEED_PARAM[service]))
