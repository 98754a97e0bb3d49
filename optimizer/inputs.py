"""Shared input handling of the models: checked arrays of one service, and frames matched by id.

Every model is built from the same pieces: sparse pairs within reach (area index, site index,
minutes), a requirement per area and five per-site parameters.  :func:`service_arrays` checks
them (collecting every problem, raising once) into a :class:`ServiceData`;
:func:`frame_inputs` matches areas, sites and travel-time frames by id first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from core.messages import Message
from errors import CRSError, InputError, Problem, ProblemCollector
from optimizer.rules import SideRules

TOL = 1e-6

#: Per-site parameters every model accepts (the site columns of the frames).
SITE_PARAMS: tuple[str, ...] = ("fixed_cost", "unit_cost", "min_capacity", "max_capacity",
                                "existing_capacity")

#: Keyword arguments naming the id and travel-time columns of the frames, and their defaults.
FRAME_COLUMNS: dict[str, str] = {
    "area_id_col": "id", "site_id_col": "id", "origin_col": "origin_id",
    "destination_col": "destination_id", "cost_col": "minutes",
}


@dataclass
class ServiceData:
    """One service's checked arrays: pairs within reach, requirements and site parameters.

    Attributes
    ----------
    name : str
        Service name (``demand`` for a single-service model).
    origin, site, cost : array
        Area index, site index and minutes of every pair within reach (no duplicates).
    demand : array of float
        Requirement of every area.
    fixed, unit, lo, hi, exist : array of float
        Fixed cost, unit cost, least and largest total capacity, existing capacity of every
        site.
    rules : SideRules
        Rules on the open sites.
    integer : bool
        Capacity added comes in whole units (托位, beds), not m².
    """

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
    integer: bool = True

    @property
    def largest_capacity(self) -> np.ndarray:
        """Largest capacity every site may have (existing or after growing)."""
        return np.asarray(np.maximum(self.exist, self.hi))


def infer_n_sites(pairs_site: Any, *arrays: Any) -> int:
    """Number of sites: the length of the first per-site array, else the largest index + 1."""
    for a in arrays:
        if a is not None and np.ndim(a) >= 1:
            return int(np.shape(a)[0])
    s = np.asarray(pairs_site)
    return int(s.max() + 1) if s.size else 0


def _per_site(v: Any, m: int, default: float, name: str, c: ProblemCollector) -> np.ndarray:
    if v is None:
        return np.full(m, default, dtype=float)
    a = np.asarray(v, dtype=float)
    if a.ndim == 0:
        return np.full(m, float(a))
    if a.shape != (m,):
        c.add(Message("optimizer.input.per_site_length",
                      {"length": a.shape[0] if a.ndim else 0, "expected": m}), field=name)
        return np.full(m, default, dtype=float)
    return np.where(np.isnan(a), default, a)


def _values(a: np.ndarray) -> list[float]:
    return [float(v) for v in a[:5]]


def _check_pairs(c: ProblemCollector, o: np.ndarray, s: np.ndarray, t: np.ndarray,
                 q: np.ndarray, m: int) -> None:
    n = len(q)
    bad = np.flatnonzero(~np.isfinite(q) | (q < 0))
    if len(bad):
        c.add(Message("optimizer.input.requirement", {"values": _values(q[bad])}),
              rows=bad.tolist(), field="demand")
    bad = np.flatnonzero((o < 0) | (o >= n))
    if len(bad):
        c.add(Message("optimizer.input.origin_index", {"last": n - 1}), rows=bad.tolist(),
              field="pairs_origin")
    bad = np.flatnonzero((s < 0) | (s >= m))
    if len(bad):
        c.add(Message("optimizer.input.site_index", {"last": m - 1}), rows=bad.tolist(),
              field="pairs_site")
    bad = np.flatnonzero(~np.isfinite(t) | (t < 0))
    if len(bad):
        c.add(Message("optimizer.input.cost"), rows=bad.tolist(), field="cost")


def _check_site_params(c: ProblemCollector, params: dict[str, np.ndarray]) -> None:
    for nm, a in params.items():
        bad = np.flatnonzero(a < 0)
        if len(bad):
            c.add(Message("optimizer.input.negative", {"values": _values(a[bad])}),
                  rows=bad.tolist(), field=nm)
    lo, hi = params["min_capacity"], params["max_capacity"]
    bad = np.flatnonzero(lo > hi)
    if len(bad):
        c.add(Message("optimizer.input.min_over_max",
                      {"lower": _values(lo[bad]), "upper": _values(hi[bad])}),
              rows=bad.tolist(), field="min_capacity")
    for nm in ("fixed_cost", "unit_cost", "existing_capacity", "min_capacity"):
        bad = np.flatnonzero(np.isinf(params[nm]))
        if len(bad):
            c.add(Message("optimizer.input.finite"), rows=bad.tolist(), field=nm)


def _check_rules(c: ProblemCollector, rules: SideRules, m: int) -> None:
    for name, arr in (("site_group", rules.site_group), ("site_kind", rules.site_kind)):
        if arr is not None and np.asarray(arr).shape != (m,):
            c.add(Message("optimizer.input.one_per_site", {"name": name, "sites": m}),
                  field=name)
    for rule in rules.counts:
        for name, arr in (("site_group", rule.site_group), ("site_mask", rule.site_mask)):
            if arr is not None and np.asarray(arr).shape != (m,):
                c.add(Message("optimizer.input.one_per_site", {"name": name, "sites": m}),
                      field=name)
    for kind, (sa, sb) in (rules.kind_shares or {}).items():
        if (sa is not None and not 0 <= sa <= 1) or (sb is not None and not 0 <= sb <= 1) or (
                sa is not None and sb is not None and sa > sb):
            c.add(Message("optimizer.input.share_bounds",
                          {"kind": str(kind), "lower": str(sa), "upper": str(sb)}),
                  field="kind_shares")


def _dedupe_pairs(o: np.ndarray, s: np.ndarray,
                  t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Duplicate pairs: keep the shortest."""
    if not len(o):
        return o, s, t
    order = np.lexsort((t, s, o))
    o, s, t = o[order], s[order], t[order]
    first = np.ones(len(o), dtype=bool)
    first[1:] = (o[1:] != o[:-1]) | (s[1:] != s[:-1])
    return o[first], s[first], t[first]


