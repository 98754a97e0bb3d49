"""Travel times: exact agreement with networkx, hand-derived access points, bad inputs."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
import shapely
from scipy.spatial import Delaunay

from errors import CRSError, InputError, NetworkError, SnapError
from geo.access import travel_times
from geo.access_points import access_points
from geo.network import WalkNetwork
from geo.reach import Reach
from geo.unreached import unreached_frame

UTM = "EPSG:32650"
X0, Y0 = 500000.0, 3500000.0


def _grid(n: int = 3, step: float = 100.0, gates: list[tuple[float, float]] = ()) -> WalkNetwork:
    """n×n grid at (X0, Y0) with optional extra gate nodes inserted on edges."""
    xs, ys = np.meshgrid(np.arange(n) * step, np.arange(n) * step)
    x, y = list(xs.ravel() + X0), list(ys.ravel() + Y0)
    edges = []
    for i in range(n):
        for j in range(n):
            k = i * n + j
            if j + 1 < n:
                edges.append((k, k + 1))
            if i + 1 < n:
                edges.append((k, k + n))
    gate_idx = []
    for gx, gy in gates:  # split the edge the gate lies on
        p = shapely.Point(gx + X0, gy + Y0)
        for e, (a, b) in enumerate(edges):
            if shapely.LineString([(x[a], y[a]), (x[b], y[b])]).distance(p) < 1e-9:
                g = len(x)
                x.append(p.x)
                y.append(p.y)
                edges[e] = (a, g)
                edges.append((g, b))
                gate_idx.append(g)
                break
    e = np.array(edges)
    return WalkNetwork.from_arrays(np.array(x), np.array(y), e[:, 0], e[:, 1], crs=UTM,
                                   gates=np.array(gate_idx, dtype=np.int64))


def _gdf(ids: list, geoms: list, crs: str = UTM) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"id": ids}, geometry=geoms, crs=crs)


def _pt(x: float, y: float) -> shapely.Point:
    return shapely.Point(X0 + x, Y0 + y)


def _box(a: float, b: float, c: float, d: float) -> shapely.Polygon:
    return shapely.box(X0 + a, Y0 + b, X0 + c, Y0 + d)


# --------------------------------------------------------------- hand-derived cases


def test_point_snaps_to_edge_and_walks_both_ways() -> None:
    net = _grid()
    # origin 20 m off the edge x=100 at y=50: walks 20 m, then 50 m down to (100, 0)
    o = _gdf(["o"], [_pt(80, 50)])
    d = _gdf(["a", "b"], [_pt(200, 0), _pt(100, 200)])
    r = travel_times(net, o, d, reach=Reach(15, 60), max_snap_m=50)
    got = dict(zip(r["destination_id"], r["distance_m"], strict=True))
    assert got == pytest.approx({"a": 20 + 50 + 100, "b": 20 + 150})
    assert r["minutes"].tolist() == pytest.approx([170 / 60, 170 / 60])
    assert r.attrs["method"] == "network"
    # cutoff is inclusive: 170 m at 10 m/min = 17 min
    r2 = travel_times(net, o, d, reach=Reach(17, 10), max_snap_m=50)
    assert len(r2) == 2
    r3 = travel_times(net, o, d, reach=Reach(16.99, 10), max_snap_m=50)
    assert len(r3) == 0


def test_two_points_on_the_same_edge() -> None:
    net = _grid()
    o = _gdf(["o"], [_pt(110, 30)])  # snaps to (100, 30), 10 m
    d = _gdf(["d"], [_pt(95, 70)])  # snaps to (100, 70), 5 m
    r = travel_times(net, o, d, reach=Reach(15), max_snap_m=50)
    assert r["distance_m"].tolist() == pytest.approx([10 + 40 + 5])


def test_polygon_boundary_points_versus_gate() -> None:
    # residential area: box (20,20)-(90,80) inside the grid cell (0,0)-(100,100)
    area = _box(20, 20, 90, 80)
    dest = _gdf(["site"], [_pt(200, 0)])
    # no gate: perimeter 260 m, spacing 75 → 4 points at 32.5, 97.5, 162.5, 227.5 m along
    # the ring (starting at (90,20) going up): best is (90,52.5) → 10 m to (100,52.5), then
    # 52.5 + 100 m, or (57.5,20) → 20 m to (57.5,0), then 142.5 m: both 162.5 m
    net = _grid()
    ap = access_points(_gdf(["r"], [area]), net, boundary_spacing_m=75)
    assert len(ap) == 4 and set(ap.kind) == {"boundary"}
    r = travel_times(net, _gdf(["r"], [area]), dest, reach=Reach(15), max_snap_m=50)
    assert r["distance_m"].tolist() == pytest.approx([162.5])
    assert r.attrs["access_points"]["origins"] == {"boundary": 4}
    # a gate at (100, 50), 10 m from the east side: the only access point, walked distance 0
    gated = _grid(gates=[(100, 50)])
    ap = access_points(_gdf(["r"], [area]), gated, gate_tolerance_m=15)
    assert ap.kind.tolist() == ["gate"]
    r = travel_times(gated, _gdf(["r"], [area]), dest, reach=Reach(15), max_snap_m=50)
    assert r["distance_m"].tolist() == pytest.approx([50 + 100])
    # the gate is too far with a 5 m tolerance: back to boundary points
    ap = access_points(_gdf(["r"], [area]), gated, gate_tolerance_m=5)
    assert set(ap.kind) == {"boundary"}


def test_speed_parameter_and_search_side_do_not_change_results() -> None:
    net = _grid(5)
    rng = np.random.default_rng(3)
    pts = [_pt(*xy) for xy in rng.uniform(0, 400, size=(30, 2))]
    o = _gdf([f"o{i}" for i in range(25)], pts[:25])
    d = _gdf([f"d{i}" for i in range(5)], pts[25:])
    a = travel_times(net, o, d, reach=Reach(10, 40), max_snap_m=60)
    b = travel_times(net, d, o, reach=Reach(10, 40), max_snap_m=60)
    assert a.attrs["searched_from"] == "destinations"
    assert b.attrs["searched_from"] == "origins"
    fa = {(x, y): m for x, y, m in zip(a.origin_id, a.destination_id, a.minutes, strict=True)}
    fb = {(y, x): m for x, y, m in zip(b.origin_id, b.destination_id, b.minutes, strict=True)}
    assert fa.keys() == fb.keys() and len(fa) > 20
    assert all(fa[k] == pytest.approx(fb[k], abs=1e-9) for k in fa)
    assert a["minutes"].max() <= 10


def test_straight_line_fallback_is_declared() -> None:
    o = _gdf(["o"], [_pt(0, 0)])
    d = _gdf(["a", "b"], [_pt(300, 400), _pt(900, 0)])
    with pytest.raises(NetworkError, match="no walking network"):
        travel_times(None, o, d)
    r = travel_times(None, o, d, reach=Reach(10, 60), fallback=True)
    assert r.attrs["method"] == "straight-line"
    assert r["destination_id"].tolist() == ["a"]
    assert r["minutes"].tolist() == pytest.approx([500 / 60])


# --------------------------------------------------------------- bad cases


def test_points_far_from_any_road_are_reported_with_ids() -> None:
    net = _grid()
    o = _gdf(["near", "far1", "far2"], [_pt(50, 10), _pt(5000, 5000), _pt(-900, 0)])
    d = _gdf(["s"], [_pt(200, 200)])
    with pytest.raises(SnapError) as exc:
        travel_times(net, o, d, max_snap_m=100)
    msg = str(exc.value)
    assert "far1" in msg and "far2" in msg and "near" not in msg.split("nearest way")[-1][:8]
    assert "900 m" in msg  # distance of far2 to the nearest way
    r = travel_times(net, o, d, max_snap_m=100, drop_unsnapped=True)
    assert r.attrs["unsnapped"] == {"origins": ["far1", "far2"], "destinations": []}
    assert r["origin_id"].tolist() == ["near"]


def test_empty_area_layer_and_missing_crs_and_duplicates() -> None:
    net = _grid()
    empty = _gdf([], [])
    d = _gdf(["s"], [_pt(0, 0)])
    with pytest.raises(InputError, match="origins.*empty"):
        travel_times(net, empty, d)
    with pytest.raises(CRSError, match="no CRS"):
        travel_times(net, d.set_crs(None, allow_override=True), d)
    dup = _gdf(["x", "x"], [_pt(0, 0), _pt(10, 0)])
    with pytest.raises(InputError, match="duplicate ids"):
        travel_times(net, dup, d)


# --------------------------------------------------------------- agreement with networkx


def _random_network(seed: int, n: int = 300, low: float = 1.0) -> WalkNetwork:
    rng = np.random.default_rng(seed)
    x, y = rng.uniform(0, 2500, n) + X0, rng.uniform(0, 2500, n) + Y0
    tri = Delaunay(np.column_stack([x, y]))
    e = np.sort(np.concatenate([tri.simplices[:, [0, 1]], tri.simplices[:, [1, 2]],
                                tri.simplices[:, [0, 2]]]), axis=1)
    e = np.unique(e, axis=0)
    e = e[rng.random(len(e)) < 0.55]  # remove edges: irregular, several components
    # lengths with detours (>= straight line), as real streets
    length = np.hypot(x[e[:, 0]] - x[e[:, 1]], y[e[:, 0]] - y[e[:, 1]]) * rng.uniform(low, 1.3,
                                                                                         len(e))
    return WalkNetwork.from_arrays(x, y, e[:, 0], e[:, 1], length, crs=UTM, keep_fragments=True)


def _nx_pairs(g: nx.Graph, sources: dict, targets: dict, cutoff: float) -> dict:
    """Plain networkx reference: one cutoff Dijkstra per source, sources/targets = {id: node}."""
    out = {}
    for sid, s in sources.items():
        dist = nx.single_source_dijkstra_path_length(g, s, cutoff=cutoff, weight="length")
        for tid, t in targets.items():
            if t in dist:
                out[(sid, tid)] = dist[t]
    return out


@pytest.mark.parametrize(("seed", "localize"), [(0, False), (1, False), (2, True), (3, True),
                                             (4, True)])
def test_agrees_with_networkx_on_nodes(seed: int, localize: bool) -> None:
    # seed 4: some edges shorter than their chord, which widens the tiled search window
    net = _random_network(seed, low=0.6 if seed == 4 else 1.0)
    assert net.min_detour == (1.0 if seed != 4 else pytest.approx(0.6, abs=0.01))
    rng = np.random.default_rng(100 + seed)
    linked = np.unique(np.concatenate([net.edge_u, net.edge_v]))  # skip isolated nodes
    oi = rng.choice(linked, 60, replace=False)
    di = rng.choice(linked, 15, replace=False)
    o = _gdf([f"o{i}" for i in oi], list(shapely.points(net.x[oi], net.y[oi])))
    d = _gdf([f"d{i}" for i in di], list(shapely.points(net.x[di], net.y[di])))
    r = travel_times(net, o, d, reach=Reach(12, 60), max_snap_m=1, localize=localize)
    assert r.attrs["search"] == ("tiled" if localize else "global")
    ref = _nx_pairs(net.to_networkx(), {f"o{i}": i for i in oi}, {f"d{i}": i for i in di}, 720)
    got = {(a, b): m for a, b, m in zip(r.origin_id, r.destination_id, r.distance_m,
                                        strict=True)}
    assert got.keys() == ref.keys() and len(ref) > 0
    assert all(got[k] == pytest.approx(ref[k], abs=1e-9) for k in ref)


@pytest.mark.parametrize("seed", [5, 6])
def test_agrees_with_networkx_off_nodes(seed: int) -> None:
    """Points between nodes: the reference splits the nearest edge by brute force."""
    net = _random_network(seed, n=200)
    rng = np.random.default_rng(seed)
    pts = rng.uniform(0, 2500, size=(40, 2)) + [X0, Y0]
    g = net.to_networkx()
    lines = net.edge_lines()
    node_of: dict[int, object] = {}
    offset: dict[int, float] = {}
    for k, (px, py) in enumerate(pts):
        p = shapely.Point(px, py)
        dist = shapely.distance(lines, p)
        e = int(np.argmin(dist))
        if dist[e] > 150:
            continue
        u, v, length = int(net.edge_u[e]), int(net.edge_v[e]), float(net.edge_length[e])
        t = lines[e].project(p) / lines[e].length
        pos = t * length
        # the edge may already be split by an earlier point: split the current piece
        name = ("p", k)
        pieces = [(a, b) for a, b in [(u, v)] if g.has_edge(a, b)]
        if not pieces:  # find the piece of (u, v) containing pos via stored positions
            chain = sorted([(0.0, u), (length, v)] + [
                (pp, nn) for nn, (ee, pp) in g.graph.get("split", {}).items() if ee == e])
            for (p0, a), (p1, b) in zip(chain, chain[1:], strict=False):
                if p0 <= pos <= p1:
                    pieces = [(a, b)]
                    break
        a, b = pieces[0]
        chain = sorted([(0.0, u), (length, v)] + [
            (pp, nn) for nn, (ee, pp) in g.graph.get("split", {}).items() if ee == e])
        pa = next(pp for pp, nn in chain if nn == a)
        pb = next(pp for pp, nn in chain if nn == b)
        g.remove_edge(a, b)
        g.add_edge(a, name, length=pos - pa)
        g.add_edge(name, b, length=pb - pos)
        g.graph.setdefault("split", {})[name] = (e, pos)
        node_of[k] = name
        offset[k] = float(dist[e])
    o_keys = [k for k in node_of if k < 30]
    d_keys = [k for k in node_of if k >= 30]
    o = _gdf([f"o{k}" for k in o_keys], [shapely.Point(*pts[k]) for k in o_keys])
    d = _gdf([f"d{k}" for k in d_keys], [shapely.Point(*pts[k]) for k in d_keys])
    cutoff = 900.0
    r = travel_times(net, o, d, reach=Reach(15, 60), max_snap_m=150,
                     localize=seed % 2 == 0)
    ref = {}
    for k in o_keys:
        dist = nx.single_source_dijkstra_path_length(g, node_of[k], weight="length")
        for j in d_keys:
            if node_of[j] in dist:
                total = offset[k] + dist[node_of[j]] + offset[j]
                if total <= cutoff:
                    ref[(f"o{k}", f"d{j}")] = total
    got = {(a, b): m for a, b, m in zip(r.origin_id, r.destination_id, r.distance_m,
                                        strict=True)}
    assert got.keys() == ref.keys() and len(ref) > 0
    assert all(got[k] == pytest.approx(ref[k], abs=1e-6) for k in ref)


@pytest.mark.realdata
def test_agrees_with_networkx_on_nanjing(nanjing_osm: Path) -> None:
    """Exact on the main network; with the fragments kept, never a pair or metre less."""
    core = shapely.box(118.770, 32.036, 118.795, 32.051)
    net = WalkNetwork.from_osm_file(nanjing_osm, clip=core, margin_m=300, keep_fragments=False)
    rng = np.random.default_rng(7)
    oi = rng.choice(net.n_nodes, 200, replace=False)
    di = rng.choice(net.n_nodes, 40, replace=False)
    o = _gdf([f"o{i}" for i in oi], list(shapely.points(net.x[oi], net.y[oi])), crs=net.crs)
    d = _gdf([f"d{i}" for i in di], list(shapely.points(net.x[di], net.y[di])), crs=net.crs)
    r = travel_times(net, o.to_crs(4326), d.to_crs(4326), reach=Reach(15), max_snap_m=5,
                     localize=True)
    ref = _nx_pairs(net.to_networkx(), {f"o{i}": i for i in oi}, {f"d{i}": i for i in di}, 900)
    got = {(a, b): m for a, b, m in zip(r.origin_id, r.destination_id, r.distance_m,
                                        strict=True)}
    assert len(ref) > 500
    assert got.keys() == ref.keys()
    # WGS84 round trip moves points by ~1e-9 m: well inside the tolerance
    assert all(got[k] == pytest.approx(ref[k], abs=1e-6) for k in ref)
    full = WalkNetwork.from_osm_file(nanjing_osm, clip=core, margin_m=300)
    assert full.n_components > 1
    r = travel_times(full, o.to_crs(4326), d.to_crs(4326), reach=Reach(15), max_snap_m=5,
                     localize=True)
    more = {(a, b): m for a, b, m in zip(r.origin_id, r.destination_id, r.distance_m,
                                         strict=True)}
    assert all(more[k] <= ref[k] + 1e-6 for k in ref)


@pytest.mark.parametrize("seed", [7, 8])
def test_polygons_tiled_equals_global_from_either_side(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Areas with many boundary points spread over several tiles, points inside edges on both
    sides, both search directions: the tiled search must give the global one's pairs."""
    import geo.search

    monkeypatch.setattr(geo.search, "_TILE_SOURCES", 1.0)  # many small tiles
    net = _random_network(seed, n=400)
    rng = np.random.default_rng(seed)
    c = rng.uniform(100, 2400, size=(60, 2)) + [X0, Y0]
    w = rng.uniform(40, 300, size=(60, 2))
    areas = _gdf([f"a{i}" for i in range(60)],
                 list(shapely.box(*(c - w / 2).T, *(c + w / 2).T)))
    p = rng.uniform(0, 2500, size=(25, 2)) + [X0, Y0]
    sites = _gdf([f"s{i}" for i in range(25)], list(shapely.points(p)))
    q = rng.uniform(0, 2500, size=(600, 2)) + [X0, Y0]
    many = _gdf([f"m{i}" for i in range(600)], list(shapely.points(q)))
    few = areas.iloc[:6]  # ~100 boundary points, searched from: owners span several tiles
    for o, d, side in ((areas, sites, "destinations"), (sites, areas, "origins"),
                       (few, many, "origins")):
        ref = travel_times(net, o, d, max_snap_m=400, localize=False, drop_unsnapped=True)
        got = travel_times(net, o, d, max_snap_m=400, localize=True, drop_unsnapped=True)
        assert ref.attrs["searched_from"] == got.attrs["searched_from"] == side
        assert got.attrs["search"] == "tiled" and len(ref) > 100
        assert got[["origin_id", "destination_id"]].equals(ref[["origin_id", "destination_id"]])
        np.testing.assert_allclose(got.distance_m, ref.distance_m, rtol=0, atol=1e-9)


