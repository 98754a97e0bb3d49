"""Access points and walking travel times between origins and destinations.

Access points
-------------
- A point feature reaches the network at the nearest point of the nearest edge (not the
  nearest node) within ``max_snap_m``; the snap distance is walked, so it is added to the time.
- A polygon (residential area) reaches the network at its gates: network nodes tagged
  ``entrance=*`` / ``barrier=gate`` within ``gate_tolerance_m`` of its boundary (walked
  distance 0). Lacking gates, at points sampled along its boundary every
  ``boundary_spacing_m`` metres, each snapped as a point. The walk from inside the polygon to
  its boundary is not counted.
- An origin's time to a destination is the minimum over its access points and theirs.

Distances are exact for points inside edges, as if the edges were split there (a point in the
middle of a 200 m block reaches both ends along the block), without splitting the network: a
searched point inside an edge is an extra source node joined to the edge's two ends; a target
point inside an edge is reached through the nearer of its edge's ends,
``min(d(u) + pos, d(v) + length - pos)``; two points inside the same edge also walk straight
along it.

Travel times
------------
:func:`scipy.sparse.csgraph.dijkstra` with ``limit`` set to the cutoff distance, from each
distinct place of the side (origins or destinations) with fewer of them (the graph is
undirected, so distances are symmetric). Node distances are turned into owner-to-owner minima
with segmented reductions (:func:`numpy.minimum.reduceat` over access points grouped by
owner), never pair by pair. Small graphs are searched whole, in chunks that bound the memory
of the dense ``chunk × nodes`` block; graphs over 20,000 nodes tile by tile, each tile on the
subgraph within walking reach of it (exact; see :func:`_tiled`).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
import shapely
from scipy.sparse.csgraph import dijkstra

from errors import CRSError, InputError, NetworkError, ProblemCollector, SnapError
from geo.crs import local_metric_crs
from geo.network import WalkNetwork, build_csr
from geo.reach import DEFAULT_REACH, Reach

__all__ = [
    "AccessPoints",
    "SnappedGraph",
    "access_points",
    "snap_graph",
    "travel_times",
]

#: Snapped positions closer than this to an edge end (metres) are taken as the end node.
_END_TOL_M = 1e-6
#: Graphs larger than this are searched tile by tile (see :func:`_tiled`).
_LOCALIZE_NODES = 20_000
#: Source locations per tile of the tiled search (fewer, larger windows vs. smaller ones).
_TILE_SOURCES = 24.0


@dataclass
class AccessPoints:
    """Where the features of a layer meet the network.

    Attributes
    ----------
    owner : ndarray of int
        Row position (0..n-1) of the feature each access point belongs to.
    x, y : ndarray of float
        Location of the access point (metric CRS), before snapping.
    node : ndarray of int
        Node index the access point already is (gates), else -1 (to be snapped).
    kind : ndarray of str
        'gate', 'boundary' or 'point'.
    """

    owner: np.ndarray
    x: np.ndarray
    y: np.ndarray
    node: np.ndarray
    kind: np.ndarray

    def __len__(self) -> int:
        return int(len(self.owner))


def _check_layer(gdf: Any, *, name: str, id_col: str, problems: ProblemCollector) -> None:
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


def access_points(
    gdf: gpd.GeoDataFrame,
    network: WalkNetwork,
    *,
    boundary_spacing_m: float = 75.0,
    gate_tolerance_m: float = 15.0,
    use_gates: bool = True,
) -> AccessPoints:
    """Access points of each feature of a layer (see the module docstring).

    Parameters
    ----------
    gdf : GeoDataFrame
        Points, polygons or lines, with a CRS.
    network : WalkNetwork
        The network (its gates and CRS are used).
    boundary_spacing_m : float, default 75.0
        Spacing of boundary sample points of polygons without gates.
    gate_tolerance_m : float, default 15.0
        A gate belongs to a polygon when it lies within this distance of its boundary
        (or inside it).
    use_gates : bool, default True
        Use gates where present; if False always sample the boundary.

    Returns
    -------
    AccessPoints
    """
    geoms = np.asarray(gdf.to_crs(network.crs).geometry.values)
    types = shapely.get_type_id(geoms)
    owners, xs, ys, nodes, kinds = [], [], [], [], []
    is_point = (types == 0) | (types == 4)
    # points (and multipoints: each part)
    if is_point.any():
        pts, own = shapely.get_parts(geoms[is_point], return_index=True)
        owner = np.flatnonzero(is_point)[own]
        c = shapely.get_coordinates(pts)
        owners.append(owner)
        xs.append(c[:, 0])
        ys.append(c[:, 1])
        nodes.append(np.full(len(owner), -1, np.int64))
        kinds.append(np.full(len(owner), "point", dtype=object))
    other = np.flatnonzero(~is_point)
    if len(other):
        with_gates = np.zeros(len(geoms), dtype=bool)
        if use_gates and len(network.gates):
            gx, gy = network.x[network.gates], network.y[network.gates]
            gate_pts = shapely.points(gx, gy)
            tree = shapely.STRtree(gate_pts)
            # gates on or near the boundary, or inside
            pairs = tree.query(geoms[other], predicate="dwithin", distance=gate_tolerance_m)
            if pairs.shape[1]:
                owner = other[pairs[0]]
                with_gates[owner] = True
                owners.append(owner)
                xs.append(gx[pairs[1]])
                ys.append(gy[pairs[1]])
                nodes.append(network.gates[pairs[1]])
                kinds.append(np.full(len(owner), "gate", dtype=object))
        rest = other[~with_gates[other]]
        if len(rest):
            own_local, c = _boundary_points(geoms[rest], boundary_spacing_m)
            owners.append(rest[own_local])
            xs.append(c[:, 0])
            ys.append(c[:, 1])
            nodes.append(np.full(len(own_local), -1, np.int64))
            kinds.append(np.full(len(own_local), "boundary", dtype=object))
    if not owners:
        e = np.empty(0)
        return AccessPoints(e.astype(np.int64), e, e, e.astype(np.int64), e.astype(object))
    return AccessPoints(
        np.concatenate(owners), np.concatenate(xs), np.concatenate(ys),
        np.concatenate(nodes), np.concatenate(kinds),
    )


def _boundary_points(geoms: np.ndarray, spacing: float) -> tuple[np.ndarray, np.ndarray]:
    """Points every ``spacing`` metres (centred in equal steps) along each feature's rings
    (polygons: exterior then holes) or lines, all parts taken as one path.

    Returns the feature position of each point and its coordinates.
    """
    parts, pidx = shapely.get_parts(geoms, return_index=True)
    ptype = shapely.get_type_id(parts)
    poly = ptype == 3
    rings, ridx = shapely.get_rings(parts[poly], return_index=True)
    line = (ptype == 1) | (ptype == 2)
    pieces = np.concatenate([rings, parts[line]])
    feat = np.concatenate([pidx[poly][ridx], pidx[line]])
    if len(feat) > 1 and np.any(feat[1:] < feat[:-1]):  # lines after rings: interleave
        order = np.argsort(feat, kind="stable")
        pieces, feat = pieces[order], feat[order]
    coords, cidx = shapely.get_coordinates(pieces, return_index=True)
    seg = cidx[1:] == cidx[:-1]
    a, b = coords[:-1][seg], coords[1:][seg]
    sfeat = feat[cidx[:-1][seg]]
    length = np.hypot(*(b - a).T)
    nseg = np.bincount(sfeat, minlength=len(geoms))
    total = np.bincount(sfeat, weights=length, minlength=len(geoms))
    count = np.where(nseg > 0, np.maximum(1, np.ceil(total / spacing)), 0).astype(np.int64)
    own = np.repeat(np.arange(len(geoms)), count)
    k = np.arange(len(own)) - np.repeat(np.cumsum(count) - count, count)
    cs = np.concatenate([[0.0], np.cumsum(length)])
    first = np.cumsum(nseg) - nseg
    s = cs[first[own]] + (k + 0.5) / count[own] * total[own]
    idx = np.clip(np.searchsorted(cs, s, side="right") - 1, first[own],
                  first[own] + nseg[own] - 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.where(length[idx] > 0, (s - cs[idx]) / length[idx], 0.0)
    t = np.clip(t, 0.0, 1.0)[:, None]
    xy = a[idx] + t * (b[idx] - a[idx])
    lone = np.flatnonzero(nseg == 0)  # no line work at all (e.g. a collection of points)
    if len(lone):
        own = np.concatenate([own, lone])
        xy = np.concatenate([xy, shapely.get_coordinates(shapely.point_on_surface(geoms[lone]))])
    return own, xy


@dataclass
class SnappedGraph:
    """A network with snapped points inserted as nodes (edges split where they fall).

    Attributes
    ----------
    graph : csr_matrix
        Symmetric lengths of the split network.
    x, y : ndarray
        Coordinates of all nodes (network nodes first, then inserted ones).
    edge_u, edge_v, edge_length : ndarray
        Undirected edges of the split network.
    node : list of ndarray
        For each input point set, the node index of each point (-1: not snapped).
    offset : list of ndarray
        For each input point set, the distance walked to reach the network (metres; NaN
        when not snapped).
    """

    graph: sp.csr_matrix
    x: np.ndarray
    y: np.ndarray
    edge_u: np.ndarray
    edge_v: np.ndarray
    edge_length: np.ndarray
    node: list[np.ndarray]
    offset: list[np.ndarray]


def snap_graph(
    network: WalkNetwork,
    point_sets: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
    *,
    max_snap_m: float,
) -> SnappedGraph:
    """Snap point sets to the nearest point of the nearest edge and split edges there.

    Parameters
    ----------
    network : WalkNetwork
    point_sets : list of (x, y, node)
        Coordinates in the network CRS, and an already-known node index (>= 0) or -1.
    max_snap_m : float
        Points farther than this from every edge stay unsnapped (node -1).
    """
    n0 = network.n_nodes
    sizes = [len(ps[0]) for ps in point_sets]
    x = np.concatenate([ps[0] for ps in point_sets]) if point_sets else np.empty(0)
    y = np.concatenate([ps[1] for ps in point_sets]) if point_sets else np.empty(0)
    known = np.concatenate([ps[2] for ps in point_sets]).astype(np.int64)
    node = known.copy()
    offset = np.where(known >= 0, 0.0, np.nan)
    todo = np.flatnonzero(known < 0)
    edge = np.full(len(x), -1, np.int64)
    if len(todo):
        e_near, d_near = network.nearest_edges(x[todo], y[todo], max_distance=max_snap_m)
        found = e_near >= 0
        edge[todo[found]] = e_near[found]
        offset[todo[found]] = d_near[found]
    snapped = np.flatnonzero(edge >= 0)
    e = edge[snapped]
    ux, uy = network.x[network.edge_u[e]], network.y[network.edge_u[e]]
    vx, vy = network.x[network.edge_v[e]], network.y[network.edge_v[e]]
    dx, dy = vx - ux, vy - uy
    seg2 = dx * dx + dy * dy
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.where(seg2 > 0, ((x[snapped] - ux) * dx + (y[snapped] - uy) * dy) / seg2, 0.0)
    t = np.clip(t, 0.0, 1.0)
    elen = network.edge_length[e]
    pos = t * elen
    at_u = pos <= _END_TOL_M
    at_v = ~at_u & (elen - pos <= _END_TOL_M)
    node[snapped[at_u]] = network.edge_u[e[at_u]]
    node[snapped[at_v]] = network.edge_v[e[at_v]]
    inner = ~(at_u | at_v)
    eu, ev, el = network.edge_u, network.edge_v, network.edge_length
    new_x, new_y = np.empty(0), np.empty(0)
    if inner.any():
        ie, ipos, it = e[inner], pos[inner], t[inner]
        key = np.unique(np.column_stack([ie.astype(float), ipos]), axis=0, return_inverse=True)
        uniq, inv = key[0], key[1].ravel()
        ue = uniq[:, 0].astype(np.int64)
        upos = uniq[:, 1]
        new_nodes = n0 + np.arange(len(uniq))
        node[snapped[inner]] = new_nodes[inv]
        # coordinates of inserted nodes
        ut = np.zeros(len(uniq))
        ut[inv] = it
        new_x = network.x[eu[ue]] + ut * (network.x[ev[ue]] - network.x[eu[ue]])
        new_y = network.y[eu[ue]] + ut * (network.y[ev[ue]] - network.y[eu[ue]])
        # chains: u - p1 - p2 - ... - v along each split edge (uniq is sorted by edge, pos)
        first = np.ones(len(ue), dtype=bool)
        first[1:] = ue[1:] != ue[:-1]
        last = np.ones(len(ue), dtype=bool)
        last[:-1] = ue[1:] != ue[:-1]
        prev_node = np.where(first, eu[ue], np.roll(new_nodes, 1))
        prev_pos = np.where(first, 0.0, np.roll(upos, 1))
        cu = np.concatenate([prev_node, new_nodes[last]])
        cv = np.concatenate([new_nodes, ev[ue[last]]])
        cl = np.concatenate([upos - prev_pos, el[ue[last]] - upos[last]])
        keep = np.ones(len(eu), dtype=bool)
        keep[np.unique(ue)] = False
        eu = np.concatenate([eu[keep], cu])
        ev = np.concatenate([ev[keep], cv])
        el = np.concatenate([el[keep], cl])
    n = n0 + len(new_x)
    graph = network.graph if n == n0 else build_csr(eu, ev, el, n)
    bounds = np.cumsum([0, *sizes])
    return SnappedGraph(
        graph,
        np.concatenate([network.x, new_x]),
        np.concatenate([network.y, new_y]),
        eu, ev, el,
        [node[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)],
        [offset[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)],
    )


@dataclass
class _Located:
    """Where the access points of one side sit on the network (unsnapped ones removed).

    An access point is either at node ``u == v`` (``pu == pv == offset``) or inside edge
    ``edge`` at ``pos`` metres from its end ``u``; then ``pu = offset + pos`` and
    ``pv = offset + length - pos`` are its distances through either end, so its network
    distance from anywhere outside the edge is ``min(D[u] + pu, D[v] + pv)``.
    Rows are sorted by ``owner``.
    """

    owner: np.ndarray
    offset: np.ndarray
    edge: np.ndarray  # -1 at a node
    pos: np.ndarray
    u: np.ndarray
    v: np.ndarray
    pu: np.ndarray
    pv: np.ndarray
    x: np.ndarray  # snapped position
    y: np.ndarray
    loc: np.ndarray  # place: node index, or n_nodes + j for the j-th distinct (edge, pos)
    extra_edge: np.ndarray  # edge and pos of the distinct places inside edges
    extra_pos: np.ndarray


def _locate(
    network: WalkNetwork, x: np.ndarray, y: np.ndarray, node: np.ndarray, *, max_snap_m: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Snap points onto the nearest point of the nearest edge (no graph is modified).

    Returns ``node`` (node index where the point is one, or snaps onto an edge end, else -1),
    ``edge`` (edge index where it snaps inside an edge, else -1), ``pos`` (metres from the
    edge's ``u`` end) and ``offset`` (snap distance; NaN where nothing is within
    ``max_snap_m``).
    """
    node = np.asarray(node, np.int64).copy()
    offset = np.where(node >= 0, 0.0, np.nan)
    edge = np.full(len(x), -1, np.int64)
    pos = np.zeros(len(x))
    todo = np.flatnonzero(node < 0)
    if len(todo):
        e_near, d_near = network.nearest_edges(x[todo], y[todo], max_distance=max_snap_m)
        found = e_near >= 0
        todo, e = todo[found], e_near[found]
        offset[todo] = d_near[found]
        eu, ev = network.edge_u[e], network.edge_v[e]
        ux, uy = network.x[eu], network.y[eu]
        dx, dy = network.x[ev] - ux, network.y[ev] - uy
        seg2 = dx * dx + dy * dy
        with np.errstate(invalid="ignore", divide="ignore"):
            t = np.where(seg2 > 0, ((x[todo] - ux) * dx + (y[todo] - uy) * dy) / seg2, 0.0)
        elen = network.edge_length[e]
        p = np.clip(t, 0.0, 1.0) * elen
        at_u = p <= _END_TOL_M
        at_v = ~at_u & (elen - p <= _END_TOL_M)
        inner = ~(at_u | at_v)
        node[todo[at_u]] = eu[at_u]
        node[todo[at_v]] = ev[at_v]
        edge[todo[inner]] = e[inner]
        pos[todo[inner]] = p[inner]
    return node, edge, pos, offset


