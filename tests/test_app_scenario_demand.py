"""The scenario page shows its demand in the open and stops where the plan states no figure."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 120


pytestmark = pytest.mark.usefixtures("app_store")  # tests/conftest.py


def _scenarios(profile_id: str = "hefei", lang: str = "zh") -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / "scenarios.py"), default_timeout=TIMEOUT)
    at.session_state["owner"] = "tester"
    at.session_state["lang"] = lang
    at.session_state["profile_id"] = profile_id
    return at


def _frames(at: AppTest) -> list:
    return [d.value for d in at.dataframe]


def test_demand_rules_are_shown_before_a_run_and_totals_after() -> None:
    at = _scenarios()
    at.run()
    assert not at.exception
    assert "需求口径" in [e.label for e in at.expander]
    rules = next(f for f in _frames(at) if "指标" in f.columns)
    # Hefei: 10 托位 per 1000 residents in new areas, 8 in old ones, with the plan's clause
    assert sorted(rules["指标"].tolist()) == [8.0, 10.0]
    assert set(rules["指标单位"]) == {"托位/千人"}
    assert all("合肥市" in s for s in rules["文件依据"])
    assert any("户均人口：2.62 人/户" in c.value for c in at.caption)
    # the demand basis is disabled, with its reason, where the areas have no age groups
    assert at.radio(key="sc_basis").disabled
    assert any("没有年龄分组" in c.value for c in at.caption)
    at.button(key="sc_run").click().run()
    assert not at.exception and not at.error
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["托育需求合计"].endswith("托位")
    table = next(f for f in _frames(at) if "政策口径需求" in f.columns)
    assert {"和平街道", "幸福街道", "锦城街道", "滨湖街道", "合计"} == set(table["街道"])
    assert set(table["政策口径单位"]) == {"托位"}


def test_the_missing_figure_has_its_own_title_and_the_planners_figure_runs() -> None:
    # Xuanhan's plan states no elder-care floor area: the page says so and asks for a figure
    at = _scenarios("xuanhan")
    at.session_state["sc_service"] = "eldercare"
    at.run()
    assert not at.exception
    assert any("未规定养老在" in w.value and "每百户养老用房" in w.value
               for w in at.warning)
    at.button(key="sc_run").click().run()
    err = " ".join(e.value for e in at.error)
    assert err.startswith("规划未规定需求数字") and "无可行方案" not in err
    assert "run" not in at.session_state
    at.number_input(key="sc_figure_eldercare").set_value(20.0).run()
    at.button(key="sc_run").click().run()
    assert not at.exception and not at.error
    run = at.session_state["run"]["run"]
    used = [r for r in run.rules if r["kind"] == "eldercare_area_per_100_households"]
    assert used and all(r["basis"] == "planner" and r["value"] == 20.0 for r in used)
    rules = next(f for f in _frames(at) if "指标" in f.columns and "需求" in f.columns)
    assert set(rules["依据类型"]) == {"规划人员本次设定"}


def test_target_year_and_persons_per_household_reach_the_run() -> None:
    at = _scenarios()
    at.run()
    at.number_input(key="sc_target_year").set_value(2030).run()
    at.number_input(key="sc_pph_hefei").set_value(3.0).run()
    at.button(key="sc_run").click().run()
    assert not at.exception and not at.error
    run = at.session_state["run"]["run"]
    assert run.params["target_year"] == 2030 and run.params["occupancy_ramp"] is None
    assert run.params["target_year_used"]["basis"] == "tool_default"
    assert run.params["parameters_used"]["persons_per_household"]["value"] == 3.0
    assert any("目标年份 2030" in c.value for c in at.caption)
