r"""Siting models: capacitated covering, maximum coverage, p-median and joint siting.

Notation (as in DESIGN.md): areas *i* with requirement :math:`q_i`; sites *j* with fixed cost
:math:`f_j`, unit cost :math:`c_j`, capacity bounds :math:`L_j, U_j` on the total capacity of
an opened site, existing capacity :math:`e_j`; :math:`N(i)` the sites within reach of *i*
(only these pairs become variables).  Variables: :math:`y_j \in \{0,1\}` opens a new site or
enlarges an existing one, :math:`x_j \ge 0` is the capacity added, :math:`z_{ij} \ge 0` the
amount of *i*'s requirement served at *j*, :math:`u_i \ge 0` the unmet requirement (soft
forms).  Capacity rows :math:`\sum_i z_{ij} \le e_j + x_j` and
:math:`\max(L_j-e_j,0)\,y_j \le x_j \le (U_j - e_j)\,y_j`; the strong linking rows
:math:`z_{ij} \le q_i y_j` for new sites tighten the relaxation a lot and are on by default.

Areas with the same set of sites in reach are merged into one demand class before building
(their requirements summed) wherever the objective does not depend on the walking time; the
solution is split back to the areas in proportion to their requirements.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from errors import CRSError, InfeasibleError, InputError, ProblemCollector, SolverError
from optimizer import feasibility as feas
from optimizer import heuristics
from optimizer.highs import solve_fixed
from optimizer.program import LinearProgram, ProgramArrays, SolverOutcome
from optimizer.result import SolveResult
from optimizer.solvers import solve as run_solver
from optimizer.verify import verify

TOL = 1e-6

__all__ = [
    "SideRules",
    "MinCostProvision",
    "MaxCoverage",
    "PMedian",
    "JointSiting",
    "sites_required_per_group",
]


# --------------------------------------------------------------------------- side rules

@dataclass
class SideRules:
    """Rules on the set of open sites, taken from a policy profile by the caller.

    Parameters
    ----------
    site_group : array of int, optional
        Group (e.g. 街道) of every site, ``-1`` for none.
    min_open_per_group : array of int, optional
        Least number of open sites (existing ones count) in every group, indexed by group;
        see :func:`sites_required_per_group` for "one site per N residents".
    site_kind : array of str, optional
        Kind of every site (e.g. ``'public'``, ``'puhui'``, ``'market'``).
    kind_shares : mapping, optional
        ``kind -> (lower, upper)`` bounds on the share of the total capacity of open sites
        that sites of that kind provide (``None`` for no bound on one side).
    """

    site_group: np.ndarray | None = None
    min_open_per_group: np.ndarray | None = None
    site_kind: np.ndarray | None = None
    kind_shares: Mapping[str, tuple[float | None, float | None]] | None = None


def sites_required_per_group(
    population: np.ndarray,
    area_group: np.ndarray,
    *,
    residents_per_site: float | None = None,
    at_least: int = 0,
    n_groups: int | None = None,
) -> np.ndarray:
    """Least number of sites every group needs: ``max(at_least, ceil(population / N))``.

    Parameters
    ----------
    population : array of float
        Residents of every area.
    area_group : array of int
        Group of every area (``0..G-1``; ``-1`` for none).
    residents_per_site : float, optional
        One site per this many residents (a profile parameter); None for no such rule.
    at_least : int
        Least number of sites in every group (e.g. 1 for "one per 街道").
    n_groups : int, optional
        Number of groups (default: ``max(area_group) + 1``).
    """
    g = np.asarray(area_group, dtype=np.int64)
    pop = np.nan_to_num(np.asarray(population, dtype=float))
    G = int(n_groups if n_groups is not None else (g.max() + 1 if len(g) else 0))
    ok = g >= 0
    total = np.bincount(g[ok], weights=pop[ok], minlength=G)
    need = np.full(G, int(at_least), dtype=np.int64)
    if residents_per_site:
        need = np.maximum(need, np.ceil(total / float(residents_per_site) - 1e-9).astype(np.int64))
    return need


# --------------------------------------------------------------------------- data holders

@dataclass
class _Service:
    """One service's arrays: pairs within reach, requirements and site parameters."""

    name: str
    origin: np.ndarray
    site: np.ndarray
    cost: np.ndarray
    demand: np.ndarray
    fixed: np.ndarray
    unit: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    exist: np.ndarray
    rules: SideRules = field(default_factory=SideRules)
    integer: bool = True  # capacity added comes in whole units (托位, beds), not m²


@dataclass
class _Agg:
    """Areas merged into demand classes with identical reach."""

    cls: np.ndarray  # (n,) class of every area
    q: np.ndarray  # (K,) class requirement
    k: np.ndarray  # class of every class pair
    j: np.ndarray  # site of every class pair
    t: np.ndarray  # cost of every class pair

    @property
    def K(self) -> int:
        return len(self.q)


def _aggregate(svc: _Service, *, with_cost: bool, enabled: bool = True) -> _Agg:
    n = len(svc.demand)
    o, s, t = svc.origin, svc.site, svc.cost
    order = np.lexsort((s, o))
    o, s, t = o[order], s[order], t[order]
    if not enabled:
        return _Agg(np.arange(n), svc.demand.copy(), o, s, t)
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
    return _Agg(cls, q, cls[o[keep]], s[keep], t[keep])


def _disaggregate(agg: _Agg, demand: np.ndarray, amount: np.ndarray):
    """Split class-pair amounts to the member areas in proportion to their requirement."""
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


# --------------------------------------------------------------------------- validation

def _arr(v: Any, m: int, default: float, name: str, c: ProblemCollector) -> np.ndarray:
    if v is None:
        return np.full(m, default, dtype=float)
    a = np.asarray(v, dtype=float)
    if a.ndim == 0:
        return np.full(m, float(a))
    if a.shape != (m,):
        c.add(f"has length {a.shape[0] if a.ndim else 0}, expected {m} (one per site)",
              field=name)
        return np.full(m, default, dtype=float)
    return np.where(np.isnan(a), default, a)


def _validate_service(
    name: str,
    pairs_origin: Any,
    pairs_site: Any,
    cost: Any,
    demand: Any,
    *,
    n_sites: int | None,
    fixed_cost: Any,
    unit_cost: Any,
    min_capacity: Any,
    max_capacity: Any,
    existing_capacity: Any,
    max_cost: float | None,
    rules: SideRules | None,
    integer_capacity: bool = True,
) -> _Service:
    c = ProblemCollector(source="optimizer input", error=InputError)
    o = np.asarray(pairs_origin, dtype=np.int64).ravel()
    s = np.asarray(pairs_site, dtype=np.int64).ravel()
    t = np.asarray(cost, dtype=float).ravel()
    q = np.asarray(demand, dtype=float).ravel()
    if not (len(o) == len(s) == len(t)):
        c.add(f"pairs_origin, pairs_site and cost differ in length ({len(o)}, {len(s)}, "
              f"{len(t)})", field="pairs")
        o = s = np.zeros(0, np.int64)
        t = np.zeros(0)
    n = len(q)
    m = int(n_sites if n_sites is not None else (s.max() + 1 if len(s) else 0))
    bad = np.flatnonzero(~np.isfinite(q) | (q < 0))
    if len(bad):
        c.add(f"requirement must be a finite number >= 0; got {q[bad][:5].tolist()}",
              rows=bad.tolist(), field="demand")
    bad = np.flatnonzero((o < 0) | (o >= n))
    if len(bad):
        c.add(f"origin index outside 0..{n - 1}", rows=bad.tolist(), field="pairs_origin")
    bad = np.flatnonzero((s < 0) | (s >= m))
    if len(bad):
        c.add(f"site index outside 0..{m - 1}", rows=bad.tolist(), field="pairs_site")
    bad = np.flatnonzero(~np.isfinite(t) | (t < 0))
    if len(bad):
        c.add("cost (minutes) must be finite and >= 0", rows=bad.tolist(), field="cost")
    f = _arr(fixed_cost, m, 0.0, "fixed_cost", c)
    u = _arr(unit_cost, m, 0.0, "unit_cost", c)
    lo = _arr(min_capacity, m, 0.0, "min_capacity", c)
    hi = _arr(max_capacity, m, np.inf, "max_capacity", c)
    e = _arr(existing_capacity, m, 0.0, "existing_capacity", c)
    for nm, a in (("fixed_cost", f), ("unit_cost", u), ("min_capacity", lo),
                  ("max_capacity", hi), ("existing_capacity", e)):
        bad = np.flatnonzero(a < 0)
        if len(bad):
            c.add(f"must be >= 0; got {a[bad][:5].tolist()}", rows=bad.tolist(), field=nm)
    bad = np.flatnonzero(lo > hi)
    if len(bad):
        c.add(f"min_capacity exceeds max_capacity ({lo[bad][:5].tolist()} > "
              f"{hi[bad][:5].tolist()})", rows=bad.tolist(), field="min_capacity")
    for nm in ("fixed_cost", "unit_cost", "existing_capacity", "min_capacity"):
        a = {"fixed_cost": f, "unit_cost": u, "existing_capacity": e, "min_capacity": lo}[nm]
        bad = np.flatnonzero(np.isinf(a))
        if len(bad):
            c.add("must be finite", rows=bad.tolist(), field=nm)
    rules = rules or SideRules()
    if rules.site_group is not None and np.asarray(rules.site_group).shape != (m,):
        c.add(f"site_group must have one entry per site ({m})", field="site_group")
    if rules.site_kind is not None and np.asarray(rules.site_kind).shape != (m,):
        c.add(f"site_kind must have one entry per site ({m})", field="site_kind")
    for kind, (sa, sb) in (rules.kind_shares or {}).items():
        if (sa is not None and not 0 <= sa <= 1) or (sb is not None and not 0 <= sb <= 1) or (
                sa is not None and sb is not None and sa > sb):
            c.add(f"share bounds of kind {kind!r} must satisfy 0 <= lower <= upper <= 1; "
                  f"got ({sa}, {sb})", field="kind_shares")
    c.raise_if_any()
    if max_cost is not None:
        keep = t <= max_cost + 1e-9
        o, s, t = o[keep], s[keep], t[keep]
    # duplicate pairs: keep the shortest
    if len(o):
        order = np.lexsort((t, s, o))
        o, s, t = o[order], s[order], t[order]
        first = np.ones(len(o), dtype=bool)
        first[1:] = (o[1:] != o[:-1]) | (s[1:] != s[:-1])
        o, s, t = o[first], s[first], t[first]
    return _Service(name, o, s, t, q, f, u, lo, hi, e, rules, bool(integer_capacity))


