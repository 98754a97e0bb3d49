"""The embedded demo district: size, structure, labels, and reproducibility."""

from __future__ import annotations

import importlib.util
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import scipy.sparse as sp
import shapely
from geopandas.testing import assert_geodataframe_equal
from scipy.sparse.csgraph import connected_components

from geo.demo import DEMO_DIR, demo_paths, load_demo

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("residential_areas", "admin_units", "facilities", "candidate_sites", "developments")


def _generator():
    spec = importlib.util.spec_from_file_location("generate_demo",
                                                  ROOT / "data" / "generate_demo.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    sys.modules.setdefault("generate_demo", module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _osm(path: Path) -> tuple[dict[str, tuple[float, float, dict]], list[tuple[list, dict]]]:
    root = ET.parse(path).getroot()
    nodes = {n.get("id"): (float(n.get("lon")), float(n.get("lat")),
                           {t.get("k"): t.get("v") for t in n.iter("tag")})
             for n in root.iter("node")}
    ways = [([nd.get("ref") for nd in w.iter("nd")],
             {t.get("k"): t.get("v") for t in w.iter("tag")}) for w in root.iter("way")]
    return nodes, ways


@pytest.fixture(scope="module")
def demo() -> dict[str, gpd.GeoDataFrame]:
    return load_demo()


def test_paths_exist_and_are_small() -> None:
    paths = demo_paths()
    assert paths == {"network": DEMO_DIR / "district.osm", "gpkg": DEMO_DIR / "district.gpkg"}
    assert all(p.exists() for p in paths.values())
    assert sum(p.stat().st_size for p in paths.values()) < 2_000_000
    assert sorted(pyogrio.list_layers(paths["gpkg"])[:, 0]) == sorted(LAYERS)


def test_labelled_synthetic() -> None:
    paths = demo_paths()
    root = ET.parse(paths["network"]).getroot()
    assert "SYNTHETIC" in root.get("generator")
    for layer in LAYERS:
        meta = pyogrio.read_info(paths["gpkg"], layer=layer)["layer_metadata"]
        assert meta["SYNTHETIC"] == "yes" and "SYNTHETIC" in meta["DESCRIPTION"]
    readme = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    assert "SYNTHETIC" in readme and "made up" in readme


def test_residential_areas(demo) -> None:
    areas = demo["areas"]
    assert 60 <= len(areas) <= 150
    assert areas["households"].notna().all() and (areas["households"] > 0).all()
    given = areas["population"].notna()
    assert 0 < given.sum() < len(areas)  # some given, some to derive
    # residents: given population plus households × 2.5–3 where missing, within 50k–100k
    low = areas["population"].fillna(areas["households"] * 2.5).sum()
    high = areas["population"].fillna(areas["households"] * 3.0).sum()
    assert 50_000 <= low and high <= 100_000
    assert set(areas["area_type"]) == {"new", "old"}
    assert 3 <= areas["admin_unit"].nunique() <= 5
    assert set(areas.geom_type) == {"Polygon"}
    assert areas.crs.to_epsg() == 4326
    assert areas.attrs["repairs"] == []
    x0, y0, x1, y1 = areas.total_bounds  # ~3 × 3 km near 117.27E 31.86N
    assert abs((x0 + x1) / 2 - 117.27) < 0.01 and abs((y0 + y1) / 2 - 31.86) < 0.01
    metric = areas.to_crs(32650)
    w, h = metric.total_bounds[2] - metric.total_bounds[0], (
        metric.total_bounds[3] - metric.total_bounds[1])
    assert 2500 < w < 3500 and 2500 < h < 3500
    assert not metric.geometry.union_all().is_empty
    # compounds do not overlap
    assert metric.area.sum() == pytest.approx(metric.geometry.union_all().area, rel=1e-9)


def test_street_network_structure() -> None:
    nodes, ways = _osm(demo_paths()["network"])
    highways = {t.get("highway") for _, t in ways}
    assert {"primary", "secondary", "residential", "footway"} <= highways
    assert all(t.get("name") for _, t in ways if t.get("highway") in ("primary", "secondary",
                                                                      "residential"))
    refs = [r for nds, _ in ways for r in nds]
    assert set(refs) <= set(nodes)
    index = {nid: i for i, nid in enumerate(nodes)}
    rows, cols = [], []
    for nds, _ in ways:
        for a, b in zip(nds[:-1], nds[1:], strict=True):
            rows.append(index[a])
            cols.append(index[b])
    graph = sp.coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(nodes),) * 2)
    n_comp, _ = connected_components(graph, directed=False)
    assert n_comp == 1


