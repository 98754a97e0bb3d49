"""Real data: 480 Beijing communities from Lianjia (BD-09 points, households, build year).

Reads ../shared/data/communities/beijing_lianjia2018_communities.csv through the ordinary
reader (BD-09 → GCJ-02 → WGS84), checks a few rows by hand with the published formulas written
out independently here, and derives population and 托位 demand with the national profile.
"""

from __future__ import annotations

import csv
import math

import pytest

from geo.io import read_areas

pytestmark = pytest.mark.realdata

# Rows checked by hand: lianjia_id → (name, district, households, build year, BD-09 lon, lat)
HAND_ROWS = {
    "1111027375142": ("华龙美晟", "东城", 1124, 2009, 116.411858, 39.869364),
    "1111027380930": ("新景家园东区", "东城", 5389, 2002, 116.432142, 39.902354),
    "1111027381005": ("兴隆都市馨园", "东城", 3244, 2002, 116.420099, 39.901616),
}

# Rough extents of the five districts in the file (WGS84, generous margins)
DISTRICT_BOXES = {
    "东城": (116.37, 39.85, 116.45, 39.98),
    "西城": (116.30, 39.86, 116.40, 39.98),
    "海淀": (116.03, 39.88, 116.40, 40.16),
    "丰台": (116.07, 39.77, 116.46, 39.90),
    "石景山": (116.07, 39.88, 116.25, 39.99),
}
FIVE_DISTRICTS_BOX = (116.03, 39.77, 116.46, 40.16)


# --- the published formulas, written out scalar-wise, independent of geo.crs ---------------
A, EE = 6378245.0, 0.00669342162296594323
X_PI = math.pi * 3000.0 / 180.0


