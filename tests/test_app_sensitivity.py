"""The 敏感性分析 page on the demo district (AppTest): a budget sweep run, its curve and table,
a point's plan on the map, saved and opened again without re-running."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 120
BUDGETS = (2_000_000.0, 4_000_000.0, 8_000_000.0)


pytestmark = pytest.mark.usefixtures("app_store")  # tests/conftest.py


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
    # the English interface has no Chinese left (the demo's site names are data)
    shown = ([h.value for h in (*at.header, *at.subheader)] + [c.value for c in at.caption]
             + [b.label for b in at.button] + [w.label for w in at.text_input]
             + list(table.columns) + at.selectbox(key="sens_point").options
             + [at.success[0].value, chart.proto.spec])
    assert not [x for x in shown if re.search(r"[\u4e00-\u9fff]", x)]
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


def test_bad_values_are_named_and_nothing_runs() -> None:
    at = _page("en")
    at.run()
    at.text_input(key="sens_values_budget").set_value("2000000, abc, -5")
    at.button(key="sens_run").click().run()
    _no_exception(at)
    err = at.error[0].value
    assert err.startswith("The sweep could not run")
    assert "budget value 'abc' is not valid: it must be a number > 0" in err
    assert "budget value '-5' is not valid" in err and "--vary" not in err
    assert "sens" not in at.session_state
    at.text_input(key="sens_values_budget").set_value(" ")
    at.button(key="sens_run").click().run()
    assert "Budget (yuan): give at least one value" in at.error[0].value


def test_two_parameters_and_both_services() -> None:
    at = _page("en")
    at.run()
    at.radio(key="sens_service").set_value("both").run()
    at.selectbox(key="sens_objective").set_value("min_cost").run()
    at.multiselect(key="sens_vary_min_cost_both").set_value(
        ["minutes", "childcare_per_1000"]).run()
    at.text_input(key="sens_values_minutes").set_value("10, 15")
    at.text_input(key="sens_values_childcare_per_1000").set_value("3, 6")
    at.button(key="sens_run").click().run()
    _no_exception(at)
    runs = at.session_state["sens"]["result"]["runs"]
    # the first parameter varies slowest
    assert [(r["params"]["minutes"], r["params"]["childcare_per_1000"]) for r in runs] == [
        (10.0, 3.0), (10.0, 6.0), (15.0, 3.0), (15.0, 6.0)]
    assert all(r["status"] == "optimal" for r in runs)
    # a wider walk serves a larger share of each service, at no higher cost
    for svc in ("childcare", "eldercare"):
        assert runs[2]["covered_share"][svc] >= runs[0]["covered_share"][svc]
    assert runs[2]["cost"] <= runs[0]["cost"]
    # twice the rate, twice the child-care requirement left unmet where nothing is in reach
    assert runs[1]["unmet"]["childcare"]["value"] == pytest.approx(
        2 * runs[0]["unmet"]["childcare"]["value"])
    table = at.dataframe[0].value
    assert {"Walking time (minutes)", "Child-care rate (places per 1000 residents)",
            "Elder care: unmet (m²)", "Child care: unmet (places)"} <= set(table.columns)
    spec = at.get("vega_lite_chart")[0].proto.spec
    assert '"facet"' in spec and "cost (yuan)" in spec  # one panel per service, cost on x


def test_team_server_a_sweep_is_shared_like_a_scenario(tmp_path, monkeypatch) -> None:
    from argon2 import PasswordHasher

    from planning.accounts import Accounts, SqliteDb
    from planning.params import ScenarioParams
    from planning.scenarios import ScenarioStore
    from planning.sweep import saved_sweep

    monkeypatch.setenv("YILAO_MODE", "team")
    monkeypatch.setenv("YILAO_STORE", "sqlite")
    monkeypatch.setenv("YILAO_DATA_DIR", str(tmp_path))
    path = tmp_path / "scenarios.sqlite"
    row = {"index": 0, "params": {"budget": 2e6}, "status": "optimal",
           "proven_optimal": True, "gap": 0.0, "objective": 0.5, "cost": 1985100.0,
           "covered_share": {"childcare": 0.518}, "sites": 1, "seconds": 0.1,
           "unmet": {"childcare": {"value": 324.4, "unit": "places"}},
           "proposed_sites": {"childcare": ["C12"]}}
    result = {"base": ScenarioParams(objective="max_coverage").to_dict(),
              "vary": {"budget": [2e6]}, "profile": "hefei", "method": "network",
              "workers": 0, "seconds": 0.5, "runs": [row]}
    with ScenarioStore(path) as store:
        store.save(saved_sweep(result, name="甲的预算分析", profile_id="hefei"), owner="alice")
    acc = Accounts(SqliteDb(path), hasher=PasswordHasher(time_cost=1, memory_cost=1024,
                                                         parallelism=1))
    acc.add("alice", "alice-password")
    acc.add("bob", "bob-password")

    def login(name: str) -> AppTest:
        at = _page("en")
        at.run()
        at.text_input(key="login_name").input(name)
        at.text_input(key="login_password").input(f"{name}-password")
        return at.button[0].click().run()

    bob = login("bob")
    _no_exception(bob)
    assert "No sweep saved yet." in [c.value for c in bob.caption]
    alice = login("alice")
    alice.selectbox(key="sens_share_with").select("bob")
    alice.button(key="sens_share").click().run()
    _no_exception(alice)
    assert "Shared “甲的预算分析” with bob (read-only)" in " ".join(s.value for s in alice.success)
    bob = login("bob")
    (listed,) = bob.selectbox(key="sens_saved").options
    assert listed.startswith("甲的预算分析 · ") and listed.endswith("(shared by alice)")
    bob.button(key="sens_open").click().run()
    _no_exception(bob)
    assert bob.session_state["sens"]["name"] == "甲的预算分析"
    assert list(bob.dataframe[0].value["Budget (yuan)"]) == [2e6]
    assert not [b for b in bob.button if b.key == "sens_share"]  # only the author shares
    bob.button(key="sens_delete").click().run()  # only the author deletes
    assert bob.error[0].value.startswith("The sweep could not be deleted\n\n")
    assert "only the author of sweep " in bob.error[0].value
    # the sidebar's share panel lists the author's sweeps too, labelled as sweeps
    alice = login("alice")
    assert "甲的预算分析 (sweep)" in alice.sidebar.selectbox(key="share_scenario").options
    with ScenarioStore(path) as store:
        assert [s["name"] for s in store.list(owner="alice", kind="sweep")] == ["甲的预算分析"]
