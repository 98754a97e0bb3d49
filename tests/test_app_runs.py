"""Scenario runs on the demo district: site tables from profiles, indicators, errors."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from errors import InfeasibleError, InputError
from geo import load_network
from geo.demo import demo_paths, load_demo
from planning.params import ScenarioParams
from planning.profiles import load_profile
from planning.runs import run_scenario
from planning.sites import site_table


@pytest.fixture(scope="module")
def demo():
    return load_demo()


@pytest.fixture(scope="module")
def net():
    return load_network(demo_paths()["network"])


def test_site_table_applies_profile_site_limits() -> None:
    cands = gpd.GeoDataFrame(
        {"id": ["a", "b", "c"], "service": ["childcare", "eldercare", "eldercare"],
         "status": "candidate", "fixed_cost": 1.0, "unit_cost": 2.0,
         "min_capacity": [20.0, 100.0, 100.0], "max_capacity": [200.0, 600.0, 300.0]},
        geometry=[Point(0, 0)] * 3, crs=4326)
    # Suizhou: at most 150 托位 per child-care institution
    cc = site_table(None, cands, service="childcare", profile=load_profile("suizhou"))
    assert cc["max_capacity"].tolist() == [150.0]
    # Hefei: elder-care sites of at least 350 m²; site c (at most 300 m²) cannot qualify
    ec = site_table(None, cands, service="eldercare", profile=load_profile("hefei"))
    assert ec["id"].tolist() == ["b"] and ec["min_capacity"].tolist() == [350.0]
    assert "c dropped" in str(ec.attrs["notes"][0])
    assert ec.attrs["notes"][0].code == "planning.candidates_dropped_size"
    with pytest.raises(InputError, match="no existing facility and no candidate site"):
        site_table(None, cands.iloc[:0], service="childcare", profile=load_profile("hefei"))


def test_min_cost_indicators_add_up(demo, net) -> None:
    run = run_scenario(areas=demo["areas"], facilities=demo["facilities"],
                       candidates=demo["candidates"], network=net,
                       profile=load_profile("hefei"), params=ScenarioParams())
    assert run.method == "network"
    assert run.solver["childcare"]["status"] == "optimal"
    new = run.sites[run.sites["status"] == "proposed"]
    cands = demo["candidates"].set_index("id")
    cost = (cands.loc[new["id"], "fixed_cost"].to_numpy()
            + cands.loc[new["id"], "unit_cost"].to_numpy() * new["new_capacity"].to_numpy())
    ind, total = run.indicators["childcare"], run.indicators["total"]
    assert ind["sites"] == total["sites"] == len(new) > 0
    assert ind["cost"] == total["cost"] == pytest.approx(cost.sum())
    assert ind["new_capacity"] == pytest.approx(new["new_capacity"].sum())
    assert ind["unit"] == "places"
    # every 托位 required is either served or reported unmet with a reason
    served = run.assignments["amount"].sum()
    assert served + ind["unmet"] == pytest.approx(ind["required"], rel=1e-6)
    assert run.unmet["reason"].str.len().gt(0).all()
    # share covered: residents of areas with no unmet 托位
    pop = run.areas["population"]
    assert total["share_covered"] == pytest.approx(pop[run.areas["fully_served"]].sum() / pop.sum())
    # areas with nothing in reach are the unmet ones
    unreached = set(run.areas.loc[~run.areas["childcare_in_reach"], "id"])
    assert unreached and unreached <= set(run.unmet["id"].astype(str))
    reasons = run.unmet.set_index("id")["reason"]
    assert all(reasons[a] == "no site within reach" for a in unreached)
    assert run.service_areas is not None and len(run.service_areas) == 1


def test_max_coverage_respects_p_and_budget(demo, net) -> None:
    prof = load_profile("hefei")
    run = run_scenario(areas=demo["areas"], facilities=demo["facilities"],
                       candidates=demo["candidates"], network=net, profile=prof,
                       params=ScenarioParams(objective="max_coverage", p=2))
    assert run.indicators["total"]["sites"] <= 2
    run_b = run_scenario(areas=demo["areas"], facilities=demo["facilities"],
                         candidates=demo["candidates"], network=net, profile=prof,
                         params=ScenarioParams(objective="max_coverage", budget=3.0e6))
    assert run_b.indicators["total"]["cost"] <= 3.0e6 + 1e-6


def test_both_services_and_straight_line_fallback(demo) -> None:
    run = run_scenario(areas=demo["areas"], facilities=demo["facilities"],
                       candidates=demo["candidates"], network=None,
                       profile=load_profile("hefei"), params=ScenarioParams(service="both"))
    assert run.method == "straight-line"
    assert set(run.solver) == {"both"}  # joint siting on shared sites
    assert run.indicators["total"]["sites"] == (run.indicators["childcare"]["sites"]
                                       + run.indicators["eldercare"]["sites"])
    ec = run.sites[(run.sites["service"] == "eldercare") & (run.sites["status"] == "proposed")]
    # Hefei's least elder-care site (350 m²) holds for candidates in or next to new areas
    ruled = ec[ec["size_rule"] == "eldercare_min_site_new"]
    assert len(ruled) and (ruled["new_capacity"] >= 350.0 - 1e-6).all()
    # the 街道 rule: every 街道 has an elder-care site (existing or proposed)
    units = set(demo["areas"]["admin_unit"])
    have = set(demo["facilities"].loc[demo["facilities"]["service"] == "eldercare",
                                      "admin_unit"])
    cands = demo["candidates"].set_index("id")
    have |= set(cands.loc[ec["id"], "admin_unit"])
    assert units <= have


def test_joint_cost_matches_the_model_on_the_demo(demo, net) -> None:
    prof = load_profile("hefei")
    run = run_scenario(areas=demo["areas"], facilities=demo["facilities"],
                       candidates=demo["candidates"], network=net, profile=prof,
                       params=ScenarioParams(service="both", allow_unmet=True))
    sep = run_scenario(areas=demo["areas"], facilities=demo["facilities"],
                       candidates=demo["candidates"], network=net, profile=prof,
                       params=ScenarioParams(service="both", joint=False))
    assert run.solver["both"]["status"] == "optimal"
    # same requirement left unmet (out of reach) and sharing sites never costs more than
    # siting each service on its own (objectives differ only by their unmet penalties)
    for svc in ("childcare", "eldercare"):
        assert run.indicators[svc]["unmet"] == pytest.approx(sep.indicators[svc]["unmet"])
    assert "unmet" not in run.indicators["total"]  # 托位 and m² are never added
    assert run.indicators["total"]["cost"] <= sep.indicators["total"]["cost"] + 1e-6
    assert run.indicators["total"]["shared_sites"] >= 1
    shared = run.joint_sites[run.joint_sites["both_open"]]
    opened = run.sites[run.sites["status"] == "proposed"]
    both = opened.groupby("site_id")["service"].nunique()
    assert set(shared["id"]) == set(both[both == 2].index)


def test_hard_scenario_infeasible_names_areas(demo, net) -> None:
    with pytest.raises(InfeasibleError, match="no site in reach"):
        run_scenario(areas=demo["areas"], facilities=demo["facilities"],
                     candidates=demo["candidates"], network=net,
                     profile=load_profile("hefei"),
                     params=ScenarioParams(allow_unmet=False))


def test_bad_parameters_collected() -> None:
    with pytest.raises(InputError) as err:
        ScenarioParams(service="pets", objective="p_median", minutes=-1).validate()
    msg = str(err.value)
    assert "3 problem(s)" in msg and "'pets'" in msg and "needs a number of sites p" in msg


def test_scenario_results_are_storable(demo, net, tmp_path) -> None:
    from planning.scenarios import ScenarioStore, comparison_table, saved_scenario

    run = run_scenario(areas=demo["areas"], facilities=demo["facilities"],
                       candidates=demo["candidates"], network=net,
                       profile=load_profile("hefei"), params=ScenarioParams())
    store = ScenarioStore(tmp_path / "s.sqlite")
    sid = store.save(saved_scenario(run, name="x", profile_id="hefei",
                                    candidates=demo["candidates"]), owner="u")
    sc = store.load(sid, owner="u")
    assert sc.profile_id == "hefei" and sc.parameters["service"] == run.params["service"]
    pd.testing.assert_frame_equal(sc.results["sites"].reset_index(drop=True),
                                  run.sites.reset_index(drop=True), check_dtype=False)
    assert set(sc.layers) == {"areas", "sites", "service_areas", "candidates"}
    assert list(sc.layers["areas"].columns) == ["id", "name", "population", "shortfall",
                                                "childcare_unmet", "childcare_places_required",
                                                "eldercare_area_required_m2", "coverage",
                                                "fully_served", "geometry"]
    assert sc.layers["areas"]["fully_served"].tolist() == run.areas["fully_served"].tolist()
    table = comparison_table([sc], lang="en")
    assert table.loc[0, "New sites"] == run.indicators["total"]["sites"]
    assert np.isclose(table.loc[0, "Cost (yuan)"], run.indicators["total"]["cost"])


def test_child_care_places_are_whole_and_floor_area_need_not_be(demo, net) -> None:
    run = run_scenario(areas=demo["areas"], facilities=demo["facilities"],
                       candidates=demo["candidates"], network=net,
                       profile=load_profile("hefei"),
                       params=ScenarioParams(service="both", allow_unmet=True))
    new = run.sites[run.sites["status"] == "proposed"]
    cc = new.loc[new["service"] == "childcare", "new_capacity"].to_numpy(float)
    assert len(cc) and np.allclose(cc, np.round(cc), atol=1e-6)  # 托位 come whole
    ec = new.loc[new["service"] == "eldercare", "new_capacity"].to_numpy(float)
    # m² are not rounded up to whole square metres (the demo's requirements are fractional)
    assert len(ec) and not np.allclose(ec, np.round(ec), atol=1e-6)


def test_joint_results_never_add_places_and_square_metres(demo) -> None:
    from planning.summaries import shortfall_layers

    run = run_scenario(areas=demo["areas"], facilities=demo["facilities"],
                       candidates=demo["candidates"], network=None,
                       profile=load_profile("hefei"), params=ScenarioParams(service="both"))
    assert "shortfall" not in run.areas.columns  # no 托位 + m² anywhere
    layers = dict(shortfall_layers(run.areas, "zh"))
    assert layers == {"childcare_unmet": "托育缺口（托位）", "eldercare_unmet": "养老缺口（m²）"}
    one = run_scenario(areas=demo["areas"], facilities=demo["facilities"],
                       candidates=demo["candidates"], network=None,
                       profile=load_profile("hefei"), params=ScenarioParams())
    assert shortfall_layers(one.areas, "en") == [("shortfall", "Child care shortfall (places)")]
