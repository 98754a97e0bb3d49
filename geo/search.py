"""The sparse shortest-path search behind :func:`geo.access.travel_times`.

:func:`scipy.sparse.csgraph.dijkstra` with ``limit`` set to the cutoff distance, from each
distinct place of the side (origins or destinations) with fewer of them (the graph is
undirected, so distances are symmetric). Node distances are turned into owner-to-owner minima
with segmented reductions (:func:`numpy.minimum.reduceat` over access points grouped by
owner), never pair by pair. Small graphs are searched whole, in chunks that bound the memory
of the dense ``chunk × nodes`` block; large ones tile by tile, each tile on the subgraph
within walking reach of it (exact; see :func:`_tiled`).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from geo.network import WalkNetwork
from geo.snapping import Located

__all__ = ["search_pairs"]

#: Source locations per tile of the tiled search (fewer, larger windows vs. smaller ones).
_TILE_SOURCES = 24.0


def _subgraph(
    graph: sp.csr_matrix, idx: np.ndarray, loc: np.ndarray, *, extra: int = 0
) -> sp.csr_matrix:
    """Induced subgraph on node indices ``idx``; ``loc`` maps global→local (-1 outside).

    ``extra`` isolated nodes are appended after the ``len(idx)`` induced ones.
    """
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


def _same_edge(src: Located, tgt: Located, pairs: _Pairs) -> None:
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


def search_pairs(
    network: WalkNetwork,
    src: Located,
    tgt: Located,
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
    network: WalkNetwork, graph: sp.csr_matrix, src: Located, s_loc: np.ndarray,
    tgt: Located, n: int, k: int, *, cutoff_m: float, chunk_bytes: int, reach_m: float,
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

