"""Walking networks: read, filter, clip and keep compact for sparse shortest-path searches.

A :class:`WalkNetwork` is a set of arrays: node coordinates in a local metric CRS (UTM, metres),
undirected edges ``(u, v, length_m)`` with ``u < v`` (straight segments between consecutive
way nodes, no topological simplification, so every way vertex is a node and geometry is exact),
and a symmetric :class:`scipy.sparse.csr_matrix` of edge lengths built on demand for
:func:`scipy.sparse.csgraph.dijkstra`.

Sources
-------
- OSM files (``.osm`` XML and ``.osm.pbf``) and Overpass downloads: :mod:`geo.osm`.
- Road-centreline layers (GeoPackage/Shapefile lines), and :func:`geo.centrelines.load_network`
  which reads either kind by file type: :mod:`geo.centrelines`.
- The snapping index (nearest edge of many points): :mod:`geo.edge_index`.

Real extracts come in pieces: a gated compound's inner lanes, a footway cut off by the clip,
a campus whose gates are not mapped. By default every connected component is kept (as osmnx
does with ``retain_all=True``): an area and a site on the same fragment reach each other within
it, and those on a fragment with nothing else on it are reported with that reason
(:mod:`geo.unreached`). Components are numbered by size, 0 the largest (the *main network*;
:attr:`WalkNetwork.component`); ``network.info['fragments']`` counts them. A point whose
nearest street is on a fragment also reaches the main network at its nearest edge there
(:meth:`WalkNetwork.nearest_edges` with ``main_only``), so keeping fragments never takes away
a walk that the main network alone would give. ``keep_fragments=False`` keeps only the main
network (the former behaviour).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pyproj
import scipy.sparse as sp
import shapely
from scipy.sparse.csgraph import connected_components

from core.messages import Message
from errors import CRSError, NetworkError
from geo.crs import WGS84, metric_crs_at
from geo.edge_index import EdgeGrid, nearest_edges

__all__ = ["WalkNetwork", "build_csr", "WGS84"]


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
    info: dict[str, Any] = field(default_factory=dict)
    _graph: sp.csr_matrix | None = field(default=None, repr=False)
    _detour: float | None = field(default=None, repr=False)
    _edge_grid: EdgeGrid | None = field(default=None, repr=False)
    _component: np.ndarray | None = field(default=None, repr=False)
    _main_edges: np.ndarray | None = field(default=None, repr=False)

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
        keep_fragments: bool = True,
        info: dict[str, Any] | None = None,
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
        keep_fragments : bool, default True
            Keep every connected component; False keeps only the largest one.
        info : dict, optional
            Provenance to record in :attr:`info`.
        """
        crs = pyproj.CRS.from_user_input(crs)
        if not crs.is_projected:
            raise CRSError([Message("geo.network.not_projected", {"crs": crs.to_string()})])
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
            raise NetworkError(Message("geo.network.bad_endpoints"))
        if np.any(~np.isfinite(length)) or np.any(length < 0):
            raise NetworkError(Message("geo.network.bad_lengths"))
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
        cls, path: str | Path, *, clip: Any = None, margin_m: float = 500.0,
        keep_fragments: bool = True,
    ) -> WalkNetwork:
        """Read the walking network of an OSM file: see :func:`geo.osm.read_osm_file`."""
        from geo.osm import read_osm_file

        return read_osm_file(path, clip=clip, margin_m=margin_m, keep_fragments=keep_fragments)

    @classmethod
    def from_lines(
        cls, lines: gpd.GeoDataFrame | gpd.GeoSeries, *, crs: Any = None,
        keep_fragments: bool = True, gates: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
        gate_tolerance_m: float = 1.0,
    ) -> WalkNetwork:
        """Build a network from a road-centreline layer (see :mod:`geo.centrelines`)."""
        from geo.centrelines import network_from_lines

        return network_from_lines(lines, crs=crs, keep_fragments=keep_fragments, gates=gates,
                                  gate_tolerance_m=gate_tolerance_m)

    @classmethod
    def from_overpass(
        cls, polygon: Any, *, timeout: float = 10.0, keep_fragments: bool = True
    ) -> WalkNetwork:
        """Download the walking network inside a polygon (:func:`geo.osm.download_overpass`)."""
        from geo.osm import download_overpass

        return download_overpass(polygon, timeout=timeout, keep_fragments=keep_fragments)

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
            metric = metric_crs_at(np.asarray(lon), np.asarray(lat))
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
        """Smallest ratio of edge length to straight-line chord.

        At most 1; 0 if a zero-length edge joins distinct points. A walk of length L stays
        within L / min_detour of its start in straight line, which bounds the search window of
        a cutoff.
        """
        if self._detour is None:
            chord = np.hypot(self.x[self.edge_u] - self.x[self.edge_v],
                             self.y[self.edge_u] - self.y[self.edge_v])
            pos = chord > 0
            ratio = self.edge_length[pos] / chord[pos]
            self._detour = float(min(1.0, ratio.min())) if len(ratio) else 1.0
        return self._detour

    @property
    def component(self) -> np.ndarray:
        """Connected component of each node, numbered by size: 0 is the main network.

        Ties in size go to the component of the lowest node index.
        """
        if self._component is None:
            self._component = _components_by_size(self.graph)
        return self._component

    @property
    def n_components(self) -> int:
        """Number of connected components (1 when the network is in one piece)."""
        return int(self.component.max()) + 1 if self.n_nodes else 0

    def component_edges(self) -> tuple[np.ndarray, np.ndarray]:
        """Number of edges and their length in metres of each component (by number)."""
        comp = self.component[self.edge_u]
        k = self.n_components
        return (np.bincount(comp, minlength=k),
                np.bincount(comp, weights=self.edge_length, minlength=k))

    @property
    def edge_grid(self) -> EdgeGrid:
        """The snapping index of the edges (built once, cached)."""
        if self._edge_grid is None:
            self._edge_grid = EdgeGrid.build(self.x, self.y, self.edge_u, self.edge_v)
        return self._edge_grid

    def nearest_edges(
        self, px: np.ndarray, py: np.ndarray, *, max_distance: float = np.inf,
        main_only: bool = False,
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
        index. With ``main_only`` only the edges of the main network (component 0) count.

        Returns
        -------
        edge : ndarray of int
            Edge index, -1 where no edge is within ``max_distance``.
        dist : ndarray of float
            Distance to that edge (NaN where none).
        """
        px = np.asarray(px, dtype=float)
        py = np.asarray(py, dtype=float)
        if len(px) == 0 or self.n_edges == 0:
            return np.full(len(px), -1, np.int64), np.full(len(px), np.nan)
        if not main_only or self.n_components == 1:
            return nearest_edges(self.edge_grid, px, py, max_distance=max_distance)
        if self._main_edges is None:
            self._main_edges = self.component[self.edge_u] == 0
        return nearest_edges(self.edge_grid, px, py, max_distance=max_distance,
                             allowed=self._main_edges)


    def edge_lines(self) -> np.ndarray:
        """Edges as shapely LineStrings in the metric CRS."""
        xy = np.stack(
            [
                np.column_stack([self.x[self.edge_u], self.y[self.edge_u]]),
                np.column_stack([self.x[self.edge_v], self.y[self.edge_v]]),
            ],
            axis=1,
        )
        lines: np.ndarray = shapely.linestrings(xy)
        return lines


    # ------------------------------------------------------------------ methods
    def _keep_components(self, *, keep_fragments: bool) -> WalkNetwork:
        n = self.n_nodes
        if n == 0 or self.n_edges == 0:
            raise NetworkError(Message("geo.network.no_edges"))
        labels = self.component
        ncomp = self.n_components
        sizes = np.bincount(labels)
        keep = labels == 0
        keep_edge = keep[self.edge_u]
        frag = {
            "components": int(ncomp),
            "largest_nodes": int(sizes[0]),
            "fragment_edges": int((~keep_edge).sum()),
            "fragment_length_m": float(self.edge_length[~keep_edge].sum()),
            "dropped_nodes": 0,
            "dropped_edges": 0,
            "dropped_length_m": 0.0,
            "kept": "all" if keep_fragments else "largest",
        }
        self.info["fragments"] = frag
        if keep_fragments or ncomp == 1:
            return self
        frag["dropped_nodes"] = int((~keep).sum())
        frag["dropped_edges"] = frag["fragment_edges"]
        frag["dropped_length_m"] = frag["fragment_length_m"]
        remap = np.full(n, -1, dtype=np.int64)
        remap[keep] = np.arange(int(keep.sum()))
        gates = remap[self.gates]
        return WalkNetwork(
            self.node_ids[keep], self.x[keep], self.y[keep],
            remap[self.edge_u[keep_edge]], remap[self.edge_v[keep_edge]],
            self.edge_length[keep_edge], self.crs, gates[gates >= 0], self.info,
            _component=np.zeros(int(keep.sum()), np.int64),
        )

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


    def __repr__(self) -> str:
        return (
            f"WalkNetwork({self.n_nodes} nodes, {self.n_edges} edges, "
            f"{self.edge_length.sum() / 1000:.1f} km, {len(self.gates)} gates, "
            f"crs={self.crs.to_string()})"
        )



def _components_by_size(graph: sp.csr_matrix) -> np.ndarray:
    """Connected-component label of each node, renumbered by decreasing size (0 largest)."""
    _, labels = connected_components(graph, directed=False)
    sizes = np.bincount(labels)
    order = np.lexsort((np.arange(len(sizes)), -sizes))  # by size, then first appearance
    rank = np.empty(len(sizes), np.int64)
    rank[order] = np.arange(len(sizes))
    out: np.ndarray = rank[labels]
    return out


def build_csr(u: np.ndarray, v: np.ndarray, length: np.ndarray, n: int) -> sp.csr_matrix:
    """Symmetric CSR adjacency of undirected edges (explicit zeros are kept as edges)."""
    rows = np.concatenate([u, v])
    cols = np.concatenate([v, u])
    data = np.concatenate([length, length])
    return sp.csr_matrix((data, (rows, cols)), shape=(n, n))

