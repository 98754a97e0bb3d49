"""配建 compliance: hand-derived requirements for each jurisdiction, statuses, schema, files."""

from __future__ import annotations

import json
import math

import numpy as np
import openpyxl
import pandas as pd
import pytest

from core.fileio import atomic_write
from errors import InputError
from planning.compliance import check_developments
from planning.profiles import load_profile

COLUMNS = ["id", "name", "area_type", "population", "households", "childcare_places",
           "eldercare_area_m2", "eldercare_site_areas_m2", "childcare_site_places"]


def devs(*rows):
    return pd.DataFrame([dict(zip(COLUMNS, r, strict=False)) for r in rows], columns=COLUMNS)


def rules_of(report, dev_id):
    dev = next(d for d in report.developments if d.id == dev_id)
    return {r.rule: r for r in dev.rules}, dev


@pytest.mark.parametrize(("provided", "passed", "shortfall", "short_whole"),
                         [(52, False, 0.4, 1), (53, True, 0, 0)])
def test_rounding_at_the_threshold(provided, passed, shortfall, short_whole):
    # 5,240 residents in a new Hefei area: 5240 / 1000 × 10 = 52.4 托位 before rounding,
    # i.e. 53 whole places: 52 fails (short by 1 place), 53 passes
    report = check_developments(devs(("d", "x", "new", 5240, None, provided, 600, "600")),
                                load_profile("hefei"))
    r = rules_of(report, "d")[0]["childcare_places_new"]
    assert r.required == pytest.approx(52.4)
    assert r.required_whole == 53
    assert r.passed is passed
    assert r.shortfall == pytest.approx(shortfall)
    assert r.shortfall_whole == short_whole
    d = r.to_dict()
    assert d["required"] == 52.4  # no floating-point noise in the output
    assert (d["required_whole"], d["shortfall_whole"]) == (53, short_whole)
    assert (d["strength"], d["basis"], d["level"]) == ("mandatory", "local_plan", "development")


def test_fractional_places_are_an_input_error_naming_the_rows():
    # 52.4 托位 provided for 5,240 residents is rejected, not judged compliant (audit M3)
    with pytest.raises(InputError) as exc:
        check_developments(devs(("T1", "x", "new", 5240, None, 52.4, 600, "600"),
                                ("T2", "y", "new", 100, None, 1, 30, "30", "0.5,0.5")),
                           load_profile("hefei"))
    probs = {p.field: p for p in exc.value.problems}
    assert list(probs["childcare_places"].rows) == ["T1"]
    assert "52.4" in str(probs["childcare_places"])
    assert list(probs["childcare_site_places"].rows) == ["T2"]


def test_hefei_new_and_old_with_350_single_site():
    report = check_developments(devs(
        # 1000 households → 2620 residents → 26.2 托位; 30 m²/100 households → 300 m²
        ("n1", "新", "new", None, 1000, 27, 700, "350,200"),
        ("n2", "新2", "new", None, 1000, 26, 300, "350"),
        # old: 8/1000 and 20 m²/100 households; no minimum-site rule for old areas
        ("o1", "旧", "old", None, 1000, 21, 200, "100,100"),
    ), load_profile("hefei"))
    r, dev = rules_of(report, "n1")
    assert r["childcare_places_new"].required == pytest.approx(26.2)
    assert r["childcare_places_new"].passed
    assert r["eldercare_area_new"].required == pytest.approx(300)
    assert r["eldercare_area_new"].passed
    m = r["eldercare_min_site_new"]
    assert (m.required, m.provided, m.shortfall, m.passed) == (350, 200, 150, False)
    assert dev.status == "non_compliant" and not dev.compliant
    r, dev = rules_of(report, "n2")
    assert not r["childcare_places_new"].passed
    assert r["childcare_places_new"].shortfall == pytest.approx(0.2)
    assert r["eldercare_min_site_new"].passed
    r, dev = rules_of(report, "o1")
    assert set(r) == {"childcare_places_old", "eldercare_area_old"}
    assert r["childcare_places_old"].required == pytest.approx(20.96)
    assert r["eldercare_area_old"].required == pytest.approx(200)
    assert dev.compliant


