"""The report PDF and the Excel workbook show the demand rules applied and the totals per 街道."""

from __future__ import annotations

import io
import shutil
import subprocess

import openpyxl
import pytest

from geo.demo import load_demo
from maps.bundle import scenario_documents
from planning.params import ScenarioParams
from planning.profiles import load_profile
from planning.runs import run_scenario


@pytest.fixture(scope="module")
def bundle():
    d = load_demo()
    prof = load_profile("hefei")
    run = run_scenario(areas=d["areas"], facilities=d["facilities"],
                       candidates=d["candidates"], network=None, profile=prof,
                       params=ScenarioParams(service="both", target_year=2030,
                                             time_limit=20.0, gap=0.01))
    return d["areas"], scenario_documents(run=run, name="测试方案", profile=prof, lang="zh")


def test_excel_has_demand_per_street_with_units(bundle) -> None:
    areas, files = bundle
    wb = openpyxl.load_workbook(io.BytesIO(files["xlsx"]))
    assert {"需求口径", "需求（按街道）"} <= set(wb.sheetnames)
    rows = list(wb["需求（按街道）"].iter_rows(values_only=True))
    head = rows[0]
    table = [dict(zip(head, r, strict=True)) for r in rows[1:]]
    total = next(r for r in table if r["街道"] == "合计" and r["服务"] == "托育")
    # Hefei: 10 托位 per 1000 residents of new areas, 8 of old ones; every demo area is
    # completed before 2030, so all count; areas without a population count households × 2.62
    pop = (areas["population"].fillna(areas["households"] * 2.62)
           .groupby(areas["area_type"]).sum())
    assert total["政策口径需求"] == pytest.approx(pop["new"] / 1000 * 10 + pop["old"] / 1000 * 8)
    assert total["政策口径单位"] == "托位"
    assert "每千人托位 10 托位/千人" in total["政策口径依据"]
    streets = {r["街道"] for r in table}
    assert streets == {"和平街道", "幸福街道", "锦城街道", "滨湖街道", "合计"}
    assert {r["政策口径单位"] for r in table if r["服务"] == "养老"} == {"m²"}
    rules = list(wb["需求口径"].iter_rows(values_only=True))
    assert sorted(r[3] for r in rules[1:] if r[0] == "托育") == [8, 10]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler) absent")
def test_report_shows_rates_sources_and_names_not_ids(bundle) -> None:
    _, files = bundle
    text = subprocess.run(["pdftotext", "-", "-"], input=files["report"], capture_output=True,
                          check=True).stdout.decode("utf-8")
    flat = text.replace("\n", "")
    assert "需求口径（指标、户均人口及依据）" in text
    assert "10 托位/千" in flat and "8 托位/千" in flat and "30 m²/百" in flat
    assert "合肥市“一老一小”整体解决方案" in text
    assert "2.62 人/户" in flat and "第七次全国人口普查公报" in flat
    assert "目标年份" in text and "2030" in text
    assert "0% / 50% / 80% / 100%" in flat
    # rule details name the sites and rules, not the internal ids
    assert "瑞丰苑社区服务中心" in flat
    assert "C03-eldercare" not in flat and "eldercare_min_site_new" not in flat
    assert "养老单点最小面积" in flat.replace(" ", "")