def _wgs_to_gcj(lon: float, lat: float) -> tuple[float, float]:
    x, y = lon - 105.0, lat - 35.0
    d_lat = (-100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
             + (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2 / 3
             + (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2 / 3
             + (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2 / 3)
    d_lon = (300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
             + (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2 / 3
             + (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2 / 3
             + (150.0 * math.sin(x / 12.0 * math.pi) + 300 * math.sin(x / 30.0 * math.pi)) * 2 / 3)
    rad = lat / 180.0 * math.pi
    magic = 1 - EE * math.sin(rad) ** 2
    d_lat = (d_lat * 180.0) / ((A * (1 - EE)) / (magic * math.sqrt(magic)) * math.pi)
    d_lon = (d_lon * 180.0) / (A / math.sqrt(magic) * math.cos(rad) * math.pi)
    return lon + d_lon, lat + d_lat


def _gcj_to_bd(lon: float, lat: float) -> tuple[float, float]:
    z = math.hypot(lon, lat) + 0.00002 * math.sin(lat * X_PI)
    theta = math.atan2(lat, lon) + 0.000003 * math.cos(lon * X_PI)
    return z * math.cos(theta) + 0.0065, z * math.sin(theta) + 0.006


def _bd_to_gcj_one_step(lon: float, lat: float) -> tuple[float, float]:
    x, y = lon - 0.0065, lat - 0.006
    z = math.hypot(x, y) - 0.00002 * math.sin(y * X_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * X_PI)
    return z * math.cos(theta), z * math.sin(theta)


def _gcj_to_wgs_one_step(lon: float, lat: float) -> tuple[float, float]:
    g = _wgs_to_gcj(lon, lat)
    return lon - (g[0] - lon), lat - (g[1] - lat)


def _metres(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    k = math.pi / 180.0
    dx = (lon2 - lon1) * k * math.cos((lat1 + lat2) / 2 * k) * 6371008.8
    dy = (lat2 - lat1) * k * 6371008.8
    return math.hypot(dx, dy)


@pytest.fixture
def communities(lianjia_csv):
    return read_areas(lianjia_csv, crs="bd09", fields={"lianjia_id": "id"}, skip_empty=True,
                      area_type="old")


def test_rows_and_fields_are_read(communities, lianjia_csv) -> None:
    with open(lianjia_csv, encoding="utf-8") as fh:
        raw = list(csv.DictReader(fh))
    with_coords = [r for r in raw if r["lon_bd09"] and r["lat_bd09"]]
    assert len(raw) == 510 and len(with_coords) == 480
    assert len(communities) == 480
    assert "skipped 30 row(s) without geometry" in str(communities.attrs["notes"][0])
    assert communities.crs.to_epsg() == 4326
    assert communities.attrs["source_crs"] == "bd09"
    # households and build years as in the file, for every row
    by_id = communities.set_index("id")
    for r in with_coords:
        assert by_id.loc[r["lianjia_id"], "households"] == float(r["households"])
        assert by_id.loc[r["lianjia_id"], "completion_year"] == int(r["built_year"])
    assert communities["households"].sum() == sum(float(r["households"]) for r in with_coords)
    assert "population" not in communities.columns  # the file gives households only


def test_hand_checked_rows(communities) -> None:
    by_id = communities.set_index("id")
    for lid, (name, district, hh, year, bd_lon, bd_lat) in HAND_ROWS.items():
        row = by_id.loc[lid]
        assert row["name"] == name and row["district"] == district
        assert row["households"] == hh and row["completion_year"] == year
        lon, lat = row.geometry.x, row.geometry.y
        # forward again with the hand-written formulas: WGS84 → GCJ-02 → BD-09 = the file's
        back = _gcj_to_bd(*_wgs_to_gcj(lon, lat))
        assert _metres(back[0], back[1], bd_lon, bd_lat) < 0.01
        # the one-step published inverses land within a metre of the iterated result
        one_step = _gcj_to_wgs_one_step(*_bd_to_gcj_one_step(bd_lon, bd_lat))
        assert _metres(lon, lat, *one_step) < 1.0
        # the BD-09 → WGS84 shift in Beijing is several hundred metres to the south-west
        assert 500.0 < _metres(lon, lat, bd_lon, bd_lat) < 1500.0
        assert lon < bd_lon and lat < bd_lat
    # 华龙美晟 (东城 永定门): WGS84 ≈ 116.39922 E, 39.86162 N
    p = by_id.loc["1111027375142"].geometry
    assert (p.x, p.y) == pytest.approx((116.39922, 39.86162), abs=1e-5)


def test_points_land_in_their_districts(communities) -> None:
    x0, y0, x1, y1 = FIVE_DISTRICTS_BOX
    xs, ys = communities.geometry.x, communities.geometry.y
    assert ((xs > x0) & (xs < x1) & (ys > y0) & (ys < y1)).all()
    for district, (a, b, c, d) in DISTRICT_BOXES.items():
        sub = communities[communities["district"] == district]
        assert len(sub) > 0
        inside = (sub.geometry.x > a) & (sub.geometry.x < c) & (sub.geometry.y > b) & (
            sub.geometry.y < d)
        assert inside.all(), (district, sub.loc[~inside, "name"].tolist())


def test_population_and_demand_from_households(communities) -> None:
    from planning.demand import compute_demand
    from planning.profiles import load_profile

    profile = load_profile("national")
    persons = profile.param("persons_per_household")
    rate = profile.rule("childcare_places_per_1000", service="childcare", area_type="old")
    out = compute_demand(communities, profile).set_index("id")
    for lid, (_, _, hh, _, _, _) in HAND_ROWS.items():
        row = out.loc[lid]
        assert row["population"] == pytest.approx(hh * persons)
        assert "households" in row["population_source"]
        if rate is not None:
            assert row["childcare_places_required"] == pytest.approx(
                hh * persons * rate.value / 1000.0)
    # 华龙美晟: 1124 households × 2.62 = 2944.88 persons; × 8 / 1000 = 23.559 托位 (old area)
    assert out.loc["1111027375142", "population"] == pytest.approx(2944.88)
