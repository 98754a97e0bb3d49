"""Checks shared by the functions that take layers of features (travel times, service areas)."""

from __future__ import annotations

from typing import Any

import geopandas as gpd

from core.messages import Message
from errors import CRSError, ProblemCollector

__all__ = ["check_layer"]


def check_layer(gdf: Any, *, name: str, id_col: str, problems: ProblemCollector) -> None:
    """Record what is wrong with a layer of features given to a measuring function.

    A layer must be a non-empty GeoDataFrame with a CRS (a missing CRS makes the error a
    :class:`errors.CRSError`), an ``id_col`` column of unique ids, and a geometry on every row.

    Parameters
    ----------
    gdf : object
        The layer.
    name : str
        Its name in messages (``'origins'``, ``'sites'`` …).
    id_col : str
        The identifier column.
    problems : ProblemCollector
        Where problems are recorded.
    """
    if not isinstance(gdf, gpd.GeoDataFrame):
        problems.add(Message("geo.layer.not_a_frame", {"kind": type(gdf).__name__}), source=name)
        return
    if len(gdf) == 0:
        problems.add(Message("geo.layer.empty"), source=name)
        return
    if gdf.crs is None:
        problems.error = CRSError
        problems.add(Message("geo.layer.no_crs"), source=name)
    if id_col not in gdf.columns:
        problems.add(Message("geo.layer.no_column", {"column": id_col}), source=name, field=id_col)
        return
    dup = gdf[id_col][gdf[id_col].duplicated()].unique().tolist()
    if dup:
        problems.add(Message("geo.layer.duplicate_ids"), source=name, field=id_col, rows=dup)
    missing = gdf.index[gdf.geometry.isna() | gdf.geometry.is_empty]
    if len(missing):
        problems.add(Message("geo.layer.empty_geometry"), source=name, field="geometry",
                     rows=gdf.loc[missing, id_col].tolist())

