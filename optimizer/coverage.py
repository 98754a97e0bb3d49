r"""Maximum coverage under a budget and/or a number of new sites (capacitated MCLP).

maximise :math:`\sum_{ij} w_i z_{ij}` subject to :math:`\sum_{j\in N(i)} z_{ij} \le q_i`, the
capacity rows of minimum-cost provision, :math:`\sum_j f_j y_j + c_j x_j \le B` and/or
:math:`\sum_j y_j \le p`, and the side rules.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from core.messages import Message, Quantity
from errors import InputError, SolverError
from optimizer import heuristics
from optimizer.base import SingleServiceModel
from optimizer.blocks import Block, BlockForm, cover_pairs
from optimizer.extract import Extraction
from optimizer.inputs import TOL, ServiceData, service_arrays
from optimizer.messages import IN_REACH
from optimizer.program import LinearProgram
from optimizer.rules import SideRules, repair_counts
from optimizer.verify import failed


class MaxCoverage(SingleServiceModel):
    r"""Maximum coverage under a budget and/or a number of new sites (capacitated MCLP).

    maximise :math:`\sum_{ij} w_i z_{ij}` (requirement served, optionally weighted) subject
    to :math:`\sum_{j\in N(i)} z_{ij} \le q_i`, the capacity rows of
    :class:`~optimizer.MinCostProvision`, :math:`\sum_j f_j y_j + c_j x_j \le B` and/or
    :math:`\sum_j y_j \le p` (sites opened or enlarged), and the side rules.  With no
    capacity limit it is the classic MCLP (an area counts as covered when a site in reach is
    open), which is what spopt's ``MCLP`` solves.

    Parameters
    ----------
    svc : ServiceData
        The checked arrays (see :meth:`from_cost_matrix`).
    budget : float, optional
        Bound on fixed plus unit costs.
    p : int, optional
        Bound on the number of sites opened or enlarged.
    weights : array of float, optional
        Per-area weights of the requirement served.
    allow_unmet : bool
        Soft form (default): serve what the budget and ``p`` allow and report, per area,
        why the rest is unmet (no site within reach, capacity in reach insufficient, budget
        or number of sites exhausted).  Hard form (False): every requirement must be
        served; a requirement out of reach or beyond the capacity in reach raises
        :class:`errors.InfeasibleError` before the solver, and so does a budget or ``p``
        too small to serve everything (after it).
    **kw
        Options of :class:`~optimizer.base.SitingModel`.
    """

    name_code = "optimizer.model.max_coverage"
    sense = "max"
    # opening every site the LP uses breaks the budget or p: not measured to help, so off
    _warm_start_default = False
    _verify_mode = "coverage"
    _start_default = True

    def __init__(self, svc: ServiceData, *, budget: float | None, p: int | None,
                 weights: np.ndarray | None = None, allow_unmet: bool = True,
                 **kw: Any) -> None:
        super().__init__([svc], **kw)
        self._soft = allow_unmet
        if budget is None and p is None:
            raise InputError([Message("optimizer.input.budget_or_p")], source="MaxCoverage")
        bad = [Message("optimizer.input.not_negative", {"name": k, "value": v})
               for k, v in (("budget", budget), ("p", p)) if v is not None and v < 0]
        if bad:
            raise InputError(bad, source="MaxCoverage")
        self.budget = budget
        self.p = p
        self.weights = None if weights is None else np.asarray(weights, dtype=float)
        self._unmet_reason = ("budget exhausted" if p is None else
                              "number of sites exhausted" if budget is None else
                              "budget or number of sites exhausted")

    @classmethod
    def from_cost_matrix(
        cls,
        pairs_origin: np.ndarray,
        pairs_site: np.ndarray,
        cost: np.ndarray,
        demand: np.ndarray,
        *,
        budget: float | None = None,
        p: int | None = None,
        weights: np.ndarray | None = None,
        n_sites: int | None = None,
        fixed_cost: np.ndarray | float | None = None,
        unit_cost: np.ndarray | float | None = None,
        min_capacity: np.ndarray | float | None = None,
        max_capacity: np.ndarray | float | None = None,
        existing_capacity: np.ndarray | float | None = None,
        max_cost: float | None = None,
        allow_unmet: bool = True,
        rules: SideRules | None = None,
        area_ids: np.ndarray | None = None,
        site_ids: np.ndarray | None = None,
        aggregate: bool = True,
        strong: bool = True,
        reach_label: str | Message = IN_REACH,
        integer_capacity: bool = True,
    ) -> MaxCoverage:
        """Build from sparse pairs within reach.

        Parameters are as in :meth:`MinCostProvision.from_cost_matrix
        <optimizer.MinCostProvision.from_cost_matrix>`; ``budget`` bounds fixed plus unit
        costs, ``p`` the number of sites opened or enlarged; ``weights`` per area multiply
        the requirement served in the objective (weighted problems are not aggregated);
        ``allow_unmet=False`` asks for every requirement to be served (see the class).

        Returns
        -------
        MaxCoverage
            The model, not yet solved.
        """
        svc = service_arrays("demand", pairs_origin, pairs_site, cost, demand, n_sites=n_sites,
                             fixed_cost=fixed_cost, unit_cost=unit_cost,
                             min_capacity=min_capacity, max_capacity=max_capacity,
                             existing_capacity=existing_capacity, max_cost=max_cost,
                             rules=rules, integer_capacity=integer_capacity, site_ids=site_ids)
        return cls(svc, budget=budget, p=p, weights=weights, allow_unmet=allow_unmet,
                   area_ids=area_ids,
                   site_ids=site_ids, aggregate=aggregate and weights is None, strong=strong,
                   reach_label=reach_label)

    def _precheck(self) -> None:
        self._feasibility(self.services[0], raise_=not self._soft)

    def _diagnose(self) -> Message:
        """Hard form: the numbers when sites cannot serve everything, else the limits."""
        lines = self._shortages()
        if lines or self._soft:
            return super()._diagnose()
        limits = []
        if self.budget is not None:
            limits.append(Message("optimizer.limit.budget",
                                  {"budget": Quantity(float(self.budget), "yuan", 0)}))
        if self.p is not None:
            limits.append(Message("optimizer.limit.p", {"p": int(self.p)}))
        return Message("optimizer.infeasible.coverage_all", {"limits": limits})

    def _start_vector(self, lp: LinearProgram, blocks: list[Block],
                      seconds: float) -> tuple[np.ndarray, str] | None:
        """Uncapacitated coverage form: lazy greedy by marginal coverage, then 1-swaps."""
        blk = blocks[0]
        if blk.w is None or blk.todo is None:
            return None
        svc = self.services[0]
        a = lp.arrays()
        x0 = a.at_zero()
        allowed = a.upper[blk.y] > 0.5
        r, c, n = cover_pairs(blk, allowed)
        op = heuristics.max_coverage(r, c, blk.agg.q[blk.todo], n, self.n_sites,
                                     allowed=allowed, p=self.p, budget=self.budget,
                                     cost=svc.fixed, seconds=seconds)
        if svc.rules.has_groups:
            exist = svc.exist > TOL
            op = repair_counts(op | exist, svc.rules, allowed, svc.fixed) & ~exist
        x0[blk.y] = op
        covered = np.zeros(n)
        covered[r[op[c]]] = 1.0
        x0[blk.w] = covered
        return x0, "lazy greedy by marginal coverage + 1-swap local search"

    def _build(self) -> tuple[LinearProgram, list[Block]]:
        lp = LinearProgram()
        svc = self.services[0]
        blk = self._block(lp, svc, BlockForm(
            mode="coverage", costs_in_objective=False, cover_form=self.weights is None,
            serve_all=not self._soft,
            dominance_cost=(svc.fixed if self.budget is not None
                            else np.zeros(self.n_sites))))
        if blk.z is not None:
            z_cost = (-np.ones(len(blk.z)) if self.weights is None
                      else -self.weights[blk.agg.k])
            lp.set_block("cost", blk.z, z_cost)
        m = self.n_sites
        if self.budget is not None:
            lp.add_rows(1, np.zeros(2 * m, np.int64), np.r_[blk.y, blk.x],
                        np.r_[svc.fixed, svc.unit], upper=float(self.budget))
        if self.p is not None:
            lp.add_rows(1, np.zeros(m, np.int64), blk.y, 1.0, upper=float(self.p))
        return lp, [blk]

    def _check_plan(self, exs: list[Extraction]) -> None:
        ex = exs[0]
        svc = ex.svc
        spent = float(svc.fixed @ ex.opened + svc.unit @ ex.new)
        n_open = int(ex.opened.sum())
        bad = []
        if self.budget is not None and spent > self.budget * (1 + 1e-6) + 1e-6:
            bad.append(Message("optimizer.verify.budget",
                               {"spent": spent, "budget": float(self.budget)}))
        if self.p is not None and n_open > self.p:
            bad.append(Message("optimizer.verify.p", {"opened": n_open, "p": self.p}))
        short = np.flatnonzero(ex.unmet > 0)
        if not self._soft and len(short):
            bad.append(Message("optimizer.verify.unaccounted", {"areas": short[:10].tolist()}))
        if bad:
            raise SolverError(failed(self.title, bad))
