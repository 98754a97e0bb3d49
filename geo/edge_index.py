"""The snapping index of a walking network: the nearest edge of many points, exactly.

Every edge is represented by sample points at the centres of ``k`` equal pieces of its chord,
bucketed in a square grid (:class:`EdgeGrid`, built once per network and cached by
:class:`geo.network.WalkNetwork`); a query measures the exact segment distance to the edges
sampled in the cells around each point (see :func:`nearest_edges`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["EdgeGrid", "nearest_edges"]


@dataclass(frozen=True)
class EdgeGrid:
    """Edge sample points bucketed in a square grid.

    Stored per sample in grid order: its edge, and one row of the edge's start point,
    direction and ``1 / |direction|²``, so that a query reads contiguous runs.

    Attributes
    ----------
    edge : ndarray of int
        Edge of each sample, in grid order.
    rows : ndarray of float, shape (samples, 5)
        Start x, y, direction dx, dy and ``1 / (dx² + dy²)`` of each sample's edge.
    start : ndarray of int
        Start of each cell's run of samples (cells numbered ``column * ny + row``), then the
        end.
    x0, y0 : float
        Lower-left corner of the grid.
    cell : float
        Cell size, metres.
    nx, ny : int
        Columns and rows of the grid.
    half : float
        Half the longest piece: a point at distance d from an edge has a sample within
        ``d + half``.
    """

    edge: np.ndarray
    rows: np.ndarray
    start: np.ndarray
    x0: float
    y0: float
    cell: float
    nx: int
    ny: int
    half: float

    @classmethod
    def build(cls, x: np.ndarray, y: np.ndarray, edge_u: np.ndarray,
              edge_v: np.ndarray) -> EdgeGrid:
        """Sample the edges ``(edge_u, edge_v)`` between nodes ``(x, y)`` and bucket them."""
        n_edges = len(edge_u)
        ax, ay = x[edge_u], y[edge_u]
        dx, dy = x[edge_v] - ax, y[edge_v] - ay
        seg2 = dx * dx + dy * dy
        chord = np.sqrt(seg2)
        # pieces a little longer than the median edge: most edges get one sample
        piece = max(float(np.quantile(chord, 0.75)) if len(chord) else 1.0, 1.0)
        k = np.maximum(1, np.ceil(chord / piece)).astype(np.int64)
        many = k > 1
        if many.any():
            owner = np.repeat(np.arange(n_edges, dtype=np.int64), k)
            j = np.arange(len(owner)) - np.repeat(np.cumsum(k) - k, k)
            f = (j + 0.5) / k[owner]
        else:
            owner = np.arange(n_edges, dtype=np.int64)
            f = np.full(n_edges, 0.5)
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
        return cls(e, rows, start, x0, y0, cell, nx_, ny_, half)


def nearest_edges(
    grid: EdgeGrid, px: np.ndarray, py: np.ndarray, *, max_distance: float = np.inf,
    allowed: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Nearest edge of each point within ``max_distance``, exactly, by blocks of points.

    See :meth:`geo.network.WalkNetwork.nearest_edges`. ``allowed`` (a boolean per edge)
    restricts the answer to those edges: the others are looked at and passed over, so the
    same grid serves (no second index is built).
    """
    n = len(px)
    edge = np.full(n, -1, np.int64)
    dist = np.full(n, np.nan)
    if allowed is not None and not allowed.any():
        return edge, dist
    # blocks of points keep the candidate arrays small (cache-resident, no page faults)
    for a in range(0, n, _QUERY_BLOCK):
        b = min(a + _QUERY_BLOCK, n)
        edge[a:b], dist[a:b] = _nearest_in_grid(grid, px[a:b], py[a:b], max_distance,
                                                 allowed)
    return edge, dist


def _cell_of(v: np.ndarray, v0: float, cell: float, n: int) -> np.ndarray:
    """Grid column (or row) of coordinates: ``floor((v - v0) / cell)`` clipped to -1..n."""
    return np.clip(np.floor((v - v0) / cell), -1, n).astype(np.int64)


#: First search radius of a nearest-edge query beyond the sampling bound, in grid cells.
_FIRST_REACH = 0.5
#: Points per block of :meth:`WalkNetwork.nearest_edges` queries.
_QUERY_BLOCK = 8192


def _nearest_in_grid(
    grid: EdgeGrid, px: np.ndarray, py: np.ndarray, max_distance: float,
    allowed: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """:meth:`WalkNetwork.nearest_edges` for one block of points.

    Each point looks at the cells overlapping the square of half-width ``reach`` around it;
    the best distance found is the minimum once ``best + half`` is less than the distance
    from the point to the edge of those cells (``cover >= reach``). Otherwise it looks again
    with ``reach = best + half`` (just enough), or twice as far when nothing was found.
    """
    s_edge, s_rows, start = grid.edge, grid.rows, grid.start
    x0, y0, cell, nx_, ny_, half = grid.x0, grid.y0, grid.cell, grid.nx, grid.ny, grid.half
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
        if allowed is not None:
            d[~allowed[s_edge[si]]] = inf
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

