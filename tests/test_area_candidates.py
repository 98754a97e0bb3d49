"""A table of communities without candidate sites: a candidate at every area, area types by year.

Hand-derived: two compounds 300 m apart (straight line), 1,000 residents each; the national
profile's tool default for new areas is 10 托位 per 1000 and for old areas 8, so a compound built
in 2016 needs 10 and one built in 2005 needs 8 when the planner says areas completed in or after
2015 are new. Candidates at both compounds cost 100 + 1 per 托位, capacity up to 100: the least
cost is one site of 18 托位, 118.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from errors import InputError
from planning.area_candidates import check_candidate_template
from planning.cli import main

# 300 m apart along a meridian: 300 / 111,195 m per degree of latitude
AREAS = ("id,name,lon,lat,population,completion_year\n"
         "A,甲小区,118.78,32.04,1000,2016\n"
         "B,乙小区,118.78,32.0426979,1000,2005\n")
TEMPLATE = ("service,fixed_cost,unit_cost,min_capacity,max_capacity\n"
            "childcare,100,1,0,100\n")


def _write(tmp_path, areas=AREAS, template=TEMPLATE):
    a, t = tmp_path / "areas.csv", tmp_path / "cands.csv"
    a.write_text(areas, encoding="utf-8")
    t.write_text(template, encoding="utf-8")
    return a, t


def _plan(tmp_path, a, t, *extra):
    out = tmp_path / "out" / "result.json"
    out.parent.mkdir(exist_ok=True)
    code = main(["plan", "--profile", "national", "--areas", str(a), "--crs", "wgs84",
                 "--straight-line", "--service", "childcare", "--candidates-at-areas", str(t),
                 "--out", str(out), *extra])
    return code, out


def test_candidates_at_areas_and_area_types_from_the_year(tmp_path) -> None:
    a, t = _write(tmp_path)
    code, out = _plan(tmp_path, a, t, "--area-type", "old", "--new-since", "2015")
    assert code == 0
    d = json.loads(out.read_text(encoding="utf-8"))
    assert d["objective"] == pytest.approx(118.0)
    opened = [s for s in d["sites"] if s["open"]]
    assert len(opened) == 1 and opened[0]["capacity"] == pytest.approx(18.0)
    notes = " ".join(n["text"] if isinstance(n, dict) else str(n) for n in d["notes"])
    assert "2015" in notes  # the cut-off year the planner set
    assert "cands.csv" in notes  # the sizes and costs are quoted as the planner's


def test_blank_area_types_need_the_planners_choice(tmp_path, capsys) -> None:
    a, t = _write(tmp_path)
    code, out = _plan(tmp_path, a, t, "--new-since", "2015")
    assert code == 2 and not out.exists()
    assert "--area-type" in capsys.readouterr().err


def test_map_form_without_sites_names_both_ways(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("PLANNING_LANG", "zh")
    a, _ = _write(tmp_path)
    out = tmp_path / "r.json"
    code = main(["plan", "--profile", "national", "--areas", str(a), "--crs", "wgs84",
                 "--straight-line", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and not out.exists()
    assert "--candidates-at-areas" in err and "地图形式需要 --sites" in err


def test_template_problems_name_rows_and_values() -> None:
    frame = pd.DataFrame({"service": ["childcare", "eldercare", "kindergarten"],
                          "fixed_cost": ["100", "-5", "1"], "unit_cost": ["1", "1", "1"],
                          "min_capacity": ["50", "0", "0"], "max_capacity": ["20", "inf", "1"]})
    with pytest.raises(InputError) as e:
        check_candidate_template(frame, ["childcare", "eldercare"], source="c.csv")
    text = e.value.render("en")
    assert "min_capacity 50 is above max_capacity 20" in text
    assert "fixed_cost must be a finite number ≥ 0; got '-5'" in text
    assert "max_capacity must be a finite number ≥ 0; got 'inf'" in text
    assert "service must be childcare or eldercare; got 'kindergarten'" in text


def test_report_title_names_place_service_and_objective() -> None:
    import argparse

    from planning.commands.plan import _title
    from planning.profiles import load_profile

    args = argparse.Namespace(name=None, objective="min-cost", service="both", lang="zh")
    assert _title(args, load_profile("national")) == "全国 · 托育 + 养老 · 全覆盖最低成本"
    args.name = "东城区 2025"
    assert _title(args, load_profile("national")) == "东城区 2025"


def test_console_summary_in_the_planners_language(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("PLANNING_LANG", "zh")
    a, t = _write(tmp_path)
    code, _ = _plan(tmp_path, a, t, "--area-type", "old", "--new-since", "2015")
    out = capsys.readouterr().out
    assert code == 0
    assert "新增站点 1 处，成本 118 元；未满足：托育 0 托位（0 行）" in out
    assert "需求（托育）：政策口径 18 托位；方案采用：政策口径" in out
    assert "cost" not in out and "wrote" not in out


def test_id_column_names_the_areas(tmp_path) -> None:
    a, t = _write(tmp_path, areas=AREAS.replace("id,name", "lianjia_id,name", 1))
    code, out = _plan(tmp_path, a, t, "--area-type", "old", "--id-column", "lianjia_id")
    assert code == 0
    d = json.loads(out.read_text(encoding="utf-8"))
    assert {r["origin_id"] for r in d["assignments"]} == {"A", "B"}