def service_arrays(
    name: str,
    pairs_origin: Any,
    pairs_site: Any,
    cost: Any,
    demand: Any,
    *,
    n_sites: int | None,
    fixed_cost: Any = None,
    unit_cost: Any = None,
    min_capacity: Any = None,
    max_capacity: Any = None,
    existing_capacity: Any = None,
    max_cost: float | None = None,
    rules: SideRules | None = None,
    integer_capacity: bool = True,
    site_ids: Any = None,
) -> ServiceData:
    """Check one service's arrays and hold them (the shared body of ``from_cost_matrix``).

    Parameters
    ----------
    name : str
        Service name.
    pairs_origin, pairs_site, cost : array
        Area index, site index and minutes of every pair within reach.
    demand : array of float
        Requirement of every area.
    n_sites : int, optional
        Number of sites (default: from the per-site arrays, ``site_ids`` or the largest site
        index).
    fixed_cost, unit_cost, min_capacity, max_capacity, existing_capacity : array or float
        Per-site parameters (defaults 0, 0, 0, inf, 0; NaN = default).
    max_cost : float, optional
        Reach cutoff applied to ``cost``.
    rules : SideRules, optional
        Groups and kind shares.
    integer_capacity : bool
        Whole units of capacity.
    site_ids : array, optional
        Site labels (only their number is used here).

    Returns
    -------
    ServiceData
        The checked arrays, pairs beyond ``max_cost`` dropped, duplicates merged.

    Raises
    ------
    InputError
        With every problem found.
    """
    m_given = n_sites if n_sites is not None else infer_n_sites(
        pairs_site, fixed_cost, unit_cost, min_capacity, max_capacity, existing_capacity,
        site_ids)
    c = ProblemCollector(source="optimizer input", error=InputError)
    o = np.asarray(pairs_origin, dtype=np.int64).ravel()
    s = np.asarray(pairs_site, dtype=np.int64).ravel()
    t = np.asarray(cost, dtype=float).ravel()
    q = np.asarray(demand, dtype=float).ravel()
    if not (len(o) == len(s) == len(t)):
        c.add(Message("optimizer.input.pair_lengths",
                      {"origin": len(o), "site": len(s), "cost": len(t)}), field="pairs")
        o = s = np.zeros(0, np.int64)
        t = np.zeros(0)
    m = int(m_given)
    _check_pairs(c, o, s, t, q, m)
    params = {
        "fixed_cost": _per_site(fixed_cost, m, 0.0, "fixed_cost", c),
        "unit_cost": _per_site(unit_cost, m, 0.0, "unit_cost", c),
        "min_capacity": _per_site(min_capacity, m, 0.0, "min_capacity", c),
        "max_capacity": _per_site(max_capacity, m, np.inf, "max_capacity", c),
        "existing_capacity": _per_site(existing_capacity, m, 0.0, "existing_capacity", c),
    }
    _check_site_params(c, params)
    rules = rules or SideRules()
    _check_rules(c, rules, m)
    c.raise_if_any()
    if max_cost is not None:
        keep = t <= max_cost + 1e-9
        o, s, t = o[keep], s[keep], t[keep]
    o, s, t = _dedupe_pairs(o, s, t)
    return ServiceData(name, o, s, t, q, params["fixed_cost"], params["unit_cost"],
                       params["min_capacity"], params["max_capacity"],
                       params["existing_capacity"], rules, bool(integer_capacity))


