r"""Minimum total walking time with ``p`` new sites (capacitated p-median).

minimise :math:`\sum_{ij} t_{ij} z_{ij}` subject to :math:`\sum_{j\in N(i)} z_{ij} = q_i`,
capacity rows, :math:`\sum_j y_j = p` over candidates and :math:`z_{ij} \le q_i y_j`.
Soft form (``allow_unmet``): :math:`\sum_j z_{ij} + u_i = q_i` with
:math:`\sum_i u_i \le D - F^*`, where :math:`F^*` is the most that ``p`` sites can serve
(a maximum-coverage model solved first): serve what can be served, then walk least.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any, ClassVar

import numpy as np

from core.messages import Message
from errors import InfeasibleError, InputError, SolverError
from optimizer import feasibility as feas
from optimizer import heuristics
from optimizer.base import SingleServiceModel
from optimizer.blocks import Block
from optimizer.classes import DemandClasses, aggregate
from optimizer.coverage import MaxCoverage
from optimizer.extract import Extraction, extract
from optimizer.highs import solve_fixed
from optimizer.inputs import TOL, ServiceData, service_arrays
from optimizer.messages import IN_REACH, bullets
from optimizer.program import LinearProgram
from optimizer.result import SolveResult
from optimizer.rules import SideRules, add_side_rules, count_shortfalls, repair_counts
from optimizer.verify import verify


class PMedian(SingleServiceModel):
    r"""Minimum total walking time with ``p`` new sites (capacitated p-median).

    minimise :math:`\sum_{ij} t_{ij} z_{ij}` (demand-weighted minutes) subject to
    :math:`\sum_{j\in N(i)} z_{ij} = q_i`, :math:`\sum_i z_{ij} \le U_j y_j` for candidate
    sites and :math:`\le e_j` for existing ones (which are always open and do not count in
    ``p``), :math:`\sum_j y_j = p` over candidates, :math:`z_{ij} \le q_i y_j`.  Candidate
    sites open at ``max_capacity`` (infinite by default: the classic p-median).  Only pairs
    within reach are variables.

    Hard form (default): every area must have an open site in reach with room; otherwise
    :class:`errors.InfeasibleError` says why (areas out of reach, capacity of ``p`` sites).
    Soft form (``allow_unmet=True``): first the most demand ``p`` sites can serve is found
    (:class:`~optimizer.MaxCoverage` with the same sites, capacities and rules), then the
    least walking time among plans serving that much; unmet demand is reported per area
    with its reason (no site within reach, capacity in reach insufficient, number of sites
    exhausted) and ``result.details['most_servable']`` gives the first step's figures.

    Parameters
    ----------
    svc : ServiceData
        The checked arrays (see :meth:`from_cost_matrix`).
    p : int
        Number of candidate sites to open.
    allow_unmet : bool
        Soft form.
    **kw
        Options of :class:`~optimizer.base.SitingModel`.
    """

    name_code = "optimizer.model.p_median"
    # opening every site the LP uses breaks "exactly p": the rounding start never applies
    # (the heuristic start does).  The LP bound with lazy z <= q y rows was tried at city
    # scale: neither that nor the full LP (simplex or IPM) finished within 120-240 s.
    _warm_start_default = False
    _start_default = True
    #: columns from which the start is on by default: measured on the benchmark's cities,
    #: at 2000x500 (39k columns) HiGHS proves the optimum in 8.8 s alone but 12.7 s with the
    #: start (it changes its search); at 10000x3000 (155k) it finds no plan without it
    START_MIN_COLS: ClassVar[int] = 100_000
    _unmet_reason = "number of sites exhausted"

    def __init__(self, svc: ServiceData, *, p: int, allow_unmet: bool = False,
                 **kw: Any) -> None:
        # existing sites keep their capacity (they are not enlarged here)
        svc = replace(svc, hi=np.where(svc.exist > TOL, svc.exist, svc.hi))
        super().__init__([svc], **kw)
        self._soft = allow_unmet
        #: most requirement p sites can serve (soft form), and how it was found
        self.most_servable: dict[str, Any] | None = None
        #: candidates the first step opened (the soft form's start)
        self._cover_open: np.ndarray | None = None
        cand = int((svc.exist <= TOL).sum())
        if p < 0 or p > cand:
            raise InputError([Message("optimizer.input.p_range", {"candidates": cand, "p": p})],
                             source="PMedian")
        self.p = int(p)

    @classmethod
    def from_cost_matrix(
        cls,
        pairs_origin: np.ndarray,
        pairs_site: np.ndarray,
        cost: np.ndarray,
        demand: np.ndarray,
        *,
        p: int,
        n_sites: int | None = None,
        max_capacity: np.ndarray | float | None = None,
        existing_capacity: np.ndarray | float | None = None,
        max_cost: float | None = None,
        allow_unmet: bool = False,
        rules: SideRules | None = None,
        area_ids: np.ndarray | None = None,
        site_ids: np.ndarray | None = None,
        aggregate: bool = True,
        strong: bool = True,
        reach_label: str | Message = IN_REACH,
        **ignored: Any,
    ) -> PMedian:
        """Build from sparse pairs (``cost`` = minutes, the objective's weights).

        ``fixed_cost``, ``unit_cost``, ``min_capacity`` and ``integer_capacity`` are
        accepted and ignored (candidates open at ``max_capacity``), so that one set of site
        arrays serves every model.  ``allow_unmet`` chooses the soft form (see the class).

        Returns
        -------
        PMedian
            The model, not yet solved.
        """
        svc = service_arrays("demand", pairs_origin, pairs_site, cost, demand, n_sites=n_sites,
                             max_capacity=max_capacity, existing_capacity=existing_capacity,
                             max_cost=max_cost, rules=rules, site_ids=site_ids)
        return cls(svc, p=p, allow_unmet=allow_unmet, area_ids=area_ids, site_ids=site_ids,
                   aggregate=aggregate, strong=strong, reach_label=reach_label)

    def _precheck(self) -> None:
        svc = self.services[0]
        cap = np.where(svc.exist > TOL, svc.exist, svc.hi)
        rep = feas.check(svc.origin, svc.site, svc.demand, cap, area_ids=self.area_ids,
                         site_ids=self.site_ids, reach=self.reach_label)
        msgs = list(rep.messages)
        cand = np.flatnonzero(svc.exist <= TOL)
        best = np.sort(svc.hi[cand])[::-1][: self.p].sum() + svc.exist.sum()
        if best < svc.demand.sum() - 1e-6 * max(1.0, svc.demand.sum()):
            msgs.append(Message("optimizer.infeasible.p_capacity", {
                "total": float(svc.demand.sum()), "p": self.p, "best": float(best)}))
        self.feasibility[svc.name] = rep
        if msgs and not self._soft:
            raise InfeasibleError(Message("optimizer.infeasible.p_median",
                                          {"p": self.p, "problems": bullets(msgs)}))

    def _start_auto(self, lp: LinearProgram) -> bool:
        if self._soft:
            return self._cover_open is not None
        return lp.num_col >= self.START_MIN_COLS

    def _solve_common(self, *, solver: str, time_limit: float | None, gap: float | None,
                      msg: bool, threads: int | None, soft: bool,
                      warm_start: bool | None = None,
                      start: bool | None = None) -> SolveResult:
        """The soft form solves the most servable amount first (half the time limit)."""
        self.most_servable = None
        self._cover_open = None
        if soft:
            t0 = time.perf_counter()
            self._count_precheck()
            self.most_servable = self._most_servable(
                solver=solver, time_limit=None if time_limit is None else time_limit / 2,
                gap=gap, threads=threads)
            if time_limit is not None:
                time_limit = max(time_limit - (time.perf_counter() - t0), 1e-3)
        return super()._solve_common(solver=solver, time_limit=time_limit, gap=gap, msg=msg,
                                     threads=threads, soft=soft, warm_start=warm_start,
                                     start=start)

    def _most_servable(self, *, solver: str, time_limit: float | None, gap: float | None,
                       threads: int | None) -> dict[str, Any]:
        """Most requirement ``p`` sites can serve: maximum coverage on the same sites.

        Candidates open at their largest capacity at no cost, existing sites keep theirs,
        the site-count rules hold; at most ``p`` new sites (serving more never needs fewer).
        """
        svc = self.services[0]
        m = self.n_sites
        cover_svc = replace(svc, fixed=np.zeros(m), unit=np.zeros(m), lo=np.zeros(m),
                            integer=False, rules=SideRules(counts=svc.rules.count_rules))
        model = MaxCoverage(cover_svc, budget=None, p=self.p, allow_unmet=True,
                            area_ids=self.area_ids, site_ids=self.site_ids,
                            aggregate=self.aggregate, strong=self.strong,
                            reach_label=self.reach_label)
        try:
            model.solve(solver=solver, time_limit=time_limit, gap=gap, threads=threads)
        except InfeasibleError:
            # serving is optional here, so only the site-count rules with p can conflict
            raise InfeasibleError(Message("optimizer.infeasible.solver", {
                "model": self.title,
                "problems": bullets([Message("optimizer.infeasible.side_rules")])})) from None
        res = model.result
        assert res is not None
        total = float(svc.demand.sum())
        served = None if res.objective is None else float(res.objective)
        if served is not None and len(res.sites):
            self._cover_open = res.sites["open"].to_numpy(dtype=bool) & (svc.exist <= TOL)
        return {"total": total, "served": served,
                "proven_optimal": bool(res.proven_optimal), "status": res.status,
                "seconds": round(float(res.seconds), 3)}

    def _after_solve(self, res: SolveResult) -> None:
        if self.most_servable is not None:
            res.details["most_servable"] = dict(self.most_servable)

    def _start_vector(self, lp: LinearProgram, blocks: list[Block],
                      seconds: float) -> tuple[np.ndarray, str] | None:
        """Greedy add + interchange on the uncapacitated problem.

        Each class goes to its nearest open site when no capacity is exceeded, else the
        transport LP over the chosen sites assigns them (no start when that LP is
        infeasible).
        """
        if self._soft:
            return self._start_from_cover(lp, blocks[0], seconds)
        blk = blocks[0]
        svc, agg = blk.svc, blk.agg
        assert blk.z is not None
        a = lp.arrays()
        x0 = a.at_zero()
        cand = svc.exist <= TOL
        allowed = cand & (a.upper[blk.y] > 0.5)
        t0 = time.perf_counter()
        op = heuristics.pmedian(agg.k, agg.j, agg.t, agg.q, self.n_sites, allowed=allowed,
                                p=self.p, always_open=~cand, seconds=seconds)
        if op is None:
            return None
        if svc.rules.has_groups:
            op = _repair_p(op, svc.rules, allowed, ~cand, self.p)
            if op is None:
                return None
        x0[blk.y] = op
        is_open = op | ~cand
        sel = np.flatnonzero(is_open[agg.j])
        sel = sel[np.lexsort((agg.t[sel], agg.k[sel]))]
        first = np.ones(len(sel), dtype=bool)
        first[1:] = agg.k[sel[1:]] != agg.k[sel[:-1]]
        near = sel[first]
        x0[blk.z[near]] = agg.q[agg.k[near]]
        load = np.bincount(agg.j[near], weights=agg.q[agg.k[near]], minlength=self.n_sites)
        capj = np.where(cand, svc.hi, svc.exist)
        method = "greedy add + interchange (Teitz-Bart)"
        if (load > capj + TOL * np.maximum(1.0, capj)).any():
            left = max(seconds - (time.perf_counter() - t0), 1.0)
            x = solve_fixed(lp, blk.y, op.astype(float), time_limit=left)
            if x is None:
                return None
            x0, method = x, method + " on sites, assignment by the transport LP"
        return x0, method

    def _start_from_cover(self, lp: LinearProgram, blk: Block,
                          seconds: float) -> tuple[np.ndarray, str] | None:
        """Soft form's start: the first step's sites, made up to ``p``.

        The candidates of most demand in reach make up the number; the transport LP assigns
        the demand (it serves as much as the first step did).
        """
        if self._cover_open is None:
            return None
        allowed = lp.arrays().upper[blk.y] > 0.5
        op = self._cover_open & allowed
        extra = self.p - int(op.sum())
        if extra < 0:
            return None
        rest = np.flatnonzero(allowed & ~op)
        reach = blk.agg.reach_demand(self.n_sites)[rest]
        op[rest[np.argsort(-reach, kind="stable")[:extra]]] = True
        if int(op.sum()) != self.p:
            return None
        x = solve_fixed(lp, blk.y, op.astype(float), time_limit=max(seconds, 1.0))
        if x is None:
            return None
        return x, ("maximum-coverage sites made up to p by demand in reach, assignment by "
                   "the transport LP")

    def _diagnose(self) -> Message:
        lines = self._shortages()
        if lines:
            return Message("optimizer.infeasible.solver",
                           {"model": self.title, "problems": bullets(lines)})
        return Message("optimizer.infeasible.p_choice", {"p": self.p})

    def _build(self) -> tuple[LinearProgram, list[Block]]:
        lp = LinearProgram()
        svc = self.services[0]
        agg = aggregate(svc, with_cost=True, enabled=self.aggregate)
        m = self.n_sites
        cand = svc.exist <= TOL
        y = lp.add_cols(m, lower=0.0, upper=cand.astype(float), integer=True)
        z = lp.add_cols(len(agg.k), cost=agg.t)
        u = None
        if self._soft:
            u = self._unmet_columns(lp, agg)
            lp.add_rows(agg.K, np.r_[agg.k, np.arange(agg.K)], np.r_[z, u], 1.0,
                        lower=agg.q, upper=agg.q)
        else:
            lp.add_rows(agg.K, agg.k, z, 1.0, lower=agg.q, upper=agg.q)
        _capacity_rows(lp, agg, svc, y, z, cand)
        # z <= q y is needed with unlimited capacity, whatever self.strong says
        new = np.flatnonzero(cand[agg.j])
        r = np.arange(len(new))
        lp.add_rows(len(new), np.r_[r, r], np.r_[z[new], y[agg.j[new]]],
                    np.r_[np.ones(len(new)), -agg.q[agg.k[new]]], upper=0.0)
        lp.add_rows(1, np.zeros(m, np.int64), y, 1.0, lower=self.p, upper=self.p)
        add_side_rules(lp, svc.rules, svc.exist, y, None)
        return lp, [Block(svc, agg, y, lp.add_cols(m, upper=0.0), z=z, u=u)]

    def unmet_penalty(self) -> float:
        """Minutes charged per unit unmet in the soft form.

        Longer than any chain of reassignments over the open sites, so that for the sites
        chosen every unit that can be served is.
        """
        svc = self.services[0]
        longest = float(svc.cost.max(initial=0.0))
        n_open = self.p + int((svc.exist > TOL).sum())
        return (longest + 1.0) * (n_open + 1)

    def _unmet_columns(self, lp: LinearProgram, agg: DemandClasses) -> np.ndarray:
        """Unmet columns of the soft form: together at most what ``p`` sites cannot serve.

        Each unit unmet costs :meth:`unmet_penalty` minutes, so the bound's tolerance is not
        spent on walking less; the constant of the bound itself is taken off the objective,
        which stays demand-weighted minutes.  Without the bound (the first step stopped
        with no plan) only the penalty applies.
        """
        pen = self.unmet_penalty()
        u = lp.add_cols(agg.K, cost=pen)
        served = (self.most_servable or {}).get("served")
        if served is not None:
            total = float(agg.q.sum())
            left = max(total - float(served), 0.0)
            lp.add_rows(1, np.zeros(agg.K, np.int64), u, 1.0,
                        upper=left + 1e-6 * max(1.0, total))
            lp.offset -= pen * left
        return u

    def _extract(self, blk: Block, sol: np.ndarray, *, soft: bool) -> Extraction:
        # unmet is what is not served (the unmet columns hold the same in the soft form)
        ex = extract(blk, sol, soft=False, default_reason=self._unmet_reason)
        svc = ex.svc
        ex.cap = np.where(ex.opened, svc.hi, svc.exist)
        ex.new = np.where(ex.opened, svc.hi, 0.0)
        return ex

    def _verify(self, ex: Extraction, *, soft: bool) -> None:
        svc = ex.svc
        verify(svc.origin, svc.site, svc.demand, assign_origin=ex.assign_origin,
               assign_site=ex.assign_site, assign_amount=ex.assign_amount,
               unmet=ex.unmet if soft else np.zeros(self.n_areas),
               capacity=np.where(ex.open, ex.cap, 0.0),
               existing_capacity=np.where(ex.open, ex.cap, 0.0),
               opened=np.zeros(self.n_sites, bool), mode="cover", label=self.title)
        if int(ex.opened.sum()) != self.p:
            raise SolverError(Message("optimizer.verify.p_exact",
                                      {"opened": int(ex.opened.sum()), "p": self.p}))


def _repair_p(op: np.ndarray, rules: SideRules, allowed: np.ndarray,
              always_open: np.ndarray, p: int) -> np.ndarray | None:
    """The heuristic's ``p`` sites made to keep the site-count rules, still ``p`` of them.

    Sites the rules lack are opened (cheapest by position), then the heuristic's own sites
    are closed, last chosen first, where no rule needs them; None when that leaves more
    than ``p``.
    """
    full = repair_counts(op | always_open, rules, allowed) & ~always_open
    extra = int(full.sum()) - p
    for j in np.flatnonzero(op)[::-1]:
        if extra <= 0:
            break
        trial = full.copy()
        trial[j] = False
        if not count_shortfalls(rules, trial | always_open):
            full, extra = trial, extra - 1
    return full if extra == 0 else None


def _capacity_rows(lp: LinearProgram, agg: DemandClasses, svc: ServiceData, y: np.ndarray,
                   z: np.ndarray, cand: np.ndarray) -> None:
    """Capacity rows of the sites whose capacity can bind (less than the demand in reach)."""
    m = len(svc.fixed)
    reach_dem = agg.reach_demand(m)
    capj = np.where(cand, svc.hi, svc.exist)
    binding = np.flatnonzero(capj < reach_dem - TOL)
    if len(binding):
        pos = np.full(m, -1)
        pos[binding] = np.arange(len(binding))
        sel = np.flatnonzero(pos[agg.j] >= 0)
        cb = binding[cand[binding]]
        lp.add_rows(len(binding), np.r_[pos[agg.j[sel]], pos[cb]], np.r_[z[sel], y[cb]],
                    np.r_[np.ones(len(sel)), -capj[cb]],
                    upper=np.where(cand[binding], 0.0, capj[binding]))
