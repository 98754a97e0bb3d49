"""The result of a solve, solver-independent."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd


def _clean(v: Any) -> Any:
    """A JSON-safe scalar: numpy types to Python, NaN/inf to None."""
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def frame_records(df: pd.DataFrame, columns: list[str] | None = None) -> list[dict[str, Any]]:
    """Rows of ``df`` (optionally only ``columns``) as JSON-safe dicts."""
    cols = list(df.columns) if columns is None else columns
    return [{c: _clean(v) for c, v in zip(cols, row, strict=True)}
            for row in df[cols].itertuples(index=False, name=None)]


@dataclass
class SolveResult:
    """What a model's :meth:`solve` found.

    Attributes
    ----------
    status : str
        ``'optimal'`` (proven optimal within the relative ``gap`` asked for), ``'feasible'``
        (a time-limited incumbent, not proven), ``'infeasible'``, ``'no solution'`` (stopped
        before any solution), ``'unbounded'`` or ``'error'``.
    proven_optimal : bool
        True only when the solver proved optimality (within the requested gap).
    objective, bound, gap : float or None
        Objective in the model's own sense (cost to minimise, amount covered to maximise,
        demand-weighted minutes), the solver's best bound, and the relative gap between them.
    seconds : float
        Wall time of building and solving.
    sites : DataFrame
        ``id``, ``open``, ``capacity`` (total after the plan), ``new_capacity``,
        ``existing_capacity`` (plus ``service`` for joint siting).
    assignments : DataFrame
        ``origin_id``, ``site_id``, ``amount`` (plus ``minutes``; ``service`` when joint).
    unmet : DataFrame
        ``id``, ``amount``, ``reason`` — areas whose requirement is not (fully) served.
    """

    status: str
    proven_optimal: bool
    objective: float | None
    bound: float | None
    gap: float | None
    seconds: float
    sites: pd.DataFrame
    assignments: pd.DataFrame
    unmet: pd.DataFrame
    solver: str = "highs"
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form.

        ``status``, ``proven_optimal``, ``objective``, ``bound``, ``gap``, ``seconds``,
        ``sites``, ``assignments``, ``unmet`` (lists of records).
        """
        return {
            "status": self.status,
            "proven_optimal": bool(self.proven_optimal),
            "objective": _clean(self.objective),
            "bound": _clean(self.bound),
            "gap": _clean(self.gap),
            "seconds": round(float(self.seconds), 3),
            "sites": frame_records(self.sites),
            "assignments": frame_records(self.assignments),
            "unmet": frame_records(self.unmet),
        }