def test_quzhou_200_per_site_and_no_old_area_verdict():
    report = check_developments(devs(
        # 1000 households × 2.62 = 2620 residents → 26.2 托位 (27 places); 20 m²/100 households
        # → 200 m²
        ("n", "", "new", None, 1000, 27, 380, "200,180"),
        ("o", "", "old", 1000, None, 0, None, None),
    ), load_profile("quzhou"))
    r, _ = rules_of(report, "n")
    assert r["childcare_places_new"].required == pytest.approx(26.2)
    assert r["childcare_places_new"].passed
    assert r["eldercare_area_new"].required == pytest.approx(200)
    assert r["eldercare_area_new"].passed
    m = r["eldercare_min_site_new"]
    assert (m.provided, m.shortfall, m.passed) == (180, 20, False)
    # an old-area development gets no 托位 verdict: Quzhou's plan states no figure (audit H1)
    r, dev = rules_of(report, "o")
    assert r == {}
    assert dev.status == "compliant_on_rules_checked" and dev.compliant
    nc = {x["kind"]: x for x in dev.not_checked}
    assert set(nc) == {"childcare_places_per_1000", "eldercare_area_per_100_households"}
    cc = nc["childcare_places_per_1000"]
    assert cc["rule"] == "childcare_places_old"
    assert cc["reason"].code == "policy.nc_no_local_figure"
    assert "--apply-default childcare_places_old" in str(cc["reason"])


def test_quzhou_old_area_default_applied_on_purpose_says_so():
    profile = load_profile("quzhou").adopt_defaults(["childcare_places_old"])
    report = check_developments(devs(("o", "", "old", 1500, None, 0, None, None)), profile)
    r, dev = rules_of(report, "o")
    # 1500 × 8 / 1000 = 12 托位, none provided: fails, and decides, because the planner chose it
    cc = r["childcare_places_old"]
    assert (cc.required, cc.required_whole, cc.shortfall_whole) == (12, 12, 12)
    assert cc.basis == "tool_default" and cc.adopted and cc.decides
    assert dev.status == "non_compliant"
    assert any(w.code == "policy.warn_adopted" for w in dev.warnings)


def test_quzhou_persons_per_household_set_by_the_planner():
    # D02-like: 2,000 households, 50 托位. With 2.62: 5,240 residents → 52.4 (fails).
    # With the planner's 2.33: 4,660 residents → 46.6 (passes); the report shows 2.33.
    row = ("d", "", "new", None, 2000, 50, 400, "400")
    base = check_developments(devs(row), load_profile("quzhou"))
    assert rules_of(base, "d")[0]["childcare_places_new"].required == pytest.approx(52.4)
    assert not rules_of(base, "d")[1].compliant
    mine = check_developments(devs(row), load_profile("quzhou").with_parameter(
        "persons_per_household", 2.33))
    r, dev = rules_of(mine, "d")
    assert r["childcare_places_new"].required == pytest.approx(46.6)
    assert dev.compliant
    used = mine.to_dict()["parameters_used"]["persons_per_household"]
    assert (used["value"], used["basis"]) == (2.33, "planner")
    assert dev.to_dict()["population_source"]["args"]["factor"] == 2.33


