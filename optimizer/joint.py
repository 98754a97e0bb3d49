r"""Joint siting of several services (child care and elder care) on shared sites.

minimise :math:`\sum_j F_j w_j + \sum_s \sum_j (f^s_j y^s_j + c^s_j x^s_j) (+ P\sum u)` with
every service's covering rows as in minimum-cost provision and :math:`y^s_j \le w_j`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Self

import numpy as np
import pandas as pd

from core.messages import Message
from errors import InputError
from optimizer.base import SitingModel
from optimizer.blocks import Block, BlockForm, default_penalty
from optimizer.inputs import (
    SITE_PARAMS,
    ServiceData,
    infer_n_sites,
    match_frames,
    pop_frame_columns,
    service_arrays,
    site_column,
)
from optimizer.messages import IN_REACH
from optimizer.program import LinearProgram
from optimizer.result import SolveResult
from optimizer.rules import SideRules

#: Per-site parameters given per service (``<service>_<param>`` columns in the frames).


def _column(a: Any, s: int) -> Any:
    """Column ``s`` of a per-site, per-service array (a 1-D array serves every service)."""
    if a is None:
        return None
    a = np.asarray(a, dtype=float)
    return a[:, s] if a.ndim == 2 else a


class JointSiting(SitingModel):
    r"""Joint siting of several services (child care and elder care) on shared sites.

    minimise :math:`\sum_j F_j w_j + \sum_s \sum_j (f^s_j y^s_j + c^s_j x^s_j) (+ P\sum u)`
    with every service's covering rows as in :class:`~optimizer.MinCostProvision`,
    :math:`y^s_j \le w_j` (a service opens only on a site in use) and, optionally, a shared
    floor area :math:`\sum_s a_s (e^s_j + x^s_j) \le A_j`.  :math:`F_j` is the cost shared by
    all services on site *j* (land, building shell: paid once when both open, as in the plans'
    社区服务综合体 and 共建共享); sites already in use (any existing capacity) carry no shared cost.
    After solving, ``result.details['shared_sites']`` lists the sites where several services
    open.

    Parameters
    ----------
    services : list of ServiceData
        The checked arrays of every service (see :meth:`from_cost_matrix`).
    shared_fixed_cost : array of float
        Cost paid once per site used by any service.
    site_area : array of float, optional
        Floor area of every site.
    area_per_unit : sequence of float, optional
        Floor area per unit of each service.
    allow_unmet : bool
        Soft form.
    unmet_penalty : float, optional
        Cost per unit unmet (default: dearer than any site, per service).
    **kw
        Options of :class:`~optimizer.base.SitingModel`.
    """

    name_code = "optimizer.model.joint"

    def __init__(self, services: list[ServiceData], *, shared_fixed_cost: np.ndarray,
                 site_area: np.ndarray | None, area_per_unit: Sequence[float] | None,
                 allow_unmet: bool, unmet_penalty: float | None, **kw: Any) -> None:
        super().__init__(services, **kw)
        self.shared_fixed_cost = shared_fixed_cost
        self.site_area = site_area
        self.area_per_unit = area_per_unit
        self._soft = allow_unmet
        self.unmet_penalty = [(default_penalty(s) + float(shared_fixed_cost.max(initial=0)))
                              if unmet_penalty is None else float(unmet_penalty)
                              for s in services]

    @classmethod
    def from_cost_matrix(
        cls,
        pairs_origin: np.ndarray,
        pairs_site: np.ndarray,
        cost: np.ndarray,
        demand: np.ndarray,
        *,
        services: Sequence[str] = ("childcare", "eldercare"),
        max_cost: Sequence[float | None] | float | None = None,
        n_sites: int | None = None,
        fixed_cost: np.ndarray | None = None,
        unit_cost: np.ndarray | None = None,
        min_capacity: np.ndarray | None = None,
        max_capacity: np.ndarray | None = None,
        existing_capacity: np.ndarray | None = None,
        shared_fixed_cost: np.ndarray | float | None = None,
        site_area: np.ndarray | None = None,
        area_per_unit: Sequence[float] | None = None,
        allow_unmet: bool = False,
        unmet_penalty: float | None = None,
        rules: Mapping[str, SideRules] | None = None,
        area_ids: np.ndarray | None = None,
        site_ids: np.ndarray | None = None,
        aggregate: bool = True,
        strong: bool = True,
        reach_label: str | Message = IN_REACH,
        integer_capacity: bool | Sequence[bool] = True,
    ) -> Self:
        r"""Build from sparse pairs shared by the services.

        Parameters
        ----------
        pairs_origin, pairs_site, cost : array
            Area index, site index and minutes of every pair.
        demand : array (n_areas, n_services)
            Requirement of every area for every service.
        services : sequence of str
            Service names, in the column order of ``demand`` and the site arrays.
        max_cost : float or sequence
            Reach cutoff per service (e.g. shorter for the elderly walking more slowly).
        n_sites : int, optional
            Number of sites.
        fixed_cost, unit_cost, min_capacity, max_capacity, existing_capacity : array (m, S)
            Per-site, per-service parameters (a 1-D array is used for every service).
        shared_fixed_cost : array (m,)
            Cost paid once per site used by any service.
        site_area, area_per_unit : optional
            Floor area of every site and floor area per unit of each service; when given,
            :math:`\sum_s a_s \cdot capacity_s \le A_j`.
        allow_unmet : bool
            Soft form.
        unmet_penalty : float, optional
            Cost per unit unmet.
        rules : mapping service -> SideRules, optional
            Rules on the open sites of every service.
        area_ids, site_ids : array, optional
            Labels used in results and messages.
        aggregate, strong : bool
            As in :meth:`MinCostProvision.from_cost_matrix
            <optimizer.MinCostProvision.from_cost_matrix>`.
        reach_label : str or Message
            How reach is named in messages.
        integer_capacity : bool or sequence of bool
            Whole units of capacity, for every service or per service in ``services`` order
            (e.g. ``(True, False)`` for 托位 and m² of elder-care floor area).

        Returns
        -------
        JointSiting
            The model, not yet solved.
        """
        q = np.asarray(demand, dtype=float)
        if q.ndim == 1:
            q = q[:, None]
        S = len(services)
        if q.shape[1] != S:
            raise InputError([Message("optimizer.input.demand_columns",
                                      {"columns": q.shape[1], "services": S})],
                             source="JointSiting")
        m = n_sites if n_sites is not None else infer_n_sites(
            pairs_site, fixed_cost, unit_cost, min_capacity, max_capacity, existing_capacity,
            site_ids, shared_fixed_cost)
        cut = (list(max_cost) if isinstance(max_cost, Sequence) else [max_cost] * S)
        whole = ([bool(v) for v in integer_capacity]
                 if isinstance(integer_capacity, Sequence) else [bool(integer_capacity)] * S)
        if len(whole) != S:
            raise InputError([Message("optimizer.input.integer_entries",
                                      {"entries": len(whole), "services": S})],
                             source="JointSiting")
        svcs = [
            service_arrays(name, pairs_origin, pairs_site, cost, q[:, s], n_sites=m,
                           fixed_cost=_column(fixed_cost, s), unit_cost=_column(unit_cost, s),
                           min_capacity=_column(min_capacity, s),
                           max_capacity=_column(max_capacity, s),
                           existing_capacity=_column(existing_capacity, s),
                           max_cost=cut[s], rules=(rules or {}).get(name),
                           integer_capacity=whole[s])
            for s, name in enumerate(services)
        ]
        F = (np.zeros(m) if shared_fixed_cost is None
             else np.broadcast_to(np.asarray(shared_fixed_cost, float), (m,)).copy())
        if (F < 0).any() or not np.isfinite(F).all():
            raise InputError([Message("optimizer.input.shared_cost")], source="JointSiting")
        return cls(svcs, shared_fixed_cost=F,
                   site_area=None if site_area is None else np.asarray(site_area, float),
                   area_per_unit=area_per_unit, allow_unmet=allow_unmet,
                   unmet_penalty=unmet_penalty, area_ids=area_ids, site_ids=site_ids,
                   aggregate=aggregate, strong=strong, reach_label=reach_label)

    @classmethod
    def from_geodataframe(cls, areas: pd.DataFrame, sites: pd.DataFrame, pairs: pd.DataFrame,
                          *, demand_cols: Sequence[str] = ("childcare", "eldercare"),
                          services: Sequence[str] | None = None,
                          prefix_sep: str = "_", **kw: Any) -> Self:
        """Build from frames matched by id.

        Parameters
        ----------
        areas, sites, pairs : DataFrame
            As in :meth:`MinCostProvision.from_geodataframe
            <optimizer.MinCostProvision.from_geodataframe>`, with ``demand_cols`` in areas
            and site parameters in columns ``<service>_fixed_cost``, ``<service>_unit_cost``,
            ``<service>_min_capacity``, ``<service>_max_capacity``,
            ``<service>_existing_capacity`` and ``shared_fixed_cost`` (``site_area``
            optional).
        demand_cols : sequence of str
            Requirement columns of ``areas``, one per service.
        services : sequence of str, optional
            Service names (default: ``demand_cols``).
        prefix_sep : str
            Separator of service and parameter in the site columns.
        **kw
            Column names (``area_id_col`` …) and options of :meth:`from_cost_matrix`.

        Returns
        -------
        JointSiting
            The model, not yet solved.
        """
        services = list(services or demand_cols)
        fi = match_frames(areas, sites, pairs, demand_cols=list(demand_cols),
                          **pop_frame_columns(kw))
        arrays: dict[str, Any] = {}
        for p in SITE_PARAMS:
            cols = [site_column(sites, f"{s}{prefix_sep}{p}", "sites") for s in services]
            if any(c is not None for c in cols):
                arrays[p] = np.column_stack([
                    c if c is not None else np.full(fi.n_sites, np.nan) for c in cols])
        for p in ("shared_fixed_cost", "site_area"):
            v = site_column(sites, p, "sites")
            if v is not None:
                # a blank floor area puts no limit on the site (it is not a site of 0 m²)
                arrays[p] = (np.nan_to_num(v, nan=np.inf, posinf=np.inf) if p == "site_area"
                             else np.nan_to_num(v))
        arrays.update(kw)
        return cls.from_cost_matrix(fi.origin, fi.site, fi.minutes, fi.demand,
                                    services=services, area_ids=fi.area_ids,
                                    site_ids=fi.site_ids, n_sites=fi.n_sites, **arrays)

    def _precheck(self) -> None:
        for svc in self.services:
            self._feasibility(svc, raise_=not self._soft)

    def _build(self) -> tuple[LinearProgram, list[Block]]:
        lp = LinearProgram()
        m = self.n_sites
        in_use = np.zeros(m, dtype=bool)
        for svc in self.services:
            in_use |= svc.exist > 1e-6
        w = lp.add_cols(m, cost=np.where(in_use, 0.0, self.shared_fixed_cost),
                        lower=in_use.astype(float), upper=1.0, integer=True)
        blocks = []
        for s, svc in enumerate(self.services):
            blk = self._block(lp, svc, BlockForm(mode="cover", soft=self._soft,
                                                 penalty=self.unmet_penalty[s],
                                                 cover_form=self.site_area is None))
            lp.add_rows(m, np.r_[np.arange(m), np.arange(m)], np.r_[blk.y, w],
                        np.r_[np.ones(m), -np.ones(m)], upper=0.0)
            blocks.append(blk)
        if self.site_area is not None and self.area_per_unit is not None:
            a = np.asarray(self.area_per_unit, dtype=float)
            used = sum(a[s] * svc.exist for s, svc in enumerate(self.services))
            rows = np.concatenate([np.arange(m)] * len(blocks))
            cols = np.concatenate([b.x for b in blocks])
            vals = np.concatenate([np.full(m, a[s]) for s in range(len(blocks))])
            lp.add_rows(m, rows, cols, vals, upper=np.maximum(self.site_area - used, 0.0))
        return lp, blocks

    def _after_solve(self, res: SolveResult) -> None:
        """List the sites where several services open, and add the shared costs paid."""
        if len(res.sites):
            open_by = res.sites[res.sites["open"]].groupby("id")["service"].nunique()
            res.details["shared_sites"] = open_by[open_by > 1].index.tolist()
            # the shared part is paid on the sites opened here: a site already in use (an
            # existing facility) costs nothing, as in the model (_build)
            in_use = np.zeros(self.n_sites, dtype=bool)
            for svc in self.services:
                in_use |= svc.exist > 1e-6
            opened = np.isin(self.site_ids, res.sites[res.sites["open"]]["id"]) & ~in_use
            res.details["cost"] = float(res.details.get("cost", 0.0)) + float(
                self.shared_fixed_cost[opened].sum())
