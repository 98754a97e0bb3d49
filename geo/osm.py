"""OpenStreetMap walking networks: OSM files (``.osm`` / ``.osm.pbf``) and Overpass downloads.

Ways are filtered with the semantics of osmnx's ``network_type='walk'`` filter (see
:func:`is_walkable`) and clipped to a study area plus a margin. Overpass is reached through
osmnx where the machine is online; offline it fails fast with :class:`errors.NetworkError`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pyproj
import shapely

from core.messages import Message, Quantity
from errors import CRSError, InputError, NetworkError
from geo.crs import WGS84, local_metric_crs, metric_crs_at
from geo.network import WalkNetwork

__all__ = ["is_walkable", "read_osm_file", "download_overpass"]

# osmnx 2.x ``network_type='walk'`` filter (osmnx/_overpass.py), as Overpass regex not-matches:
# ["highway"]["area"!~"yes"]["access"!~"private"]
# ["highway"!~"abandoned|bus_guideway|construction|cycleway|motor|no|planned|platform|
#   proposed|raceway|razed|rest_area|services"]["foot"!~"no"]["service"!~"private"]
# ["sidewalk"!~"separate"] (and :both/:left/:right)
_EXCLUDED_HIGHWAY = re.compile(
    "abandoned|bus_guideway|construction|cycleway|motor|no|planned|platform|proposed|raceway|"
    "razed|rest_area|services"
)
_SIDEWALK_KEYS = ("sidewalk", "sidewalk:both", "sidewalk:left", "sidewalk:right")


def is_walkable(tags: Mapping[str, str]) -> bool:
    """Whether an OSM way with these tags belongs to the walking network.

    Follows osmnx's ``walk`` filter (regular-expression *not-match*, as Overpass evaluates
    it) with one deliberate difference: ``access=private`` is kept when ``foot=yes`` (or
    ``foot=designated``/``permissive``), since such ways are explicitly open to pedestrians.

    Parameters
    ----------
    tags : mapping
        The way's tags.

    Returns
    -------
    bool
    """
    highway = tags.get("highway")
    if highway is None:
        return False
    if re.search("yes", tags.get("area", "")):
        return False
    if _EXCLUDED_HIGHWAY.search(highway):
        return False
    foot = tags.get("foot", "")
    if re.search("no", foot):
        return False
    if re.search("private", tags.get("access", "")) and foot not in (
        "yes",
        "designated",
        "permissive",
    ):
        return False
    if re.search("private", tags.get("service", "")):
        return False
    return not any(re.search("separate", tags.get(k, "")) for k in _SIDEWALK_KEYS)


def _is_gate(tags: Mapping[str, str]) -> bool:
    return "entrance" in tags or tags.get("barrier") == "gate"



def _as_wgs84_geometry(clip: Any, *, what: str = "clip") -> shapely.Geometry:
    """A single shapely geometry in WGS84 from a geometry, GeoSeries or GeoDataFrame."""
    if isinstance(clip, gpd.GeoDataFrame | gpd.GeoSeries):
        if clip.crs is None:
            raise CRSError([Message("geo.network.area_no_crs", {"what": what})])
        return shapely.union_all(np.asarray(clip.to_crs(WGS84).geometry.values))
    if isinstance(clip, shapely.Geometry):
        return clip
    raise InputError([Message("geo.network.area_wrong_type",
                              {"what": what, "kind": str(type(clip))})])



@dataclass
class _OsmWays:
    """The walkable ways of an OSM file as arrays (WGS84), before clipping.

    Attributes
    ----------
    ids : ndarray of int
        OSM ids of the nodes used by walkable ways.
    lon, lat : ndarray of float
        Their coordinates.
    u, v : ndarray of int
        Node positions of each segment of a walkable way.
    gate_ids : list of int
        OSM ids of gate and entrance nodes.
    stats : dict
        Counts of ways, highways, walkable ways and missing node references.
    bounds : shapely geometry or None
        The ``<bounds>`` of the file, when it has them.
    """

    ids: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    u: np.ndarray
    v: np.ndarray
    gate_ids: list[int]
    stats: dict[str, int]
    bounds: shapely.Geometry | None


def _scan(path: Path) -> _OsmWays:
    """Read the walkable ways of an OSM file with pyosmium (see :func:`read_osm_file`)."""
    import osmium

    node_index: dict[int, int] = {}
    lons: list[float] = []
    lats: list[float] = []
    eu: list[int] = []
    ev: list[int] = []
    gate_ids: list[int] = []
    stats = {"ways": 0, "highways": 0, "walkable_ways": 0, "missing_node_refs": 0}

    def idx(ref: int, lon: float, lat: float) -> int:
        i = node_index.get(ref)
        if i is None:
            i = len(lons)
            node_index[ref] = i
            lons.append(lon)
            lats.append(lat)
        return i

    class _Handler(osmium.SimpleHandler):
        def node(self, n: Any) -> None:
            if n.tags and _is_gate(n.tags):
                gate_ids.append(n.id)

        def way(self, w: Any) -> None:
            stats["ways"] += 1
            tags = w.tags
            if "highway" not in tags:
                return
            stats["highways"] += 1
            if not is_walkable(dict(tags)):
                return
            stats["walkable_ways"] += 1
            prev = -1
            for nd in w.nodes:
                loc = nd.location
                if not loc.valid():
                    stats["missing_node_refs"] += 1
                    prev = -1
                    continue
                cur = idx(nd.ref, loc.lon, loc.lat)
                if prev >= 0:
                    eu.append(prev)
                    ev.append(cur)
                prev = cur

    bounds = None
    try:
        reader = osmium.io.Reader(str(path), osmium.osm.osm_entity_bits.NOTHING)
        header = reader.header()
        box = header.box()
        if box.valid():
            bounds = shapely.box(
                box.bottom_left.lon, box.bottom_left.lat, box.top_right.lon, box.top_right.lat
            )
        reader.close()
        _Handler().apply_file(str(path), locations=True)
    except RuntimeError as exc:
        raise NetworkError(Message("geo.network.osm_unreadable",
                                   {"path": str(path), "error": str(exc)})) from exc
    if stats["ways"] == 0 and not lons:
        raise NetworkError(Message("geo.network.osm_no_ways", {"path": str(path)}))
    if not eu:
        raise NetworkError(Message("geo.network.osm_not_walkable", {
            "path": str(path), "ways": stats["ways"], "highways": stats["highways"]}))
    lon = np.asarray(lons)
    lat = np.asarray(lats)
    ids = np.fromiter(node_index.keys(), dtype=np.int64, count=len(node_index))
    u = np.asarray(eu, dtype=np.int64)
    v = np.asarray(ev, dtype=np.int64)
    return _OsmWays(ids, lon, lat, u, v, gate_ids, stats, bounds)


def read_osm_file(
    path: str | Path,
    *,
    clip: Any = None,
    margin_m: float = 500.0,
    keep_fragments: bool = True,
) -> WalkNetwork:
    """Read the walking network of an OSM XML (``.osm``) or PBF (``.osm.pbf``) file.

    Parameters
    ----------
    path : path
        The OSM file.
    clip : shapely geometry or GeoDataFrame, optional
        Study area (a geometry in WGS84, or a layer with a CRS). Nodes farther than
        ``margin_m`` from it are dropped with their edges. Without it, the file's
        ``<bounds>`` are used when present, else everything is kept.
    margin_m : float, default 500.0
        Margin around the study area, metres.
    keep_fragments : bool, default True
        Keep disconnected fragments (False: only the largest component).

    Raises
    ------
    NetworkError
        File missing, not OSM data, or without walkable ways in the study area.
    """
    path = Path(path)
    if not path.exists():
        raise NetworkError(Message("geo.network.file_not_found", {"path": str(path)}))
    ways = _scan(path)
    lon, lat, ids, u, v = ways.lon, ways.lat, ways.ids, ways.u, ways.v
    stats, bounds, gate_ids = ways.stats, ways.bounds, ways.gate_ids
    area = _as_wgs84_geometry(clip) if clip is not None else bounds
    if area is not None and not area.is_empty:
        crs = local_metric_crs(gpd.GeoSeries([area], crs=WGS84))
    else:
        crs = metric_crs_at(np.median(lon), np.median(lat))
    tr = pyproj.Transformer.from_crs(WGS84, crs, always_xy=True)
    x, y = tr.transform(lon, lat)
    info: dict[str, Any] = {"source": str(path), "filter": "osmnx walk", **stats}
    if area is not None:
        metric_area = shapely.transform(area, lambda c: np.column_stack(tr.transform(
            c[:, 0], c[:, 1])))
        keep_node = shapely.contains_xy(metric_area.buffer(margin_m), x, y)
        keep_edge = keep_node[u] & keep_node[v]
        info["clip"] = {
            "area": "clip" if clip is not None else "file bounds",
            "margin_m": margin_m,
            "edges_dropped": int((~keep_edge).sum()),
        }
        u, v = u[keep_edge], v[keep_edge]
        if len(u) == 0:
            raise NetworkError(Message("geo.network.none_near_area", {
                "path": str(path), "margin": Quantity(margin_m, "metres")}))
    # renumber to the nodes still used
    used = np.unique(np.concatenate([u, v]))
    remap = np.full(len(lon), -1, dtype=np.int64)
    remap[used] = np.arange(len(used))
    gate_set = np.asarray(gate_ids, dtype=np.int64)
    gates = remap[used][np.isin(ids[used], gate_set)]
    return WalkNetwork.from_arrays(
        x[used], y[used], remap[u], remap[v], crs=crs, node_ids=ids[used], gates=gates,
        keep_fragments=keep_fragments, info=info,
    )


def download_overpass(
    polygon: Any, *, timeout: float = 10.0, keep_fragments: bool = True
) -> WalkNetwork:
    """Download the walking network inside a polygon from Overpass through osmnx.

    Parameters
    ----------
    polygon : shapely geometry (WGS84) or GeoDataFrame
        Study area.
    timeout : float, default 10.0
        HTTP timeout in seconds (osmnx ``requests_timeout``); offline machines fail at once.

    Raises
    ------
    NetworkError
        When Overpass cannot be reached or returns nothing; the message says to use a
        local OSM file instead.
    """
    import osmnx as ox

    area = _as_wgs84_geometry(polygon, what="polygon")
    old = (ox.settings.requests_timeout, ox.settings.overpass_rate_limit)
    ox.settings.requests_timeout = timeout
    ox.settings.overpass_rate_limit = False
    try:
        graph = ox.graph_from_polygon(area, network_type="walk", retain_all=True)
    except Exception as exc:  # noqa: BLE001 - every failure of the download path
        raise NetworkError(Message("geo.network.overpass_failed", {
            "url": ox.settings.overpass_url, "timeout": timeout,
            "error": f"{type(exc).__name__}: {exc}"})) from exc
    finally:
        ox.settings.requests_timeout, ox.settings.overpass_rate_limit = old
    net = WalkNetwork.from_networkx(graph.to_undirected(), keep_fragments=keep_fragments)
    net.info["source"] = "overpass"
    return net

