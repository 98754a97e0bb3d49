"""Walking travel times between origins and destinations, within a reach.

An origin's time to a destination is the minimum over its access points and theirs
(:mod:`geo.access_points`), snapped onto the network (:mod:`geo.snapping`) and searched with a
cutoff (:mod:`geo.search`). Without a network, straight-line distance is a declared fallback.
"""

from __future__ import annotations

import time
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from core.messages import Message, Quantity
from errors import InputError, NetworkError, ProblemCollector, SnapError
from geo.access_points import AccessPoints, access_points
from geo.crs import local_metric_crs
from geo.layers import check_layer
from geo.network import WalkNetwork
from geo.reach import DEFAULT_REACH, Reach
from geo.search import search_pairs
from geo.snapping import Snap, also_main, locate_points, located, snap_component
from geo.unreached import straight_line_records, unreached_records

__all__ = ["travel_times"]

#: Graphs larger than this are searched tile by tile (see :mod:`geo.search`).
_LOCALIZE_NODES = 20_000


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
        :mod:`geo.search`). Default: when the graph has more than 20,000 nodes.

    Returns
    -------
    DataFrame
        ``origin_id``, ``destination_id``, ``minutes``, ``distance_m``, sorted by origin then
        destination (input order). ``attrs``: ``method`` ('network' | 'straight-line'),
        ``minutes``, ``speed_m_per_min``, ``unsnapped`` ({'origins': [...],
        'destinations': [...]}), ``unreached`` (every origin with no destination in reach
        and every destination no origin reaches, with the reason: see
        :mod:`geo.unreached`), ``access_points``, ``searched_from``.

    Notes
    -----
    The network may be in pieces (real extracts are): features reach each other within the
    fragment they are on; a feature whose nearest street is a fragment also reaches the main
    network at its nearest edge there, when within ``max_snap_m``.
    """
    problems = ProblemCollector(source="travel_times")
    check_layer(origins, name="origins", id_col=id_col, problems=problems)
    check_layer(destinations, name="destinations", id_col=id_col, problems=problems)
    problems.raise_if_any()
    cutoff_m = reach.metres
    attrs: dict[str, Any] = {"minutes": reach.minutes, "speed_m_per_min": reach.speed_m_per_min,
                             "cutoff_m": cutoff_m, "unsnapped": {"origins": [],
                                                                 "destinations": []}}
    if network is None:
        if not fallback:
            raise NetworkError(Message("geo.travel.no_network"))
        res = _straight_line(origins, destinations, cutoff_m=cutoff_m)
        attrs["method"] = "straight-line"
        attrs["unreached"] = straight_line_records(
            (origins[id_col].to_numpy(), destinations[id_col].to_numpy()),
            _in_pairs(res, len(origins), len(destinations)), minutes=reach.minutes)
    else:
        res = _network_pairs(network, origins, destinations, id_col=id_col, cutoff_m=cutoff_m,
                             max_snap_m=max_snap_m, boundary_spacing_m=boundary_spacing_m,
                             gate_tolerance_m=gate_tolerance_m, drop_unsnapped=drop_unsnapped,
                             chunk_bytes=chunk_bytes, localize=localize, attrs=attrs,
                             minutes=reach.minutes)
    return _pairs_table(res, origins[id_col].to_numpy(), destinations[id_col].to_numpy(),
                        reach=reach, attrs=attrs)


def _network_pairs(
    network: WalkNetwork, origins: gpd.GeoDataFrame, destinations: gpd.GeoDataFrame, *,
    id_col: str, cutoff_m: float, max_snap_m: float, boundary_spacing_m: float,
    gate_tolerance_m: float, drop_unsnapped: bool, chunk_bytes: int, localize: bool | None,
    attrs: dict[str, Any], minutes: float,
) -> pd.DataFrame:
    """Owner pairs (``src`` origin, ``tgt`` destination) within ``cutoff_m`` on the network.

    Records in ``attrs`` the unsnapped features, the access points used, the timings, the
    search kind and the side searched from (see :func:`travel_times`).
    """
    o_ids = origins[id_col].to_numpy()
    d_ids = destinations[id_col].to_numpy()
    clock = time.perf_counter()
    o_ap = access_points(origins, network, boundary_spacing_m=boundary_spacing_m,
                         gate_tolerance_m=gate_tolerance_m)
    d_ap = access_points(destinations, network, boundary_spacing_m=boundary_spacing_m,
                         gate_tolerance_m=gate_tolerance_m)
    timings = {"access_points_s": time.perf_counter() - clock}
    clock = time.perf_counter()
    snaps = []
    for ap in (o_ap, d_ap):
        snaps.append(locate_points(network, ap.x, ap.y, ap.node, max_snap_m=max_snap_m))
    timings["snap_s"] = time.perf_counter() - clock
    bad = ProblemCollector(source="travel_times", error=SnapError)
    nearest: list[dict[int, float]] = []
    for side, ap, snap, ids in (("origins", o_ap, snaps[0], o_ids),
                                ("destinations", d_ap, snaps[1], d_ids)):
        lost, near = _unsnapped(network, ap, snap, ids, side=side, max_snap_m=max_snap_m,
                                bad=bad)
        nearest.append(near)
        if len(lost):
            attrs["unsnapped"][side] = lost
    if bad and not drop_unsnapped:
        bad.raise_if_any()
    attrs["access_points"] = {
        side: {str(k): int(v) for k, v in zip(*np.unique(
            ap.kind[snap.reached].astype(str), return_counts=True), strict=True)}
        for side, ap, snap in (("origins", o_ap, snaps[0]), ("destinations", d_ap, snaps[1]))
    }
    # on a fragment, also the way onto the main network (see geo.snapping.also_main)
    o_ap, snaps[0] = also_main(network, o_ap, snaps[0], max_snap_m=max_snap_m)
    d_ap, snaps[1] = also_main(network, d_ap, snaps[1], max_snap_m=max_snap_m)
    o_loc = located(network, o_ap, snaps[0])
    d_loc = located(network, d_ap, snaps[1])
    from_origins = o_loc.n_locations() <= d_loc.n_locations()
    src, tgt = (o_loc, d_loc) if from_origins else (d_loc, o_loc)
    use_tiles = localize if localize is not None else network.n_nodes > _LOCALIZE_NODES
    detour = network.min_detour
    window_m = (cutoff_m / detour * (1 + 1e-9) + 1e-6 if detour > 0 else np.inf) \
        if use_tiles else None
    clock = time.perf_counter()
    res = search_pairs(network, src, tgt, cutoff_m=cutoff_m, chunk_bytes=chunk_bytes,
                       reach_m=window_m)
    timings["search_s"] = time.perf_counter() - clock
    attrs["timings"] = timings
    attrs["search"] = "tiled" if window_m is not None and np.isfinite(window_m) else "global"
    if not from_origins:
        res = res.rename(columns={"src": "tgt", "tgt": "src"})
    attrs["searched_from"] = "origins" if from_origins else "destinations"
    attrs["method"] = "network"
    comps = [snap_component(network, snap) for snap in snaps]
    reached = [snap.reached for snap in snaps]
    attrs["unreached"] = unreached_records(
        network, (o_ap.owner[reached[0]], d_ap.owner[reached[1]]),
        (comps[0][reached[0]], comps[1][reached[1]]), (o_ids, d_ids),
        _in_pairs(res, len(o_ids), len(d_ids)), (nearest[0], nearest[1]),
        minutes=minutes, max_snap_m=max_snap_m)
    return res


def _in_pairs(res: pd.DataFrame, n_src: int, n_tgt: int) -> tuple[np.ndarray, np.ndarray]:
    """Whether each origin and each destination is in at least one pair (``src``/``tgt``)."""
    a = np.zeros(n_src, dtype=bool)
    b = np.zeros(n_tgt, dtype=bool)
    a[res["src"].to_numpy(np.int64)] = True
    b[res["tgt"].to_numpy(np.int64)] = True
    return a, b


def _unsnapped(
    network: WalkNetwork, ap: AccessPoints, snap: Snap, ids: np.ndarray, *, side: str,
    max_snap_m: float, bad: ProblemCollector,
) -> tuple[list[Any], dict[int, float]]:
    """Ids of the features none of whose access points reach the network.

    Each is recorded in ``bad`` with the distance to its nearest way; that distance is also
    returned by row position.
    """
    ok_owner = np.zeros(len(ids), dtype=bool)
    ok_owner[ap.owner[snap.reached]] = True
    lost = np.flatnonzero(~ok_owner)
    if not len(lost):
        return [], {}
    near = _nearest_road_m(network, ap.x, ap.y)
    best = pd.Series(near).groupby(ap.owner).min()
    detail = [Message("geo.travel.nearest_way", {
        "id": ids[i], "distance": Quantity(best.get(i, np.nan), "metres", 0)}) for i in lost]
    bad.add(Message("geo.travel.unsnapped", {
        "n": len(lost), "max_snap": Quantity(max_snap_m, "metres"), "detail": detail}),
        source=side, rows=ids[lost].tolist())
    lost_ids: list[Any] = ids[lost].tolist()
    return lost_ids, {int(i): float(best.get(i, np.nan)) for i in lost}


def _pairs_table(
    res: pd.DataFrame, o_ids: np.ndarray, d_ids: np.ndarray, *, reach: Reach,
    attrs: dict[str, Any],
) -> pd.DataFrame:
    """The owner pairs as ids and minutes, sorted by origin then destination."""
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
        raise InputError([Message("geo.travel.straight_line_shapes")])
    lists = cKDTree(b).query_ball_point(a, cutoff_m)
    counts = np.fromiter((len(x) for x in lists), dtype=np.int64, count=len(lists))
    src = np.repeat(np.arange(len(a)), counts)
    tgt = np.fromiter((j for x in lists for j in x), dtype=np.int64, count=int(counts.sum()))
    dist = np.hypot(*(a[src] - b[tgt]).T)
    return pd.DataFrame({"src": src, "tgt": tgt, "distance_m": dist})

