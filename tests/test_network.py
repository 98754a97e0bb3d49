"""Walking networks: OSM parsing and walk filter, clipping, fragments, lines, Overpass offline."""

from __future__ import annotations

import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely

from errors import CRSError, NetworkError
from geo import WalkNetwork, load_network
from geo.osm import is_walkable

OSM_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6" generator="test">\n'


def _osm(path: Path, nodes: dict[int, tuple[float, float, dict]], ways: list[tuple]) -> Path:
    """Write a tiny OSM XML file: nodes {id: (lon, lat, tags)}, ways [(id, refs, tags)]."""
    out = [OSM_HEAD]
    for nid, (lon, lat, tags) in nodes.items():
        t = "".join(f'<tag k="{k}" v="{v}"/>' for k, v in tags.items())
        out.append(f'<node id="{nid}" version="1" lat="{lat}" lon="{lon}">{t}</node>\n')
    for wid, refs, tags in ways:
        nd = "".join(f'<nd ref="{r}"/>' for r in refs)
        t = "".join(f'<tag k="{k}" v="{v}"/>' for k, v in tags.items())
        out.append(f'<way id="{wid}" version="1">{nd}{t}</way>\n')
    out.append("</osm>\n")
    path.write_text("".join(out), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("tags", "walkable"),
    [
        ({"highway": "residential"}, True),
        ({"highway": "footway"}, True),
        ({"highway": "service"}, True),
        ({"highway": "motorway"}, False),
        ({"highway": "motorway_link"}, False),
        ({"highway": "trunk"}, True),  # osmnx's walk filter keeps trunk roads
        ({"highway": "cycleway"}, False),
        ({"highway": "construction"}, False),
        ({"highway": "proposed"}, False),
        ({"highway": "platform"}, False),
        ({"highway": "raceway"}, False),
        ({"highway": "residential", "foot": "no"}, False),
        ({"highway": "residential", "access": "private"}, False),
        ({"highway": "residential", "access": "private", "foot": "yes"}, True),
        ({"highway": "pedestrian", "area": "yes"}, False),
        ({"highway": "service", "service": "private"}, False),
        ({"highway": "primary", "sidewalk": "separate"}, False),
        ({"building": "yes"}, False),
    ],
)
def test_walk_filter_follows_osmnx(tags: dict, walkable: bool) -> None:
    assert is_walkable(tags) is walkable


def test_tiny_osm_file(tmp_path: Path) -> None:
    # three nodes in a row 0.001° apart in longitude at the equator-ish, plus a motorway
    nodes = {
        1: (117.0, 31.0, {}),
        2: (117.001, 31.0, {"barrier": "gate"}),
        3: (117.002, 31.0, {}),
        4: (117.002, 31.001, {}),
        5: (117.003, 31.001, {}),
    }
    ways = [
        (10, [1, 2, 3], {"highway": "residential"}),
        (11, [3, 4], {"highway": "footway"}),
        (12, [4, 5], {"highway": "motorway"}),
    ]
    net = WalkNetwork.from_osm_file(_osm(tmp_path / "t.osm", nodes, ways))
    assert net.n_nodes == 4 and net.n_edges == 3
    assert sorted(net.node_ids.tolist()) == [1, 2, 3, 4]
    assert net.node_ids[net.gates].tolist() == [2]
    # 0.001° of longitude at 31°N ≈ 95.4 m; 0.001° latitude ≈ 110.9 m
    assert net.edge_length.sum() == pytest.approx(2 * 95.4 + 110.9, rel=0.01)
    assert net.crs.to_epsg() == 32650
    edges = net.to_gdf()
    assert edges.crs.to_epsg() == 4326 and len(edges) == 3


