r"""Minimum-cost provision solved group by group: areas and sites that cannot reach each other.

Within the walking limit a province falls apart into groups of areas and sites joined by
reach pairs — cities, counties, towns, sometimes districts of one city. Without a global
constraint the minimum-cost model (:class:`optimizer.MinCostProvision`) is separable: its
objective is a sum over sites, and every covering and capacity row stays inside one group, so
the optimum of the whole is exactly the union of the groups' optima, and its cost the sum of
theirs. Each group's model is far smaller than the whole (HiGHS' effort grows much faster than
linearly with the model), and the groups can be solved in parallel, e.g. on a Dask client.

Groups are the connected components of the bipartite reach graph (areas and sites as nodes,
pairs within ``max_cost`` as edges), found with :func:`scipy.sparse.csgraph.connected_components`.
Small groups are packed together into one model of at most ``batch_pairs`` pairs (a model of
independent blocks is still exact); a large group is a model of its own.

Exactness and what keeps the single model
    * Site-count rules per group of sites (:class:`optimizer.SideRules` ``min_open_per_group``
      and ``counts``, e.g. one per 街道) join every component holding sites that count for one
      group of any rule, so each rule stays inside one model: still exact.
    * Shares of capacity by kind (``kind_shares``) bound the whole plan: the single model is
      solved.
    * The soft form's unmet penalty is the whole model's (``unmet_penalty`` of a
      :class:`~optimizer.MinCostProvision` built on every area and site), not each group's.

Gaps
    Each model is solved to the relative ``gap``; the union's gap, ``(Σ objective − Σ bound) /
    Σ objective``, is then at most the largest of them, and the union is proven optimal within
    ``gap`` when every model is.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from optimizer.mincost import MinCostProvision
from optimizer.program import relative_gap
from optimizer.result import SolveResult
from optimizer.rules import CountRule, SideRules

__all__ = ["Decomposition", "reach_groups", "solve_min_cost_decomposed"]


@dataclass
class Decomposition:
    """How the areas and sites split: group of each, and the models they are packed into."""

    area_group: np.ndarray
    site_group: np.ndarray
    n_groups: int
    #: (area indices, site indices) of each model, largest first
    batches: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)

    def sizes(self) -> pd.DataFrame:
        """Areas and sites per group, largest first."""
        a = np.bincount(self.area_group, minlength=self.n_groups)
        s = np.bincount(self.site_group, minlength=self.n_groups)
        out = pd.DataFrame({"group": np.arange(self.n_groups), "areas": a, "sites": s})
        return out.sort_values(["areas", "sites"], ascending=False, ignore_index=True)


def reach_groups(pairs_origin: np.ndarray, pairs_site: np.ndarray, n_areas: int,
                 n_sites: int, *,
                 site_rule_group: np.ndarray | Sequence[np.ndarray] | None = None
                 ) -> tuple[np.ndarray, np.ndarray, int]:
    """Group of every area and every site: connected by reach pairs (and by rule groups).

    Parameters
    ----------
    pairs_origin, pairs_site : array of int
        Area and site index of every pair within reach.
    n_areas, n_sites : int
        Numbers of areas and sites.
    site_rule_group : array of int, or a sequence of them, optional
        Rule group of every site (``-1`` for none), one array per site-count rule; sites of
        one group of any rule are joined.

    Returns
    -------
    (area group, site group, number of groups)
    """
    o = np.asarray(pairs_origin, dtype=np.int64)
    s = np.asarray(pairs_site, dtype=np.int64) + n_areas
    rows, cols = [o], [s]
    if site_rule_group is None:
        groups: list[np.ndarray] = []
    elif isinstance(site_rule_group, np.ndarray) and site_rule_group.ndim == 1:
        groups = [site_rule_group]
    else:
        groups = list(site_rule_group)
    for g in groups:
        g = np.asarray(g, dtype=np.int64)
        idx = np.flatnonzero(g >= 0)
        order = idx[np.argsort(g[idx], kind="stable")]
        same = g[order[1:]] == g[order[:-1]]
        rows.append(order[:-1][same] + n_areas)
        cols.append(order[1:][same] + n_areas)
    r = np.concatenate(rows)
    c = np.concatenate(cols)
    n = n_areas + n_sites
    graph = coo_matrix((np.ones(len(r), dtype=np.int8), (r, c)), shape=(n, n)).tocsr()
    k, labels = connected_components(graph, directed=False)
    return labels[:n_areas], labels[n_areas:], int(k)


def _pack(area_group: np.ndarray, site_group: np.ndarray, pair_group: np.ndarray,
          n_groups: int, batch_pairs: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Groups packed into models of at most ``batch_pairs`` pairs (a bigger group alone)."""
    weight = (np.bincount(pair_group, minlength=n_groups)
              + np.bincount(area_group, minlength=n_groups)
              + np.bincount(site_group, minlength=n_groups))
    order = np.argsort(-weight, kind="stable")
    bins: list[list[int]] = []
    load: list[int] = []
    for g in order:
        w = int(weight[g])
        if bins and load[-1] + w <= batch_pairs:
            bins[-1].append(int(g))
            load[-1] += w
        else:
            bins.append([int(g)])
            load.append(w)
    a_order = np.argsort(area_group, kind="stable")
    s_order = np.argsort(site_group, kind="stable")
    a_start = np.searchsorted(area_group[a_order], np.arange(n_groups + 1))
    s_start = np.searchsorted(site_group[s_order], np.arange(n_groups + 1))
    out = []
    for b in bins:
        areas = np.sort(np.concatenate([a_order[a_start[g]:a_start[g + 1]] for g in b]))
        sites = np.sort(np.concatenate([s_order[s_start[g]:s_start[g + 1]] for g in b]))
        out.append((areas, sites))
    return out