# --------------------------------------------------------------------------- frames

def check_crs(areas: Any, sites: Any) -> None:
    """Raise :class:`errors.CRSError` when geo frames lack a CRS or differ in it."""
    has = [hasattr(x, "geometry") and hasattr(x, "crs") for x in (areas, sites)]
    if not any(has):
        return
    c = ProblemCollector(source="optimizer input", error=CRSError)
    for name, x, h in (("areas", areas, has[0]), ("sites", sites, has[1])):
        if h and x.crs is None:
            c.add(Message("optimizer.input.no_crs"), field=name)
    c.raise_if_any()
    if all(has) and areas.crs != sites.crs:
        c.add(Message("optimizer.input.crs_differ", {"areas": areas.crs.to_string(),
                                                     "sites": sites.crs.to_string()}),
              field="crs")
    c.raise_if_any()


@dataclass
class FrameInputs:
    """Areas, sites and travel times matched by id.

    Attributes
    ----------
    area_ids, site_ids : array of str
        Labels of the areas and sites, in row order.
    origin, site, minutes : array
        Area index, site index and minutes of every travel-time row.
    demand : array (n_areas, n_demand_cols)
        Requirements.
    """

    area_ids: np.ndarray
    site_ids: np.ndarray
    origin: np.ndarray
    site: np.ndarray
    minutes: np.ndarray
    demand: np.ndarray

    @property
    def n_sites(self) -> int:
        """Number of sites."""
        return len(self.site_ids)


def _missing_columns(c: ProblemCollector, areas: pd.DataFrame, sites: pd.DataFrame,
                     pairs: pd.DataFrame, demand_cols: Sequence[str],
                     names: dict[str, str]) -> None:
    for frame, cols, what in (
            (areas, [names["area_id_col"], *demand_cols], "areas"),
            (sites, [names["site_id_col"]], "sites"),
            (pairs, [names["origin_col"], names["destination_col"], names["cost_col"]],
             "pairs")):
        missing = [x for x in cols if x not in frame.columns]
        if missing:
            c.add(Message("optimizer.input.missing_columns",
                          {"layer": Message(f"optimizer.layer.{what}"), "missing": missing,
                           "have": [str(x) for x in frame.columns]}))


def _match_ids(c: ProblemCollector, pairs: pd.DataFrame, col: str, labels: np.ndarray,
               what: str) -> np.ndarray:
    pos = pd.Index(labels).get_indexer(pairs[col].astype(str))
    bad = np.flatnonzero(pos < 0)
    if len(bad):
        vals = pairs[col].astype(str).to_numpy()[bad]
        c.add(Message("optimizer.input.unknown_ids",
                      {"n": len(bad), "layer": Message(f"optimizer.layer.{what}"),
                       "ids": sorted(set(vals))[:10]}),
              rows=pairs.index[bad].tolist(), field=col)
    return np.asarray(pos)