def test_clip_drops_far_ways_and_fragments_are_reported(tmp_path: Path) -> None:
    nodes = {i: (117.0 + 0.001 * i, 31.0, {}) for i in range(1, 6)}
    nodes |= {20: (117.2, 31.2, {}), 21: (117.201, 31.2, {})}  # far away
    nodes |= {30: (117.0, 31.01, {}), 31: (117.001, 31.01, {})}  # near, disconnected
    ways = [(1, [1, 2, 3, 4, 5], {"highway": "residential"}),
            (2, [5, 20, 21], {"highway": "primary"}),
            (3, [30, 31], {"highway": "footway"})]
    path = _osm(tmp_path / "c.osm", nodes, ways)
    clip = shapely.box(116.999, 30.999, 117.006, 31.011)
    main = WalkNetwork.from_osm_file(path, clip=clip, margin_m=100, keep_fragments=False)
    assert sorted(main.node_ids.tolist()) == [1, 2, 3, 4, 5]
    assert main.info["clip"]["edges_dropped"] == 2
    frag = main.info["fragments"]
    assert frag["components"] == 2 and frag["dropped_nodes"] == 2 and frag["kept"] == "largest"
    assert main.n_components == 1
    # by default the footway 30-31 (0.001° of longitude ≈ 95.4 m) is kept, as component 1
    net = WalkNetwork.from_osm_file(path, clip=clip, margin_m=100)
    assert net.n_nodes == 7 and net.info["fragments"]["kept"] == "all"
    assert dict(zip(net.node_ids.tolist(), net.component.tolist(), strict=True)) == {
        1: 0, 2: 0, 3: 0, 4: 0, 5: 0, 30: 1, 31: 1}
    assert net.info["fragments"]["fragment_edges"] == 1
    assert net.info["fragments"]["fragment_length_m"] == pytest.approx(95.4, rel=0.01)


def test_no_walkable_ways(tmp_path: Path) -> None:
    nodes = {1: (117.0, 31.0, {}), 2: (117.001, 31.0, {}), 3: (117.001, 31.001, {})}
    ways = [(1, [1, 2], {"highway": "motorway"}), (2, [2, 3, 1], {"building": "yes"})]
    with pytest.raises(NetworkError, match="no walkable ways"):
        WalkNetwork.from_osm_file(_osm(tmp_path / "m.osm", nodes, ways))


def test_not_an_osm_file(tmp_path: Path) -> None:
    bad = tmp_path / "roads.osm"
    bad.write_text("id,name\n1,not osm\n", encoding="utf-8")
    with pytest.raises(NetworkError, match="not a readable OSM file|no OSM ways"):
        WalkNetwork.from_osm_file(bad)
    with pytest.raises(NetworkError, match="not found"):
        load_network(tmp_path / "missing.osm")


def test_pbf_roundtrip(tmp_path: Path) -> None:
    import osmium

    nodes = {1: (117.0, 31.0, {}), 2: (117.001, 31.0, {"entrance": "yes"}),
             3: (117.001, 31.001, {})}
    xml = _osm(tmp_path / "a.osm", nodes, [(1, [1, 2, 3], {"highway": "footway"})])
    pbf = tmp_path / "a.osm.pbf"
    with osmium.SimpleWriter(str(pbf)) as writer:
        for obj in osmium.FileProcessor(str(xml)):
            writer.add(obj)
    a, b = WalkNetwork.from_osm_file(xml), WalkNetwork.from_osm_file(pbf)
    assert a.node_ids.tolist() == b.node_ids.tolist()
    np.testing.assert_allclose(a.edge_length, b.edge_length)
    assert b.node_ids[b.gates].tolist() == [2]


