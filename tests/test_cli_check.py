"""The ``profiles`` and ``check`` commands: output, exit codes, no partial output on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from planning.cli import main

ROOT = Path(__file__).resolve().parents[1]

HEADER = ("id,name,area_type,population,households,childcare_places,eldercare_area_m2,"
          "eldercare_site_areas_m2,childcare_site_places\n")
GOOD_CSV = HEADER + """D1,甲,new,5240,,52,600,"350,250",52
D2,乙,old,,1000,21,200,200,21
D3,丙,new,,1000,27,300,350,27
"""

BAD_CSV = """id,name,area_type,population,households,childcare_places,eldercare_area_m2
B1,坏1,new,,,10,100
B2,坏2,new,-50,,10,100
B3,好,new,1000,,10,300
"""


@pytest.fixture
def good_csv(tmp_path):
    p = tmp_path / "devs.csv"
    p.write_text(GOOD_CSV, encoding="utf-8")
    return p


@pytest.fixture
def bad_csv(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text(BAD_CSV, encoding="utf-8")
    return p


def test_profiles_list(capsys):
    assert main(["profiles"]) == 0
    out = capsys.readouterr().out
    for pid in ("national", "chuzhou", "xuanhan", "quzhou", "hefei", "suizhou"):
        assert f"\n{pid} " in out
    assert "合肥市" in out and "1 omitted" in out


def test_profiles_show_marks_local_and_inherited(capsys):
    assert main(["profiles", "show", "hefei"]) == 0
    out = capsys.readouterr().out
    assert "[local] eldercare_min_site_new: eldercare, eldercare_min_site_area, area new: 350" \
        in out
    assert "單體面積不得低於350平方米" in out
    assert "[inherited from national] eldercare_beds_per_1000_elderly" in out
    assert "[inherited from national] persons_per_household = 2.62 人/户  (basis " \
        "national_standard)" in out
    assert "basis local_plan, mandatory, level development" in out
    # the scope and the year of the old-area 托位 clause (「到2025年」, 「無嬰幼兒照護服務設施的」)
    assert "level development, target 2025, deadline 2025, only if no_existing_childcare" in out
    assert main(["profiles", "show", "suizhou"]) == 0
    assert "按标补齐" in capsys.readouterr().out


def test_profiles_show_unknown_exits_2(capsys):
    assert main(["profiles", "show", "atlantis"]) == 2
    assert "unknown profile 'atlantis'" in capsys.readouterr().err


def test_check_writes_json(good_csv, tmp_path, capsys):
    out = tmp_path / "report.json"
    assert main(["check", "--profile", "hefei", "--developments", str(good_csv),
                 "--out", str(out)]) == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["profile"] == "hefei"
    devs = {d["id"]: d for d in doc["developments"]}
    assert devs["D1"]["compliant"] is False
    cc = next(r for r in devs["D1"]["rules"] if r["kind"] == "childcare_places_per_1000")
    assert (cc["required"], cc["provided"], cc["shortfall"]) == (52.4, 52, 0.4)
    site = next(r for r in devs["D1"]["rules"] if r["kind"] == "eldercare_min_site_area")
    assert (site["required"], site["provided"], site["passed"]) == (350, 250, False)
    assert devs["D2"]["compliant"] is True  # 1000 households → 2620 → 20.96 托位, 200 m²
    assert devs["D3"]["compliant"] is True  # 2620 → 26.2 托位; 300 m²; one 350 m² site
    assert (cc["strength"], cc["basis"], cc["required_whole"], cc["shortfall_whole"]) == (
        "mandatory", "local_plan", 53, 1)
    text = capsys.readouterr().out
    # the console speaks Chinese by default and gives whole places
    assert "childcare_places_new [强制性; 本地方案]: 应配 52.4 托位 (即 53 托位), 已配 52 托位, " \
        "缺 1 托位" in text
    assert main(["check", "--profile", "hefei", "--developments", str(good_csv),
                 "--lang", "en"]) == 0
    text = capsys.readouterr().out
    assert ("childcare_places_new [mandatory; local plan]: required 52.4 托位 (i.e. 53 托位), "
            "provided 52 托位, short by 1 托位") in text
    assert "source: 合肥市“一老一小”整体解决方案" in text
    # the profile-level rules not checked are in the console summary too (audit M7)
    assert "Rules not checked on developments:" in text
    assert "eldercare_service_circle (local plan): needs walking times" in text
    assert "persons_per_household = 2.62" in text


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_check_writes_csv_and_xlsx(good_csv, tmp_path, suffix):
    out = tmp_path / f"report{suffix}"
    assert main(["check", "--profile", "quzhou", "--developments", str(good_csv),
                 "--out", str(out)]) == 0
    if suffix == ".csv":
        text = out.read_text(encoding="utf-8-sig")
        assert text.splitlines()[0].startswith("development_id,development_name,area_type")
        assert "eldercare_min_site_new" in text
    else:
        wb = openpyxl.load_workbook(out)
        assert wb["rules"]["A2"].value == "D1"


def test_check_strict_exit_code(good_csv):
    assert main(["check", "--profile", "hefei", "--developments", str(good_csv),
                 "--strict"]) == 1
    assert main(["check", "--profile", "suizhou", "--developments", str(good_csv),
                 "--strict"]) == 0


def test_check_bad_input_exits_2_lists_every_row_and_writes_nothing(bad_csv, tmp_path,
                                                                    capsys):
    out = tmp_path / "report.json"
    assert main(["check", "--profile", "hefei", "--developments", str(bad_csv),
                 "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "B1" in err and "B2" in err and "B3" not in err
    assert not out.exists()
    out.write_text("earlier report", encoding="utf-8")
    assert main(["check", "--profile", "hefei", "--developments", str(bad_csv),
                 "--out", str(out)]) == 2
    assert out.read_text(encoding="utf-8") == "earlier report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv", "report.json"]


def test_check_rejects_unknown_output_format_before_reading(good_csv, tmp_path, capsys):
    out = tmp_path / "report.pdf"
    assert main(["check", "--profile", "hefei", "--developments", str(good_csv),
                 "--out", str(out)]) == 2
    assert "unsupported format '.pdf'" in capsys.readouterr().err
    assert not out.exists()


def test_check_unknown_profile_exits_2(good_csv, capsys):
    assert main(["check", "--profile", "atlantis", "--developments", str(good_csv)]) == 2
    assert "unknown profile 'atlantis'" in capsys.readouterr().err


def test_check_with_a_user_profile_file(good_csv, tmp_path):
    prof = tmp_path / "strict.toml"
    prof.write_text(
        'id = "strict"\nname = "严格"\nparent = "suizhou"\n'
        '[[rules]]\nid = "childcare_max_site_places"\nservice = "childcare"\n'
        'kind = "childcare_max_site_places"\narea_type = "any"\nvalue = 50\nunit = "托位/机构"\n'
        'basis = "local_plan"\nstrength = "mandatory"\n'
        'source = { document = "test", clause = "「50」" }\n', encoding="utf-8")
    out = tmp_path / "r.json"
    assert main(["check", "--profile", str(prof), "--developments", str(good_csv),
                 "--out", str(out)]) == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    d1 = next(d for d in doc["developments"] if d["id"] == "D1")
    mx = next(r for r in d1["rules"] if r["kind"] == "childcare_max_site_places")
    assert (mx["required"], mx["provided"], mx["passed"], mx["excess"]) == (50, 52, False, 2)
    assert d1["status"] == "non_compliant"  # the user's own cap is mandatory


def _demo(profile, tmp_path, *extra):
    out = tmp_path / f"{profile}.json"
    assert main(["check", "--profile", profile, "--demo", "--out", str(out), *extra]) == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    return doc, {d["id"]: d for d in doc["developments"]}


def _rule(dev, rid):
    return next((r for r in dev["rules"] if r["rule"] == rid), None)


def test_demo_verdicts_per_profile(tmp_path):
    # national: the 10 / 8 are tool defaults, reference checks only: no non-compliant verdict
    doc, devs = _demo("national", tmp_path)
    assert doc["summary"]["non_compliant"] == 0
    d02 = devs["D02"]  # 5,240 residents, 50 托位: 52.4 required (53 places) is not met
    r = _rule(d02, "childcare_places_new")
    assert (r["basis"], r["decides"], r["passed"]) == ("tool_default", False, False)
    assert [w["code"] for w in d02["warnings"]] == ["policy.warn_reference_failed"]
    # national with the default adopted on purpose: D02 fails and the report says so
    doc, devs = _demo("national", tmp_path, "--apply-default", "childcare_places_new")
    assert devs["D02"]["status"] == "non_compliant"
    assert any(w["code"] == "policy.warn_adopted" for w in devs["D02"]["warnings"])
    # quzhou: D08 (old, 1,500 residents, 0 托位) gets no 托位 verdict; D02 and D07 fail at 2.62
    doc, devs = _demo("quzhou", tmp_path)
    assert _rule(devs["D08"], "childcare_places_old") is None
    assert devs["D08"]["status"] == "compliant_on_rules_checked"
    assert devs["D02"]["status"] == devs["D07"]["status"] == "non_compliant"
    assert _rule(devs["D07"], "childcare_places_new")["required_whole"] == 29  # 28.82
    # ... and the planner's 2.33 turns them into passes, shown in the report
    doc, devs = _demo("quzhou", tmp_path, "--persons-per-household", "2.33")
    assert devs["D02"]["status"] == devs["D07"]["status"] == "compliant"
    assert doc["parameters_used"]["persons_per_household"]["basis"] == "planner"
    # quzhou with the tool default for old areas applied on purpose: D08 needs 12 托位
    doc, devs = _demo("quzhou", tmp_path, "--apply-default", "childcare_places_old")
    assert devs["D08"]["status"] == "non_compliant"
    assert _rule(devs["D08"], "childcare_places_old")["shortfall_whole"] == 12
    # suizhou: D09's 160-place site is advisory; D08 with 0 托位 is not 'incomplete'
    doc, devs = _demo("suizhou", tmp_path)
    assert doc["summary"]["non_compliant"] == doc["summary"]["incomplete"] == 0
    assert devs["D09"]["status"] == "compliant"
    assert [w["code"] for w in devs["D09"]["warnings"]] == ["policy.warn_advisory_failed"]
    assert devs["D08"]["status"] == "compliant_on_rules_checked"
    # chuzhou: no per-development 2万 rule anywhere
    doc, devs = _demo("chuzhou", tmp_path)
    assert all(_rule(d, "childcare_sites_per_20000") is None for d in devs.values())
    assert any(x["rule"] == "childcare_sites_per_20000" and x["level"] == "residential_district"
               for x in doc["not_checked"])
    # xuanhan: no elder-care figure: compliant on the rules checked, never plain compliant
    doc, devs = _demo("xuanhan", tmp_path)
    assert doc["summary"]["compliant"] == 0
    assert doc["summary"]["compliant_on_rules_checked"] + doc["summary"]["non_compliant"] == 12


def test_apply_default_of_a_rule_that_is_not_a_tool_default_exits_2(capsys):
    assert main(["check", "--profile", "quzhou", "--demo", "--apply-default",
                 "childcare_places_new"]) == 2
    assert "not a tool-default rule" in capsys.readouterr().err


def test_check_demo(tmp_path):
    out = tmp_path / "demo.json"
    assert main(["check", "--profile", "hefei", "--demo", "--out", str(out)]) == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["profile"] == "hefei" and doc["developments"]
    assert doc["summary"]["non_compliant"] >= 1
    for d in doc["developments"]:
        for r in d["rules"]:
            if r["kind"] == "childcare_places_per_1000":
                assert r["required"] == pytest.approx(
                    d["population"] * (10 if d["area_type"] == "new" else 8) / 1000)


def test_python_m_planning_exit_code_and_stderr(bad_csv, tmp_path):
    out = tmp_path / "r.json"
    proc = subprocess.run(
        [sys.executable, "-m", "planning", "check", "--profile", "hefei",
         "--developments", str(bad_csv), "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("error:") and "B1" in proc.stderr
    assert not out.exists()


def test_check_reads_existing_places_and_completion_year_from_a_file(tmp_path, capsys):
    # O1 already has a 30-place child-care facility: Chuzhou's old-area 托位 rule (「无婴幼儿
    # 照护服务设施的」) does not apply; O2 has none: 1000 households × 2.62 × 8/1000 = 20.96
    # → 21 places, 0 given; both renovations end in 2027, after 「于2025年底前」
    p = tmp_path / "old.csv"
    p.write_text("id,area_type,households,childcare_places,eldercare_area_m2,"
                 "existing_childcare_places,completion_year\n"
                 "O1,old,1000,0,200,30,2027\nO2,old,1000,0,200,0,2027\n", encoding="utf-8")
    out = tmp_path / "r.json"
    assert main(["check", "--profile", "chuzhou", "--developments", str(p), "--out", str(out),
                 "--lang", "en"]) == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    devs = {d["id"]: d for d in doc["developments"]}
    o1, o2 = devs["O1"], devs["O2"]
    assert o1["status"] == "compliant"
    assert [r["rule"] for r in o1["rules"]] == ["eldercare_area_old"]
    na = next(x for x in o1["not_checked"] if x["rule"] == "childcare_places_old")
    assert na["not_applicable"] and na["reason"]["code"] == \
        "policy.nc_condition_no_existing_childcare"
    cc = next(r for r in o2["rules"] if r["rule"] == "childcare_places_old")
    assert (cc["required_whole"], cc["shortfall_whole"]) == (21, 21)
    assert o2["status"] == "non_compliant"
    assert "policy.deadline_late" in {w["code"] for w in o1["warnings"]}
    text = capsys.readouterr().out
    assert "not applicable: rule childcare_places_old covers only 小区 without" in text
    assert "after it: the rules apply as usual" in text


def test_existing_places_read_under_their_chinese_name(tmp_path):
    # the same O1 as above, its field named 现有托位 as a bureau's table names it
    p = tmp_path / "old_zh.csv"
    p.write_text("编号,类型,户数,托位,养老面积,现有托位\nO1,old,1000,0,200,30\n",
                 encoding="utf-8")
    out = tmp_path / "r.json"
    assert main(["check", "--profile", "chuzhou", "--developments", str(p), "--out", str(out),
                 "--lang", "en"]) == 0
    o1 = json.loads(out.read_text(encoding="utf-8"))["developments"][0]
    na = next(x for x in o1["not_checked"] if x["rule"] == "childcare_places_old")
    assert na["not_applicable"]