def test_every_compound_has_a_gate_on_its_boundary_joined_to_a_street(demo) -> None:
    nodes, ways = _osm(demo_paths()["network"])
    gates = {nid: v for nid, v in nodes.items() if v[2].get("barrier") == "gate"}
    on_ways = {r for nds, t in ways if t.get("highway") for r in nds}
    assert set(gates) <= on_ways
    pts = gpd.GeoDataFrame(geometry=[shapely.Point(x, y) for x, y, _ in gates.values()],
                           crs=4326).to_crs(32650)
    rings = demo["areas"].to_crs(32650)
    rings = rings.set_geometry(rings.boundary)
    nearest = gpd.sjoin_nearest(pts, rings, distance_col="d")
    assert nearest["d"].max() < 0.05
    assert set(nearest["id"]) == set(demo["areas"]["id"])


def test_facilities_fall_short_of_demand(demo) -> None:
    from planning.profiles import load_profile

    profile = load_profile("hefei")
    areas = demo["areas"]
    persons = profile.param("persons_per_household")
    pop = areas["population"].fillna(areas["households"] * persons)
    need_cc = need_ec = 0.0
    for area_type in ("new", "old"):
        sel = areas["area_type"] == area_type
        cc = profile.rule("childcare_places_per_1000", service="childcare", area_type=area_type)
        ec = profile.rule("eldercare_area_per_100_households", service="eldercare",
                          area_type=area_type)
        need_cc += pop[sel].sum() * cc.value / 1000.0
        need_ec += areas.loc[sel, "households"].sum() * ec.value / 100.0
    fac = demo["facilities"]
    have = fac.groupby("service")["capacity"].sum()
    assert set(fac["status"]) == {"existing"}
    assert 0 < have["childcare"] < 0.7 * need_cc
    assert 0 < have["eldercare"] < 0.5 * need_ec
    cand = demo["candidates"]
    room = cand.groupby("service")["max_capacity"].sum()
    assert room["childcare"] + have["childcare"] > need_cc
    assert room["eldercare"] + have["eldercare"] > need_ec


def test_candidate_sites(demo) -> None:
    cand = demo["candidates"]
    assert set(cand["status"]) == {"candidate"}
    assert set(cand["site_kind"]) == {"community_centre", "vacant_plot"}
    for col in ("fixed_cost", "unit_cost", "min_capacity", "max_capacity"):
        assert cand[col].notna().all() and (cand[col] >= 0).all()
    assert (cand["min_capacity"] <= cand["max_capacity"]).all()
    assert cand["id"].is_unique
    # rows of one site share its point
    for _, rows in cand.groupby("site_id"):
        assert rows.geometry.iloc[0].equals(rows.geometry.iloc[-1])


def test_developments(demo) -> None:
    devs = demo["developments"]
    assert 8 <= len(devs) <= 15
    assert devs["population"].isna().any() and devs["population"].notna().any()
    d = devs.set_index("id")
    assert d.loc["D03", "eldercare_site_areas_m2"] == "250,200"
    assert d.loc["D08", "childcare_places"] == 0.0
    assert set(devs["area_type"]) == {"new", "old"}


def test_regenerating_gives_the_same_content(tmp_path) -> None:
    paths = _generator().generate(tmp_path)
    for layer in LAYERS:
        fresh = pyogrio.read_dataframe(paths["gpkg"], layer=layer)
        stored = pyogrio.read_dataframe(demo_paths()["gpkg"], layer=layer)
        assert_geodataframe_equal(fresh, stored, check_less_precise=False)
    fresh_nodes, fresh_ways = _osm(paths["network"])
    nodes, ways = _osm(demo_paths()["network"])
    assert fresh_nodes == nodes
    assert fresh_ways == ways
    # and through the readers too
    again = load_demo(tmp_path)
    for key, frame in load_demo().items():
        assert_geodataframe_equal(again[key], frame)


def test_another_seed_gives_another_district(tmp_path) -> None:
    paths = _generator().generate(tmp_path, seed=7)
    other = pyogrio.read_dataframe(paths["gpkg"], layer="residential_areas")
    stored = pyogrio.read_dataframe(demo_paths()["gpkg"], layer="residential_areas")
    assert len(other) != len(stored) or not other.geometry.equals(stored.geometry)
