"""Feasibility of serving every requirement, checked before a solver is called.

Two necessary conditions, each reported with its numbers:

* an area with a requirement and no site within reach cannot be served;
* (Hall's condition) the areas whose every reachable site is also reachable from area *i*
  can only be served by the sites in reach of *i*: their requirement must not exceed the
  largest capacity those sites may have.

:func:`max_servable` answers the question exactly (a max-flow linear program) for the
diagnosis of a problem a solver declared infeasible.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from core.messages import Message, Quantity
from optimizer.messages import IN_REACH

TOL = 1e-6

#: Areas named in one message, and shortfalls reported one by one.
MAX_REPORTED = 30


@dataclass
class FeasibilityReport:
    """Outcome of :func:`check` (indices are area / site positions; ids for messages)."""

    unreachable: list[int] = field(default_factory=list)
    shortfalls: list[tuple[int, float, float]] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    total_demand: float = 0.0
    total_capacity: float = 0.0

    @property
    def ok(self) -> bool:
        """True when no necessary condition is violated."""
        return not self.messages


def check(
    pairs_origin: np.ndarray,
    pairs_site: np.ndarray,
    demand: np.ndarray,
    capacity: np.ndarray,
    *,
    area_ids: np.ndarray | None = None,
    site_ids: np.ndarray | None = None,
    reach: str | Message = IN_REACH,
    unit: str = "",
) -> FeasibilityReport:
    """Check that every requirement can be served by sites within reach.

    Parameters
    ----------
    pairs_origin, pairs_site : array of int
        The area and site of every pair within reach.
    demand : array of float
        Requirement of every area.
    capacity : array of float
        Largest capacity every site may have (existing plus allowed new; ``inf`` allowed).
    area_ids, site_ids : array, optional
        Labels used in the messages (positions by default).
    reach : str or Message
        How reach is named in messages, e.g. ``"within 15 minutes"`` (see
        :func:`optimizer.messages.reach_within`).
    unit : str
        Unit code of demand for messages (e.g. ``"places"``; see :class:`core.messages.Quantity`).

    Returns
    -------
    FeasibilityReport
        The areas that cannot be served, with one message per finding.
    """
    demand = np.asarray(demand, dtype=float)
    capacity = np.asarray(capacity, dtype=float)
    n, m = len(demand), len(capacity)
    aid = np.arange(n) if area_ids is None else np.asarray(area_ids)
    sid = np.arange(m) if site_ids is None else np.asarray(site_ids)

    def amount(v: float) -> Any:
        return Quantity(float(v), unit) if unit else float(v)

    rep = FeasibilityReport(total_demand=float(demand.sum()),
                            total_capacity=float(capacity.sum()))
    B = sp.csr_matrix((np.ones(len(pairs_origin)), (pairs_origin, pairs_site)), shape=(n, m))
    B.data[:] = 1.0  # duplicate pairs count once
    deg = np.diff(B.indptr)
    need = demand > TOL
    unreachable = np.flatnonzero(need & (deg == 0))
    rep.unreachable = unreachable.tolist()
    if len(unreachable):
        rep.messages.append(Message("optimizer.feasibility.unreachable", {
            "areas": [str(a) for a in aid[unreachable]], "reach": reach,
            "requirement": amount(demand[unreachable].sum())}))
    act = np.flatnonzero(need & (deg > 0))
    if len(act):
        Ba = B[act]
        C = (Ba @ Ba.T).tocoo()  # C[k, i] = |N(k) ∩ N(i)|
        sub = C.data >= deg[act][C.row] - 0.5  # N(k) ⊆ N(i)
        dem_in = np.bincount(C.col[sub], weights=demand[act][C.row[sub]], minlength=len(act))
        cap_in = Ba @ capacity
        bad = np.flatnonzero(dem_in > cap_in + TOL * np.maximum(1.0, dem_in))
        # report each distinct reach set once
        seen: set[bytes] = set()
        for b in bad[np.argsort(-(dem_in[bad] - cap_in[bad]))]:
            i = act[b]
            cols = B.indices[B.indptr[i]:B.indptr[i + 1]]
            key = np.sort(cols).tobytes()
            if key in seen:
                continue
            seen.add(key)
            rep.shortfalls.append((int(i), float(dem_in[b]), float(cap_in[b])))
        for i, d, c in rep.shortfalls[:MAX_REPORTED]:
            cols = B.indices[B.indptr[i]:B.indptr[i + 1]]
            rep.messages.append(Message("optimizer.feasibility.shortfall", {
                "area": str(aid[i]), "demand": amount(d), "capacity": amount(c),
                "sites": [str(s) for s in sid[cols][:10]]}))
        if len(rep.shortfalls) > MAX_REPORTED:
            rep.messages.append(Message("optimizer.feasibility.more_shortfalls",
                                        {"n": len(rep.shortfalls) - MAX_REPORTED}))
    return rep


def max_servable(
    pairs_origin: np.ndarray,
    pairs_site: np.ndarray,
    demand: np.ndarray,
    capacity: np.ndarray,
) -> tuple[float, np.ndarray]:
    """Largest total requirement that sites at their largest capacity can serve.

    Returns
    -------
    served : float
        The maximum flow.
    short : array of float
        Requirement of every area left unserved in one maximum flow.
    """
    from optimizer.program import LinearProgram
    from optimizer.solvers import solve

    demand = np.asarray(demand, dtype=float)
    capacity = np.asarray(capacity, dtype=float)
    n, P = len(demand), len(pairs_origin)
    lp = LinearProgram()
    z = lp.add_cols(P, cost=-1.0)
    lp.add_rows(n, pairs_origin, z, 1.0, upper=demand)
    fin = np.isfinite(capacity)
    keep = fin[pairs_site]
    site_row = np.cumsum(fin) - 1
    lp.add_rows(int(fin.sum()), site_row[pairs_site[keep]], z[keep], 1.0, upper=capacity[fin])
    out = solve(lp, solver="highs")
    if out.x is None:
        return 0.0, demand.copy()
    served = np.bincount(pairs_origin, weights=out.x[z], minlength=n)
    return float(out.x[z].sum()), np.maximum(demand - served, 0.0)