def test_boundary_points_match_shapely_interpolation() -> None:
    from geo.access_points import boundary_points

    rng = np.random.default_rng(3)
    geoms = []
    for i in range(120):
        cx, cy = rng.uniform(0, 1000, 2)
        g = shapely.Point(cx, cy).buffer(rng.uniform(20, 200), quad_segs=int(rng.integers(1, 8)))
        if i % 3 == 0:
            g = g.difference(shapely.Point(cx, cy).buffer(10))  # a hole
        if i % 5 == 0:
            g = shapely.MultiPolygon([g, shapely.box(cx + 300, cy, cx + 350, cy + 40)])
        if i % 7 == 0:
            g = shapely.LineString(rng.uniform(0, 1000, (5, 2)))
        if i % 11 == 0:
            g = shapely.MultiLineString([rng.uniform(0, 1000, (3, 2)),
                                         rng.uniform(0, 1000, (4, 2))])
        geoms.append(g)
    geoms = np.array(geoms, dtype=object)
    own, xy = boundary_points(geoms, 75.0)
    # reference: shapely's interpolation along the boundary (or the line) as one path
    bnd = shapely.boundary(geoms)
    is_line = np.isin(shapely.get_type_id(geoms), (1, 5))
    bnd[is_line] = geoms[is_line]
    count = np.maximum(1, np.ceil(shapely.length(bnd) / 75.0)).astype(int)
    ref_own = np.repeat(np.arange(len(geoms)), count)
    k = np.arange(len(ref_own)) - np.repeat(np.cumsum(count) - count, count)
    ref = shapely.get_coordinates(shapely.line_interpolate_point(
        bnd[ref_own], (k + 0.5) / count[ref_own], normalized=True))
    assert own.tolist() == ref_own.tolist()
    np.testing.assert_allclose(xy, ref, rtol=0, atol=1e-6)


