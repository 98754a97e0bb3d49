"""The HiGHS back end: the program's arrays handed to highspy directly.

No Python object per variable, so a city-scale model is built in well under a second.  Also
the LP-relaxation warm start (lazy rows, LP rounding) and :func:`solve_fixed`, the cheapest
completion of a partial plan.
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np
import scipy.sparse as sp

from optimizer.program import LinearProgram, ProgramArrays, SolverOutcome, relative_gap

#: HiGHS ``mip_heuristic_effort`` used by the direct back end.
HEURISTIC_EFFORT = 0.3

#: MILPs with at least this many columns get the LP-rounding warm start by default.
WARM_START_MIN_COLS = 20_000

#: Primal feasibility tolerance used to check a start (HiGHS' default).
FEAS_TOL = 1e-6


def new_highs(*, msg: bool = False) -> Any:
    """A HiGHS instance whose ``output_flag`` is ``msg`` before anything is printed.

    ``highspy.Highs()`` prints HiGHS' start-up banner on stdout while constructing (its
    callbacks are enabled with logging on), before any option can be set.  With
    ``msg=False`` the bare pybind11 class is built instead and silenced first; it has every
    method the direct back end uses (``passModel``, ``setSolution``, ``run``, ``getInfo``).
    """
    import highspy

    if msg:
        return highspy.Highs()  # type: ignore[no-untyped-call]
    h: Any
    try:
        from highspy._core import _Highs
    except ImportError:  # pragma: no cover - older or newer highspy layout
        h = highspy.Highs()  # type: ignore[no-untyped-call]
    else:
        h = _Highs()
    h.setOptionValue("output_flag", False)
    return h


def _status_name(h: Any, status: Any, has_x: bool) -> tuple[str, bool]:
    """The solver-independent status name of a HiGHS model status, and whether proven."""
    import highspy

    ms = highspy.HighsModelStatus
    if status == ms.kOptimal:
        return "optimal", True
    if status in (ms.kInfeasible,):
        return "infeasible", False
    if status in (ms.kUnbounded, ms.kUnboundedOrInfeasible):
        return "unbounded", False
    if status in (ms.kTimeLimit, ms.kIterationLimit, ms.kInterrupt, ms.kSolutionLimit,
                  ms.kObjectiveBound, ms.kObjectiveTarget, ms.kMemoryLimit,
                  getattr(ms, "kHighsInterrupt", ms.kInterrupt)):
        return ("feasible" if has_x else "no solution"), False
    return "error", False


def highs_outcome(h: Any, solver: str, t0: float, build: float, n: int) -> SolverOutcome:
    """Read status, solution, objective, bound and gap from a HiGHS instance after ``run``."""
    status = h.getModelStatus()
    info = h.getInfo()
    seconds = time.perf_counter() - t0
    has_x = info.primal_solution_status == 2  # kSolutionStatusFeasible
    x = np.asarray(h.getSolution().col_value, dtype=float)[:n] if has_x else None
    obj = float(info.objective_function_value) if has_x else None
    mip = h.getLp().integrality_ is not None and len(h.getLp().integrality_) > 0
    bound: float | None
    if mip:
        bound = float(info.mip_dual_bound)
    else:
        bound = obj
    name, proven = _status_name(h, status, has_x)
    if not math.isfinite(bound if bound is not None else math.nan):
        bound = None if bound is None or math.isnan(bound) else bound
    gap = relative_gap(obj, bound) if has_x else None
    return SolverOutcome(solver=solver, status=name, proven_optimal=proven, objective=obj,
                         bound=bound, gap=gap, seconds=seconds, build_seconds=build,
                         x=x if name in ("optimal", "feasible") else None,
                         raw_status=h.modelStatusToString(status))


def _highs_model(a: ProgramArrays, A: sp.csr_matrix, rows: np.ndarray, offset: float,
                 *, integer: bool) -> Any:
    """A ``highspy.HighsLp`` of the columns in ``a`` and the ``rows`` of ``A``."""
    import highspy

    inf = highspy.kHighsInf
    sub = A[rows].tocsc()
    model = highspy.HighsLp()
    model.num_col_ = A.shape[1]
    model.num_row_ = len(rows)
    model.col_cost_ = a.cost
    model.col_lower_ = a.lower
    model.col_upper_ = np.where(np.isinf(a.upper), inf, a.upper)
    model.row_lower_ = np.where(np.isinf(a.row_lower[rows]), -inf, a.row_lower[rows])
    model.row_upper_ = np.where(np.isinf(a.row_upper[rows]), inf, a.row_upper[rows])
    model.offset_ = offset
    model.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    model.a_matrix_.start_ = sub.indptr.astype(np.int32)
    model.a_matrix_.index_ = sub.indices.astype(np.int32)
    model.a_matrix_.value_ = sub.data.astype(float)
    model.a_matrix_.num_col_ = A.shape[1]
    model.a_matrix_.num_row_ = len(rows)
    if integer and a.integer.any():
        model.integrality_ = [
            highspy.HighsVarType.kInteger if b else highspy.HighsVarType.kContinuous
            for b in a.integer
        ]
    return model


def _set_options(h: Any, *, gap: float | None, time_limit: float | None,
                 threads: int | None) -> None:
    if gap is not None:
        h.setOptionValue("mip_rel_gap", float(gap))
        # more primal heuristics than HiGHS' default (0.05): on siting models the bound is
        # tight after the root and the time goes to finding the incumbent
        h.setOptionValue("mip_heuristic_effort", HEURISTIC_EFFORT)
    if time_limit is not None:
        h.setOptionValue("time_limit", max(float(time_limit), 1e-3))
    if threads is not None:
        h.setOptionValue("threads", int(threads))


def solve_highs(lp: LinearProgram, *, time_limit: float | None, gap: float, msg: bool,
                threads: int | None, warm_start: bool | None = None,
                start: np.ndarray | None = None) -> SolverOutcome:
    """Solve ``lp`` with HiGHS through highspy (see :func:`optimizer.solvers.solve`)."""
    t0 = time.perf_counter()
    a = lp.arrays()
    A = lp.matrix().tocsr()
    has_int = bool(a.integer.any())
    if start is not None:
        start = np.asarray(start, dtype=float)
        if start.shape != (lp.num_col,) or not has_int or not _feasible(A, a, start):
            if msg:
                print("heuristic start rejected: not a feasible point of the model")
            start = None
    if warm_start is None:
        warm_start = has_int and lp.num_col >= WARM_START_MIN_COLS
    x0: np.ndarray | None
    if warm_start and has_int:
        started = _warm_start(lp, a, A, time_limit=time_limit, gap=gap, msg=msg,
                              threads=threads, t0=t0, start=start)
        if isinstance(started, SolverOutcome):
            return started
        rows, x0 = started
    else:
        rows, x0 = np.arange(lp.num_row), None
    if start is not None and (x0 is None or a.cost @ start < a.cost @ x0):
        x0 = start
    h = new_highs(msg=msg)
    _set_options(h, gap=gap, time_limit=None if time_limit is None
                 else time_limit - (time.perf_counter() - t0), threads=threads)
    h.passModel(_highs_model(a, A, rows, lp.offset, integer=True))
    if x0 is not None:
        h.setSolution(len(x0), np.arange(len(x0), dtype=np.int32), x0)
    build = time.perf_counter() - t0
    h.run()
    return highs_outcome(h, "highs", t0, build, lp.num_col)


def _row_violation(A: sp.csr_matrix, row_lower: np.ndarray, row_upper: np.ndarray,
                   x: np.ndarray) -> np.ndarray:
    """How far every row of ``A x`` lies outside its bounds (scaled, 0 when inside)."""
    ax = A @ x
    scale = 1.0 + np.abs(ax)
    with np.errstate(invalid="ignore"):
        over = np.maximum(ax - row_upper, 0.0)
        under = np.maximum(row_lower - ax, 0.0)
    return np.asarray(np.nan_to_num(np.maximum(over, under) / scale))


def _feasible(A: sp.csr_matrix, a: ProgramArrays, x: np.ndarray) -> bool:
    """True when ``x`` satisfies every row, bound and integrality (HiGHS' 1e-6 tolerances)."""
    ints = a.integer
    return bool(
        (_row_violation(A, a.row_lower, a.row_upper, x) <= FEAS_TOL).all()
        and (x >= a.lower - FEAS_TOL).all() and (x <= a.upper + FEAS_TOL).all()
        and (np.abs(x[ints] - np.round(x[ints])) <= FEAS_TOL).all()
    )


def _add_violated_rows(h: Any, a: ProgramArrays, A: sp.csr_matrix, A_lazy: sp.csr_matrix,
                       keep: np.ndarray, lazy_idx: np.ndarray) -> bool | None:
    """Add the lazy rows the LP solution in ``h`` violates and re-solve.

    Returns True when rows were added, False when none is violated (the relaxation is
    solved), None when the LP did not solve to optimality.
    """
    import highspy

    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    if not len(lazy_idx):
        return False
    x = np.asarray(h.getSolution().col_value, dtype=float)
    viol = np.flatnonzero((_row_violation(A_lazy, a.row_lower[lazy_idx],
                                          a.row_upper[lazy_idx], x) > FEAS_TOL)
                          & ~keep[lazy_idx])
    if not len(viol):
        return False
    rows = lazy_idx[viol]
    keep[rows] = True
    sub = A[rows]
    inf = highspy.kHighsInf
    h.addRows(len(rows), np.where(np.isinf(a.row_lower[rows]), -inf, a.row_lower[rows]),
              np.where(np.isinf(a.row_upper[rows]), inf, a.row_upper[rows]),
              sub.nnz, sub.indptr[:-1].astype(np.int32), sub.indices.astype(np.int32),
              sub.data.astype(float))
    h.run()
    return True


def _round_plan(h: Any, a: ProgramArrays, x: np.ndarray,
                time_limit: float | None) -> np.ndarray | None:
    """Round the LP solution ``x`` to a plan (step 2 of :func:`_warm_start`)."""
    import highspy

    ms = highspy.HighsModelStatus
    ints = a.integer
    binary = ints & (a.lower == 0) & (a.upper == 1)
    bcols = np.flatnonzero(binary)
    if not len(bcols):
        return None
    v = x[bcols]
    on = v > 1e-6
    h.changeColsBounds(len(bcols), bcols.astype(np.int32), on.astype(float), on.astype(float))
    h.run()
    if h.getModelStatus() != ms.kOptimal:
        return None
    best_x = np.asarray(h.getSolution().col_value, dtype=float)
    best = float(h.getInfo().objective_function_value)
    budget = None if time_limit is None else 0.25 * time_limit
    t_drop = time.perf_counter()
    frac = np.flatnonzero(on & (v < 1 - 1e-6))
    for k in frac[np.argsort(v[frac], kind="stable")]:
        if budget is not None and time.perf_counter() - t_drop > budget:
            break
        col = np.array([bcols[k]], dtype=np.int32)
        h.changeColsBounds(1, col, np.zeros(1), np.zeros(1))
        h.run()
        if h.getModelStatus() == ms.kOptimal and \
                h.getInfo().objective_function_value < best - 1e-9 * max(1.0, abs(best)):
            best = float(h.getInfo().objective_function_value)
            best_x = np.asarray(h.getSolution().col_value, dtype=float)
        else:
            h.changeColsBounds(1, col, np.ones(1), np.ones(1))
    x0 = best_x.copy()
    gen = ints & ~binary
    x0[gen] = np.ceil(x0[gen] - FEAS_TOL)
    x0[ints] = np.round(x0[ints])
    return x0


def _within_gap(x: np.ndarray, objective: float, lb: float, gap: float, t0: float,
                how: str) -> SolverOutcome | None:
    """An optimal outcome when a plan of ``objective`` is within ``gap`` of the LP bound."""
    g = relative_gap(objective, lb)
    if g is None or g > gap:
        return None
    seconds = time.perf_counter() - t0
    return SolverOutcome(solver="highs", status="optimal", proven_optimal=True,
                         objective=objective, bound=min(lb, objective), gap=g,
                         seconds=seconds, build_seconds=seconds, x=x,
                         raw_status=f"Optimal ({how} within gap of the LP bound)")


def _warm_start(lp: LinearProgram, a: ProgramArrays, A: sp.csr_matrix, *,
                time_limit: float | None, gap: float, msg: bool, threads: int | None,
                t0: float, start: np.ndarray | None = None,
                ) -> SolverOutcome | tuple[np.ndarray, np.ndarray | None]:
    """LP relaxation with lazy rows, then LP rounding, as a start for HiGHS' MIP.

    1. Solve the LP relaxation without the lazy rows; add the lazy rows it violates and
       re-solve (warm, dual simplex) until none is violated.  Its objective is a valid lower
       bound of the MIP (as good as that of the full formulation) and it is many times
       faster than the full LP: on the 10,000 x 3,000 city, ~900 of 120,000 linking rows
       are ever violated.
    2. Round: binaries with a positive LP value are fixed at 1, the rest at 0; re-solve the
       LP (what remains is a transport problem), round general integers up, and close the
       fractional sites one by one (smallest LP value first) while that lowers the cost.
    3. When this plan is within ``gap`` of the LP bound, it is returned as proven optimal
       within the gap (the bound is the LP relaxation's).  Otherwise the MIP is built with
       the lazy rows found so far and the plan is passed to HiGHS as its first incumbent.
       A feasible heuristic ``start`` within ``gap`` of the LP bound ends it the same way.

    Returns
    -------
    SolverOutcome or tuple
        An outcome when done, else the rows to keep and the start (or None).
    """
    def left() -> float | None:
        return None if time_limit is None else time_limit - (time.perf_counter() - t0)

    lazy = lp.lazy_rows()
    keep = ~lazy
    h = new_highs(msg=False)
    _set_options(h, gap=None, time_limit=left(), threads=threads)
    h.passModel(_highs_model(a, A, np.flatnonzero(keep), lp.offset, integer=False))
    fallback = (np.arange(lp.num_row), None)
    h.run()
    lazy_idx = np.flatnonzero(lazy)
    A_lazy = A[lazy_idx]
    for _ in range(100):
        added = _add_violated_rows(h, a, A, A_lazy, keep, lazy_idx)
        if added is None:
            return fallback
        if not added:
            break
    else:
        return fallback
    x = np.asarray(h.getSolution().col_value, dtype=float)
    lb = float(h.getInfo().objective_function_value)
    rows_kept = np.flatnonzero(keep)
    if msg:
        print(f"warm start: LP relaxation {lb:.10g} with {int(keep[lazy_idx].sum())} of "
              f"{len(lazy_idx)} lazy rows, {time.perf_counter() - t0:.1f} s")
    if start is not None:
        done = _within_gap(start, float(a.cost @ start + lp.offset), lb, gap, t0,
                           "heuristic start")
        if done is not None:
            return done
    x0 = _round_plan(h, a, x, time_limit)
    if x0 is None or not _feasible(A, a, x0):
        return rows_kept, None
    ub = float(a.cost @ x0 + lp.offset)
    if msg:
        g = relative_gap(ub, lb)
        print(f"warm start: rounded plan {ub:.10g}, gap {g:.3%} to the LP bound, "
              f"{time.perf_counter() - t0:.1f} s")
    done = _within_gap(x0, ub, lb, gap, t0, "LP rounding")
    if done is not None:
        done.bound = lb
        return done
    return rows_kept, x0


def solve_fixed(lp: LinearProgram, cols: np.ndarray, values: np.ndarray, *,
                time_limit: float | None = None) -> np.ndarray | None:
    """The LP of ``lp`` with ``cols`` fixed at ``values`` (e.g. the open sites of a plan).

    Returns
    -------
    array of float or None
        The cheapest completion of a partial plan, or None when there is none (infeasible,
        or another integer column comes out fractional).
    """
    import highspy

    a = lp.arrays()
    A = lp.matrix().tocsr()
    cols = np.asarray(cols, dtype=np.int64)
    a.lower[cols] = values
    a.upper[cols] = values
    h = new_highs(msg=False)
    _set_options(h, gap=None, time_limit=time_limit, threads=None)
    h.passModel(_highs_model(a, A, np.arange(lp.num_row), lp.offset, integer=False))
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    x = np.asarray(h.getSolution().col_value, dtype=float)
    x[cols] = values
    ints = a.integer
    if (np.abs(x[ints] - np.round(x[ints])) > FEAS_TOL).any():
        return None
    x[ints] = np.round(x[ints])
    return x
