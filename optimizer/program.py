"""A mixed-integer linear program held as arrays, and what a solver returns for it.

The models describe their program block by block in a :class:`LinearProgram` (always a
minimisation); the back ends of :mod:`optimizer.solvers` solve it and answer with a
:class:`SolverOutcome`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp


@dataclass
class ProgramArrays:
    """The concatenated column and row arrays of a :class:`LinearProgram`.

    Attributes
    ----------
    cost, lower, upper : array of float
        Objective coefficient and bounds of every column.
    integer : array of bool
        Integrality of every column.
    row_lower, row_upper : array of float
        Bounds of every row.
    """

    cost: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    integer: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray

    def at_zero(self) -> np.ndarray:
        """A column vector with every column at its bound nearest 0."""
        return np.asarray(np.clip(0.0, self.lower, self.upper), dtype=float)


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
        r"""Add ``n`` rows; ``rows`` (0..n-1), ``cols``, ``vals`` give the non-zeros.

        ``lazy=True`` marks rows that every integer solution satisfies anyway (tightening
        rows such as :math:`z_{ij} \le q_i y_j`): the warm start of the HiGHS back end adds
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

    def arrays(self) -> ProgramArrays:
        """Concatenated column and row arrays."""
        def cat(parts: list[np.ndarray]) -> np.ndarray:
            return np.concatenate(parts) if parts else np.zeros(0)

        return ProgramArrays(
            cost=cat(self.cost),
            lower=cat(self.lower),
            upper=cat(self.upper),
            integer=cat(self.integer).astype(bool),
            row_lower=cat(self.row_lower),
            row_upper=cat(self.row_upper),
        )

    def matrix(self) -> sp.csc_matrix:
        """The constraint matrix (``num_row × num_col``, CSC, duplicates summed)."""
        if not self._rows:
            return sp.csc_matrix((self.num_row, self.num_col))
        return sp.coo_matrix(
            (np.concatenate(self._vals), (np.concatenate(self._rows), np.concatenate(self._cols))),
            shape=(self.num_row, self.num_col),
        ).tocsc()

    def set_block(self, part: str, cols: np.ndarray, values: np.ndarray | float) -> None:
        """Overwrite ``values`` of ``cols`` (one block of :meth:`add_cols`).

        Parameters
        ----------
        part : {'cost', 'lower', 'upper'}
            Which column array to change.
        cols : array of int
            Contiguous column indices returned by one :meth:`add_cols`.
        values : array or float
            The new values.
        """
        parts: list[np.ndarray] = getattr(self, part)
        start = 0
        for arr in parts:
            end = start + len(arr)
            if len(cols) and cols[0] >= start and cols[-1] < end:
                arr[cols - start] = values
                return
            start = end
        if len(cols):
            raise AssertionError("columns not in one block")


@dataclass
class SolverOutcome:
    """What a solver returned, in the solver-independent terms of a result.

    ``objective`` and ``bound`` are for the minimisation held in :class:`LinearProgram`;
    ``status`` is one of ``'optimal'``, ``'feasible'``, ``'infeasible'``, ``'unbounded'``,
    ``'no solution'`` and ``'error'``.
    """

    solver: str
    status: str
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
