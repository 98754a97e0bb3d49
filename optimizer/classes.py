"""Demand classes: areas with the same sites in reach merged before building a model.

Wherever the objective does not depend on the walking time the merge is exact; the solution
is split back to the areas in proportion to their requirements (:func:`disaggregate`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optimizer.inputs import TOL, ServiceData


@dataclass
class DemandClasses:
    """Areas merged into demand classes with identical reach.

    Attributes
    ----------
    cls : array of int
        Class of every area.
    q : array of float
        Requirement of every class.
    k, j, t : array
        Class, site and minutes of every class pair.
    """

    cls: np.ndarray
    q: np.ndarray
    k: np.ndarray
    j: np.ndarray
    t: np.ndarray

    @property
    def K(self) -> int:  # noqa: N802 - the notation of the models
        """Number of classes."""
        return len(self.q)

    def reach_demand(self, n_sites: int) -> np.ndarray:
        """Requirement of the classes in reach of every site."""
        return np.bincount(self.j, weights=self.q[self.k], minlength=n_sites)


def aggregate(svc: ServiceData, *, with_cost: bool, enabled: bool = True) -> DemandClasses:
    """Merge the areas of ``svc`` with the same sites (and, ``with_cost``, minutes) in reach.

    Parameters
    ----------
    svc : ServiceData
        The service.
    with_cost : bool
        Merge only areas whose minutes to every site agree too.
    enabled : bool
        False keeps one class per area.

    Returns
    -------
    DemandClasses
        The classes (pairs of classes with no requirement dropped).
    """
    n = len(svc.demand)
    o, s, t = svc.origin, svc.site, svc.cost
    order = np.lexsort((s, o))
    o, s, t = o[order], s[order], t[order]
    if not enabled:
        return DemandClasses(np.arange(n), svc.demand.copy(), o, s, t)
    starts = np.searchsorted(o, np.arange(n), side="left")
    ends = np.searchsorted(o, np.arange(n), side="right")
    keys: dict[bytes, int] = {}
    cls = np.empty(n, dtype=np.int64)
    for i in range(n):
        key = s[starts[i]:ends[i]].tobytes()
        if with_cost:
            key += b"|" + t[starts[i]:ends[i]].tobytes()
        cls[i] = keys.setdefault(key, len(keys))
    K = len(keys)
    q = np.bincount(cls, weights=svc.demand, minlength=K)
    rep = np.full(K, -1, dtype=np.int64)
    rep[cls[::-1]] = np.arange(n)[::-1]  # first area of every class
    is_rep = np.zeros(n, dtype=bool)
    is_rep[rep] = True
    keep = is_rep[o] & (q[cls[o]] > 0)
    return DemandClasses(cls, q, cls[o[keep]], s[keep], t[keep])


def disaggregate(agg: DemandClasses, demand: np.ndarray,
                 amount: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split class-pair amounts to the member areas in proportion to their requirement.

    Returns
    -------
    area, site, amount : array
        One row per area and site with a positive amount.
    """
    pos = np.flatnonzero(amount > TOL)
    order = np.argsort(agg.cls, kind="stable")
    counts = np.bincount(agg.cls, minlength=agg.K)
    start = np.concatenate([[0], np.cumsum(counts)[:-1]])
    kp = agg.k[pos]
    rep = counts[kp]
    idx = np.repeat(np.arange(len(pos)), rep)
    offs = np.arange(len(idx)) - np.repeat(np.cumsum(rep) - rep, rep)
    member = order[start[kp[idx]] + offs]
    share = np.divide(demand[member], agg.q[kp[idx]], out=np.zeros(len(idx)),
                      where=agg.q[kp[idx]] > 0)
    amt = amount[pos][idx] * share
    near = np.abs(amt - np.round(amt)) < 1e-7 * np.maximum(1.0, amt)
    amt[near] = np.round(amt[near])
    keep = amt > TOL
    return member[keep], agg.j[pos][idx][keep], amt[keep]