@pytest.mark.realdata
def test_real_residential_areas_to_the_real_kindergarten_in_beijing(beijing_osm: Path) -> None:
    """The BUPT export's own features: its three landuse=residential polygons and the
    北京邮电大学幼儿园 (amenity=childcare), read with GDAL's OSM driver, walked on the
    export's own streets. A walk is never shorter than the straight line between the
    polygon and the kindergarten."""
    import geopandas as gpd

    polys = gpd.read_file(beijing_osm, layer="multipolygons")
    areas = polys[polys["landuse"] == "residential"][["osm_way_id", "geometry"]]
    kg = polys[polys["amenity"] == "childcare"][["osm_way_id", "name", "geometry"]]
    assert len(areas) == 3 and kg["name"].tolist() == ["北京邮电大学幼儿园"]
    areas = areas.rename(columns={"osm_way_id": "id"}).reset_index(drop=True)
    kg = kg.rename(columns={"osm_way_id": "id"}).reset_index(drop=True)
    net = WalkNetwork.from_osm_file(beijing_osm,
                                    clip=shapely.box(116.3489, 39.9567, 116.3552, 39.9638))
    r = travel_times(net, areas, kg, reach=Reach(30, 60.0))
    assert r.attrs["method"] == "network" and len(r) == 3
    metric = net.crs
    straight = {a: g.distance(kg.to_crs(metric).geometry.iloc[0])
                for a, g in zip(areas["id"], areas.to_crs(metric).geometry, strict=True)}
    for a, dist in zip(r.origin_id, r.distance_m, strict=True):
        assert dist >= straight[a] - 1e-6
    np.testing.assert_allclose(r.minutes, r.distance_m / 60.0)
    # the three compounds lie within a few hundred metres of the kindergarten
    assert r.minutes.max() < 15