def test_suizhou_max_150_per_site_and_old_area_without_figure():
    report = check_developments(devs(
        # 10,000 residents: 4.5/1000 → 45 托位; households 10000/2.62 → ×20/100 = 763.36 m²
        ("ok", "", "new", 10000, None, 150, 800, "800", "150"),
        ("big", "", "new", 10000, None, 160, 800, "800", "160"),
        ("old", "", "old", 3000, None, 0, 0, None, None),
    ), load_profile("suizhou"))
    r, dev = rules_of(report, "ok")
    assert r["childcare_places_new"].required == pytest.approx(45)
    assert r["eldercare_area_new"].required == pytest.approx(10000 / 2.62 * 0.2)
    mx = r["childcare_max_site_places"]
    assert (mx.required, mx.provided, mx.passed, mx.comparison) == (150, 150, True, "at_most")
    assert dev.compliant
    # one 160-place site and everything else met: compliant with one advisory warning (M2)
    r, dev = rules_of(report, "big")
    mx = r["childcare_max_site_places"]
    assert (mx.provided, mx.passed, mx.shortfall, mx.excess) == (160, False, 10, 10)
    assert (mx.strength, mx.decides) == ("advisory", False)
    assert mx.to_dict()["excess"] == 10
    assert dev.status == "compliant" and dev.compliant
    assert [w.code for w in dev.warnings] == ["policy.warn_advisory_failed"]
    # an old development with 0 托位 has no site to exceed the cap: not 'incomplete'
    r, dev = rules_of(report, "old")
    assert r["childcare_max_site_places"].status == "passed"
    assert dev.status == "compliant_on_rules_checked"
    kinds = {x["kind"]: x for x in dev.not_checked}
    assert "按标补齐" in str(kinds["childcare_places_per_1000"]["reason"])
    assert kinds["childcare_places_per_1000"]["rule"] == "childcare_places_old"
    assert "按标补齐" in str(kinds["eldercare_area_per_100_households"]["reason"])


def test_chuzhou_gets_no_per_development_2wan_verdict():
    report = check_developments(devs(
        ("one", "", "new", 30000, None, 300, 0, None, "300"),
        ("none", "", "new", 30000, None, 300, 0, None, None),
        ("old", "", "old", None, 500, 11, 100, None, "11"),
    ), load_profile("chuzhou"))
    for dev_id in ("one", "none", "old"):
        r, dev = rules_of(report, dev_id)
        assert "childcare_sites_per_20000" not in r  # no "required 0.165 处" (audit H3)
    r, dev = rules_of(report, "one")
    assert set(r) == {"childcare_places_new"}  # no new-area elder-care figure in the plan
    assert r["childcare_places_new"].required == pytest.approx(300)
    assert dev.status == "compliant_on_rules_checked"
    assert rules_of(report, "none")[1].status == "compliant_on_rules_checked"
    nc = next(x for x in report.not_checked if x["rule"] == "childcare_sites_per_20000")
    assert nc["level"] == "residential_district" and nc["reason"].code == "policy.nc_level"
    r, dev = rules_of(report, "old")
    # 500 households × 2.62 = 1310 residents → 10.48 托位 (11 places); 20 m²/100 households
    # → 100 m²
    assert r["childcare_places_old"].required == pytest.approx(10.48)
    assert r["childcare_places_old"].required_whole == 11
    assert r["eldercare_area_old"].required == pytest.approx(100)
    assert dev.status == "compliant"


def test_xuanhan_old_area_8_per_1000():
    report = check_developments(devs(("o", "", "old", 2500, None, 20, None)),
                                load_profile("xuanhan"))
    r, dev = rules_of(report, "o")
    assert set(r) == {"childcare_places_old"}
    assert r["childcare_places_old"].required == pytest.approx(20)
    # no elder-care floor-area figure in Xuanhan's plan: compliant on the rules checked only
    assert dev.status == "compliant_on_rules_checked" and dev.compliant
    assert [x["kind"] for x in dev.not_checked] == ["eldercare_area_per_100_households"]
    assert dev.not_checked[0]["reason"].code == "policy.nc_no_figure"


def test_missing_figures_make_a_development_incomplete_not_compliant():
    # 400 m² in all could hold one 350 m² building, but no per-site areas are given
    report = check_developments(devs(("d", "", "new", 1000, None, None, 400, None)),
                                load_profile("hefei"))
    r, dev = rules_of(report, "d")
    assert r["childcare_places_new"].status == "not_provided"
    assert r["childcare_places_new"].reason.code == "policy.reason_cc_blank"
    assert "blank" in str(r["childcare_places_new"].reason)
    assert r["eldercare_min_site_new"].status == "not_provided"
    assert r["eldercare_min_site_new"].provided is None
    assert dev.status == "incomplete" and dev.compliant is False
    assert report.to_dict()["summary"] == {"developments": 1, "compliant": 0,
                                           "compliant_on_rules_checked": 0,
                                           "non_compliant": 0, "incomplete": 1,
                                           "with_warnings": 0}