# --------------------------------------------------------------------------- frames

def _check_crs(areas: Any, sites: Any) -> None:
    has = [hasattr(x, "geometry") and hasattr(x, "crs") for x in (areas, sites)]
    if not any(has):
        return
    c = ProblemCollector(source="optimizer input", error=CRSError)
    for name, x, h in (("areas", areas, has[0]), ("sites", sites, has[1])):
        if h and x.crs is None:
            c.add("has no coordinate reference system", field=name)
    c.raise_if_any()
    if all(has) and areas.crs != sites.crs:
        c.add(f"areas are in {areas.crs.to_string()} but sites in {sites.crs.to_string()}",
              field="crs")
    c.raise_if_any()


def _frames(
    areas: pd.DataFrame,
    sites: pd.DataFrame,
    pairs: pd.DataFrame,
    *,
    demand_cols: Sequence[str],
    area_id_col: str,
    site_id_col: str,
    origin_col: str,
    destination_col: str,
    cost_col: str,
    source: str = "",
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Match ids: area and site labels, pair indices and costs, requirement matrix."""
    _check_crs(areas, sites)
    c = ProblemCollector(source=source or "optimizer input")
    for frame, cols, what in ((areas, [area_id_col, *demand_cols], "areas"),
                              (sites, [site_id_col], "sites"),
                              (pairs, [origin_col, destination_col, cost_col], "travel times")):
        missing = [x for x in cols if x not in frame.columns]
        if missing:
            c.add(f"{what} lack column(s) {', '.join(missing)}; have "
                  f"{', '.join(map(str, frame.columns))}")
    c.raise_if_any()
    aid = areas[area_id_col].astype(str).to_numpy()
    sid = sites[site_id_col].astype(str).to_numpy()
    for ids, what in ((aid, "areas"), (sid, "sites")):
        dup = pd.Series(ids)[pd.Series(ids).duplicated()].unique()
        if len(dup):
            c.add(f"duplicate {what} ids", rows=list(dup), field="id")
    apos = pd.Index(aid)
    spos = pd.Index(sid)
    po = apos.get_indexer(pairs[origin_col].astype(str))
    ps = spos.get_indexer(pairs[destination_col].astype(str))
    for arr, col, what in ((po, origin_col, "areas"), (ps, destination_col, "sites")):
        bad = np.flatnonzero(arr < 0)
        if len(bad):
            vals = pairs[col].astype(str).to_numpy()[bad]
            c.add(f"{len(bad)} travel-time rows name ids not among the {what}: "
                  f"{', '.join(sorted(set(vals))[:10])}", rows=pairs.index[bad].tolist(),
                  field=col)
    t = pd.to_numeric(pairs[cost_col], errors="coerce").to_numpy(dtype=float)
    bad = np.flatnonzero(~np.isfinite(t) | (t < 0))
    if len(bad):
        c.add("travel time must be a number >= 0", rows=pairs.index[bad].tolist(), field=cost_col)
    q = np.column_stack([pd.to_numeric(areas[d], errors="coerce").to_numpy(dtype=float)
                         for d in demand_cols])
    bad = np.flatnonzero(~np.isfinite(q).all(axis=1) | (q < 0).any(axis=1))
    if len(bad):
        c.add("requirement must be a number >= 0", rows=list(aid[bad]),
              field=", ".join(demand_cols))
    c.raise_if_any()
    return aid, sid, po, ps, t, q


def _site_col(sites: pd.DataFrame, col: str | None, source: str) -> np.ndarray | None:
    if col is None or col not in sites.columns:
        return None
    v = pd.to_numeric(sites[col], errors="coerce")
    bad = np.flatnonzero(sites[col].notna().to_numpy() & v.isna().to_numpy())
    if len(bad):
        raise InputError([f"field '{col}' rows {', '.join(map(str, bad[:20]))}: not a number"],
                         source=source or "sites")
    return v.to_numpy(dtype=float)


# --------------------------------------------------------------------------- base model

class _Model:
    """Shared machinery: blocks of covering rows, solving, verification, result frames."""

    name: ClassVar[str] = "model"
    sense: ClassVar[str] = "min"

    def __init__(self, services: list[_Service], *, area_ids: np.ndarray | None = None,
                 site_ids: np.ndarray | None = None, aggregate: bool = True,
                 strong: bool = True, reach_label: str = "in reach") -> None:
        self.services = services
        n = len(services[0].demand)
        m = len(services[0].fixed)
        self.area_ids = np.arange(n) if area_ids is None else np.asarray(area_ids)
        self.site_ids = np.arange(m) if site_ids is None else np.asarray(site_ids)
        self.aggregate = aggregate
        self.strong = strong
        self.reach_label = reach_label
        self.result: SolveResult | None = None
        self.feasibility: dict[str, feas.FeasibilityReport] = {}
        self.outcome: SolverOutcome | None = None

    @property
    def n_areas(self) -> int:
        return len(self.area_ids)

    @property
    def n_sites(self) -> int:
        return len(self.site_ids)

    # ---- to be provided by the models
    def _build(self) -> tuple[LinearProgram, list[dict[str, Any]]]:  # pragma: no cover
        raise NotImplementedError

    def _precheck(self) -> None:
        pass

    def _objective(self, out: SolverOutcome) -> tuple[float | None, float | None]:
        if self.sense == "max":
            return (None if out.objective is None else -out.objective,
                    None if out.bound is None else -out.bound)
        return out.objective, out.bound

    #: reason given to demand left unmet by the model (a subclass or instance may say more)
    _unmet_reason: str = "left unmet"
    #: default of ``solve(warm_start=None)``: None lets the solver decide by size
    _warm_start_default: ClassVar[bool | None] = None
    _verify_mode: ClassVar[str] = "cover"
    #: default of ``solve(start=None)``: hand HiGHS a heuristic plan as its first incumbent
    _start_default: ClassVar[bool] = False

    def _start_auto(self, lp: LinearProgram) -> bool:
        """Whether ``solve(start=None)`` builds a heuristic start for this model."""
        return self._start_default

    def _start_vector(self, lp: LinearProgram, blocks: list[dict[str, Any]],
                      seconds: float) -> tuple[np.ndarray, str] | None:
        """A heuristic plan as a full column vector and the name of the method (None when
        the model has none or it found no plan)."""
        return None

    def _heuristic_start(self, lp: LinearProgram, blocks: list[dict[str, Any]], *,
                         time_limit: float | None) -> tuple[np.ndarray | None, dict[str, Any]]:
        """Build the heuristic start and verify it like a solution (independent check of
        reach, capacities and requirements, budget and p); a plan failing it is dropped."""
        t0 = time.perf_counter()
        seconds = 5.0 if time_limit is None else min(10.0, 0.1 * time_limit)
        info: dict[str, Any] = {"method": None}
        try:
            got = self._start_vector(lp, blocks, seconds)
        except (InfeasibleError, SolverError):  # pragma: no cover - defensive
            got = None
        if got is None:
            info["seconds"] = time.perf_counter() - t0
            return None, info
        x0, method = got
        info["method"] = method
        try:
            exs = [self._extract(b, x0, soft=self._soft, default_reason=self._unmet_reason)
                   for b in blocks]
            for ex in exs:
                self._verify(ex, soft=self._soft)
            self._check_budget(exs)
        except SolverError as exc:
            info.update(seconds=time.perf_counter() - t0, rejected=str(exc)[:300])
            return None, info
        obj = float(lp.arrays().cost @ x0 + lp.offset)
        info.update(objective=-obj if self.sense == "max" else obj,
                    seconds=time.perf_counter() - t0)
        return x0, info

    # ---- shared pieces
    def _feasibility(self, svc: _Service, *, raise_: bool) -> feas.FeasibilityReport:
        cap = np.maximum(svc.exist, svc.hi)
        rep = feas.check(svc.origin, svc.site, svc.demand, cap, area_ids=self.area_ids,
                         site_ids=self.site_ids, reach=self.reach_label)
        self.feasibility[svc.name] = rep
        if raise_ and not rep.ok:
            label = f" ({svc.name})" if len(self.services) > 1 else ""
            raise InfeasibleError(
                f"no plan can serve every requirement{label}:\n"
                + "\n".join(f"  - {msg}" for msg in rep.messages)
                + "\n(use the soft form, allow_unmet=True, to see what can be served)")
        return rep

    def _block(
        self, lp: LinearProgram, svc: _Service, *, mode: str, soft: bool = False,
        penalty: float = 0.0, costs_in_objective: bool = True, z_cost: float | None = None,
        with_cost: bool = False, cover_form: bool = True,
        dominance_cost: np.ndarray | None = None,
    ) -> dict[str, Any]:
        """Add one service's columns and rows; return their indices."""
        agg = _aggregate(svc, with_cost=with_cost, enabled=self.aggregate)
        m = self.n_sites
        reach_dem = np.bincount(agg.j, weights=agg.q[agg.k], minlength=m)
        if cover_form and z_cost is None and self._uncapacitated(svc, reach_dem):
            return self._cover_block(lp, svc, agg, mode=mode, soft=soft, penalty=penalty,
                                     costs_in_objective=costs_in_objective,
                                     dominance_cost=dominance_cost)
        room, need, add_lo = _capacity_bounds(svc, reach_dem)
        add_hi = np.minimum(room, need)
        add_hi = np.maximum(add_hi, np.where(add_lo <= room, add_lo, 0.0))
        can = (room > TOL) & (reach_dem > TOL) & (add_lo <= room + TOL)
        y = lp.add_cols(m, cost=svc.fixed if costs_in_objective else 0.0, lower=0.0,
                        upper=can.astype(float), integer=True)
        x = lp.add_cols(m, cost=svc.unit if costs_in_objective else 0.0, lower=0.0,
                        upper=np.where(can, add_hi, 0.0), integer=svc.integer)
        P = len(agg.k)
        z = lp.add_cols(P, cost=0.0 if z_cost is None else z_cost)
        K = agg.K
        u = None
        if mode == "cover":
            if soft:
                u = lp.add_cols(K, cost=penalty)
                lp.add_rows(K, np.concatenate([agg.k, np.arange(K)]), np.concatenate([z, u]),
                            1.0, lower=agg.q, upper=agg.q)
            else:
                lp.add_rows(K, agg.k, z, 1.0, lower=agg.q, upper=agg.q)
        else:
            lp.add_rows(K, agg.k, z, 1.0, upper=agg.q)
        # capacity: sum z - x <= e
        lp.add_rows(m, np.concatenate([agg.j, np.arange(m)]), np.concatenate([z, x]),
                    np.concatenate([np.ones(P), -np.ones(m)]), upper=svc.exist)
        # x <= hi * y ; x >= lo * y
        lp.add_rows(m, np.r_[np.arange(m), np.arange(m)], np.r_[x, y],
                    np.r_[np.ones(m), -np.where(can, add_hi, 0.0)], upper=0.0)
        need_lo = np.flatnonzero(can & (add_lo > TOL))
        if len(need_lo):
            r = np.arange(len(need_lo))
            lp.add_rows(len(need_lo), np.r_[r, r], np.r_[x[need_lo], y[need_lo]],
                        np.r_[np.ones(len(need_lo)), -add_lo[need_lo]], lower=0.0)
        if self.strong:
            # z_kj <= min(q_k, largest addition at j) y_j: a class larger than a site's room
            # (merged classes often are) gets the room as its coefficient, which is tighter
            new = np.flatnonzero((svc.exist[agg.j] <= TOL) & can[agg.j])
            r = np.arange(len(new))
            coef = np.minimum(agg.q[agg.k[new]], add_hi[agg.j[new]])
            lp.add_rows(len(new), np.r_[r, r], np.r_[z[new], y[agg.j[new]]],
                        np.r_[np.ones(len(new)), -coef], upper=0.0, lazy=True)
        self._side_rules(lp, svc, y, x)
        return {"svc": svc, "agg": agg, "y": y, "x": x, "z": z, "u": u, "can": can}

    @staticmethod
    def _uncapacitated(svc: _Service, reach_dem: np.ndarray) -> bool:
        """True when capacity never binds: every site may grow to the demand in its reach at
        no unit cost and with no minimum size, and no share rule needs capacities."""
        r = svc.rules
        room, need, _ = _capacity_bounds(svc, reach_dem)
        return bool(
            ((svc.exist >= reach_dem - TOL) | (room >= need - TOL)).all()
            and (svc.unit <= 0).all() and (svc.lo <= svc.exist + TOL).all()
            and not (r.site_kind is not None and r.kind_shares)
        )

    def _cover_block(self, lp: LinearProgram, svc: _Service, agg: _Agg, *, mode: str,
                     soft: bool, penalty: float, costs_in_objective: bool,
                     dominance_cost: np.ndarray | None = None) -> dict[str, Any]:
        """Set-covering form for unlimited capacity: no assignment variables.

        Cover: :math:`\\sum_{j\\in N(k)} y_j \\ge 1` for every class not reached by an
        existing site (soft: plus :math:`v_k \\in [0,1]` at ``penalty * q_k``).  Coverage:
        :math:`w_k \\le \\sum_{j\\in N(k)} y_j`, maximise :math:`\\sum_k q_k w_k`.  Exact:
        with capacity unlimited every class is served whole by any open site in reach.

        With ``dominance_cost`` (the cost by which sites compare; None = no reduction) and
        no group rule, the classic set-covering reductions run first (see
        :func:`_reduce_cover`): dominated sites are closed, and in the hard cover form
        dominated classes dropped and sites that alone reach some class opened.
        """
        m = self.n_sites
        existing = svc.exist > TOL
        reach_dem = np.bincount(agg.j, weights=agg.q[agg.k], minlength=m)
        can = ~existing & (reach_dem > TOL)
        y = lp.add_cols(m, cost=svc.fixed if costs_in_objective else 0.0, lower=0.0,
                        upper=can.astype(float), integer=True)
        x = lp.add_cols(m, upper=0.0)
        K = agg.K
        covered = np.zeros(K, dtype=bool)
        covered[agg.k[existing[agg.j]]] = True
        todo = np.flatnonzero(~covered & (agg.q > TOL))
        pos = np.full(K, -1)
        pos[todo] = np.arange(len(todo))
        sel = np.flatnonzero((pos[agg.k] >= 0) & can[agg.j])
        lower = np.zeros(m)
        r = svc.rules
        if dominance_cost is not None and len(todo) and not (
                r.site_group is not None and r.min_open_per_group is not None):
            hard = mode == "cover" and not soft
            keep_row, closed, forced = _reduce_cover(
                pos[agg.k[sel]], agg.j[sel], len(todo), m, dominance_cost, can,
                rows_too=hard)
            lower[forced] = 1.0
            _set_block(lp.lower, y, lower)
            _set_block(lp.upper, y, np.where(closed, 0.0, can.astype(float)))
            if hard:
                todo = todo[keep_row]
                pos = np.full(K, -1)
                pos[todo] = np.arange(len(todo))
            sel = np.flatnonzero((pos[agg.k] >= 0) & can[agg.j] & ~closed[agg.j])
        u = w = None
        if mode == "cover":
            if soft:
                u = lp.add_cols(len(todo), cost=penalty * agg.q[todo], upper=1.0)
                lp.add_rows(len(todo), np.r_[pos[agg.k[sel]], np.arange(len(todo))],
                            np.r_[y[agg.j[sel]], u], 1.0, lower=1.0)
            else:
                lp.add_rows(len(todo), pos[agg.k[sel]], y[agg.j[sel]], 1.0, lower=1.0)
        else:
            w = lp.add_cols(len(todo), cost=-agg.q[todo], upper=1.0)
            lp.add_rows(len(todo), np.r_[pos[agg.k[sel]], np.arange(len(todo))],
                        np.r_[y[agg.j[sel]], w],
                        np.r_[-np.ones(len(sel)), np.ones(len(todo))], upper=0.0)
            lp.offset -= float(agg.q[covered].sum())
        self._side_rules(lp, svc, y, None)
        return {"svc": svc, "agg": agg, "y": y, "x": x, "z": None, "u": u, "w": w,
                "todo": todo, "can": can}

    def _extract_cover(self, blk: dict[str, Any], sol: np.ndarray,
                       default_reason: str) -> dict[str, Any]:
        """Open sites from the covering form; each area goes whole to its nearest one."""
        svc: _Service = blk["svc"]
        yv = sol[blk["y"]] > 0.5
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
        served = np.bincount(ao, weights=am, minlength=self.n_areas)
        un = np.maximum(svc.demand - served, 0.0)
        load = np.bincount(asi, weights=am, minlength=self.n_sites)
        xv = np.where(yv, np.maximum(load - svc.exist, 0.0), 0.0)
        if svc.integer:
            xv = np.ceil(xv - 1e-9)
        return {"svc": svc, "open": is_open, "opened": yv, "new": xv, "cap": svc.exist + xv,
                "ao": ao, "as": asi, "at": at, "am": am, "unmet": un, "load": load,
                "default_reason": default_reason}

    def _side_rules(self, lp: LinearProgram, svc: _Service, y: np.ndarray,
                    x: np.ndarray | None) -> None:
        r = svc.rules
        m = self.n_sites
        if r.site_group is not None and r.min_open_per_group is not None:
            g = np.asarray(r.site_group, dtype=np.int64)
            need = np.asarray(r.min_open_per_group, dtype=float)
            existing = svc.exist > TOL
            have = np.bincount(g[(g >= 0) & existing], minlength=len(need))[:len(need)]
            rhs = need - have
            rows = np.flatnonzero(rhs > 0)
            if len(rows):
                pos = {gr: k for k, gr in enumerate(rows)}
                sel = np.flatnonzero((g >= 0) & ~existing & np.isin(g, rows))
                lp.add_rows(len(rows), np.array([pos[gr] for gr in g[sel]], dtype=np.int64),
                            y[sel], 1.0, lower=rhs[rows])
        if r.site_kind is not None and r.kind_shares and x is not None:
            kinds = np.asarray(r.site_kind).astype(str)
            for kind, (lo, hi) in r.kind_shares.items():
                ind = (kinds == str(kind)).astype(float)
                for b, sign in ((lo, 1.0), (hi, -1.0)):
                    if b is None:
                        continue
                    coef = sign * (ind - b)  # sign*(sum_K cap - b sum cap) >= 0
                    lp.add_rows(1, np.zeros(m, np.int64), x, coef,
                                lower=-float(coef @ svc.exist))

    def _extract(self, blk: dict[str, Any], sol: np.ndarray, *, soft: bool,
                 default_reason: str) -> dict[str, Any]:
        if blk.get("z") is None:
            return self._extract_cover(blk, sol, default_reason)
        svc: _Service = blk["svc"]
        agg: _Agg = blk["agg"]
        yv = sol[blk["y"]] > 0.5
        xv = np.where(yv, np.maximum(sol[blk["x"]], 0.0), 0.0)
        xv[np.abs(xv - np.round(xv)) < 1e-6] = np.round(xv[np.abs(xv - np.round(xv)) < 1e-6])
        cap = svc.exist + xv
        zc = np.maximum(sol[blk["z"]], 0.0)
        ao, asi, am = _disaggregate(agg, svc.demand, zc)
        # each member's own minutes (merged areas share sites, not times)
        m = self.n_sites
        keys = svc.origin * m + svc.site
        order = np.argsort(keys)
        pos = order[np.searchsorted(keys[order], ao * m + asi)]
        at = svc.cost[pos]
        served = np.bincount(ao, weights=am, minlength=self.n_areas)
        if soft and blk["u"] is not None:
            uc = np.maximum(sol[blk["u"]], 0.0)
            share = np.divide(svc.demand, agg.q[agg.cls], out=np.zeros(self.n_areas),
                              where=agg.q[agg.cls] > 0)
            un = uc[agg.cls] * share
        else:
            un = np.maximum(svc.demand - served, 0.0)
        un[un < 1e-6 * np.maximum(1.0, svc.demand)] = 0.0
        load = np.bincount(asi, weights=am, minlength=self.n_sites)
        return {"svc": svc, "open": yv | (svc.exist > TOL), "opened": yv, "new": xv,
                "cap": cap, "ao": ao, "as": asi, "at": at, "am": am, "unmet": un,
                "load": load, "default_reason": default_reason}

    def _reasons(self, ex: dict[str, Any]) -> np.ndarray:
        svc: _Service = ex["svc"]
        idx = np.flatnonzero(ex["unmet"] > 0)
        deg = np.bincount(svc.origin, minlength=self.n_areas)
        maxcap = np.maximum(svc.exist, svc.hi)
        with np.errstate(invalid="ignore"):  # unlimited sites (inf) are never saturated
            saturated = ex["load"] >= maxcap - 1e-6 * np.maximum(1.0, maxcap)
        # an area is capacity-bound when every site in its reach is full at its largest size
        not_sat = np.bincount(svc.origin, weights=(~saturated[svc.site]).astype(float),
                              minlength=self.n_areas)
        out = []
        for i in idx:
            if deg[i] == 0:
                out.append("no site within reach")
            elif not_sat[i] == 0:
                out.append("capacity in reach insufficient")
            else:
                out.append(ex["default_reason"])
        return np.array(out, dtype=object)

    def _frames(self, ex: dict[str, Any], service: str | None = None):
        svc: _Service = ex["svc"]
        action = np.where(ex["opened"] & (svc.exist > TOL), "enlarged",
                          np.where(ex["opened"], "new",
                                   np.where(svc.exist > TOL, "existing", "closed")))
        sites = pd.DataFrame({"id": self.site_ids, "open": ex["open"], "capacity": ex["cap"],
                              "new_capacity": ex["new"], "existing_capacity": svc.exist,
                              "action": action})
        assign = pd.DataFrame({"origin_id": self.area_ids[ex["ao"]],
                               "site_id": self.site_ids[ex["as"]], "amount": ex["am"],
                               "minutes": ex["at"]})
        idx = np.flatnonzero(ex["unmet"] > 0)
        unmet = pd.DataFrame({"id": self.area_ids[idx], "amount": ex["unmet"][idx],
                              "reason": self._reasons(ex) if len(idx) else
                              np.array([], dtype=object)})
        if service is not None:
            for df in (sites, assign, unmet):
                df.insert(0, "service", service)
        return sites, assign, unmet

    def _verify(self, ex: dict[str, Any], *, soft: bool) -> None:
        svc: _Service = ex["svc"]
        verify(svc.origin, svc.site, svc.demand, assign_origin=ex["ao"],
               assign_site=ex["as"], assign_amount=ex["am"],
               unmet=ex["unmet"] if (soft or self._verify_mode == "coverage")
               else np.zeros(self.n_areas),
               capacity=ex["cap"], existing_capacity=svc.exist, opened=ex["opened"],
               min_capacity=svc.lo, max_capacity=svc.hi, mode=self._verify_mode,
               label=f"{self.name} ({svc.name})")

    def _check_budget(self, exs: list[dict[str, Any]]) -> None:
        pass

    def _solve_common(self, *, solver: str, time_limit: float | None, gap: float | None,
                      msg: bool, threads: int | None, soft: bool,
                      warm_start: bool | None = None,
                      start: bool | None = None) -> SolveResult:
        t0 = time.perf_counter()
        self._precheck()
        lp, blocks = self._build()
        if warm_start is None:
            warm_start = self._warm_start_default
        if start is None:
            start = self._start_auto(lp)
        x_start, start_info = None, {"method": None}
        if start and solver == "highs":
            x_start, start_info = self._heuristic_start(lp, blocks, time_limit=time_limit)
            if msg:
                print(f"heuristic start: {start_info}")
        left = None if time_limit is None else max(time_limit - (time.perf_counter() - t0),
                                                    1e-3)
        out = run_solver(lp, solver=solver, time_limit=left, gap=gap, msg=msg,
                         threads=threads, warm_start=warm_start, start=x_start)
        self.outcome = out
        if out.status == "infeasible":
            raise InfeasibleError(self._diagnose())
        if out.status in ("unbounded", "error"):
            raise SolverError(f"{solver} returned status {out.raw_status!r} for {self.name}")
        seconds = time.perf_counter() - t0
        obj, bound = self._objective(out)
        if not out.has_solution:
            empty = pd.DataFrame
            return SolveResult(
                status=out.status, proven_optimal=False, objective=None, bound=bound, gap=None,
                seconds=seconds,
                sites=empty(columns=["id", "open", "capacity", "new_capacity",
                                     "existing_capacity"]),
                assignments=empty(columns=["origin_id", "site_id", "amount"]),
                unmet=empty(columns=["id", "amount", "reason"]), solver=solver,
                details={"solver_status": out.raw_status, "start": start_info})
        assert out.x is not None
        exs = [self._extract(b, out.x, soft=soft, default_reason=self._unmet_reason)
               for b in blocks]
        for ex in exs:
            self._verify(ex, soft=soft)
        self._check_budget(exs)
        multi = len(exs) > 1
        frames = [self._frames(ex, ex["svc"].name if multi else None) for ex in exs]
        sites = pd.concat([f[0] for f in frames], ignore_index=True)
        assign = pd.concat([f[1] for f in frames], ignore_index=True)
        unmet = pd.concat([f[2] for f in frames], ignore_index=True)
        details = {
            "solver_status": out.raw_status, "build_seconds": out.build_seconds,
            "solve_seconds": out.seconds - out.build_seconds, "columns": lp.num_col,
            "rows": lp.num_row, "pairs": int(sum(len(ex["svc"].origin) for ex in exs)),
            "demand_classes": int(sum(b["agg"].K for b in blocks)),
            "formulation": "covering" if blocks[0].get("z") is None else "assignment",
            "unmet_total": float(unmet["amount"].sum()) if len(unmet) else 0.0,
            "start": start_info,
            "cost": float(sum(float(ex["svc"].fixed @ ex["opened"]
                                    + ex["svc"].unit @ np.where(ex["opened"], ex["new"], 0.0))
                              for ex in exs if np.isfinite(ex["new"]).all())),
        }
        return SolveResult(status=out.status, proven_optimal=out.proven_optimal,
                           objective=obj, bound=bound, gap=out.gap,
                           seconds=time.perf_counter() - t0, sites=sites, assignments=assign,
                           unmet=unmet, solver=solver, details=details)

    def _diagnose(self) -> str:
        lines = [f"the solver found no feasible plan for {self.name}"]
        for svc in self.services:
            cap = np.maximum(svc.exist, svc.hi)
            served, short = feas.max_servable(svc.origin, svc.site, svc.demand, cap)
            total = float(svc.demand.sum())
            label = f" ({svc.name})" if len(self.services) > 1 else ""
            if served < total - 1e-6 * max(1.0, total):
                idx = np.flatnonzero(short > 1e-6)
                lines.append(
                    f"  - at most {served:.6g} of {total:.6g}{label} can be served with every "
                    f"site at its largest capacity; short e.g. in areas "
                    + ", ".join(str(a) for a in self.area_ids[idx[:20]]))
        if len(lines) == 1:
            lines.append("  - every requirement can be reached with enough capacity, so the "
                         "side rules (budget, number of sites, groups, shares, minimum sizes) "
                         "conflict")
        return "\n".join(lines)

    def solve(self, *, solver: str = "highs", time_limit: float | None = None,
              gap: float | None = None, msg: bool = False,
              threads: int | None = None, warm_start: bool | None = None,
              start: bool | None = None) -> _Model:
        """Check, build, solve and verify; the outcome is in :attr:`result`.

        Parameters
        ----------
        solver : {'highs', 'cbc', 'highs-pulp'}
            HiGHS through highspy arrays (default), CBC through PuLP, or HiGHS through PuLP.
        time_limit : float, optional
            Seconds; on reaching it the incumbent is returned with status ``'feasible'``.
        gap : float, optional
            Relative MIP gap at which to stop (default 1e-4).
        msg : bool
            Show the solver log.
        threads : int, optional
            Solver threads.
        warm_start : bool, optional
            HiGHS only: solve the LP relaxation first (linking rows added only where it
            violates them), round it to a plan, and stop there when the plan is within
            ``gap`` of the LP bound, else hand it to the MIP as its first incumbent.
            Default (None): on for models of at least 20,000 columns.
        start : bool, optional
            HiGHS only: build a plan with a greedy heuristic and local search (set
            covering, maximum coverage and p-median; see :mod:`optimizer.heuristics`),
            verify it independently and hand it to HiGHS as its first incumbent.  It only
            speeds the search up: status, bound and gap are still HiGHS'.  Default (None):
            on for the models that have such a heuristic (p-median: from 100,000 columns,
            where HiGHS alone finds no plan); ``result.details['start']`` says what it
            found.

        Returns
        -------
        self

        Raises
        ------
        InfeasibleError
            When no plan can meet a hard requirement; the message gives the numbers.
        SolverError
            When the solver fails or its solution fails independent verification.
        """
        self.result = self._solve_common(solver=solver, time_limit=time_limit, gap=gap,
                                         msg=msg, threads=threads, soft=self._soft,
                                         warm_start=warm_start, start=start)
        return self

    _soft: bool = False

    # ---- constructors
    @staticmethod
    def _site_arrays(sites: pd.DataFrame, source: str, **cols: str | None) -> dict[str, Any]:
        return {k: _site_col(sites, c, source) for k, c in cols.items()}


def _reduce_cover(row: np.ndarray, col: np.ndarray, n_rows: int, n_cols: int,
                  cost: np.ndarray, can: np.ndarray, *, rows_too: bool,
                  max_rounds: int = 50) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Set-covering reductions: dominated columns, dominated rows, forced columns.

    A site is *dominated* when another site reaches every class it reaches at no higher
    cost (ties broken by larger reach, then index, so one of equal sites survives); it can
    be closed in any covering or coverage problem without a rule on particular sites.  In
    the hard covering form (``rows_too``) also: a class whose reach contains another
    class's reach is covered whenever that one is (dropped), and a class with one site left
    forces that site open (its classes dropped).  Repeated until nothing changes.

    Returns the mask of rows kept, and of columns closed and forced open.
    """
    import scipy.sparse as sp

    B = sp.csr_matrix((np.ones(len(row)), (row, col)), shape=(n_rows, n_cols))
    B.data[:] = 1.0
    rows = np.ones(n_rows, dtype=bool)
    cols = can.copy()
    forced = np.zeros(n_cols, dtype=bool)
    for _ in range(max_rounds):
        ridx, cidx = np.flatnonzero(rows), np.flatnonzero(cols)
        Bs = B[ridx][:, cidx].tocsr()
        nr = np.diff(Bs.indptr)
        if rows_too:
            sing = np.flatnonzero(nr == 1)
            if len(sing):
                fj = np.unique(Bs.indices[Bs.indptr[sing]])
                forced[cidx[fj]] = True
                cols[cidx[fj]] = False
                rows[ridx[np.asarray(Bs[:, fj].sum(axis=1)).ravel() > 0]] = False
                continue
        nc = np.asarray(Bs.sum(axis=0)).ravel()
        C = (Bs.T @ Bs).tocoo()
        i, j, v = C.row, C.col, C.data
        ci, cj = cost[cidx[i]], cost[cidx[j]]
        better = (cj < ci) | ((cj == ci) & ((nc[j] > nc[i]) | ((nc[j] == nc[i]) & (j < i))))
        dom = np.union1d(np.unique(i[(i != j) & (v == nc[i]) & better]),
                         np.flatnonzero(nc == 0))
        if len(dom):
            cols[cidx[dom]] = False
            continue
        if rows_too:
            R = (Bs @ Bs.T).tocoo()
            i, j, v = R.row, R.col, R.data
            better = (nr[j] < nr[i]) | ((nr[j] == nr[i]) & (j < i))
            drop = np.unique(i[(i != j) & (v == nr[j]) & better])
            if len(drop):
                rows[ridx[drop]] = False
                continue
        break
    return rows, can & ~cols & ~forced, forced


def _capacity_bounds(svc: _Service,
                     reach_dem: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Room to add at every site, capacity worth adding (the requirement in reach) and the
    least addition that makes an opened site reach its minimum size; in whole units when
    the service's capacity is integer (floor of the room, ceilings of the others)."""
    room = np.maximum(svc.hi - svc.exist, 0.0)
    need = np.maximum(reach_dem - svc.exist, 0.0)
    add_lo = np.maximum(svc.lo - svc.exist, 0.0)
    if svc.integer:
        with np.errstate(invalid="ignore"):
            room = np.where(np.isfinite(room), np.floor(room + 1e-9), room)
        need = np.ceil(need - 1e-9)
        add_lo = np.ceil(add_lo - 1e-9)
    return room, need, add_lo


def _default_penalty(svc: _Service) -> float:
    """Per unit unmet: dearer than opening any site to serve one unit, plus its unit cost."""
    per_site = svc.fixed + svc.unit * np.maximum(svc.lo, 1.0)
    return float((per_site.max() if len(per_site) else 0.0) + svc.unit.max(initial=0.0) + 1.0)


# --------------------------------------------------------------------------- models

class MinCostProvision(_Model):
    r"""Minimum-cost full provision (capacitated covering).

    minimise :math:`\sum_j f_j y_j + \sum_j c_j x_j (+ P \sum_i u_i)` subject to
    :math:`\sum_{j\in N(i)} z_{ij} (+ u_i) = q_i`, :math:`\sum_i z_{ij} \le e_j + x_j`,
    :math:`\max(L_j-e_j,0) y_j \le x_j \le (U_j-e_j) y_j`, and the side rules.

    Existing sites keep their capacity :math:`e_j`; :math:`y_j = 1` at an existing site means
    enlarging it at fixed cost :math:`f_j` plus :math:`c_j` per unit added, up to a total of
    :math:`U_j`.  In the hard form (default) a requirement that cannot be served raises
    :class:`errors.InfeasibleError` with the numbers before any solver runs; the soft form
    (``allow_unmet=True``) serves what it can and reports, per area, why the rest is unmet.
    """

    name = "minimum-cost provision"
    _unmet_reason = "cheaper to leave unmet at the given penalty"

    def __init__(self, svc: _Service, *, allow_unmet: bool = False,
                 unmet_penalty: float | None = None, **kw: Any) -> None:
        super().__init__([svc], **kw)
        self._soft = allow_unmet
        self.unmet_penalty = (_default_penalty(svc) if unmet_penalty is None
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
        reach_label: str = "in reach",
        integer_capacity: bool = True,
    ) -> MinCostProvision:
        """Build from sparse pairs within reach.

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
        rules : SideRules, optional
            Groups and kind shares.
        area_ids, site_ids : array, optional
            Labels used in results and messages.
        aggregate : bool
            Merge areas with identical reach (exact for this model).
        strong : bool
            Add :math:`z_{ij} \\le q_i y_j` for new sites.
        reach_label : str
            How reach is named in messages (e.g. ``"within 15 minutes"``).
        integer_capacity : bool
            Capacity comes in whole units (托位, beds): the capacity added at a site is an
            integer, its bounds rounded inward (default).  Pass False for divisible units
            such as m² of elder-care floor area.  Amounts assigned stay continuous, since
            requirements are fractional (52.4 托位 needs a site of 53).
        """
        m = n_sites if n_sites is not None else _infer_m(pairs_site, fixed_cost, unit_cost,
                                                          min_capacity, max_capacity,
                                                          existing_capacity, site_ids)
        svc = _validate_service("demand", pairs_origin, pairs_site, cost, demand, n_sites=m,
                                fixed_cost=fixed_cost, unit_cost=unit_cost,
                                min_capacity=min_capacity, max_capacity=max_capacity,
                                existing_capacity=existing_capacity, max_cost=max_cost,
                                rules=rules, integer_capacity=integer_capacity)
        return cls(svc, allow_unmet=allow_unmet, unmet_penalty=unmet_penalty,
                   area_ids=area_ids, site_ids=site_ids, aggregate=aggregate, strong=strong,
                   reach_label=reach_label)

    @classmethod
    def from_geodataframe(cls, areas: pd.DataFrame, sites: pd.DataFrame, pairs: pd.DataFrame,
                          *, demand_col: str = "demand", **kw: Any) -> MinCostProvision:
        """Build from frames: areas (``id``, ``demand_col``), sites (``id``, ``fixed_cost``,
        ``unit_cost``, ``min_capacity``, ``max_capacity``, ``existing_capacity``) and pairs
        (``origin_id``, ``destination_id``, ``minutes``).  GeoDataFrames must share one CRS.

        Keyword arguments ``area_id_col``, ``site_id_col``, ``origin_col``,
        ``destination_col``, ``cost_col`` and ``<param>_col`` rename the columns; the rest go
        to :meth:`from_cost_matrix`.
        """
        args = _frame_args(areas, sites, pairs, [demand_col], kw)
        return cls.from_cost_matrix(args.pop("po"), args.pop("ps"), args.pop("t"),
                                    args.pop("q")[:, 0], **args, **kw)

    def _precheck(self) -> None:
        self._feasibility(self.services[0], raise_=not self._soft)

    _start_default = True

    def _start_vector(self, lp, blocks, seconds):
        """Hard set covering (unlimited capacity): greedy cover + redundancy elimination.
        The capacitated form has the LP-rounding warm start instead."""
        blk = blocks[0]
        if blk.get("z") is not None or self._soft:
            return None
        a, x0 = _start_base(lp)
        y = blk["y"]
        allowed = a.upper[y] > 0.5
        r, c, n = _cover_pairs(blk, allowed)
        op = heuristics.greedy_cover(r, c, n, self.n_sites, cost=self.services[0].fixed,
                                     allowed=allowed, forced=a.lower[y] > 0.5,
                                     seconds=seconds)
        if op is None:
            return None
        x0[y] = op
        return x0, ("greedy set cover (cost per newly covered class) + redundancy "
                    "elimination + iterated greedy")

    def _build(self):
        lp = LinearProgram()
        svc = self.services[0]
        blk = self._block(lp, svc, mode="cover", soft=self._soft, penalty=self.unmet_penalty,
                          dominance_cost=svc.fixed)
        return lp, [blk]


class MaxCoverage(_Model):
    r"""Maximum coverage under a budget and/or a number of new sites (capacitated MCLP).

    maximise :math:`\sum_{ij} w_i z_{ij}` (requirement served, optionally weighted) subject
    to :math:`\sum_{j\in N(i)} z_{ij} \le q_i`, the capacity rows of
    :class:`MinCostProvision`, :math:`\sum_j f_j y_j + c_j x_j \le B` and/or
    :math:`\sum_j y_j \le p` (sites opened or enlarged), and the side rules.  With no
    capacity limit it is the classic MCLP (an area counts as covered when a site in reach is
    open), which is what spopt's ``MCLP`` solves.
    """

    name = "maximum coverage"
    sense = "max"
    # opening every site the LP uses breaks the budget or p: not measured to help, so off
    _warm_start_default = False
    _verify_mode = "coverage"

    def __init__(self, svc: _Service, *, budget: float | None, p: int | None,
                 weights: np.ndarray | None = None, **kw: Any) -> None:
        super().__init__([svc], **kw)
        if budget is None and p is None:
            raise InputError(["give a budget, a number of sites p, or both"],
                             source="MaxCoverage")
        bad = [f"{k} must be >= 0; got {v}" for k, v in (("budget", budget), ("p", p))
               if v is not None and v < 0]
        if bad:
            raise InputError(bad, source="MaxCoverage")
        self.budget = budget
        self.p = p
        self.weights = None if weights is None else np.asarray(weights, dtype=float)
        self._unmet_reason = ("budget exhausted" if p is None else
                              "number of sites exhausted" if budget is None else
                              "budget or number of sites exhausted")

    @classmethod
    def from_cost_matrix(
        cls,
        pairs_origin: np.ndarray,
        pairs_site: np.ndarray,
        cost: np.ndarray,
        demand: np.ndarray,
        *,
        budget: float | None = None,
        p: int | None = None,
        weights: np.ndarray | None = None,
        n_sites: int | None = None,
        fixed_cost: np.ndarray | float | None = None,
        unit_cost: np.ndarray | float | None = None,
        min_capacity: np.ndarray | float | None = None,
        max_capacity: np.ndarray | float | None = None,
        existing_capacity: np.ndarray | float | None = None,
        max_cost: float | None = None,
        rules: SideRules | None = None,
        area_ids: np.ndarray | None = None,
        site_ids: np.ndarray | None = None,
        aggregate: bool = True,
        strong: bool = True,
        reach_label: str = "in reach",
        integer_capacity: bool = True,
    ) -> MaxCoverage:
        """Build from sparse pairs within reach (parameters as in
        :meth:`MinCostProvision.from_cost_matrix`; ``budget`` bounds fixed plus unit costs,
        ``p`` the number of sites opened or enlarged; ``weights`` per area multiply the
        requirement served in the objective; weighted problems are not aggregated;
        ``integer_capacity`` as there: whole units added by default)."""
        m = n_sites if n_sites is not None else _infer_m(pairs_site, fixed_cost, unit_cost,
                                                          min_capacity, max_capacity,
                                                          existing_capacity, site_ids)
        svc = _validate_service("demand", pairs_origin, pairs_site, cost, demand, n_sites=m,
                                fixed_cost=fixed_cost, unit_cost=unit_cost,
                                min_capacity=min_capacity, max_capacity=max_capacity,
                                existing_capacity=existing_capacity, max_cost=max_cost,
                                rules=rules, integer_capacity=integer_capacity)
        return cls(svc, budget=budget, p=p, weights=weights, area_ids=area_ids,
                   site_ids=site_ids, aggregate=aggregate and weights is None, strong=strong,
                   reach_label=reach_label)

    @classmethod
    def from_geodataframe(cls, areas: pd.DataFrame, sites: pd.DataFrame, pairs: pd.DataFrame,
                          *, demand_col: str = "demand", **kw: Any) -> MaxCoverage:
        """Build from frames (see :meth:`MinCostProvision.from_geodataframe`)."""
        args = _frame_args(areas, sites, pairs, [demand_col], kw)
        return cls.from_cost_matrix(args.pop("po"), args.pop("ps"), args.pop("t"),
                                    args.pop("q")[:, 0], **args, **kw)

    def _precheck(self) -> None:
        self._feasibility(self.services[0], raise_=False)

    _start_default = True

    def _start_vector(self, lp, blocks, seconds):
        """Uncapacitated coverage form: lazy greedy by marginal coverage, then 1-swaps."""
        blk = blocks[0]
        if blk.get("w") is None:
            return None
        svc = self.services[0]
        a, x0 = _start_base(lp)
        y = blk["y"]
        allowed = a.upper[y] > 0.5
        r, c, n = _cover_pairs(blk, allowed)
        op = heuristics.max_coverage(r, c, blk["agg"].q[blk["todo"]], n, self.n_sites,
                                     allowed=allowed, p=self.p, budget=self.budget,
                                     cost=svc.fixed, seconds=seconds)
        x0[y] = op
        covered = np.zeros(n)
        covered[r[op[c]]] = 1.0
        x0[blk["w"]] = covered
        return x0, "lazy greedy by marginal coverage + 1-swap local search"

    def _build(self):
        lp = LinearProgram()
        svc = self.services[0]
        blk = self._block(lp, svc, mode="coverage", costs_in_objective=False,
                          cover_form=self.weights is None,
                          dominance_cost=(svc.fixed if self.budget is not None
                                          else np.zeros(self.n_sites)))
        agg = blk["agg"]
        if blk["z"] is not None:
            blk_z_cost = (-np.ones(len(blk["z"])) if self.weights is None
                          else -self.weights[agg.k])
            _set_cost(lp, blk["z"], blk_z_cost)
        m = self.n_sites
        if self.budget is not None:
            lp.add_rows(1, np.zeros(2 * m, np.int64), np.r_[blk["y"], blk["x"]],
                        np.r_[svc.fixed, svc.unit], upper=float(self.budget))
        if self.p is not None:
            lp.add_rows(1, np.zeros(m, np.int64), blk["y"], 1.0, upper=float(self.p))
        return lp, [blk]

    def _check_budget(self, exs):
        ex = exs[0]
        svc = ex["svc"]
        spent = float(svc.fixed @ ex["opened"] + svc.unit @ ex["new"])
        n_open = int(ex["opened"].sum())
        bad = []
        if self.budget is not None and spent > self.budget * (1 + 1e-6) + 1e-6:
            bad.append(f"budget exceeded: {spent:.6g} > {self.budget:.6g}")
        if self.p is not None and n_open > self.p:
            bad.append(f"{n_open} sites opened, more than p = {self.p}")
        if bad:
            raise SolverError("the solution of maximum coverage failed verification: "
                              + "; ".join(bad))


class PMedian(_Model):
    r"""Minimum total walking time with ``p`` new sites (capacitated p-median).

    minimise :math:`\sum_{ij} t_{ij} z_{ij}` (demand-weighted minutes) subject to
    :math:`\sum_{j\in N(i)} z_{ij} = q_i`, :math:`\sum_i z_{ij} \le U_j y_j` for candidate
    sites and :math:`\le e_j` for existing ones (which are always open and do not count in
    ``p``), :math:`\sum_j y_j = p` over candidates, :math:`z_{ij} \le q_i y_j`.  Candidate
    sites open at ``max_capacity`` (infinite by default: the classic p-median).  Only pairs
    within reach are variables, so every area must have an open site in reach.
    """

    name = "p-median"
    # opening every site the LP uses breaks "exactly p": the rounding start never applies
    # (the heuristic start does).  The LP bound with lazy z <= q y rows was tried at city
    # scale: neither that nor the full LP (simplex or IPM) finished within 120-240 s.
    _warm_start_default = False

    def __init__(self, svc: _Service, *, p: int, **kw: Any) -> None:
        super().__init__([svc], **kw)
        cand = int((svc.exist <= TOL).sum())
        if p < 0 or p > cand:
            raise InputError([f"p must be between 0 and the number of candidate sites "
                              f"({cand}); got {p}"], source="PMedian")
        self.p = int(p)

    @classmethod
    def from_cost_matrix(
        cls,
        pairs_origin: np.ndarray,
        pairs_site: np.ndarray,
        cost: np.ndarray,
        demand: np.ndarray,
        *,
        p: int,
        n_sites: int | None = None,
        max_capacity: np.ndarray | float | None = None,
        existing_capacity: np.ndarray | float | None = None,
        max_cost: float | None = None,
        rules: SideRules | None = None,
        area_ids: np.ndarray | None = None,
        site_ids: np.ndarray | None = None,
        aggregate: bool = True,
        strong: bool = True,
        reach_label: str = "in reach",
        **ignored: Any,
    ) -> PMedian:
        """Build from sparse pairs (``cost`` = minutes, the objective's weights).

        ``fixed_cost``, ``unit_cost``, ``min_capacity`` and ``integer_capacity`` are
        accepted and ignored (candidates open at ``max_capacity``), so that one set of site
        arrays serves every model.
        """
        m = n_sites if n_sites is not None else _infer_m(pairs_site, max_capacity,
                                                          existing_capacity, site_ids)
        svc = _validate_service("demand", pairs_origin, pairs_site, cost, demand, n_sites=m,
                                fixed_cost=None, unit_cost=None, min_capacity=None,
                                max_capacity=max_capacity, existing_capacity=existing_capacity,
                                max_cost=max_cost, rules=rules)
        return cls(svc, p=p, area_ids=area_ids, site_ids=site_ids, aggregate=aggregate,
                   strong=strong, reach_label=reach_label)

    @classmethod
    def from_geodataframe(cls, areas: pd.DataFrame, sites: pd.DataFrame, pairs: pd.DataFrame,
                          *, demand_col: str = "demand", **kw: Any) -> PMedian:
        """Build from frames (see :meth:`MinCostProvision.from_geodataframe`)."""
        args = _frame_args(areas, sites, pairs, [demand_col], kw)
        return cls.from_cost_matrix(args.pop("po"), args.pop("ps"), args.pop("t"),
                                    args.pop("q")[:, 0], **args, **kw)

    def _precheck(self) -> None:
        svc = self.services[0]
        cap = np.where(svc.exist > TOL, svc.exist, svc.hi)
        rep = feas.check(svc.origin, svc.site, svc.demand, cap, area_ids=self.area_ids,
                         site_ids=self.site_ids, reach=self.reach_label)
        msgs = list(rep.messages)
        cand = np.flatnonzero(svc.exist <= TOL)
        best = np.sort(svc.hi[cand])[::-1][: self.p].sum() + svc.exist.sum()
        if best < svc.demand.sum() - 1e-6 * max(1.0, svc.demand.sum()):
            msgs.append(f"total requirement is {svc.demand.sum():.6g} but existing sites and "
                        f"the {self.p} largest candidates hold at most {best:.6g}")
        self.feasibility[svc.name] = rep
        if msgs:
            raise InfeasibleError(f"no assignment with p = {self.p} can serve every area:\n"
                                  + "\n".join(f"  - {x}" for x in msgs))

    _start_default = True
    #: columns from which the start is on by default: measured on the benchmark's cities,
    #: at 2000x500 (39k columns) HiGHS proves the optimum in 8.8 s alone but 12.7 s with the
    #: start (it changes its search); at 10000x3000 (155k) it finds no plan without it
    START_MIN_COLS: ClassVar[int] = 100_000

    def _start_auto(self, lp: LinearProgram) -> bool:
        return lp.num_col >= self.START_MIN_COLS

    def _start_vector(self, lp, blocks, seconds):
        """Greedy add + interchange on the uncapacitated problem; each class to its nearest
        open site when no capacity is exceeded, else the transport LP over the chosen sites
        (no start when that LP is infeasible)."""
        blk = blocks[0]
        svc, agg = blk["svc"], blk["agg"]
        a, x0 = _start_base(lp)
        y = blk["y"]
        cand = svc.exist <= TOL
        allowed = cand & (a.upper[y] > 0.5)
        t0 = time.perf_counter()
        op = heuristics.pmedian(agg.k, agg.j, agg.t, agg.q, self.n_sites, allowed=allowed,
                                p=self.p, always_open=~cand, seconds=seconds)
        if op is None:
            return None
        x0[y] = op
        is_open = op | ~cand
        sel = np.flatnonzero(is_open[agg.j])
        sel = sel[np.lexsort((agg.t[sel], agg.k[sel]))]
        first = np.ones(len(sel), dtype=bool)
        first[1:] = agg.k[sel[1:]] != agg.k[sel[:-1]]
        near = sel[first]
        x0[blk["z"][near]] = agg.q[agg.k[near]]
        load = np.bincount(agg.j[near], weights=agg.q[agg.k[near]], minlength=self.n_sites)
        capj = np.where(cand, svc.hi, svc.exist)
        method = "greedy add + interchange (Teitz-Bart)"
        if (load > capj + TOL * np.maximum(1.0, capj)).any():
            left = max(seconds - (time.perf_counter() - t0), 1.0)
            x = solve_fixed(lp, y, op.astype(float), time_limit=left)
            if x is None:
                return None
            x0, method = x, method + " on sites, assignment by the transport LP"
        return x0, method

    def _diagnose(self) -> str:
        base = super()._diagnose()
        if "side rules" in base:
            return (f"no choice of p = {self.p} new sites lets every area reach an open site "
                    f"with room for its requirement (with every site open it could): "
                    f"raise p or the capacities")
        return base

    def _build(self):
        lp = LinearProgram()
        svc = self.services[0]
        agg = _aggregate(svc, with_cost=True, enabled=self.aggregate)
        m = self.n_sites
        cand = svc.exist <= TOL
        y = lp.add_cols(m, lower=0.0, upper=cand.astype(float), integer=True)
        P, K = len(agg.k), agg.K
        z = lp.add_cols(P, cost=agg.t)
        lp.add_rows(K, agg.k, z, 1.0, lower=agg.q, upper=agg.q)
        reach_dem = np.bincount(agg.j, weights=agg.q[agg.k], minlength=m)
        capj = np.where(cand, svc.hi, svc.exist)
        binding = np.flatnonzero(capj < reach_dem - TOL)
        if len(binding):
            pos = np.full(m, -1)
            pos[binding] = np.arange(len(binding))
            sel = np.flatnonzero(pos[agg.j] >= 0)
            cb = binding[cand[binding]]
            lp.add_rows(len(binding), np.r_[pos[agg.j[sel]], pos[cb]], np.r_[z[sel], y[cb]],
                        np.r_[np.ones(len(sel)), -capj[cb]],
                        upper=np.where(cand[binding], 0.0, capj[binding]))
        new = np.flatnonzero(cand[agg.j])
        if True:  # z <= q y is needed with unlimited capacity, whatever self.strong says
            r = np.arange(len(new))
            lp.add_rows(len(new), np.r_[r, r], np.r_[z[new], y[agg.j[new]]],
                        np.r_[np.ones(len(new)), -agg.q[agg.k[new]]], upper=0.0)
        lp.add_rows(1, np.zeros(m, np.int64), y, 1.0, lower=self.p, upper=self.p)
        self._side_rules(lp, svc, y, None)
        return lp, [{"svc": svc, "agg": agg, "y": y, "x": lp.add_cols(m, upper=0.0), "z": z,
                     "u": None}]

    def _extract(self, blk, sol, *, soft, default_reason):
        ex = super()._extract(blk, sol, soft=False, default_reason=default_reason)
        svc = ex["svc"]
        ex["cap"] = np.where(ex["opened"], svc.hi, svc.exist)
        ex["new"] = np.where(ex["opened"], svc.hi, 0.0)
        return ex

    def _verify(self, ex, *, soft):
        svc = ex["svc"]
        verify(svc.origin, svc.site, svc.demand, assign_origin=ex["ao"],
               assign_site=ex["as"], assign_amount=ex["am"], unmet=np.zeros(self.n_areas),
               capacity=np.where(ex["open"], ex["cap"], 0.0),
               existing_capacity=np.where(ex["open"], ex["cap"], 0.0),
               opened=np.zeros(self.n_sites, bool), mode="cover", label=self.name)
        if int(ex["opened"].sum()) != self.p:
            raise SolverError(f"p-median opened {int(ex['opened'].sum())} sites, not {self.p}")


class JointSiting(_Model):
    r"""Joint siting of several services (child care and elder care) on shared sites.

    minimise :math:`\sum_j F_j w_j + \sum_s \sum_j (f^s_j y^s_j + c^s_j x^s_j) (+ P\sum u)`
    with every service's covering rows as in :class:`MinCostProvision`, :math:`y^s_j \le w_j`
    (a service opens only on a site in use) and, optionally, a shared floor area
    :math:`\sum_s a_s (e^s_j + x^s_j) \le A_j`.  :math:`F_j` is the cost shared by all
    services on site *j* (land, building shell: paid once when both open, as in 综合体 and
    "两室联建"); sites already in use (any existing capacity) carry no shared cost.
    """

    name = "joint siting"

    def __init__(self, services: list[_Service], *, shared_fixed_cost: np.ndarray,
                 site_area: np.ndarray | None, area_per_unit: Sequence[float] | None,
                 allow_unmet: bool, unmet_penalty: float | None, **kw: Any) -> None:
        super().__init__(services, **kw)
        self.shared_fixed_cost = shared_fixed_cost
        self.site_area = site_area
        self.area_per_unit = area_per_unit
        self._soft = allow_unmet
        self.unmet_penalty = [(_default_penalty(s) + float(shared_fixed_cost.max(initial=0)))
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
        reach_label: str = "in reach",
        integer_capacity: bool | Sequence[bool] = True,
    ) -> JointSiting:
        """Build from sparse pairs shared by the services.

        Parameters
        ----------
        demand : array (n_areas, n_services)
            Requirement of every area for every service.
        services : sequence of str
            Service names, in the column order of ``demand`` and the site arrays.
        max_cost : float or sequence
            Reach cutoff per service (e.g. shorter for the elderly walking more slowly).
        fixed_cost, unit_cost, min_capacity, max_capacity, existing_capacity : array (m, S)
            Per-site, per-service parameters (a 1-D array is used for every service).
        shared_fixed_cost : array (m,)
            Cost paid once per site used by any service.
        site_area, area_per_unit : optional
            Floor area of every site and floor area per unit of each service; when given,
            :math:`\\sum_s a_s \\cdot capacity_s \\le A_j`.
        rules : mapping service -> SideRules, optional
        integer_capacity : bool or sequence of bool
            Whole units of capacity, for every service or per service in ``services`` order
            (e.g. ``(True, False)`` for 托位 and m² of elder-care floor area).
        """
        q = np.asarray(demand, dtype=float)
        if q.ndim == 1:
            q = q[:, None]
        S = len(services)
        if q.shape[1] != S:
            raise InputError([f"demand has {q.shape[1]} columns for {S} services"],
                             source="JointSiting")
        m = n_sites if n_sites is not None else _infer_m(
            pairs_site, fixed_cost, unit_cost, min_capacity, max_capacity, existing_capacity,
            site_ids, shared_fixed_cost)
        cut = (list(max_cost) if isinstance(max_cost, Sequence) else [max_cost] * S)
        whole = ([bool(v) for v in integer_capacity]
                 if isinstance(integer_capacity, Sequence) else [bool(integer_capacity)] * S)
        if len(whole) != S:
            raise InputError([f"integer_capacity has {len(whole)} entries for {S} services"],
                             source="JointSiting")

        def col(a: Any, s: int) -> Any:
            if a is None:
                return None
            a = np.asarray(a, dtype=float)
            return a[:, s] if a.ndim == 2 else a

        svcs = [
            _validate_service(name, pairs_origin, pairs_site, cost, q[:, s], n_sites=m,
                              fixed_cost=col(fixed_cost, s), unit_cost=col(unit_cost, s),
                              min_capacity=col(min_capacity, s),
                              max_capacity=col(max_capacity, s),
                              existing_capacity=col(existing_capacity, s),
                              max_cost=cut[s], rules=(rules or {}).get(name),
                              integer_capacity=whole[s])
            for s, name in enumerate(services)
        ]
        F = (np.zeros(m) if shared_fixed_cost is None
             else np.broadcast_to(np.asarray(shared_fixed_cost, float), (m,)).copy())
        if (F < 0).any() or not np.isfinite(F).all():
            raise InputError(["shared_fixed_cost must be finite and >= 0"],
                             source="JointSiting")
        return cls(svcs, shared_fixed_cost=F,
                   site_area=None if site_area is None else np.asarray(site_area, float),
                   area_per_unit=area_per_unit, allow_unmet=allow_unmet,
                   unmet_penalty=unmet_penalty, area_ids=area_ids, site_ids=site_ids,
                   aggregate=aggregate, strong=strong, reach_label=reach_label)

    @classmethod
    def from_geodataframe(cls, areas: pd.DataFrame, sites: pd.DataFrame, pairs: pd.DataFrame,
                          *, demand_cols: Sequence[str] = ("childcare", "eldercare"),
                          services: Sequence[str] | None = None,
                          prefix_sep: str = "_", **kw: Any) -> JointSiting:
        """Build from frames: ``demand_cols`` in areas; site parameters in columns
        ``<service>_fixed_cost``, ``<service>_unit_cost``, ``<service>_min_capacity``,
        ``<service>_max_capacity``, ``<service>_existing_capacity`` and ``shared_fixed_cost``
        (``site_area`` optional)."""
        services = list(services or demand_cols)
        keys = ("area_id_col", "site_id_col", "origin_col", "destination_col", "cost_col")
        names = {k: kw.pop(k) for k in keys if k in kw}
        aid, sid, po, ps, t, q = _frames(
            areas, sites, pairs, demand_cols=list(demand_cols),
            area_id_col=names.get("area_id_col", "id"),
            site_id_col=names.get("site_id_col", "id"),
            origin_col=names.get("origin_col", "origin_id"),
            destination_col=names.get("destination_col", "destination_id"),
            cost_col=names.get("cost_col", "minutes"))
        arrays: dict[str, Any] = {}
        for p in ("fixed_cost", "unit_cost", "min_capacity", "max_capacity",
                  "existing_capacity"):
            cols = [_site_col(sites, f"{s}{prefix_sep}{p}", "sites") for s in services]
            if any(c is not None for c in cols):
                arrays[p] = np.column_stack([
                    c if c is not None else np.full(len(sid), np.nan) for c in cols])
        for p in ("shared_fixed_cost", "site_area"):
            v = _site_col(sites, p, "sites")
            if v is not None:
                arrays[p] = np.nan_to_num(v)
        arrays.update(kw)
        return cls.from_cost_matrix(po, ps, t, q, services=services, area_ids=aid,
                                    site_ids=sid, n_sites=len(sid), **arrays)

    def _precheck(self) -> None:
        for svc in self.services:
            self._feasibility(svc, raise_=not self._soft)

    def _build(self):
        lp = LinearProgram()
        m = self.n_sites
        in_use = np.zeros(m, dtype=bool)
        for svc in self.services:
            in_use |= svc.exist > TOL
        w = lp.add_cols(m, cost=np.where(in_use, 0.0, self.shared_fixed_cost),
                        lower=in_use.astype(float), upper=1.0, integer=True)
        blocks = []
        for s, svc in enumerate(self.services):
            blk = self._block(lp, svc, mode="cover", soft=self._soft,
                              penalty=self.unmet_penalty[s],
                              cover_form=self.site_area is None)
            lp.add_rows(m, np.r_[np.arange(m), np.arange(m)], np.r_[blk["y"], w],
                        np.r_[np.ones(m), -np.ones(m)], upper=0.0)
            blocks.append(blk)
        if self.site_area is not None and self.area_per_unit is not None:
            a = np.asarray(self.area_per_unit, dtype=float)
            used = sum(a[s] * svc.exist for s, svc in enumerate(self.services))
            rows = np.concatenate([np.arange(m)] * len(blocks))
            cols = np.concatenate([b["x"] for b in blocks])
            vals = np.concatenate([np.full(m, a[s]) for s in range(len(blocks))])
            lp.add_rows(m, rows, cols, vals, upper=np.maximum(self.site_area - used, 0.0))
        self._w = w
        return lp, blocks

    def solve(self, **kw: Any) -> JointSiting:  # type: ignore[override]
        """Solve (see :meth:`MinCostProvision.solve`); ``result.details['shared_sites']``
        lists the sites where several services open."""
        super().solve(**kw)
        res = self.result
        if res is not None and len(res.sites):
            open_by = res.sites[res.sites["open"]].groupby("id")["service"].nunique()
            res.details["shared_sites"] = open_by[open_by > 1].index.tolist()
            res.details["cost"] = float(res.details.get("cost", 0.0)) + float(
                self.shared_fixed_cost[np.isin(self.site_ids,
                                               res.sites[res.sites["open"]]["id"])].sum())
        return self


# --------------------------------------------------------------------------- helpers

def _start_base(lp: LinearProgram) -> tuple[ProgramArrays, np.ndarray]:
    """The model's arrays and a column vector with every column at its bound nearest 0."""
    a = lp.arrays()
    return a, a.at_zero()


def _cover_pairs(blk: dict[str, Any], allowed: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Rows (position among the block's classes to cover), sites and row count of the
    covering form's reach pairs restricted to the ``allowed`` sites."""
    agg: _Agg = blk["agg"]
    todo = blk["todo"]
    pos = np.full(agg.K, -1)
    pos[todo] = np.arange(len(todo))
    sel = np.flatnonzero((pos[agg.k] >= 0) & allowed[agg.j])
    return pos[agg.k[sel]], agg.j[sel], len(todo)


def _set_cost(lp: LinearProgram, cols: np.ndarray, cost: np.ndarray) -> None:
    """Overwrite the objective coefficients of ``cols`` (a contiguous block)."""
    _set_block(lp.cost, cols, cost)


def _set_block(parts: list[np.ndarray], cols: np.ndarray, values: np.ndarray) -> None:
    """Overwrite ``values`` of ``cols`` (a contiguous block) in one of the column lists of
    a :class:`LinearProgram` (``cost``, ``lower``, ``upper``)."""
    start = 0
    for part in parts:
        end = start + len(part)
        if len(cols) and cols[0] >= start and cols[-1] < end:
            part[cols - start] = values
            return
        start = end
    if len(cols):
        raise AssertionError("columns not in one block")


def _infer_m(pairs_site: Any, *arrays: Any) -> int:
    for a in arrays:
        if a is not None and np.ndim(a) >= 1:
            return int(np.shape(a)[0])
    s = np.asarray(pairs_site)
    return int(s.max() + 1) if s.size else 0


_SITE_PARAMS = ("fixed_cost", "unit_cost", "min_capacity", "max_capacity", "existing_capacity")


def _frame_args(areas: pd.DataFrame, sites: pd.DataFrame, pairs: pd.DataFrame,
                demand_cols: list[str], kw: dict[str, Any]) -> dict[str, Any]:
    keys = ("area_id_col", "site_id_col", "origin_col", "destination_col", "cost_col")
    names = {k: kw.pop(k) for k in keys if k in kw}
    aid, sid, po, ps, t, q = _frames(
        areas, sites, pairs, demand_cols=demand_cols,
        area_id_col=names.get("area_id_col", "id"), site_id_col=names.get("site_id_col", "id"),
        origin_col=names.get("origin_col", "origin_id"),
        destination_col=names.get("destination_col", "destination_id"),
        cost_col=names.get("cost_col", "minutes"))
    out: dict[str, Any] = {"po": po, "ps": ps, "t": t, "q": q, "area_ids": aid,
                           "site_ids": sid, "n_sites": len(sid)}
    for p in _SITE_PARAMS:
        colname = kw.pop(f"{p}_col", p)
        if p in kw:
            continue
        v = _site_col(sites, colname, "sites")
        if v is not None:
            out[p] = v
    return out