# --------------------------------------------------------------- fragments of real extracts


def _grid_and_fragments() -> WalkNetwork:
    """The 3×3 grid (100 m) and two fragments not connected to it.

    Fragment A: (1000, 0)-(1030, 0)-(1060, 0), 2 edges, 60 m.
    Fragment B: (2000, 0)-(2050, 0)-(2050, 40), 2 edges, 90 m.
    """
    g = _grid()
    x = np.concatenate([g.x, X0 + np.array([1000.0, 1030, 1060, 2000, 2050, 2050])])
    y = np.concatenate([g.y, Y0 + np.array([0.0, 0, 0, 0, 0, 40])])
    n = g.n_nodes
    u = np.concatenate([g.edge_u, [n, n + 1, n + 3, n + 4]])
    v = np.concatenate([g.edge_v, [n + 1, n + 2, n + 4, n + 5]])
    return WalkNetwork.from_arrays(x, y, u, v, crs=UTM)


def test_fragments_are_kept_and_numbered_by_size() -> None:
    net = _grid_and_fragments()
    assert net.n_nodes == 15 and net.n_components == 3
    assert net.component.tolist() == [0] * 9 + [1] * 3 + [2] * 3
    edges, length = net.component_edges()
    assert edges.tolist() == [12, 2, 2] and length.tolist() == pytest.approx([1200, 60, 90])
    assert net.info["fragments"]["fragment_edges"] == 4
    assert net.info["fragments"]["fragment_length_m"] == pytest.approx(150.0)