def test_site_list_fills_a_blank_total_with_a_warning():
    report = check_developments(devs(("d", "", "new", 1000, None, 10, None, "200,200")),
                                load_profile("quzhou"))
    r, dev = rules_of(report, "d")
    assert r["eldercare_area_new"].provided == 400
    assert any("sum of eldercare_site_areas_m2" in str(w) for w in dev.warnings)
    assert dev.warnings[0].code == "policy.warn_ec_sum_blank"
    assert "按各养老点面积之和 400 m²" in dev.warnings[0].render("zh")


def test_json_schema():
    report = check_developments(devs(
        ("a", "甲", "new", 5240, None, 52, 600, "350,250", "52"),
        ("b", "乙", "old", None, 1000, 30, None, None, None),
    ), load_profile("hefei"))
    doc = json.loads(json.dumps(report.to_dict(), ensure_ascii=False, allow_nan=False))
    assert doc["profile"] == "hefei"
    assert [d["id"] for d in doc["developments"]] == ["a", "b"]
    for d in doc["developments"]:
        assert isinstance(d["compliant"], bool)
        assert d["status"] in ("compliant", "compliant_on_rules_checked", "non_compliant",
                               "incomplete")
        for r in d["rules"]:
            assert {"rule", "kind", "service", "passed", "required", "provided", "shortfall",
                    "unit", "source", "status", "comparison", "strength", "basis",
                    "level", "decides"} <= set(r)
            assert r["strength"] in ("mandatory", "advisory")
            assert r["basis"] in ("local_plan", "national_standard", "tool_default")
            assert r["reason"] is None or {"code", "args", "text"} <= set(r["reason"])
            assert r["kind"] in ("childcare_places_per_1000", "eldercare_area_per_100_households",
                                 "eldercare_min_site_area", "childcare_max_site_places")
            assert r["service"] in ("childcare", "eldercare")
            assert isinstance(r["passed"], bool)
            assert isinstance(r["required"], int | float)
            assert isinstance(r["source"], str) and r["source"]
            if r["status"] == "not_provided":
                assert r["provided"] is None and r["shortfall"] is None
            else:
                assert isinstance(r["provided"], int | float)
                assert isinstance(r["shortfall"], int | float) and r["shortfall"] >= 0
    a = doc["developments"][0]
    assert a["compliant"] is False
    cc = next(r for r in a["rules"] if r["rule"] == "childcare_places_new")
    assert (cc["required"], cc["provided"], cc["shortfall"], cc["unit"]) == (52.4, 52, 0.4, "托位")
    assert "每千人口不少於10個托位" in cc["source"]
    b = doc["developments"][1]
    el = next(r for r in b["rules"] if r["rule"] == "eldercare_area_old")
    assert el["status"] == "not_provided" and el["passed"] is False
    assert {x["rule"] for x in doc["not_checked"]} >= {"eldercare_service_circle",
                                                       "childcare_places_citywide_2025"}
    assert all(x["reason"]["code"].startswith("policy.nc_") for x in doc["not_checked"])


def test_every_input_problem_is_reported_at_once():
    bad = devs(
        ("a", "", "new", None, None, 10, 100, "100"),
        ("a", "", "new", 100, None, -1, 100, "100"),
        ("c", "", "newish", 100, None, 1, 100, "300,abc"),
        ("d", "", "new", 100, None, 1, 100, "0"),
    )
    with pytest.raises(InputError) as exc:
        check_developments(bad, load_profile("hefei"), source="devs.csv")
    msg = str(exc.value)
    fields = {p.field for p in exc.value.problems}
    assert {"id", "population", "area_type", "childcare_places",
            "eldercare_site_areas_m2"} <= fields
    assert "devs.csv" in msg and "duplicate ids" in msg and "'abc' is not a number" in msg


