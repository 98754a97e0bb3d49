"""Exception classes of the tool, one module for the whole code base.

Every message names the offending file, parameter, row ids and values. Validators collect
every problem in an input with :class:`ProblemCollector` and raise once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from core.messages import DEFAULT_LANGUAGE, Message, render


class PlanningError(Exception):
    """Base class of every error the tool raises on purpose.

    The message is a structured :class:`Message` (rendered in the interface language with
    :meth:`render`) or, for texts not yet in the catalog, plain English.
    """

    def __init__(self, message: str | Message = "") -> None:
        self.message = message
        super().__init__(str(message))

    def render(self, lang: str = DEFAULT_LANGUAGE) -> str:
        """The error in ``lang``."""
        if isinstance(self.message, Message):
            return self.message.render(lang)
        return str(self.message)


@dataclass(frozen=True)
class Problem:
    """One problem found in an input.

    Parameters
    ----------
    message : str or Message
        What is wrong, with the offending values: a structured :class:`Message` (rendered in
        the interface language) or, for texts not yet in the catalog, plain English.
    source : str, optional
        File (or layer, or parameter) the problem is in.
    rows : sequence, optional
        Ids of the offending rows.
    field : str, optional
        Column or field name.
    """

    message: str | Message
    source: str | None = None
    rows: Sequence[Any] = ()
    field: str | None = None

    @property
    def code(self) -> str | None:
        """The message code, when the message is structured."""
        return self.message.code if isinstance(self.message, Message) else None

    def render(self, lang: str = DEFAULT_LANGUAGE) -> str:
        """The problem in ``lang``: where it is (file, field, rows), then what is wrong."""
        text = self.message.render(lang) if isinstance(self.message, Message) else self.message
        rows = list(self.rows)
        parts: dict[str, Any] = {}
        if self.source:
            parts["source"] = str(self.source)
        if self.field:
            parts["field"] = self.field
        if rows:
            parts["rows"] = rows
        if not parts:
            return text
        where = render("where." + "_".join(sorted(parts)), parts, lang)
        return f"{where}: {text}"

    def to_json(self) -> dict[str, Any]:
        """The problem as JSON: code, arguments, text, source, field and rows."""
        msg = (self.message.to_json() if isinstance(self.message, Message)
               else {"code": None, "args": {}, "text": self.message})
        return {**msg, "source": self.source, "field": self.field,
                "rows": [str(r) for r in self.rows]}

    def __str__(self) -> str:
        return self.render("en")


class InputError(PlanningError):
    """Bad input data: carries every problem found, not just the first."""

    def __init__(self, problems: Iterable[Problem | Message | str], *,
                 source: str | None = None) -> None:
        self.problems: list[Problem] = [
            p if isinstance(p, Problem)
            else Problem(p if isinstance(p, Message) else str(p), source=source)
            for p in problems
        ]
        self.source = source
        super().__init__(self.render("en"))

    def render(self, lang: str = DEFAULT_LANGUAGE) -> str:
        """Every problem, one per line, in ``lang``."""
        args = {"n": len(self.problems), "source": self.source}
        head = render("error.head_source" if self.source else "error.head", args, lang)
        return head + "\n" + "\n".join(f"  - {p.render(lang)}" for p in self.problems)


class CRSError(InputError):
    """Missing, wrong or unsupported coordinate reference system."""


class ProfileError(InputError):
    """A malformed or unknown policy profile."""


class NetworkError(PlanningError):
    """A street network that cannot be read, built or downloaded."""


class SnapError(InputError):
    """Points or polygons that cannot reach the street network."""


class OutputError(PlanningError):
    """An output that cannot be written (a folder in its place, no permission, no space)."""


class InfeasibleError(PlanningError):
    """A planning problem with no solution; the message says the numbers."""


class SolverError(PlanningError):
    """A solver that is missing, failed, or returned no usable solution."""


class AuthError(PlanningError):
    """A failed login, or an account that cannot be made (team server)."""


class PermissionDenied(PlanningError):
    """A user asking for a scenario they may not see or change (team server)."""


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
        message: str | Message,
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
