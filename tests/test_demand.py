"""Demand per area under each jurisdiction's profile, with hand-derived values."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from errors import InputError
from planning.demand import compute_demand, parse_number_list
from planning.profiles import load_profile


def frame(rows):
    cols = ["id", "area_type", "population", "households", "floor_area_m2"]
    return pd.DataFrame([dict(zip(cols, r, strict=False)) for r in rows], columns=cols)


def by_id(df):
    return df.set_index("id")


# (profile, area_type, population, households) -> (population, households, 托位 required,
# elder-care m² required); NaN where the jurisdiction has no figure.
CASES = [
    # Hefei: 10/1000 new, 8 old; 30 m²/100 households new, 20 old; 2.62 persons/household
    ("hefei", "new", 5240, None, 5240, 2000, 52.4, 600),
    ("hefei", "old", None, 1000, 2620, 1000, 20.96, 200),
    # Quzhou: national 2.62 persons/household (2.33 is a census statistic of the plan's trends
    # section, audit M1); 20 m²/100 households new; old areas: no figure (audit H1)
    ("quzhou", "new", None, 1000, 2620, 1000, 26.2, 200),
    ("quzhou", "old", None, 100, 262, 100, np.nan, np.nan),
    # Suizhou: 4.5/1000 new; 20 m²/100 new; old: 按标补齐, no figure
    ("suizhou", "new", 10000, None, 10000, 10000 / 2.62, 45, 20 * 10000 / 2.62 / 100),
    ("suizhou", "old", 10000, None, 10000, 10000 / 2.62, np.nan, np.nan),
    # Chuzhou: old 20 m²/100 households, new not stated
    ("chuzhou", "old", None, 500, 1310, 500, 10.48, 100),
    ("chuzhou", "new", 2000, 800, 2000, 800, 20, np.nan),
    # Xuanhan: 10 / 8 托位, no elder-care floor-area figure
    ("xuanhan", "new", 3000, None, 3000, 3000 / 2.62, 30, np.nan),
    ("xuanhan", "old", 2500, 1000, 2500, 1000, 20, np.nan),
]


@pytest.mark.parametrize(("pid", "at", "pop", "hh", "e_pop", "e_hh", "e_cc", "e_ec"), CASES)
def test_demand_by_jurisdiction(pid, at, pop, hh, e_pop, e_hh, e_cc, e_ec):
    out = compute_demand(frame([("a", at, pop, hh)]), load_profile(pid)).iloc[0]
    assert out["population"] == pytest.approx(e_pop)
    assert out["households"] == pytest.approx(e_hh)
    assert out["childcare_places_required"] == pytest.approx(e_cc, nan_ok=True)
    assert out["eldercare_area_required_m2"] == pytest.approx(e_ec, nan_ok=True)


def test_derivations_are_recorded():
    df = frame([("given", "new", 5240, None), ("hh", "old", None, 1000),
                ("floor", "new", None, None, 35000)])
    out = by_id(compute_demand(df, load_profile("hefei")))
    # the derivation is a code, the factor used in its own column
    assert list(out["population_method"]) == ["given", "households", "floor_area"]
    assert out.loc["given", "population_factor"] != out.loc["given", "population_factor"]  # NaN
    assert out.loc["hh", "population_factor"] == 2.62
    assert out.loc["floor", "population"] == pytest.approx(1000)
    assert out.loc["floor", "population_factor"] == 35
    assert list(out["households_method"]) == ["population", "given", "population"]
    assert out.loc["given", "households_factor"] == 2.62
    assert out.loc["given", "households"] == pytest.approx(2000)
    assert out.loc["given", "childcare_rule"] == "childcare_places_new"
    assert out.loc["hh", "eldercare_rule"] == "eldercare_area_old"
    # rendered in the interface language where a planner sees it
    from planning.demand import population_message

    msg = population_message("households", 2.62, "hefei")
    assert msg.render("en") == "households×2.62 (profile hefei: persons_per_household)"
    assert msg.render("zh") == "户数×2.62（规则集 hefei：persons_per_household）"
    assert population_message("floor_area", 35.0, "hefei").render("zh") == (
        "住宅建筑面积/35（规则集 hefei：floor_area_per_person_m2）")
    # the planner's persons per household: 300 households × 2.33 = 699 residents
    q = compute_demand(frame([("x", "new", None, 300)]), load_profile("quzhou").with_parameter(
        "persons_per_household", 2.33)).iloc[0]
    assert q["population"] == pytest.approx(699)
    assert (q["population_method"], q["population_factor"]) == ("households", 2.33)


def test_elderly_population_from_column_or_profile_share():
    df = frame([("a", "new", 5240, None), ("b", "old", 1000, None)])
    df["elderly_share"] = [np.nan, 0.3]
    out = by_id(compute_demand(df, load_profile("hefei")))
    assert out.loc["a", "elderly_population"] == pytest.approx(5240 * 0.153)
    assert out.loc["a", "elderly_source"] == "profile hefei: elderly_share_60plus=0.153"
    assert out.loc["b", "elderly_population"] == pytest.approx(300)
    assert out.loc["b", "elderly_source"] == "elderly_share"
    out = by_id(compute_demand(df, load_profile("hefei"), use_profile_elderly_share=False))
    assert np.isnan(out.loc["a", "elderly_population"])
    assert out.loc["b", "elderly_population"] == pytest.approx(300)


def test_missing_rule_policy_for_suizhou_old_areas():
    df = frame([("o1", "old", 1000, None), ("n1", "new", 1000, None)])
    s = load_profile("suizhou")
    zero = by_id(compute_demand(df, s, missing_rule="zero"))
    assert zero.loc["o1", "childcare_places_required"] == 0
    assert pd.isna(zero.loc["o1", "childcare_rule"])
    assert zero.loc["n1", "childcare_places_required"] == pytest.approx(4.5)
    with pytest.raises(InputError) as exc:
        compute_demand(df, s, missing_rule="error")
    msg = str(exc.value)
    assert "no childcare_places_per_1000 rule for old areas" in msg and "o1" in msg


def test_every_bad_row_is_reported_at_once():
    df = frame([
        ("ok", "new", 100, None),
        ("nothing1", "new", None, None),
        ("nothing2", "old", np.nan, np.nan),
        ("neg", "new", -5, 10),
        ("badtype", "mixed", 100, None),
        ("text", "new", "many", None),
    ])
    df["population"] = df["population"].astype(object)
    with pytest.raises(InputError) as exc:
        compute_demand(df, load_profile("national"), source="areas.gpkg")
    err = exc.value
    msg = str(err)
    assert "areas.gpkg" in msg
    missing = next(p for p in err.problems if "no households or floor_area_m2" in p.message)
    assert list(missing.rows) == ["nothing1", "nothing2", "text"]
    assert any(p.field == "population" and "neg=-5" in p.message for p in err.problems)
    assert any(p.field == "area_type" and "badtype='mixed'" in p.message for p in err.problems)
    assert any(p.field == "population" and "not a number" in p.message for p in err.problems)


def test_geodataframe_in_geodataframe_out():
    gdf = gpd.GeoDataFrame(
        {"id": ["a"], "area_type": ["new"], "population": [np.nan], "households": [100.0]},
        geometry=[Point(117.27, 31.86)], crs="EPSG:4326",
    )
    out = compute_demand(gdf, load_profile("hefei"))
    assert isinstance(out, gpd.GeoDataFrame)
    assert out.crs == gdf.crs and out.geometry.iloc[0].equals(Point(117.27, 31.86))
    assert out["childcare_places_required"].iloc[0] == pytest.approx(2.62)
    assert np.isnan(gdf["population"].iloc[0])  # input untouched


@pytest.mark.parametrize(("value", "expected"), [
    ("200,150", [200, 150]), ("200，150", [200, 150]), ("350、400", [350, 400]),
    ([1, 2.5], [1, 2.5]), ("", None), (None, None), (np.nan, None), (pd.NA, None),
    ("120", [120]),
])
def test_parse_number_list(value, expected):
    assert parse_number_list(value) == expected


def test_parse_number_list_names_the_bad_piece():
    with pytest.raises(ValueError, match="'abc' is not a number"):
        parse_number_list("300,abc")