def test_frames_and_files(tmp_path):
    report = check_developments(devs(
        ("a", "甲", "new", 5240, None, 52, 600, "350,250", "52"),
        ("b", "乙", "old", None, 1000, 30, 200, None, None),
    ), load_profile("hefei"))
    frame = report.to_frame()
    assert len(frame) == 3 + 2
    assert list(frame["status"]) == ["failed", "passed", "failed", "passed", "passed"]
    j = report.write(tmp_path / "r.json")
    assert json.loads(j.read_text(encoding="utf-8"))["profile"] == "hefei"
    c = report.write(tmp_path / "r.csv")
    back = pd.read_csv(c, encoding="utf-8-sig")
    assert back.loc[0, "required"] == pytest.approx(52.4)
    assert back.loc[0, "development_name"] == "甲"
    x = report.write(tmp_path / "r.xlsx", lang="en")
    wb = openpyxl.load_workbook(x)
    assert wb.sheetnames == ["summary", "rules", "not_checked", "parameters", "profile"]
    assert wb["summary"]["D2"].value == "non-compliant"
    report.write(tmp_path / "r.xlsx", lang="zh")
    wb = openpyxl.load_workbook(tmp_path / "r.xlsx")
    assert wb["summary"]["D2"].value == "不达标"
    texts = [c.value for c in wb["rules"][2]]
    assert "按规则应配 52.4 托位（未取整），即不少于 53 个托位" in texts
    assert "强制性" in texts and "本地方案" in texts
    with pytest.raises(InputError, match="unsupported format"):
        report.write(tmp_path / "r.txt")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.csv", "r.json", "r.xlsx"]


def test_atomic_write_leaves_nothing_behind_on_failure(tmp_path):
    target = tmp_path / "out.json"
    target.write_text("previous", encoding="utf-8")

    def half(tmp):
        tmp.write_text("{partial", encoding="utf-8")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        atomic_write(target, half)
    assert target.read_text(encoding="utf-8") == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_numpy_ids_and_nan_population_source_survive_json():
    df = devs(("a", "", "new", np.nan, 100, 3, 30, "30"))
    df["id"] = df["id"].astype("string")
    doc = check_developments(df, load_profile("hefei")).to_dict()
    d = doc["developments"][0]
    assert d["population"] == 262
    assert d["population_source"]["code"] == "policy.population_households"
    assert d["population_source"]["text"].startswith("households×2.62")
    assert not any(isinstance(v, float) and math.isnan(v) for v in d.values())


# Whole 托位 in each city: (profile, area type, residents, places provided) →
# (required before rounding, whole places required, whole places short)
WHOLE_PLACES = [
    ("chuzhou", "new", 2882, 28, 28.82, 29, 1),   # 10 / 1000
    ("chuzhou", "old", 1310, 11, 10.48, 11, 0),   # 8 / 1000
    ("xuanhan", "old", 2499, 19, 19.992, 20, 1),  # 8 / 1000
    ("quzhou", "new", 5240, 50, 52.4, 53, 3),     # 10 / 1000
    ("hefei", "old", 1000, 8, 8.0, 8, 0),         # 8 / 1000: exactly 8 passes
    ("suizhou", "new", 3300, 14, 14.85, 15, 1),   # 4.5 / 1000
]


@pytest.mark.parametrize(("pid", "at", "pop", "given", "required", "whole", "short"),
                         WHOLE_PLACES)
def test_whole_places_in_each_city(pid, at, pop, given, required, whole, short):
    report = check_developments(devs(("d", "", at, pop, None, given, 10000, "10000",
                                      str(given) if given else None)), load_profile(pid))
    r = next(x for x in rules_of(report, "d")[0].values()
             if x.kind == "childcare_places_per_1000")
    assert r.required == pytest.approx(required)
    assert (r.required_whole, r.shortfall_whole, r.passed) == (whole, short, short == 0)


