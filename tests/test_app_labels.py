"""Tables shown to planners: Chinese column labels and values, English on request.

The canonical (machine-readable) names stay in the data; only what the pages show, and the
Excel written for a Chinese reader, goes through :func:`core.texts.label_frame`.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from core.messages import Message
from core.texts import COLUMN_LABELS, VALUE_LABELS, column_label, label_frame, value_label

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 120


pytestmark = pytest.mark.usefixtures("app_store")  # tests/conftest.py


def _compliance(lang: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / "compliance.py"), default_timeout=TIMEOUT)
    at.session_state["owner"] = "tester"
    at.session_state["lang"] = lang
    at.run()
    at.button(key="comp_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_label_frame_renames_known_columns_and_values_only() -> None:
    df = pd.DataFrame({"status": ["failed", "passed", "odd"], "shortfall": [2.4, 0.0, 1.0],
                       "rule": ["r1", "r2", "r3"], "my_field": ["new", "x", "y"],
                       "area_type": ["new", "old", None]})
    out = label_frame(df, "zh")
    # 'status' next to 'rule' is the rule's result; unknown column untouched, values too
    assert list(out.columns) == ["结果", "缺口", "规则", "my_field", "区域类型"]
    assert out["结果"].tolist() == ["未通过", "通过", "odd"]
    assert out["my_field"].tolist() == ["new", "x", "y"]
    assert out["区域类型"].tolist()[:2] == ["新建", "老旧"] and out["区域类型"].isna().iloc[2]
    assert out["缺口"].tolist() == [2.4, 0.0, 1.0]  # numbers are not touched
    assert out["规则"].tolist() == ["r1", "r2", "r3"]  # rule ids are ids
    # the input keeps its canonical names and values
    assert list(df.columns)[0] == "status" and df["status"].iloc[0] == "failed"
    en = label_frame(df, "en")
    assert list(en.columns) == ["Result", "Shortfall", "Rule", "my_field", "Area type"]
    assert en["Result"].tolist() == ["failed", "passed", "odd"]


def test_label_frame_keeps_labels_unique_and_drops_geometry() -> None:
    import geopandas as gpd
    from shapely.geometry import Point

    # a planner's own column already called 编号 keeps 'id' from being renamed onto it
    gdf = gpd.GeoDataFrame({"id": ["A"], "编号": ["x"], "kind": ["puhui"]},
                           geometry=[Point(0, 0)], crs=4326)
    out = label_frame(gdf, "zh")
    assert list(out.columns) == ["id", "编号", "类别"]
    assert out["类别"].tolist() == ["普惠"]


def test_label_frame_renders_structured_messages() -> None:
    note = Message("where.rows", {"rows": ["R1"]})
    df = pd.DataFrame({"detail": [note, note.to_json(), "plain text"]})
    assert label_frame(df, "zh")["说明"].tolist()[:2] == ["行 R1", "行 R1"]
    assert label_frame(df, "en")["Detail"].tolist() == ["rows R1", "rows R1", "plain text"]
    assert df["detail"].iloc[0] is note  # the input keeps its messages


def test_value_labels_without_patterns() -> None:
    assert value_label("no site within reach", "zh") == "步行范围内没有站点"
    assert value_label("capacity in reach insufficient", "zh") == "步行范围内站点容量不足"
    assert value_label("optimal", "zh") == "最优"
    # derivations are codes now (population_method), not English sentences parsed back
    assert value_label("households", "zh") == "由户数推算"
    assert value_label("compliant_on_rules_checked", "en") == "compliant on the rules checked"
    from core import texts

    assert not hasattr(texts, "_VALUE_PATTERNS_ZH")
    assert value_label(3.0, "zh") == 3.0 and value_label("whatever", "zh") == "whatever"
    assert column_label("amount", "zh", context=["id", "amount", "reason"]) == "未满足量"
    for table in (COLUMN_LABELS, VALUE_LABELS):
        for key, entry in table.items():
            assert set(entry) == {"zh", "en"} and all(entry.values()), key
    for lang in ("zh", "en"):
        labels = [v[lang] for v in COLUMN_LABELS.values()]
        assert len(labels) == len(set(labels)), f"two columns share a label in {lang}"


def test_compliance_page_shows_chinese_labels_and_values() -> None:
    at = _compliance("zh")
    summary, rules = at.dataframe[0].value, at.dataframe[1].value
    for label in ("所需", "已配", "缺口", "单位", "依据", "规则", "规则类型", "结果", "项目编号"):
        assert label in rules.columns, label
    assert not {"required", "shortfall", "source", "status", "kind"} & set(rules.columns)
    assert set(rules["结果"]) <= {"通过", "未通过", "未填报"} and "未通过" in set(rules["结果"])
    assert set(rules["区域类型"]) <= {"新建", "老旧"}
    assert "每千人托位" in set(rules["规则类型"])
    assert rules["依据"].notna().all()
    assert {"编号", "名称", "状态", "人口来源", "未达标规则"} <= set(summary.columns)
    assert set(summary["状态"]) <= {"达标", "不达标", "资料不全"}
    # D04 和园 gives only households: 800 × 2.62 = 2096 residents; it fails both elder-care rules
    d04 = summary.set_index("编号").loc["D04"]
    assert d04["状态"] == "不达标" and d04["人口"] == pytest.approx(2096.0)
    assert d04["人口来源"] == "户数×2.62（规则集 hefei：persons_per_household）"
    assert d04["未达标规则"] == "eldercare_area_new, eldercare_min_site_new"
    # the map's rule choice reads in Chinese too
    assert at.selectbox(key="comp_kind").label == "按规则显示缺口"


def test_compliance_page_in_english_shows_english_labels() -> None:
    at = _compliance("en")
    rules = at.dataframe[1].value
    for label in ("Required", "Provided", "Shortfall", "Source", "Result", "Rule kind"):
        assert label in rules.columns, label
    assert set(rules["Result"]) <= {"passed", "failed", "not provided"}
    assert set(at.dataframe[0].value["Status"]) <= {"compliant", "non-compliant", "incomplete"}


def test_compliance_excel_in_chinese_keeps_numbers() -> None:
    at = _compliance("zh")
    button = at.get("download_button")[0]
    assert button.proto.label == "表格（Excel）"
    from geo.demo import load_demo
    from maps.export import excel_bytes
    from planning.compliance import check_developments
    from planning.profiles import load_profile

    rep = check_developments(load_demo()["developments"], load_profile("hefei"))
    frame = rep.to_frame()
    xl = pd.read_excel(io.BytesIO(excel_bytes({"rules": frame}, lang="zh")), sheet_name=None)
    assert list(xl) == ["逐条规则"]
    sheet = xl["逐条规则"]
    assert {"所需", "缺口", "依据"} <= set(sheet.columns)
    assert sheet["缺口"].tolist() == pytest.approx(frame["shortfall"].tolist())
    # without a language the workbook keeps the canonical names (machine-readable)
    raw = pd.read_excel(io.BytesIO(excel_bytes({"rules": frame})), sheet_name=None)
    assert list(raw) == ["rules"] and "shortfall" in raw["rules"].columns


def test_scenario_page_tables_in_chinese_and_cost_apart_from_objective() -> None:
    at = AppTest.from_file(str(ROOT / "pages" / "scenarios.py"), default_timeout=TIMEOUT)
    at.session_state["owner"] = "tester"
    at.session_state["lang"] = "zh"
    at.run()
    at.button(key="sc_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    run = at.session_state["run"]["run"]
    frames = [d.value for d in at.dataframe]
    sites = next(f for f in frames if "新增规模" in f.columns)
    assert set(sites["状态"]) == {"新增"} and set(sites["服务"]) == {"托育"}
    unmet = next(f for f in frames if "未满足量" in f.columns)
    assert list(unmet.columns[:3]) == ["编号", "名称", "未满足量"]
    assert set(unmet["原因 / 说明"]) <= {"步行范围内没有站点", "步行范围内站点容量不足"}
    assert "步行范围内没有站点" in set(unmet["原因 / 说明"])
    # the cost metric is the cost; the penalised objective is labelled as such, and larger
    ind = run.indicators["total"]
    unmet = run.indicators["childcare"]["unmet"]
    assert ind["objective"] > ind["cost"] and unmet > 0
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["成本（元）"] == f"{ind['cost']:,.0f}"
    assert metrics["未满足需求"] == f"{unmet:,.1f} 托位"
    status = at.info[0].value
    assert "目标函数值（成本＋未满足需求惩罚，不是实际成本）" in status
    assert f"{ind['objective']:,.0f}" in status
    assert any("不应作为费用引用" in c.value for c in at.caption)