def _located(network: WalkNetwork, ap: AccessPoints, node: np.ndarray, edge: np.ndarray,
             pos: np.ndarray, offset: np.ndarray) -> _Located:
    keep = (node >= 0) | (edge >= 0)
    order = np.flatnonzero(keep)[np.argsort(ap.owner[keep])]
    node, edge, pos, off = node[order], edge[order], pos[order], offset[order]
    inner = edge >= 0
    ei = np.where(inner, edge, 0)
    u = np.where(inner, network.edge_u[ei], node)
    v = np.where(inner, network.edge_v[ei], node)
    pu = off + np.where(inner, pos, 0.0)
    pv = off + np.where(inner, network.edge_length[ei] - pos, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        f = np.where(inner, pos / network.edge_length[ei], 0.0)
    f = np.nan_to_num(f)
    px = network.x[u] + f * (network.x[v] - network.x[u])
    py = network.y[u] + f * (network.y[v] - network.y[u])
    # distinct places inside edges, numbered after the network's nodes
    loc = u.copy()
    ii = np.flatnonzero(inner)
    o = ii[np.lexsort((pos[ii], edge[ii]))]
    new = np.ones(len(o), dtype=bool)
    new[1:] = (edge[o][1:] != edge[o][:-1]) | (pos[o][1:] != pos[o][:-1])
    loc[o] = network.n_nodes + np.cumsum(new) - 1
    return _Located(ap.owner[order], off, np.where(inner, edge, -1), pos, u, v, pu, pv, px, py,
                    loc, edge[o][new], pos[o][new])


def _subgraph(
    graph: sp.csr_matrix, idx: np.ndarray, loc: np.ndarray, *, extra: int = 0
) -> sp.csr_matrix:
    """Induced subgraph on node indices ``idx``; ``loc`` maps global→local (-1 outside).

    ``extra`` isolated nodes are appended after the ``len(idx)`` induced ones."""
    indptr, indices, data = graph.indptr, graph.indices, graph.data
    starts = indptr[idx]
    counts = indptr[idx + 1] - starts
    bounds = np.zeros(len(idx) + 1, np.int64)
    np.cumsum(counts, out=bounds[1:])
    pos = np.repeat(starts - bounds[:-1], counts) + np.arange(bounds[-1])
    cols = loc[indices[pos]]
    keep = cols >= 0
    ck = np.concatenate([[0], np.cumsum(keep)])
    # int32 indices, as csgraph uses them: no conversion copy in the constructor
    indptr_sub = np.empty(len(idx) + extra + 1, dtype=np.int32)
    indptr_sub[:len(idx) + 1] = ck[bounds]
    indptr_sub[len(idx) + 1:] = ck[-1]
    return sp.csr_matrix((data[pos[keep]], cols[keep].astype(np.int32), indptr_sub),
                         shape=(len(idx) + extra,) * 2)


def _group_starts(sorted_keys: np.ndarray) -> np.ndarray:
    """Start positions of the runs of equal values in a sorted array."""
    if len(sorted_keys) == 0:
        return np.empty(0, np.int64)
    return np.flatnonzero(np.concatenate([[True], sorted_keys[1:] != sorted_keys[:-1]]))


class _Pairs:
    """Owner pairs collected block by block, reduced to the minimum per pair at the end."""

    def __init__(self, cutoff_m: float, n_tgt: int) -> None:
        self.cutoff_m = cutoff_m
        self.n_tgt = max(int(n_tgt), 1)
        self.parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.sorted_unique = True  # parts so far are disjoint and in (src, tgt) order

    def add_block(self, d: np.ndarray, s_owner: np.ndarray, t_owner: np.ndarray) -> None:
        """``d`` is a dense (source owners × target owners) block of distances."""
        si, ti = np.nonzero(d <= self.cutoff_m)
        if len(si):
            self.add(s_owner[si], t_owner[ti], d[si, ti])

    def add(self, s: np.ndarray, t: np.ndarray, d: np.ndarray) -> None:
        if len(s) == 0:
            return
        if self.parts:
            last_s, last_t = self.parts[-1][0][-1], self.parts[-1][1][-1]
            if not (s[0] > last_s or (s[0] == last_s and t[0] > last_t)):
                self.sorted_unique = False
        self.parts.append((s, t, d))

    def frame(self) -> pd.DataFrame:
        if not self.parts:
            return pd.DataFrame({"src": np.empty(0, np.int64), "tgt": np.empty(0, np.int64),
                                 "distance_m": np.empty(0)})
        src = np.concatenate([p[0] for p in self.parts]).astype(np.int64)
        tgt = np.concatenate([p[1] for p in self.parts]).astype(np.int64)
        dist = np.concatenate([p[2] for p in self.parts])
        if not self.sorted_unique:
            key = src * np.int64(self.n_tgt) + tgt
            order = np.argsort(key)
            key, dist = key[order], dist[order]
            first = _group_starts(key)
            if len(first) < len(key):
                dist = np.minimum.reduceat(dist, first)
                key = key[first]
            src, tgt = np.divmod(key, np.int64(self.n_tgt))
        return pd.DataFrame({"src": src, "tgt": tgt, "distance_m": dist})


def _owner_block(
    dist: np.ndarray, s_rows: np.ndarray, s_off: np.ndarray, s_owner: np.ndarray,
    t_cu: np.ndarray, t_cv: np.ndarray, t_pu: np.ndarray, t_pv: np.ndarray,
    t_owner: np.ndarray, pairs: _Pairs,
) -> None:
    """Reduce a block of node distances to owner-to-owner minima and collect them.

    ``dist`` holds network distances from the searched source locations (rows) to nodes
    (columns; in a tile, an extra all-``inf`` column stands for nodes outside the window).
    Source access points (sorted by owner) sit at rows ``s_rows`` with offsets ``s_off``;
    target access points (sorted by owner) are reached through columns ``t_cu``/``t_cv``
    at extra distances ``t_pu``/``t_pv``.
    """
    if len(t_cu) == 0 or len(s_rows) == 0:
        return
    m = dist[:, t_cu]
    m += t_pu
    other = dist[:, t_cv]
    other += t_pv
    np.minimum(m, other, out=m)
    del other
    t_first = _group_starts(t_owner)
    if len(t_first) < len(t_owner):
        m = np.minimum.reduceat(m, t_first, axis=1)
    # source side: rows of access points, then the minimum per owner
    if len(s_rows) != m.shape[0] or np.any(s_rows != np.arange(len(s_rows))):
        m = m[s_rows]
    m += s_off[:, None]
    s_first = _group_starts(s_owner)
    if len(s_first) < len(s_owner):
        m = np.minimum.reduceat(m, s_first, axis=0)
    pairs.add_block(m, s_owner[s_first], t_owner[t_first])


def _same_edge(src: _Located, tgt: _Located, pairs: _Pairs) -> None:
    """Pairs of access points inside the same edge also walk straight along it."""
    si = np.flatnonzero(src.edge >= 0)
    ti = np.flatnonzero(tgt.edge >= 0)
    if len(si) == 0 or len(ti) == 0:
        return
    ti = ti[np.argsort(tgt.edge[ti], kind="stable")]
    te = tgt.edge[ti]
    lo = np.searchsorted(te, src.edge[si], side="left")
    hi = np.searchsorted(te, src.edge[si], side="right")
    cnt = hi - lo
    if cnt.sum() == 0:
        return
    a = np.repeat(si, cnt)
    b = ti[np.repeat(lo - np.cumsum(cnt) + cnt, cnt) + np.arange(int(cnt.sum()))]
    d = src.offset[a] + np.abs(src.pos[a] - tgt.pos[b]) + tgt.offset[b]
    ok = d <= pairs.cutoff_m
    if ok.any():
        pairs.sorted_unique = False
        pairs.parts.append((src.owner[a[ok]], tgt.owner[b[ok]], d[ok]))


def _search(
    network: WalkNetwork,
    src: _Located,
    tgt: _Located,
    *,
    cutoff_m: float,
    chunk_bytes: int,
    reach_m: float | None,
) -> pd.DataFrame:
    """Owner-to-owner shortest distances within ``cutoff_m`` (see :func:`travel_times`).

    Each distinct source location is searched once: a node as itself, a point inside an
    edge as an extra node joined to the edge's two ends (it needs no incoming edges, so the
    network itself is never split or rebuilt). Targets are read off the distances to the
    ends of their edges; pairs inside the same edge add the direct walk along it.
    """
    n = network.n_nodes
    graph = network.graph
    # distinct source places: nodes, then points inside edges as extra nodes n, n+1, ...
    s_loc = src.loc
    k = len(src.extra_edge)
    if k:
        ue, upos = src.extra_edge, src.extra_pos
        extra_idx = np.column_stack([network.edge_u[ue], network.edge_v[ue]]).ravel()
        extra_len = np.column_stack([upos, network.edge_length[ue] - upos]).ravel()
        indptr = np.concatenate([graph.indptr,
                                 graph.indptr[-1] + 2 * np.arange(1, k + 1)])
        graph = sp.csr_matrix(
            (np.concatenate([graph.data, extra_len]),
             np.concatenate([graph.indices, extra_idx]), indptr),
            shape=(n + k, n + k),
        )
    pairs = _Pairs(cutoff_m, int(tgt.owner.max()) + 1 if len(tgt.owner) else 1)
    ntap = len(tgt.owner)
    if reach_m is None or not np.isfinite(reach_m):
        # whole graph; sources in chunks of owners whose block fits in chunk_bytes
        t_cu, t_cv = tgt.u, tgt.v
        width = 8 * (n + k + 3 * ntap)
        per = max(1, int(chunk_bytes // max(width, 1)))
        bounds = np.append(_group_starts(src.owner), len(src.owner))
        i = 0
        while i < len(bounds) - 1:
            # whole owners, as many as fit in one chunk (at least one)
            a = int(bounds[i])
            j = max(int(np.searchsorted(bounds, a + per, side="right")) - 1, i + 1)
            b = int(bounds[j])
            rows_loc, rows = np.unique(s_loc[a:b], return_inverse=True)
            block = dijkstra(graph, directed=True, indices=rows_loc, limit=cutoff_m)
            _owner_block(block, rows.ravel(), src.offset[a:b], src.owner[a:b],
                         t_cu, t_cv, tgt.pu, tgt.pv, tgt.owner, pairs)
            del block
            i = j
    else:
        _tiled(network, graph, src, s_loc, tgt, n, k, cutoff_m=cutoff_m,
               chunk_bytes=chunk_bytes, reach_m=reach_m, pairs=pairs)
    _same_edge(src, tgt, pairs)
    return pairs.frame()


def _tiled(
    network: WalkNetwork, graph: sp.csr_matrix, src: _Located, s_loc: np.ndarray,
    tgt: _Located, n: int, k: int, *, cutoff_m: float, chunk_bytes: int, reach_m: float,
    pairs: _Pairs,
) -> None:
    """Search tile by tile on the subgraph within walking reach of each tile (exact).

    Source locations are grouped in square tiles; each tile is searched on the subgraph
    induced by the nodes within ``reach_m`` (straight line, rounded up to whole cells of
    ``reach_m / 2``) of the tile, plus the tile's own extra source nodes. A walk of
    ``cutoff_m`` cannot leave that window, and neither can any target it reaches.
    """
    s_x = np.where(s_loc < n, network.x[np.minimum(s_loc, n - 1)], 0.0)
    s_y = np.where(s_loc < n, network.y[np.minimum(s_loc, n - 1)], 0.0)
    s_x[s_loc >= n] = src.x[s_loc >= n]
    s_y[s_loc >= n] = src.y[s_loc >= n]
    cell = max(float(reach_m) / 2.0, 1.0)
    pad = int(math.ceil(reach_m / cell))
    x0 = float(min(network.x.min(), s_x.min(), tgt.x.min())) - cell
    y0 = float(min(network.y.min(), s_y.min(), tgt.y.min())) - cell
    x1 = float(max(network.x.max(), s_x.max(), tgt.x.max()))
    y1 = float(max(network.y.max(), s_y.max(), tgt.y.max()))
    ncx = int((x1 - x0) // cell) + 2
    ncy = int((y1 - y0) // cell) + 2

    def cells(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return ((x - x0) // cell).astype(np.int64), ((y - y0) // cell).astype(np.int64)

    nx_, ny_ = cells(network.x, network.y)
    node_key = nx_ * ncy + ny_
    node_order = np.argsort(node_key)
    node_sorted = node_key[node_order]
    tx_, ty_ = cells(tgt.x, tgt.y)
    t_key = tx_ * ncy + ty_
    t_order = np.argsort(t_key)
    t_sorted = t_key[t_order]
    # tiles of ~`per_tile` source locations, in whole cells
    locs, ap_loc = np.unique(s_loc, return_inverse=True)
    ap_loc = ap_loc.ravel()
    l_x, l_y = np.empty(len(locs)), np.empty(len(locs))
    l_x[ap_loc], l_y[ap_loc] = s_x, s_y
    spread = float((x1 - x0) * (y1 - y0))
    per_tile = _TILE_SOURCES
    m = max(1, int(round(math.sqrt(spread * per_tile / max(len(locs), 1)) / cell)))
    lcx, lcy = cells(l_x, l_y)
    tile_key = (lcx // m) * (ncy // m + 2) + (lcy // m)
    by_tile = np.argsort(tile_key)
    tiles = _group_starts(tile_key[by_tile])
    tile_bounds = [*tiles.tolist(), len(by_tile)]
    # source access points grouped by location
    ap_by_loc = np.argsort(ap_loc)
    loc_start = np.searchsorted(ap_loc[ap_by_loc], np.arange(len(locs) + 1))
    loc = np.full(n + k, -1, np.int32)
    for a, b in zip(tile_bounds[:-1], tile_bounds[1:], strict=True):
        tl = by_tile[a:b]  # location positions of this tile
        first = tl[0]
        tx0, ty0 = (lcx[first] // m) * m - pad, (lcy[first] // m) * m - pad
        cols = np.arange(max(tx0, 0), min(tx0 + m + 2 * pad, ncx))
        ya, yb = max(ty0, 0), min(ty0 + m + 2 * pad - 1, ncy - 1)
        lo = np.searchsorted(node_sorted, cols * ncy + ya, side="left")
        hi = np.searchsorted(node_sorted, cols * ncy + yb, side="right")
        idx = np.concatenate([node_order[i:j] for i, j in zip(lo, hi, strict=True)]
                             + [locs[tl][locs[tl] >= n]])
        win = len(idx)
        loc[idx] = np.arange(win)
        lo = np.searchsorted(t_sorted, cols * ncy + ya, side="left")
        hi = np.searchsorted(t_sorted, cols * ncy + yb, side="right")
        ti = np.sort(np.concatenate([t_order[i:j] for i, j in zip(lo, hi, strict=True)]))
        if len(ti):
            sub = _subgraph(graph, idx, loc, extra=1)  # node `win`: isolated, always inf
            t_cu, t_cv = loc[tgt.u[ti]], loc[tgt.v[ti]]
            t_cu[t_cu < 0] = win
            t_cv[t_cv < 0] = win
            # source access points of the tile's locations, by owner
            cnt = loc_start[tl + 1] - loc_start[tl]
            aps = ap_by_loc[np.repeat(loc_start[tl] - np.cumsum(cnt) + cnt, cnt)
                            + np.arange(int(cnt.sum()))]
            aps = np.sort(aps)
            per = max(1, int(chunk_bytes // (8 * (win + 1 + 3 * len(ti)))))
            bounds = np.append(_group_starts(src.owner[aps]), len(aps))
            i = 0
            while i < len(bounds) - 1:
                q = int(bounds[i])
                j = max(int(np.searchsorted(bounds, q + per, side="right")) - 1, i + 1)
                r = int(bounds[j])
                part = aps[q:r]
                rows_loc, rows = np.unique(loc[s_loc[part]], return_inverse=True)
                block = dijkstra(sub, directed=True, indices=rows_loc, limit=cutoff_m)
                _owner_block(block, rows.ravel(), src.offset[part], src.owner[part],
                             t_cu, t_cv, tgt.pu[ti], tgt.pv[ti], tgt.owner[ti], pairs)
                i = j
        loc[idx] = -1
    pairs.sorted_unique = False


def _n_locations(loc: _Located) -> int:
    """Number of distinct places (nodes, or points inside edges) of access points."""
    return int(len(np.unique(loc.loc)))


def _nearest_road_m(network: WalkNetwork, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return network.nearest_edges(x, y)[1]


def travel_times(
    network: WalkNetwork | None,
    origins: gpd.GeoDataFrame,
    destinations: gpd.GeoDataFrame,
    *,
    reach: Reach = DEFAULT_REACH,
    max_snap_m: float = 200.0,
    boundary_spacing_m: float = 75.0,
    gate_tolerance_m: float = 15.0,
    id_col: str = "id",
    drop_unsnapped: bool = False,
    fallback: bool = False,
    chunk_bytes: int = 256 * 2**20,
    localize: bool | None = None,
) -> pd.DataFrame:
    """Walking times of every (origin, destination) pair within ``reach``.

    Parameters
    ----------
    network : WalkNetwork or None
        The walking network. ``None`` with ``fallback=True`` uses straight-line distance.
    origins, destinations : GeoDataFrame
        Point or polygon layers with an ``id_col`` column and a CRS.
    reach : Reach, default Reach(15, 60)
        Cutoff walking time and walking speed (DESIGN.md default); pass the elder-care speed
        for elder-care trips.
    max_snap_m : float, default 200.0
        Largest distance from an access point to the network.
    boundary_spacing_m, gate_tolerance_m : float
        See :func:`access_points`.
    id_col : str, default 'id'
        Identifier column of both layers.
    drop_unsnapped : bool, default False
        If False, features that cannot reach the network raise :class:`SnapError`; if True
        they are left out and listed in ``attrs['unsnapped']``.
    fallback : bool, default False
        Allow straight-line distances when ``network`` is None.
    chunk_bytes : int
        Memory bound of one search block.
    localize : bool, optional
        Search each tile of sources on the subgraph within walking reach (exact; see
        :func:`_tiled`). Default: when the graph has more than 20,000 nodes.

    Returns
    -------
    DataFrame
        ``origin_id``, ``destination_id``, ``minutes``, ``distance_m``, sorted by origin then
        destination (input order). ``attrs``: ``method`` ('network' | 'straight-line'),
        ``minutes``, ``speed_m_per_min``, ``unsnapped`` ({'origins': [...],
        'destinations': [...]}), ``access_points``, ``searched_from``.
    """
    problems = ProblemCollector(source="travel_times")
    _check_layer(origins, name="origins", id_col=id_col, problems=problems)
    _check_layer(destinations, name="destinations", id_col=id_col, problems=problems)
    problems.raise_if_any()
    cutoff_m = reach.metres
    o_ids = origins[id_col].to_numpy()
    d_ids = destinations[id_col].to_numpy()
    attrs: dict[str, Any] = {"minutes": reach.minutes, "speed_m_per_min": reach.speed_m_per_min,
                             "cutoff_m": cutoff_m, "unsnapped": {"origins": [],
                                                                 "destinations": []}}
    if network is None:
        if not fallback:
            raise NetworkError(
                "no walking network given; pass a network or allow the straight-line fallback"
            )
        res = _straight_line(origins, destinations, cutoff_m=cutoff_m)
        attrs["method"] = "straight-line"
    else:
        clock = time.perf_counter()
        o_ap = access_points(origins, network, boundary_spacing_m=boundary_spacing_m,
                             gate_tolerance_m=gate_tolerance_m)
        d_ap = access_points(destinations, network, boundary_spacing_m=boundary_spacing_m,
                             gate_tolerance_m=gate_tolerance_m)
        timings = {"access_points_s": time.perf_counter() - clock}
        clock = time.perf_counter()
        located = []
        for ap in (o_ap, d_ap):
            located.append(_locate(network, ap.x, ap.y, ap.node, max_snap_m=max_snap_m))
        timings["snap_s"] = time.perf_counter() - clock
        bad = ProblemCollector(source="travel_times", error=SnapError)
        for side, ap, (nd, ed, _, _), ids, n in (
                ("origins", o_ap, located[0], o_ids, len(origins)),
                ("destinations", d_ap, located[1], d_ids, len(destinations))):
            ok_owner = np.zeros(n, dtype=bool)
            ok_owner[ap.owner[(nd >= 0) | (ed >= 0)]] = True
            lost = np.flatnonzero(~ok_owner)
            if len(lost):
                near = _nearest_road_m(network, ap.x, ap.y)
                best = pd.Series(near).groupby(ap.owner).min()
                detail = ", ".join(f"{ids[i]} ({best.get(i, np.nan):.0f} m)" for i in lost[:20])
                bad.add(
                    f"{len(lost)} feature(s) farther than max_snap_m={max_snap_m} m from every "
                    f"walkable way (id: nearest way): {detail}",
                    source=side, rows=ids[lost].tolist(),
                )
                attrs["unsnapped"][side] = ids[lost].tolist()
        if bad and not drop_unsnapped:
            bad.raise_if_any()
        o_loc = _located(network, o_ap, *located[0])
        d_loc = _located(network, d_ap, *located[1])
        attrs["access_points"] = {
            side: {str(k): int(v) for k, v in zip(*np.unique(
                ap.kind[(nd >= 0) | (ed >= 0)].astype(str), return_counts=True), strict=True)}
            for side, ap, (nd, ed, _, _) in (("origins", o_ap, located[0]),
                                             ("destinations", d_ap, located[1]))
        }
        from_origins = _n_locations(o_loc) <= _n_locations(d_loc)
        src, tgt = (o_loc, d_loc) if from_origins else (d_loc, o_loc)
        use_tiles = localize if localize is not None else network.n_nodes > _LOCALIZE_NODES
        detour = network.min_detour
        window_m = (cutoff_m / detour * (1 + 1e-9) + 1e-6 if detour > 0 else np.inf) \
            if use_tiles else None
        clock = time.perf_counter()
        res = _search(network, src, tgt, cutoff_m=cutoff_m, chunk_bytes=chunk_bytes,
                      reach_m=window_m)
        timings["search_s"] = time.perf_counter() - clock
        attrs["timings"] = timings
        attrs["search"] = "tiled" if window_m is not None and np.isfinite(window_m) else "global"
        if not from_origins:
            res = res.rename(columns={"src": "tgt", "tgt": "src"})
        attrs["searched_from"] = "origins" if from_origins else "destinations"
        attrs["method"] = "network"
    src_i = res["src"].to_numpy(np.int64)
    tgt_i = res["tgt"].to_numpy(np.int64)
    dist_m = res["distance_m"].to_numpy(float)
    key = src_i * np.int64(max(len(d_ids), 1)) + tgt_i
    if len(key) > 1 and not np.all(key[1:] > key[:-1]):
        order = np.argsort(key)
        src_i, tgt_i, dist_m = src_i[order], tgt_i[order], dist_m[order]
    out = pd.DataFrame({
        "origin_id": o_ids[src_i],
        "destination_id": d_ids[tgt_i],
        "minutes": dist_m / reach.speed_m_per_min,
        "distance_m": dist_m,
    })
    out.attrs.update(attrs)
    return out


def _straight_line(
    origins: gpd.GeoDataFrame, destinations: gpd.GeoDataFrame, *, cutoff_m: float
) -> pd.DataFrame:
    from scipy.spatial import cKDTree

    crs = local_metric_crs(origins)
    og = origins.to_crs(crs).geometry
    dg = destinations.to_crs(crs).geometry
    if not (og.geom_type.isin(["Point"]).all() and dg.geom_type.isin(["Point"]).all()):
        # polygons: distance between representative points (declared approximation)
        og, dg = og.representative_point(), dg.representative_point()
    a = shapely.get_coordinates(np.asarray(og.values))
    b = shapely.get_coordinates(np.asarray(dg.values))
    if len(a) != len(origins) or len(b) != len(destinations):
        raise InputError(["straight-line fallback needs single points or polygons"])
    lists = cKDTree(b).query_ball_point(a, cutoff_m)
    counts = np.fromiter((len(x) for x in lists), dtype=np.int64, count=len(lists))
    src = np.repeat(np.arange(len(a)), counts)
    tgt = np.fromiter((j for x in lists for j in x), dtype=np.int64, count=int(counts.sum()))
    dist = np.hypot(*(a[src] - b[tgt]).T)
    return pd.DataFrame({"src": src, "tgt": tgt, "distance_m": dist})
