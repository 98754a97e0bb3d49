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

Snapped points are inserted into the graph by splitting their edges, so the graph searched is
exact: a point in the middle of a 200 m block reaches both ends along the block.

Travel times
------------
One :func:`scipy.sparse.csgraph.dijkstra` call per chunk of source nodes with ``limit`` set to
the cutoff distance, searching from whichever side (origins or destinations) has fewer distinct
access nodes (the graph is undirected, so distances are symmetric). Chunks bound the memory of
the dense ``chunk × nodes`` distance block.
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

__all__ = [
    "AccessPoints",
    "SnappedGraph",
    "access_points",
    "snap_graph",
    "travel_times",
    "pair_distances",
]

#: Snapped positions closer than this to an edge end (metres) are taken as the end node.
_END_TOL_M = 1e-6
#: Graphs larger than this are searched tile by tile (see :func:`pair_distances`).
_LOCALIZE_NODES = 20_000


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
            near = shapely.buffer(geoms[other], gate_tolerance_m)
            pairs = tree.query(near, predicate="intersects")
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
            bnd = shapely.boundary(geoms[rest])
            # lines: the line itself; polygons: their rings
            is_line = np.isin(shapely.get_type_id(geoms[rest]), (1, 5))
            bnd[is_line] = geoms[rest][is_line]
            length = shapely.length(bnd)
            count = np.maximum(1, np.ceil(length / boundary_spacing_m)).astype(np.int64)
            own_local = np.repeat(np.arange(len(rest)), count)
            start = np.repeat(np.cumsum(count) - count, count)
            k = np.arange(len(own_local)) - start
            frac = (k + 0.5) / count[own_local]
            pts = shapely.line_interpolate_point(bnd[own_local], frac, normalized=True)
            c = shapely.get_coordinates(pts)
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


