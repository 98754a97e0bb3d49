"""Where features meet the walking network: gates, boundary points and points.

- A point feature reaches the network at the nearest point of the nearest edge (not the
  nearest node) within ``max_snap_m`` (see :mod:`geo.snapping`).
- A polygon (residential area) reaches the network at its gates: network nodes tagged
  ``entrance=*`` / ``barrier=gate`` within ``gate_tolerance_m`` of its boundary (walked
  distance 0). Lacking gates on the main network (component 0; gates on street fragments
  are kept as access points too), at points sampled along its boundary every
  ``boundary_spacing_m`` metres, each snapped as a point. The walk from inside the polygon to
  its boundary is not counted.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely

from geo.network import WalkNetwork

__all__ = ["AccessPoints", "access_points", "boundary_points"]


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
                # gates on a street fragment do not stand for the polygon's way out: it is
                # also sampled along its boundary unless a gate is on the main network
                main_gate = network.component[network.gates[pairs[1]]] == 0
                with_gates[owner[main_gate]] = True
                owners.append(owner)
                xs.append(gx[pairs[1]])
                ys.append(gy[pairs[1]])
                nodes.append(network.gates[pairs[1]])
                kinds.append(np.full(len(owner), "gate", dtype=object))
        rest = other[~with_gates[other]]
        if len(rest):
            own_local, c = boundary_points(geoms[rest], boundary_spacing_m)
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


def boundary_points(geoms: np.ndarray, spacing: float) -> tuple[np.ndarray, np.ndarray]:
    """Points every ``spacing`` metres (centred in equal steps) along each feature's outline.

    The outline is the rings of polygons (exterior then holes) or the lines, all parts taken as
    one path; a feature without line work (e.g. a collection of points) gets one point on its
    surface.

    Parameters
    ----------
    geoms : ndarray of shapely geometries
        The features, in a metric CRS.
    spacing : float
        Spacing of the points, metres.

    Returns
    -------
    owner : ndarray of int
        Position of the feature of each point.
    xy : ndarray of float, shape (points, 2)
        Coordinates of the points.
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

