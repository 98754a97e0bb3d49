"""AppTest tests of every page on the demo district: the main path and the error paths."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 120


pytestmark = pytest.mark.usefixtures("app_store")  # tests/conftest.py


def _page(name: str, *, owner: str = "tester", lang: str = "zh") -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=TIMEOUT)
    at.session_state["owner"] = owner
    at.session_state["lang"] = lang
    return at


def _no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def test_app_entry_point_runs_on_demo() -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.run()
    _no_exception(at)
    assert at.title[0].value == "一老一小设施规划工具"
    assert "居住区 71 个" in " ".join(m.value for m in at.markdown)
    assert at.selectbox(key="profile_choice").value == "hefei"


def test_english_interface() -> None:
    at = _page("home", lang="en")
    at.run()
    _no_exception(at)
    assert at.title[0].value == "Elder-care and child-care planning tool"


def test_data_page_refuses_unsafe_zip() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("../../evil.shp", b"x")
        zf.writestr("bomb.csv", b"0" * (5 * 1024 * 1024))
    at = _page("data")
    at.session_state["pending_upload"] = ("evil.zip", buf.getvalue())
    at.run()
    _no_exception(at)
    err = " ".join(e.value for e in at.error)
    assert "evil.zip" in err and "'..'" in err and "zip bomb" in err
    # the demo data stays loaded
    assert at.session_state["data"]["source"] == "demo"


def test_data_page_reads_upload_and_shows_fields(tmp_path) -> None:
    csv = "编号,名称,户数,类型,经度,纬度\nA1,甲小区,300,新建,117.27,31.86\n".encode()
    at = _page("data")
    at.session_state["pending_upload"] = ("areas.csv", csv)
    at.run()
    _no_exception(at)
    fields = at.dataframe[0].value
    assert dict(zip(fields.iloc[:, 0], fields.iloc[:, 1], strict=True))["户数"] == "households"
    at.selectbox(key="upload_crs").set_value("wgs84")
    at.button(key="read_upload").click().run()
    _no_exception(at)
    assert [s.value for s in at.success] == ["已读取 1 条记录：居住区"]
    areas = at.session_state["data"]["layers"]["areas"]
    assert list(areas["id"]) == ["A1"] and areas.crs.to_epsg() == 4326


def test_data_page_field_mapping_step() -> None:
    csv = "code_x,名称,hh_count,类型,经度,纬度\nA1,甲小区,300,新建,117.27,31.86\n".encode()
    at = _page("data")
    at.session_state["pending_upload"] = ("areas.csv", csv)
    at.run()
    at.selectbox(key="upload_crs").set_value("wgs84")
    at.selectbox(key="map_code_x").set_value("id")
    at.selectbox(key="map_hh_count").set_value("households").run()
    at.button(key="read_upload").click().run()
    _no_exception(at)
    assert not at.error, [e.value for e in at.error]
    areas = at.session_state["data"]["layers"]["areas"]
    assert list(areas["id"]) == ["A1"] and list(areas["households"]) == [300.0]


def test_compliance_page_checks_all_developments() -> None:
    from geo.demo import load_demo
    from planning.compliance import check_developments
    from planning.profiles import load_profile

    expected = check_developments(load_demo()["developments"], load_profile("hefei"))
    n_fail = int((~expected.summary_frame()["compliant"].astype(bool)).sum())
    at = _page("compliance")
    at.run()
    at.button(key="comp_run").click().run()
    _no_exception(at)
    assert at.subheader[0].value == f"共 12 个项目，{n_fail} 个不达标"
    per_rule = at.dataframe[1].value
    assert "依据" in per_rule.columns and per_rule["依据"].notna().all()
    assert len(per_rule) == len(expected.to_frame())


def test_compliance_page_one_development() -> None:
    at = _page("compliance")
    at.run()
    at.radio(key="comp_what").set_value("one").run()
    at.selectbox(key="comp_pick").set_value("D03").run()
    at.button(key="comp_run").click().run()
    _no_exception(at)
    assert at.subheader[0].value.startswith("共 1 个项目")


def test_main_path_run_save_compare_export() -> None:
    at = _page("scenarios")
    at.run()
    _no_exception(at)
    at.button(key="sc_run").click().run()
    _no_exception(at)
    assert not at.error
    status = at.info[0].value
    assert "最优" in status and "间隙" in status and "未满足需求惩罚" in status
    metrics = {m.label: m.value for m in at.metric}
    assert int(metrics["新增站点数"]) >= 1
    at.text_input(key="sc_name").input("方案甲").run()
    at.button(key="sc_save").click().run()
    _no_exception(at)
    assert [s.value for s in at.success][-1] == "已保存方案：方案甲"

    # second scenario: at most 2 new sites, maximum coverage
    at.selectbox(key="sc_objective").set_value("max_coverage").run()
    at.number_input(key="sc_p").set_value(2).run()
    at.button(key="sc_run").click().run()
    _no_exception(at)
    assert int({m.label: m.value for m in at.metric}["新增站点数"]) <= 2
    at.text_input(key="sc_name").input("方案乙").run()
    at.button(key="sc_save").click().run()

    cmp_ = _page("comparison")
    cmp_.run()
    _no_exception(cmp_)
    table = cmp_.dataframe[0].value
    assert list(table["方案"]) == ["方案甲", "方案乙"]
    assert table["新增站点数"].iloc[1] <= 2
    assert table["覆盖居民比例"].iloc[0] >= table["覆盖居民比例"].iloc[1]

    # another user sees none of them
    other = _page("comparison", owner="someone-else")
    other.run()
    assert other.info[0].value.startswith("尚无已保存的方案")

    exp = _page("export")
    exp.run()
    _no_exception(exp)
    exp.button(key="exp_prepare").click().run()
    _no_exception(exp)
    bundle = exp.session_state["exp_bundle"]
    assert bundle["report"][:5] == b"%PDF-" and bundle["png"][:4] == b"\x89PNG"
    assert b"<script src=" not in bundle["html"]
    assert bundle["gpkg"][:16] == b"SQLite format 3\x00"
    assert bundle["xlsx"][:2] == b"PK"


def test_scenario_page_in_english_for_both_services() -> None:
    at = _page("scenarios", lang="en")
    # (set through session state: AppTest formats options outside the run, in Chinese)
    at.session_state["sc_service"] = "both"
    at.run()
    at.button(key="sc_run").click().run()
    _no_exception(at)
    infos = [i.value for i in at.info]
    assert infos[0].startswith("Joint siting · Solver status: optimal")
    assert at.header[0].value == "Scenarios"
    # the shared sites and their fixed costs, and the rules applied with their sources
    assert "larger of the two services' fixed costs" in " ".join(c.value for c in at.caption)
    frames = [d.value for d in at.dataframe]
    joint = next(f for f in frames if "Fixed cost of both (yuan)" in f.columns)
    assert joint["Both open"].any()
    rules = next(f for f in frames if "Source" in f.columns and "Rule" in f.columns)
    assert "eldercare_complex_per_street" in set(rules["Rule"])
    assert at.checkbox(key="sc_side_rules").value is True
    at.session_state["sc_colour"] = "coverage"
    at.run()
    _no_exception(at)
    assert at.radio(key="sc_colour").value == "coverage"


def test_infeasible_scenario_is_explained() -> None:
    at = _page("scenarios")
    at.run()
    at.checkbox(key="sc_allow_unmet").uncheck().run()
    at.button(key="sc_run").click().run()
    _no_exception(at)
    err = " ".join(e.value for e in at.error)
    assert err.startswith("无可行方案")
    assert "R010" in err and "在可达范围内没有站点" in err  # rendered in the interface language
    assert "run" not in at.session_state


def test_export_page_without_scenarios() -> None:
    at = _page("export")
    at.run()
    _no_exception(at)
    assert at.info[0].value.startswith("没有可导出的方案")


def test_switching_to_english_lasts_beyond_the_next_run() -> None:
    # The language widget is relabelled when the language changes; the choice must survive
    # that (it used to fall back to Chinese on the run after the switch).
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.run()
    assert at.title[0].value == "一老一小设施规划工具"
    at.radio(key="lang_choice").set_value("en").run()
    _no_exception(at)
    assert at.title[0].value == "Elder-care and child-care planning tool"
    at.run()
    assert at.title[0].value == "Elder-care and child-care planning tool"
    assert at.session_state["lang"] == "en"


def test_switching_language_keeps_the_chosen_profile() -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.session_state["profile_id"] = "quzhou"
    at.run()
    assert at.selectbox(key="profile_choice").value == "quzhou"
    at.radio(key="lang_choice").set_value("en").run()
    at.run()
    _no_exception(at)
    assert at.session_state["profile_id"] == "quzhou"


def test_comparison_page_reads_a_scenario_saved_in_the_older_flat_form() -> None:
    from planning.scenarios import Scenario, ScenarioStore, default_path

    flat = {"childcare_sites": 1, "childcare_places": 365.0, "childcare_cost": 1e6,
            "childcare_per_1000": 3.2, "childcare_unmet": 0.0, "eldercare_sites": 2,
            "eldercare_places": 5012.4, "eldercare_cost": 2e6, "eldercare_per_1000": 40.0,
            "eldercare_unmet": 5.5, "sites": 3, "cost": 3e6, "unmet": 5.5,
            "share_covered": 0.5, "status": "optimal", "gap": 0.01}
    with ScenarioStore(default_path()) as store:
        store.save(Scenario(name="旧方案", profile_id="hefei",
                            parameters={"service": "both", "objective": "min_cost"},
                            results={"indicators": flat, "notes": ["plain note"]}),
                   owner="tester")
    at = _page("comparison")
    at.run()
    _no_exception(at)
    table = at.dataframe[0].value
    assert table["新增规模"].tolist() == ["托育 365 托位；养老 5,012 m²"]
    assert table["未满足需求"].tolist() == ["托育 0.0 托位；养老 5.5 m²"]
    assert table["新增站点数"].tolist() == [3] and table["求解状态"].tolist() == ["最优"]


def test_a_run_without_a_plan_shows_no_figures() -> None:
    from geo import load_demo
    from planning.params import ScenarioParams
    from planning.profiles import load_profile
    from planning.runs import run_scenario

    demo = load_demo()
    run = run_scenario(areas=demo["areas"], facilities=demo["facilities"],
                       candidates=demo["candidates"], network=None,
                       profile=load_profile("hefei"),
                       params=ScenarioParams(time_limit=0.001))
    assert run.indicators["total"]["no_plan"]
    at = _page("scenarios")
    at.session_state["run"] = {"run": run, "profile_id": "hefei"}
    at.run()
    _no_exception(at)
    assert any("求解器未得到方案" in e.value for e in at.error)
    assert not at.metric  # no sites, cost, coverage or unmet figures pretend otherwise


def test_untouched_reach_widgets_keep_each_services_own_speed() -> None:
    at = _page("scenarios")
    at.run()
    at.radio(key="sc_service").set_value("both").run()
    at.button(key="sc_run").click().run()
    _no_exception(at)
    cutoffs = at.session_state["run"]["run"].params["cutoffs"]
    # the profile's elderly walking speed (50 m/min), not the child-care default shown
    assert cutoffs["eldercare"]["speed_m_per_min"] == 50.0
    assert cutoffs["childcare"]["speed_m_per_min"] == 60.0
