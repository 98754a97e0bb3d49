"""What every siting model shares: checking, building, solving, verifying, result frames.

A model (:mod:`optimizer.mincost`, :mod:`optimizer.coverage`, :mod:`optimizer.pmedian`,
:mod:`optimizer.joint`) provides ``_build`` (its program and one
:class:`~optimizer.blocks.Block` per service) and, optionally, a feasibility check before
the solver, a heuristic start and checks of its own on the solution; :class:`SitingModel`
does the rest.
"""

from __future__ import annotations

import time
from typing import Any, ClassVar, Self

import numpy as np
import pandas as pd

from core.messages import Message
from errors import InfeasibleError, SolverError
from optimizer import feasibility as feas
from optimizer.blocks import Block, BlockForm, service_block
from optimizer.extract import Extraction, extract, result_frames
from optimizer.inputs import ServiceData, match_frames, pop_frame_columns, site_params_of
from optimizer.messages import IN_REACH, bullets, of_service
from optimizer.program import LinearProgram, SolverOutcome
from optimizer.result import SolveResult
from optimizer.rules import count_shortfalls
from optimizer.solvers import solve as run_solver
from optimizer.verify import count_lines, verify, verify_counts

#: Columns of the frames of a result without a solution.
_EMPTY_COLUMNS = {
    "sites": ["id", "open", "capacity", "new_capacity", "existing_capacity"],
    "assignments": ["origin_id", "site_id", "amount"],
    "unmet": ["id", "amount", "reason"],
}