def test_area_and_site_on_one_fragment_reach_each_other() -> None:
    """a1 and s1 stand 5 m off both ends of fragment A: 5 + 60 + 5 = 70 m, 1 min at 70 m/min.

    a2 is alone on fragment B; a3 is 5 km from every street; s0 and a0 are on the grid.
    """
    net = _grid_and_fragments()
    areas = _gdf(["a0", "a1", "a2", "a3"],
                 [_pt(100, 100), _pt(1000, 5), _pt(2025, 3), _pt(5000, 5000)])
    sites = _gdf(["s0", "s1"], [_pt(200, 200), _pt(1060, 5)])
    r = travel_times(net, areas, sites, reach=Reach(15, 70), drop_unsnapped=True)
    assert list(zip(r.origin_id, r.destination_id, strict=True)) == [("a0", "s0"), ("a1", "s1")]
    assert r["distance_m"].tolist() == pytest.approx([200.0, 70.0])
    assert r["minutes"].tolist() == pytest.approx([200 / 70, 1.0])
    why = unreached_frame(r, "en")
    assert why[["side", "id", "kind"]].values.tolist() == [
        ["origins", "a2", "fragment"], ["origins", "a3", "off_network"]]
    assert why["reason"].tolist()[0] == (
        "on a street fragment not connected to the main network (90 m, edges: 2), with no "
        "facility or candidate site on it")
    # 5000 - 2050 and 5000 - 40 apart from (2050, 40): hypot(2950, 4960) = 5771 m
    assert why["reason"].tolist()[1] == (
        "5,771 m from the nearest walkable street, farther than max_snap_m=200 m: "
        "not on the network")
    assert unreached_frame(r, "zh")["reason"].tolist()[0] == (
        "位于一段与主路网不连通的道路碎片上（2 条路段，共 90 米），其上没有设施或候选点位")