def _take(v: Any, idx: np.ndarray) -> Any:
    return v[idx] if isinstance(v, np.ndarray) and v.ndim >= 1 else v


def _solve_batch(spec: dict[str, Any]) -> SolveResult:
    """Build and solve one model of the decomposition (a Dask task)."""
    solve = spec.pop("solve")
    model = MinCostProvision.from_cost_matrix(spec.pop("po"), spec.pop("ps"), spec.pop("t"),
                                              spec.pop("q"), **spec)
    model.solve(**solve)
    assert model.result is not None
    return model.result


def _merge(results: list[SolveResult], batches: list[tuple[np.ndarray, np.ndarray]],
           area_ids: np.ndarray, site_ids: np.ndarray, seconds: float,
           solver: str) -> SolveResult:
    """One result for the whole: sums, the weakest status, rows in the input's order."""
    statuses = [r.status for r in results]
    status = next((s for s in ("no solution", "feasible", "optimal") if s in statuses),
                  statuses[0] if statuses else "optimal")
    objs = [r.objective for r in results]
    bounds = [r.bound for r in results]
    obj = None if any(v is None for v in objs) else float(sum(v or 0.0 for v in objs))
    bound = None if any(v is None for v in bounds) else float(sum(v or 0.0 for v in bounds))
    gap = relative_gap(obj, bound)  # as HiGHS defines it, like every other model
    a_pos = pd.Series(np.arange(len(area_ids)), index=pd.Index(area_ids))
    s_pos = pd.Series(np.arange(len(site_ids)), index=pd.Index(site_ids))

    def cat(name: str, *by: tuple[str, pd.Series]) -> pd.DataFrame:
        """The models' frames of one kind in the input's order (``by``: column, positions)."""
        frames = [getattr(r, name) for r in results]
        df = pd.concat([f for f in frames if len(f)] or frames[:1], ignore_index=True)
        if not len(df):
            return df
        keys = [df[col].map(pos).to_numpy() for col, pos in reversed(by)]
        return df.iloc[np.lexsort(keys)].reset_index(drop=True)

    details = {
        "decomposition": {
            "models": len(results),
            "per_model": [{"areas": int(len(a)), "sites": int(len(s)), "status": r.status,
                           "gap": r.gap, "seconds": round(float(r.seconds), 3)}
                          for r, (a, s) in zip(results, batches, strict=True)],
        },
        "cost": float(sum(float(r.details.get("cost", 0.0)) for r in results)),
        "unmet_total": float(sum(float(r.details.get("unmet_total", 0.0)) for r in results)),
    }
    return SolveResult(
        status=status, proven_optimal=all(r.proven_optimal for r in results),
        objective=obj, bound=bound, gap=gap, seconds=seconds,
        sites=cat("sites", ("id", s_pos)),
        assignments=cat("assignments", ("origin_id", a_pos), ("site_id", s_pos)),
        unmet=cat("unmet", ("id", a_pos)),
        solver=solver, details=details)


