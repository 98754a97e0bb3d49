"""The 敏感性分析 page on the demo district (AppTest): a budget sweep run, its curve and table,
a point's plan on the map, saved and opened again without re-running."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 120
BUDGETS = (2_000_000.0, 4_000_000.0, 8_000_000.0)


@pytest.fixture(autouse=True)
def _store_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("YILAO_DATA_DIR", str(tmp_path / "store"))
    monkeypatch.setenv("MPLBACKEND", "Agg")


def _page(lang: str = "zh") -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / "sensitivity.py"), default_timeout=TIMEOUT)
    at.session_state["owner"] = "tester"
    at.session_state["lang"] = lang
    return at


def _no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def test_budget_sweep_curve_table_map_and_saved_sweep() -> None:
    at = _page("en")
    at.run()
    _no_exception(at)
    # maximum coverage varies the budget by default; three budgets, one run at a time
    assert at.multiselect(key="sens_vary_max_coverage_childcare").value == ["budget"]
    at.text_input(key="sens_values_budget").set_value(", ".join(f"{b:.0f}" for b in BUDGETS))
    at.radio(key="sens_workers").set_value(1)
    at.button(key="sens_run").click().run()
    _no_exception(at)
    result = at.session_state["sens"]["result"]
    runs = result["runs"]
    assert [r["params"]["budget"] for r in runs] == list(BUDGETS)
    assert all(r["status"] == "optimal" and r["proven_optimal"] for r in runs)
    # a larger budget never serves less; every run spends within its budget
    shares = [r["covered_share"]["childcare"] for r in runs]
    assert shares == sorted(shares) and shares[-1] > shares[0]
    assert all(0 < r["cost"] <= r["params"]["budget"] for r in runs)
    assert "3 runs finished, 3 proven optimal, 0 failed" in at.success[0].value
    # the curve (a Vega-Lite chart drawn in the browser) and the table with units
    (chart,) = at.get("vega_lite_chart")
    spec = chart.proto.spec
    assert "budget (yuan)" in spec and "requirement served (%)" in spec  # units on the axes
    assert '"point"' in spec  # a click on a point selects its run
    table = at.dataframe[0].value
    assert list(table["Budget (yuan)"]) == list(BUDGETS)
    assert list(table["Child care: requirement served (%)"]) == pytest.approx(
        [100 * s for s in shares])
    assert list(table["Status"]) == ["optimal"] * 3
    assert "Child care: unmet (places)" in table.columns and "Cost (yuan)" in table.columns
    # a point's plan on the map: the chosen run solved again with its own budget
    at.selectbox(key="sens_point").set_value(2).run()
    _no_exception(at)
    plan = at.session_state["sens"]["plans"][2]
    assert plan.indicators["total"]["cost"] == pytest.approx(runs[2]["cost"])
    assert any("#3" in h.value for h in at.subheader)
    # saved like a scenario, listed apart from scenarios, opened again without re-running
    at.text_input(key=f"sens_name_{at.session_state['sens']['tag']}").set_value("budgets")
    at.button(key="sens_save").click().run()
    _no_exception(at)
    assert "Saved: budgets" in " ".join(s.value for s in at.success)
    again = _page("en")
    again.run()
    assert again.selectbox(key="sens_saved").options  # the saved sweep is listed
    again.button(key="sens_open").click().run()
    _no_exception(again)
    opened = again.session_state["sens"]
    assert opened["name"] == "budgets" and opened["result"]["runs"] == runs
    assert list(again.dataframe[0].value["Budget (yuan)"]) == list(BUDGETS)


@pytest.mark.slow
def test_two_worker_threads_give_the_same_rows_and_the_cluster_is_closed() -> None:
    import threading

    at = _page("en")
    at.run()
    at.text_input(key="sens_values_budget").set_value("2000000, 8000000")
    at.button(key="sens_run").click().run()
    serial = at.session_state["sens"]["result"]
    assert serial["workers"] == 0

    def rows(result):
        return [(r["status"], r["cost"], r["covered_share"], r["proposed_sites"])
                for r in result["runs"]]

    at.radio(key="sens_workers").set_value(2)
    counts = []
    for _ in range(3):  # three sweeps, three clusters: none is left running
        at.button(key="sens_run").click().run()
        _no_exception(at)
        parallel = at.session_state["sens"]["result"]
        assert parallel["workers"] == 2 and rows(parallel) == rows(serial)
        counts.append(threading.active_count())
    assert counts[0] == counts[1] == counts[2]
    assert not [t for t in threading.enumerate() if "Dask-Worker" in t.name
                or "Dask-Default" in t.name]