def test_hefei_single_site_minimum_is_shown_with_the_area_requirement():
    # D04-like: 800 households × 30 / 100 = 240 m², but one building must have ≥ 350 m²
    report = check_developments(devs(("d", "", "new", None, 800, 21, 300, "300")),
                                load_profile("hefei"))
    r = rules_of(report, "d")[0]
    area = r["eldercare_area_new"]
    assert (area.required, area.passed) == (240, True)
    assert area.reason is not None and area.reason.code == "policy.reason_min_total"
    assert "350 m²" in area.reason.render("zh")
    assert (r["eldercare_min_site_new"].provided, r["eldercare_min_site_new"].passed) == (
        300, False)


def _with(frame: pd.DataFrame, **columns) -> pd.DataFrame:
    out = frame.copy()
    for name, values in columns.items():
        out[name] = values
    return out


@pytest.mark.parametrize("pid", ["chuzhou", "hefei"])
def test_old_area_places_rule_covers_only_developments_without_child_care(pid):
    # 1,000 households × 2.62 = 2,620 residents → 8/1000 = 20.96 托位 (21 places);
    # 20 m²/100 households → 200 m², met by each row; no 托位 provided by the renovation
    rows = [(i, "", "old", None, 1000, 0, 200, "200", None) for i in ("has", "none", "blank")]
    frame = _with(devs(*rows), existing_childcare_places=[30, 0, None])
    report = check_developments(frame, load_profile(pid))
    # one with a child-care facility (30 existing 托位) is outside the clause (audit L1)
    r, dev = rules_of(report, "has")
    assert "childcare_places_old" not in r
    assert dev.status == "compliant" and dev.warnings == []
    na = next(x for x in dev.not_checked if x["rule"] == "childcare_places_old")
    assert na["not_applicable"] and na["reason"].code == \
        "policy.nc_condition_no_existing_childcare"
    assert "existing_childcare_places = 30" in str(na["reason"])
    # one without is checked: 0 < 20.96, short by 21 whole places
    r, dev = rules_of(report, "none")
    cc = r["childcare_places_old"]
    assert (cc.required, cc.required_whole, cc.shortfall_whole) == \
        (pytest.approx(20.96), 21, 21)
    assert dev.status == "non_compliant" and dev.warnings == []
    # one that does not say is checked the same way, and the report says the scope was assumed
    r, dev = rules_of(report, "blank")
    assert r["childcare_places_old"].status == "failed" and dev.status == "non_compliant"
    assert [w.code for w in dev.warnings] == [
        "policy.warn_condition_assumed_no_existing_childcare"]
    # no such column at all: every old development is assumed to have no facility
    _, dev = rules_of(check_developments(devs(rows[0]), load_profile(pid)), "has")
    assert dev.status == "non_compliant"
    assert dev.warnings[0].code == "policy.warn_condition_assumed_no_existing_childcare"


def test_deadlines_are_compared_with_the_completion_year():
    # Chuzhou's old-area rules are due 「于2025年前」 / 「于2025年底前」: a renovation completed
    # in 2027 is still bound by them (same verdict) and is reported late; one in 2025 is on time
    rows = [(i, "", "old", None, 1000, 21, 200, "200", None) for i in ("late", "on_time")]
    frame = _with(devs(*rows), existing_childcare_places=[0, 0], completion_year=[2027, 2025])
    report = check_developments(frame, load_profile("chuzhou"))
    r, dev = rules_of(report, "late")
    assert dev.status == "compliant" and all(x.passed for x in r.values())
    [late] = [w for w in dev.warnings if w.code == "policy.deadline_late"]
    assert late.args == {"rules": "childcare_places_old, eldercare_area_old", "year": 2027,
                         "deadline": 2025}
    assert "completed in 2027, after it: the rules apply as usual" in late.render("en")
    assert rules_of(report, "on_time")[1].warnings == []
    # Hefei's new-area 「到2025年」 is when the standard is in force: a development completed in
    # 2026 is checked as usual (1000 households × 2.62 → 26.2 托位; 27 given) and says so
    row = ("n", "", "new", None, 1000, 27, 350, "350", "27")
    report = check_developments(_with(devs(row), completion_year=[2026]),
                                load_profile("hefei"))
    r, dev = rules_of(report, "n")
    assert dev.status == "compliant"
    assert [w.args["rules"] for w in dev.warnings if w.code == "policy.deadline_in_force"] \
        == ["childcare_places_new, eldercare_area_new"]
    # Quzhou's plan sets no year: no deadline note whatever the completion year
    _, dev = rules_of(check_developments(_with(devs(row), completion_year=[2030]),
                                         load_profile("quzhou")), "n")
    assert not [w for w in dev.warnings if w.code.startswith("policy.deadline")]


