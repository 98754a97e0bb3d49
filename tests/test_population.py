"""Dasymetric population estimates with hand-derived figures.

The grid is in a metric CRS (EPSG:32650, metres) so that floor areas are exact: a building of
100 m × 50 m footprint with 4 floors has 20,000 m² of floor area.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from errors import InputError
from planning.census import largest_remainder
from planning.population import estimate_population
from planning.target_year import (
    DEFAULT_OCCUPANCY_RAMP,
    occupancy_share,
    parse_ramp,
    residents_by_year,
)

CRS = "EPSG:32650"
X0, Y0 = 600_000.0, 3_500_000.0
PARAMS = {"persons_per_household": 2.5, "floor_area_per_person_m2": 35.0}


def box(x0: float, y0: float, x1: float, y1: float) -> shapely.Polygon:
    return shapely.box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


def census(rows: list[dict], geoms: list[shapely.Geometry]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry=geoms, crs=CRS)


def areas(rows: list[dict], geoms: list[shapely.Geometry]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry=geoms, crs=CRS)


def buildings(specs: list[tuple[shapely.Geometry, float]]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"id": [f"b{i}" for i in range(len(specs))],
                             "floors": [f for _, f in specs],
                             "residential": [True] * len(specs)},
                            geometry=[g for g, _ in specs], crs=CRS)


def three_compounds() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """One unit of 10,000 residents; compounds A, B, C with 20,000 / 30,000 / 50,000 m²."""
    unit = census([{"id": "S1", "population": 10_000, "age_0_3": 300, "age_60_plus": 2_000}],
                  [box(0, 0, 3000, 1000)])
    ar = areas([{"id": "A"}, {"id": "B"}, {"id": "C"}],
               [box(0, 0, 900, 900), box(1000, 0, 1900, 900), box(2000, 0, 2900, 900)])
    # A: 100×50 m × 4 floors = 20,000 m²; B: 100×100 × 3 = 30,000; C: two of 100×50 × 5
    bl = buildings([(box(10, 10, 110, 60), 4),
                    (box(1010, 10, 1110, 110), 3),
                    (box(2010, 10, 2110, 60), 5), (box(2010, 100, 2110, 150), 5)])
    return unit, ar, bl


def test_shares_by_floor_area_2000_3000_5000() -> None:
    unit, ar, bl = three_compounds()
    est = estimate_population(ar, unit, buildings=bl, **PARAMS)
    got = dict(zip(est.areas["id"], est.areas["population"], strict=True))
    assert got == {"A": 2000, "B": 3000, "C": 5000}
    assert set(est.areas["population_method"]) == {"floor_area"}
    assert est.areas["floor_area_used_m2"].tolist() == pytest.approx([20_000, 30_000, 50_000])
    assert list(est.areas["census_unit"]) == ["S1"] * 3
    s = est.units.iloc[0]
    assert (s["census_population"], s["assigned"], s["unassigned"]) == (10_000, 10_000, 0)


def test_age_groups_follow_residents() -> None:
    unit, ar, bl = three_compounds()
    est = estimate_population(ar, unit, buildings=bl, **PARAMS)
    # the unit's 3 % under three and 20 % aged 60+ apply to every compound
    assert est.areas["age_0_3"].tolist() == [60, 90, 150]
    assert est.areas["age_60_plus"].tolist() == [400, 600, 1000]
    assert est.units.loc[0, "assigned_age_0_3"] == 300


def test_compound_split_60_40_across_two_units() -> None:
    # S1 and S2 side by side at x = 1000; compound X straddles the border, with 60 % of its
    # floor area in S1 (a 6-floor block) and 40 % in S2 (a 4-floor block of the same footprint)
    units = census([{"id": "S1", "population": 5_000}, {"id": "S2", "population": 8_000}],
                   [box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000)])
    ar = areas([{"id": "X"}, {"id": "Y"}, {"id": "Z"}],
               [box(800, 100, 1200, 300), box(100, 500, 300, 700), box(1500, 500, 1700, 700)])
    bl = buildings([(box(850, 150, 950, 250), 6), (box(1050, 150, 1150, 250), 4),
                    (box(150, 550, 250, 650), 6),     # Y: 60,000 m² in S1
                    (box(1550, 550, 1650, 650), 12)])  # Z: 120,000 m² in S2
    est = estimate_population(ar, units, buildings=bl, **PARAMS)
    a = est.areas.set_index("id")
    # S1: X's 60,000 m² and Y's 60,000 m² share 5,000 → 2,500 each
    # S2: X's 40,000 m² and Z's 120,000 m² share 8,000 → 2,000 and 6,000
    assert a.loc["X", "population"] == 2_500 + 2_000
    assert a.loc["Y", "population"] == 2_500
    assert a.loc["Z", "population"] == 6_000
    assert a.loc["X", "census_unit"] == "S1"
    assert a.loc["X", "census_shares"] == "S1 60%; S2 40%"
    assert est.areas["population"].sum() == 13_000


def test_split_by_land_area_without_buildings() -> None:
    units = census([{"id": "S1", "population": 1_000}, {"id": "S2", "population": 1_000}],
                   [box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000)])
    # X: 600 m of its 1000 m width in S1; W fills the rest of S2 as much land as X has there
    ar = areas([{"id": "X"}, {"id": "W"}],
               [box(400, 0, 1400, 100), box(1500, 0, 1900, 100)])
    est = estimate_population(ar, units, **PARAMS)
    a = est.areas.set_index("id")
    assert set(a["population_method"]) == {"area"}
    # S1 → X alone: 1000; S2: X has 400 × 100 m², W 400 × 100 m² → 500 each
    assert a.loc["X", "population"] == 1_500
    assert a.loc["W", "population"] == 500
    assert a.loc["X", "census_shares"] == "S1 60%; S2 40%"


def test_given_population_is_kept_and_taken_out_first() -> None:
    unit, ar, bl = three_compounds()
    ar["population"] = [4_000.0, np.nan, np.nan]
    est = estimate_population(ar, unit, buildings=bl, **PARAMS)
    got = dict(zip(est.areas["id"], est.areas["population"], strict=True))
    # 6,000 left for B and C, 30,000 : 50,000 → 2,250 and 3,750
    assert got == {"A": 4_000, "B": 2_250, "C": 3_750}
    assert list(est.areas["population_method"]) == ["given", "floor_area", "floor_area"]
    s = est.units.iloc[0]
    assert (s["given"], s["estimated"], s["assigned"]) == (4_000, 6_000, 10_000)
    # age groups: the unit's shares apply to the given compound too
    assert est.areas["age_0_3"].tolist() == [120, 68, 112]


def test_households_and_floor_area_fields_weigh_in_residents() -> None:
    unit = census([{"id": "S1", "population": 9_000}], [box(0, 0, 3000, 1000)])
    # A: 1,000 households × 2.5 = 2,500 potential residents; B: 87,500 m² / 35 = 2,500;
    # C: buildings 175,000 m² / 35 = 5,000 → shares 1 : 1 : 2 of 9,000
    ar = areas([{"id": "A", "households": 1000}, {"id": "B", "floor_area_m2": 87_500},
                {"id": "C"}],
               [box(0, 0, 900, 900), box(1000, 0, 1900, 900), box(2000, 0, 2900, 900)])
    bl = buildings([(box(2010, 10, 2110, 60), 35)])
    ar = ar.astype({"households": float, "floor_area_m2": float})
    est = estimate_population(ar, unit, buildings=bl, **PARAMS)
    a = est.areas.set_index("id")
    assert a["population"].tolist() == [2_250, 2_250, 4_500]
    assert a["population_method"].tolist() == ["households", "floor_area", "floor_area"]


def test_area_method_uses_density_of_the_unit() -> None:
    unit = census([{"id": "S1", "population": 3_000}], [box(0, 0, 3000, 1000)])
    # A (400 × 500 m) has 70,000 m² of buildings → 2,000 potential residents on 200,000 m² of
    # land; B has no building and the same land: it gets the unit's density, 2,000 too
    ar = areas([{"id": "A"}, {"id": "B"}], [box(0, 0, 400, 500), box(1000, 0, 1400, 500)])
    bl = buildings([(box(10, 10, 110, 110), 7)])
    est = estimate_population(ar, unit, buildings=bl, **PARAMS)
    a = est.areas.set_index("id")
    assert a["population"].tolist() == [1_500, 1_500]
    assert a["population_method"].tolist() == ["floor_area", "area"]


def test_totals_conserved_on_a_random_grid() -> None:
    rng = np.random.default_rng(12)
    units = census([{"id": f"S{i}", "population": int(p)}
                    for i, p in enumerate(rng.integers(1_000, 50_000, 4))],
                   [box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000),
                    box(0, 1000, 1000, 2000), box(1000, 1000, 2000, 2000)])
    geoms, rows = [], []
    for k in range(40):
        x, y = rng.uniform(0, 1850, 2)
        geoms.append(box(x, y, x + 150, y + 150))
        rows.append({"id": f"A{k}"})
    ar = areas(rows, geoms)
    # keep the areas apart: drop the ones overlapping an earlier one
    keep = [i for i in range(len(ar)) if not any(
        geoms[i].intersects(geoms[j]) for j in range(i))]
    ar = ar.iloc[keep].reset_index(drop=True)
    specs = []
    for g in ar.geometry:
        x0, y0, _, _ = g.bounds
        specs.append((shapely.box(x0 + 5, y0 + 5, x0 + 5 + rng.uniform(10, 100),
                                  y0 + 5 + rng.uniform(10, 100)), float(rng.integers(1, 30))))
    est = estimate_population(ar, units, buildings=buildings(specs), **PARAMS)
    pop = est.areas["population"]
    assert (pop == np.round(pop)).all()
    s = est.units.set_index("census_unit")
    for uid, row in s.iterrows():
        if row["areas"]:
            assert row["assigned"] == row["census_population"], uid
    assert pop.sum() == s.loc[s["areas"] > 0, "census_population"].sum()


def test_unit_without_areas_is_reported_not_lost() -> None:
    units = census([{"id": "S1", "population": 1_000}, {"id": "S2", "population": 700}],
                   [box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000)])
    ar = areas([{"id": "A"}], [box(100, 100, 200, 200)])
    est = estimate_population(ar, units, **PARAMS)
    s = est.units.set_index("census_unit")
    assert s.loc["S2", "unassigned"] == 700 and s.loc["S2", "areas"] == 0
    codes = [n.code for n in est.notes]
    assert "population.units_without_areas" in codes
    note = next(n for n in est.notes if n.code == "population.units_without_areas")
    assert "S2" in note.render("en") and "700" in note.render("zh")


def test_bad_input_is_reported_all_at_once() -> None:
    units = census([{"id": "S1", "population": 1_000}, {"id": "S2", "population": None},
                    {"id": "S3", "population": 500}],
                   [box(0, 0, 1000, 1000), box(900, 0, 2000, 1000), box(3000, 0, 4000, 1000)])
    ar = areas([{"id": "A", "population": 2_000.0}, {"id": "OUT"}],
               [box(100, 100, 200, 200), box(5000, 0, 5100, 100)])
    with pytest.raises(InputError) as exc:
        estimate_population(ar, units, **PARAMS)
    text = str(exc.value)
    assert "S2" in text and "without population" in text
    assert "overlap: S1/S2 (100,000 m²)" in text
    assert "OUT" in text and "outside every census unit" in text
    zh = exc.value.render("zh")
    assert "普查单元相互重叠" in zh


def test_given_above_census_total_is_an_error() -> None:
    unit, ar, bl = three_compounds()
    ar["population"] = [6_000.0, 5_000.0, np.nan]
    with pytest.raises(InputError) as exc:
        estimate_population(ar, unit, buildings=bl, **PARAMS)
    assert "S1 has 10,000 residents but its areas with a given population hold 11,000" in \
        str(exc.value)
    assert "rows A, B" in str(exc.value)


def test_outside_areas_dropped_on_request() -> None:
    unit, ar, bl = three_compounds()
    far = areas([{"id": "FAR"}], [box(9000, 0, 9100, 100)])
    both = pd.concat([ar, far], ignore_index=True)
    est = estimate_population(both, unit, buildings=bl, outside="drop", **PARAMS)
    assert list(est.areas["id"]) == ["A", "B", "C"]
    assert any(n.code == "population.areas_dropped" and "FAR" in n.render("en")
               for n in est.notes)


def test_point_areas_with_households() -> None:
    unit = census([{"id": "S1", "population": 3_000}], [box(0, 0, 1000, 1000)])
    pts = gpd.GeoDataFrame({"id": ["P", "Q"], "households": [100.0, 200.0]},
                           geometry=[shapely.Point(X0 + 10, Y0 + 10),
                                     shapely.Point(X0 + 500, Y0 + 500)], crs=CRS)
    est = estimate_population(pts, unit, **PARAMS)
    assert est.areas["population"].tolist() == [1_000, 2_000]
    pts["households"] = [100.0, np.nan]
    with pytest.raises(InputError, match="points need population"):
        estimate_population(pts, unit, **PARAMS)


def test_largest_remainder() -> None:
    assert largest_remainder(np.array([0.5, 0.5, 0.5, 0.5]), 2).tolist() == [1, 1, 0, 0]
    assert largest_remainder(np.array([1 / 3] * 3), 1).sum() == 1


def test_residents_by_target_year() -> None:
    frame = pd.DataFrame({"id": ["old", "d2027", "d2029"], "population": [1000.0, 2000, 3000],
                          "completion_year": [np.nan, 2027, 2029]})
    y2025 = residents_by_year(frame, 2025)
    assert y2025["residents_target_year"].tolist() == [1000, 0, 0]
    y2030 = residents_by_year(frame, 2030)
    # 2027 + 3 years: full; 2029 + 1 year: half (tool default ramp 0, 0.5, 0.8, 1)
    assert y2030["residents_target_year"].tolist() == [1000, 2000, 1500]
    assert y2030.attrs["occupancy_ramp"]["basis"] == "tool_default"
    own = residents_by_year(frame, 2030, ramp=(1.0,))
    assert own["residents_target_year"].tolist() == [1000, 2000, 3000]
    assert own.attrs["occupancy_ramp"]["basis"] == "given"
    assert occupancy_share([2030], 2030, ramp=DEFAULT_OCCUPANCY_RAMP).tolist() == [0.0]
    assert parse_ramp("0, 50%, 80%, 100%") == (0.0, 0.5, 0.8, 1.0)
    with pytest.raises(InputError, match="occupancy ramp"):
        parse_ramp("0, 1.5")


def test_given_population_straddling_two_units_keeps_unit_totals_whole() -> None:
    units = census([{"id": "S1", "population": 5_000}, {"id": "S2", "population": 8_000}],
                   [box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000)])
    ar = areas([{"id": "X", "population": 1_001.0}, {"id": "Y"}, {"id": "Z"}],
               [box(800, 100, 1200, 300), box(100, 500, 300, 700), box(1500, 500, 1700, 700)])
    bl = buildings([(box(850, 150, 950, 250), 6), (box(1050, 150, 1150, 250), 4),
                    (box(150, 550, 250, 650), 6), (box(1550, 550, 1650, 650), 12)])
    est = estimate_population(ar, units, buildings=bl, **PARAMS)
    a = est.areas.set_index("id")
    # X's 1,001 residents split 60/40: 600.6 → 601 in S1, 400.4 → 400 in S2
    assert a.loc["X", "population"] == 1_001
    assert a.loc["Y", "population"] == 5_000 - 601
    assert a.loc["Z", "population"] == 8_000 - 400
    s = est.units.set_index("census_unit")
    assert s["given"].tolist() == [601, 400]
    assert s["assigned"].tolist() == [5_000, 8_000]


def test_census_text_numbers_and_overlapping_areas_noted() -> None:
    unit = census([{"id": "S1", "population": "10,000"}], [box(0, 0, 3000, 1000)])
    ar = areas([{"id": "A"}, {"id": "B"}], [box(0, 0, 500, 500), box(400, 0, 900, 500)])
    est = estimate_population(ar, unit, **PARAMS)
    assert est.areas["population"].sum() == 10_000
    note = next(n for n in est.notes if n.code == "population.areas_overlap")
    assert "A/B (50,000 m²)" in note.render("en")
