"""Result extraction: from a solution vector to open sites, assignments and unmet demand.

:func:`extract` reads one service's :class:`~optimizer.blocks.Block` into an
:class:`Extraction` (in area and site positions); :func:`result_frames` turns it into the
frames of a :class:`~optimizer.result.SolveResult`, with the canonical reason of every unmet
requirement (``no site within reach``, ``capacity in reach insufficient`` or the model's own).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from optimizer.blocks import Block
from optimizer.classes import disaggregate
from optimizer.inputs import TOL, ServiceData

#: Canonical reason of a requirement with no site in reach (the app labels these values).
NO_SITE_IN_REACH = "no site within reach"
#: Canonical reason of a requirement whose sites in reach are all full at their largest size.
CAPACITY_IN_REACH = "capacity in reach insufficient"
#: Canonical reason of a remainder below one whole unit where capacities are whole (托位): one
#: more place would serve it, and the plan did not add one.
BELOW_ONE_UNIT = "remainder below one whole place"


@dataclass
class Extraction:
    """One service's plan read from a solution, in area and site positions.

    Attributes
    ----------
    svc : ServiceData
        The service.
    open, opened : array of bool
        Sites open after the plan; sites opened or enlarged by it.
    new, cap : array of float
        Capacity added, and total capacity after the plan, at every site.
    assign_origin, assign_site : array of int
        Area and site of every assignment.
    assign_minutes, assign_amount : array of float
        Minutes and amount of every assignment.
    unmet : array of float
        Requirement of every area left unserved.
    load : array of float
        Amount served at every site.
    default_reason : str
        Reason of unmet requirement that neither reach nor capacity explains.
    """

    svc: ServiceData
    open: np.ndarray
    opened: np.ndarray
    new: np.ndarray
    cap: np.ndarray
    assign_origin: np.ndarray
    assign_site: np.ndarray
    assign_minutes: np.ndarray
    assign_amount: np.ndarray
    unmet: np.ndarray
    load: np.ndarray
    default_reason: str

    def cost(self) -> float:
        """Fixed plus unit costs of the sites opened or enlarged."""
        svc = self.svc
        return float(svc.fixed @ self.opened
                     + svc.unit @ np.where(self.opened, self.new, 0.0))


def extract(blk: Block, sol: np.ndarray, *, soft: bool, default_reason: str) -> Extraction:
    """Read one service's plan from the solution vector ``sol``.

    Parameters
    ----------
    blk : Block
        The service's columns.
    sol : array of float
        The solution.
    soft : bool
        Unmet requirement is read from the unmet columns (else it is what is not served).
    default_reason : str
        Reason given to demand left unmet by the model.

    Returns
    -------
    Extraction
        The plan.
    """
    if blk.z is None:
        return _extract_cover(blk, sol, default_reason)
    svc, agg = blk.svc, blk.agg
    n, m = len(svc.demand), len(svc.fixed)
    yv = sol[blk.y] > 0.5
    xv = np.where(yv, np.maximum(sol[blk.x], 0.0), 0.0)
    xv[np.abs(xv - np.round(xv)) < 1e-6] = np.round(xv[np.abs(xv - np.round(xv)) < 1e-6])
    cap = svc.exist + xv
    zc = np.maximum(sol[blk.z], 0.0)
    ao, asi, am = disaggregate(agg, svc.demand, zc)
    # each member's own minutes (merged areas share sites, not times)
    keys = svc.origin * m + svc.site
    order = np.argsort(keys)
    pos = order[np.searchsorted(keys[order], ao * m + asi)]
    at = svc.cost[pos]
    served = np.bincount(ao, weights=am, minlength=n)
    if soft and blk.u is not None:
        uc = np.maximum(sol[blk.u], 0.0)
        share = np.divide(svc.demand, agg.q[agg.cls], out=np.zeros(n),
                          where=agg.q[agg.cls] > 0)
        un = uc[agg.cls] * share
    else:
        un = np.maximum(svc.demand - served, 0.0)
    un[un < 1e-6 * np.maximum(1.0, svc.demand)] = 0.0
    load = np.bincount(asi, weights=am, minlength=m)
    return Extraction(svc, yv | (svc.exist > TOL), yv, xv, cap, ao, asi, at, am, un, load,
                      default_reason)


def _extract_cover(blk: Block, sol: np.ndarray, default_reason: str) -> Extraction:
    """Open sites from the covering form; each area goes whole to its nearest one."""
    svc = blk.svc
    n, m = len(svc.demand), len(svc.fixed)
    yv = sol[blk.y] > 0.5
    is_open = yv | (svc.exist > TOL)
    o, s, t = svc.origin, svc.site, svc.cost
    ok = is_open[s] & (svc.demand[o] > TOL)
    o, s, t = o[ok], s[ok], t[ok]
    order = np.lexsort((t, o))
    o, s, t = o[order], s[order], t[order]
    first = np.ones(len(o), dtype=bool)
    first[1:] = o[1:] != o[:-1]
    ao, asi, at = o[first], s[first], t[first]
    am = svc.demand[ao]
    served = np.bincount(ao, weights=am, minlength=n)
    un = np.maximum(svc.demand - served, 0.0)
    load = np.bincount(asi, weights=am, minlength=m)
    xv = np.where(yv, np.maximum(load - svc.exist, 0.0), 0.0)
    if svc.integer:
        xv = np.ceil(xv - 1e-9)
    return Extraction(svc, is_open, yv, xv, svc.exist + xv, ao, asi, at, am, un, load,
                      default_reason)


def unmet_reasons(ex: Extraction) -> np.ndarray:
    """The canonical reason of every area with unmet requirement (in area order)."""
    svc = ex.svc
    n = len(svc.demand)
    idx = np.flatnonzero(ex.unmet > 0)
    deg = np.bincount(svc.origin, minlength=n)
    maxcap = svc.largest_capacity
    with np.errstate(invalid="ignore"):  # unlimited sites (inf) are never saturated
        saturated = ex.load >= maxcap - 1e-6 * np.maximum(1.0, maxcap)
    # an area is capacity-bound when every site in its reach is full at its largest size
    not_sat = np.bincount(svc.origin, weights=(~saturated[svc.site]).astype(float),
                          minlength=n)
    out = []
    for i in idx:
        if deg[i] == 0:
            out.append(NO_SITE_IN_REACH)
        elif not_sat[i] == 0:
            out.append(CAPACITY_IN_REACH)
        elif svc.integer and ex.unmet[i] < 1.0 - TOL:
            out.append(BELOW_ONE_UNIT)
        else:
            out.append(ex.default_reason)
    return np.array(out, dtype=object)


def result_frames(ex: Extraction, area_ids: np.ndarray, site_ids: np.ndarray,
                  service: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The sites, assignments and unmet frames of one service's plan.

    Parameters
    ----------
    ex : Extraction
        The plan.
    area_ids, site_ids : array
        Labels of the areas and sites.
    service : str, optional
        Added as a first column ``service`` (joint siting).

    Returns
    -------
    sites, assignments, unmet : DataFrame
        As described in :class:`~optimizer.result.SolveResult`.
    """
    svc = ex.svc
    action = np.where(ex.opened & (svc.exist > TOL), "enlarged",
                      np.where(ex.opened, "new",
                               np.where(svc.exist > TOL, "existing", "closed")))
    sites = pd.DataFrame({"id": site_ids, "open": ex.open, "capacity": ex.cap,
                          "new_capacity": ex.new, "existing_capacity": svc.exist,
                          "action": action})
    assign = pd.DataFrame({"origin_id": area_ids[ex.assign_origin],
                           "site_id": site_ids[ex.assign_site], "amount": ex.assign_amount,
                           "minutes": ex.assign_minutes})
    idx = np.flatnonzero(ex.unmet > 0)
    unmet = pd.DataFrame({"id": area_ids[idx], "amount": ex.unmet[idx],
                          "reason": unmet_reasons(ex) if len(idx) else
                          np.array([], dtype=object)})
    if service is not None:
        for df in (sites, assign, unmet):
            df.insert(0, "service", service)
    return sites, assign, unmet