class SitingModel:
    """Shared machinery: blocks of covering rows, solving, verification, result frames.

    Parameters
    ----------
    services : list of ServiceData
        One entry per service (one for every model but joint siting).
    area_ids, site_ids : array, optional
        Labels used in results and messages (positions by default).
    aggregate : bool
        Merge areas with identical reach where exact.
    strong : bool
        Add the strong linking rows.
    reach_label : str or Message
        How reach is named in messages.
    """

    #: Message code of the model's name.
    name_code: ClassVar[str] = "optimizer.model.min_cost"
    sense: ClassVar[str] = "min"
    #: reason given to demand left unmet by the model (a subclass or instance may say more)
    _unmet_reason: str = "left unmet"
    #: default of ``solve(warm_start=None)``: None lets the solver decide by size
    _warm_start_default: ClassVar[bool | None] = None
    _verify_mode: ClassVar[str] = "cover"
    #: default of ``solve(start=None)``: hand HiGHS a heuristic plan as its first incumbent
    _start_default: ClassVar[bool] = False
    _soft: bool = False

    def __init__(self, services: list[ServiceData], *, area_ids: np.ndarray | None = None,
                 site_ids: np.ndarray | None = None, aggregate: bool = True,
                 strong: bool = True, reach_label: str | Message = IN_REACH) -> None:
        self.services = services
        n = len(services[0].demand)
        m = len(services[0].fixed)
        self.area_ids = np.arange(n) if area_ids is None else np.asarray(area_ids)
        self.site_ids = np.arange(m) if site_ids is None else np.asarray(site_ids)
        self.aggregate = aggregate
        self.strong = strong
        self.reach_label = reach_label
        self.result: SolveResult | None = None
        self.feasibility: dict[str, feas.FeasibilityReport] = {}
        self.outcome: SolverOutcome | None = None

    @property
    def n_areas(self) -> int:
        """Number of areas."""
        return len(self.area_ids)

    @property
    def n_sites(self) -> int:
        """Number of sites."""
        return len(self.site_ids)

    @property
    def name(self) -> str:
        """The model's name in English (``minimum-cost provision`` …)."""
        return self.title.render("en")

    @property
    def title(self) -> Message:
        """The model's name as a message."""
        return Message(self.name_code)

    # ---- to be provided by the models
    def _build(self) -> tuple[LinearProgram, list[Block]]:  # pragma: no cover
        raise NotImplementedError

    def _precheck(self) -> None:
        """Check feasibility before the solver (the models that can tell)."""

    def _start_auto(self, lp: LinearProgram) -> bool:
        """Whether ``solve(start=None)`` builds a heuristic start for this model."""
        return self._start_default

    def _start_vector(self, lp: LinearProgram, blocks: list[Block],
                      seconds: float) -> tuple[np.ndarray, str] | None:
        """A heuristic plan as a full column vector and the name of its method.

        None when the model has none or it found no plan.
        """
        return None

    def _check_plan(self, exs: list[Extraction]) -> None:
        """Checks of the model's own on a plan (budget, number of sites)."""

    def _after_solve(self, res: SolveResult) -> None:
        """Add what the model reports beyond the shared result (joint siting)."""

    # ---- shared pieces
    def _block(self, lp: LinearProgram, svc: ServiceData, form: BlockForm) -> Block:
        return service_block(lp, svc, form, aggregate_areas=self.aggregate,
                             strong=self.strong)

    def _objective(self, out: SolverOutcome) -> tuple[float | None, float | None]:
        if self.sense == "max":
            return (None if out.objective is None else -out.objective,
                    None if out.bound is None else -out.bound)
        return out.objective, out.bound

    def _label(self, svc: ServiceData) -> Message | str:
        return of_service(svc.name if len(self.services) > 1 else None)

    def _feasibility(self, svc: ServiceData, *, raise_: bool) -> feas.FeasibilityReport:
        rep = feas.check(svc.origin, svc.site, svc.demand, svc.largest_capacity,
                         area_ids=self.area_ids, site_ids=self.site_ids,
                         reach=self.reach_label)
        self.feasibility[svc.name] = rep
        if raise_ and not rep.ok:
            raise InfeasibleError(Message("optimizer.infeasible.hard", {
                "label": self._label(svc), "problems": bullets(rep.messages)}))
        return rep

    def _count_precheck(self) -> None:
        """Site-count rules that every existing and candidate site together cannot meet."""
        for svc in self.services:
            short = count_shortfalls(svc.rules, np.ones(len(svc.fixed), dtype=bool))
            if short:
                raise InfeasibleError(Message("optimizer.infeasible.count_rules", {
                    "problems": bullets(count_lines(svc.rules, short))}))

    def _verify_counts(self, ex: Extraction) -> None:
        """The plan's open sites against the site-count rules (from the rules, not the MILP)."""
        verify_counts(ex.svc.rules, ex.open, label=Message(
            "optimizer.verify.label", {"model": self.title, "service": ex.svc.name}))

    def _extract(self, blk: Block, sol: np.ndarray, *, soft: bool) -> Extraction:
        return extract(blk, sol, soft=soft, default_reason=self._unmet_reason)

    def _verify(self, ex: Extraction, *, soft: bool) -> None:
        svc = ex.svc
        verify(svc.origin, svc.site, svc.demand, assign_origin=ex.assign_origin,
               assign_site=ex.assign_site, assign_amount=ex.assign_amount,
               unmet=ex.unmet if (soft or self._verify_mode == "coverage")
               else np.zeros(self.n_areas),
               capacity=ex.cap, existing_capacity=svc.exist, opened=ex.opened,
               min_capacity=svc.lo, max_capacity=svc.hi, mode=self._verify_mode,
               label=Message("optimizer.verify.label",
                             {"model": self.title, "service": svc.name}))

    def _plans(self, blocks: list[Block], x: np.ndarray, *, soft: bool) -> list[Extraction]:
        """Extract and verify every service's plan, then the model's own checks."""
        exs = [self._extract(b, x, soft=soft) for b in blocks]
        for ex in exs:
            self._verify(ex, soft=soft)
            self._verify_counts(ex)
        self._check_plan(exs)
        return exs

    def _heuristic_start(self, lp: LinearProgram, blocks: list[Block], *,
                         time_limit: float | None) -> tuple[np.ndarray | None, dict[str, Any]]:
        """Build the heuristic start and verify it like a solution.

        The check is independent of the program (reach, capacities and requirements,
        budget and p); a plan failing it is dropped.
        """
        t0 = time.perf_counter()
        seconds = 5.0 if time_limit is None else min(10.0, 0.1 * time_limit)
        info: dict[str, Any] = {"method": None}
        try:
            got = self._start_vector(lp, blocks, seconds)
        except (InfeasibleError, SolverError) as exc:
            # a heuristic start is optional: the solver runs without one, and the details
            # say why there was none
            info["failed"] = exc.message.code if isinstance(exc.message, Message) else str(exc)
            got = None
        if got is None:
            info["seconds"] = time.perf_counter() - t0
            return None, info
        x0, method = got
        info["method"] = method
        try:
            self._plans(blocks, x0, soft=self._soft)
        except SolverError as exc:
            info.update(seconds=time.perf_counter() - t0, rejected=str(exc)[:300])
            return None, info
        obj = float(lp.arrays().cost @ x0 + lp.offset)
        info.update(objective=-obj if self.sense == "max" else obj,
                    seconds=time.perf_counter() - t0)
        return x0, info

    def _no_solution(self, out: SolverOutcome, solver: str, seconds: float,
                     start_info: dict[str, Any]) -> SolveResult:
        """The result of a run that stopped before any plan."""
        _, bound = self._objective(out)
        frames = {k: pd.DataFrame(columns=v) for k, v in _EMPTY_COLUMNS.items()}
        return SolveResult(
            status=out.status, proven_optimal=False, objective=None, bound=bound, gap=None,
            seconds=seconds, sites=frames["sites"], assignments=frames["assignments"],
            unmet=frames["unmet"], solver=solver,
            details={"solver_status": out.raw_status, "start": start_info})

    def _result(self, out: SolverOutcome, lp: LinearProgram, blocks: list[Block], *,
                solver: str, soft: bool, t0: float, start_info: dict[str, Any]) -> SolveResult:
        """Extract, verify and frame the solver's plan."""
        assert out.x is not None
        exs = self._plans(blocks, out.x, soft=soft)
        multi = len(exs) > 1
        frames = [result_frames(ex, self.area_ids, self.site_ids,
                                ex.svc.name if multi else None) for ex in exs]
        sites = pd.concat([f[0] for f in frames], ignore_index=True)
        assign = pd.concat([f[1] for f in frames], ignore_index=True)
        unmet = pd.concat([f[2] for f in frames], ignore_index=True)
        details = {
            "solver_status": out.raw_status, "build_seconds": out.build_seconds,
            "solve_seconds": out.seconds - out.build_seconds, "columns": lp.num_col,
            "rows": lp.num_row, "pairs": int(sum(len(ex.svc.origin) for ex in exs)),
            "demand_classes": int(sum(b.agg.K for b in blocks)),
            "formulation": "covering" if blocks[0].covering else "assignment",
            "unmet_total": float(unmet["amount"].sum()) if len(unmet) else 0.0,
            "start": start_info,
            "cost": float(sum(ex.cost() for ex in exs if np.isfinite(ex.new).all())),
        }
        obj, bound = self._objective(out)
        return SolveResult(status=out.status, proven_optimal=out.proven_optimal,
                           objective=obj, bound=bound, gap=out.gap,
                           seconds=time.perf_counter() - t0, sites=sites, assignments=assign,
                           unmet=unmet, solver=solver, details=details)

    def _solve_common(self, *, solver: str, time_limit: float | None, gap: float | None,
                      msg: bool, threads: int | None, soft: bool,
                      warm_start: bool | None = None,
                      start: bool | None = None) -> SolveResult:
        t0 = time.perf_counter()
        self._count_precheck()
        self._precheck()
        lp, blocks = self._build()
        if warm_start is None:
            warm_start = self._warm_start_default
        if start is None:
            start = self._start_auto(lp)
        x_start: np.ndarray | None = None
        start_info: dict[str, Any] = {"method": None}
        if start and solver == "highs":
            x_start, start_info = self._heuristic_start(lp, blocks, time_limit=time_limit)
            if msg:
                print(f"heuristic start: {start_info}")
        left = None if time_limit is None else max(time_limit - (time.perf_counter() - t0),
                                                    1e-3)
        out = run_solver(lp, solver=solver, time_limit=left, gap=gap, msg=msg,
                         threads=threads, warm_start=warm_start, start=x_start)
        self.outcome = out
        if out.status == "infeasible":
            raise InfeasibleError(self._diagnose())
        if out.status in ("unbounded", "error"):
            raise SolverError(Message("optimizer.solver.status", {
                "solver": solver, "status": out.raw_status, "model": self.title}))
        if not out.has_solution:
            return self._no_solution(out, solver, time.perf_counter() - t0, start_info)
        return self._result(out, lp, blocks, solver=solver, soft=soft, t0=t0,
                            start_info=start_info)

    def _shortages(self) -> list[Message]:
        """Services that sites at their largest capacity cannot serve in full."""
        lines: list[Message] = []
        for svc in self.services:
            served, short = feas.max_servable(svc.origin, svc.site, svc.demand,
                                              svc.largest_capacity)
            total = float(svc.demand.sum())
            if served < total - 1e-6 * max(1.0, total):
                idx = np.flatnonzero(short > 1e-6)
                lines.append(Message("optimizer.infeasible.short", {
                    "served": float(served), "total": total, "label": self._label(svc),
                    "areas": [str(a) for a in self.area_ids[idx[:20]]]}))
        return lines

    def _diagnose(self) -> Message:
        """Why the solver found no plan: the numbers, or the side rules."""
        lines = self._shortages() or [Message("optimizer.infeasible.side_rules")]
        return Message("optimizer.infeasible.solver",
                       {"model": self.title, "problems": bullets(lines)})

    def solve(self, *, solver: str = "highs", time_limit: float | None = None,
              gap: float | None = None, msg: bool = False,
              threads: int | None = None, warm_start: bool | None = None,
              start: bool | None = None) -> Self:
        """Check, build, solve and verify; the outcome is in :attr:`result`.

        Parameters
        ----------
        solver : {'highs', 'cbc', 'highs-pulp'}
            HiGHS through highspy arrays (default), CBC through PuLP, or HiGHS through PuLP.
        time_limit : float, optional
            Seconds; on reaching it the incumbent is returned with status ``'feasible'``.
        gap : float, optional
            Relative MIP gap at which to stop (default 1e-4).
        msg : bool
            Show the solver log.
        threads : int, optional
            Solver threads.
        warm_start : bool, optional
            HiGHS only: solve the LP relaxation first (linking rows added only where it
            violates them), round it to a plan, and stop there when the plan is within
            ``gap`` of the LP bound, else hand it to the MIP as its first incumbent.
            Default (None): on for models of at least 20,000 columns.
        start : bool, optional
            HiGHS only: build a plan with a greedy heuristic and local search (set
            covering, maximum coverage and p-median; see :mod:`optimizer.heuristics`),
            verify it independently and hand it to HiGHS as its first incumbent.  It only
            speeds the search up: status, bound and gap are still HiGHS'.  Default (None):
            on for the models that have such a heuristic (p-median: from 100,000 columns,
            where HiGHS alone finds no plan); ``result.details['start']`` says what it
            found.

        Returns
        -------
        self
            The model, its outcome in :attr:`result`.

        Raises
        ------
        InfeasibleError
            When no plan can meet a hard requirement; the message gives the numbers.
        SolverError
            When the solver fails or its solution fails independent verification.
        """
        self.result = self._solve_common(solver=solver, time_limit=time_limit, gap=gap,
                                         msg=msg, threads=threads, soft=self._soft,
                                         warm_start=warm_start, start=start)
        self._after_solve(self.result)
        return self


