"""Demand of a run: target year with the occupancy ramp, need by age, the planner's figures."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from core.messages import as_text
from errors import InputError
from geo.demo import load_demo
from planning.cli import main
from planning.demand import compute_demand
from planning.params import ScenarioParams
from planning.profiles import load_profile
from planning.run_demand import apply_target_year, demand_comparison, need_demand
from planning.runs import run_scenario
from planning.sweep_setup import parse_vary, scenario_params


def _areas() -> gpd.GeoDataFrame:
    # an old area lived in for years, and a development completing in 2027
    return gpd.GeoDataFrame(
        {"id": ["A", "B"], "area_type": ["old", "new"], "population": [1000.0, 2000.0],
         "admin_unit": ["和平街道", "幸福街道"], "completion_year": [2001, 2027]},
        geometry=[Point(0, 0), Point(0.001, 0)], crs=4326)


@pytest.mark.parametrize(("year", "b_places"), [(2025, 0.0), (2027, 0.0), (2028, 10.0),
                                                (2029, 16.0), (2030, 20.0)])
def test_a_development_completing_2027_counts_from_2030_by_the_default_ramp(year, b_places):
    # Hefei: 8 托位 per 1000 residents in old areas, 10 in new ones; the tool's ramp
    # 0 / 50 % / 80 % / 100 %: B (2000 residents when full) is empty in 2027, full from 2030
    demand = compute_demand(_areas(), load_profile("hefei"))
    out, notes = apply_target_year(demand, ScenarioParams(target_year=year))
    assert out["childcare_places_required"].tolist() == pytest.approx([8.0, b_places])
    assert out["population_when_full"].tolist() == [1000.0, 2000.0]
    assert out.attrs["target_year"]["basis"] == "tool_default"
    if year == 2025:
        assert as_text(notes[0], "en") == (
            "target year 2025: 1 areas not yet completed are left out (2,000 residents when "
            "full), 0 are scaled by the occupancy ramp (0 residents counted); ramp 0% / 50% / "
            "80% / 100% (share occupied from the completion year on): tool default (no "
            "document states it)")


def test_a_planners_ramp_is_named_as_the_planners():
    demand = compute_demand(_areas(), load_profile("hefei"))
    out, notes = apply_target_year(demand, ScenarioParams(target_year=2028,
                                                          occupancy_ramp=(0.5, 1.0)))
    assert out["population"].tolist() == [1000.0, 2000.0]  # 2028 is a year after 2027: full
    assert "set by the planner" in as_text(notes[0], "en")


def test_need_based_childcare_demand_is_children_under_three_times_the_rate():
    areas = _areas().assign(age_0_3=[30.0, 50.0])
    demand = compute_demand(areas, load_profile("quzhou"), missing_rule="zero")
    out, _ = need_demand(demand, load_profile("quzhou"),
                         ScenarioParams(demand_basis="need", enrolment_rate=0.15))
    assert out["childcare_places_need"].tolist() == pytest.approx([4.5, 7.5])
    assert out["childcare_places_required"].tolist() == pytest.approx([4.5, 7.5])
    # Quzhou's plan sets 入托率 15 % for 2025: the profile's latest rate by default
    out2, notes = need_demand(demand, load_profile("quzhou"), ScenarioParams())
    assert out2["childcare_places_need"].tolist() == pytest.approx([4.5, 7.5])
    assert out2["childcare_places_required"].tolist() == pytest.approx(
        out2["childcare_places_policy"].tolist())
    table = demand_comparison(out2)
    tot = table[(table["unit_name"] == "(total)") & (table["service"] == "childcare")].iloc[0]
    assert tot["need_demand"] == pytest.approx(12.0) and tot["need_unit"] == "places"
    assert tot["policy_unit"] == "places" and tot["used"] == "policy"
    assert "15.0%" in tot["need_basis"]


def test_need_basis_without_age_groups_is_refused():
    demand = compute_demand(_areas(), load_profile("hefei"))
    with pytest.raises(InputError, match="needs age groups"):
        need_demand(demand, load_profile("hefei"), ScenarioParams(demand_basis="need"))


def test_demand_parameters_are_checked_with_messages():
    with pytest.raises(InputError) as exc:
        ScenarioParams(target_year=1800, occupancy_ramp=(0.5, 1.5), demand_basis="x",
                       enrolment_rate=1.5, persons_per_household=float("nan"),
                       childcare_per_1000=-1.0).validate()
    codes = [p.code for p in exc.value.problems]
    assert codes == ["planning.param_positive", "planning.param_positive",
                     "planning.param_year", "planning.param_ramp", "planning.param_basis",
                     "planning.param_enrolment"]
    assert as_text(exc.value.problems[2], "en") == (
        "scenario parameters: the target year must be a whole year between 2000 and 2100; "
        "got 1800")


def test_run_records_target_year_and_demand_per_street():
    d = load_demo()
    areas = d["areas"].copy()
    areas.loc[areas.index[:2], "completion_year"] = 2027
    full = areas.loc[areas.index[:2], "population"].sum()
    args = {"facilities": d["facilities"], "candidates": d["candidates"], "network": None,
            "profile": load_profile("hefei")}
    r25 = run_scenario(areas=areas, params=ScenarioParams(target_year=2025), **args)
    r30 = run_scenario(areas=areas, params=ScenarioParams(target_year=2030), **args)
    tot = {y: r.demand_table.set_index(["unit_name", "service"]).loc[
        ("(total)", "childcare"), "policy_demand"] for y, r in ((2025, r25), (2030, r30))}
    # the two areas are old ones (8 托位 per 1000 residents): left out in 2025 only
    assert tot[2030] - tot[2025] == pytest.approx(full / 1000 * 8)
    assert r25.params["target_year_used"]["left_out"] == 2
    assert r30.params["target_year_used"]["left_out"] == 0
    assert any(n.code == "planning.target_year" for n in r25.notes)
    assert {r["rule"] for r in r30.demand_rules if r["service"] == "childcare"} == {
        "childcare_places_new", "childcare_places_old"}


def test_plan_cli_records_target_year_ramp_and_basis(tmp_path, capsys):
    out = tmp_path / "r.json"
    assert main(["plan", "--demo", "--straight-line", "--target-year", "2030",
                 "--occupancy-ramp", "0,50%,1", "--out", str(out)]) == 0
    doc = json.loads(out.read_text(encoding="utf-8"))["demand"]
    assert (doc["target_year"], doc["occupancy_ramp"], doc["demand_basis"]) == (
        2030, [0.0, 0.5, 1.0], "policy")
    assert doc["target_year_used"]["basis"] == "planner"
    totals = pd.DataFrame(doc["totals"])
    assert set(totals["unit_name"]) == {"和平街道", "幸福街道", "锦城街道", "滨湖街道", "(total)"}
    assert np.isfinite(totals["policy_demand"]).all()
    # need-based demand without age groups: status 2, the reason, nothing written
    bad = tmp_path / "n" / "r.json"
    assert main(["plan", "--demo", "--straight-line", "--demand-basis", "need",
                 "--enrolment-rate", "0.15", "--out", str(bad)]) == 2
    assert "needs age groups" in capsys.readouterr().err
    assert not bad.parent.exists()
    assert main(["plan", "--demo", "--straight-line", "--target-year", "1900",
                 "--out", str(bad)]) == 2
    assert "between 2000 and 2100" in capsys.readouterr().err


def test_sweep_can_vary_the_target_year():
    combo = parse_vary(["target_year=2025,2030"])
    assert combo == {"target_year": [2025, 2030]}
    assert scenario_params(ScenarioParams(), {"target_year": 2030}).target_year == 2030


def test_a_plan_run_on_need_serves_children_under_three_times_the_rate(tmp_path):
    from maps.bundle import scenario_documents
    from planning.scenarios import ScenarioStore, saved_scenario

    d = load_demo()
    areas = d["areas"].copy()
    areas["age_0_3"] = 30.0  # 30 children under three in every area
    run = run_scenario(areas=areas, facilities=d["facilities"], candidates=d["candidates"],
                       network=None, profile=load_profile("hefei"),
                       params=ScenarioParams(demand_basis="need", enrolment_rate=0.1))
    # 71 areas × 30 children × 10 % = 213 托位, beside the policy figure
    assert run.indicators["childcare"]["required"] == pytest.approx(71 * 30 * 0.1)
    tot = run.demand_table.set_index("unit_name").loc["(total)"]
    assert tot["need_demand"] == pytest.approx(213.0) and tot["used"] == "need"
    assert tot["policy_demand"] == pytest.approx(672.70984)  # 10 / 8 托位 per 1000
    assert list(run.demand_table["service"].unique()) == ["childcare"]
    assert any(n.code == "planning.demand_basis_used" for n in run.notes)
    # a saved scenario keeps both demands, and its workbook shows them
    with ScenarioStore(tmp_path / "s.sqlite") as store:
        sid = store.save(saved_scenario(run, name="need", profile_id="hefei"), owner="t")
        back = store.load(sid, owner="t")
    assert back.results["demand"]["need_demand"].iloc[-1] == pytest.approx(213.0)
    docs = scenario_documents(scenario=back, lang="en")
    assert docs["xlsx"][:2] == b"PK" and docs["report"][:5] == b"%PDF-"