def test_within_reach_of_nothing_says_the_walking_limit() -> None:
    net = _grid_and_fragments()
    areas = _gdf(["a0", "a1"], [_pt(100, 100), _pt(1000, 5)])
    sites = _gdf(["s0", "s1"], [_pt(200, 200), _pt(1060, 5)])
    r = travel_times(net, areas, sites, reach=Reach(2, 70))  # 140 m: a0-s0 is 200 m
    assert r.origin_id.tolist() == ["a1"]
    why = unreached_frame(r, "en")
    assert why[["side", "id", "kind"]].values.tolist() == [
        ["origins", "a0", "beyond_limit"], ["destinations", "s0", "beyond_limit"]]
    assert why["reason"].tolist() == [
        "no facility or candidate site within the walking limit of 2 min",
        "no residential area within the walking limit of 2 min"]
    # straight line: the same reason for what has no pair
    s = travel_times(None, areas, sites, reach=Reach(2, 70), fallback=True)
    assert unreached_frame(s, "en")["kind"].tolist() == ["beyond_limit", "beyond_limit"]


def test_sites_only_on_a_fragment_leave_the_main_network_without_any() -> None:
    net = _grid_and_fragments()
    r = travel_times(net, _gdf(["a0"], [_pt(100, 100)]), _gdf(["s2"], [_pt(2050, 20)]))
    why = unreached_frame(r, "en")
    assert why["kind"].tolist() == ["no_other_side", "fragment"]
    assert why["reason"].tolist() == [
        "no facility or candidate site is on the streets it reaches",
        "on a street fragment not connected to the main network (90 m, edges: 2), with no "
        "residential area on it"]


