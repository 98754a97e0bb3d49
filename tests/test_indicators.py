"""City-wide indicators against the plans' targets: hand-derived values on a tiny district for
each of the five cities, the command on the demo for every profile, and on real data."""

from __future__ import annotations

import json

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
from shapely.geometry import Point, box

from planning.citywide import citywide_indicators
from planning.cli import main
from planning.profiles import load_profile

X0, Y0 = 117.27, 31.86
FAR = 0.05  # ≈ 4.7 km east: out of every walking circle


def _areas() -> gpd.GeoDataFrame:
    # A1: 3,000 residents (new); A2: 2,000 residents (new), far to the east
    return gpd.GeoDataFrame({
        "id": ["A1", "A2"], "name": ["甲", "乙"], "population": [3000.0, 2000.0],
        "households": [1000.0, 800.0], "area_type": ["new", "new"]},
        geometry=[box(X0, Y0, X0 + 0.001, Y0 + 0.001),
                  box(X0 + FAR, Y0, X0 + FAR + 0.001, Y0 + 0.001)], crs=4326)


def _facilities() -> gpd.GeoDataFrame:
    # child care next to A1 only: 10 普惠 + 5 public + 5 market = 20 托位;
    # elder care next to A2 only; a child-care candidate that must not count
    rows = [("F1", "childcare", "existing", 10, "puhui", X0), ("F2", "childcare", "existing", 5,
            "public", X0), ("F3", "childcare", "existing", 5, "market", X0),
            ("F4", "eldercare", "existing", 300, "public", X0 + FAR),
            ("C1", "childcare", "candidate", 100, "puhui", X0)]
    return gpd.GeoDataFrame({
        "id": [r[0] for r in rows], "service": [r[1] for r in rows],
        "status": [r[2] for r in rows], "capacity": [float(r[3]) for r in rows],
        "kind": [r[4] for r in rows]},
        geometry=[Point(r[5] + 0.0005, Y0 + 0.0012) for r in rows], crs=4326)


def _developments() -> pd.DataFrame:
    # d1: 1,000 residents, 10 托位 and 200 m² for 400 households (meets every figure of the
    # five plans); d2: 1,000 residents, 9 托位 (short of 10 per 1000 except in Suizhou)
    cols = ["id", "area_type", "population", "households", "childcare_places",
            "eldercare_area_m2", "eldercare_site_areas_m2", "childcare_site_places"]
    return pd.DataFrame([("d1", "new", 1000, 400, 10, 400, "400", "10"),
                         ("d2", "new", 1000, 400, 9, 400, "400", "9")], columns=cols)


def _by_id(report):
    return {i.id: i for i in report.indicators}


# profile -> (托位/千人 target, 普惠 target, child-care coverage target, 配建达标率 all)
# 托位 per 1000 = 20 / 5,000 × 1000 = 4.0; 普惠 share 10 / 20 = 0.5;
# child-care coverage: only A1 → 3,000 / 5,000 = 0.6; elder care: only A2 → 0.4.
# 配建达标率: d2 fails 10 per 1000 (9 < 10) everywhere but Suizhou (4.5 → 4.5 places, 5 whole)
EXPECTED = {
    "chuzhou": (4.6, 0.6, 0.85, 0.5),
    "xuanhan": (4.5, None, None, 0.5),
    "quzhou": (4.5, 0.8, None, 0.5),
    "hefei": (5.6, 0.5, 0.95, 0.5),
    "suizhou": (4.5, 0.9, 0.8, 1.0),
}


@pytest.mark.parametrize("pid", sorted(EXPECTED))
def test_hand_derived_indicators_per_city(pid):
    places_t, puhui_t, cov_t, rate = EXPECTED[pid]
    rep = citywide_indicators(load_profile(pid), _areas(), facilities=_facilities(),
                              developments=_developments())
    ind = _by_id(rep)
    p = ind["childcare_places_per_1000"]
    assert p.value == pytest.approx(4.0) and p.target == places_t and p.met is False
    assert p.target_year == 2025 and p.basis == "local_plan"
    s = ind["share_puhui"]
    assert s.value == pytest.approx(0.5) and s.target == puhui_t
    assert s.met is (None if puhui_t is None else 0.5 >= puhui_t)
    if puhui_t is None:
        assert s.reason is not None and s.reason.code == "policy.ind_no_target"
    c = ind["coverage_childcare"]
    assert c.value == pytest.approx(0.6) and c.target == cov_t
    assert ind["coverage_eldercare"].value == pytest.approx(0.4)
    assert ind["compliance_rate"].value == pytest.approx(rate)
    doc = rep.to_dict()
    assert doc["profile"] == pid
    for rec in doc["indicators"]:
        assert {"id", "name", "value", "target", "target_year", "met", "unit", "source",
                "basis"} <= set(rec)


