"""The PuLP back ends: CBC through ``COIN_CMD`` and HiGHS through ``pulp.HiGHS``.

CBC is a maintained binary (Debian's ``coinor-cbc``, ``/usr/bin/cbc``; or the path in
``$CBC_PATH``), never PuLP's bundled one; status, objective, bound and gap are parsed from its
log.  PuLP maps a time-limited HiGHS run to "Optimal", so for ``'highs-pulp'`` the status,
bound and gap are read from the highspy model PuLP leaves in ``problem.solverModel``.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from core.messages import Message
from errors import SolverError
from optimizer.highs import highs_outcome
from optimizer.program import LinearProgram, SolverOutcome, relative_gap


def cbc_path() -> str:
    """Path of a maintained CBC binary: ``$CBC_PATH``, else ``cbc`` on ``PATH``.

    Returns
    -------
    str
        The path of the binary.

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
    raise SolverError(Message("optimizer.solver.cbc_missing"))


def to_pulp(lp: LinearProgram) -> tuple[Any, list[Any]]:
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
        for k, (lo, hi, b) in enumerate(zip(a.lower, a.upper, a.integer, strict=True))
    ]
    nz = np.flatnonzero(a.cost)
    prob.setObjective(
        pulp.LpAffineExpression([(xs[k], float(a.cost[k])) for k in nz], constant=lp.offset)
    )
    A = lp.matrix().tocsr()
    for r in range(lp.num_row):
        s, e = A.indptr[r], A.indptr[r + 1]
        expr = pulp.LpAffineExpression(
            [(xs[k], float(v)) for k, v in zip(A.indices[s:e], A.data[s:e], strict=True)]
        )
        lo, hi = a.row_lower[r], a.row_upper[r]
        if lo == hi:
            prob.addConstraint(pulp.LpConstraint(expr, pulp.LpConstraintEQ, f"r{r}", float(lo)))
            continue
        if np.isfinite(lo):
            prob.addConstraint(pulp.LpConstraint(expr, pulp.LpConstraintGE, f"r{r}l", float(lo)))
        if np.isfinite(hi):
            prob.addConstraint(pulp.LpConstraint(expr, pulp.LpConstraintLE, f"r{r}u", float(hi)))
    return prob, xs


_CBC_RESULT = re.compile(r"^Result - (.*)$", re.M)
#: CBC's line when its presolve proves a model infeasible (no "Result -" line follows)
_CBC_PRESOLVE_INFEASIBLE = re.compile(r"^Problem is infeasible", re.M)
_CBC_PREPROCESS_INF = re.compile(r"^Pre-processing says infeasible", re.M)
_CBC_LP_BOUNDED = re.compile(r"^Continuous objective value is", re.M)
_CBC_NUM = {
    "objective": re.compile(r"^Objective value:\s+(\S+)", re.M),
    "bound": re.compile(r"^Lower bound:\s+(\S+)", re.M),
    "gap": re.compile(r"^Gap:\s+(\S+)", re.M),
}


def parse_cbc_log(text: str) -> dict[str, object]:
    """Read status, objective, best bound and gap from a CBC log.

    Returns
    -------
    dict
        ``result`` (the text after ``Result -``), ``objective``, ``bound``, ``gap`` (floats
        or None).
    """
    out: dict[str, object] = {}
    m = _CBC_RESULT.findall(text)
    out["result"] = m[-1].strip() if m else ""
    # presolve proofs print no "Result -" line; after a bounded LP relaxation ("Continuous
    # objective value") "infeasible or unbounded" can only be infeasible
    if not m and (_CBC_PRESOLVE_INFEASIBLE.search(text) or (
            _CBC_PREPROCESS_INF.search(text) and _CBC_LP_BOUNDED.search(text))):
        out["result"] = "infeasible (found before branching)"
    for key, rx in _CBC_NUM.items():
        found = rx.findall(text)
        try:
            out[key] = float(found[-1]) if found else None
        except ValueError:
            out[key] = None
    return out


def _cbc_status(result: str, has_x: bool, pure_lp_optimal: bool) -> tuple[str, bool]:
    """The solver-independent status of a CBC ``Result -`` line, and whether proven."""
    if result.startswith("optimal"):
        return "optimal", True
    if "infeasible" in result:
        return "infeasible", False
    if "unbounded" in result:
        return "unbounded", False
    if result.startswith("stopped"):
        return ("feasible" if has_x else "no solution"), False
    if pure_lp_optimal:
        return "optimal", True  # pure LP: CBC prints no "Result -" line
    return "error", False


def _run_cbc(prob: Any, *, time_limit: float | None, gap: float, threads: int | None) -> str:
    """Solve ``prob`` with CBC and return its log."""
    import pulp

    path = cbc_path()
    with tempfile.TemporaryDirectory(prefix="cbc-") as tmp:
        log = Path(tmp) / "cbc.log"
        s = pulp.COIN_CMD(path=path, msg=False, timeLimit=time_limit, gapRel=gap,
                          threads=threads, logPath=str(log), keepFiles=False)
        try:
            prob.solve(s)
        except pulp.PulpSolverError as exc:
            raise SolverError(Message("optimizer.solver.cbc_failed",
                                      {"error": str(exc)})) from exc
        return log.read_text(errors="replace") if log.exists() else ""


def solve_pulp(lp: LinearProgram, *, solver: str, time_limit: float | None, gap: float,
               msg: bool, threads: int | None) -> SolverOutcome:
    """Solve ``lp`` through PuLP with ``'cbc'`` or ``'highs-pulp'``."""
    import pulp

    t0 = time.perf_counter()
    prob, xs = to_pulp(lp)
    build = time.perf_counter() - t0
    has_int = bool(lp.arrays().integer.any())
    if solver == "highs-pulp":
        s = pulp.HiGHS(msg=msg, timeLimit=time_limit, gapRel=gap, threads=threads)
        prob.solve(s)
        out = highs_outcome(prob.solverModel, "highs-pulp", t0, build, lp.num_col)
        if out.x is not None:  # PuLP numbers HiGHS columns in its own order: map back by name
            out.x = _pulp_values(lp, xs)
        return out
    text = _run_cbc(prob, time_limit=time_limit, gap=gap, threads=threads)
    if msg:
        print(text)
    info = parse_cbc_log(text)
    seconds = time.perf_counter() - t0
    values = _pulp_values(lp, xs)
    has_x = prob.sol_status in (pulp.LpSolutionIntegerFeasible, pulp.LpSolutionOptimal)
    status, proven = _cbc_status(str(info["result"]).lower(), has_x,
                                 not has_int and prob.status == pulp.LpStatusOptimal)
    obj = None
    if status in ("optimal", "feasible") and has_x:
        obj = float(lp.arrays().cost @ values + lp.offset)
    bound = info["bound"] if isinstance(info["bound"], float) else None
    if status == "optimal" and bound is None:
        bound = obj
    return SolverOutcome(
        solver="cbc", status=status, proven_optimal=proven, objective=obj, bound=bound,
        gap=relative_gap(obj, bound) if obj is not None else None, seconds=seconds,
        build_seconds=build, x=values if status in ("optimal", "feasible") and has_x else None,
        raw_status=str(info["result"]),
    )


def _pulp_values(lp: LinearProgram, xs: list[Any]) -> np.ndarray:
    """Values of PuLP variables in column order.

    A variable PuLP left out (it appears in no row and has no cost) takes its bound nearest
    zero.
    """
    rest = lp.arrays().at_zero()
    return np.array([
        float(v.varValue) if v.varValue is not None else rest[k] for k, v in enumerate(xs)
    ])