def test_a_scrap_beside_the_main_network_takes_no_walk_away() -> None:
    """A 10 m scrap of footway 3 m from the area, the grid's edge x=100 25 m from it.

    The area (125, 43) also reaches the grid at (100, 43): 25 + 43 + 100 = 168 m to (0, 0),
    the same as on the grid alone.
    """
    g = _grid()
    x = np.concatenate([g.x, X0 + np.array([120.0, 130.0])])
    y = np.concatenate([g.y, Y0 + np.array([40.0, 40.0])])
    u = np.concatenate([g.edge_u, [9]])
    v = np.concatenate([g.edge_v, [10]])
    area, site = _gdf(["a"], [_pt(125, 43)]), _gdf(["s"], [_pt(0, 0)])
    for keep in (True, False):
        net = WalkNetwork.from_arrays(x, y, u, v, crs=UTM, keep_fragments=keep)
        assert net.n_nodes == (11 if keep else 9)
        r = travel_times(net, area, site, reach=Reach(15, 60))
        assert r["distance_m"].tolist() == pytest.approx([168.0])
        assert r.attrs["unreached"] == []


@pytest.mark.realdata
def test_nanjing_residential_areas_sit_on_two_components(nanjing_osm: Path) -> None:
    """The 11 residential polygons of the Nanjing extract reach 2 components of its 44: the
    main network, and one fragment touched by one area that also reaches the main one."""
    from geo.snapping import locate_points, snap_component

    polys = gpd.read_file(nanjing_osm, layer="multipolygons")
    areas = polys[polys["landuse"] == "residential"].reset_index(drop=True)
    areas = gpd.GeoDataFrame({"id": areas["osm_way_id"].fillna(areas["osm_id"])},
                             geometry=areas.geometry, crs=areas.crs)
    net = WalkNetwork.from_osm_file(nanjing_osm)
    assert len(areas) == 11 and net.n_components == 44
    ap = access_points(areas, net)
    snap = locate_points(net, ap.x, ap.y, ap.node, max_snap_m=200.0)
    comp = snap_component(net, snap)
    on = comp >= 0
    per = {(int(o), int(c)) for o, c in zip(ap.owner[on], comp[on], strict=True)}
    assert len({c for _, c in per}) == 2
    assert len({o for o, c in per if c > 0}) == 1
    assert {o for o, c in per if c == 0} == set(range(11))


