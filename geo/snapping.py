"""Snapping access points onto the walking network.

Distances are exact for points inside edges, as if the edges were split there (a point in the
middle of a 200 m block reaches both ends along the block): :func:`locate_points` finds the
nearest point of the nearest edge and :class:`Located` keeps, per access point, its edge, its
position along it and its distances through either end, without splitting the network.
:func:`snap_graph` does split the edges (for the service areas, which draw the streets).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from geo.access_points import AccessPoints
from geo.network import WalkNetwork, build_csr

__all__ = ["Located", "Snap", "SnappedGraph", "also_main", "locate_points", "located",
           "snap_component", "snap_graph"]

#: Snapped positions closer than this to an edge end (metres) are taken as the end node.
END_TOL_M = 1e-6


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
    main_only: list[bool] | None = None,
) -> SnappedGraph:
    """Snap point sets to the nearest point of the nearest edge and split edges there.

    Parameters
    ----------
    network : WalkNetwork
    point_sets : list of (x, y, node)
        Coordinates in the network CRS, and an already-known node index (>= 0) or -1.
    max_snap_m : float
        Points farther than this from every edge stay unsnapped (node -1).
    main_only : list of bool, optional
        Per point set, snap onto the main network (component 0) only.
    """
    n0 = network.n_nodes
    sizes = [len(ps[0]) for ps in point_sets]
    x = np.concatenate([ps[0] for ps in point_sets]) if point_sets else np.empty(0)
    y = np.concatenate([ps[1] for ps in point_sets]) if point_sets else np.empty(0)
    known = np.concatenate([ps[2] for ps in point_sets]).astype(np.int64)
    node = known.copy()
    offset = np.where(known >= 0, 0.0, np.nan)
    edge = np.full(len(x), -1, np.int64)
    main_pt = np.repeat(np.asarray(main_only or [False] * len(sizes), dtype=bool), sizes)
    for main in (False, True):
        todo = np.flatnonzero((known < 0) & (main_pt == main))
        if len(todo):
            e_near, d_near = network.nearest_edges(x[todo], y[todo], max_distance=max_snap_m,
                                                   main_only=main)
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
    at_u = pos <= END_TOL_M
    at_v = ~at_u & (elen - pos <= END_TOL_M)
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
class Located:
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

    def n_locations(self) -> int:
        """Number of distinct places (nodes, or points inside edges) of access points."""
        return int(len(np.unique(self.loc)))


@dataclass(frozen=True)
class Snap:
    """Where points snapped onto the network (one entry per point).

    Attributes
    ----------
    node : ndarray of int
        Node index where the point is one, or snaps onto an edge end, else -1.
    edge : ndarray of int
        Edge index where it snaps inside an edge, else -1.
    pos : ndarray of float
        Metres from the edge's ``u`` end.
    offset : ndarray of float
        Snap distance (walked); NaN where nothing is within ``max_snap_m``.
    """

    node: np.ndarray
    edge: np.ndarray
    pos: np.ndarray
    offset: np.ndarray

    @property
    def reached(self) -> np.ndarray:
        """True for the points that reach the network."""
        reached: np.ndarray = (self.node >= 0) | (self.edge >= 0)
        return reached


def locate_points(
    network: WalkNetwork, x: np.ndarray, y: np.ndarray, node: np.ndarray, *, max_snap_m: float,
    main_only: bool = False,
) -> Snap:
    """Snap points onto the nearest point of the nearest edge (no graph is modified).

    Parameters
    ----------
    network : WalkNetwork
        The network.
    x, y : ndarray of float
        The points, in the network's CRS.
    node : ndarray of int
        A node the point already is (a gate), else -1.
    max_snap_m : float
        Points farther than this from every edge stay unsnapped.
    main_only : bool, default False
        Snap onto the main network (component 0) only, ignoring fragments.

    Returns
    -------
    Snap
    """
    node = np.asarray(node, np.int64).copy()
    offset = np.where(node >= 0, 0.0, np.nan)
    edge = np.full(len(x), -1, np.int64)
    pos = np.zeros(len(x))
    todo = np.flatnonzero(node < 0)
    if len(todo):
        e_near, d_near = network.nearest_edges(x[todo], y[todo], max_distance=max_snap_m,
                                               main_only=main_only)
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
        at_u = p <= END_TOL_M
        at_v = ~at_u & (elen - p <= END_TOL_M)
        inner = ~(at_u | at_v)
        node[todo[at_u]] = eu[at_u]
        node[todo[at_v]] = ev[at_v]
        edge[todo[inner]] = e[inner]
        pos[todo[inner]] = p[inner]
    return Snap(node, edge, pos, offset)


def snap_component(network: WalkNetwork, snap: Snap) -> np.ndarray:
    """Network component of each snapped point (-1 where it did not reach the network)."""
    node = np.where(snap.edge >= 0, network.edge_u[np.maximum(snap.edge, 0)], snap.node)
    comp: np.ndarray = np.where(node >= 0, network.component[np.maximum(node, 0)], -1)
    return comp


def also_main(
    network: WalkNetwork, ap: AccessPoints, snap: Snap, *, max_snap_m: float
) -> tuple[AccessPoints, Snap]:
    """Add, for each access point that snapped onto a fragment, one on the main network.

    A point whose nearest street is a fragment (a compound's inner lane, say) can still walk
    to the main network's nearest edge when that is within ``max_snap_m``; the walk to it is
    counted as its offset. With these extra access points, keeping fragments never removes a
    walk that the main network alone gives.

    Returns
    -------
    AccessPoints, Snap
        The inputs with the extra points appended (same owners and kinds).
    """
    if network.n_components <= 1:
        return ap, snap
    off = np.flatnonzero(snap_component(network, snap) > 0)
    if not len(off):
        return ap, snap
    extra = locate_points(network, ap.x[off], ap.y[off], np.full(len(off), -1, np.int64),
                          max_snap_m=max_snap_m, main_only=True)
    ok = extra.reached
    off = off[ok]
    cat = np.concatenate
    ap2 = AccessPoints(cat([ap.owner, ap.owner[off]]), cat([ap.x, ap.x[off]]),
                       cat([ap.y, ap.y[off]]), cat([ap.node, np.full(len(off), -1, np.int64)]),
                       cat([ap.kind, ap.kind[off]]))
    snap2 = Snap(cat([snap.node, extra.node[ok]]), cat([snap.edge, extra.edge[ok]]),
                 cat([snap.pos, extra.pos[ok]]), cat([snap.offset, extra.offset[ok]]))
    return ap2, snap2


def located(network: WalkNetwork, ap: AccessPoints, snap: Snap) -> Located:
    """Where the snapped access points of one side sit, sorted by owner (see :class:`Located`).

    Parameters
    ----------
    network : WalkNetwork
        The network the points were snapped onto.
    ap : AccessPoints
        The access points.
    snap : Snap
        The result of :func:`locate_points` for them; unsnapped points are left out.

    Returns
    -------
    Located
    """
    keep = snap.reached
    order = np.flatnonzero(keep)[np.argsort(ap.owner[keep])]
    node, edge, pos, off = snap.node[order], snap.edge[order], snap.pos[order], snap.offset[order]
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
    return Located(ap.owner[order], off, np.where(inner, edge, -1), pos, u, v, pu, pv, px, py,
                    loc, edge[o][new], pos[o][new])

