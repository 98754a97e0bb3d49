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
    ) -> np.ndarray:
        """Add ``n`` rows; ``rows`` (0..n-1), ``cols``, ``vals`` give the non-zeros."""
        idx = np.arange(self.num_row, self.num_row + n)
        rows = np.asarray(rows, dtype=np.int64)
        self._rows.append(rows + self.num_row)
        self._cols.append(np.asarray(cols, dtype=np.int64))
        self._vals.append(np.broadcast_to(np.asarray(vals, dtype=float), rows.shape).copy())
        self.row_lower.append(np.broadcast_to(np.asarray(lower, dtype=float), (n,)).copy())
        self.row_upper.append(np.broadcast_to(np.asarray(upper, dtype=float), (n,)).copy())
        self.num_row += n
        return idx

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
) -> SolverOutcome:
    """Solve ``lp`` with the named back end (see the module docstring)."""
    if solver not in SOLVERS:
        raise SolverError(f"solver must be one of {', '.join(SOLVERS)}; got {solver!r}")
    if time_limit is not None and not time_limit > 0:
        raise SolverError(f"time_limit must be positive seconds; got {time_limit!r}")
    if gap is not None and not 0 <= gap < 1:
        raise SolverError(f"gap must be a relative gap in [0, 1); got {gap!r}")
    gap = DEFAULT_GAP if gap is None else float(gap)
    if solver == "highs":
        return _solve_highs(lp, time_limit=time_limit, gap=gap, msg=msg, threads=threads)
    return _solve_pulp(lp, solver=solver, time_limit=time_limit, gap=gap, msg=msg,
                       threads=threads)


# --------------------------------------------------------------------------- HiGHS direct

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
                    ms.kHighsInterrupt):
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


def _solve_highs(lp: LinearProgram, *, time_limit, gap, msg, threads) -> SolverOutcome:
    import highspy

    t0 = time.perf_counter()
    a = lp.arrays()
    A = lp.matrix()
    model = highspy.HighsLp()
    model.num_col_ = lp.num_col
    model.num_row_ = lp.num_row
    model.col_cost_ = a["cost"]
    model.col_lower_ = a["lower"]
    model.col_upper_ = np.where(np.isinf(a["upper"]), highspy.kHighsInf, a["upper"])
    model.row_lower_ = np.where(np.isinf(a["row_lower"]), -highspy.kHighsInf, a["row_lower"])
    model.row_upper_ = np.where(np.isinf(a["row_upper"]), highspy.kHighsInf, a["row_upper"])
    model.offset_ = lp.offset
    model.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    model.a_matrix_.start_ = A.indptr.astype(np.int32)
    model.a_matrix_.index_ = A.indices.astype(np.int32)
    model.a_matrix_.value_ = A.data
    model.a_matrix_.num_col_ = lp.num_col
    model.a_matrix_.num_row_ = lp.num_row
    if a["integer"].any():
        model.integrality_ = [
            highspy.HighsVarType.kInteger if b else highspy.HighsVarType.kContinuous
            for b in a["integer"]
        ]
    h = highspy.Highs()
    h.setOptionValue("output_flag", bool(msg))
    h.setOptionValue("mip_rel_gap", float(gap))
    # more primal heuristics than HiGHS' default (0.05): on siting models the bound is tight
    # after the root and the time goes to finding the incumbent
    h.setOptionValue("mip_heuristic_effort", HEURISTIC_EFFORT)
    if time_limit is not None:
        h.setOptionValue("time_limit", float(time_limit))
    if threads is not None:
        h.setOptionValue("threads", int(threads))
    h.passModel(model)
    build = time.perf_counter() - t0
    h.run()
    return _highs_outcome(h, "highs", t0, build, lp.num_col)


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
        pulp.LpVariable(
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
