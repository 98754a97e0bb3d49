"""Residential areas and their buildings from an OpenStreetMap extract (.osm / .osm.pbf).

A planner who holds only an OSM extract and the census totals of the 街道 can still estimate
residents per compound: :func:`read_osm_residential` builds the residential areas from
``landuse=residential`` polygons and gated compounds (``residential=*``, ``gated=yes``), and
the buildings with ``building:levels`` and ``height`` from the same file, parsed with pyosmium
(multipolygon relations included).

Residential polygons drawn inside others (a compound inside a larger residential landuse) are
cut out of the larger one, so that no building is counted twice; what was cut is recorded in
``attrs['notes']``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from core.messages import Message
from errors import InputError, Problem
from geo.buildings import DEFAULT_STOREY_HEIGHT_M, resolve_floors
from geo.crs import WGS84, local_metric_crs

__all__ = ["is_residential_area", "read_osm_residential"]

#: Smallest residential polygon kept, m² (after cutting out the polygons drawn inside it).
MIN_AREA_M2: float = 100.0


def is_residential_area(tags: Any) -> bool:
    """Whether an OSM area with these tags is a residential area (居住区 / 小区).

    ``landuse=residential``, or a compound tagged ``residential=*`` (``gated``, ``urban`` …)
    or ``gated=yes``.

    Parameters
    ----------
    tags : mapping
        The area's tags.

    Returns
    -------
    bool
    """
    if tags.get("landuse") == "residential":
        return True
    if "building" in tags:
        return False
    return tags.get("residential") not in (None, "no") or tags.get("gated") == "yes"


def _osm_id(area: Any) -> str:
    return f"{'w' if area.from_way() else 'r'}{area.orig_id()}"


def read_osm_residential(
    path: str | Path,
    *,
    clip: shapely.Geometry | None = None,
    storey_height_m: float = DEFAULT_STOREY_HEIGHT_M,
    default_floors: float | None = None,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Read residential areas and buildings from an OSM file.

    Parameters
    ----------
    path : path-like
        ``.osm`` XML or ``.osm.pbf``.
    clip : shapely geometry, optional
        Study area in WGS84: areas and buildings that do not meet it are left out.
    storey_height_m : float
        Metres per storey for buildings known only by ``height``.
    default_floors : float, optional
        Floors of buildings without ``building:levels`` or ``height`` (default: the median of
        the buildings that have them; see :func:`geo.buildings.resolve_floors`).

    Returns
    -------
    areas, buildings : geopandas.GeoDataFrame
        Areas: ``id`` (``w``/``r`` + OSM id), ``name``, ``osm_tags`` (the tags that made it
        residential), polygon geometry. Buildings: ``id``, ``building``, ``building:levels``,
        ``height``, ``floors``, ``floors_source``, ``residential``, polygon geometry. Both in
        EPSG:4326; ``areas.attrs['notes']`` lists the structured notes.

    Raises
    ------
    errors.InputError
        Missing or unreadable file, or no residential polygon in it (or in ``clip``).
    """
    import osmium

    path = Path(path)
    source = str(path)
    if not path.exists():
        raise InputError([Problem(Message("population.file_not_found"), source=source)],
                         source=source)
    factory = osmium.geom.WKBFactory()
    area_rows: list[dict[str, Any]] = []
    building_rows: list[dict[str, Any]] = []
    broken = {"n": 0}

    class _Handler(osmium.SimpleHandler):
        def area(self, a: Any) -> None:
            tags = a.tags
            is_building = "building" in tags and tags.get("building") != "no"
            is_res = is_residential_area(tags)
            if not (is_building or is_res):
                return
            try:
                wkb = factory.create_multipolygon(a)
            except RuntimeError:
                broken["n"] += 1
                return
            if is_building:
                building_rows.append({
                    "id": _osm_id(a), "building": tags.get("building"),
                    "building:levels": tags.get("building:levels"),
                    "height": tags.get("height"), "wkb": wkb})
            if is_res:
                why = ";".join(f"{k}={tags.get(k)}" for k in ("landuse", "residential", "gated")
                               if k in tags)
                area_rows.append({"id": _osm_id(a), "name": tags.get("name"),
                                  "osm_tags": why, "wkb": wkb})

    try:
        _Handler().apply_file(str(path), locations=True)
    except RuntimeError as exc:
        raise InputError([Problem(Message("population.osm_unreadable", {"error": str(exc)}),
                                  source=source)], source=source) from None

    def frame(rows: list[dict[str, Any]], columns: list[str]) -> gpd.GeoDataFrame:
        df = pd.DataFrame(rows, columns=[*columns, "wkb"])
        geoms = shapely.from_wkb(df["wkb"].to_numpy(dtype=object)) if len(df) else []
        out = gpd.GeoDataFrame(df.drop(columns="wkb"), geometry=list(geoms), crs=WGS84)
        if clip is not None and len(out):
            out = out.loc[shapely.intersects(np.asarray(out.geometry.values), clip)]
        return out.reset_index(drop=True)

    areas = frame(area_rows, ["id", "name", "osm_tags"])
    buildings = frame(building_rows, ["id", "building", "building:levels", "height"])
    if len(areas) == 0:
        raise InputError([Problem(Message("population.osm_no_residential"), source=source)],
                         source=source)
    notes: list[Message] = []
    if broken["n"]:
        notes.append(Message("population.osm_broken", {"n": broken["n"]}))
    areas, cut = _cut_nested(areas)
    if cut:
        notes.append(Message("population.osm_nested", {"ids": cut}))
    buildings = resolve_floors(buildings, floors_field="building:levels",
                               height_field="height", use_field="building",
                               storey_height_m=storey_height_m, default_floors=default_floors,
                               source=source)
    areas["name"] = areas["name"].astype("string")
    areas["id"] = areas["id"].astype("string")
    areas.attrs = {"source": source, "notes": notes, "source_crs": "EPSG:4326"}
    buildings.attrs["source"] = source
    return areas, buildings


def _cut_nested(areas: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Cut every polygon drawn inside (or over) a smaller one out of the larger one."""
    metric = areas.to_crs(local_metric_crs(areas))
    geoms = np.asarray(metric.geometry.values, dtype=object)
    order = np.argsort(shapely.area(geoms), kind="stable")
    tree = shapely.STRtree(geoms)
    kept = np.zeros(len(geoms), dtype=bool)
    new = geoms.copy()
    cut: list[str] = []
    for i in order:
        others = [j for j in tree.query(geoms[i], predicate="intersects")
                  if kept[j] and j != i]
        g = geoms[i]
        if others:
            rest = shapely.difference(g, shapely.union_all(new[others]))
            if shapely.area(rest) < shapely.area(g) - 1.0:
                cut.append(str(areas["id"].iloc[i]))
            g = rest
        if shapely.area(g) >= MIN_AREA_M2:
            kept[i] = True
            new[i] = g
    out = metric.set_geometry(gpd.GeoSeries(new, index=metric.index, crs=metric.crs))
    out = out.loc[kept].to_crs(WGS84).reset_index(drop=True)
    return out, cut