def test_compliance_rate_targets_leave_out_what_the_plan_states_no_figure_for():
    # Chuzhou states no new-area elder-care figure: its 100 % new-area target cannot be
    # computed from these developments, and the report says why
    ind = _by_id(citywide_indicators(load_profile("chuzhou"), _areas(),
                                     facilities=_facilities(), developments=_developments()))
    r = ind["compliance_rate_eldercare_new"]
    assert r.value is None and r.target == 1.0
    assert r.reason is not None and r.reason.args["n"] == 2
    # Hefei states 30 m² per 100 households and 350 m² per site: 400 households → 120 m²,
    # one 400 m² site: both developments pass the elder-care rules → 100 %
    ind = _by_id(citywide_indicators(load_profile("hefei"), _areas(),
                                     facilities=_facilities(), developments=_developments()))
    r = ind["compliance_rate_eldercare_new"]
    assert (r.value, r.target, r.met, r.strength) == (1.0, 1.0, True, "mandatory")


def test_missing_inputs_are_listed_with_the_reason_not_dropped():
    rep = citywide_indicators(load_profile("suizhou"), _areas())
    ind = _by_id(rep)
    for iid in ("childcare_places_per_1000", "share_puhui", "coverage_childcare",
                "coverage_eldercare", "compliance_rate", "compliance_rate_eldercare_new",
                "colocation_eldercare", "eldercare_beds_target_2025"):
        assert ind[iid].value is None and ind[iid].reason is not None, iid
    assert ind["share_puhui"].target == 0.9
    assert ind["colocation_eldercare"].reason.code == "policy.ind_missing_health"
    no_kind = _facilities().drop(columns="kind")
    ind = _by_id(citywide_indicators(load_profile("suizhou"), _areas(), facilities=no_kind))
    assert ind["share_puhui"].reason.code == "policy.ind_missing_kind"
    assert ind["childcare_places_per_1000"].value == pytest.approx(4.0)


def test_colocation_with_a_health_layer_uses_the_tool_default_distance():
    # Xuanhan 「同址或邻近」: F4 (elder care) has a clinic 100 m away → within the 300 m default
    health = gpd.GeoDataFrame({"id": ["H1"], "service": ["health"]},
                              geometry=[Point(X0 + FAR + 0.0005 + 0.00105, Y0 + 0.0012)],
                              crs=4326)
    ind = _by_id(citywide_indicators(load_profile("xuanhan"), _areas(),
                                     facilities=_facilities(), health=health))
    c = ind["colocation_eldercare"]
    assert (c.value, c.target, c.met, c.strength) == (1.0, 1.0, True, "advisory")
    assert any(n.code == "policy.parameter_used" and "tool default" in str(n) for n in c.notes)
    far = health.set_geometry([Point(X0, Y0 + 0.02)], crs=4326)
    c = _by_id(citywide_indicators(load_profile("xuanhan"), _areas(),
                                   facilities=_facilities(), health=far))["colocation_eldercare"]
    assert (c.value, c.met) == (0.0, False)


@pytest.mark.parametrize("pid", ["national", "chuzhou", "xuanhan", "quzhou", "hefei",
                                 "suizhou"])
def test_indicators_command_on_the_demo(pid, tmp_path, capsys):
    out = tmp_path / "ind.json"
    assert main(["indicators", "--profile", pid, "--demo", "--out", str(out)]) == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["profile"] == pid
    ind = {i["id"]: i for i in doc["indicators"]}
    # the demo's existing child care: 40 + 60 + 80 + 50 + 90 = 320 托位, 普惠 60 + 50 + 90
    assert ind["share_puhui"]["value"] == pytest.approx(200 / 320)
    assert ind["childcare_places_per_1000"]["target"] == {
        "national": 4.5, "chuzhou": 4.6, "xuanhan": 4.5, "quzhou": 4.5, "hefei": 5.6,
        "suizhou": 4.5}[pid]
    assert ind["compliance_rate"]["value"] is not None
    assert "每千人口托位数" in capsys.readouterr().out


