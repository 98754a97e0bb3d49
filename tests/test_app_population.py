"""The 人口估算 step of the data page, and the residents-per-hectare helper it maps."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from streamlit.testing.v1 import AppTest

from geo import load_demo
from planning.census import accept_estimate, residents_per_hectare

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 120


pytestmark = pytest.mark.usefixtures("app_store")  # tests/conftest.py


def test_residents_per_hectare_of_a_hectare_square() -> None:
    # 100 m × 100 m = 10,000 m² = 1 公顷: 2,000 residents → 2,000 人/公顷; a 200 m × 100 m
    # block (2 ha) with 500 residents → 250 人/公顷; a point has no land: NaN
    x0, y0 = 500_000.0, 3_500_000.0  # UTM zone 50N (EPSG:32650), near Hefei
    areas = gpd.GeoDataFrame(
        {"id": ["a", "b", "c"], "population": [2_000.0, 500.0, 80.0]},
        geometry=[shapely.box(x0, y0, x0 + 100, y0 + 100),
                  shapely.box(x0, y0 + 200, x0 + 200, y0 + 300), shapely.Point(x0, y0)],
        crs=32650)
    dens = residents_per_hectare(areas)
    assert dens[:2].tolist() == pytest.approx([2_000.0, 250.0])
    assert np.isnan(dens[2])
    # the same squares in WGS84 are measured in metres, not degrees
    assert residents_per_hectare(areas.to_crs(4326))[:2].tolist() == pytest.approx(
        [2_000.0, 250.0], rel=1e-6)


def _census(path: Path) -> tuple[gpd.GeoDataFrame, dict[str, float]]:
    """Two 街道 splitting the demo district at its middle longitude (Chinese field names)."""
    x0, y0, x1, y1 = load_demo()["areas"].total_bounds
    mid = (x0 + x1) / 2
    pad = 0.001
    pops = {"W": 35_000.0, "E": 25_000.0}
    census = gpd.GeoDataFrame(
        {"编号": ["W", "E"], "名称": ["西街道", "东街道"], "常住人口": [pops["W"], pops["E"]],
         "60岁及以上人口": [6_000.0, 5_000.0]},
        geometry=[shapely.box(x0 - pad, y0 - pad, mid, y1 + pad),
                  shapely.box(mid, y0 - pad, x1 + pad, y1 + pad)], crs=4326)
    census.to_file(path, driver="GPKG")
    return census, pops


def _page(lang: str = "zh") -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / "data.py"), default_timeout=TIMEOUT)
    at.session_state["owner"] = "tester"
    at.session_state["lang"] = lang
    return at


def _units(at: AppTest, first: str) -> pd.DataFrame:
    """The step's summary per census unit (the table whose first column is *first*)."""
    return next(f.value for f in at.dataframe if list(f.value.columns)[:1] == [first]
                ).set_index(first)


