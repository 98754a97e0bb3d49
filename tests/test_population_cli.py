"""``python -m planning population`` on small files, an OSM file and the Nanjing extract."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely

from geo.buildings import read_buildings
from geo.osm_landuse import read_osm_residential
from planning.cli import main

CRS = "EPSG:32650"
X0, Y0 = 600_000.0, 3_500_000.0


def box(x0: float, y0: float, x1: float, y1: float) -> shapely.Polygon:
    return shapely.box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


def write_inputs(tmp: Path, *, census_population: bool = True) -> dict[str, Path]:
    """The three-compound unit of test_population with Chinese field names."""
    cols = {"编号": ["S1"], "名称": ["新街口街道"], "0-3岁": [300], "60岁及以上": [2000]}
    if census_population:
        cols["常住人口"] = [10_000]
    census = gpd.GeoDataFrame(cols, geometry=[box(0, 0, 3000, 1000)], crs=CRS)
    areas = gpd.GeoDataFrame({"编号": ["A", "B", "C"], "小区名称": ["甲", "乙", "丙"],
                              "建成年份": [None, 2027, 2029]},
                             geometry=[box(0, 0, 900, 900), box(1000, 0, 1900, 900),
                                       box(2000, 0, 2900, 900)], crs=CRS)
    # A: 100×50 m, 4 floors = 20,000 m²; B: 100×100 m, 9 m high = 3 floors = 30,000 m²;
    # C: 100×50 m, "5层" = 25,000 m² twice; the school in A is left out
    bld = gpd.GeoDataFrame({"层数": ["4", None, "5层", "5", "3"],
                            "高度": [None, "9", None, None, None],
                            "用途": ["住宅", "住宅", "住宅", None, "学校"]},
                           geometry=[box(10, 10, 110, 60), box(1010, 10, 1110, 110),
                                     box(2010, 10, 2110, 60), box(2010, 100, 2110, 150),
                                     box(300, 300, 400, 400)], crs=CRS)
    paths = {"census": tmp / "census.gpkg", "areas": tmp / "areas.gpkg",
             "buildings": tmp / "buildings.gpkg"}
    census.to_file(paths["census"])
    areas.to_file(paths["areas"])
    bld.to_file(paths["buildings"])
    return paths


def test_cli_writes_areas_units_and_notes(tmp_path: Path, capsys) -> None:
    p = write_inputs(tmp_path)
    out = tmp_path / "out" / "pop.gpkg"
    rc = main(["population", "--areas", str(p["areas"]), "--census", str(p["census"]),
               "--buildings", str(p["buildings"]), "--out", str(out)])
    assert rc == 0
    assert sorted(pyogrio.list_layers(out)[:, 0]) == ["census_units", "residential_areas"]
    a = gpd.read_file(out, layer="residential_areas")
    assert a["population"].tolist() == [2000, 3000, 5000]
    assert a["age_0_3"].tolist() == [60, 90, 150]
    assert a["population_method"].tolist() == ["floor_area"] * 3
    units = pd.read_csv(tmp_path / "out" / "pop_units.csv")
    assert units.loc[0, "assigned"] == 10_000 and units.loc[0, "census_age_60_plus"] == 2_000
    data = json.loads((tmp_path / "out" / "pop_population.json").read_text(encoding="utf-8"))
    assert data["totals"]["assigned"] == 10_000
    assert data["parameters"]["floor_area_per_person_m2"] == 35
    assert data["parameters"]["persons_per_household_source"].startswith("profile national")
    codes = [n["code"] for n in data["notes"]]
    assert "population.buildings_not_residential" in codes
    text = capsys.readouterr().out
    assert "3 areas: 10,000 of 10,000 census residents assigned" in text
    # the result is an areas layer the rest of the tool reads as it is
    from geo.io import read_areas
    from planning.demand import compute_demand
    from planning.profiles import load_profile

    back = read_areas(out, area_type="new")
    demand = compute_demand(back, load_profile("national"))
    assert demand["childcare_places_required"].tolist() == pytest.approx([20, 30, 50])


def test_cli_prints_in_the_planners_language(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("PLANNING_LANG", "zh")
    p = write_inputs(tmp_path)
    rc = main(["population", "--areas", str(p["areas"]), "--census", str(p["census"]),
               "--buildings", str(p["buildings"]), "--out", str(tmp_path / "pop.gpkg")])
    text = capsys.readouterr().out
    assert rc == 0
    assert ("居住区 3 个：普查常住人口 10,000 人中已分配 10,000 人，未分配 0 人"
            "（方法：按住宅建筑面积 3 个）") in text
    assert "已写出：" in text and "wrote" not in text


def test_cli_target_year_and_csv(tmp_path: Path) -> None:
    p = write_inputs(tmp_path)
    out = tmp_path / "pop.csv"
    rc = main(["population", "--areas", str(p["areas"]), "--census", str(p["census"]),
               "--buildings", str(p["buildings"]), "--target-year", "2030", "--out", str(out)])
    assert rc == 0
    a = pd.read_csv(out)
    # B (2027) is full by 2030; C (2029) half occupied under the default ramp
    assert a["residents_target_year"].tolist() == [2000, 3000, 2500]
    assert a["geometry"].str.startswith("POLYGON").all()
    rc = main(["population", "--areas", str(p["areas"]), "--census", str(p["census"]),
               "--buildings", str(p["buildings"]), "--target-year", "2025", "--ramp", "1",
               "--out", str(out)])
    assert rc == 0
    assert pd.read_csv(out)["residents_target_year"].tolist() == [2000, 0, 0]


def test_cli_bad_input_exits_2_and_writes_nothing(tmp_path: Path, capsys) -> None:
    p = write_inputs(tmp_path, census_population=False)
    out = tmp_path / "pop.gpkg"
    rc = main(["population", "--areas", str(p["areas"]), "--census", str(p["census"]),
               "--out", str(out)])
    err = capsys.readouterr().err
    assert rc == 2 and "no population column" in err and "census.gpkg" in err
    assert list(tmp_path.glob("pop*")) == []
    # an area outside every unit is named; --drop-outside leaves it out and says so
    p = write_inputs(tmp_path)
    far = gpd.read_file(p["areas"])
    far = pd.concat([far, gpd.GeoDataFrame({"编号": ["FAR"]}, geometry=[box(9000, 0, 9100, 90)],
                                           crs=CRS)], ignore_index=True)
    gpd.GeoDataFrame(far, crs=CRS).to_file(p["areas"])
    rc = main(["population", "--areas", str(p["areas"]), "--census", str(p["census"]),
               "--out", str(out)])
    err = capsys.readouterr().err
    assert rc == 2 and "FAR" in err and "outside every census unit" in err
    assert list(tmp_path.glob("pop*")) == []
    rc = main(["population", "--areas", str(p["areas"]), "--census", str(p["census"]),
               "--drop-outside", "--out", str(out)])
    assert rc == 0 and "FAR" in capsys.readouterr().out
    rc = main(["population", "--areas", str(p["areas"]), "--census", str(p["census"]),
               "--out", str(tmp_path / "pop.xlsx")])
    assert rc == 2 and "unsupported format" in capsys.readouterr().err


def test_read_buildings_floors_from_fields_and_heights(tmp_path: Path) -> None:
    p = write_inputs(tmp_path)
    b = read_buildings(p["buildings"])
    assert b["floors"].tolist() == [4, 3, 5, 5, 3]
    assert b["floors_source"].tolist() == ["floors", "height", "floors", "floors", "floors"]
    assert b["residential"].tolist() == [True, True, True, True, False]
    assert b.crs.to_epsg() == 4326
    b = read_buildings(p["buildings"], storey_height_m=4.5)
    assert b["floors"].tolist()[1] == 2


OSM = """<?xml version="1.0"?>
<osm version="0.6">
{nodes}
<way id="1" version="1">{ring1}<tag k="landuse" v="residential"/><tag k="name" v="大院"/></way>
<way id="2" version="1">{ring2}<tag k="residential" v="gated"/><tag k="name" v="小区"/></way>
<way id="3" version="1">{ring3}<tag k="building" v="apartments"/>
<tag k="building:levels" v="10"/></way>
<way id="4" version="1">{ring4}<tag k="building" v="yes"/><tag k="height" v="18"/></way>
<way id="5" version="1">{ring5}<tag k="building" v="school"/></way>
</osm>
"""


def _osm(path: Path) -> Path:
    """A residential landuse with a gated compound drawn inside it, and three buildings."""
    lon0, lat0, d = 118.78, 32.04, 0.001
    squares = {1: (0, 0, 10), 2: (1, 1, 4), 3: (2, 2, 1), 4: (6, 6, 1), 5: (6, 1, 1)}
    nodes, rings, nid = [], {}, 1
    for way, (i, j, s) in squares.items():
        refs = []
        for di, dj in ((0, 0), (s, 0), (s, s), (0, s)):
            nodes.append(f'<node id="{nid}" version="1" lat="{lat0 + (j + dj) * d:.6f}" '
                         f'lon="{lon0 + (i + di) * d:.6f}"/>')
            refs.append(nid)
            nid += 1
        refs.append(refs[0])
        rings[f"ring{way}"] = "".join(f'<nd ref="{r}"/>' for r in refs)
    path.write_text(OSM.format(nodes="\n".join(nodes), **rings), encoding="utf-8")
    return path


def test_osm_residential_areas_and_buildings(tmp_path: Path) -> None:
    areas, b = read_osm_residential(_osm(tmp_path / "tiny.osm"))
    assert sorted(areas["id"]) == ["w1", "w2"]
    big = areas.set_index("id").loc["w1"]
    # the compound is cut out of the landuse it lies in
    assert not big.geometry.contains(shapely.Point(118.783, 32.043))
    assert big.geometry.contains(shapely.Point(118.788, 32.048))
    assert len(shapely.get_interior_ring(big.geometry, 0).coords) == 5
    assert [n.code for n in areas.attrs["notes"]] == ["population.osm_nested"]
    b = b.set_index("id")
    assert b.loc["w3", "floors"] == 10 and b.loc["w4", "floors"] == 6
    assert b.loc["w4", "floors_source"] == "height"
    assert not b.loc["w5", "residential"]


def test_cli_from_osm_tiny(tmp_path: Path) -> None:
    osm = _osm(tmp_path / "tiny.osm")
    census = gpd.GeoDataFrame({"id": ["S"], "population": [1_000]},
                              geometry=[shapely.box(118.779, 32.039, 118.791, 32.051)],
                              crs=4326)
    census.to_file(tmp_path / "census.gpkg")
    out = tmp_path / "pop.geojson"
    rc = main(["population", "--from-osm", str(osm), "--census", str(tmp_path / "census.gpkg"),
               "--area-type", "old", "--out", str(out)])
    assert rc == 0
    a = gpd.read_file(out).set_index("id")
    # the compound (w2) holds the 10-floor block, the rest of the landuse (w1) the 6-floor one
    # of the same footprint: 10 : 6 of 1,000 residents
    assert a.loc["w2", "population"] == 625 and a.loc["w1", "population"] == 375
    assert set(a["area_type"]) == {"old"}


@pytest.mark.realdata
def test_from_osm_nanjing(nanjing_osm: Path, tmp_path: Path) -> None:
    census = gpd.GeoDataFrame(
        {"id": ["W", "E"], "population": [45_000, 38_000], "age_0_3": [1_100, 900],
         "age_60_plus": [9_800, 8_100]},
        geometry=[shapely.box(118.760, 32.030, 118.780, 32.053),
                  shapely.box(118.780, 32.030, 118.800, 32.053)], crs=4326)
    census.to_file(tmp_path / "census.gpkg")
    out = tmp_path / "nanjing.gpkg"
    rc = main(["population", "--from-osm", str(nanjing_osm),
               "--census", str(tmp_path / "census.gpkg"), "--out", str(out)])
    assert rc == 0
    a = gpd.read_file(out, layer="residential_areas")
    assert len(a) == 11 and a["population"].sum() == 83_000
    assert a["age_0_3"].sum() == 2_000 and a["age_60_plus"].sum() == 17_900
    units = pd.read_csv(tmp_path / "nanjing_units.csv").set_index("census_unit")
    assert units.loc["W", "assigned"] == 45_000 and units.loc["E", "assigned"] == 38_000
    assert (a["population_method"].isin(["floor_area", "area"])).all()
    # the landuse with a compound drawn inside it is cut, not counted twice
    assert "w467860119" in a["id"].tolist()
