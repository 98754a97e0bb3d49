"""Road-centreline layers as walking networks, and reading a network file of either kind.

A line layer (GeoPackage, Shapefile …) is noded at shared vertices and crossings; every vertex
becomes a node and every segment an edge with its length in metres in a local UTM CRS.
:func:`load_network` reads an OSM file (see :mod:`geo.osm`) or a line layer, by file type.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from core.messages import Message
from errors import CRSError, InputError, NetworkError
from geo.crs import local_metric_crs, to_wgs84
from geo.network import WalkNetwork

__all__ = ["network_from_lines", "load_network"]

_OSM_SUFFIXES = (".osm", ".pbf", ".xml", ".o5m", ".bz2", ".gz")


def network_from_lines(
    lines: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    crs: Any = None,
    keep_fragments: bool = True,
    gates: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    gate_tolerance_m: float = 1.0,
) -> WalkNetwork:
    """Build a network from a road-centreline layer.

    Lines are noded (split at every crossing and shared vertex, via
    :func:`shapely.union_all`); every vertex becomes a node, every segment an edge with
    its length in metres in a local UTM CRS.

    Parameters
    ----------
    lines : GeoDataFrame or GeoSeries
        LineString / MultiLineString features with a CRS.
    crs : CRS-like, optional
        Metric CRS to measure in; defaults to the UTM zone of the layer.
    keep_fragments : bool, default True
        Keep disconnected fragments (False: only the largest component).
    gates : GeoDataFrame or GeoSeries of points, optional
        Gate / entrance points; the nearest node within ``gate_tolerance_m`` is tagged.
    gate_tolerance_m : float, default 1.0
        Tolerance for matching gates to nodes.
    """
    if lines.crs is None:
        raise CRSError([Message("geo.network.lines_no_crs")])
    geoms = lines.geometry if isinstance(lines, gpd.GeoDataFrame) else lines
    geoms = geoms[~(geoms.isna() | geoms.is_empty)]
    types = set(geoms.geom_type)
    bad = types - {"LineString", "MultiLineString"}
    if bad:
        raise InputError([Message("geo.network.lines_not_lines", {"kinds": str(sorted(bad))})])
    if len(geoms) == 0:
        raise NetworkError(Message("geo.network.lines_empty"))
    if crs is None:
        crs = local_metric_crs(geoms)
    metric = geoms.to_crs(crs)
    noded = shapely.union_all(np.asarray(metric.values))
    parts = shapely.get_parts(noded)
    parts = parts[shapely.get_type_id(parts) == 1]
    coords, owner = shapely.get_coordinates(parts, return_index=True)
    seg_ok = owner[1:] == owner[:-1]
    key = np.round(coords, 6)
    uniq, inv = np.unique(key, axis=0, return_inverse=True)
    inv = inv.ravel()
    u = inv[:-1][seg_ok]
    v = inv[1:][seg_ok]
    length = np.hypot(*(coords[1:][seg_ok] - coords[:-1][seg_ok]).T)
    gate_idx = None
    if gates is not None and len(gates):
        from scipy.spatial import cKDTree

        gp = (gates.geometry if isinstance(gates, gpd.GeoDataFrame) else gates).to_crs(crs)
        d, i = cKDTree(uniq).query(shapely.get_coordinates(np.asarray(gp.values)))
        gate_idx = i[d <= gate_tolerance_m]
    return WalkNetwork.from_arrays(
        uniq[:, 0], uniq[:, 1], u, v, length, crs=crs, gates=gate_idx,
        keep_fragments=keep_fragments,
        info={"source": "road-centreline layer", "lines": int(len(geoms))},
    )


def load_network(
    path: str | Path,
    *,
    clip: Any = None,
    margin_m: float = 500.0,
    layer: str | None = None,
    crs: str | None = None,
    keep_fragments: bool = True,
) -> WalkNetwork:
    """Read a walking network from an OSM file or a road-centreline layer, by file type.

    Parameters
    ----------
    path : path
        ``.osm`` / ``.osm.pbf`` (OSM) or a vector file of lines (GeoPackage, Shapefile, ...).
    clip : geometry or GeoDataFrame, optional
        Study area for OSM files (see :meth:`WalkNetwork.from_osm_file`).
    margin_m : float, default 500.0
        Margin around the study area, metres.
    layer : str, optional
        Layer of a multi-layer vector file.
    crs : str, optional
        CRS to assume for a line layer that has none ('wgs84', 'cgcs2000', 'gcj02', 'bd09',
        'EPSG:4547', ...; see :func:`geo.crs.resolve_crs`). GCJ-02 and BD-09 coordinates are
        shifted to WGS84 (:func:`geo.crs.to_wgs84`). A CRS declared in the file is kept.
    keep_fragments : bool, default True
        Keep disconnected fragments (False: only the largest component).
    """
    path = Path(path)
    if not path.exists():
        raise NetworkError(Message("geo.network.file_not_found", {"path": str(path)}))
    if path.name.lower().endswith(_OSM_SUFFIXES):
        from geo.osm import read_osm_file

        return read_osm_file(
            path, clip=clip, margin_m=margin_m, keep_fragments=keep_fragments
        )
    try:
        lines = gpd.read_file(path, layer=layer)
    except Exception as exc:  # noqa: BLE001 - any reader failure is a bad network file
        raise NetworkError(Message("geo.network.lines_unreadable",
                                   {"path": str(path), "error": str(exc)})) from exc
    if lines.crs is None:
        if crs is None:
            raise CRSError([Message("geo.network.lines_file_no_crs", {"path": str(path)})])
        # geo.crs resolves every name the other readers accept and shifts GCJ-02 / BD-09
        # coordinates to WGS84, so centrelines drawn on Chinese web maps line up with the
        # areas and sites read with the same --crs
        lines = to_wgs84(lines, crs=crs, source=str(path))
    net = network_from_lines(lines, keep_fragments=keep_fragments)
    net.info["source"] = str(path)
    if "source_crs" in lines.attrs:
        net.info["source_crs"] = lines.attrs["source_crs"]
    return net

