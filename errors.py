"""Exception classes of the tool, one module for the whole code base.

Every message names the offending file, parameter, row ids and values. Validators collect
every problem in an input with :class:`ProblemCollector` and raise once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any


class PlanningError(Exception):
    """Base class of every error the tool raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One problem found in an input.

    Parameters
    ----------
    message : str
        What is wrong, in plain words, with the offending values.
    source : str, optional
        File (or layer, or parameter) the problem is in.
    rows : sequence, optional
        Ids of the offending rows.
    field : str, optional
        Column or field name.
    """

    message: str
    source: str | None = None
    rows: Sequence[Any] = ()
    field: str | None = None

    def __str__(self) -> str:
        parts = []
        if self.source:
            parts.append(str(self.source))
        if self.field:
            parts.append(f"field '{self.field}'")
        if self.rows:
            shown = ", ".join(str(r) for r in list(self.rows)[:20])
            more = len(self.rows) - 20
            parts.append(f"rows {shown}" + (f" (+{more} more)" if more > 0 else ""))
        prefix = ": ".join([" ".join(parts)]) if parts else ""
        return f"{prefix}: {self.message}" if prefix else self.message


class InputError(PlanningError):
    """Bad input data: carries every problem found, not just the first."""

    def __init__(self, problems: Iterable[Problem | str], *, source: str | None = None):
        self.problems: list[Problem] = [
            p if isinstance(p, Problem) else Problem(str(p), source=source) for p in problems
        ]
        head = f"{len(self.problems)} problem(s) in {source}" if source else (
            f"{len(self.problems)} problem(s) in the input"
        )
        super().__init__(head + ":\n" + "\n".join(f"  - {p}" for p in self.problems))


class CRSError(InputError):
    """Missing, wrong or unsupported coordinate reference system."""


class ProfileError(InputError):
    """A malformed or unknown policy profile."""


class NetworkError(PlanningError):
    """A street network that cannot be read, built or downloaded."""


class SnapError(InputError):
    """Points or polygons that cannot reach the street network."""


class InfeasibleError(PlanningError):
    """A planning problem with no solution; the message says the numbers."""


class SolverError(PlanningError):
    """A solver that is missing, failed, or returned no usable solution."""


@dataclass
class ProblemCollector:
    """Collect problems while validating, then raise them all at once.

    Examples
    --------
    >>> c = ProblemCollector(source="areas.gpkg")
    >>> c.add("population is negative", rows=[3, 7], field="population")
    >>> c.raise_if_any()
    Traceback (most recent call last):
    ...
    errors.InputError: 1 problem(s) in areas.gpkg:
      - areas.gpkg field 'population' rows 3, 7: population is negative
    """

    source: str | None = None
    error: type[InputError] = InputError
    problems: list[Problem] = field(default_factory=list)

    def add(
        self,
        message: str,
        *,
        rows: Sequence[Any] = (),
        field: str | None = None,
        source: str | None = None,
    ) -> None:
        """Record one problem."""
        self.problems.append(
            Problem(message, source=source or self.source, rows=list(rows), field=field)
        )

    def __bool__(self) -> bool:
        return bool(self.problems)

    def raise_if_any(self) -> None:
        """Raise :attr:`error` with every recorded problem, if there is any."""
        if self.problems:
            raise self.error(self.problems, source=self.source)
