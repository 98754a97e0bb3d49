"""Scenario store: round trip, owners kept apart, atomic saves, reopen after restart."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from geopandas.testing import assert_geodataframe_equal
from shapely.geometry import Point, box

from core.messages import Message, as_text
from errors import InputError
from planning.scenarios import (
    Scenario,
    ScenarioNotFound,
    ScenarioStore,
    comparison_rows,
    comparison_table,
    default_path,
    from_jsonable,
    to_jsonable,
)
from planning.summaries import (
    nested_indicators,
    shortfall_by_development,
    uncovered_ids,
    unmet_with_names,
)


@pytest.fixture
def layers() -> dict[str, gpd.GeoDataFrame]:
    areas = gpd.GeoDataFrame(
        {"id": ["a1", "a2"], "name": ["甲", "乙"], "population": [1200.0, np.nan]},
        geometry=[box(117.27, 31.86, 117.275, 31.865), box(117.28, 31.86, 117.285, 31.865)],
        crs=4326,
    )
    sites = gpd.GeoDataFrame(
        {"id": ["c1"], "capacity": [120.0]}, geometry=[Point(117.272, 31.862)], crs=4326
    )
    return {"areas": areas, "sites": sites}


def _scenario(layers, name="方案A") -> Scenario:
    return Scenario(
        name=name,
        profile_id="hefei",
        parameters={"service": "childcare", "minutes": 15.0, "p": np.int64(3)},
        results={
            "indicators": {"cost": 1.5e6, "share_covered": np.float64(0.9), "gap": float("nan")},
            "sites": pd.DataFrame({"id": ["c1"], "capacity": [120.0], "open": [True]}),
        },
        layers=layers,
    )


def test_roundtrip_and_reopen_after_restart(tmp_path, layers) -> None:
    path = tmp_path / "store.sqlite"
    store = ScenarioStore(path)
    sid = store.save(_scenario(layers), owner="alice")
    store.close()

    reopened = ScenarioStore(path)  # a new connection, as after a restart
    listed = reopened.list(owner="alice")
    assert [s["name"] for s in listed] == ["方案A"] and listed[0]["id"] == sid
    sc = reopened.load(sid, owner="alice")
    assert sc.profile_id == "hefei"
    assert sc.parameters == {"service": "childcare", "minutes": 15.0, "p": 3}
    assert sc.results["indicators"] == {"cost": 1.5e6, "share_covered": 0.9, "gap": None}
    pd.testing.assert_frame_equal(
        sc.results["sites"], pd.DataFrame({"id": ["c1"], "capacity": [120.0], "open": [True]})
    )
    assert_geodataframe_equal(sc.layers["areas"], layers["areas"], check_less_precise=True)
    assert list(sc.layers) == ["areas", "sites"]
    reopened.close()


def test_owners_are_kept_apart(tmp_path, layers) -> None:
    store = ScenarioStore(tmp_path / "s.sqlite")
    sid = store.save(_scenario(layers), owner="alice")
    store.save(_scenario(layers, name="B"), owner="bob")
    assert [s["name"] for s in store.list(owner="bob")] == ["B"]
    with pytest.raises(ScenarioNotFound, match=sid):
        store.load(sid, owner="bob")
    assert store.delete(sid, owner="bob") is False
    assert len(store.list(owner="alice")) == 1
    # bob cannot overwrite alice's scenario by reusing its id
    hijack = _scenario(layers, name="hijack")
    hijack.id = sid
    with pytest.raises(ScenarioNotFound, match="does not belong"):
        store.save(hijack, owner="bob")
    assert store.load(sid, owner="alice").name == "方案A"
    with pytest.raises(InputError, match="owner"):
        store.list(owner="")


def test_failed_save_stores_nothing(tmp_path, layers) -> None:
    store = ScenarioStore(tmp_path / "s.sqlite")
    bad = _scenario(layers)
    # the scenario row and the first layer are written before the bad layer fails
    bad.layers = {"areas": layers["areas"], "broken": "not a layer"}  # type: ignore[dict-item]
    with pytest.raises(TypeError, match="broken"):
        store.save(bad, owner="alice")
    assert store.list(owner="alice") == []
    assert store._conn.execute("SELECT COUNT(*) FROM layers").fetchone() == (0,)

    # a failed re-save keeps the previous version whole
    good = _scenario(layers)
    sid = store.save(good, owner="alice")
    good.results = {"x": object()}
    with pytest.raises(TypeError, match="cannot store"):
        store.save(good, owner="alice")
    sc = store.load(sid, owner="alice")
    assert "indicators" in sc.results and set(sc.layers) == {"areas", "sites"}


def test_delete_and_resave_replaces(tmp_path, layers) -> None:
    store = ScenarioStore(tmp_path / "s.sqlite")
    sc = _scenario(layers)
    sid = store.save(sc, owner="u")
    sc.name = "renamed"
    assert store.save(sc, owner="u") == sid
    assert [s["name"] for s in store.list(owner="u")] == ["renamed"]
    assert store.delete(sid, owner="u") is True
    assert store.list(owner="u") == []
    assert store._conn.execute("SELECT COUNT(*) FROM layers").fetchone() == (0,)


def test_layer_without_crs_is_refused(tmp_path, layers) -> None:
    store = ScenarioStore(":memory:")
    sc = _scenario({"areas": layers["areas"].set_crs(None, allow_override=True)})
    with pytest.raises(InputError, match="no CRS"):
        store.save(sc, owner="u")
    assert store.list(owner="u") == []


def test_default_path_env(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("YILAO_DATA_DIR", str(tmp_path))
    assert default_path() == tmp_path / "scenarios.sqlite"


def test_jsonable() -> None:
    assert to_jsonable({"a": np.float32(1.5), "b": [np.int8(2)], "c": np.inf}) == {
        "a": 1.5, "b": [2], "c": None}
    df = pd.DataFrame({"x": [1.0, np.nan]})
    back = from_jsonable(to_jsonable(df))
    assert back["x"].iloc[0] == 1.0 and pd.isna(back["x"].iloc[1])


def test_concurrent_saves_from_threads(tmp_path, layers) -> None:
    from concurrent.futures import ThreadPoolExecutor

    store = ScenarioStore(tmp_path / "s.sqlite")
    with ThreadPoolExecutor(max_workers=4) as pool:
        ids = list(pool.map(lambda k: store.save(_scenario(layers, name=f"S{k}"),
                                                 owner=f"user{k % 2}"), range(12)))
    assert len(set(ids)) == 12
    assert len(store.list(owner="user0")) == len(store.list(owner="user1")) == 6


# --------------------------------------------------------------------------- comparison

_ONE = {"sites": 2, "places": 700.5, "cost": 1.5e6, "per_1000": 35.123, "unmet": 12.25,
        "required": 900.0, "share_covered": 0.9, "status": "optimal", "gap": 0.0}
_BOTH_FLAT = {
    "childcare_sites": 1, "childcare_places": 365.0, "childcare_cost": 1e6,
    "childcare_per_1000": 3.2, "childcare_unmet": 0.0, "childcare_required": 10.0,
    "eldercare_sites": 2, "eldercare_places": 5012.4, "eldercare_cost": 2e6,
    "eldercare_per_1000": 40.0, "eldercare_unmet": 5.5, "eldercare_required": 10.0,
    "sites": 3, "cost": 3e6, "unmet": 5.5, "share_covered": 0.5, "status": "optimal",
    "gap": 0.01, "objective": None,
}
_BOTH_NESTED = {
    "childcare": {"sites": 1, "new_capacity": 365.0, "cost": 1e6, "per_1000": 3.2,
                  "unmet": 0.0, "required": 10.0, "unit": "places"},
    "eldercare": {"sites": 2, "new_capacity": 5012.4, "cost": 2e6, "per_1000": 40.0,
                  "unmet": 5.5, "required": 10.0, "unit": "m2"},
    "total": {"share_covered": 0.5, "status": "optimal", "gap": 0.01},
}


def _saved(name: str, service: str, indicators: dict) -> Scenario:
    return Scenario(name=name, parameters={"service": service, "objective": "min_cost"},
                    results={"indicators": indicators})


def test_comparison_table_shows_each_service_in_its_unit() -> None:
    table = comparison_table([_saved("A", "eldercare", _ONE), _saved("B", "both", _BOTH_FLAT)],
                             lang="zh")
    assert table["方案"].tolist() == ["A", "B"]
    assert table["新增站点数"].tolist() == [2, 3]
    # a scenario of both services gives capacity per service: the column is text with each
    # service's unit, never a sum of 托位 and m²
    assert table["新增规模"].tolist() == ["700 m²", "托育 365 托位；养老 5,012 m²"]
    assert table["每千人托位/面积"].tolist() == ["35.12 m²", "托育 3.20 托位；养老 40.00 m²"]
    assert table["未满足需求"].tolist() == ["12.2 m²", "托育 0.0 托位；养老 5.5 m²"]
    assert table["求解状态"].tolist() == ["最优", "最优"]
    english = comparison_table([_saved("B", "both", _BOTH_FLAT)], lang="en")
    assert english.loc[0, "Unmet demand"] == "child care 0.0 places；elder care 5.5 m²"


def test_comparison_of_one_service_keeps_numbers() -> None:
    table = comparison_table([_saved("A", "childcare", {**_ONE, "unmet": 0.0})], lang="en")
    assert table.loc[0, "New capacity"] == 700.5
    assert table.loc[0, "Cost (yuan)"] == 1.5e6
    assert table.loc[0, "Unmet demand"] == "0.0 places"


def test_comparison_reads_nested_and_older_flat_indicators_alike() -> None:
    flat = comparison_table([_saved("B", "both", _BOTH_FLAT)], lang="zh")
    nested = comparison_table([_saved("B", "both", _BOTH_NESTED)], lang="zh")
    pd.testing.assert_frame_equal(flat, nested)
    rows = comparison_rows([_saved("B", "both", _BOTH_NESTED)])
    assert rows[0].places == {"childcare": 365.0, "eldercare": 5012.4}
    assert rows[0].sites == 3 and rows[0].cost == 3e6  # summed only where units agree


def test_comparison_of_a_scenario_saved_before_reopens(tmp_path, layers) -> None:
    store = ScenarioStore(tmp_path / "s.sqlite")
    sid = store.save(_saved("旧方案", "both", _BOTH_FLAT), owner="u")
    table = comparison_table([store.load(sid, owner="u")], lang="zh")
    assert table.loc[0, "新增规模"] == "托育 365 托位；养老 5,012 m²"


def test_scenario_with_messages_is_stored_as_codes(tmp_path) -> None:
    note = Message("where.rows", {"rows": ["R1", "R2"]})
    store = ScenarioStore(tmp_path / "s.sqlite")
    sid = store.save(Scenario(name="x", results={"notes": [note, "plain"]}), owner="u")
    notes = store.load(sid, owner="u").results["notes"]
    assert notes[0] == {"code": "where.rows", "args": {"rows": ["R1", "R2"]},
                        "text": "rows R1, R2"}
    assert [as_text(n, "zh") for n in notes] == ["行 R1、R2", "plain"]


# --------------------------------------------------------------------------- summaries


def test_nested_indicators_of_every_form() -> None:
    one = nested_indicators(_ONE, "eldercare")
    assert set(one) == {"eldercare", "total"} and one["eldercare"]["unmet"] == 12.25
    assert one["eldercare"]["new_capacity"] == 700.5  # 'places' of the flat form
    both = nested_indicators(_BOTH_FLAT, "both")
    assert both["eldercare"]["new_capacity"] == 5012.4 and both["childcare"]["sites"] == 1
    assert "childcare_places" not in both["total"] and both["total"]["status"] == "optimal"
    assert nested_indicators(_BOTH_NESTED, "both")["total"]["gap"] == 0.01


def test_shortfall_by_development_sums_one_rule_kind() -> None:
    frame = pd.DataFrame({
        "development_id": ["D1", "D1", "D2", "D2"],
        "kind": ["childcare_per_1000", "childcare_per_1000", "childcare_per_1000",
                 "eldercare_per_100_households"],
        "shortfall": [3.0, 2.5, 0.0, 40.0],
        "unit": ["托位", "托位", "托位", "m²"],
    })
    short, unit = shortfall_by_development(frame, "childcare_per_1000")
    assert short.to_dict() == {"D1": 5.5, "D2": 0.0} and unit == "托位"
    short, unit = shortfall_by_development(frame, "eldercare_per_100_households")
    assert short.to_dict() == {"D2": 40.0} and unit == "m²"


def test_uncovered_ids_and_names_of_unmet_areas() -> None:
    areas = pd.DataFrame({"id": ["a", "b", "c"], "name": ["甲", "乙", "丙"],
                          "fully_served": [True, False, False]})
    assert uncovered_ids(areas) == ["b", "c"]
    assert uncovered_ids(areas.drop(columns="fully_served")) == []
    unmet = unmet_with_names(pd.DataFrame({"id": ["c"], "amount": [4.0]}), areas)
    assert unmet.iloc[0].tolist() == ["c", "丙", 4.0]


def test_saved_scenario_keeps_each_areas_demand_with_its_unit(tmp_path, layers) -> None:
    """R001 of the demo is an old area of 892 residents in 320 households: Hefei asks 8 托位
    per 1000 residents and 20 m² per 100 households there, 7.136 托位 and 64 m². The saved
    areas keep both; a scenario saved before they were kept offers no demand."""
    from geo import load_demo
    from planning.params import ScenarioParams
    from planning.profiles import load_profile
    from planning.runs import run_scenario
    from planning.scenarios import demand_columns, saved_scenario

    demo = load_demo()
    run = run_scenario(areas=demo["areas"], facilities=demo["facilities"],
                       candidates=demo["candidates"], network=None,
                       profile=load_profile("hefei"),
                       params=ScenarioParams(service="both", objective="min_cost"))
    store = ScenarioStore(tmp_path / "s.sqlite")
    sid = store.save(saved_scenario(run, name="需求", profile_id="hefei"), owner="u")
    back = store.load(sid, owner="u")
    r001 = back.layers["areas"].set_index("id").loc["R001"]
    assert r001["childcare_places_required"] == pytest.approx(892 * 8 / 1000)
    assert r001["eldercare_area_required_m2"] == pytest.approx(320 * 20 / 100)
    expected = {"childcare": {"column": "childcare_places_required", "unit": "places"},
                "eldercare": {"column": "eldercare_area_required_m2", "unit": "m2"}}
    assert demand_columns(back) == expected
    assert back.results["area_demand"] == expected
    old = store.load(store.save(_scenario(layers), owner="u"), owner="u")
    assert demand_columns(old) == {}
    store.close()
