"""A linear program held as arrays, and the solvers that run it.

The models of :mod:`optimizer.models` describe their mixed-integer program as arrays
(:class:`LinearProgram`, always a minimisation).  Three back ends solve it:

``'highs'``
    HiGHS through highspy, fed the arrays directly (``Highs.passModel``).  The fast path:
    no Python object per variable, so a city-scale model is built in well under a second.
``'highs-pulp'``
    The same solver with PuLP as the modelling layer (``pulp.HiGHS``).  Kept to show what
    the PuLP layer costs (see ``benchmarks/optimizer.md``); PuLP maps a time-limited run to
    "Optimal", so the status, bound and gap are read from the highspy model PuLP leaves in
    ``problem.solverModel``.
``'cbc'``
    COIN-OR CBC through PuLP's ``COIN_CMD``, using a maintained CBC binary (Debian's
    ``coinor-cbc``, ``/usr/bin/cbc``; or the path in ``$CBC_PATH``), never PuLP's bundled
    one.  Status, objective, bound and gap are parsed from CBC's log.

Every back end returns a :class:`SolverOutcome` that says whether the solution is proven
optimal (within the requested relative gap) or only a feasible incumbent.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from errors import SolverError

#: Solver names accepted by ``solve(solver=...)``.
SOLVERS: tuple[str, ...] = ("highs", "cbc", "highs-pulp")

#: Relative MIP gap used when the caller gives none (HiGHS' own default, applied to CBC too
#: so that both report the same kind of "optimal").
DEFAULT_GAP = 1e-4

#: HiGHS ``mip_heuristic_effort`` used by the direct back end.
HEURISTIC_EFFORT = 0.3

#: MILPs with at least this many columns get the LP-rounding warm start by default.
WARM_START_MIN_COLS = 20_000

#: Primal feasibility tolerance used to check a start (HiGHS' default).
FEAS_TOL = 1e-6


@dataclass
class LinearProgram:
    """A minimisation MILP in arrays, built block by block.

    Columns are added with :meth:`add_cols`, rows with :meth:`add_rows` (coordinates of the
    non-zeros).  :meth:`matrix` assembles the constraint matrix once.
    """

    cost: list[np.ndarray] = field(default_factory=list)
    lower: list[np.ndarray] = field(default_factory=list)
    upper: list[np.ndarray] = field(default_factory=list)
    integer: list[np.ndarray] = field(default_factory=list)
    row_lower: list[np.ndarray] = field(default_factory=list)
    row_upper: list[np.ndarray] = field(default_factory=list)
    _rows: list[np.ndarray] = field(default_factory=list)
    _cols: list[np.ndarray] = field(default_factory=list)
    _vals: list[np.ndarray] = field(default_factory=list)
    _lazy: list[np.ndarray] = field(default_factory=list)
    num_col: int = 0
    num_row: int = 0
    offset: float = 0.0

    def add_cols(
        self,
        n: int,
        *,
        cost: np.ndarray | float = 0.0,
        lower: np.ndarray | float = 0.0,
        upper: np.ndarray | float = np.inf,
        integer: bool = False,
    ) -> np.ndarray:
        """Add ``n`` columns and return their indices."""
        idx = np.arange(self.num_col, self.num_col + n)
        self.cost.append(np.broadcast_to(np.asarray(cost, dtype=float), (n,)).copy())
        self.lower.append(np.broadcast_to(np.asarray(lower, dtype=float), (n,)).copy())
        self.upper.append(np.broadcast_to(np.asarray(upper, dtype=float), (n,)).copy())
        self.integer.append(np.full(n, integer, dtype=bool))
        self.num_col += n
        return idx

    def add_rows(
        self,
        n: int,
        rows: np.ndarray,
        cols: np.ndarray,
        vals: np.ndarray | float,
        *,
        lower: np.ndarray | float = -np.inf,
        upper: np.ndarray | float = np.inf,
        lazy: bool = False,
    ) -> np.ndarray:
        """Add ``n`` rows; ``rows`` (0..n-1), ``cols``, ``vals`` give the non-zeros.

        ``lazy=True`` marks rows that every integer solution satisfies anyway (tightening
        rows such as :math:`z_{ij} \\le q_i y_j`): the warm start of the HiGHS back end adds
        only those its LP relaxation violates; other back ends add them all.
        """
        idx = np.arange(self.num_row, self.num_row + n)
        rows = np.asarray(rows, dtype=np.int64)
        self._rows.append(rows + self.num_row)
        self._cols.append(np.asarray(cols, dtype=np.int64))
        self._vals.append(np.broadcast_to(np.asarray(vals, dtype=float), rows.shape).copy())
        self.row_lower.append(np.broadcast_to(np.asarray(lower, dtype=float), (n,)).copy())
        self.row_upper.append(np.broadcast_to(np.asarray(upper, dtype=float), (n,)).copy())
        self._lazy.append(np.full(n, bool(lazy)))
        self.num_row += n
        return idx

    def lazy_rows(self) -> np.ndarray:
        """Mask of the rows added with ``lazy=True``."""
        return np.concatenate(self._lazy) if self._lazy else np.zeros(0, dtype=bool)

    def arrays(self) -> dict[str, np.ndarray]:
        """Concatenated column and row arrays."""
        def cat(parts: list[np.ndarray]) -> np.ndarray:
            return np.concatenate(parts) if parts else np.zeros(0)

        return {
            "cost": cat(self.cost),
            "lower": cat(self.lower),
            "upper": cat(self.upper),
            "integer": cat(self.integer).astype(bool),
            "row_lower": cat(self.row_lower),
            "row_upper": cat(self.row_upper),
        }

    def matrix(self) -> sp.csc_matrix:
        """The constraint matrix (``num_row × num_col``, CSC, duplicates summed)."""
        if not self._rows:
            return sp.csc_matrix((self.num_row, self.num_col))
        return sp.coo_matrix(
            (np.concatenate(self._vals), (np.concatenate(self._rows), np.concatenate(self._cols))),
            shape=(self.num_row, self.num_col),
        ).tocsc()


@dataclass
class SolverOutcome:
    """What a solver returned, in the solver-independent terms of a result.

    ``objective`` and ``bound`` are for the minimisation held in :class:`LinearProgram`.
    """

    solver: str
    status: str  # 'optimal' | 'feasible' | 'infeasible' | 'unbounded' | 'no solution' | 'error'
    proven_optimal: bool
    objective: float | None
    bound: float | None
    gap: float | None
    seconds: float
    build_seconds: float
    x: np.ndarray | None
    raw_status: str = ""

    @property
    def has_solution(self) -> bool:
        """True when ``x`` holds a feasible solution (optimal or incumbent)."""
        return self.x is not None and self.status in ("optimal", "feasible")


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    """Relative gap ``|obj - bound| / max(|obj|, tiny)`` as HiGHS defines it (0 when equal)."""
    if objective is None or bound is None or not (math.isfinite(objective)):
        return None
    if not math.isfinite(bound):
        return math.inf
    diff = abs(objective - bound)
    if diff <= 1e-9 * max(1.0, abs(objective)):
        return 0.0
    return diff / max(abs(objective), 1e-10)


def solve(
    lp: LinearProgram,
    *,
    solver: str = "highs",
    time_limit: float | None = None,
    gap: float | None = None,
    msg: bool = False,
    threads: int | None = None,
    warm_start: bool | None = None,
    start: np.ndarray | None = None,
) -> SolverOutcome:
    """Solve ``lp`` with the named back end (see the module docstring).

    ``warm_start`` (HiGHS direct only): LP relaxation with lazy rows and LP rounding before
    the MIP (see :func:`_warm_start`); None = on for MILPs of at least
    :data:`WARM_START_MIN_COLS` columns.

    ``start`` (HiGHS direct only): a full column vector of a plan found by a heuristic.  It
    is checked against every row, bound and integrality first and handed to HiGHS as its
    first incumbent (``setSolution``) only when feasible; the better of it and the
    LP-rounding plan is used when both exist.  It never changes the reported status: the
    MIP still has to prove the gap.
    """
    if solver not in SOLVERS:
        raise SolverError(f"solver must be one of {', '.join(SOLVERS)}; got {solver!r}")
    if time_limit is not None and not time_limit > 0:
        raise SolverError(f"time_limit must be positive seconds; got {time_limit!r}")
    if gap is not None and not 0 <= gap < 1:
        raise SolverError(f"gap must be a relative gap in [0, 1); got {gap!r}")
    gap = DEFAULT_GAP if gap is None else float(gap)
    if solver == "highs":
        return _solve_highs(lp, time_limit=time_limit, gap=gap, msg=msg, threads=threads,
                            warm_start=warm_start, start=start)
    return _solve_pulp(lp, solver=solver, time_limit=time_limit, gap=gap, msg=msg,
                       threads=threads)


# --------------------------------------------------------------------------- HiGHS direct

def new_highs(*, msg: bool = False):
    """A HiGHS instance whose ``output_flag`` is ``msg`` before anything is printed.

    ``highspy.Highs()`` prints HiGHS' start-up banner on stdout while constructing (its
    callbacks are enabled with logging on), before any option can be set.  With
    ``msg=False`` the bare pybind11 class is built instead and silenced first; it has every
    method the direct back end uses (``passModel``, ``setSolution``, ``run``, ``getInfo``).
    """
    import highspy

    if msg:
        return highspy.Highs()
    h: Any
    try:
        from highspy._core import _Highs
    except ImportError:  # pragma: no cover - older or newer highspy layout
        h = highspy.Highs()
    else:
        h = _Highs()
    h.setOptionValue("output_flag", False)
    return h


def _highs_outcome(h, solver: str, t0: float, build: float, n: int) -> SolverOutcome:
    import highspy

    ms = highspy.HighsModelStatus
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
    if status == ms.kOptimal:
        name, proven = "optimal", True
    elif status in (ms.kInfeasible,):
        name, proven = "infeasible", False
    elif status in (ms.kUnbounded, ms.kUnboundedOrInfeasible):
        name, proven = "unbounded", False
    elif status in (ms.kTimeLimit, ms.kIterationLimit, ms.kInterrupt, ms.kSolutionLimit,
                    ms.kObjectiveBound, ms.kObjectiveTarget, ms.kMemoryLimit,
                    getattr(ms, "kHighsInterrupt", ms.kInterrupt)):
        name, proven = ("feasible" if has_x else "no solution"), False
    else:
        name, proven = "error", False
    if not math.isfinite(bound if bound is not None else math.nan):
        bound = None if bound is None or math.isnan(bound) else bound
    gap = relative_gap(obj, bound) if has_x else None
    return SolverOutcome(solver=solver, status=name, proven_optimal=proven, objective=obj,
                         bound=bound, gap=gap, seconds=seconds, build_seconds=build,
                         x=x if name in ("optimal", "feasible") else None,
                         raw_status=h.modelStatusToString(status))


def _highs_model(a: dict[str, np.ndarray], A: sp.csr_matrix, rows: np.ndarray, offset: float,
                 *, integer: bool):
    """A ``highspy.HighsLp`` of the columns in ``a`` and the ``rows`` of ``A``."""
    import highspy

    inf = highspy.kHighsInf
    sub = A[rows].tocsc()
    model = highspy.HighsLp()
    model.num_col_ = A.shape[1]
    model.num_row_ = len(rows)
    model.col_cost_ = a["cost"]
    model.col_lower_ = a["lower"]
    model.col_upper_ = np.where(np.isinf(a["upper"]), inf, a["upper"])
    model.row_lower_ = np.where(np.isinf(a["row_lower"][rows]), -inf, a["row_lower"][rows])
    model.row_upper_ = np.where(np.isinf(a["row_upper"][rows]), inf, a["row_upper"][rows])
    model.offset_ = offset
    model.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    model.a_matrix_.start_ = sub.indptr.astype(np.int32)
    model.a_matrix_.index_ = sub.indices.astype(np.int32)
    model.a_matrix_.value_ = sub.data.astype(float)
    model.a_matrix_.num_col_ = A.shape[1]
    model.a_matrix_.num_row_ = len(rows)
    if integer and a["integer"].any():
        model.integrality_ = [
            highspy.HighsVarType.kInteger if b else highspy.HighsVarType.kContinuous
            for b in a["integer"]
        ]
    return model


def _set_options(h, *, gap: float | None, time_limit: float | None,
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


def _solve_highs(lp: LinearProgram, *, time_limit, gap, msg, threads,
                 warm_start: bool | None = None,
                 start: np.ndarray | None = None) -> SolverOutcome:
    t0 = time.perf_counter()
    a = lp.arrays()
    A = lp.matrix().tocsr()
    has_int = bool(a["integer"].any())
    if start is not None:
        start = np.asarray(start, dtype=float)
        if start.shape != (lp.num_col,) or not has_int or not _feasible(A, a, start):
            if msg:
                print("heuristic start rejected: not a feasible point of the model")
            start = None
    if warm_start is None:
        warm_start = has_int and lp.num_col >= WARM_START_MIN_COLS
    if warm_start and has_int:
        started = _warm_start(lp, a, A, time_limit=time_limit, gap=gap, msg=msg,
                              threads=threads, t0=t0, start=start)
        if isinstance(started, SolverOutcome):
            return started
        rows, x0 = started
    else:
        rows, x0 = np.arange(lp.num_row), None
    if start is not None and (x0 is None or a["cost"] @ start < a["cost"] @ x0):
        x0 = start
    h = new_highs(msg=msg)
    _set_options(h, gap=gap, time_limit=None if time_limit is None
                 else time_limit - (time.perf_counter() - t0), threads=threads)
    h.passModel(_highs_model(a, A, rows, lp.offset, integer=True))
    if x0 is not None:
        h.setSolution(len(x0), np.arange(len(x0), dtype=np.int32), x0)
    build = time.perf_counter() - t0
    h.run()
    return _highs_outcome(h, "highs", t0, build, lp.num_col)


def _row_violation(A: sp.csr_matrix, a: dict[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    """How far every row of ``A x`` lies outside its bounds (scaled, 0 when inside)."""
    ax = A @ x
    scale = 1.0 + np.abs(ax)
    with np.errstate(invalid="ignore"):
        over = np.maximum(ax - a["row_upper"], 0.0)
        under = np.maximum(a["row_lower"] - ax, 0.0)
    return np.nan_to_num(np.maximum(over, under) / scale)


def _feasible(A: sp.csr_matrix, a: dict[str, np.ndarray], x: np.ndarray) -> bool:
    """True when ``x`` satisfies every row, bound and integrality (HiGHS' 1e-6 tolerances)."""
    ints = a["integer"]
    return bool(
        (_row_violation(A, a, x) <= FEAS_TOL).all()
        and (x >= a["lower"] - FEAS_TOL).all() and (x <= a["upper"] + FEAS_TOL).all()
        and (np.abs(x[ints] - np.round(x[ints])) <= FEAS_TOL).all()
    )


def _warm_start(lp: LinearProgram, a: dict[str, np.ndarray], A: sp.csr_matrix, *,
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

    Returns an outcome when done, else the rows to keep and the start (or None).
    """
    import highspy

    def left() -> float | None:
        return None if time_limit is None else time_limit - (time.perf_counter() - t0)

    lazy = lp.lazy_rows()
    keep = ~lazy
    h = new_highs(msg=False)
    _set_options(h, gap=None, time_limit=left(), threads=threads)
    h.passModel(_highs_model(a, A, np.flatnonzero(keep), lp.offset, integer=False))
    ms = highspy.HighsModelStatus
    fallback = (np.arange(lp.num_row), None)
    h.run()
    lazy_idx = np.flatnonzero(lazy)
    A_lazy = A[lazy_idx]
    for _ in range(100):
        if h.getModelStatus() != ms.kOptimal:
            return fallback
        x = np.asarray(h.getSolution().col_value, dtype=float)
        if not len(lazy_idx):
            break
        viol = np.flatnonzero((_row_violation(A_lazy, {
            "row_lower": a["row_lower"][lazy_idx], "row_upper": a["row_upper"][lazy_idx]},
            x) > FEAS_TOL) & ~keep[lazy_idx])
        if not len(viol):
            break
        rows = lazy_idx[viol]
        keep[rows] = True
        sub = A[rows]
        h.addRows(len(rows), np.where(np.isinf(a["row_lower"][rows]), -highspy.kHighsInf,
                                      a["row_lower"][rows]),
                  np.where(np.isinf(a["row_upper"][rows]), highspy.kHighsInf,
                           a["row_upper"][rows]),
                  sub.nnz, sub.indptr[:-1].astype(np.int32), sub.indices.astype(np.int32),
                  sub.data.astype(float))
        h.run()
    else:
        return fallback
    lb = float(h.getInfo().objective_function_value)
    rows_kept = np.flatnonzero(keep)
    if msg:
        print(f"warm start: LP relaxation {lb:.10g} with {int(keep[lazy_idx].sum())} of "
              f"{len(lazy_idx)} lazy rows, {time.perf_counter() - t0:.1f} s")
    if start is not None:
        s_obj = float(a["cost"] @ start + lp.offset)
        g = relative_gap(s_obj, lb)
        if g is not None and g <= gap:
            seconds = time.perf_counter() - t0
            return SolverOutcome(solver="highs", status="optimal", proven_optimal=True,
                                 objective=s_obj, bound=min(lb, s_obj), gap=g,
                                 seconds=seconds, build_seconds=seconds, x=start,
                                 raw_status="Optimal (heuristic start within gap of the LP "
                                            "bound)")
    # ---- rounding
    ints = a["integer"]
    binary = ints & (a["lower"] == 0) & (a["upper"] == 1)
    bcols = np.flatnonzero(binary)
    if not len(bcols):
        return rows_kept, None
    v = x[bcols]
    on = v > 1e-6
    h.changeColsBounds(len(bcols), bcols.astype(np.int32), on.astype(float), on.astype(float))
    h.run()
    if h.getModelStatus() != ms.kOptimal:
        return rows_kept, None
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
    if not _feasible(A, a, x0):
        return rows_kept, None
    ub = float(a["cost"] @ x0 + lp.offset)
    g = relative_gap(ub, lb)
    if msg:
        print(f"warm start: rounded plan {ub:.10g}, gap {g:.3%} to the LP bound, "
              f"{time.perf_counter() - t0:.1f} s")
    if g is not None and g <= gap:
        seconds = time.perf_counter() - t0
        return SolverOutcome(solver="highs", status="optimal", proven_optimal=True,
                             objective=ub, bound=lb, gap=g, seconds=seconds,
                             build_seconds=seconds, x=x0,
                             raw_status="Optimal (LP rounding within gap of the LP bound)")
    return rows_kept, x0


def solve_fixed(lp: LinearProgram, cols: np.ndarray, values: np.ndarray, *,
                time_limit: float | None = None) -> np.ndarray | None:
    """The LP of ``lp`` with ``cols`` fixed at ``values`` (e.g. the open sites of a plan):
    the cheapest completion of a partial plan, or None when there is none (infeasible, or
    another integer column comes out fractional)."""
    import highspy

    a = lp.arrays()
    A = lp.matrix().tocsr()
    cols = np.asarray(cols, dtype=np.int64)
    a["lower"][cols] = values
    a["upper"][cols] = values
    h = new_highs(msg=False)
    _set_options(h, gap=None, time_limit=time_limit, threads=None)
    h.passModel(_highs_model(a, A, np.arange(lp.num_row), lp.offset, integer=False))
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    x = np.asarray(h.getSolution().col_value, dtype=float)
    x[cols] = values
    ints = a["integer"]
    if (np.abs(x[ints] - np.round(x[ints])) > FEAS_TOL).any():
        return None
    x[ints] = np.round(x[ints])
    return x


# --------------------------------------------------------------------------- PuLP layer

def cbc_path() -> str:
    """Path of a maintained CBC binary: ``$CBC_PATH``, else ``cbc`` on ``PATH``.

    Raises
    ------
    SolverError
        When no CBC binary is found (install Debian's ``coinor-cbc``).
    """
    env = os.environ.get("CBC_PATH")
    if env and Path(env).is_file():
        return env
    found = shutil.which("cbc")
    if found:
        return found
    raise SolverError(
        "CBC not found: install it (Debian/Ubuntu: `apt-get install -y coinor-cbc`) or set "
        "CBC_PATH to a cbc binary; PuLP's bundled CBC is not used"
    )


def to_pulp(lp: LinearProgram):
    """The program as a ``pulp.LpProblem`` (minimisation) and its variables, in column order."""
    import pulp

    a = lp.arrays()
    prob = pulp.LpProblem("siting", pulp.LpMinimize)
    xs = [
        prob.add_variable(
            f"x{k}",
            lowBound=None if np.isinf(lo) else float(lo),
            upBound=None if np.isinf(hi) else float(hi),
            cat=pulp.LpInteger if b else pulp.LpContinuous,
        )
        for k, (lo, hi, b) in enumerate(zip(a["lower"], a["upper"], a["integer"], strict=True))
    ]
    nz = np.flatnonzero(a["cost"])
    prob.setObjective(
        pulp.LpAffineExpression([(xs[k], float(a["cost"][k])) for k in nz], constant=lp.offset)
    )
    A = lp.matrix().tocsr()
    for r in range(lp.num_row):
        s, e = A.indptr[r], A.indptr[r + 1]
        expr = pulp.LpAffineExpression(
            [(xs[k], float(v)) for k, v in zip(A.indices[s:e], A.data[s:e], strict=True)]
        )
        lo, hi = a["row_lower"][r], a["row_upper"][r]
        if lo == hi:
            prob.addConstraint(pulp.LpConstraint(expr, pulp.LpConstraintEQ, f"r{r}", float(lo)))
            continue
        if np.isfinite(lo):
            prob.addConstraint(pulp.LpConstraint(expr, pulp.LpConstraintGE, f"r{r}l", float(lo)))
        if np.isfinite(hi):
            prob.addConstraint(pulp.LpConstraint(expr, pulp.LpConstraintLE, f"r{r}u", float(hi)))
    return prob, xs


_CBC_RESULT = re.compile(r"^Result - (.*)$", re.M)
_CBC_NUM = {
    "objective": re.compile(r"^Objective value:\s+(\S+)", re.M),
    "bound": re.compile(r"^Lower bound:\s+(\S+)", re.M),
    "gap": re.compile(r"^Gap:\s+(\S+)", re.M),
}


def parse_cbc_log(text: str) -> dict[str, object]:
    """Read status, objective, best bound and gap from a CBC log.

    Returns a dict with ``result`` (the text after ``Result -``), ``objective``, ``bound``,
    ``gap`` (floats or None).
    """
    out: dict[str, object] = {}
    m = _CBC_RESULT.findall(text)
    out["result"] = m[-1].strip() if m else ""
    for key, rx in _CBC_NUM.items():
        found = rx.findall(text)
        try:
            out[key] = float(found[-1]) if found else None
        except ValueError:
            out[key] = None
    return out


def _solve_pulp(lp: LinearProgram, *, solver, time_limit, gap, msg, threads) -> SolverOutcome:
    import pulp

    t0 = time.perf_counter()
    prob, xs = to_pulp(lp)
    build = time.perf_counter() - t0
    has_int = bool(lp.arrays()["integer"].any())
    if solver == "highs-pulp":
        s = pulp.HiGHS(msg=msg, timeLimit=time_limit, gapRel=gap, threads=threads)
        prob.solve(s)
        out = _highs_outcome(prob.solverModel, "highs-pulp", t0, build, lp.num_col)
        if out.x is not None:  # PuLP numbers HiGHS columns in its own order: map back by name
            out.x = _pulp_values(lp, xs)
        return out
    path = cbc_path()
    with tempfile.TemporaryDirectory(prefix="cbc-") as tmp:
        log = Path(tmp) / "cbc.log"
        s = pulp.COIN_CMD(path=path, msg=False, timeLimit=time_limit, gapRel=gap,
                          threads=threads, logPath=str(log), keepFiles=False)
        try:
            prob.solve(s)
        except pulp.PulpSolverError as exc:
            raise SolverError(f"CBC failed: {exc}") from exc
        text = log.read_text(errors="replace") if log.exists() else ""
    if msg:
        print(text)
    info = parse_cbc_log(text)
    result = str(info["result"]).lower()
    seconds = time.perf_counter() - t0
    values = _pulp_values(lp, xs)
    has_x = prob.sol_status in (pulp.LpSolutionIntegerFeasible, pulp.LpSolutionOptimal)
    if result.startswith("optimal"):
        status, proven = "optimal", True
    elif "infeasible" in result:
        status, proven = "infeasible", False
    elif "unbounded" in result:
        status, proven = "unbounded", False
    elif result.startswith("stopped"):
        status, proven = ("feasible" if has_x else "no solution"), False
    elif not has_int and prob.status == pulp.LpStatusOptimal:
        status, proven = "optimal", True  # pure LP: CBC prints no "Result -" line
    else:
        status, proven = "error", False
    obj = None
    if status in ("optimal", "feasible") and has_x:
        a = lp.arrays()
        obj = float(a["cost"] @ values + lp.offset)
    bound = info["bound"] if isinstance(info["bound"], float) else None
    if status == "optimal" and bound is None:
        bound = obj
    return SolverOutcome(
        solver="cbc", status=status, proven_optimal=proven, objective=obj, bound=bound,
        gap=relative_gap(obj, bound) if obj is not None else None, seconds=seconds,
        build_seconds=build, x=values if status in ("optimal", "feasible") and has_x else None,
        raw_status=str(info["result"]),
    )


def _pulp_values(lp: LinearProgram, xs) -> np.ndarray:
    """Values of PuLP variables in column order; a variable PuLP left out (it appears in no
    row and has no cost) takes its bound nearest zero."""
    a = lp.arrays()
    rest = np.clip(0.0, a["lower"], a["upper"])
    return np.array([
        float(v.varValue) if v.varValue is not None else rest[k] for k, v in enumerate(xs)
    ])