def _expand(
    si: np.ndarray, ti: np.ndarray, d: np.ndarray,
    s_order: np.ndarray, s_start: np.ndarray, t_order: np.ndarray, t_start: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Expand pairs of distinct nodes into pairs of the access points located at them."""
    ns = s_start[si + 1] - s_start[si]
    nt = t_start[ti + 1] - t_start[ti]
    if len(si) == 0 or (ns.max() == 1 and nt.max() == 1):
        return s_order[s_start[si]], t_order[t_start[ti]], d
    rep = ns * nt
    pi = np.repeat(np.arange(len(si)), rep)
    k = np.arange(len(pi)) - np.repeat(np.cumsum(rep) - rep, rep)
    ks, kt = np.divmod(k, nt[pi])
    return s_order[s_start[si[pi]] + ks], t_order[t_start[ti[pi]] + kt], d[pi]


def _subgraph(graph: sp.csr_matrix, idx: np.ndarray, loc: np.ndarray) -> sp.csr_matrix:
    """Induced subgraph on node indices ``idx``; ``loc`` maps global→local (-1 outside)."""
    indptr, indices, data = graph.indptr, graph.indices, graph.data
    starts, ends = indptr[idx], indptr[idx + 1]
    counts = ends - starts
    pos = np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(counts.sum())
    cols = loc[indices[pos]]
    keep = cols >= 0
    rows = np.repeat(np.arange(len(idx)), counts)
    indptr_sub = np.zeros(len(idx) + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows[keep], minlength=len(idx)), out=indptr_sub[1:])
    return sp.csr_matrix((data[pos][keep], cols[keep], indptr_sub), shape=(len(idx),) * 2)


def pair_distances(
    graph: sp.csr_matrix,
    src_node: np.ndarray,
    src_owner: np.ndarray,
    src_offset: np.ndarray,
    tgt_node: np.ndarray,
    tgt_owner: np.ndarray,
    tgt_offset: np.ndarray,
    *,
    cutoff_m: float,
    chunk_bytes: int = 256 * 2**20,
    xy: tuple[np.ndarray, np.ndarray] | None = None,
    reach_m: float | None = None,
) -> pd.DataFrame:
    """Shortest distances between owners of access points, all pairs within a cutoff.

    The distance of a pair of owners is the minimum over their access points of
    ``src_offset + network distance + tgt_offset``; pairs above ``cutoff_m`` are left out.

    Without ``xy``, :func:`scipy.sparse.csgraph.dijkstra` runs on the whole graph from the
    distinct source nodes in chunks sized so that the dense ``chunk × n_nodes`` block stays
    under ``chunk_bytes``. With node coordinates ``xy`` and ``reach_m`` (an upper bound on
    the straight-line distance a walk of ``cutoff_m`` can cover, ``cutoff_m / min(edge
    length / chord)``), sources are grouped in square tiles and each group is searched on the
    induced subgraph of the nodes within ``reach_m`` of its tile. Every path within the
    cutoff stays inside that window, so the result is exact, and each search costs the
    window's size instead of the whole city's.

    Returns
    -------
    DataFrame
        ``src`` (owner), ``tgt`` (owner), ``distance_m``; sorted by ``src``, ``tgt``.
    """
    n = graph.shape[0]
    s_nodes, s_inv = np.unique(src_node, return_inverse=True)
    t_nodes, t_inv = np.unique(tgt_node, return_inverse=True)
    s_order = np.argsort(s_inv, kind="stable")
    s_start = np.searchsorted(s_inv[s_order], np.arange(len(s_nodes) + 1))
    t_order = np.argsort(t_inv, kind="stable")
    t_start = np.searchsorted(t_inv[t_order], np.arange(len(t_nodes) + 1))
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    def collect(si: np.ndarray, ti: np.ndarray, d: np.ndarray) -> None:
        sap, tap, dd = _expand(si, ti, d, s_order, s_start, t_order, t_start)
        total = src_offset[sap] + dd + tgt_offset[tap]
        ok = total <= cutoff_m
        if ok.any():
            parts.append((src_owner[sap[ok]], tgt_owner[tap[ok]], total[ok]))

    if xy is None or reach_m is None or not np.isfinite(reach_m):
        chunk = max(1, int(chunk_bytes // (8 * max(n, 1))))
        for a in range(0, len(s_nodes), chunk):
            block = dijkstra(graph, directed=True, indices=s_nodes[a:a + chunk], limit=cutoff_m)
            sub = block[:, t_nodes]
            del block
            si, ti = np.nonzero(np.isfinite(sub))
            collect(si + a, ti, sub[si, ti])
    else:
        x, y = xy
        # tiles of ~12 sources on average, at least the reach: fewer, larger windows
        spread = float((x.max() - x.min() + reach_m) * (y.max() - y.min() + reach_m))
        tile = max(float(reach_m), math.sqrt(spread * 12.0 / max(len(s_nodes), 1)), 1.0)
        x0, y0 = float(x.min()), float(y.min())
        cx = ((x - x0) // tile).astype(np.int64)
        cy = ((y - y0) // tile).astype(np.int64)
        ny = int(cy.max()) + 3
        cell = (cx + 1) * ny + (cy + 1)
        node_order = np.argsort(cell, kind="stable")
        cell_sorted = cell[node_order]
        t_mark = np.full(n, -1, np.int64)
        t_mark[t_nodes] = np.arange(len(t_nodes))
        loc = np.full(n, -1, np.int64)
        s_cell = cell[s_nodes]
        s_by_cell = np.argsort(s_cell, kind="stable")
        cells, first = np.unique(s_cell[s_by_cell], return_index=True)
        bounds = [*first.tolist(), len(s_by_cell)]
        k = int(np.ceil(reach_m / tile))
        offs = np.array([dx * ny + dy for dx in range(-k, k + 1) for dy in range(-k, k + 1)])
        for c, a, b in zip(cells.tolist(), bounds[:-1], bounds[1:], strict=True):
            srcs = s_by_cell[a:b]  # positions in s_nodes
            win = np.sort(c + offs)
            lo = np.searchsorted(cell_sorted, win, side="left")
            hi = np.searchsorted(cell_sorted, win, side="right")
            idx = np.concatenate([node_order[i:j] for i, j in zip(lo, hi, strict=True)])
            loc[idx] = np.arange(len(idx))
            sub = _subgraph(graph, idx, loc)
            tin = t_mark[idx]
            tl = np.flatnonzero(tin >= 0)  # local indices of targets in the window
            chunk = max(1, int(chunk_bytes // (8 * max(len(idx), 1))))
            for q in range(0, len(srcs), chunk):
                part = srcs[q:q + chunk]
                block = dijkstra(sub, directed=True, indices=loc[s_nodes[part]], limit=cutoff_m)
                bt = block[:, tl]
                si, ti = np.nonzero(np.isfinite(bt))
                collect(part[si], tin[tl[ti]], bt[si, ti])
            loc[idx] = -1
    if not parts:
        return pd.DataFrame({"src": np.empty(0, np.int64), "tgt": np.empty(0, np.int64),
                             "distance_m": np.empty(0)})
    src = np.concatenate([p[0] for p in parts]).astype(np.int64)
    tgt = np.concatenate([p[1] for p in parts]).astype(np.int64)
    dist = np.concatenate([p[2] for p in parts])
    # minimum per (src, tgt): sort by key then distance, keep the first of each key
    order = np.lexsort((dist, tgt, src))
    src, tgt, dist = src[order], tgt[order], dist[order]
    first = np.ones(len(src), dtype=bool)
    first[1:] = (src[1:] != src[:-1]) | (tgt[1:] != tgt[:-1])
    return pd.DataFrame({"src": src[first], "tgt": tgt[first], "distance_m": dist[first]})


def _nearest_road_m(network: WalkNetwork, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return network.nearest_edges(x, y)[1]


def travel_times(
    network: WalkNetwork | None,
    origins: gpd.GeoDataFrame,
    destinations: gpd.GeoDataFrame,
    *,
    minutes: float = 15.0,
    speed_m_per_min: float = 60.0,
    max_snap_m: float = 200.0,
    boundary_spacing_m: float = 75.0,
    gate_tolerance_m: float = 15.0,
    id_col: str = "id",
    drop_unsnapped: bool = False,
    fallback: bool = False,
    chunk_bytes: int = 256 * 2**20,
    localize: bool | None = None,
) -> pd.DataFrame:
    """Walking times of every (origin, destination) pair within ``minutes``.

    Parameters
    ----------
    network : WalkNetwork or None
        The walking network. ``None`` with ``fallback=True`` uses straight-line distance.
    origins, destinations : GeoDataFrame
        Point or polygon layers with an ``id_col`` column and a CRS.
    minutes : float, default 15.0
        Cutoff walking time.
    speed_m_per_min : float, default 60.0
        Walking speed (DESIGN.md default); pass the elder-care speed for elder-care trips.
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
        :func:`pair_distances`). Default: when the graph has more than 20,000 nodes.

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
    if not minutes > 0:
        problems.add(f"minutes must be positive, got {minutes}", field="minutes")
    if not speed_m_per_min > 0:
        problems.add(f"speed must be positive, got {speed_m_per_min}", field="speed_m_per_min")
    problems.raise_if_any()
    cutoff_m = float(minutes) * float(speed_m_per_min)
    o_ids = origins[id_col].to_numpy()
    d_ids = destinations[id_col].to_numpy()
    attrs: dict[str, Any] = {"minutes": float(minutes), "speed_m_per_min": float(speed_m_per_min),
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
        sg = snap_graph(network, [(o_ap.x, o_ap.y, o_ap.node), (d_ap.x, d_ap.y, d_ap.node)],
                        max_snap_m=max_snap_m)
        timings["snap_s"] = time.perf_counter() - clock
        o_node, d_node = sg.node
        o_off, d_off = sg.offset
        bad = ProblemCollector(source="travel_times", error=SnapError)
        masks = []
        for side, ap, nd, ids, n in (("origins", o_ap, o_node, o_ids, len(origins)),
                                     ("destinations", d_ap, d_node, d_ids, len(destinations))):
            ok_owner = np.zeros(n, dtype=bool)
            ok_owner[ap.owner[nd >= 0]] = True
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
            masks.append(nd >= 0)
        if bad and not drop_unsnapped:
            bad.raise_if_any()
        om, dm = masks
        attrs["access_points"] = {
            "origins": {str(k): int(v) for k, v in pd.Series(o_ap.kind[om]).value_counts()
                        .items()},
            "destinations": {str(k): int(v) for k, v in pd.Series(d_ap.kind[dm]).value_counts()
                             .items()},
        }
        o_side = (o_node[om], o_ap.owner[om], o_off[om])
        d_side = (d_node[dm], d_ap.owner[dm], d_off[dm])
        from_origins = len(np.unique(o_side[0])) <= len(np.unique(d_side[0]))
        src, tgt = (o_side, d_side) if from_origins else (d_side, o_side)
        use_tiles = localize if localize is not None else sg.graph.shape[0] > _LOCALIZE_NODES
        detour = network.min_detour
        reach = (cutoff_m / detour * (1 + 1e-9) + 1e-6 if detour > 0 else np.inf) \
            if use_tiles else None
        clock = time.perf_counter()
        res = pair_distances(sg.graph, *src, *tgt, cutoff_m=cutoff_m, chunk_bytes=chunk_bytes,
                             xy=(sg.x, sg.y), reach_m=reach)
        timings["search_s"] = time.perf_counter() - clock
        attrs["timings"] = timings
        attrs["search"] = "tiled" if reach is not None and np.isfinite(reach) else "global"
        if not from_origins:
            res = res.rename(columns={"src": "tgt", "tgt": "src"})
        attrs["searched_from"] = "origins" if from_origins else "destinations"
        attrs["method"] = "network"
    res = res.sort_values(["src", "tgt"], kind="stable")
    out = pd.DataFrame({
        "origin_id": o_ids[res["src"].to_numpy(np.int64)],
        "destination_id": d_ids[res["tgt"].to_numpy(np.int64)],
        "minutes": res["distance_m"].to_numpy() / speed_m_per_min,
        "distance_m": res["distance_m"].to_numpy(),
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