def test_estimate_on_the_demo_areas_and_accept(tmp_path) -> None:
    src = tmp_path / "jiedao.gpkg"
    _, pops = _census(src)
    at = _page()
    at.session_state["pop_pending_census"] = ("jiedao.gpkg", src.read_bytes())
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    captions = " ".join(c.value for c in at.caption)
    assert "默认值（规则集 合肥市）：人均居住建筑面积 35 m²/人，依据 GB 50180-2018" in captions
    assert "户均 2.62 人/户" in captions and "第七次全国人口普查公报" in captions
    # 25 demo areas have no population: their given neighbours are kept unless unticked
    assert at.checkbox(key="pop_keep_given").value is True
    at.checkbox(key="pop_keep_given").uncheck().run()
    at.button(key="pop_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    units = _units(at, "普查单元")
    # nothing given: each 街道's estimates add up to its census population exactly
    assert units["估算合计（人）"].to_dict() == pops
    assert units["已给定（人）"].tolist() == [0, 0]
    assert units["未分配（人）"].tolist() == [0, 0]
    # the demo areas carry households: every area is weighted by them
    assert (units["按户数（个）"] == units["居住区（个）"]).all()
    assert units["普查 60岁及以上（人）"].tolist() == units["已分配 60岁及以上（人）"].tolist() \
        == [6_000, 5_000]
    assert "71 个居住区：普查人口 60,000 人中已分配 60,000 人" in at.info[0].value
    before = at.session_state["data"]["layers"]["areas"]
    assert before["population"].sum() == 48_079  # the demo's own figures, 46 areas
    at.button(key="pop_accept").click().run()
    assert not at.exception, [e.value for e in at.exception]
    areas = at.session_state["data"]["layers"]["areas"]
    assert len(areas) == 71 and areas["population"].sum() == 60_000
    assert (areas["population"] != before["population"]).any()
    assert (areas["population"] == np.round(areas["population"])).all()
    assert set(areas["population_method"]) == {"households"}
    assert areas["age_60_plus"].sum() == 11_000
    # the residents of each 街道 (areas split at the border by land share) add to its census
    note = areas.attrs["notes"][-1]
    assert note.code == "population.estimate_applied"
    assert note.render("zh").startswith(
        "居住区人口为估算值：jiedao.gpkg 的普查人口共 60,000 人 分配到 71 个居住区"
        "（已给定 0 个、按户数 71 个")
    assert "已替换 71 个居住区的人口，合计 60,000 人" in at.success[0].value


def test_given_populations_kept_and_errors_shown(tmp_path) -> None:
    src = tmp_path / "jiedao.gpkg"
    _census(src)
    at = _page(lang="en")
    at.session_state["pop_pending_census"] = ("jiedao.gpkg", src.read_bytes())
    at.run()
    at.button(key="pop_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    units = _units(at, "Census unit")
    # the 46 areas with a population keep it; each 街道's remainder (census less given) goes
    # to its 25 areas without one, by households, so that given + estimated = census
    assert units["Given (residents)"].sum() == pytest.approx(48_079)
    assert (units["Given (residents)"] + units["Estimated (residents)"]).to_dict() == {
        "W": 35_000, "E": 25_000}
    assert units["Unassigned (residents)"].tolist() == [0, 0]
    # (one of them lies across the border of the two 街道 and counts in both)
    assert units["Areas by households"].sum() == 26
    at.button(key="pop_accept").click().run()
    areas = at.session_state["data"]["layers"]["areas"]
    demo = load_demo()["areas"]
    given = demo["population"].notna().to_numpy()
    assert areas["population"].to_numpy()[given].tolist() == demo["population"][given].tolist()
    assert areas["population"].sum() == 60_000
    assert "the method is recorded in the layer's notes" in at.success[0].value
    # a smaller census than the given figures is an error, shown in English; the page goes on
    bad = tmp_path / "small.gpkg"
    census = gpd.read_file(src)
    census["常住人口"] = [100.0, 100.0]
    census["60岁及以上人口"] = [10.0, 10.0]
    census.to_file(bad, driver="GPKG")
    at.session_state["pop_pending_census"] = ("small.gpkg", bad.read_bytes())
    at.run()
    at.button(key="pop_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    text = at.error[0].value
    assert text.startswith("Problems in the data:")
    assert "census unit W has 100 residents but its areas with a given population hold" in text
    assert at.session_state["data"]["layers"]["areas"]["population"].sum() == 60_000
    assert at.button(key="pop_run").disabled is False  # the step stays usable


def test_accept_keeps_areas_the_estimate_left_out() -> None:
    areas = gpd.GeoDataFrame({"id": ["a", "b"], "population": [10.0, 20.0]},
                             geometry=[shapely.Point(0, 0)] * 2, crs=4326)
    est = gpd.GeoDataFrame({"id": ["a"], "population": [7.0],
                            "population_method": ["households"], "census_unit": ["S1"]},
                           geometry=[shapely.Point(0, 0)], crs=4326)
    out = accept_estimate(areas, est, census_source="c.gpkg",
                          parameters={"floor_area_per_person_m2": 35.0,
                                      "persons_per_household": 2.8})
    assert out["population"].tolist() == [7.0, 20.0]
    assert out["population_method"].iloc[0] == "households"
    assert out["population_method"].isna().tolist() == [False, True]
    assert out.attrs["notes"][-1].render("en").startswith(
        "residents of the areas are estimated: the census population of c.gpkg, 7 residents")
    assert areas["population"].tolist() == [10.0, 20.0]  # the input is not changed
    # accepted again: the earlier estimate's note is replaced, other notes stay
    out.attrs["notes"] = ["read note", *out.attrs["notes"]]
    again = accept_estimate(out, est.assign(population=[9.0]), census_source="d.gpkg",
                            parameters={"floor_area_per_person_m2": 30.0,
                                        "persons_per_household": 2.8})
    assert again["population"].tolist() == [9.0, 20.0]
    assert again.attrs["notes"][0] == "read note" and len(again.attrs["notes"]) == 2
    assert "d.gpkg, 9 residents" in again.attrs["notes"][1].render("en")


def test_areas_built_from_an_osm_extract_replace_the_layer(tmp_path) -> None:
    from tests.test_population_cli import _osm

    osm = _osm(tmp_path / "tiny.osm")
    # S holds the OSM areas; Z, 1 km east, none: its 300 residents stay unassigned
    census = gpd.GeoDataFrame({"id": ["S", "Z"], "population": [1_000, 300]},
                              geometry=[shapely.box(118.779, 32.039, 118.791, 32.051),
                                        shapely.box(118.80, 32.039, 118.81, 32.051)], crs=4326)
    census.to_file(tmp_path / "census.geojson", driver="GeoJSON")
    at = _page(lang="en")
    at.session_state["pop_pending_census"] = ("census.geojson",
                                              (tmp_path / "census.geojson").read_bytes())
    at.session_state["pop_pending_osm"] = ("tiny.osm", osm.read_bytes())
    at.run()
    at.radio(key="pop_source").set_value("osm").run()
    at.button(key="pop_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    units = _units(at, "Census unit")
    assert units.loc["S", "Estimated (residents)"] == 1_000
    assert units.loc["S", "Areas by floor area"] == 2
    assert units.loc["Z", "Unassigned (residents)"] == 300 and units.loc["Z", "Areas"] == 0
    assert [w.value for w in at.warning] == [
        "census units Z contain no residential area: their 300 residents are unassigned "
        "(see the summary's unassigned)"]
    assert "1,300 census residents" in at.info[0].value
    at.button(key="pop_accept").click().run()
    areas = at.session_state["data"]["layers"]["areas"].set_index("id")
    # the compound (w2) holds the 10-floor block, the rest of the landuse (w1) the 6-floor one
    # of the same footprint: 10 : 6 of 1,000 residents; the OSM areas are the layer now
    assert areas["population"].to_dict() == {"w1": 375, "w2": 625}
    assert set(areas["area_type"]) == {"old"}
    assert "by residential floor area" in areas.attrs["notes"][-1].render("en")


def test_uploaded_buildings_and_the_storey_height_weigh_the_areas(tmp_path) -> None:
    from tests.test_population_cli import _osm

    osm = _osm(tmp_path / "tiny.osm")
    census = gpd.GeoDataFrame({"id": ["S"], "population": [1_000]},
                              geometry=[shapely.box(118.779, 32.039, 118.791, 32.051)], crs=4326)
    census.to_file(tmp_path / "census.gpkg", driver="GPKG")
    # two 100 m-ish blocks of the same footprint (the OSM buildings' squares): 3 floors in the
    # compound w2; 12 m high in the landuse w1, i.e. 3 floors at 4 m a storey (4 at 3 m)
    lon0, lat0, d = 118.78, 32.04, 0.001
    buildings = gpd.GeoDataFrame(
        {"编号": ["B1", "B2"], "层数": [3.0, None], "高度": [None, 12.0]},
        geometry=[shapely.box(lon0 + 2 * d, lat0 + 2 * d, lon0 + 3 * d, lat0 + 3 * d),
                  shapely.box(lon0 + 6 * d, lat0 + 2 * d, lon0 + 7 * d, lat0 + 3 * d)], crs=4326)
    buildings.to_file(tmp_path / "buildings.gpkg", driver="GPKG")
    at = _page(lang="en")
    for kind, path in (("census", tmp_path / "census.gpkg"), ("osm", osm),
                       ("buildings", tmp_path / "buildings.gpkg")):
        at.session_state[f"pop_pending_{kind}"] = (path.name, path.read_bytes())
    at.run()
    at.radio(key="pop_source").set_value("osm").run()
    at.number_input(key="pop_storey_height").set_value(4.0).run()
    at.button(key="pop_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    at.button(key="pop_accept").click().run()
    areas = at.session_state["data"]["layers"]["areas"].set_index("id")
    # equal floor areas (3 floors each, footprints at the same latitude): 500 and 500
    assert areas["population"].to_dict() == {"w1": 500, "w2": 500}
    at.number_input(key="pop_storey_height").set_value(3.0).run()
    at.button(key="pop_run").click().run()
    at.button(key="pop_accept").click().run()
    areas = at.session_state["data"]["layers"]["areas"].set_index("id")
    # 12 m at 3 m a storey: 4 floors against 3, 1,000 × 4/7 = 571.4 → 571 and 429
    assert areas["population"].to_dict() == {"w1": 571, "w2": 429}


def test_areas_outside_the_census_named_then_left_out(tmp_path) -> None:
    census, _ = _census(tmp_path / "both.gpkg")
    census.iloc[:1].to_file(tmp_path / "west.gpkg", driver="GPKG")  # 西街道 only, 35,000
    at = _page(lang="en")
    at.session_state["pop_pending_census"] = ("west.gpkg", (tmp_path / "west.gpkg").read_bytes())
    at.run()
    at.checkbox(key="pop_keep_given").uncheck().run()
    at.button(key="pop_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    text = at.error[0].value
    assert "Residential areas rows" in text and "outside every census unit" in text
    assert "tick 'Leave out areas outside every census unit'" in text
    at.checkbox(key="pop_drop_outside").check().run()
    at.button(key="pop_run").click().run()
    assert not at.error, [e.value for e in at.error]
    assert any("outside every census unit left out" in m.value for m in at.markdown)
    before = at.session_state["data"]["layers"]["areas"].set_index("id")
    at.button(key="pop_accept").click().run()
    after = at.session_state["data"]["layers"]["areas"].set_index("id")
    inside = after["census_unit"].notna()
    # the areas in 西街道 hold its 35,000 residents; those left out keep the demo's figures
    assert after.loc[inside, "population"].sum() == 35_000
    assert after.loc[~inside, "population"].equals(before.loc[~inside, "population"])
    assert len(after) == 71 and (~inside).sum() > 0


@pytest.mark.realdata
def test_osm_areas_of_nanjing_in_the_app(nanjing_osm: Path, tmp_path: Path) -> None:
    census = gpd.GeoDataFrame(
        {"id": ["W", "E"], "population": [45_000, 38_000], "age_0_3": [1_100, 900],
         "age_60_plus": [9_800, 8_100]},
        geometry=[shapely.box(118.760, 32.030, 118.780, 32.053),
                  shapely.box(118.780, 32.030, 118.800, 32.053)], crs=4326)
    census.to_file(tmp_path / "census.gpkg")
    at = _page()
    at.session_state["pop_pending_census"] = ("census.gpkg",
                                              (tmp_path / "census.gpkg").read_bytes())
    at.session_state["pop_pending_osm"] = ("nanjing.osm", nanjing_osm.read_bytes())
    at.run()
    at.radio(key="pop_source").set_value("osm").run()
    at.button(key="pop_run").click().run()
    assert not at.exception and not at.error
    units = _units(at, "普查单元")
    assert units["已分配（人）"].to_dict() == {"W": 45_000, "E": 38_000}
    assert units["已分配 0-3岁（人）"].sum() == 2_000
    at.button(key="pop_accept").click().run()
    a = at.session_state["data"]["layers"]["areas"]
    # the same 11 areas and totals as the command (test_population_cli.test_from_osm_nanjing)
    assert len(a) == 11 and a["population"].sum() == 83_000
    assert a["age_60_plus"].sum() == 17_900
    assert "当前数据：上传自有数据；居住区 11 个" in at.markdown[0].value
