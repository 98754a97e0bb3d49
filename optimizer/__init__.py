"""MILP siting models and their solving; arrays in, choices out (no policies, no files).

Models, one family per module over shared pieces:

* :class:`MinCostProvision` (:mod:`optimizer.mincost`) — minimum-cost full provision;
* :class:`MaxCoverage` (:mod:`optimizer.coverage`) — maximum coverage under a budget or p;
* :class:`PMedian` (:mod:`optimizer.pmedian`) — least demand-weighted walking time;
* :class:`JointSiting` (:mod:`optimizer.joint`) — child care and elder care on shared sites.

Each has ``from_cost_matrix`` and ``from_geodataframe`` constructors and
``solve(solver='highs'|'cbc', time_limit=..., gap=...)``, which leaves a :class:`SolveResult`
in ``model.result``.  Shared pieces: :mod:`optimizer.inputs` (checked arrays, frames matched
by id), :mod:`optimizer.classes` (demand classes), :mod:`optimizer.blocks` (constraint
blocks), :mod:`optimizer.rules` (side rules: site-count rules and kind shares),
:mod:`optimizer.extract` (result extraction), :mod:`optimizer.base` (checking, solving,
verifying), :mod:`optimizer.feasibility` and :mod:`optimizer.verify`; the program and its
solvers in :mod:`optimizer.program`, :mod:`optimizer.solvers`, :mod:`optimizer.highs` and
:mod:`optimizer.pulp_backend`.

Other layers import from here only (``from optimizer import MinCostProvision``).  Messages
for people are :class:`core.messages.Message` objects with ``optimizer.*`` codes
(templates in :mod:`core.catalog.optimizer`); the ``reason`` column of unmet demand keeps
short canonical values that the app labels.
"""

from optimizer import heuristics
from optimizer.base import SitingModel
from optimizer.coverage import MaxCoverage
from optimizer.decompose import Decomposition, reach_groups, solve_min_cost_decomposed
from optimizer.extract import CAPACITY_IN_REACH, NO_SITE_IN_REACH
from optimizer.feasibility import FeasibilityReport, check, max_servable
from optimizer.joint import JointSiting
from optimizer.messages import reach_within
from optimizer.mincost import MinCostProvision
from optimizer.pmedian import PMedian
from optimizer.program import LinearProgram, SolverOutcome
from optimizer.pulp_backend import cbc_path, parse_cbc_log
from optimizer.result import SolveResult, frame_records
from optimizer.rules import CountRule, SideRules, sites_required_per_group
from optimizer.solvers import SOLVERS
from optimizer.solvers import solve as solve_program
from optimizer.verify import verify, verify_counts

__all__ = [
    "CAPACITY_IN_REACH",
    "CountRule",
    "Decomposition",
    "FeasibilityReport",
    "JointSiting",
    "LinearProgram",
    "MaxCoverage",
    "MinCostProvision",
    "NO_SITE_IN_REACH",
    "PMedian",
    "SOLVERS",
    "SideRules",
    "SitingModel",
    "SolveResult",
    "SolverOutcome",
    "cbc_path",
    "check",
    "frame_records",
    "heuristics",
    "max_servable",
    "parse_cbc_log",
    "reach_groups",
    "reach_within",
    "sites_required_per_group",
    "solve_min_cost_decomposed",
    "solve_program",
    "verify",
    "verify_counts",
]
