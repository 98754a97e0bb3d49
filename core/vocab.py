"""The tool's vocabulary: one home for services, objectives, area types and site fields.

Every layer names these things with the constants here, so that a new service or objective is
added in one place.
"""

from __future__ import annotations

from typing import Final, Literal

Service = Literal["childcare", "eldercare"]

#: The two services a plan provides, in display order.
SERVICES: Final[tuple[str, ...]] = ("childcare", "eldercare")

#: A service choice in a scenario: one service, or both sited jointly (共建共享).
SERVICE_CHOICES: Final[tuple[str, ...]] = (*SERVICES, "both")

#: Unit of the quantity each service is planned in (托位 for child care, m² of floor area for
#: elder care); used to label every requirement, capacity, shortfall and unmet figure.
SERVICE_UNITS: Final[dict[str, str]] = {"childcare": "places", "eldercare": "m2"}

#: Objectives, by their canonical name (JSON, app) and by their command-line spelling.
OBJECTIVES: Final[tuple[str, ...]] = ("min_cost", "max_coverage", "p_median")
OBJECTIVE_CLI: Final[dict[str, str]] = {
    "min-cost": "min_cost",
    "max-coverage": "max_coverage",
    "min-time": "p_median",
}

#: Residential area types of the policy rules.
AREA_TYPES: Final[tuple[str, ...]] = ("new", "old")

#: Site statuses of a facility layer.
SITE_STATUSES: Final[tuple[str, ...]] = ("existing", "candidate", "proposed")

#: Per-site parameters a site layer may carry, by their canonical field name.
SITE_PARAMETERS: Final[tuple[str, ...]] = (
    "fixed_cost",
    "unit_cost",
    "min_capacity",
    "max_capacity",
    "existing_capacity",
    "expand_max",
    "kind",
)