def solve_min_cost_decomposed(
    pairs_origin: np.ndarray,
    pairs_site: np.ndarray,
    cost: np.ndarray,
    demand: np.ndarray,
    *,
    n_sites: int,
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
    integer_capacity: bool = True,
    solver: str = "highs",
    time_limit: float | None = None,
    gap: float | None = None,
    threads: int | None = None,
    client: Any | None = None,
    batch_pairs: int = 50_000,
) -> tuple[SolveResult, Decomposition]:
    """Minimum-cost provision as the union of its groups' plans (see the module notes).

    Parameters are those of :meth:`optimizer.MinCostProvision.from_cost_matrix` and of its
    ``solve`` (``time_limit`` applies to each model), plus:

    client : distributed.Client, optional
        Solve the models as tasks on this client (largest first); else one after another.
    batch_pairs : int
        Groups are packed into models of at most this many pairs (plus areas and sites).

    Returns
    -------
    (SolveResult, Decomposition)
        The union's result — ``sites``, ``assignments`` and ``unmet`` as the single model
        gives them, objective and bound summed, ``details['decomposition']`` per model — and
        how the instance split. With ``kind_shares`` in ``rules`` the single model is solved
        (one group).

    Raises
    ------
    errors.InfeasibleError, errors.SolverError
        As the models raise them (a hard requirement out of reach names its areas).
    """
    t0 = time.perf_counter()
    po = np.asarray(pairs_origin, dtype=np.int64)
    ps = np.asarray(pairs_site, dtype=np.int64)
    t = np.asarray(cost, dtype=float)
    q = np.asarray(demand, dtype=float)
    n = len(q)
    if max_cost is not None:
        keep = t <= max_cost
        po, ps, t = po[keep], ps[keep], t[keep]
    area_ids = np.arange(n) if area_ids is None else np.asarray(area_ids)
    site_ids = np.arange(n_sites) if site_ids is None else np.asarray(site_ids)
    params: dict[str, Any] = {
        "fixed_cost": fixed_cost, "unit_cost": unit_cost, "min_capacity": min_capacity,
              "max_capacity": max_capacity, "existing_capacity": existing_capacity}
    params = {k: (np.asarray(v, dtype=float) if v is not None and np.ndim(v) else v)
              for k, v in params.items()}
    if allow_unmet and unmet_penalty is None:
        # the whole model's penalty, so that every group weighs unmet demand alike
        unmet_penalty = MinCostProvision.from_cost_matrix(
            po, ps, t, q, n_sites=n_sites, allow_unmet=True, area_ids=area_ids,
            site_ids=site_ids, integer_capacity=integer_capacity, aggregate=False,
            **params).unmet_penalty
    global_rule = rules is not None and bool(rules.kind_shares)
    rule_group = None if rules is None else [r.group for r in rules.count_rules]
    if global_rule:
        ag = np.zeros(n, dtype=np.int64)
        sg = np.zeros(n_sites, dtype=np.int64)
        k = 1
    else:
        ag, sg, k = reach_groups(po, ps, n, n_sites, site_rule_group=rule_group)
    batches = _pack(ag, sg, ag[po], k, batch_pairs)
    dec = Decomposition(area_group=ag, site_group=sg, n_groups=k, batches=batches)
    a_local = np.empty(n, dtype=np.int64)
    s_local = np.empty(n_sites, dtype=np.int64)
    pair_batch = np.empty(k, dtype=np.int64)
    for b, (areas, _sites) in enumerate(batches):
        pair_batch[ag[areas]] = b
    by_batch = pair_batch[ag[po]] if len(po) else np.zeros(0, np.int64)
    order = np.argsort(by_batch, kind="stable")
    starts = np.searchsorted(by_batch[order], np.arange(len(batches) + 1))
    solve = {"solver": solver, "time_limit": time_limit, "gap": gap, "threads": threads}
    specs = []
    for b, (areas, sites) in enumerate(batches):
        a_local[areas] = np.arange(len(areas))
        s_local[sites] = np.arange(len(sites))
        sel = order[starts[b]:starts[b + 1]]
        spec: dict[str, Any] = {
            "po": a_local[po[sel]], "ps": s_local[ps[sel]], "t": t[sel], "q": q[areas],
            "n_sites": len(sites), "allow_unmet": allow_unmet, "unmet_penalty": unmet_penalty,
            "area_ids": area_ids[areas], "site_ids": site_ids[sites],
            "integer_capacity": integer_capacity, "solve": dict(solve),
            **{key: _take(v, sites) for key, v in params.items()}}
        if rules is not None:
            spec["rules"] = SideRules(
                site_kind=None if rules.site_kind is None else rules.site_kind[sites],
                kind_shares=rules.kind_shares,
                counts=[r.subset(sites, _rules_in(r, sites, first=b == 0))
                        for r in rules.count_rules])
        specs.append(spec)
    if client is not None:
        futures = [client.submit(_solve_batch, s, pure=False) for s in specs]
        results = client.gather(futures)
    else:
        results = [_solve_batch(s) for s in specs]
    merged = _merge(list(results), batches, area_ids, site_ids, time.perf_counter() - t0,
                    solver)
    merged.details["decomposition"].update(groups=k, batch_pairs=batch_pairs,
                                           single_model=global_rule)
    return merged, dec


def _rules_in(rule: CountRule, sites: np.ndarray, *, first: bool) -> np.ndarray:
    """Least open sites per group of one site-count rule, kept for the groups here.

    Every site that counts for a group lies in one model (the groups are joined), so a group
    is wholly here or wholly elsewhere; a group with no such site anywhere keeps its
    requirement in the first model, where it is infeasible as in the single model.
    """
    need = np.asarray(rule.min_open).copy()
    here = np.zeros(len(need), dtype=bool)
    ga = rule.group
    g = ga[sites]
    here[g[g >= 0]] = True
    anywhere = np.zeros(len(need), dtype=bool)
    anywhere[ga[ga >= 0]] = True
    return np.where(here | (~anywhere & first), need, 0)
