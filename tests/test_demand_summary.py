"""Demand in the open: rates with sources, totals per 街道 and service in their units."""

from __future__ import annotations

import pandas as pd
import pytest

from planning.demand import compute_demand
from planning.demand_summary import demand_rules, demand_totals
from planning.profiles import load_profile


@pytest.fixture()
def demand() -> pd.DataFrame:
    areas = pd.DataFrame({
        "id": ["a", "b", "c"], "area_type": ["new", "new", "old"],
        "population": [1000.0, 2000.0, 500.0], "households": [400.0, 800.0, 200.0],
        "admin_unit": ["S1", "S2", "S1"]})
    return compute_demand(areas, load_profile("hefei"))


def test_rates_and_sources(demand: pd.DataFrame) -> None:
    rows = {(r["service"], r["area_type"]): r for r in demand_rules(demand, load_profile("hefei"))}
    new_cc = rows[("childcare", "new")]
    # Hefei: 10 托位 per 1000 in new areas → 3000 residents → 30 托位
    assert new_cc["rate"] == 10 and new_cc["required"] == pytest.approx(30.0)
    assert new_cc["unit"] == "places" and "合肥" in new_cc["source"]
    # 30 m² per 100 households in new areas → 1200 households → 360 m²; old: 20 → 40 m²
    assert rows[("eldercare", "new")]["required"] == pytest.approx(360.0)
    assert rows[("eldercare", "old")]["required"] == pytest.approx(40.0)
    assert rows[("eldercare", "old")]["unit"] == "m2"


def test_totals_per_street_never_add_units(demand: pd.DataFrame) -> None:
    t = demand_totals(demand).set_index(["unit_name", "service"])
    # S1: a (new, 1000) + c (old, 500 → 8/1000 = 4) → 10 + 4 = 14 托位
    assert t.loc[("S1", "childcare"), "required"] == pytest.approx(14.0)
    assert t.loc[("S1", "childcare"), "residents"] == pytest.approx(1500.0)
    assert t.loc[("(total)", "childcare"), "required"] == pytest.approx(34.0)
    assert t.loc[("(total)", "eldercare"), "required"] == pytest.approx(400.0)
    assert set(t["unit"]) == {"places", "m2"}
    assert not (t.reset_index()["service"] == "total").any()
