r"""Minimum-cost full provision (capacitated covering).

minimise :math:`\sum_j f_j y_j + \sum_j c_j x_j (+ P \sum_i u_i)` subject to
:math:`\sum_{j\in N(i)} z_{ij} (+ u_i) = q_i`, :math:`\sum_i z_{ij} \le e_j + x_j`,
:math:`\max(L_j-e_j,0) y_j \le x_j \le (U_j-e_j) y_j`, and the side rules.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from core.messages import Message
from optimizer import heuristics
from optimizer.base import SingleServiceModel
from optimizer.blocks import Block, BlockForm, cover_pairs, default_penalty
from optimizer.inputs import TOL, ServiceData, service_arrays
from optimizer.messages import IN_REACH
from optimizer.program import LinearProgram
from optimizer.rules import SideRules, repair_counts


class MinCostProvision(SingleServiceModel):
    r"""Minimum-cost full provision (capacitated covering).

    minimise :math:`\sum_j f_j y_j + \sum_j c_j x_j (+ P \sum_i u_i)` subject to
    :math:`\sum_{j\in N(i)} z_{ij} (+ u_i) = q_i`, :math:`\sum_i z_{ij} \le e_j + x_j`,
    :math:`\max(L_j-e_j,0) y_j \le x_j \le (U_j-e_j) y_j`, and the side rules.

    Existing sites keep their capacity :math:`e_j`; :math:`y_j = 1` at an existing site means
    enlarging it at fixed cost :math:`f_j` plus :math:`c_j` per unit added, up to a total of
    :math:`U_j`.  In the hard form (default) a requirement that cannot be served raises
    :class:`errors.InfeasibleError` with the numbers before any solver runs; the soft form
    (``allow_unmet=True``) serves what it can and reports, per area, why the rest is unmet.

    Parameters
    ----------
    svc : ServiceData
        The checked arrays (see :meth:`from_cost_matrix`).
    allow_unmet : bool
        Soft form.
    unmet_penalty : float, optional
        Cost per unit unmet (default: dearer than any site).
    **kw
        Options of :class:`~optimizer.base.SitingModel`.
    """

    name_code = "optimizer.model.min_cost"
    _unmet_reason = "cheaper to leave unmet at the given penalty"
    _start_default = True

    def __init__(self, svc: ServiceData, *, allow_unmet: bool = False,
                 unmet_penalty: float | None = None, **kw: Any) -> None:
        super().__init__([svc], **kw)
        self._soft = allow_unmet
        self.unmet_penalty = (default_penalty(svc) if unmet_penalty is None
                              else float(unmet_penalty))

    @classmethod
    def from_cost_matrix(
        cls,
        pairs_origin: np.ndarray,
        pairs_site: np.ndarray,
        cost: np.ndarray,
        demand: np.ndarray,
        *,
        n_sites: int | None = None,
        fixed_cost: np.ndarray | float | None = None,
        unit_cost: np.ndarray | float | None = None,
        min_capacity: np.ndarray | float | None = None,
        max_capacity: np.ndarray | float | None = None,
        existing_capacity: np.ndarray | float | None = None,
        max_cost: float | None = None,
        allow_unmet: bool = False,
        unmet_penalty: float | None = None,
        rules: SideRules | None = None,
        area_ids: np.ndarray | None = None,
        site_ids: np.ndarray | None = None,
        aggregate: bool = True,
        strong: bool = True,
        reach_label: str | Message = IN_REACH,
        integer_capacity: bool = True,
    ) -> MinCostProvision:
        r"""Build from sparse pairs within reach.

        Parameters
        ----------
        pairs_origin, pairs_site : array of int
            Area index and site index of every pair within reach.
        cost : array of float
            Walking minutes of every pair (pairs above ``max_cost`` are dropped).
        demand : array of float
            Requirement :math:`q_i` of every area (托位, m², ...).
        n_sites : int, optional
            Number of sites (default: from the site arrays or the largest site index).
        fixed_cost, unit_cost, min_capacity, max_capacity, existing_capacity : array or float
            Per-site :math:`f_j, c_j, L_j, U_j, e_j` (defaults 0, 0, 0, inf, 0; NaN = default).
        max_cost : float, optional
            Reach cutoff applied to ``cost``.
        allow_unmet : bool
            Soft form: unmet requirement allowed at ``unmet_penalty`` per unit.
        unmet_penalty : float, optional
            Cost per unit unmet (default: dearer than opening any site).
        rules : SideRules, optional
            Groups and kind shares.
        area_ids, site_ids : array, optional
            Labels used in results and messages.
        aggregate : bool
            Merge areas with identical reach (exact for this model).
        strong : bool
            Add :math:`z_{ij} \le q_i y_j` for new sites.
        reach_label : str or Message
            How reach is named in messages (e.g. ``"within 15 minutes"``, or
            :func:`optimizer.messages.reach_within`).
        integer_capacity : bool
            Capacity comes in whole units (托位, beds): the capacity added at a site is an
            integer, its bounds rounded inward (default).  Pass False for divisible units
            such as m² of elder-care floor area.  Amounts assigned stay continuous, since
            requirements are fractional (52.4 托位 needs a site of 53).

        Returns
        -------
        MinCostProvision
            The model, not yet solved.
        """
        svc = service_arrays("demand", pairs_origin, pairs_site, cost, demand, n_sites=n_sites,
                             fixed_cost=fixed_cost, unit_cost=unit_cost,
                             min_capacity=min_capacity, max_capacity=max_capacity,
                             existing_capacity=existing_capacity, max_cost=max_cost,
                             rules=rules, integer_capacity=integer_capacity, site_ids=site_ids)
        return cls(svc, allow_unmet=allow_unmet, unmet_penalty=unmet_penalty,
                   area_ids=area_ids, site_ids=site_ids, aggregate=aggregate, strong=strong,
                   reach_label=reach_label)

    def _precheck(self) -> None:
        self._feasibility(self.services[0], raise_=not self._soft)

    def _start_vector(self, lp: LinearProgram, blocks: list[Block],
                      seconds: float) -> tuple[np.ndarray, str] | None:
        """Hard set covering (unlimited capacity): greedy cover + redundancy elimination.

        The capacitated form has the LP-rounding warm start instead.
        """
        blk = blocks[0]
        if not blk.covering or self._soft:
            return None
        a = lp.arrays()
        x0 = a.at_zero()
        allowed = a.upper[blk.y] > 0.5
        r, c, n = cover_pairs(blk, allowed)
        op = heuristics.greedy_cover(r, c, n, self.n_sites, cost=self.services[0].fixed,
                                     allowed=allowed, forced=a.lower[blk.y] > 0.5,
                                     seconds=seconds)
        if op is None:
            return None
        svc = self.services[0]
        if svc.rules.has_groups:
            exist = svc.exist > TOL
            op = repair_counts(op | exist, svc.rules, allowed, svc.fixed) & ~exist
        x0[blk.y] = op
        return x0, ("greedy set cover (cost per newly covered class) + redundancy "
                    "elimination + iterated greedy")

    def _build(self) -> tuple[LinearProgram, list[Block]]:
        lp = LinearProgram()
        svc = self.services[0]
        blk = self._block(lp, svc, BlockForm(mode="cover", soft=self._soft,
                                             penalty=self.unmet_penalty,
                                             dominance_cost=svc.fixed))
        return lp, [blk]
