"""The scenario runner's policy readings on tiny hand-checked cases: joint siting on shared
sites, per-街道 / per-population site-count rules, and site-size rules by area type."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Point, box

from errors import InfeasibleError, InputError
from planning.params import ScenarioParams
from planning.profiles import load_profile
from planning.runs import run_scenario
from planning.sites import site_table

X0, Y0 = 117.27, 31.86
D = 0.0003  # ≈ 30 m: every site is within a minute or two of every area (straight line)


def _areas(units: list[str], *, area_type: str = "old", population: float = 3000.0,
           pops: list[float] | None = None) -> gpd.GeoDataFrame:
    pops = pops or [population] * len(units)
    return gpd.GeoDataFrame({
        "id": [f"A{k}" for k in range(len(units))], "name": [f"区{k}" for k in range(len(units))],
        "population": pops, "households": [p / 3.0 for p in pops],
        "area_type": area_type, "admin_unit": units,
    }, geometry=[box(X0 + k * D, Y0, X0 + k * D + D / 2, Y0 + D / 2) for k in range(len(units))],
        crs=4326)


def _cands(rows: list[tuple]) -> gpd.GeoDataFrame:
    """rows: (site_id, service, fixed_cost, admin_unit, kind[, shared_fixed_cost])."""
    out = gpd.GeoDataFrame({
        "id": [f"{r[0]}-{r[1]}" for r in rows], "site_id": [r[0] for r in rows],
        "name": [r[0] for r in rows], "service": [r[1] for r in rows], "status": "candidate",
        "kind": [r[4] for r in rows], "capacity": 0.0, "fixed_cost": [r[2] for r in rows],
        "unit_cost": 0.0, "min_capacity": 0.0, "max_capacity": 100000.0,
        "admin_unit": [r[3] for r in rows],
    }, geometry=[Point(X0 + D / 4, Y0 + D) for _ in rows], crs=4326)
    if any(len(r) > 5 for r in rows):
        out["shared_fixed_cost"] = [r[5] if len(r) > 5 else None for r in rows]
    return out


def _run(areas, cands, profile="hefei", **kw):
    return run_scenario(areas=areas, facilities=None, candidates=cands, network=None,
                        profile=load_profile(profile), params=ScenarioParams(**kw))


# Site A offers both services (child care 100, elder care 80); B only child care (90), C only
# elder care (70). Capacity never binds and places cost nothing, so only fixed costs count:
#   separately: cheapest child care B (90) + cheapest elder care C (70) = 160;
#   jointly: both on A for max(100, 80) = 100 < 160, A_c + C = 170, B + A_e = 170.
JOINT_ROWS = [("A", "childcare", 100.0, "S1", "puhui"), ("A", "eldercare", 80.0, "S1", "puhui"),
              ("B", "childcare", 90.0, "S1", "puhui"), ("C", "eldercare", 70.0, "S1", "puhui")]


def test_joint_siting_shares_a_site_at_the_larger_fixed_cost() -> None:
    areas = _areas(["S1", "S1"])
    run = _run(areas, _cands(JOINT_ROWS), service="both", side_rules=False)
    assert run.method == "straight-line"
    assert list(run.solver) == ["both"] and run.solver["both"]["status"] == "optimal"
    assert run.indicators["total"]["objective"] == pytest.approx(100.0)
    new = run.sites[run.sites["status"] == "proposed"]
    assert sorted(new["id"]) == ["A-childcare", "A-eldercare"]
    # the saving f_c + f_e - S = 80 is split between the two rows of A
    assert new["shared_saving"].tolist() == [40.0, 40.0]
    assert run.indicators["total"]["cost"] == pytest.approx(100.0)
    assert run.indicators["total"]["shared_sites"] == 1
    js = run.joint_sites.set_index("id")
    assert js.loc["A", "fixed_cost_both"] == 100.0 and bool(js.loc["A", "both_open"])
    assert js.loc["A", "shared_source"] == "max of the services' fixed costs"
    assert run.unmet.empty
    # solved one after the other (not jointly): B + C = 160
    seq = _run(areas, _cands(JOINT_ROWS), service="both", side_rules=False, joint=False)
    assert set(seq.solver) == {"childcare", "eldercare"}
    assert seq.indicators["total"]["cost"] == pytest.approx(160.0)
    assert sorted(seq.sites.loc[seq.sites["status"] == "proposed", "id"]) == [
        "B-childcare", "C-eldercare"]


def test_joint_siting_takes_the_shared_cost_attribute() -> None:
    areas = _areas(["S1"])
    # both services on A now cost 170 (the attribute) > B + C = 160
    rows = [(*JOINT_ROWS[0], 170.0), (*JOINT_ROWS[1], 170.0), *JOINT_ROWS[2:]]
    run = _run(areas, _cands(rows), service="both", side_rules=False)
    assert run.indicators["total"]["objective"] == pytest.approx(160.0)
    assert run.joint_sites.set_index("id").loc["A", "shared_source"] == \
        "shared_fixed_cost attribute"
    # 95 is below the larger fixed cost (100): not a possible cost of both together
    rows = [(*JOINT_ROWS[0], 95.0), (*JOINT_ROWS[1], 95.0), *JOINT_ROWS[2:]]
    with pytest.raises(InputError, match="between the larger fixed cost"):
        _run(areas, _cands(rows), service="both", side_rules=False)
    # at 120 the shared site wins again (120 < 160)
    rows = [(*JOINT_ROWS[0], 120.0), (*JOINT_ROWS[1], 120.0), *JOINT_ROWS[2:]]
    assert _run(areas, _cands(rows), service="both",
                side_rules=False).indicators["total"]["objective"] == pytest.approx(120.0)


def test_per_street_rule_opens_a_site_in_every_street() -> None:
    # Hefei: one elder-care 综合体 per 街道. Site E1 in S1 (cost 10) reaches everyone; E2 in
    # S2 costs 50. Without the rule only E1 opens (10); with it both (60).
    areas = _areas(["S1", "S2"])
    cands = _cands([("E1", "eldercare", 10.0, "S1", "puhui"),
                    ("E2", "eldercare", 50.0, "S2", "puhui")])
    off = _run(areas, cands, service="eldercare", side_rules=False)
    assert off.indicators["total"]["cost"] == pytest.approx(10.0)
    assert not [r for r in off.rules if r["applied"] and r["kind"].startswith("facilities")]
    on = _run(areas, cands, service="eldercare")  # default: on, the profile has the rule
    assert on.params["side_rules_applied"] is True
    assert on.indicators["total"]["cost"] == pytest.approx(60.0)
    rec = next(r for r in on.rules if r["rule"] == "eldercare_complex_per_street")
    assert rec["applied"] and "S1 1, S2 1" in str(rec["detail"])
    assert "綜合體" in rec["source"]
    # p = 1 cannot satisfy two streets: said before solving
    with pytest.raises(InfeasibleError, match="need at least 2 new eldercare site"):
        _run(areas, cands, service="eldercare", objective="p_median", p=1)


def test_a_rule_counted_per_county_is_named_in_words() -> None:
    # Hefei: one public child-care institution per county; the areas carry 街道 only
    cands = _cands([("K1", "childcare", 10.0, "S1", "public")])
    run = _run(_areas(["S1"]), cands, service="childcare")
    rec = next(r for r in run.rules if r["rule"] == "childcare_public_per_county")
    assert not rec["applied"]
    assert rec["detail"].render("zh") == (
        "未采用：该规则按县（市、区）计数，居住区数据只到街道（admin_unit）")
    assert rec["detail"].render("en") == (
        "not applied: the rule counts per county; the areas carry 街道 (admin_unit) only")


def test_per_population_and_puhui_rules_counted_together() -> None:
    # Chuzhou child care: one site of any kind per 20,000 residents and one 普惠 site per
    # 街道 (audit M6). S1 has 30,000 residents -> ceil(1.5) = 2 sites of any kind, one of
    # them 普惠: P1 + M = 10 + 1 = 11. (Counting only 普惠 sites for both, as before, forced
    # P1 + P2 = 30.) S2 (100 residents) has no site at all.
    areas = _areas(["S1", "S1", "S2"], pops=[15000.0, 15000.0, 100.0])
    cands = _cands([("P1", "childcare", 10.0, "S1", "puhui"),
                    ("P2", "childcare", 20.0, "S1", "puhui"),
                    ("P3", "childcare", 30.0, "S1", "puhui"),
                    ("M", "childcare", 1.0, "S1", "market")])
    off = _run(areas, cands, profile="chuzhou", side_rules=False)
    assert off.indicators["total"]["cost"] == pytest.approx(1.0)
    on = _run(areas, cands, profile="chuzhou")
    assert on.indicators["total"]["cost"] == pytest.approx(11.0)
    assert sorted(on.sites.loc[on.sites["status"] == "proposed", "id"]) == [
        "M-childcare", "P1-childcare"]
    recs = {r["rule"]: r for r in on.rules}
    assert str(recs["childcare_sites_per_20000"]["detail"]).endswith("S1 2, S2 1")
    assert str(recs["childcare_puhui_per_street"]["detail"]).endswith("S1 1, S2 1")
    assert not any("counting only" in str(n) for n in on.notes)
    capped = [str(n) for n in on.notes if "applied as all of them" in str(n)]
    assert len(capped) == 2  # one note per rule, each naming its rule
    assert any("childcare_sites_per_20000" in n and "S2 needs 1 site(s)" in n
               and "only 0" in n for n in capped)
    assert any("childcare_puhui_per_street" in n and "S2 needs 1 site(s)" in n
               for n in capped)
    # without the market site the 2 sites of S1 must both be 普惠: P1 + P2 = 30
    no_m = _run(areas, cands.iloc[:3], profile="chuzhou")
    assert no_m.indicators["total"]["cost"] == pytest.approx(30.0)
    # a 街道 under 20,000 residents needs one site: one 普惠 site meets both rules
    small = _run(_areas(["S1"], pops=[5000.0]), cands, profile="chuzhou")
    assert small.indicators["total"]["cost"] == pytest.approx(10.0)  # P1 alone


def test_elder_care_minimum_follows_the_area_type_of_the_site() -> None:
    hefei = load_profile("hefei")
    areas = gpd.GeoDataFrame({
        "id": ["N", "O"], "area_type": ["new", "old"], "population": 1000.0},
        geometry=[box(X0, Y0, X0 + D, Y0 + D), box(X0 + 10 * D, Y0, X0 + 11 * D, Y0 + D)],
        crs=4326)
    cands = gpd.GeoDataFrame({
        "id": ["in-new", "near-old"], "service": "eldercare", "status": "candidate",
        "fixed_cost": 1.0, "unit_cost": 1.0, "min_capacity": 100.0, "max_capacity": 600.0},
        geometry=[Point(X0 + D / 2, Y0 + D / 2), Point(X0 + 12 * D, Y0)], crs=4326)
    st = site_table(None, cands, service="eldercare", profile=hefei, areas=areas)
    assert st["min_capacity"].tolist() == [350.0, 100.0]
    assert st["size_rule"].tolist() == ["eldercare_min_site_new", ""]
    [rec] = st.attrs["rules"]
    assert rec["rule"] == "eldercare_min_site_new" and rec["value"] == 350.0
    assert str(rec["detail"]).endswith("(candidates in or next to new areas): in-new")
    assert rec["detail"].render("zh").endswith("（位于或邻近新建居住区的候选点）：in-new")
    assert "350平方米" in rec["source"]
    assert "near-old" in str(st.attrs["notes"][0])
    # a candidate's own area_type wins; without areas the rule applies to every candidate
    st2 = site_table(None, cands.assign(area_type=["old", "new"]), service="eldercare",
                     profile=hefei, areas=areas)
    assert st2["min_capacity"].tolist() == [100.0, 350.0]
    assert site_table(None, cands, service="eldercare",
                      profile=hefei)["min_capacity"].tolist() == [350.0, 350.0]


# Which services each city's plan gives a demand figure for, in new and old areas (audit H4):
# (profile, service) -> area types without a figure.
NO_FIGURE = [
    ("chuzhou", "childcare", []), ("chuzhou", "eldercare", ["new"]),
    ("xuanhan", "childcare", []), ("xuanhan", "eldercare", ["new", "old"]),
    ("quzhou", "childcare", ["old"]), ("quzhou", "eldercare", ["old"]),
    ("hefei", "childcare", []), ("hefei", "eldercare", []),
    ("suizhou", "childcare", ["old"]), ("suizhou", "eldercare", ["old"]),
]


@pytest.mark.parametrize(("profile", "service", "missing"), NO_FIGURE)
def test_no_silent_zero_demand(profile, service, missing) -> None:
    areas = _areas(["S1", "S1"])
    areas["area_type"] = ["new", "old"]
    cands = _cands([("A", service, 10.0, "S1", "puhui")])
    if not missing:
        run = _run(areas, cands, profile=profile, service=service, side_rules=False)
        assert run.indicators[service]["required"] > 0
        demand = [r for r in run.rules if r["kind"] in ("childcare_places_per_1000",
                                                         "eldercare_area_per_100_households")]
        assert {r["area_type"] for r in demand} == {"new", "old"}
        assert all(r["basis"] == "local_plan" for r in demand)
        return
    with pytest.raises(InputError) as exc:
        _run(areas, cands, profile=profile, service=service, side_rules=False)
    [problem] = exc.value.problems
    assert problem.code == "policy.no_demand_figure"
    ids = problem.message.args["ids"]
    assert ids == [f"A{k}" for k, t in enumerate(["new", "old"]) if t in missing]


def test_puhui_share_rule_applied_as_a_side_rule() -> None:
    # one old Chuzhou area of 3,000 residents: 8 / 1000 → 24 托位. Candidate A is 普惠 (fixed
    # cost 100), B is market (50); places cost nothing. Without the share rule B alone is
    # cheapest (50); with 「普惠性托位占比 >60%」 the 普惠 places must be ≥ 60 % of all:
    # A alone (100) beats A + B (150).
    areas = _areas(["S1"])
    cands = _cands([("A", "childcare", 100.0, "S1", "puhui"),
                    ("B", "childcare", 50.0, "S1", "market")])
    free = _run(areas, cands, profile="chuzhou", service="childcare", side_rules=False)
    assert free.indicators["childcare"]["cost"] == pytest.approx(50.0)
    ruled = _run(areas, cands, profile="chuzhou", service="childcare", side_rules=False,
                 share_rules=True)
    assert ruled.indicators["childcare"]["cost"] == pytest.approx(100.0)
    opened = ruled.sites[ruled.sites["status"] == "proposed"]["site_id"].tolist()
    assert opened == ["A"]
    rec = next(r for r in ruled.rules if r["rule"] == "childcare_puhui_share_2025")
    assert rec["applied"] and rec["value"] == 0.6 and rec["basis"] == "local_plan"
    # without a kind on the sites the rule cannot apply, and says so
    no_kind = cands.drop(columns="kind")
    run = _run(areas, no_kind, profile="chuzhou", service="childcare", side_rules=False,
               share_rules=True)
    rec = next(r for r in run.rules if r["rule"] == "childcare_puhui_share_2025")
    assert not rec["applied"] and rec["detail"].code == "policy.share_rule_no_kind"
