"""The maps of the app pages: the plan's map on the scenario page, home, comparison."""

from __future__ import annotations

import json
import re

import geopandas as gpd
import pytest
from shapely.geometry import Point, box

from tests.test_app import _no_exception, _page

pytestmark = pytest.mark.usefixtures("app_store")  # tests/conftest.py


def _maps(at) -> list[str]:
    """The HTML of every map on the page."""
    return [e.proto.srcdoc for e in at.get("iframe")]


def _legend(html: str) -> str:
    found = re.search(r'div\.innerHTML = ("(?:[^"\\]|\\.)*")', html)
    assert found is not None
    return json.loads(found.group(1))


@pytest.mark.slow
def test_scenario_map_of_both_services_marks_shared_sites_and_draws_reach_on_demand() -> None:
    at = _page("scenarios")
    at.session_state["sc_service"] = "both"
    at.run()
    at.button(key="sc_run").click().run()
    _no_exception(at)
    assert at.radio(key="sc_colour").options == [
        "托育缺口（托位）", "托育需求满足比例（%）", "托育需求（托位）", "养老缺口（m²）",
        "养老需求满足比例（%）", "养老需求（m²）", "覆盖率"]
    (html,) = _maps(at)
    assert "site-shared" in html and "site-childcare" in html and "site-eldercare" in html
    assert "步行服务范围" not in _legend(html)  # off until asked for
    at.session_state["sc_colour"] = "eldercare_area_required_m2"
    at.checkbox(key="sc_site_areas_on").check().run()
    _no_exception(at)
    (html,) = _maps(at)
    legend = _legend(html)
    assert "养老需求（m²）" in legend
    assert "托育步行服务范围" in legend and "养老步行服务范围" in legend
    # one walking area per site, at each service's own minutes and speed
    _, reach = at.session_state["sc_site_areas"]
    assert set(reach["service"]) == {"childcare", "eldercare"}
    assert reach.groupby("service")["id"].nunique().to_dict() == {"childcare": 13,
                                                                    "eldercare": 18}


def test_home_page_colours_areas_by_need_with_units() -> None:
    at = _page("home")
    at.run()
    _no_exception(at)
    assert at.radio(key="home_colour").options == ["托育需求（托位）", "养老需求（m²）",
                                                   "居住人口（人）"]
    assert "托育需求（托位）" in _legend(_maps(at)[0])
    at.radio(key="home_colour").set_value("population").run()
    assert "居住人口（人）" in _legend(_maps(at)[0])


def test_comparison_of_four_scenarios_on_one_colour_scale() -> None:
    from planning.scenarios import Scenario, ScenarioStore, default_path

    shortfalls = [[0.0, 2.0], [1.0, 3.0], [4.0, 0.0], [0.0, 8.0]]
    with ScenarioStore(default_path()) as store:
        for k, vals in enumerate(shortfalls):
            areas = gpd.GeoDataFrame(
                {"id": ["a1", "a2"], "name": ["甲", "乙"], "population": [100.0, 200.0],
                 "childcare_unmet": vals, "coverage": [1.0, 0.5]},
                geometry=[box(117.27, 31.86, 117.28, 31.87), box(117.28, 31.86, 117.29, 31.87)],
                crs=4326)
            sites = gpd.GeoDataFrame(
                {"id": ["s1"], "name": ["站"], "service": ["childcare"],
                 "status": ["proposed"], "capacity": [30.0]},
                geometry=[Point(117.275, 31.865)], crs=4326)
            store.save(Scenario(
                name=f"方案{k + 1}", profile_id="hefei",
                parameters={"service": "childcare", "objective": "max_coverage", "p": k + 1,
                            "budget": 2e6 if k == 1 else None, "cutoffs": {"childcare": {
                                "minutes": 10.0 + k, "speed_m_per_min": 60.0}}},
                results={"indicators": {"childcare": {"sites": 1, "unit": "places"},
                                        "total": {"status": "optimal"}}},
                layers={"areas": areas, "sites": sites}), owner="tester")
    at = _page("comparison")
    at.run()
    _no_exception(at)
    table = at.dataframe[0].value
    assert table["方案"].tolist() == ["方案1", "方案2", "方案3", "方案4"]
    assert table["步行时间（分钟）"].tolist() == [f"托育 {m} 分钟" for m in (10, 11, 12, 13)]
    assert table["站点数上限 p（处）"].tolist() == [1, 2, 3, 4]
    # no budget: a dash, never "None"
    assert table["预算（元）"].tolist() == ["–", "2,000,000", "–", "–"]
    assert "hefei" not in set(table["政策规则"])
    maps = _maps(at)
    assert len(maps) == 4  # no cap of three
    # the largest shortfall of all four (8 托位) ends every map's scale
    for html in maps:
        assert "<span>0</span><span>8</span>" in _legend(html)


