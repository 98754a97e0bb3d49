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
from optimizer.program import LinearProgram, SolverOutcome
from optimizer.pulp_backend import cbc_path, parse_cbc_log
from optimizer.result import SolveResult, frame_records
from optimizer.solvers import SOLVERS
from optimizer.solvers import solve as solve_program
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
    "SolverOutcome",
    "cbc_path",
    "check",
    "frame_records",
    "max_servable",
    "parse_cbc_log",
    "sites_required_per_group",
    "solve_program",
    "verify",
]