def test_from_lines_nodes_crossings(tmp_path: Path) -> None:
    # a plus sign: two 200 m lines crossing in the middle, in UTM 50N metres
    lines = gpd.GeoDataFrame(
        geometry=[shapely.LineString([(500000, 3500000), (500200, 3500000)]),
                  shapely.LineString([(500100, 3499900), (500100, 3500100)])],
        crs="EPSG:32650",
    )
    net = WalkNetwork.from_lines(lines)
    assert net.n_nodes == 5 and net.n_edges == 4
    np.testing.assert_allclose(np.sort(net.edge_length), [100, 100, 100, 100], atol=1e-6)
    path = tmp_path / "roads.gpkg"
    lines.to_file(path, layer="roads")
    net2 = load_network(path)
    assert net2.n_edges == 4
    with pytest.raises(CRSError, match="no CRS"):
        WalkNetwork.from_lines(lines.set_crs(None, allow_override=True))


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
@pytest.mark.parametrize("datum", ["gcj02", "bd09"])
def test_centrelines_without_crs_in_gcj02_or_bd09_are_shifted(tmp_path: Path, datum: str) -> None:
    from geo.crs import wgs84_to_bd09, wgs84_to_gcj02

    # a plus sign in Xinjiekou, Nanjing (WGS84), stored as web-map (GCJ-02 / BD-09) coordinates
    # in a Shapefile without .prj, as centrelines traced on Chinese web maps come
    ends = np.array([[118.7800, 32.0400], [118.7820, 32.0400],
                     [118.7810, 32.0391], [118.7810, 32.0409]])
    shift = wgs84_to_gcj02 if datum == "gcj02" else wgs84_to_bd09
    lon, lat = shift(ends[:, 0], ends[:, 1])
    web = np.column_stack([lon, lat])
    path = tmp_path / "roads.shp"
    gpd.GeoDataFrame({"name": ["a", "b"]},
                     geometry=[shapely.LineString(web[:2]), shapely.LineString(web[2:])],
                     crs=None).to_file(path)
    with pytest.raises(CRSError, match="no CRS; pass --crs"):
        load_network(path)
    net = load_network(path, crs=datum)
    assert net.n_nodes == 5 and net.info["source_crs"] == datum
    # every true (WGS84) line end is a node again, to well under a metre
    tr = pyproj.Transformer.from_crs(4326, net.crs, always_xy=True)
    tx, ty = tr.transform(ends[:, 0], ends[:, 1])
    d = np.hypot(net.x[:, None] - np.asarray(tx), net.y[:, None] - np.asarray(ty)).min(axis=0)
    assert d.max() < 0.5
    # read as if it were WGS84 the network sits hundreds of metres off
    off = load_network(path, crs="wgs84")
    d_off = np.hypot(off.x[:, None] - np.asarray(tx), off.y[:, None] - np.asarray(ty)).min(axis=0)
    assert d_off.min() > 100
    with pytest.raises(CRSError, match="not understood"):
        load_network(path, crs="EPSG:999999")


def test_overpass_offline_fails_fast() -> None:
    import osmnx as ox

    old = ox.settings.overpass_url
    ox.settings.overpass_url = "http://127.0.0.1:9/api"  # closed port: refused at once
    try:
        t0 = time.perf_counter()
        with pytest.raises(NetworkError, match="could not download.*local OSM file"):
            WalkNetwork.from_overpass(shapely.box(117.27, 31.86, 117.28, 31.87), timeout=3)
        assert time.perf_counter() - t0 < 15
    finally:
        ox.settings.overpass_url = old


@pytest.mark.realdata
def test_nanjing_extract(nanjing_osm: Path) -> None:
    core = shapely.box(118.770, 32.036, 118.795, 32.051)
    net = WalkNetwork.from_osm_file(nanjing_osm, clip=core, margin_m=300)
    full = WalkNetwork.from_osm_file(nanjing_osm)
    assert 1000 < net.n_nodes < full.n_nodes
    assert net.info["walkable_ways"] == 383
    assert net.info["fragments"]["components"] > 1
    # every kept node lies within the core + margin
    lon_min, _, lon_max, _ = net.to_gdf().total_bounds
    assert lon_min > 118.76 and lon_max < 118.80


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_nearest_edges_is_exact(seed: int) -> None:
    """Grid search against brute force: long and short edges, points far outside the
    network, ties to the lower edge index, the max_distance cut."""
    rng = np.random.default_rng(seed)
    x, y = rng.uniform(0, 3000, 300) + 500000, rng.uniform(0, 3000, 300) + 3500000
    u, v = rng.integers(0, 300, 400), rng.integers(0, 300, 400)
    net = WalkNetwork.from_arrays(x, y, u, v, crs="EPSG:32650", keep_fragments=True)
    px = np.concatenate([rng.uniform(-2000, 5000, 400) + 500000, x[:20]])
    py = np.concatenate([rng.uniform(-2000, 5000, 400) + 3500000, y[:20]])
    lines = net.edge_lines()
    d_all = shapely.distance(lines[None, :], shapely.points(px, py)[:, None])
    best = d_all.min(axis=1)
    first = np.argmax(d_all <= best[:, None] + 1e-9, axis=1)  # lowest index among ties
    for max_d in (np.inf, 150.0):
        e, d = net.nearest_edges(px, py, max_distance=max_d)
        inside = best <= max_d
        assert (e[~inside] == -1).all() and np.isnan(d[~inside]).all()
        np.testing.assert_allclose(d[inside], best[inside], rtol=0, atol=1e-9)
        assert (e[inside] == first[inside]).all()


