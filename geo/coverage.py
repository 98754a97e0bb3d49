"""Coverage and accessibility from travel-time pairs: who lives within the circle, and 2SFCA.

No policy figures here: the population column, capacity column and the cutoff minutes are
parameters supplied by the caller (the ``coverage`` command takes them from a profile).

Definitions
-----------
- An area is *covered* when at least one facility is within ``minutes`` of it (a pair in
  ``pairs``). Coverage is reported as population and share, overall and by ``by`` (街道).
- *Reachable places* of an area: the summed capacity of the facilities within reach.
- *Places per 1000 residents reachable*: the 2SFCA score × 1000, i.e. each facility's
  capacity shared among all the residents within its reach (so a place counted by two areas
  is not counted twice). By unit: population-weighted mean of the areas' scores.
- 2SFCA (Luo & Wang 2003): ``R_j = S_j / Σ_i P_i w(d_ij)`` over areas within reach of
  facility j; ``A_i = Σ_j R_j w(d_ij)``. Decay ``w``: none (1 within the cutoff), 'linear'
  ``1 - d/d0``, or 'gaussian' (Dai 2010) ``(exp(-½(d/d0)²) - exp(-½)) / (1 - exp(-½))``,
  or any callable on minutes. Facilities with nobody in reach get no ratio (listed in
  ``attrs['facilities_without_demand']``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from core.messages import Message, Quantity
from errors import InputError, ProblemCollector
from geo.reach import Reach

__all__ = ["CoverageResult", "coverage", "two_step_fca", "decay_weights"]


def decay_weights(
    minutes: np.ndarray, *, decay: str | Callable[[np.ndarray], np.ndarray] | None,
    cutoff: float,
) -> np.ndarray:
    """Distance-decay weights of travel times within ``cutoff`` minutes.

    Parameters
    ----------
    minutes : ndarray
        Travel times (all ≤ cutoff; larger ones get weight 0).
    decay : None, 'linear', 'gaussian' or callable
        Decay function (see module docstring).
    cutoff : float
        Catchment size d0 in minutes.
    """
    m = np.asarray(minutes, dtype=float)
    inside = m <= cutoff
    if decay is None:
        w = np.ones_like(m)
    elif callable(decay):
        w = np.asarray(decay(m), dtype=float)
    elif decay == "linear":
        w = 1.0 - m / cutoff
    elif decay == "gaussian":
        e = math.exp(-0.5)
        w = (np.exp(-0.5 * (m / cutoff) ** 2) - e) / (1.0 - e)
    else:
        raise InputError([Message("geo.coverage.bad_decay", {"decay": repr(decay)})])
    return np.where(inside, np.clip(w, 0.0, None), 0.0)


def _frame(obj: Any) -> pd.DataFrame:
    return pd.DataFrame(obj.drop(columns="geometry", errors="ignore"))


def _check(areas: Any, facilities: Any, pairs: pd.DataFrame, *, area_cols: list[str],
           fac_cols: list[str], id_col: str) -> None:
    pc = ProblemCollector(source="accessibility")
    for name, df, cols in (("areas", areas, area_cols), ("facilities", facilities, fac_cols)):
        if len(df) == 0:
            pc.add(Message("geo.layer.empty"), source=name)
        for c in [id_col, *cols]:
            if c not in df.columns:
                pc.add(Message("geo.layer.no_column", {"column": c}), source=name, field=c)
    for c in ("origin_id", "destination_id", "minutes"):
        if c not in pairs.columns:
            pc.add(Message("geo.layer.no_column", {"column": c}), source="pairs", field=c)
    pc.raise_if_any()
    if area_cols:
        pop = pd.to_numeric(areas[area_cols[0]], errors="coerce")
        bad = areas[id_col][pop.isna() | (pop < 0)].tolist()
        if bad:
            pc.add(Message("geo.coverage.population_missing"), source="areas", field=area_cols[0],
                   rows=bad)
    if fac_cols:
        cap = pd.to_numeric(facilities[fac_cols[0]], errors="coerce")
        bad = facilities[id_col][cap.isna() | (cap < 0)].tolist()
        if bad:
            pc.add(Message("geo.coverage.capacity_missing"), source="facilities", field=fac_cols[0],
                   rows=bad)
    unknown_o = sorted(set(pairs["origin_id"]) - set(areas[id_col]), key=str)
    unknown_d = sorted(set(pairs["destination_id"]) - set(facilities[id_col]), key=str)
    if unknown_o:
        pc.add(Message("geo.coverage.unknown_areas"), source="pairs",
               field="origin_id", rows=unknown_o)
    if unknown_d:
        pc.add(Message("geo.coverage.unknown_facilities"), source="pairs",
               field="destination_id", rows=unknown_d)
    pc.raise_if_any()


def two_step_fca(
    areas: Any,
    facilities: Any,
    pairs: pd.DataFrame,
    *,
    demand_col: str,
    capacity_col: str,
    decay: str | Callable[[np.ndarray], np.ndarray] | None = None,
    reach: Reach | None = None,
    id_col: str = "id",
) -> pd.Series:
    """Two-step floating catchment accessibility of each area.

    Parameters
    ----------
    areas : DataFrame or GeoDataFrame
        With ``id_col`` and ``demand_col`` (population).
    facilities : DataFrame or GeoDataFrame
        With ``id_col`` and ``capacity_col``.
    pairs : DataFrame
        ``origin_id`` (area), ``destination_id`` (facility), ``minutes``, e.g. from
        :func:`geo.access.travel_times`.
    demand_col, capacity_col : str
        Column names.
    decay : None, 'linear', 'gaussian' or callable
        Distance decay on minutes.
    reach : Reach, optional
        Catchment d0 (its minutes); pairs beyond it are ignored. Defaults to
        ``pairs.attrs['minutes']``, else the largest time in ``pairs``.
    id_col : str, default 'id'

    Returns
    -------
    Series
        Capacity per resident reachable, indexed by area id (0 for areas with no facility in
        reach). ``attrs['facilities_without_demand']`` lists facilities with nobody in reach.
    """
    _check(areas, facilities, pairs, area_cols=[demand_col], fac_cols=[capacity_col],
           id_col=id_col)
    return _two_step_fca(areas, facilities, pairs, demand_col=demand_col,
                         capacity_col=capacity_col, decay=decay, d0=_cutoff(pairs, reach),
                         id_col=id_col)


def _two_step_fca(
    areas: Any, facilities: Any, pairs: pd.DataFrame, *, demand_col: str, capacity_col: str,
    decay: str | Callable[[np.ndarray], np.ndarray] | None, d0: float, id_col: str,
) -> pd.Series:
    """:func:`two_step_fca` on checked inputs with the catchment ``d0`` in minutes."""
    a = _frame(areas).set_index(id_col)
    f = _frame(facilities).set_index(id_col)
    p = pairs[pairs["minutes"] <= d0]
    w = decay_weights(p["minutes"].to_numpy(), decay=decay, cutoff=d0)
    pop = pd.to_numeric(a[demand_col]).reindex(p["origin_id"]).to_numpy(float)
    cap = pd.to_numeric(f[capacity_col])
    demand = pd.Series(pop * w).groupby(p["destination_id"].to_numpy()).sum()
    demand = demand.reindex(f.index, fill_value=0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(demand.to_numpy() > 0, cap.to_numpy(float) / demand.to_numpy(), 0.0)
    ratio = pd.Series(ratio, index=f.index)
    score = pd.Series(ratio.reindex(p["destination_id"]).to_numpy() * w).groupby(
        p["origin_id"].to_numpy()).sum()
    out = score.reindex(a.index, fill_value=0.0).rename("accessibility")
    out.index.name = id_col
    out.attrs["facilities_without_demand"] = demand.index[demand.to_numpy() <= 0].tolist()
    out.attrs["decay"] = decay if isinstance(decay, str | None) else getattr(
        decay, "__name__", "custom")
    out.attrs["minutes"] = d0
    return out


def _cutoff(pairs: pd.DataFrame, reach: Reach | None) -> float:
    if reach is not None:
        return reach.minutes
    if "minutes" in pairs.attrs:
        return float(pairs.attrs["minutes"])
    if len(pairs):
        return float(pairs["minutes"].max())
    raise InputError([Message("geo.coverage.no_catchment")])


@dataclass
class CoverageResult:
    """Coverage figures of one service.

    Attributes
    ----------
    overall : dict
        ``population``, ``covered_population``, ``share``, ``areas``, ``covered_areas``,
        ``capacity``, ``places_per_1000_reachable`` (population-weighted 2SFCA × 1000).
    by_unit : DataFrame
        The same per value of ``by`` (empty when the column is absent).
    areas : DataFrame
        Per area: ``id``, ``population``, ``covered``, ``facilities_in_reach``,
        ``nearest_minutes``, ``reachable_capacity``, ``accessibility`` (2SFCA),
        ``places_per_1000_reachable``, and ``by`` if present.
    not_covered : list
        Ids of the areas with no facility in reach.
    reasons : list of dict
        Why each of them is not covered: ``id``, ``kind``, ``reason`` (a Message), from the
        pairs' ``attrs['unreached']`` (:mod:`geo.unreached`: an isolated street fragment,
        off the network, …), else "no facility within the walking limit".
    """

    overall: dict[str, Any]
    by_unit: pd.DataFrame
    areas: pd.DataFrame
    not_covered: list[Any]
    params: dict[str, Any] = field(default_factory=dict)
    reasons: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dictionary."""
        def clean(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
            return [{k: _py(v) for k, v in r.items()} for r in records]

        return {
            "params": {k: _py(v) for k, v in self.params.items()},
            "overall": {k: _py(v) for k, v in self.overall.items()},
            "by_unit": clean(self.by_unit.to_dict("records")),
            "not_covered": [_py(i) for i in self.not_covered],
            "not_covered_reasons": [{"id": _py(r["id"]), "kind": r["kind"],
                                     **r["reason"].to_json()} for r in self.reasons],
            "areas": clean(self.areas.to_dict("records")),
        }


def _py(v: Any) -> Any:
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if v is pd.NA:
        return None
    return v


def coverage(
    areas: Any,
    facilities: Any,
    pairs: pd.DataFrame,
    *,
    by: str | None = "admin_unit",
    population_col: str = "population",
    capacity_col: str | None = "capacity",
    reach: Reach | None = None,
    decay: str | Callable[[np.ndarray], np.ndarray] | None = None,
    id_col: str = "id",
) -> CoverageResult:
    """Population within the walking circle of at least one facility, overall and by unit.

    Parameters
    ----------
    areas : DataFrame or GeoDataFrame
        Residential areas with ``id_col``, ``population_col`` and optionally ``by``.
    facilities : DataFrame or GeoDataFrame
        Facilities of one service with ``id_col`` (and ``capacity_col`` for places).
    pairs : DataFrame
        ``origin_id`` (area), ``destination_id`` (facility), ``minutes``.
    by : str or None, default 'admin_unit'
        Grouping column of ``areas`` (街道); skipped when absent or None.
    population_col : str, default 'population'
    capacity_col : str or None, default 'capacity'
        Capacity column; None skips reachable places and 2SFCA.
    reach : Reach, optional
        Service-circle cutoff (its minutes); defaults to ``pairs.attrs['minutes']`` or the
        largest time.
    decay : optional
        Distance decay of the 2SFCA score.
    id_col : str, default 'id'

    Returns
    -------
    CoverageResult
    """
    fac_cols = [capacity_col] if capacity_col else []
    _check(areas, facilities, pairs, area_cols=[population_col], fac_cols=fac_cols,
           id_col=id_col)
    d0 = _cutoff(pairs, reach)
    a = _frame(areas)
    p = pairs[pairs["minutes"] <= d0]
    g = p.groupby("origin_id")
    per = pd.DataFrame({id_col: a[id_col].to_numpy(),
                        "population": pd.to_numeric(a[population_col]).to_numpy(float)})
    if by and by in a.columns:
        per[by] = a[by].to_numpy()
    per["facilities_in_reach"] = g.size().reindex(per[id_col]).fillna(0).astype(int).to_numpy()
    per["covered"] = per["facilities_in_reach"] > 0
    per["nearest_minutes"] = g["minutes"].min().reindex(per[id_col]).to_numpy()
    total_cap = None
    if capacity_col:
        f = _frame(facilities).set_index(id_col)
        cap = pd.to_numeric(f[capacity_col])
        total_cap = float(cap.sum())
        in_reach = pd.Series(cap.reindex(p["destination_id"]).to_numpy()).groupby(
            p["origin_id"].to_numpy()).sum()
        per["reachable_capacity"] = in_reach.reindex(per[id_col]).fillna(0.0).to_numpy()
        acc = _two_step_fca(areas, facilities, p, demand_col=population_col,
                            capacity_col=capacity_col, decay=decay, d0=d0, id_col=id_col)
        per["accessibility"] = acc.reindex(per[id_col]).to_numpy()
        per["places_per_1000_reachable"] = per["accessibility"] * 1000.0

    def summary(df: pd.DataFrame) -> dict[str, Any]:
        pop = float(df["population"].sum())
        cov = float(df.loc[df["covered"], "population"].sum())
        out = {"population": pop, "covered_population": cov,
               "share": cov / pop if pop > 0 else float("nan"),
               "areas": int(len(df)), "covered_areas": int(df["covered"].sum())}
        if "accessibility" in df:
            out["places_per_1000_reachable"] = (
                float((df["accessibility"] * df["population"]).sum() / pop * 1000.0)
                if pop > 0 else float("nan"))
        return out

    overall = summary(per)
    if total_cap is not None:
        overall["capacity"] = total_cap
        overall["places_per_1000_residents"] = (total_cap / overall["population"] * 1000.0
                                                if overall["population"] > 0 else float("nan"))
    if by and by in per.columns:
        rows = [{by: k, **summary(grp)} for k, grp in per.groupby(by, sort=True, dropna=False)]
        by_unit = pd.DataFrame(rows)
    else:
        by_unit = pd.DataFrame()
    not_covered = per.loc[~per["covered"], id_col].tolist()
    reasons = _reasons(pairs, not_covered, d0)
    kinds = {r["id"]: r["kind"] for r in reasons}
    per["not_covered_reason"] = [kinds.get(i) for i in per[id_col]]
    params = {"minutes": d0, "population_col": population_col, "capacity_col": capacity_col,
              "by": by, "decay": decay if isinstance(decay, str | None) else "custom"}
    return CoverageResult(overall, by_unit, per, not_covered, params, reasons)


def _reasons(pairs: pd.DataFrame, not_covered: list[Any], minutes: float) -> list[dict[str, Any]]:
    """The reason of each area not covered: the pairs' own, else beyond the walking limit."""
    known = {r["id"]: r for r in pairs.attrs.get("unreached", [])
             if r.get("side") == "origins"}
    limit = Message("geo.unreached.beyond_limit_origins",
                    {"minutes": Quantity(minutes, "minutes", 1)})
    return [{"id": i, "kind": known[i]["kind"], "reason": known[i]["reason"]} if i in known
            else {"id": i, "kind": "beyond_limit", "reason": limit} for i in not_covered]