def match_frames(areas: pd.DataFrame, sites: pd.DataFrame, pairs: pd.DataFrame, *,
                 demand_cols: Sequence[str], source: str = "",
                 **columns: str) -> FrameInputs:
    """Match ids: area and site labels, pair indices and minutes, requirement matrix.

    Parameters
    ----------
    areas, sites, pairs : DataFrame
        Areas (id and ``demand_cols``), sites (id) and travel times (origin id,
        destination id, minutes); geo frames must share one CRS.
    demand_cols : sequence of str
        Requirement columns of ``areas``.
    source : str
        How the input is named in messages.
    **columns : str
        Column names overriding :data:`FRAME_COLUMNS`.

    Returns
    -------
    FrameInputs
        The matched arrays.

    Raises
    ------
    CRSError, InputError
        With every problem found.
    """
    names = {**FRAME_COLUMNS, **columns}
    check_crs(areas, sites)
    c = ProblemCollector(source=source or "optimizer input")
    _missing_columns(c, areas, sites, pairs, demand_cols, names)
    c.raise_if_any()
    aid = areas[names["area_id_col"]].astype(str).to_numpy()
    sid = sites[names["site_id_col"]].astype(str).to_numpy()
    for ids, what in ((aid, "areas"), (sid, "sites")):
        dup = pd.Series(ids)[pd.Series(ids).duplicated()].unique()
        if len(dup):
            c.add(Message("optimizer.input.duplicate_ids",
                          {"layer": Message(f"optimizer.layer.{what}")}),
                  rows=list(dup), field="id")
    po = _match_ids(c, pairs, names["origin_col"], aid, "areas")
    ps = _match_ids(c, pairs, names["destination_col"], sid, "sites")
    cost_col = names["cost_col"]
    t = pd.to_numeric(pairs[cost_col], errors="coerce").to_numpy(dtype=float)
    bad = np.flatnonzero(~np.isfinite(t) | (t < 0))
    if len(bad):
        c.add(Message("optimizer.input.travel_time"), rows=pairs.index[bad].tolist(),
              field=cost_col)
    q = np.column_stack([pd.to_numeric(areas[d], errors="coerce").to_numpy(dtype=float)
                         for d in demand_cols])
    bad = np.flatnonzero(~np.isfinite(q).all(axis=1) | (q < 0).any(axis=1))
    if len(bad):
        c.add(Message("optimizer.input.requirement_number"), rows=list(aid[bad]),
              field=", ".join(demand_cols))
    c.raise_if_any()
    return FrameInputs(aid, sid, po, ps, t, q)


def site_column(sites: pd.DataFrame, col: str | None, source: str = "sites") -> np.ndarray | None:
    """The numbers of column ``col`` of ``sites`` (None when absent).

    Raises
    ------
    InputError
        When a non-empty value is not a number.
    """
    if col is None or col not in sites.columns:
        return None
    v = pd.to_numeric(sites[col], errors="coerce")
    bad = np.flatnonzero(sites[col].notna().to_numpy() & v.isna().to_numpy())
    if len(bad):
        raise InputError([Problem(Message("optimizer.input.not_a_number"),
                                  rows=bad[:20].tolist(), field=col)],
                         source=source or "sites")
    return np.asarray(v.to_numpy(dtype=float))


def pop_frame_columns(kw: dict[str, Any]) -> dict[str, str]:
    """Take the column-naming keywords (:data:`FRAME_COLUMNS`) out of ``kw``."""
    return {k: kw.pop(k) for k in FRAME_COLUMNS if k in kw}


def site_params_of(sites: pd.DataFrame, kw: dict[str, Any]) -> dict[str, np.ndarray]:
    """The per-site parameters found in ``sites`` and not given in ``kw``.

    ``<param>_col`` keywords (taken out of ``kw``) rename the columns.
    """
    out: dict[str, np.ndarray] = {}
    for p in SITE_PARAMS:
        colname = kw.pop(f"{p}_col", p)
        if p in kw:
            continue
        v = site_column(sites, colname, "sites")
        if v is not None:
            out[p] = v
    return out