def test_geo_exports_functions_and_measures_do_not_load_gdal() -> None:
    """``from geo import ...`` gives the functions (not same-named modules), and importing
    the measures leaves the file readers (and GDAL) unloaded until a reader is used."""
    import subprocess
    import sys

    code = ("import sys, geo.service_areas, geo.coverage, geo.access\n"
            "assert 'pyogrio' not in sys.modules and 'geo.io' not in sys.modules\n"
            "from geo import coverage, read_areas, service_areas\n"
            "assert callable(coverage) and callable(service_areas)\n"
            "assert read_areas.__module__ == 'geo.io' and 'geo.io' in sys.modules\n")
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_nearest_edges_of_the_main_network_only() -> None:
    """Brute force over the edges of component 0, on a random network in many pieces."""
    rng = np.random.default_rng(3)
    x, y = rng.uniform(0, 3000, 300) + 500000, rng.uniform(0, 3000, 300) + 3500000
    u, v = rng.integers(0, 300, 250), rng.integers(0, 300, 250)
    net = WalkNetwork.from_arrays(x, y, u, v, crs="EPSG:32650")
    assert net.n_components > 2
    main = np.flatnonzero(net.component[net.edge_u] == 0)
    px, py = rng.uniform(-500, 3500, 300) + 500000, rng.uniform(-500, 3500, 300) + 3500000
    d_all = shapely.distance(net.edge_lines()[main][None, :], shapely.points(px, py)[:, None])
    e, d = net.nearest_edges(px, py, main_only=True)
    np.testing.assert_allclose(d, d_all.min(axis=1), rtol=0, atol=1e-9)
    assert (net.component[net.edge_u[e]] == 0).all()


def test_access_command_reaches_within_fragments_and_writes_reasons(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Main street 1-2-3, fragment 10-11 with an area and a site, fragment 20-21 with an
    area alone (nodes 0.001° of longitude ≈ 95.4 m apart at 31°N)."""
    import geopandas as gpd
    import pandas as pd

    from planning.cli import main

    monkeypatch.setenv("PLANNING_LANG", "en")
    lon = {1: 117.0, 2: 117.001, 3: 117.002, 10: 117.010, 11: 117.011, 20: 117.020,
           21: 117.021}
    nodes = {i: (x, 31.0, {}) for i, x in lon.items()}
    ways = [(1, [1, 2, 3], {"highway": "residential"}), (2, [10, 11], {"highway": "footway"}),
            (3, [20, 21], {"highway": "footway"})]
    osm = _osm(tmp_path / "f.osm", nodes, ways)
    pt = {i: shapely.Point(x, 31.0) for i, x in lon.items()}
    gpd.GeoDataFrame({"id": ["a", "f", "g"]}, geometry=[pt[1], pt[10], pt[20]],
                     crs=4326).to_file(tmp_path / "o.gpkg")
    gpd.GeoDataFrame({"id": ["s", "t"]}, geometry=[pt[3], pt[11]],
                     crs=4326).to_file(tmp_path / "d.gpkg")
    out = tmp_path / "pairs.csv"
    rc = main(["access", "--network", str(osm), "--origins", str(tmp_path / "o.gpkg"),
               "--destinations", str(tmp_path / "d.gpkg"), "--minutes", "15", "--speed", "60",
               "--out", str(out)])
    assert rc == 0
    pairs = pd.read_csv(out)
    assert list(zip(pairs.origin_id, pairs.destination_id, strict=True)) == [("a", "s"),
                                                                             ("f", "t")]
    assert pairs.minutes.tolist() == pytest.approx([2 * 95.4 / 60, 95.4 / 60], rel=0.01)
    why = pd.read_csv(tmp_path / "pairs_unreached.csv")
    assert why.to_dict("records") == [{
        "side": "origins", "id": "g", "kind": "fragment", "code": "geo.unreached.fragment_origins",
        "reason": "on a street fragment not connected to the main network (95 m, edges: 1), "
                  "with no facility or candidate site on it"}]
    text = capsys.readouterr().out
    assert "reaching nothing: 1 origin(s), 0 destination(s)" in text
    assert "origin g: on a street fragment" in text