def test_indicators_command_writes_excel_in_the_interface_language(tmp_path):
    out = tmp_path / "ind.xlsx"
    assert main(["indicators", "--profile", "hefei", "--demo", "--lang", "en",
                 "--out", str(out)]) == 0
    rows = list(openpyxl.load_workbook(out)["indicators"].values)
    names = [r[1] for r in rows[1:]]
    assert "托位 per 1000 residents" in names
    assert main(["indicators", "--profile", "hefei", "--demo", "--out",
                 str(tmp_path / "x.txt")]) == 2


@pytest.mark.realdata
def test_indicators_on_the_beijing_communities(lianjia_csv, tmp_path):
    out = tmp_path / "bj.json"
    assert main(["indicators", "--profile", "national", "--areas", str(lianjia_csv),
                 "--crs", "bd09", "--id-column", "lianjia_id", "--skip-empty",
                 "--area-type", "old", "--out", str(out)]) == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    ind = {i["id"]: i for i in doc["indicators"]}
    # no facilities in the table: every facility indicator is listed with that reason
    assert ind["childcare_places_per_1000"]["value"] is None
    assert ind["childcare_places_per_1000"]["reason"]["code"] == "policy.ind_missing_facilities"
    assert ind["childcare_places_per_1000"]["target"] == 4.5
    # 480 communities with coordinates, households × 2.62 residents
    assert doc["inputs"]["areas"] == 480
    assert doc["inputs"]["residents"] > 480 * 100


# The demo's existing child care: F01 40 public, F02 60 普惠, F03 80 market, F04 50 普惠,
# F05 90 普惠 = 320 托位, of which 200 普惠: 62.5 %, above Chuzhou's 60 %, below Suizhou's 90 %.
@pytest.mark.parametrize("pid,lang,puhui_target,met,label", [
    ("chuzhou", "zh", 60.0, "✓", "普惠托位占比"),
    ("suizhou", "en", 90.0, "✗", "share of 托位 in puhui facilities"),
])
def test_indicators_page_on_the_demo(pid, lang, puhui_target, met, label, monkeypatch,
                                     tmp_path):
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    from core.texts import column_label

    monkeypatch.setenv("YILAO_DATA_DIR", str(tmp_path / "store"))
    root = Path(__file__).resolve().parents[1]
    at = AppTest.from_file(str(root / "pages" / "indicators.py"), default_timeout=120)
    at.session_state["owner"] = "tester"
    at.session_state["lang"] = lang
    at.session_state["profile_id"] = pid
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    # the conversion figure used is shown with its basis and source (issue 9 point 6)
    basis = "国家标准或文件" if lang == "zh" else "national standard"
    assert any(c.value.startswith("persons_per_household = 2.62 人/户") and basis in c.value
               and "第七次全国人口普查" in c.value for c in at.caption)
    table = at.dataframe[0].value
    col = {c: str(column_label(c, lang)) for c in
           ("indicator", "value", "target", "target_year", "met", "unit", "source", "basis",
            "reason")}
    assert list(table.columns) == list(col.values())
    row = table[table[col["indicator"]] == label].iloc[0]
    assert row[col["value"]] == pytest.approx(62.5)
    assert row[col["target"]] == pytest.approx(puhui_target)
    assert row[col["met"]] == met and row[col["unit"]] == "%"
    assert row[col["target_year"]] == 2025
    assert row[col["basis"]] == ("本地方案" if lang == "zh" else "local plan")
    assert "普惠" in row[col["source"]]
    # beds need data the tool does not read: listed with the reason, not dropped
    beds = table[table[col["met"]] == "—"]
    reason = "本工具不计算该指标" if lang == "zh" else "the tool does not compute"
    assert beds[col["reason"]].str.contains(reason).sum() == 2
    assert (table[col["met"]] != "").all()
