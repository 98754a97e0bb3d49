"""Independent verification of a solution, from the input arrays only (not the MILP)."""

from __future__ import annotations

import numpy as np

from errors import SolverError

TOL = 1e-5


def _tol(x: np.ndarray | float) -> np.ndarray:
    return TOL * np.maximum(1.0, np.abs(x))


def verify(
    pairs_origin: np.ndarray,
    pairs_site: np.ndarray,
    demand: np.ndarray,
    *,
    assign_origin: np.ndarray,
    assign_site: np.ndarray,
    assign_amount: np.ndarray,
    unmet: np.ndarray,
    capacity: np.ndarray,
    existing_capacity: np.ndarray,
    opened: np.ndarray,
    min_capacity: np.ndarray | None = None,
    max_capacity: np.ndarray | None = None,
    mode: str = "cover",
    label: str = "",
    raise_on_error: bool = True,
) -> list[str]:
    """Check a solution against the problem it claims to solve.

    Checks that every assignment is between an area and a site within reach and is not
    negative; that no site serves more than its capacity and a site not opened (or
    enlarged) keeps its existing capacity; that opened sites' capacities lie within their
    bounds; and that every requirement is served or reported unmet (``mode='cover'``), or
    that no area is served beyond its requirement (``mode='coverage'``).

    Returns
    -------
    list of str
        The violations (empty when the solution is valid).

    Raises
    ------
    SolverError
        When there are violations and ``raise_on_error`` is true.
    """
    demand = np.asarray(demand, dtype=float)
    n, m = len(demand), len(capacity)
    problems: list[str] = []
    ao = np.asarray(assign_origin, dtype=np.int64)
    asi = np.asarray(assign_site, dtype=np.int64)
    am = np.asarray(assign_amount, dtype=float)
    reach = np.unique(np.asarray(pairs_origin, np.int64) * m + np.asarray(pairs_site, np.int64))
    out = ~np.isin(ao * m + asi, reach)
    if out.any():
        k = np.flatnonzero(out)[:10]
        problems.append("assignments out of reach: " + ", ".join(
            f"area {ao[i]} → site {asi[i]}" for i in k))
    if (am < -TOL).any():
        problems.append(f"{int((am < -TOL).sum())} negative assignments")
    load = np.bincount(asi, weights=am, minlength=m)
    over = np.flatnonzero(load > capacity + _tol(capacity))
    if len(over):
        problems.append("capacity exceeded at sites " + ", ".join(
            f"{j} ({load[j]:.6g} > {capacity[j]:.6g})" for j in over[:10]))
    e = np.asarray(existing_capacity, dtype=float)
    closed = ~np.asarray(opened, dtype=bool)
    with np.errstate(invalid="ignore"):
        diff = np.where(capacity == e, 0.0, np.abs(capacity - e))
    bad = np.flatnonzero(closed & (diff > _tol(e)))
    if len(bad):
        problems.append(f"sites {bad[:10].tolist()} not opened but capacity differs from existing")
    added = np.asarray(opened, dtype=bool) & (capacity > e + _tol(e))
    if min_capacity is not None:
        lo = np.asarray(min_capacity, dtype=float)
        bad = np.flatnonzero(added & (capacity < lo - _tol(lo)))
        if len(bad):
            problems.append(f"sites {bad[:10].tolist()} below their minimum capacity")
    if max_capacity is not None:
        hi = np.asarray(max_capacity, dtype=float)
        bad = np.flatnonzero(added & (capacity > np.maximum(hi, e) + _tol(hi)))
        if len(bad):
            problems.append(f"sites {bad[:10].tolist()} above their maximum capacity")
    served = np.bincount(ao, weights=am, minlength=n)
    un = np.asarray(unmet, dtype=float)
    if mode == "cover":
        short = np.flatnonzero(served + un < demand - _tol(demand))
        if len(short):
            problems.append("requirements neither met nor reported unmet for areas "
                            + ", ".join(str(i) for i in short[:10]))
    overs = np.flatnonzero(served > demand + _tol(demand))
    if len(overs):
        problems.append("areas served beyond their requirement: "
                        + ", ".join(str(i) for i in overs[:10]))
    if problems and raise_on_error:
        raise SolverError(
            f"the solution{(' of ' + label) if label else ''} failed verification:\n"
            + "\n".join(f"  - {p}" for p in problems)
        )
    return problems
