"""Walking networks: read, filter, clip and keep compact for sparse shortest-path searches.

A :class:`WalkNetwork` is a set of arrays: node coordinates in a local metric CRS (UTM, metres),
undirected edges ``(u, v, length_m)`` with ``u < v`` (straight segments between consecutive
way nodes, no topological simplification, so every way vertex is a node and geometry is exact),
and a symmetric :class:`scipy.sparse.csr_matrix` of edge lengths built on demand for
:func:`scipy.sparse.csgraph.dijkstra`.

Sources
-------
- OSM files (``.osm`` XML and ``.osm.pbf``) parsed with pyosmium, filtered with the semantics
  of osmnx's ``network_type='walk'`` filter (see :func:`is_walkable`), clipped to a study area
  plus a margin.
- Road-centreline layers (GeoPackage/Shapefile lines), noded at shared vertices and crossings.
- Overpass through osmnx where the machine is online; offline it fails fast with
  :class:`errors.NetworkError`.

Disconnected fragments are reported in ``network.info['fragments']``; by default only the
largest connected component is kept (as osmnx does with ``retain_all=False``), so that a point
is never snapped onto an isolated scrap of footway from which nothing is reachable.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pyproj
import scipy.sparse as sp
import shapely
from scipy.sparse.csgraph import connected_components

from errors import CRSError, InputError, NetworkError
from geo.crs import local_metric_crs, to_wgs84

__all__ = ["WalkNetwork", "is_walkable", "load_network"]

WGS84 = pyproj.CRS.from_epsg(4326)

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


def _metric_crs_at(lon: Any, lat: Any) -> pyproj.CRS:
    """The metric CRS of :func:`geo.crs.local_metric_crs` for the extent of WGS84 points."""
    pts = gpd.GeoSeries(shapely.points(np.atleast_1d(lon), np.atleast_1d(lat)), crs=WGS84)
    return local_metric_crs(pts)


def _as_wgs84_geometry(clip: Any, *, what: str = "clip") -> shapely.Geometry:
    """A single shapely geometry in WGS84 from a geometry, GeoSeries or GeoDataFrame."""
    if isinstance(clip, gpd.GeoDataFrame | gpd.GeoSeries):
        if clip.crs is None:
            raise CRSError([f"{what}: the layer has no CRS; give it one (e.g. EPSG:4326)"])
        return shapely.union_all(np.asarray(clip.to_crs(WGS84).geometry.values))
    if isinstance(clip, shapely.Geometry):
        return clip
    raise InputError([f"{what}: expected a shapely geometry or GeoDataFrame, got {type(clip)}"])


@dataclass(eq=False)
class WalkNetwork:
    """An undirected walking network held as arrays.

    Parameters
    ----------
    node_ids : ndarray of int64
        Identifier of every node (OSM node id, or a running number).
    x, y : ndarray of float
        Node coordinates in :attr:`crs` (metres).
    edge_u, edge_v : ndarray of int64
        Node *indices* of each undirected edge, ``edge_u < edge_v``, no duplicates.
    edge_length : ndarray of float
        Edge lengths in metres.
    crs : pyproj.CRS
        The metric CRS of ``x``/``y``.
    gates : ndarray of int64
        Indices of nodes tagged ``entrance=*`` or ``barrier=gate``.
    info : dict
        Provenance: source, filters, clipping, dropped fragments.
    """

    node_ids: np.ndarray
    x: np.ndarray
    y: np.ndarray
    edge_u: np.ndarray
    edge_v: np.ndarray
    edge_length: np.ndarray
    crs: pyproj.CRS
    gates: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    info: dict = field(default_factory=dict)
    _graph: sp.csr_matrix | None = field(default=None, repr=False)
    _tree: shapely.STRtree | None = field(default=None, repr=False)
    _detour: float | None = field(default=None, repr=False)
    _samples: tuple | None = field(default=None, repr=False)

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_arrays(
        cls,
        x: np.ndarray,
        y: np.ndarray,
        edge_u: np.ndarray,
        edge_v: np.ndarray,
        edge_length: np.ndarray | None = None,
        *,
        crs: Any,
        node_ids: np.ndarray | None = None,
        gates: np.ndarray | None = None,
        keep_fragments: bool = False,
        info: dict | None = None,
    ) -> WalkNetwork:
        """Build a network from node coordinates and an edge list (node indices).

        Edges are made undirected (``u < v``); self-loops are dropped and of parallel edges
        the shortest is kept. Lengths default to the straight-line length of the segment.

        Parameters
        ----------
        x, y : array_like
            Node coordinates in the metric ``crs``.
        edge_u, edge_v : array_like of int
            Node indices of the edges.
        edge_length : array_like of float, optional
            Edge lengths in metres; defaults to the Euclidean segment length.
        crs : CRS-like
            A projected CRS in metres.
        node_ids : array_like of int, optional
            Node identifiers; defaults to ``0..n-1``.
        gates : array_like of int, optional
            Indices of gate / entrance nodes.
        keep_fragments : bool, default False
            Keep every connected component instead of only the largest one.
        info : dict, optional
            Provenance to record in :attr:`info`.
        """
        crs = pyproj.CRS.from_user_input(crs)
        if not crs.is_projected:
            raise CRSError([f"network CRS must be projected (metres), got {crs.to_string()}"])
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        n = len(x)
        u = np.asarray(edge_u, dtype=np.int64)
        v = np.asarray(edge_v, dtype=np.int64)
        if edge_length is None:
            length = np.hypot(x[u] - x[v], y[u] - y[v])
        else:
            length = np.asarray(edge_length, dtype=float)
        if len(u) and (u.min() < 0 or max(u.max(), v.max()) >= n):
            raise NetworkError("edge endpoints refer to node indices outside the node arrays")
        if np.any(~np.isfinite(length)) or np.any(length < 0):
            raise NetworkError("edge lengths must be finite and non-negative")
        keep = u != v
        u, v, length = u[keep], v[keep], length[keep]
        lo, hi = np.minimum(u, v), np.maximum(u, v)
        order = np.lexsort((length, hi, lo))
        lo, hi, length = lo[order], hi[order], length[order]
        first = np.ones(len(lo), dtype=bool)
        first[1:] = (lo[1:] != lo[:-1]) | (hi[1:] != hi[:-1])
        lo, hi, length = lo[first], hi[first], length[first]
        ids = np.arange(n, dtype=np.int64) if node_ids is None else np.asarray(node_ids, np.int64)
        gate_idx = np.empty(0, np.int64) if gates is None else np.asarray(gates, np.int64)
        info = dict(info or {})
        net = cls(ids, x, y, lo, hi, length, crs, np.unique(gate_idx), info)
        return net._keep_components(keep_fragments=keep_fragments)

    @classmethod
    def from_osm_file(
        cls,
        path: str | Path,
        *,
        clip: Any = None,
        margin_m: float = 500.0,
        keep_fragments: bool = False,
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
        keep_fragments : bool, default False
            Keep disconnected fragments instead of only the largest component.

        Raises
        ------
        NetworkError
            File missing, not OSM data, or without walkable ways in the study area.
        """
        import osmium

        path = Path(path)
        if not path.exists():
            raise NetworkError(f"{path}: network file not found")
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
            raise NetworkError(f"{path}: not a readable OSM file (.osm XML or .osm.pbf): {exc}") \
                from exc
        if stats["ways"] == 0 and not lons:
            raise NetworkError(f"{path}: no OSM ways in the file (is it an OSM extract?)")
        if not eu:
            raise NetworkError(
                f"{path}: no walkable ways ({stats['ways']} ways, {stats['highways']} highways, "
                "none passing the walking filter)"
            )
        lon = np.asarray(lons)
        lat = np.asarray(lats)
        ids = np.fromiter(node_index.keys(), dtype=np.int64, count=len(node_index))
        u = np.asarray(eu, dtype=np.int64)
        v = np.asarray(ev, dtype=np.int64)
        area = _as_wgs84_geometry(clip) if clip is not None else bounds
        if area is not None and not area.is_empty:
            crs = local_metric_crs(gpd.GeoSeries([area], crs=WGS84))
        else:
            crs = _metric_crs_at(np.median(lon), np.median(lat))
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
                raise NetworkError(
                    f"{path}: no walkable ways within {margin_m} m of the study area"
                )
        # renumber to the nodes still used
        used = np.unique(np.concatenate([u, v]))
        remap = np.full(len(lon), -1, dtype=np.int64)
        remap[used] = np.arange(len(used))
        gate_set = np.asarray(gate_ids, dtype=np.int64)
        gates = remap[used][np.isin(ids[used], gate_set)]
        return cls.from_arrays(
            x[used], y[used], remap[u], remap[v], crs=crs, node_ids=ids[used], gates=gates,
            keep_fragments=keep_fragments, info=info,
        )

    @classmethod
    def from_lines(
        cls,
        lines: gpd.GeoDataFrame | gpd.GeoSeries,
        *,
        crs: Any = None,
        keep_fragments: bool = False,
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
        keep_fragments : bool, default False
            Keep disconnected fragments instead of only the largest component.
        gates : GeoDataFrame or GeoSeries of points, optional
            Gate / entrance points; the nearest node within ``gate_tolerance_m`` is tagged.
        gate_tolerance_m : float, default 1.0
            Tolerance for matching gates to nodes.
        """
        if lines.crs is None:
            raise CRSError(["road-centreline layer has no CRS; give it one (e.g. EPSG:4547)"])
        geoms = lines.geometry if isinstance(lines, gpd.GeoDataFrame) else lines
        geoms = geoms[~(geoms.isna() | geoms.is_empty)]
        types = set(geoms.geom_type)
        bad = types - {"LineString", "MultiLineString"}
        if bad:
            raise InputError([f"road-centreline layer has non-line geometries: {sorted(bad)}"])
        if len(geoms) == 0:
            raise NetworkError("road-centreline layer has no lines")
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
        return cls.from_arrays(
            uniq[:, 0], uniq[:, 1], u, v, length, crs=crs, gates=gate_idx,
            keep_fragments=keep_fragments,
            info={"source": "road-centreline layer", "lines": int(len(geoms))},
        )

    @classmethod
    def from_networkx(
        cls, graph: Any, *, weight: str = "length", crs: Any = None, keep_fragments: bool = True
    ) -> WalkNetwork:
        """Build a network from a networkx graph with node ``x``/``y`` attributes.

        Parameters
        ----------
        graph : networkx.Graph or MultiDiGraph
            e.g. an osmnx graph (``x``/``y`` in ``graph.graph['crs']``).
        weight : str, default 'length'
            Edge attribute with the length in metres.
        crs : CRS-like, optional
            CRS of node coordinates; defaults to ``graph.graph['crs']``.
        keep_fragments : bool, default True
            Keep every component (the graph is taken as given).
        """
        nodes = list(graph.nodes)
        pos = {n: i for i, n in enumerate(nodes)}
        xs = np.array([graph.nodes[n]["x"] for n in nodes], dtype=float)
        ys = np.array([graph.nodes[n]["y"] for n in nodes], dtype=float)
        src = pyproj.CRS.from_user_input(crs or graph.graph.get("crs", WGS84))
        if not src.is_projected:
            lon, lat = pyproj.Transformer.from_crs(src, WGS84, always_xy=True).transform(xs, ys)
            metric = _metric_crs_at(np.asarray(lon), np.asarray(lat))
            xs, ys = pyproj.Transformer.from_crs(src, metric, always_xy=True).transform(xs, ys)
            src = metric
        edges = list(graph.edges(data=True))
        u = np.array([pos[a] for a, _, _ in edges], dtype=np.int64)
        v = np.array([pos[b] for _, b, _ in edges], dtype=np.int64)
        length = np.array([d[weight] for _, _, d in edges], dtype=float)
        try:
            ids = np.asarray(nodes, dtype=np.int64)
        except (TypeError, ValueError):
            ids = None
        return cls.from_arrays(
            xs, ys, u, v, length, crs=src, node_ids=ids, keep_fragments=keep_fragments,
            info={"source": "networkx graph"},
        )

    @classmethod
    def from_overpass(
        cls, polygon: Any, *, timeout: float = 10.0, keep_fragments: bool = False
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
            raise NetworkError(
                f"could not download the walking network from Overpass "
                f"({ox.settings.overpass_url}) within {timeout} s: {type(exc).__name__}: {exc}. "
                "Offline? Pass a local OSM file (.osm/.osm.pbf) or a road-centreline layer."
            ) from exc
        finally:
            ox.settings.requests_timeout, ox.settings.overpass_rate_limit = old
        net = cls.from_networkx(graph.to_undirected(), keep_fragments=keep_fragments)
        net.info["source"] = "overpass"
        return net

    # ------------------------------------------------------------------ properties
    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return int(len(self.x))

    @property
    def n_edges(self) -> int:
        """Number of undirected edges."""
        return int(len(self.edge_u))

    @property
    def graph(self) -> sp.csr_matrix:
        """Symmetric CSR matrix of edge lengths (metres), for :mod:`scipy.sparse.csgraph`."""
        if self._graph is None:
            self._graph = build_csr(self.edge_u, self.edge_v, self.edge_length, self.n_nodes)
        return self._graph

    @property
    def min_detour(self) -> float:
        """Smallest ratio of edge length to straight-line chord (≤ 1; 0 if a zero-length
        edge joins distinct points). A walk of length L stays within L / min_detour of its
        start in straight line, which bounds the search window of a cutoff."""
        if self._detour is None:
            chord = np.hypot(self.x[self.edge_u] - self.x[self.edge_v],
                             self.y[self.edge_u] - self.y[self.edge_v])
            pos = chord > 0
            ratio = self.edge_length[pos] / chord[pos]
            self._detour = float(min(1.0, ratio.min())) if len(ratio) else 1.0
        return self._detour

    def _sample_grid(self) -> tuple:
        """Edge sample points bucketed in a square grid (built once, cached).

        Stored per sample in grid order: its edge, and one row of the edge's start point,
        direction and ``1 / |direction|²``, so that a query reads contiguous runs.
        """
        if self._samples is None:
            ax, ay = self.x[self.edge_u], self.y[self.edge_u]
            dx, dy = self.x[self.edge_v] - ax, self.y[self.edge_v] - ay
            seg2 = dx * dx + dy * dy
            chord = np.sqrt(seg2)
            # pieces a little longer than the median edge: most edges get one sample
            piece = max(float(np.quantile(chord, 0.75)) if len(chord) else 1.0, 1.0)
            k = np.maximum(1, np.ceil(chord / piece)).astype(np.int64)
            many = k > 1
            if many.any():
                owner = np.repeat(np.arange(self.n_edges, dtype=np.int64), k)
                j = np.arange(len(owner)) - np.repeat(np.cumsum(k) - k, k)
                f = (j + 0.5) / k[owner]
            else:
                owner = np.arange(self.n_edges, dtype=np.int64)
                f = np.full(self.n_edges, 0.5)
            sx, sy = ax[owner] + f * dx[owner], ay[owner] + f * dy[owner]
            half = float((chord / (2 * k)).max()) if len(k) else 0.0
            cell = piece / 2.0
            x0, y0 = float(sx.min()), float(sy.min())
            nx_ = int(np.floor((sx.max() - x0) / cell)) + 1
            ny_ = int(np.floor((sy.max() - y0) / cell)) + 1
            key = _cell_of(sx, x0, cell, nx_) * ny_ + _cell_of(sy, y0, cell, ny_)
            order = np.argsort(key)
            start = np.zeros(nx_ * ny_ + 1, np.int64)
            np.cumsum(np.bincount(key, minlength=nx_ * ny_), out=start[1:])
            with np.errstate(divide="ignore"):
                inv = np.where(seg2 > 0, 1.0 / seg2, 0.0)
            e = owner[order]
            rows = np.column_stack([ax, ay, dx, dy, inv])[e]
            self._samples = (e, rows, start, x0, y0, cell, nx_, ny_, half)
        return self._samples

    def nearest_edges(
        self, px: np.ndarray, py: np.ndarray, *, max_distance: float = np.inf
    ) -> tuple[np.ndarray, np.ndarray]:
        """Nearest edge (as a straight segment) of each point, exactly, within a distance.

        Every edge is represented by sample points at the centres of ``k`` equal pieces of
        its chord (pieces no longer than the median edge), so any point at distance ``d`` from
        an edge has one of its samples within ``d + half`` (half the longest piece). Samples
        are bucketed in a grid of median-edge cells (built once per network and cached).
        Each point measures the exact segment distance to the edges sampled in the 3×3 block
        of cells around it; the best distance found is the minimum once ``best + half`` stays
        inside the block. The few points where it does not are measured again on a block just
        wide enough (or twice as wide when nothing was found). Ties go to the lower edge
        index.

        Returns
        -------
        edge : ndarray of int
            Edge index, -1 where no edge is within ``max_distance``.
        dist : ndarray of float
            Distance to that edge (NaN where none).
        """
        px = np.asarray(px, dtype=float)
        py = np.asarray(py, dtype=float)
        n = len(px)
        edge = np.full(n, -1, np.int64)
        dist = np.full(n, np.nan)
        if n == 0 or self.n_edges == 0:
            return edge, dist
        grid = self._sample_grid()
        # blocks of points keep the candidate arrays small (cache-resident, no page faults)
        for a in range(0, n, _QUERY_BLOCK):
            b = min(a + _QUERY_BLOCK, n)
            edge[a:b], dist[a:b] = _nearest_in_grid(grid, px[a:b], py[a:b], max_distance)
        return edge, dist


    @property
    def edge_tree(self) -> shapely.STRtree:
        """Spatial index of the edges as segments (built once)."""
        if self._tree is None:
            self._tree = shapely.STRtree(self.edge_lines())
        return self._tree

    def edge_lines(self) -> np.ndarray:
        """Edges as shapely LineStrings in the metric CRS."""
        xy = np.stack(
            [
                np.column_stack([self.x[self.edge_u], self.y[self.edge_u]]),
                np.column_stack([self.x[self.edge_v], self.y[self.edge_v]]),
            ],
            axis=1,
        )
        return shapely.linestrings(xy)

    # ------------------------------------------------------------------ methods
    def _keep_components(self, *, keep_fragments: bool) -> WalkNetwork:
        n = self.n_nodes
        if n == 0 or self.n_edges == 0:
            raise NetworkError("the network has no edges")
        ncomp, labels = connected_components(self.graph, directed=False)
        sizes = np.bincount(labels)
        largest = int(np.argmax(sizes))
        frag = {
            "components": int(ncomp),
            "largest_nodes": int(sizes[largest]),
            "dropped_nodes": 0,
            "dropped_edges": 0,
            "dropped_length_m": 0.0,
            "kept": "all" if keep_fragments else "largest",
        }
        self.info["fragments"] = frag
        if keep_fragments or ncomp == 1:
            return self
        keep = labels == largest
        keep_edge = keep[self.edge_u]
        frag["dropped_nodes"] = int((~keep).sum())
        frag["dropped_edges"] = int((~keep_edge).sum())
        frag["dropped_length_m"] = float(self.edge_length[~keep_edge].sum())
        remap = np.full(n, -1, dtype=np.int64)
        remap[keep] = np.arange(int(keep.sum()))
        gates = remap[self.gates]
        return WalkNetwork(
            self.node_ids[keep], self.x[keep], self.y[keep],
            remap[self.edge_u[keep_edge]], remap[self.edge_v[keep_edge]],
            self.edge_length[keep_edge], self.crs, gates[gates >= 0], self.info,
        )

    def nodes_wgs84(self) -> tuple[np.ndarray, np.ndarray]:
        """Node longitudes and latitudes."""
        tr = pyproj.Transformer.from_crs(self.crs, WGS84, always_xy=True)
        lon, lat = tr.transform(self.x, self.y)
        return np.asarray(lon), np.asarray(lat)

    def to_gdf(self) -> gpd.GeoDataFrame:
        """Edges as a GeoDataFrame in WGS84 (``u``, ``v`` node ids, ``length_m``)."""
        gdf = gpd.GeoDataFrame(
            {
                "u": self.node_ids[self.edge_u],
                "v": self.node_ids[self.edge_v],
                "length_m": self.edge_length,
            },
            geometry=self.edge_lines(),
            crs=self.crs,
        )
        return gdf.to_crs(WGS84)

    def to_networkx(self) -> Any:
        """The network as an undirected :class:`networkx.Graph` (node = index, ``length``)."""
        import networkx as nx

        g = nx.Graph()
        g.add_nodes_from(range(self.n_nodes))
        g.add_weighted_edges_from(
            zip(self.edge_u.tolist(), self.edge_v.tolist(), self.edge_length.tolist(),
                strict=True),
            weight="length",
        )
        return g

    def gates_gdf(self) -> gpd.GeoDataFrame:
        """Gate / entrance nodes as points in the metric CRS."""
        return gpd.GeoDataFrame(
            {"node": self.gates, "node_id": self.node_ids[self.gates]},
            geometry=shapely.points(self.x[self.gates], self.y[self.gates]),
            crs=self.crs,
        )

    def __repr__(self) -> str:
        return (
            f"WalkNetwork({self.n_nodes} nodes, {self.n_edges} edges, "
            f"{self.edge_length.sum() / 1000:.1f} km, {len(self.gates)} gates, "
            f"crs={self.crs.to_string()})"
        )



def _cell_of(v: np.ndarray, v0: float, cell: float, n: int) -> np.ndarray:
    """Grid column (or row) of coordinates: ``floor((v - v0) / cell)`` clipped to -1..n."""
    return np.clip(np.floor((v - v0) / cell), -1, n).astype(np.int64)


#: First search radius of a nearest-edge query beyond the sampling bound, in grid cells.
_FIRST_REACH = 0.5
#: Points per block of :meth:`WalkNetwork.nearest_edges` queries.
_QUERY_BLOCK = 8192


def _nearest_in_grid(
    grid: tuple, px: np.ndarray, py: np.ndarray, max_distance: float
) -> tuple[np.ndarray, np.ndarray]:
    """:meth:`WalkNetwork.nearest_edges` for one block of points.

    Each point looks at the cells overlapping the square of half-width ``reach`` around it;
    the best distance found is the minimum once ``best + half`` is less than the distance
    from the point to the edge of those cells (``cover >= reach``). Otherwise it looks again
    with ``reach = best + half`` (just enough), or twice as far when nothing was found.
    """
    s_edge, s_rows, start, x0, y0, cell, nx_, ny_, half = grid
    n = len(px)
    edge = np.full(n, -1, np.int64)
    dist = np.full(n, np.nan)
    todo = np.arange(n)
    # first reach: the sampling bound plus a typical snap, ~half a piece
    reach = np.full(n, half + _FIRST_REACH * cell)
    inf = np.inf
    while len(todo):
        qpx, qpy = px[todo], py[todo]
        bx0 = np.floor((qpx - reach - x0) / cell)
        bx1 = np.floor((qpx + reach - x0) / cell)
        by0 = np.floor((qpy - reach - y0) / cell)
        by1 = np.floor((qpy + reach - y0) / cell)
        xlo = np.clip(bx0, 0, nx_).astype(np.int64)
        xhi = np.clip(bx1, -1, nx_ - 1).astype(np.int64)
        ylo = np.clip(by0, 0, ny_).astype(np.int64)
        yhi = np.clip(by1, -1, ny_ - 1).astype(np.int64)
        # one contiguous run of samples per grid column of the block
        ncol = np.maximum(xhi - xlo + 1, 0) * (yhi >= ylo)
        qi = np.repeat(np.arange(len(todo)), ncol)
        col = xlo[qi] + (np.arange(len(qi)) - np.repeat(np.cumsum(ncol) - ncol, ncol))
        a = start[col * ny_ + ylo[qi]]
        cnt = start[col * ny_ + yhi[qi] + 1] - a
        pi = np.repeat(qi, cnt)
        si = np.repeat(a - np.cumsum(cnt) + cnt, cnt) + np.arange(int(cnt.sum()))
        # exact point-segment distances of the candidates
        rows = s_rows[si]
        ux, uy, dx, dy, inv = rows.T
        wx, wy = qpx[pi] - ux, qpy[pi] - uy
        t = (wx * dx + wy * dy) * inv
        np.clip(t, 0.0, 1.0, out=t)
        d = np.hypot(wx - t * dx, wy - t * dy)
        # candidates come grouped by query point: segmented minima
        best = np.full(len(todo), inf)
        lowest = np.full(len(todo), -1, np.int64)
        has = np.flatnonzero(np.bincount(pi, minlength=len(todo)))
        if len(has):
            first = np.searchsorted(pi, has)
            best[has] = np.minimum.reduceat(d, first)
            tie = np.where(d == best[pi], s_edge[si], np.iinfo(np.int64).max)
            lowest[has] = np.minimum.reduceat(tie, first)
        # distance from the point to the edge of the cells looked at (no samples beyond
        # the grid: a side at the grid's edge is unbounded)
        cover = np.minimum.reduce([
            np.where(bx0 <= 0, inf, qpx - (x0 + bx0 * cell)),
            np.where(bx1 >= nx_ - 1, inf, x0 + (bx1 + 1) * cell - qpx),
            np.where(by0 <= 0, inf, qpy - (y0 + by0 * cell)),
            np.where(by1 >= ny_ - 1, inf, y0 + (by1 + 1) * cell - qpy),
        ])
        proven = best + half < cover
        hopeless = ~proven & (max_distance + half < cover)  # nothing within reach
        ok = proven & (best <= max_distance)
        edge[todo[ok]] = lowest[ok]
        dist[todo[ok]] = best[ok]
        again = ~(proven | hopeless)
        need = np.minimum(best[again], max_distance) + half
        finite = np.isfinite(need)
        grown = 2.0 * reach[again]
        reach = np.where(finite, np.maximum(np.where(finite, need, 0.0) * (1 + 1e-9) + 1e-6,
                                            reach[again] + 0.5 * cell), grown)
        todo = todo[again]
    return edge, dist


def build_csr(u: np.ndarray, v: np.ndarray, length: np.ndarray, n: int) -> sp.csr_matrix:
    """Symmetric CSR adjacency of undirected edges (explicit zeros are kept as edges)."""
    rows = np.concatenate([u, v])
    cols = np.concatenate([v, u])
    data = np.concatenate([length, length])
    return sp.csr_matrix((data, (rows, cols)), shape=(n, n))


_OSM_SUFFIXES = (".osm", ".pbf", ".xml", ".o5m", ".bz2", ".gz")


def load_network(
    path: str | Path,
    *,
    clip: Any = None,
    margin_m: float = 500.0,
    layer: str | None = None,
    crs: str | None = None,
    keep_fragments: bool = False,
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
    keep_fragments : bool, default False
        Keep disconnected fragments.
    """
    path = Path(path)
    if not path.exists():
        raise NetworkError(f"{path}: network file not found")
    if path.name.lower().endswith(_OSM_SUFFIXES):
        return WalkNetwork.from_osm_file(
            path, clip=clip, margin_m=margin_m, keep_fragments=keep_fragments
        )
    try:
        lines = gpd.read_file(path, layer=layer)
    except Exception as exc:  # noqa: BLE001 - any reader failure is a bad network file
        raise NetworkError(f"{path}: cannot read as a line layer: {exc}") from exc
    if lines.crs is None:
        if crs is None:
            raise CRSError([f"{path}: the road-centreline layer has no CRS; pass --crs "
                            "('wgs84', 'cgcs2000', 'gcj02', 'bd09' or e.g. 'EPSG:4547')"])
        # geo.crs resolves every name the other readers accept and shifts GCJ-02 / BD-09
        # coordinates to WGS84, so centrelines drawn on Chinese web maps line up with the
        # areas and sites read with the same --crs
        lines = to_wgs84(lines, crs=crs, source=str(path))
    net = WalkNetwork.from_lines(lines, keep_fragments=keep_fragments)
    net.info["source"] = str(path)
    if "source_crs" in lines.attrs:
        net.info["source_crs"] = lines.attrs["source_crs"]
    return net
