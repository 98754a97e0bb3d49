"""Geometries of an input: from a table's WKT or lon/lat columns, and checked (repaired).

Invalid polygons that :func:`shapely.make_valid` repairs into polygons are kept and the repair
recorded; empty, missing, unrepairable or wrongly typed geometries are problems.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from core.messages import Message
from errors import ProblemCollector
from geo import fields as F
from geo.values import rows_of, show_values, to_number

__all__ = ["POLYGONAL", "PUNCTUAL", "TableGeometry", "geometry_from_table",
           "validate_geometries"]

POLYGONAL = ("Polygon", "MultiPolygon")
PUNCTUAL = ("Point", "MultiPoint")


@dataclass
class TableGeometry:
    """Geometries read from a table's columns.

    Attributes
    ----------
    geoms : ndarray of object or None
        One geometry (or None) per row; None when the table has no coordinate columns.
    hint : str or None
        The datum the column names suggest (``'gcj02'`` for ``gcj_lng`` …).
    columns : list of str
        The columns the geometry came from (dropped from the attributes).
    crs_problem : bool
        A problem found is about the CRS (so the error raised is a CRS error).
    """

    geoms: np.ndarray | None
    hint: str | None
    columns: list[str]
    crs_problem: bool = False


def geometry_from_table(
    df: pd.DataFrame, crs: Any, col: ProblemCollector, *, text_is_missing: bool = False
) -> TableGeometry:
    """Geometries from a CSV's WKT or lon/lat columns, the datum hint, the columns used.

    With *text_is_missing*, lon/lat cells that are not numbers give rows without a geometry
    (for the caller to drop) instead of problems.
    """
    wkt, lon, lat, hint = F.find_coordinate_columns(df.columns)
    crs_problem = False
    n = len(df)
    if wkt is not None:
        texts = df[wkt].astype("string").fillna("").str.strip()
        geoms = np.empty(n, dtype=object)
        bad: list[int] = []
        for i, t in enumerate(texts):
            if not t:
                geoms[i] = None
                continue
            try:
                geoms[i] = shapely.from_wkt(t)
            except shapely.errors.GEOSException:
                geoms[i] = None
                bad.append(i)
        if bad:
            col.add(Message("geo.geometry.wkt_unparsable",
                            {"values": show_values(texts.iloc[bad].tolist(), 2)}),
                    rows=list(df["id"].iloc[bad].fillna("(no id)")), field=wkt)
        return TableGeometry(geoms, None, [wkt])
    if lon is None and lat is None:
        return TableGeometry(None, None, [])
    if lon is None or lat is None:
        col.add(Message("geo.geometry.coordinate_partner", {"column": repr(lon or lat)}))
        return TableGeometry(None, None, [])
    xs = [to_number(v) for v in df[lon]]
    ys = [to_number(v) for v in df[lat]]
    for name, vals in ((lon, xs), (lat, ys)):
        badmask = np.array([v is None for v in vals], dtype=bool)
        if badmask.any() and not text_is_missing:
            col.add(Message("geo.value.not_a_number",
                            {"values": show_values(df.loc[badmask, name].tolist())}),
                    rows=rows_of(df, badmask), field=name)
    x = np.array([np.nan if v is None else v for v in xs], dtype="float64")
    y = np.array([np.nan if v is None else v for v in ys], dtype="float64")
    ok = np.isfinite(x) & np.isfinite(y)
    geoms = np.empty(n, dtype=object)
    geoms[:] = None
    geoms[ok] = shapely.points(x[ok], y[ok])
    if hint is not None and crs is not None:
        from geo.crs import resolve_crs

        given = resolve_crs(crs)
        if isinstance(given, str):
            given_name = given
        else:
            epsg = given.to_epsg() if given is not None else None
            given_name = {4326: "wgs84", 4490: "cgcs2000"}.get(epsg or -1, "other")
        if given_name != hint and not (
            {given_name, hint} <= {"wgs84", "cgcs2000"}
        ):
            col.add(Message("geo.geometry.columns_say_datum", {
                "lon": repr(lon), "lat": repr(lat), "hint": hint, "crs": repr(crs)}), field=lon)
            crs_problem = True
    return TableGeometry(geoms, hint, [lon, lat], crs_problem)


def validate_geometries(
    gdf: gpd.GeoDataFrame,
    col: ProblemCollector,
    *,
    allowed: tuple[str, ...],
    required: bool,
    skip_empty: bool,
    notes: list[Any],
    repairs: list[Any],
) -> gpd.GeoDataFrame:
    """Check the geometries of a layer; repair invalid ones where :func:`shapely.make_valid` can.

    Parameters
    ----------
    gdf : GeoDataFrame
        The layer, with an ``id`` column.
    col : ProblemCollector
        Where problems are recorded: missing, unrepairable or wrongly typed geometries.
    allowed : tuple of str
        Geometry types allowed (``'Point'``, ``'Polygon'`` …).
    required : bool
        A row without geometry is a problem.
    skip_empty : bool
        Drop rows without geometry instead (recorded in ``notes``).
    notes, repairs : list
        Where the rows skipped and the repairs made are recorded, as messages.

    Returns
    -------
    GeoDataFrame
        The layer with repaired geometries (and without the skipped rows).
    """
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if missing.any():
        if skip_empty:
            notes.append(Message("geo.geometry.skipped_empty", {
                "n": int(missing.sum()), "rows": show_values(rows_of(gdf, missing), 20)}))
            gdf = gdf.loc[~missing].copy()
            geoms = geoms[~missing]
        elif required:
            col.add(Message("geo.geometry.empty"), rows=rows_of(gdf, missing), field="geometry")
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not present.any():
        return gdf
    types = shapely.get_type_id(geoms)
    type_names = np.array(["Point", "LineString", "LinearRing", "Polygon", "MultiPoint",
                           "MultiLineString", "MultiPolygon", "GeometryCollection"])
    names = np.where(types >= 0, type_names[np.clip(types, 0, 7)], "")
    invalid = present & ~shapely.is_valid(geoms)
    new = geoms.copy()
    for i in np.flatnonzero(invalid):
        rid = gdf["id"].iloc[i]
        reason = shapely.is_valid_reason(geoms[i])
        fixed = shapely.make_valid(geoms[i])
        if names[i] in POLYGONAL:
            polys = shapely.get_parts(fixed)
            polys = [g for g in polys if shapely.get_type_id(g) in (3, 6)]
            fixed = shapely.union_all(polys) if polys else None
        ok = (fixed is not None and not fixed.is_empty and fixed.is_valid
              and fixed.geom_type in ((*POLYGONAL,) if names[i] in POLYGONAL else allowed))
        if ok:
            new[i] = fixed
            repairs.append(Message("geo.geometry.repaired",
                                   {"row": rid, "reason": reason, "kind": fixed.geom_type}))
        else:
            col.add(Message("geo.geometry.unrepairable", {"reason": reason}), rows=[rid],
                    field="geometry")
    wrong = present & ~np.isin(names, allowed)
    if wrong.any():
        kinds = show_values(sorted({str(x) for x in names[wrong]}))
        col.add(Message("geo.geometry.wrong_type",
                        {"kinds": kinds, "allowed": " or ".join(allowed)}),
                rows=rows_of(gdf, wrong), field="geometry")
    if invalid.any():
        gdf = gdf.set_geometry(gpd.GeoSeries(new, index=gdf.index, crs=gdf.crs))
    return gdf


# --------------------------------------------------------------------------- the core