class SingleServiceModel(SitingModel):
    """A model of one service, built from arrays or from frames matched by id."""

    @classmethod
    def from_cost_matrix(cls, *args: Any, **kwargs: Any) -> Self:  # pragma: no cover
        """Build from sparse pairs within reach (see the models)."""
        raise NotImplementedError

    @classmethod
    def from_geodataframe(cls, areas: pd.DataFrame, sites: pd.DataFrame, pairs: pd.DataFrame,
                          *, demand_col: str = "demand", **kw: Any) -> Self:
        """Build from frames matched by id.

        Parameters
        ----------
        areas : DataFrame
            ``id`` and ``demand_col``.
        sites : DataFrame
            ``id`` and the per-site parameters ``fixed_cost``, ``unit_cost``,
            ``min_capacity``, ``max_capacity``, ``existing_capacity`` (each optional).
        pairs : DataFrame
            ``origin_id``, ``destination_id``, ``minutes``.
        demand_col : str
            Requirement column of ``areas``.
        **kw
            ``area_id_col``, ``site_id_col``, ``origin_col``, ``destination_col``,
            ``cost_col`` and ``<param>_col`` rename the columns; the rest go to
            ``from_cost_matrix``.  GeoDataFrames must share one CRS.

        Returns
        -------
        model
            The model, not yet solved.
        """
        fi = match_frames(areas, sites, pairs, demand_cols=[demand_col],
                          **pop_frame_columns(kw))
        params = site_params_of(sites, kw)
        return cls.from_cost_matrix(fi.origin, fi.site, fi.minutes, fi.demand[:, 0],
                                    area_ids=fi.area_ids, site_ids=fi.site_ids,
                                    n_sites=fi.n_sites, **params, **kw)