def test_quzhou_concentrated_provision_needs_per_site_figures():
    # 「每处不少于200平方米集中配建」: 1,000 households → 200 m² required in all
    report = check_developments(devs(
        ("two", "", "new", None, 1000, 27, 400, "200,200", "27"),
        ("nolist", "", "new", None, 1000, 27, 400, None, "27"),
        ("small", "", "new", None, 1000, 27, 150, None, "27"),
    ), load_profile("quzhou"))
    # two sites of 200 m² each: every site meets the minimum
    r, dev = rules_of(report, "two")
    assert r["eldercare_min_site_new"].provided == 200 and dev.status == "compliant"
    # no per-site figures: not checked, and the report says why (and the development is
    # incomplete, not compliant)
    r, dev = rules_of(report, "nolist")
    m = r["eldercare_min_site_new"]
    assert m.status == "not_provided" and m.reason.code == "policy.reason_ec_sites_not_checked"
    assert "集中配建" in m.reason.render("zh") and "200 m²" in m.reason.render("en")
    assert dev.status == "incomplete"
    # 150 m² in all cannot hold one 200 m² site: failed without a site list
    r, dev = rules_of(report, "small")
    m = r["eldercare_min_site_new"]
    assert (m.status, m.provided, m.shortfall) == ("failed", 150, 50)
    assert m.reason.code == "policy.reason_total_below_site_min"
    assert dev.status == "non_compliant"


def test_compliance_page_shows_the_figures_used_with_their_basis(tmp_path, monkeypatch):
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("YILAO_DATA_DIR", str(tmp_path / "store"))
    root = Path(__file__).resolve().parents[1]
    at = AppTest.from_file(str(root / "pages" / "compliance.py"), default_timeout=120)
    at.session_state["owner"] = "tester"
    at.session_state["lang"] = "en"
    at.session_state["profile_id"] = "quzhou"
    at.run()
    at.button(key="comp_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    captions = [c.value for c in at.caption]
    # Quzhou converts households with the census 2.62, not the plan's trend statistic 2.33
    assert any(c.startswith("persons_per_household = 2.62 人/户: national standard")
               for c in captions), captions
    assert any(c.startswith("floor_area_per_person_m2 = 35") for c in captions)


def test_compliance_page_applies_a_tool_default_only_when_chosen(tmp_path, monkeypatch):
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("YILAO_DATA_DIR", str(tmp_path / "store"))
    root = Path(__file__).resolve().parents[1]

    def run(chosen):
        at = AppTest.from_file(str(root / "pages" / "compliance.py"), default_timeout=120)
        at.session_state["owner"] = "tester"
        at.session_state["lang"] = "en"
        at.session_state["profile_id"] = "quzhou"
        at.run()
        assert at.multiselect(key="comp_defaults").options == ["childcare_places_old"]
        at.multiselect(key="comp_defaults").set_value(chosen).run()
        at.button(key="comp_run").click().run()
        assert not at.exception, [e.value for e in at.exception]
        return at.dataframe[0].value.set_index("ID")

    # demo D08 老街片区更新: old area, 1,500 residents, 0 托位. Quzhou's plan states no old-area
    # figure: no 托位 verdict; with the 8 per 1000 default chosen: 12 托位 short, non-compliant
    assert run([]).loc["D08", "Status"] == "compliant on the rules checked"
    summary = run(["childcare_places_old"])
    assert summary.loc["D08", "Status"] == "non-compliant"
    assert "childcare_places_old" in summary.loc["D08", "Rules failed"]
