"""Residents per residential area from census totals and buildings (dasymetric estimate).

Planners rarely hold residents for every 小区. What they hold is the census (第七次人口普查)
population of each 街道 or 社区, often with age groups, a layer of 小区 outlines or points, and
building footprints with floor counts. :func:`estimate_population` shares each census unit's
population among the residential areas inside it:

1. Areas whose ``population`` is given keep it; it is taken out of their unit's total first.
2. Every other area gets a weight, in residents, from the best figure it has, recorded in
   ``population_method``:

   ``households``
       its ``households`` field × persons per household;
   ``floor_area``
       its ``floor_area_m2`` field, or else the residential floor area of the buildings inside
       it (footprint × floors), ÷ floor area per person;
   ``area``
       neither: its land area × the residents per m² of land of the unit's areas that have a
       figure (with none in the unit, plain land-area shares).

3. The rest of the unit's total is shared in proportion to the weights, rounded to whole
   residents by largest remainders, so that the estimates inside each unit add up to its
   population less the given ones. An area straddling two units is split by the share of its
   residential floor area in each (of its land area, without buildings). A building belongs to
   the area and unit its point-on-surface lies in.
4. Age groups (``age_0_3``, ``age_60_plus`` …) of a unit are shared in proportion to the
   residents of its areas (the unit's age shares apply to all its areas, given ones included).

A census unit with no residential area keeps its residents in the summary as ``unassigned``;
nothing is lost silently.

:func:`residents_by_year` counts developments by a target year with an occupancy ramp.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from core.messages import Message
from errors import InputError, Problem, ProblemCollector
from geo import local_metric_crs
from planning.census import (
    AGE_FIELDS,
    census_age_columns,
    census_numbers,
    largest_remainder,
    residents_per_hectare,
    shares_text,
)

__all__ = ["METHODS", "PopulationEstimate", "estimate_population"]

#: Values of ``population_method``.
METHODS: tuple[str, ...] = ("given", "households", "floor_area", "area")

#: Overlap of two census units (m²) above which they are reported as overlapping; smaller
#: slivers come from digitising and are ignored.
OVERLAP_TOLERANCE_M2: float = 1.0

#: Shares of an area in a census unit below this are left out of ``census_shares`` (slivers
#: where outlines were digitised apart); they still count in the estimate.
SHARE_SHOWN: float = 0.005

#: An area is noted as lying partly outside the census units when less than this share of it
#: (of its floor area, or of its land) is inside them.
INSIDE_SHARE_NOTE: float = 0.99


@dataclass
class PopulationEstimate:
    """The result of :func:`estimate_population`.

    Attributes
    ----------
    areas : geopandas.GeoDataFrame
        The areas with ``population``, ``population_method``, ``census_unit`` (the unit holding
        most of the area), ``census_shares`` (for areas in several units, e.g. ``S1 60%; S2
        40%``), ``floor_area_used_m2``, ``residents_per_ha`` and the age groups of the census.
    units : pandas.DataFrame
        One row per census unit: ``census_population``, ``given``, ``estimated``, ``assigned``,
        ``unassigned``, ``areas``, one count per method, and per age group the census figure
        and the figure assigned to areas.
    notes : list of Message
        What the planner should know (units without residential areas, areas partly outside the
        units, buildings outside every area, default floors used …).
    parameters : dict
        The figures used (persons per household, floor area per person, storey height …).
    """

    areas: gpd.GeoDataFrame
    units: pd.DataFrame
    notes: list[Message] = field(default_factory=list)
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def age_columns(self) -> list[str]:
        """Age-group columns carried by the estimate."""
        return [c for c in AGE_FIELDS if c in self.areas.columns]

    def to_json(self) -> dict[str, Any]:
        """Parameters, totals and notes (codes, arguments and English text)."""
        u = self.units
        return {
            "parameters": self.parameters,
            "totals": {
                "census_population": float(u["census_population"].sum()),
                "assigned": float(u["assigned"].sum()),
                "unassigned": float(u["unassigned"].sum()),
                "areas": len(self.areas),
                "methods": {m: int((self.areas["population_method"] == m).sum())
                            for m in METHODS},
            },
            "notes": [n.to_json() for n in self.notes],
        }


# --------------------------------------------------------------------------- the estimate


def estimate_population(
    areas: gpd.GeoDataFrame,
    census: gpd.GeoDataFrame,
    *,
    buildings: gpd.GeoDataFrame | None = None,
    persons_per_household: float,
    floor_area_per_person_m2: float,
    outside: str = "error",
    areas_source: str | None = None,
    census_source: str | None = None,
) -> PopulationEstimate:
    """Share census populations among the residential areas inside each census unit.

    Parameters
    ----------
    areas : geopandas.GeoDataFrame
        Residential areas (polygons or points) with ``id`` and optionally ``population`` (kept
        where given), ``households`` and ``floor_area_m2``; any CRS.
    census : geopandas.GeoDataFrame
        Census units (polygons) with ``id``, ``population`` and optionally age-group columns
        (``age_0_3``, ``age_60_plus``, ``age_65_plus`` or their Chinese names, see
        :data:`AGE_FIELDS`); any CRS.
    buildings : geopandas.GeoDataFrame, optional
        Footprints with ``floors`` and ``residential`` (see :func:`geo.buildings.read_buildings`);
        buildings with ``residential`` False are left out.
    persons_per_household : float
        Residents per household, for areas weighted by households.
    floor_area_per_person_m2 : float
        Residential floor area per resident, m², to weigh floor areas against households.
    outside : {'error', 'drop'}
        Areas lying outside every census unit: an error naming them (default), or left out of
        the result and listed in the notes.
    areas_source, census_source : str, optional
        Names of the inputs for messages.

    Returns
    -------
    PopulationEstimate
        Areas with their estimates, a summary per census unit, notes and parameters.

    Raises
    ------
    errors.InputError
        Every problem at once: census units without population or overlapping each other, age
        groups larger than the population, populations that are not numbers or negative, areas
        outside every unit (with ``outside='error'``), given populations that exceed their
        unit's total, point areas with nothing to weigh them by.
    """
    if outside not in ("error", "drop"):
        raise ValueError(f"outside must be 'error' or 'drop', got {outside!r}")
    col = ProblemCollector(source=areas_source)
    for name, value in (("persons_per_household", persons_per_household),
                        ("floor_area_per_person_m2", floor_area_per_person_m2)):
        if not (np.isfinite(value) and value > 0):
            col.add(Message("population.parameter_positive", {"name": name, "value": value}))
    col.raise_if_any()
    notes: list[Message] = []

    # ---- census units
    if census.crs is None or areas.crs is None:
        raise InputError([Problem(Message("population.no_crs"))])
    metric = local_metric_crs(census)
    cen = census.rename(columns=census_age_columns(
        [c for c in census.columns if c != census.geometry.name])).to_crs(metric)
    cen = cen.reset_index(drop=True)
    unit_ids = cen["id"].astype(str).to_numpy(dtype=object)
    if "population" not in cen.columns:
        col.add(Message("population.census_no_population"), source=census_source,
                field="population")
        col.raise_if_any()
    unit_pop = census_numbers(cen, "population", unit_ids, col, source=census_source)
    missing = ~np.isfinite(unit_pop)
    if missing.any():
        col.add(Message("population.census_missing"), rows=list(unit_ids[missing]),
                field="population", source=census_source)
    age_cols = [c for c in AGE_FIELDS if c in cen.columns]
    unit_age: dict[str, np.ndarray] = {}
    for c in age_cols:
        unit_age[c] = census_numbers(cen, c, unit_ids, col, source=census_source)
        big = np.isfinite(unit_age[c]) & np.isfinite(unit_pop) & (unit_age[c] > unit_pop)
        if big.any():
            col.add(Message("population.age_above_population", {"group": c}),
                    rows=list(unit_ids[big]), field=c, source=census_source)
    ugeoms = np.asarray(cen.geometry.values, dtype=object)
    utree = shapely.STRtree(ugeoms)
    left, right = utree.query(ugeoms, predicate="intersects")
    pair = left < right
    left, right = left[pair], right[pair]
    if len(left):
        overlap = shapely.area(shapely.intersection(ugeoms[left], ugeoms[right]))
        bad = overlap > OVERLAP_TOLERANCE_M2
        if bad.any():
            pairs = [f"{unit_ids[i]}/{unit_ids[j]} ({a:,.0f} m²)"
                     for i, j, a in zip(left[bad], right[bad], overlap[bad], strict=True)]
            col.add(Message("population.units_overlap", {"pairs": pairs}),
                    rows=sorted({*unit_ids[left[bad]], *unit_ids[right[bad]]}),
                    source=census_source)

    # ---- areas
    ar = areas.to_crs(metric).reset_index(drop=True)
    area_ids = ar["id"].astype(str).to_numpy(dtype=object)
    given = census_numbers(ar, "population", area_ids, col, source=areas_source)
    hh = census_numbers(ar, "households", area_ids, col, source=areas_source)
    fa_field = census_numbers(ar, "floor_area_m2", area_ids, col, source=areas_source)
    ageoms = np.asarray(ar.geometry.values, dtype=object)
    is_point = np.isin(shapely.get_type_id(ageoms), (0, 4))
    land = np.where(is_point, 0.0, shapely.area(ageoms))

    # pieces: area × unit
    if is_point.any():
        pa, pu = utree.query(ageoms[is_point], predicate="within")
        pa = np.flatnonzero(is_point)[pa]
        pa_poly, pu_poly = utree.query(ageoms[~is_point], predicate="intersects")
        pa_poly = np.flatnonzero(~is_point)[pa_poly]
        piece_area = np.concatenate([np.zeros(len(pa)), shapely.area(
            shapely.intersection(ageoms[pa_poly], ugeoms[pu_poly]))])
        pa = np.concatenate([pa, pa_poly])
        pu = np.concatenate([pu, pu_poly])
    else:
        pa, pu = utree.query(ageoms, predicate="intersects")
        piece_area = shapely.area(shapely.intersection(ageoms[pa], ugeoms[pu]))
    keep = (piece_area > 0) | is_point[pa]
    if is_point.any():
        # a point on a shared boundary lies in no unit's interior: take the first unit it touches
        pts_in = np.zeros(len(ar), dtype=bool)
        pts_in[pa[is_point[pa]]] = True
        lost = np.flatnonzero(is_point & ~pts_in)
        if len(lost):
            la, lu = utree.query(ageoms[lost], predicate="intersects")
            first = np.unique(la, return_index=True)[1]
            pa = np.concatenate([pa, lost[la[first]]])
            pu = np.concatenate([pu, lu[first]])
            piece_area = np.concatenate([piece_area, np.zeros(len(first))])
            keep = np.concatenate([keep, np.ones(len(first), dtype=bool)])
    pa, pu, piece_area = pa[keep], pu[keep], piece_area[keep]
    # merge duplicate (area, unit) pairs (none expected, but intersects may repeat)
    key = pa.astype(np.int64) * len(ugeoms) + pu
    key, first = np.unique(key, return_index=True)
    pa, pu, piece_area = pa[first], pu[first], piece_area[first]

    inside = np.zeros(len(ar), dtype=bool)
    inside[pa] = True
    if (~inside).any():
        out_ids = list(area_ids[~inside])
        if outside == "error":
            col.add(Message("population.areas_outside"), rows=out_ids, source=areas_source)
        else:
            notes.append(Message("population.areas_dropped", {"n": len(out_ids),
                                                              "ids": out_ids}))
    poly_idx = np.flatnonzero(~is_point)
    atree = shapely.STRtree(ageoms[poly_idx])
    al, ar_ = atree.query(ageoms[poly_idx], predicate="intersects")
    pair = al < ar_
    al, ar_ = poly_idx[al[pair]], poly_idx[ar_[pair]]
    if len(al):
        ov = shapely.area(shapely.intersection(ageoms[al], ageoms[ar_]))
        big = ov > OVERLAP_TOLERANCE_M2
        if big.any():
            notes.append(Message("population.areas_overlap", {
                "pairs": [f"{area_ids[i]}/{area_ids[j]} ({a:,.0f} m²)" for i, j, a in
                          zip(al[big], ar_[big], ov[big], strict=True)]}))
    pts_nothing = is_point & ~np.isfinite(given) & ~np.isfinite(hh) & ~np.isfinite(fa_field)
    if pts_nothing.any():
        col.add(Message("population.point_without_figures"), rows=list(area_ids[pts_nothing]),
                source=areas_source)
    col.raise_if_any()

    # ---- buildings: floor area per piece
    n_pieces = len(pa)
    piece_floor = np.zeros(n_pieces)
    area_floor_total = np.zeros(len(ar))  # in any unit or none
    bparams: dict[str, Any] = {}
    if buildings is not None and len(buildings):
        b = buildings
        if "residential" in b.columns:
            res = b["residential"].to_numpy(dtype=bool)
            if (~res).any():
                notes.append(Message("population.buildings_not_residential",
                                     {"n": int((~res).sum())}))
            b = b.loc[res]
        bm = b.to_crs(metric)
        bgeoms = np.asarray(bm.geometry.values, dtype=object)
        floors = bm["floors"].to_numpy(dtype=float) if "floors" in bm.columns else np.ones(len(bm))
        bfloor = shapely.area(bgeoms) * floors
        pts = shapely.point_on_surface(bgeoms)
        bi, ai = atree.query(pts, predicate="within")
        ai = poly_idx[ai]
        bi, first = np.unique(bi, return_index=True)  # a point in two areas: the first
        ai = ai[first]
        np.add.at(area_floor_total, ai, bfloor[bi])
        ui_b, uu = utree.query(pts[bi], predicate="within")
        ui_b, first = np.unique(ui_b, return_index=True)
        uu = uu[first]
        # map (area, unit) of each building to its piece
        bkey = ai[ui_b].astype(np.int64) * len(ugeoms) + uu
        pos = np.searchsorted(key, bkey)
        ok = (pos < len(key)) & (key[np.minimum(pos, len(key) - 1)] == bkey)
        np.add.at(piece_floor, pos[ok], bfloor[bi[ui_b[ok]]])
        outside_b = len(bm) - len(bi)
        if outside_b:
            notes.append(Message("population.buildings_outside_areas", {"n": outside_b}))
        fd = buildings.attrs.get("floors_default")
        if fd:
            bparams["floors_default"] = fd
            if fd.get("buildings"):
                notes.append(Message(f"population.floors_default_{fd['basis']}",
                                     {"n": fd["buildings"], "floors": fd["floors"]}))

    # ---- shares of each area in each unit, and its weight in residents
    has_bld = area_floor_total > 0
    piece_share = np.where(has_bld[pa], piece_floor / np.where(has_bld[pa],
                                                               area_floor_total[pa], 1.0),
                           np.where(is_point[pa], 1.0,
                                    piece_area / np.where(land[pa] > 0, land[pa], 1.0)))
    share_in = np.zeros(len(ar))
    np.add.at(share_in, pa, piece_share)
    partly = inside & (share_in < INSIDE_SHARE_NOTE)
    if partly.any():
        notes.append(Message("population.areas_partly_outside",
                             {"ids": [f"{i} ({s:.0%})" for i, s in
                                      zip(area_ids[partly], share_in[partly], strict=True)]}))

    method = np.full(len(ar), "area", dtype=object)
    weight = np.full(len(ar), np.nan)
    has_given = np.isfinite(given)
    method[has_given] = "given"
    use_hh = ~has_given & np.isfinite(hh)
    method[use_hh] = "households"
    weight[use_hh] = hh[use_hh] * persons_per_household
    use_fa = ~has_given & ~use_hh & np.isfinite(fa_field)
    method[use_fa] = "floor_area"
    weight[use_fa] = fa_field[use_fa] / floor_area_per_person_m2
    use_b = ~has_given & ~use_hh & ~use_fa & has_bld
    method[use_b] = "floor_area"
    weight[use_b] = area_floor_total[use_b] / floor_area_per_person_m2
    floor_used = np.where(use_fa, fa_field, np.where(use_b, area_floor_total, np.nan))

    piece_w = weight[pa] * piece_share  # NaN for given and area-method pieces
    piece_land = np.where(is_point[pa], 0.0, piece_area)
    is_area_m = method[pa] == "area"
    known = np.isfinite(piece_w) & (piece_land > 0)
    n_units = len(ugeoms)
    known_w = np.bincount(pu[known], weights=piece_w[known], minlength=n_units)
    known_land = np.bincount(pu[known], weights=piece_land[known], minlength=n_units)
    density = np.where(known_land > 0, known_w / np.where(known_land > 0, known_land, 1.0), 1.0)
    piece_w = np.where(is_area_m, piece_land * density[pu], piece_w)

    # ---- share each unit's total
    piece_given = np.where(method[pa] == "given", np.nan_to_num(given[pa]) * piece_share, 0.0)
    # a given population split across units is split in whole residents (when it is whole), so
    # that each unit's remainder, and so its estimates, stay whole and its total is kept exactly
    split = np.flatnonzero(has_given & (np.bincount(pa, minlength=len(ar)) > 1)
                           & (given == np.round(given)))
    if len(split):
        by_piece = np.argsort(pa, kind="stable")
        starts = np.searchsorted(pa[by_piece], np.arange(len(ar) + 1))
        for a in split.tolist():
            idx = by_piece[starts[a]:starts[a + 1]]
            piece_given[idx] = largest_remainder(piece_given[idx], round(piece_given[idx].sum()))
    unit_given = np.bincount(pu, weights=piece_given, minlength=n_units)
    remainder = unit_pop - unit_given
    over = remainder < -0.5
    if over.any():
        for bad_unit in np.flatnonzero(over).tolist():
            rows = sorted({str(area_ids[i]) for i in pa[(pu == bad_unit) & (piece_given > 0)]})
            col.add(Message("population.given_exceeds", {
                "unit": str(unit_ids[bad_unit]), "census": float(unit_pop[bad_unit]),
                "given": float(unit_given[bad_unit])}), rows=rows, source=areas_source)
        col.raise_if_any()
    piece_pop = np.zeros(n_pieces)
    est = method[pa] != "given"
    unit_w = np.bincount(pu[est], weights=np.nan_to_num(piece_w[est]), minlength=n_units)
    unit_est = np.zeros(n_units)
    order = np.argsort(pu, kind="stable")
    bounds = np.searchsorted(pu[order], np.arange(n_units + 1))
    for u in range(n_units):
        idx = order[bounds[u]:bounds[u + 1]]
        idx = idx[est[idx]]
        if len(idx) == 0 or unit_w[u] <= 0 or remainder[u] <= 0:
            continue
        raw = np.maximum(remainder[u], 0) * np.nan_to_num(piece_w[idx]) / unit_w[u]
        piece_pop[idx] = largest_remainder(raw, round(remainder[u]))
        unit_est[u] = piece_pop[idx].sum()
    piece_pop = np.where(est, piece_pop, piece_given)

    population = np.bincount(pa, weights=piece_pop, minlength=len(ar))
    population = np.where(has_given, given, population)
    assigned = unit_given + unit_est
    unassigned = np.maximum(np.nan_to_num(unit_pop) - assigned, 0.0)
    empty_units = (np.bincount(pu, minlength=n_units) == 0)
    if empty_units.any():
        notes.append(Message("population.units_without_areas", {
            "ids": list(unit_ids[empty_units]),
            "residents": float(np.nan_to_num(unit_pop[empty_units]).sum())}))
    no_weight = ~empty_units & (unit_w <= 0) & (remainder > 0.5)
    if no_weight.any():
        notes.append(Message("population.units_only_given", {
            "ids": list(unit_ids[no_weight]),
            "residents": float(remainder[no_weight].sum())}))

    # ---- age groups, shared in proportion to residents
    area_age: dict[str, np.ndarray] = {}
    unit_age_assigned: dict[str, np.ndarray] = {}
    for c in age_cols:
        rate = np.where(unit_pop > 0, np.nan_to_num(unit_age[c]) / np.where(unit_pop > 0,
                                                                          unit_pop, 1.0), 0.0)
        piece_age = np.zeros(n_pieces)
        for u in range(n_units):
            if not np.isfinite(unit_age[c][u]):
                continue
            idx = order[bounds[u]:bounds[u + 1]]
            raw = piece_pop[idx] * rate[u]
            piece_age[idx] = largest_remainder(raw, round(raw.sum()))
        has_age = np.isfinite(unit_age[c])[pu]
        summed = np.bincount(pa[has_age], weights=piece_age[has_age], minlength=len(ar))
        any_age = np.zeros(len(ar), dtype=bool)
        any_age[pa[has_age]] = True
        area_age[c] = np.where(any_age, summed, np.nan)
        unit_age_assigned[c] = np.bincount(pu, weights=piece_age, minlength=n_units)

    # ---- the areas out
    main_unit = np.full(len(ar), None, dtype=object)
    shares_col = np.full(len(ar), None, dtype=object)
    by_area = np.argsort(pa, kind="stable")
    abounds = np.searchsorted(pa[by_area], np.arange(len(ar) + 1))
    multi = np.bincount(pa, minlength=len(ar)) > 1
    for a in range(len(ar)):
        idx = by_area[abounds[a]:abounds[a + 1]]
        if len(idx) == 0:
            continue
        best = idx[np.argmax(piece_share[idx])]
        main_unit[a] = unit_ids[pu[best]]
        shown = idx[piece_share[idx] >= SHARE_SHOWN]
        if multi[a] and len(shown) > 1:
            srt = shown[np.argsort(-piece_share[shown], kind="stable")]
            shares_col[a] = shares_text([str(unit_ids[pu[i]]) for i in srt],
                                         piece_share[srt].tolist())
    out = areas.reset_index(drop=True).copy()
    out["population"] = population
    out["population_method"] = pd.array(method, dtype="string")
    out["census_unit"] = pd.array(main_unit, dtype="string")
    out["census_shares"] = pd.array(shares_col, dtype="string")
    out["floor_area_used_m2"] = floor_used
    out["residents_per_ha"] = residents_per_hectare(out)  # 人/公顷, in a metric CRS
    for c in age_cols:
        out[c] = area_age[c]
    if (~inside).any():
        out = out.loc[inside].reset_index(drop=True)
    out.attrs = {**dict(areas.attrs), "population_notes": notes}

    # ---- the summary per unit
    names = cen["name"].astype(str).to_numpy() if "name" in cen.columns else unit_ids
    count = np.bincount(pu, minlength=n_units)
    summary = pd.DataFrame({
        "census_unit": unit_ids.astype(str), "name": names,
        "census_population": unit_pop, "given": unit_given, "estimated": unit_est,
        "assigned": assigned, "unassigned": unassigned, "areas": count,
    })
    for m in METHODS:
        summary[f"areas_{m}"] = np.bincount(pu[method[pa] == m], minlength=n_units)
    for c in age_cols:
        summary[f"census_{c}"] = unit_age[c]
        summary[f"assigned_{c}"] = unit_age_assigned[c]
    params = {"persons_per_household": persons_per_household,
              "floor_area_per_person_m2": floor_area_per_person_m2,
              "metric_crs": metric.to_string(), "areas_outside": outside, **bparams}
    return PopulationEstimate(out, summary, notes, params)


