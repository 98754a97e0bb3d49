"""MILP siting models and their solving; arrays in, choices out (no policies, no files).

Models: :class:`MinCostProvision`, :class:`MaxCoverage`, :class:`PMedian`,
:class:`JointSiting`; each has ``from_cost_matrix`` and ``from_geodataframe`` constructors
and ``solve(solver='highs'|'cbc', time_limit=..., gap=...)``, which leaves a
:class:`SolveResult` in ``model.result``.
"""

from optimizer.feasibility import FeasibilityReport, check, max_servable
from optimizer.models import (
    JointSiting,
    MaxCoverage,
    MinCostProvision,
    PMedian,
    SideRules,
    sites_required_per_group,
)
from optimizer.result import SolveResult
from optimizer.solvers import SOLVERS, LinearProgram, cbc_path
from optimizer.verify import verify

__all__ = [
    "FeasibilityReport",
    "JointSiting",
    "LinearProgram",
    "MaxCoverage",
    "MinCostProvision",
    "PMedian",
    "SOLVERS",
    "SideRules",
    "SolveResult",
    "cbc_path",
    "check",
    "max_servable",
    "sites_required_per_group",
    "verify",
]