def test_a_network_of_equal_pieces_and_nothing_on_the_main_one() -> None:
    """Two separate 100 m streets (a tie: the one with the lower node numbers is the main
    network); an area and a site at the two ends of each reach each other, 100 m; an area on
    the main piece with its site on the other piece is reported as such."""
    x = X0 + np.array([0.0, 100.0, 0.0, 100.0])
    y = Y0 + np.array([0.0, 0.0, 1000.0, 1000.0])
    net = WalkNetwork.from_arrays(x, y, [2, 0], [3, 1], crs=UTM)
    assert net.component.tolist() == [0, 0, 1, 1]
    areas = _gdf(["a", "b"], [_pt(0, 0), _pt(0, 1000)])
    sites = _gdf(["s", "t"], [_pt(100, 0), _pt(100, 1000)])
    r = travel_times(net, areas, sites, reach=Reach(15, 50))
    assert list(zip(r.origin_id, r.destination_id, r.minutes, strict=True)) == [
        ("a", "s", 2.0), ("b", "t", 2.0)]
    assert r.attrs["unreached"] == []
    r = travel_times(net, areas.iloc[[0]], sites.iloc[[1]], reach=Reach(15, 50))
    assert unreached_frame(r, "en")[["side", "id", "kind"]].values.tolist() == [
        ["origins", "a", "no_other_side"], ["destinations", "t", "fragment"]]


def test_service_area_of_a_site_beside_a_scrap_reaches_the_main_network() -> None:
    """The site (125, 43) is 3 m from a 10 m scrap and 25 m from the grid's edge x=100: with
    60 m (1 min at 60 m/min) it walks 25 m to (100, 43), then 35 m either way along x=100,
    i.e. from y=8 to y=78; the street beyond (y=90) is out of reach."""
    from geo.service_areas import service_areas

    g = _grid()
    x = np.concatenate([g.x, X0 + np.array([120.0, 130.0])])
    y = np.concatenate([g.y, Y0 + np.array([40.0, 40.0])])
    net = WalkNetwork.from_arrays(x, y, np.concatenate([g.edge_u, [9]]),
                                  np.concatenate([g.edge_v, [10]]), crs=UTM)
    sa = service_areas(net, _gdf(["s"], [_pt(125, 43)]), reach=Reach(1, 60),
                       buffer_m=1.0).to_crs(UTM)
    geom = sa.geometry.iloc[0]
    assert geom.intersects(_pt(100, 15)) and geom.intersects(_pt(100, 70))
    assert geom.intersects(_pt(125, 40))  # the scrap itself
    assert not geom.intersects(_pt(100, 85)) and not geom.intersects(_pt(100, 3))
