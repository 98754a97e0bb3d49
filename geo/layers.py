"""Checks shared by the functions that take layers of features (travel times, service areas)."""

from __future__ import annotations

from typing import Any

import geopandas as gpd

from errors import CRSError, ProblemCollector

__all__ = ["check_layer"]


def check_layer(gdf: Any, *, name: str, id_col: str, problems: ProblemCollector) -> None:
    if not isinstance(gdf, gpd.GeoDataFrame):
        problems.add(f"expected a GeoDataFrame, got {type(gdf).__name__}", source=name)
        return
    if len(gdf) == 0:
        problems.add("the layer is empty (no features)", source=name)
        return
    if gdf.crs is None:
        problems.error = CRSError
        problems.add("the layer has no CRS; set one (e.g. EPSG:4326)", source=name)
    if id_col not in gdf.columns:
        problems.add(f"no '{id_col}' column", source=name, field=id_col)
        return
    dup = gdf[id_col][gdf[id_col].duplicated()].unique().tolist()
    if dup:
        problems.add("duplicate ids", source=name, field=id_col, rows=dup)
    missing = gdf.index[gdf.geometry.isna() | gdf.geometry.is_empty]
    if len(missing):
        problems.add("missing or empty geometry", source=name, field="geometry",
                     rows=gdf.loc[missing, id_col].tolist())

