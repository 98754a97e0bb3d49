"""The solvers that run a :class:`~optimizer.program.LinearProgram`, behind one call.

Three back ends:

``'highs'``
    HiGHS through highspy, fed the arrays directly (``Highs.passModel``; see
    :mod:`optimizer.highs`).  The fast path: no Python object per variable, so a city-scale
    model is built in well under a second.
``'highs-pulp'``
    The same solver with PuLP as the modelling layer (``pulp.HiGHS``; see
    :mod:`optimizer.pulp_backend`).  Kept to show what the PuLP layer costs (see
    ``benchmarks/optimizer.md``).
``'cbc'``
    COIN-OR CBC through PuLP's ``COIN_CMD``, using a maintained CBC binary, never PuLP's
    bundled one.

Every back end returns a :class:`~optimizer.program.SolverOutcome` that says whether the
solution is proven optimal (within the requested relative gap) or only a feasible incumbent.
"""

from __future__ import annotations

import numpy as np

from core.messages import Message
from errors import SolverError
from optimizer.highs import solve_highs
from optimizer.program import LinearProgram, SolverOutcome
from optimizer.pulp_backend import solve_pulp

#: Solver names accepted by ``solve(solver=...)``.
SOLVERS: tuple[str, ...] = ("highs", "cbc", "highs-pulp")

#: Relative MIP gap used when the caller gives none (HiGHS' own default, applied to CBC too
#: so that both report the same kind of "optimal").
DEFAULT_GAP = 1e-4


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

    Parameters
    ----------
    lp : LinearProgram
        The program (a minimisation).
    solver : {'highs', 'cbc', 'highs-pulp'}
        The back end.
    time_limit : float, optional
        Seconds.
    gap : float, optional
        Relative MIP gap (default :data:`DEFAULT_GAP`).
    msg : bool
        Show the solver log.
    threads : int, optional
        Solver threads.
    warm_start : bool, optional
        HiGHS direct only: LP relaxation with lazy rows and LP rounding before the MIP (see
        :func:`optimizer.highs._warm_start`); None = on for MILPs of at least
        :data:`optimizer.highs.WARM_START_MIN_COLS` columns.
    start : array of float, optional
        HiGHS direct only: a full column vector of a plan found by a heuristic.  It is
        checked against every row, bound and integrality first and handed to HiGHS as its
        first incumbent (``setSolution``) only when feasible; the better of it and the
        LP-rounding plan is used when both exist.  It never changes the reported status:
        the MIP still has to prove the gap.

    Returns
    -------
    SolverOutcome
        Status, objective, bound, gap and solution.

    Raises
    ------
    SolverError
        For an unknown solver, a time limit that is not positive or a gap outside [0, 1).
    """
    if solver not in SOLVERS:
        raise SolverError(Message("optimizer.solver.unknown",
                                  {"solvers": list(SOLVERS), "solver": solver}))
    if time_limit is not None and not time_limit > 0:
        raise SolverError(Message("optimizer.solver.time_limit", {"value": time_limit}))
    if gap is not None and not 0 <= gap < 1:
        raise SolverError(Message("optimizer.solver.gap", {"value": gap}))
    gap = DEFAULT_GAP if gap is None else float(gap)
    if solver == "highs":
        return solve_highs(lp, time_limit=time_limit, gap=gap, msg=msg, threads=threads,
                           warm_start=warm_start, start=start)
    return solve_pulp(lp, solver=solver, time_limit=time_limit, gap=gap, msg=msg,
                      threads=threads)
