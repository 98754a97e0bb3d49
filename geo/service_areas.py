"""Service areas: the streets reachable on foot within 5/10/15 minutes of each site, as polygons.

Method (chosen over concave hulls, which bridge rivers, rail lines and blocks without access):
every network edge, or the part of it, reachable within the time budget is kept, and the
kept segments are buffered by ``buffer_m`` (default 50 m: the depth of a frontage plot) and
unioned. A partly reachable edge contributes the stretch reachable from each end:
``budget - d(u)`` from ``u`` and ``budget - d(v)`` from ``v``. The snap distance of the site
(walk from the site to the street) is taken off its budget. Results are in WGS84.
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse.csgraph import dijkstra

from core.messages import Message, Quantity
from errors import InputError, ProblemCollector, SnapError
from geo.access_points import access_points
from geo.crs import WGS84, local_metric_crs
from geo.layers import check_layer
from geo.network import WalkNetwork
from geo.reach import DEFAULT_REACH, Reach
from geo.snapping import locate_points, snap_component, snap_graph

__all__ = ["service_areas", "dissolve_service_areas", "DEFAULT_BANDS"]

#: The service-area bands drawn by default: 5, 10 and 15 minutes at 60 m/min.
DEFAULT_BANDS: tuple[Reach, ...] = DEFAULT_REACH.bands((5.0, 10.0, 15.0))


def _reached_segments(
    x: np.ndarray, y: np.ndarray, eu: np.ndarray, ev: np.ndarray, el: np.ndarray,
    du: np.ndarray, dv: np.ndarray, budget: float,
) -> np.ndarray:
    """Line pieces of the edges reachable within ``budget`` given end distances ``du, dv``."""
    ru = np.clip(budget - du, 0.0, None)  # reach into the edge from u
    rv = np.clip(budget - dv, 0.0, None)
    full = (ru + rv >= el) & ((ru > 0) | (rv > 0) | (el == 0))
    part_u = ~full & (ru > 0)
    part_v = ~full & (rv > 0)
    pieces = []
    xu, yu, xv, yv = x[eu], y[eu], x[ev], y[ev]
    if full.any():
        pieces.append(np.stack([np.column_stack([xu[full], yu[full]]),
                                np.column_stack([xv[full], yv[full]])], axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        for part, r, (ax, ay, bx, by) in ((part_u, ru, (xu, yu, xv, yv)),
                                          (part_v, rv, (xv, yv, xu, yu))):
            if part.any():
                f = np.where(el[part] > 0, r[part] / el[part], 1.0)
                a = np.column_stack([ax[part], ay[part]])
                b = a + f[:, None] * np.column_stack([bx[part] - ax[part], by[part] - ay[part]])
                pieces.append(np.stack([a, b], axis=1))
    if not pieces:
        return np.empty(0, dtype=object)
    lines: np.ndarray = shapely.linestrings(np.concatenate(pieces))
    return lines


def service_areas(
    network: WalkNetwork,
    sites: gpd.GeoDataFrame,
    *,
    reach: Reach | Sequence[Reach] = DEFAULT_BANDS,
    buffer_m: float = 50.0,
    max_snap_m: float = 200.0,
    id_col: str = "id",
    drop_unsnapped: bool = False,
    dissolve: bool = False,
) -> gpd.GeoDataFrame:
    """Reachable area of each site within each time budget, as polygons in WGS84.

    Parameters
    ----------
    network : WalkNetwork
    sites : GeoDataFrame
        Points or polygons with ``id_col`` and a CRS. Polygons reach the network at gates
        or boundary points as in :func:`geo.access.travel_times`.
    reach : Reach or sequence of Reach, default 5, 10 and 15 minutes at 60 m/min
        The time budgets and walking speed of the bands (e.g. ``Reach(15, 60).bands((5, 10,
        15))``); each band is ``reach.metres`` of walking.
    buffer_m : float, default 50.0
        Half-width of the band around reachable streets.
    max_snap_m : float, default 200.0
        Largest distance from a site to the network.
    id_col : str, default 'id'
    drop_unsnapped : bool, default False
        Leave out (and list in ``attrs['unsnapped']``) sites off the network instead of
        raising :class:`SnapError`.
    dissolve : bool, default False
        Return one polygon per budget (all sites unioned) instead of one per site and budget.

    Returns
    -------
    GeoDataFrame
        ``site_id``, ``minutes``, ``area_m2``, geometry (WGS84); with ``dissolve=True``
        ``minutes``, ``sites`` (count), ``area_m2``, geometry.
    """
    problems = ProblemCollector(source="service_areas")
    check_layer(sites, name="sites", id_col=id_col, problems=problems)
    bands = sorted({(r.minutes, r.speed_m_per_min) for r in
                    ([reach] if isinstance(reach, Reach) else reach)})
    if not bands:
        problems.add(Message("geo.service_areas.no_reach"), field="reach")
    problems.raise_if_any()
    ids = sites[id_col].to_numpy()
    ap = access_points(sites, network)
    # a site whose nearest street is a fragment also reaches the main network there, as in
    # geo.access.travel_times (geo.snapping.also_main)
    sets, owner = [(ap.x, ap.y, ap.node)], ap.owner
    if network.n_components > 1:
        snap = locate_points(network, ap.x, ap.y, ap.node, max_snap_m=max_snap_m)
        frag = np.flatnonzero(snap_component(network, snap) > 0)
        sets.append((ap.x[frag], ap.y[frag], np.full(len(frag), -1, np.int64)))
        owner = np.concatenate([ap.owner, ap.owner[frag]])
    sg = snap_graph(network, sets, max_snap_m=max_snap_m, main_only=[False, True][:len(sets)])
    node, off = np.concatenate(sg.node), np.concatenate(sg.offset)
    ok = node >= 0
    reached = np.zeros(len(sites), dtype=bool)
    reached[owner[ok]] = True
    lost = ids[~reached].tolist()
    if lost and not drop_unsnapped:
        raise SnapError([Message("geo.service_areas.unsnapped", {
            "n": len(lost), "max_snap": Quantity(max_snap_m, "metres"), "ids": lost})],
            source="service_areas")
    max_m = max(m * v for m, v in bands)
    rows = []
    owners, nodes, offs = owner[ok], node[ok], off[ok]
    for s in np.unique(owners):
        sel = owners == s
        # one multi-source search per site: start offsets via a virtual super-source would
        # need graph edits; searching each access node and taking the min is exact too
        dist = dijkstra(sg.graph, directed=True, indices=nodes[sel], limit=max_m)
        dist = np.min(dist + offs[sel][:, None], axis=0)
        du, dv = dist[sg.edge_u], dist[sg.edge_v]
        near = (du <= max_m) | (dv <= max_m)
        eu, ev, el = sg.edge_u[near], sg.edge_v[near], sg.edge_length[near]
        du, dv = du[near], dv[near]
        for m, v in bands:
            segs = _reached_segments(sg.x, sg.y, eu, ev, el, du, dv, m * v)
            geom = (shapely.union_all(shapely.buffer(segs, buffer_m)) if len(segs)
                    else shapely.Polygon())
            rows.append({"site_id": ids[s], "minutes": m, "geometry": geom})
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs=network.crs) if rows else \
        gpd.GeoDataFrame({"site_id": [], "minutes": []}, geometry=[], crs=network.crs)
    gdf["area_m2"] = gdf.geometry.area
    gdf = gdf[["site_id", "minutes", "area_m2", "geometry"]]
    if dissolve:
        gdf = dissolve_service_areas(gdf, crs_metric=True)
    out = gdf.to_crs(WGS84)
    out.attrs.update({"method": f"reachable street segments buffered {buffer_m} m",
                      "speed_m_per_min": bands[0][1] if len({v for _, v in bands}) == 1
                      else [v for _, v in bands], "unsnapped": lost})
    return out


def dissolve_service_areas(
    areas: gpd.GeoDataFrame, *, crs_metric: bool = False
) -> gpd.GeoDataFrame:
    """Union per-site service areas into one polygon per time budget.

    Parameters
    ----------
    areas : GeoDataFrame
        Output of :func:`service_areas` (``site_id``, ``minutes``, geometry).
    crs_metric : bool, default False
        ``areas`` is already in a metric CRS (areas are measured in it); otherwise it is
        projected to its UTM zone to measure ``area_m2``.
    """
    if "minutes" not in areas.columns:
        raise InputError([Message("geo.service_areas.no_minutes")])
    work = areas
    if not crs_metric:
        work = areas.to_crs(local_metric_crs(areas))
    rows = []
    for m, grp in work.groupby("minutes", sort=True):
        geom = shapely.union_all(np.asarray(grp.geometry.values))
        rows.append({"minutes": m, "sites": int(len(grp)), "area_m2": float(geom.area),
                     "geometry": geom})
    out = gpd.GeoDataFrame(pd.DataFrame(rows), geometry="geometry", crs=work.crs)
    return out.to_crs(areas.crs)