def test_home_page_without_area_types_colours_by_residents_and_says_why() -> None:
    areas = gpd.GeoDataFrame({"id": ["x1", "x2"], "name": ["甲", "乙"],
                              "population": [100.0, 300.0]},
                             geometry=[box(117.27, 31.86, 117.28, 31.87),
                                       box(117.28, 31.86, 117.29, 31.87)], crs=4326)
    at = _page("home")
    at.session_state["data"] = {"source": "upload", "layers": {"areas": areas},
                                "network_path": None}
    at.run()
    _no_exception(at)
    assert any("area_type" in c.value for c in at.caption)
    assert at.radio(key="home_colour").options == ["居住人口（人）"]
    legend = _legend(_maps(at)[0])
    assert "居住人口（人）" in legend and "<span>100</span><span>300</span>" in legend


def test_comparison_colours_by_demand_and_draws_saved_walking_areas_on_request() -> None:
    """Two scenarios keep each area's 托位 required (3 and 12; 5 and 9), a third was saved
    before demand was kept: the demand measure is offered on one scale (3 to 12 托位), the
    older scenario is named as having none; walking areas are drawn only when asked, and
    the scenario that saved none is named."""
    from planning.scenarios import Scenario, ScenarioStore, default_path

    cells = [box(117.27, 31.86, 117.28, 31.87), box(117.28, 31.86, 117.29, 31.87)]
    with ScenarioStore(default_path()) as store:
        for name, required in (("新方案甲", [3.0, 12.0]), ("新方案乙", [5.0, 9.0]),
                               ("旧方案", None)):
            cols = {"id": ["a1", "a2"], "name": ["甲", "乙"], "childcare_unmet": [0.0, 1.0]}
            if required is not None:
                cols["childcare_places_required"] = required
            reach = gpd.GeoDataFrame({"service": ["childcare"], "minutes": [10.0]},
                                     geometry=[Point(117.28, 31.865).buffer(0.004)], crs=4326)
            store.save(Scenario(
                name=name, profile_id="hefei",
                parameters={"service": "childcare", "objective": "max_coverage"},
                results={"indicators": {"childcare": {"sites": 1, "unit": "places"},
                                        "total": {"status": "optimal"}}},
                layers={"areas": gpd.GeoDataFrame(cols, geometry=cells, crs=4326),
                        "service_areas": reach if name == "新方案甲" else None}),
                owner="tester")
    at = _page("comparison")
    at.run()
    _no_exception(at)
    assert at.selectbox(key="cmp_measure").options == ["托育缺口（托位）", "托育需求（托位）"]
    assert any("旧方案" in c.value and "需求" in c.value for c in at.caption)
    assert at.checkbox(key="cmp_site_areas_on").value is False
    at.selectbox(key="cmp_measure").set_value("childcare_places_required").run()
    _no_exception(at)
    maps = _maps(at)
    assert len(maps) == 3
    for html in maps[:2]:
        legend = _legend(html)
        assert "托育需求（托位）" in legend and "<span>3</span><span>12</span>" in legend
    assert "托育需求（托位）" not in _legend(maps[2])  # the older scenario has none to show
    assert not any("步行服务范围" in _legend(html) for html in maps)
    at.checkbox(key="cmp_site_areas_on").check().run()
    _no_exception(at)
    drawn = ["步行服务范围" in _legend(html) for html in _maps(at)]
    assert drawn == [True, False, False]
    assert any("新方案乙" in c.value and "旧方案" in c.value and "步行服务范围" in c.value
               for c in at.caption)
