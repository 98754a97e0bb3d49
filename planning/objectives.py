"""The objectives a planner can choose, and the optimiser model each one builds.

One registry for the command line and the app: the canonical name (``min_cost``,
``max_coverage``, ``p_median``, as in saved scenarios and JSON), its command-line spelling
(``min-cost``, ``max-coverage``, ``min-time``) and the model class of :mod:`optimizer`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from core.vocab import OBJECTIVE_CLI
from optimizer import MaxCoverage, MinCostProvision, PMedian


@dataclass(frozen=True)
class Objective:
    """One objective: its name, its command-line spelling and its model class."""

    name: str
    cli: str
    model: type[Any]
    #: The scenario parameters the model takes besides the data (budget, p, allow_unmet).
    options: tuple[str, ...]


OBJECTIVES: Mapping[str, Objective] = {
    "min_cost": Objective("min_cost", "min-cost", MinCostProvision, ("allow_unmet",)),
    "max_coverage": Objective("max_coverage", "max-coverage", MaxCoverage,
                              ("budget", "p", "allow_unmet")),
    "p_median": Objective("p_median", "min-time", PMedian, ("p", "allow_unmet")),
}
assert {o.cli: o.name for o in OBJECTIVES.values()} == OBJECTIVE_CLI


def objective_from_cli(spelling: str) -> Objective:
    """The objective of a command-line spelling (``min-cost`` …)."""
    return OBJECTIVES[OBJECTIVE_CLI[spelling]]


def build_model(objective: str, demand: pd.DataFrame, sites: pd.DataFrame,
                pairs: pd.DataFrame, *, budget: float | None = None, p: int | None = None,
                allow_unmet: bool | None = True, **kwargs: Any) -> Any:
    """The optimiser model of ``objective`` on frames (``from_geodataframe``).

    Parameters
    ----------
    objective : str
        A key of :data:`OBJECTIVES`.
    demand, sites, pairs : DataFrame
        Demand per area, site parameters, and the (origin, destination, minutes) pairs.
    budget, p, allow_unmet
        The scenario's options; each model takes the ones it uses.  ``allow_unmet=None``
        leaves the model's own default (off for minimum cost and p-median, on for maximum
        coverage, which serves what the budget or p allows by its nature).
    **kwargs
        Passed to the model (``demand_col``, ``integer_capacity``, ``rules``, ``max_cost`` …).
    """
    obj = OBJECTIVES[objective]
    given = {"budget": budget, "p": int(p) if p is not None else None,
             "allow_unmet": allow_unmet}
    # p-median's p is checked before (ScenarioParams.validate, the table form's options)
    options = {k: given[k] for k in obj.options if given[k] is not None or k != "allow_unmet"}
    return obj.model.from_geodataframe(demand, sites, pairs, **options, **kwargs)
