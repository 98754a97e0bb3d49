"""Scenario sweeps: --vary parsing, shared walking times, rows equal to runs one by one, and
the same rows from a local Dask cluster and from a separate scheduler and worker."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from errors import InputError
from geo import Reach, demo_paths, load_demo, travel_times
from planning import sweep
from planning.params import ScenarioParams
from planning.profiles import DEFAULT_PROFILE, load_profile
from planning.runs import run_scenario
from tests.conftest import ROOT

BUDGETS = [1e6, 2e6, 4e6, 8e6]


@pytest.fixture(scope="module")
def demo():
    return load_demo()


@pytest.fixture(scope="module")
def profile():
    return load_profile(DEFAULT_PROFILE)


@pytest.fixture(scope="module")
def network(demo):
    from planning.commands.access import read_network_for

    layers = [demo["areas"], demo["facilities"], demo["candidates"]]
    return read_network_for(str(demo_paths()["network"]), layers, reach_m=1500.0, crs=None)


def _without_seconds(rows):
    return [{k: v for k, v in r.items() if k != "seconds"} for r in rows]


def _serial_rows(demo, profile, network, base, vary):
    """The reference: run_scenario once per combination, with the network."""
    rows = []
    for i, combo in enumerate(sweep.combinations(vary)):
        prof = sweep.profile_with_rates(profile, sweep.rates_of(combo))
        try:
            run = run_scenario(areas=demo["areas"], facilities=demo["facilities"],
                               candidates=demo["candidates"], network=network, profile=prof,
                               params=sweep.scenario_params(base, combo))
            rows.append(sweep.run_row(run, i, combo, 0.0))
        except Exception as exc:  # noqa: BLE001 - compared with the sweep's failed row
            rows.append(sweep.failed_row(i, combo, exc))
    return _without_seconds(rows)


# --------------------------------------------------------------------------- parsing

def test_parse_vary_types_and_order():
    vary = sweep.parse_vary(["budget=1e6, 2e6", "p=1,3", "childcare_per_1000_new=8"])
    assert vary == {"budget": [1e6, 2e6], "p": [1, 3], "childcare_per_1000_new": [8.0]}
    assert isinstance(vary["p"][0], int)
    combos = sweep.combinations(vary)
    assert [(c["budget"], c["p"]) for c in combos] == [(1e6, 1), (1e6, 3), (2e6, 1), (2e6, 3)]


def test_parse_vary_reports_every_problem_at_once():
    with pytest.raises(InputError) as err:
        sweep.parse_vary(["colour=red", "budget", "p=1.5,0", "minutes=10", "minutes=15",
                          "speed=-3"])
    codes = [p.code for p in err.value.problems]
    assert codes == ["sweep.vary_unknown", "sweep.vary_syntax", "sweep.vary_value",
                     "sweep.vary_value", "sweep.vary_twice", "sweep.vary_value"]
    with pytest.raises(InputError) as err:
        sweep.parse_vary([])
    assert err.value.problems[0].code == "sweep.vary_none"


def test_rates_change_the_profile_rules_and_the_demand(demo, profile):
    from planning.demand import compute_demand

    doubled = sweep.profile_with_rates(profile, (("childcare_per_1000_new", 20.0),))
    new = [r for r in doubled.rules if r.kind == "childcare_places_per_1000"]
    assert {r.area_type: r.value for r in new} == {"new": 20.0, "old": 8.0}
    base = compute_demand(demo["areas"], profile)
    more = compute_demand(demo["areas"], doubled)
    is_new = (base["area_type"] == "new").to_numpy()
    req = "childcare_places_required"
    assert more[req][is_new].to_numpy() == pytest.approx(2 * base[req][is_new].to_numpy())
    assert more[req][~is_new].to_numpy() == pytest.approx(base[req][~is_new].to_numpy())


# --------------------------------------------------------------------------- shared times

def test_shared_times_equal_a_search_at_each_cutoff(demo, profile, network):
    from planning.demand import compute_demand
    from planning.sites import site_table

    dem = compute_demand(demo["areas"], profile)
    sites = site_table(demo["facilities"], demo["candidates"], service="childcare",
                       profile=profile, areas=dem)
    wide = travel_times(network, dem, sites, reach=Reach(25.0, 60.0), drop_unsnapped=True)
    shared = sweep.SharedTimes(origin_ids=tuple(dem["id"]),
                               tables={tuple(sites["id"]): wide})
    for minutes, speed in ((10.0, 60.0), (15.0, 48.0), (12.5, 72.0)):
        direct = travel_times(network, dem, sites, reach=Reach(minutes, speed),
                              drop_unsnapped=True)
        got = shared(network, dem, sites, reach=Reach(minutes, speed))
        assert len(got) and got.equals(direct[list(got.columns)])


# --------------------------------------------------------------------------- sweeps

def test_sweep_in_process_equals_runs_one_by_one(demo, profile, network):
    base = ScenarioParams(service="both", objective="min_cost")
    vary = {"childcare_per_1000": [6.0, 10.0], "minutes": [10.0, 15.0]}
    res = sweep.run_sweep(areas=demo["areas"], facilities=demo["facilities"],
                          candidates=demo["candidates"], network=network, profile=profile,
                          base=base, vary=vary, workers=0)
    assert [r["params"] for r in res["runs"]] == sweep.combinations(vary)
    assert all(r["status"] == "optimal" for r in res["runs"])
    assert _without_seconds(res["runs"]) == _serial_rows(demo, profile, network, base, vary)
    run = res["runs"][0]
    assert set(run["covered_share"]) == {"childcare", "eldercare"}
    assert run["unmet"]["childcare"]["unit"] == "places"
    assert run["unmet"]["eldercare"]["unit"] == "m2"
    assert res["method"] == "network"


def test_a_failed_run_is_reported_in_its_row_and_the_others_finish(demo, profile):
    base = ScenarioParams(service="eldercare", objective="max_coverage")
    seen = []
    res = sweep.run_sweep(areas=demo["areas"], facilities=demo["facilities"],
                          candidates=demo["candidates"], network=None, profile=profile,
                          base=base, vary={"budget": [1e5, 5e6]}, workers=0,
                          progress=lambda done, total, row: seen.append((done, total)))
    first, second = res["runs"]
    assert first["status"] == "failed" and first["error"]["type"] == "InfeasibleError"
    assert first["params"] == {"budget": 1e5}
    assert second["status"] == "optimal" and second["proven_optimal"]
    assert seen == [(1, 2), (2, 2)]
    assert res["method"] == "straight-line"
    assert sweep.summary(res).args["failed"] == 1


def test_too_many_combinations_are_refused_before_running(demo, profile):
    with pytest.raises(InputError) as err:
        sweep.run_sweep(areas=demo["areas"], facilities=demo["facilities"],
                        candidates=demo["candidates"], network=None, profile=profile,
                        base=ScenarioParams(), vary={"minutes": [1.0, 2.0, 3.0]},
                        workers=0, max_runs=2)
    assert err.value.problems[0].code == "sweep.too_many"


# --------------------------------------------------------------------------- the command

def _cli(*args, env=None, timeout=600):
    return subprocess.run([sys.executable, "-m", "planning", "sweep", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout, env=env)


def test_bad_input_exits_2_and_writes_nothing(tmp_path):
    out = tmp_path / "sweep.json"
    proc = _cli("--demo", "--vary", "colour=red", "--workers", "2", "--scheduler",
                "tcp://127.0.0.1:1", "--out", str(out), "--figure", str(tmp_path / "c.svg"),
                "--lang", "en")
    assert proc.returncode == 2, proc.stderr
    for text in ("cannot vary 'colour'", "--workers or --scheduler, not both",
                 "write a .png / .pdf file"):
        assert text in proc.stderr
    assert list(tmp_path.iterdir()) == []


def _check_budget_sweep(data):
    runs = data["runs"]
    assert [r["params"]["budget"] for r in runs] == BUDGETS
    assert all(r["status"] == "optimal" and r["proven_optimal"] for r in runs)
    shares = [r["covered_share"]["childcare"] for r in runs]
    assert all(b >= a - 1e-9 for a, b in zip(shares, shares[1:], strict=False))
    assert shares[-1] > shares[0]


@pytest.fixture(scope="module")
def serial_budget_rows(demo, profile, network):
    base = ScenarioParams(service="childcare", objective="max_coverage")
    return _serial_rows(demo, profile, network, base, {"budget": BUDGETS})


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 2])
def test_max_coverage_budget_sweep_on_a_local_cluster(tmp_path, workers, serial_budget_rows):
    out = tmp_path / "sweep.json"
    fig = tmp_path / "curve.png"
    proc = _cli("--demo", "--objective", "max-coverage", "--vary",
                "budget=" + ",".join(f"{b:g}" for b in BUDGETS), "--workers", str(workers),
                "--out", str(out), "--figure", str(fig))
    assert proc.returncode == 0, proc.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["workers"] == workers
    _check_budget_sweep(data)
    assert _without_seconds(data["runs"]) == serial_budget_rows
    assert fig.read_bytes()[:4] == b"\x89PNG"


def _start(cmd, env, log):
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


@pytest.fixture
def separate_scheduler(tmp_path):
    """A Dask scheduler and one worker, each its own process, on 127.0.0.1 only."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    file = tmp_path / "scheduler.json"
    log = open(tmp_path / "dask.log", "w")  # noqa: SIM115 - closed below
    procs = [_start([sys.executable, "-m", "dask", "scheduler", "--host", "127.0.0.1",
                     "--port", "0", "--no-dashboard", "--scheduler-file", str(file)],
                    env, log)]
    try:
        deadline = time.monotonic() + 60
        while not file.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        address = json.loads(file.read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:")
        procs.append(_start([sys.executable, "-m", "dask", "worker", address, "--host",
                             "127.0.0.1", "--nworkers", "1", "--nthreads", "1",
                             "--no-dashboard"], env, log))
        from distributed import Client

        with Client(address, timeout=30) as client:
            client.wait_for_workers(1, timeout=60)
        yield address
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in reversed(procs):
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        log.close()


@pytest.mark.slow
def test_sweep_on_a_separate_scheduler_equals_the_serial_runs(
        tmp_path, separate_scheduler, serial_budget_rows, demo, profile, network):
    out = tmp_path / "sweep.json"
    proc = _cli("--demo", "--objective", "max-coverage", "--vary",
                "budget=" + ",".join(f"{b:g}" for b in BUDGETS),
                "--scheduler", separate_scheduler, "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    _check_budget_sweep(data)
    assert data["workers"] == 1
    assert _without_seconds(data["runs"]) == serial_budget_rows
    # the library with the client of the caller: the same rows, progress as runs finish
    from distributed import Client

    seen = []
    with Client(separate_scheduler, timeout=30) as client:
        res = sweep.run_sweep(areas=demo["areas"], facilities=demo["facilities"],
                              candidates=demo["candidates"], network=network,
                              profile=profile,
                              base=ScenarioParams(service="childcare",
                                                  objective="max_coverage"),
                              vary={"budget": BUDGETS}, client=client,
                              progress=lambda d, t, r: seen.append(d))
    assert _without_seconds(res["runs"]) == serial_budget_rows
    assert sorted(seen) == [1, 2, 3, 4]


@pytest.mark.slow
def test_unreachable_scheduler_exits_2(tmp_path):
    out = tmp_path / "sweep.json"
    proc = _cli("--demo", "--straight-line", "--vary", "minutes=10",
                "--scheduler", "tcp://127.0.0.1:9", "--out", str(out), "--lang", "en",
                timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in proc.stderr
    assert not out.exists()


def test_curve_axis_and_figure():
    from maps.curves import curve_axis, curve_figure, curve_png

    runs = [(1e6, 10, "optimal", 0.3), (2e6, 10, "feasible", 0.4),
            (1e6, 15, "optimal", 0.45), (2e6, 15, "failed", None)]
    rows = [{"index": i, "params": {"budget": b, "minutes": m}, "status": s,
             "proven_optimal": s == "optimal", "cost": b * 0.9,
             "covered_share": {} if s == "failed" else {"childcare": c}}
            for i, (b, m, s, c) in enumerate(runs)]
    result = {"base": {"objective": "max_coverage"}, "vary": {"budget": [], "minutes": []},
              "runs": rows}
    assert curve_axis(result) == "budget"
    assert curve_axis({"base": {"objective": "min_cost"}, "vary": {"budget": []}}) == "cost"
    fig = curve_figure(result, lang="en")
    ax = fig.axes[0]
    assert ax.get_title() == "childcare: coverage against budget (yuan)"
    lines = [ln for ln in ax.get_lines() if ln.get_linestyle() == "-"]
    assert sorted(len(ln.get_xdata()) for ln in lines) == [1, 2]  # the failed run is left out
    assert curve_png(result, lang="en")[:4] == b"\x89PNG"


def test_curve_points_and_runs_table_for_the_app():
    from maps.curves import curve_points, param_label, run_label, runs_table

    rows = [{"index": 0, "params": {"budget": 1e6, "minutes": 10}, "status": "optimal",
             "proven_optimal": True, "gap": 0.0, "cost": 9e5, "sites": 1,
             "covered_share": {"childcare": 0.25},
             "unmet": {"childcare": {"value": 30.0, "unit": "places"}}},
            {"index": 1, "params": {"budget": 2e6, "minutes": 10}, "status": "feasible",
             "proven_optimal": False, "gap": 0.015, "cost": 1.8e6, "sites": 2,
             "covered_share": {"childcare": 0.5},
             "unmet": {"childcare": {"value": 20.0, "unit": "places"}}},
            {"index": 2, "params": {"budget": 4e6, "minutes": 10}, "status": "failed",
             "proven_optimal": False, "gap": None, "cost": None, "sites": None,
             "covered_share": {}, "unmet": {}}]
    result = {"base": {"objective": "max_coverage"}, "vary": {"budget": [], "minutes": []},
              "runs": rows}
    pts = curve_points(result, lang="en")
    assert pts[["index", "x", "share", "proven"]].values.tolist() == [
        [0, 1e6, 25.0, True], [1, 2e6, 50.0, False]]  # the failed run has no point
    assert set(pts["service"]) == {"Child care"} and set(pts["series"]) == {"minutes 10"}
    assert run_label(rows[1], "zh") == "#2 · 预算（元） 2,000,000 · 步行时间（分钟） 10"
    assert param_label("childcare_per_1000_old", "en") == (
        "Child-care rate (places per 1000 residents) · old areas")
    table = runs_table(result, lang="en")
    assert list(table.columns) == [
        "#", "Budget (yuan)", "Walking time (minutes)", "Status", "Proven optimal", "Gap (%)",
        "Cost (yuan)", "New sites", "Child care: requirement served (%)",
        "Child care: unmet (places)"]
    assert table["Gap (%)"].tolist()[:2] == [0.0, 1.5]
    assert table["Child care: requirement served (%)"].tolist()[:2] == [25.0, 50.0]
    assert table["Status"].tolist()[0] == "optimal" and table["#"].tolist() == [1, 2, 3]
    zh = runs_table(result, lang="zh")
    assert "托育未满足（托位）" in zh.columns and zh["已证明最优"].tolist() == ["是", "否", "否"]


# --------------------------------------------------------------------------- demand and reasons

def test_target_year_sweep_rows_carry_the_single_runs_required_demand(demo, profile):
    """Developments completed in 2019-2021 count partly or not at all in 2020 and fully in
    2035 (the occupancy ramp): each row's required 托位 and m² equal its single run's."""
    base = ScenarioParams(service="both", objective="min_cost")
    vary = {"target_year": [2020, 2035]}
    res = sweep.run_sweep(areas=demo["areas"], facilities=demo["facilities"],
                          candidates=demo["candidates"], network=None, profile=profile,
                          base=base, vary=vary, workers=0)
    for row, year in zip(res["runs"], vary["target_year"], strict=True):
        single = run_scenario(areas=demo["areas"], facilities=demo["facilities"],
                              candidates=demo["candidates"], network=None, profile=profile,
                              params=ScenarioParams(service="both", objective="min_cost",
                                                    target_year=year))
        assert row["required"] == {
            s: {"value": pytest.approx(single.indicators[s]["required"]), "unit": u}
            for s, u in (("childcare", "places"), ("eldercare", "m2"))}
        assert row["notes"] == [n.to_json() for n in single.notes]
    early, late = (r["required"] for r in res["runs"])
    assert early["childcare"]["value"] < late["childcare"]["value"]
    assert early["eldercare"]["value"] < late["eldercare"]["value"]
    frame = sweep.rows_frame(res)
    assert frame["childcare_required"].tolist() == [
        early["childcare"]["value"], late["childcare"]["value"]]


@pytest.fixture(scope="module")
def lone_compound(demo):
    """The demo district plus a compound 3 km east of it on a 2-edge street fragment (100 m)
    joined to no other street (as in tests/test_hostile.py)."""
    from tests.conftest import demo_with_lone_compound

    return demo_with_lone_compound(demo)


def test_sweep_keeps_the_reasons_of_areas_on_street_fragments(demo, profile, lone_compound):
    """The shared pairs keep why an area reaches nothing: at every walking limit of the sweep
    LONE's unmet 托位 say "isolated street fragment" and the note names it, as in a single
    run; areas beyond a shorter limit are said to be beyond that limit."""
    areas, net = lone_compound
    base = ScenarioParams(service="childcare", objective="min_cost")
    vary = {"minutes": [5.0, 15.0]}
    data = sweep.prepare(areas=areas, facilities=demo["facilities"],
                         candidates=demo["candidates"], network=net, profile=profile,
                         base=base, combos=sweep.combinations(vary))
    for combo in sweep.combinations(vary):
        params = sweep.scenario_params(base, combo)
        single = run_scenario(areas=areas, facilities=demo["facilities"],
                              candidates=demo["candidates"], network=net, profile=profile,
                              params=params)
        shared = run_scenario(areas=areas, facilities=demo["facilities"],
                              candidates=demo["candidates"], network=None, profile=profile,
                              params=params, demand=data.demand[()], travel=data.times)
        assert shared.unmet.equals(single.unmet)
        assert shared.unmet.set_index("id")["reason"]["LONE"] == "isolated street fragment"
        assert [n.to_json() for n in shared.notes] == [n.to_json() for n in single.notes]
        assert "geo.unreached.areas_on_fragments" in [n.code for n in shared.notes]
    from planning.sites import site_table

    dem = data.demand[()]
    sites = site_table(demo["facilities"], demo["candidates"], service="childcare",
                       profile=profile, areas=dem)
    for minutes in vary["minutes"]:
        direct = travel_times(net, dem, sites, reach=Reach(minutes, 60.0), drop_unsnapped=True)
        got = data.times(net, dem, sites, reach=Reach(minutes, 60.0))
        assert [{**r, "reason": r["reason"].to_json()} for r in got.attrs["unreached"]] == [
            {**r, "reason": r["reason"].to_json()} for r in direct.attrs["unreached"]]
    kinds = {(r["side"], r["id"]): r["kind"] for r in got.attrs["unreached"]}
    assert kinds[("origins", "LONE")] == "fragment"
    short = data.times(net, dem, sites, reach=Reach(5.0, 60.0)).attrs["unreached"]
    assert {r["kind"] for r in short} == {"fragment", "beyond_limit"}
    res = sweep.run_sweep(areas=areas, facilities=demo["facilities"],
                          candidates=demo["candidates"], network=net, profile=profile,
                          base=base, vary=vary, workers=0)
    assert _without_seconds(res["runs"]) == _serial_rows(
        {**demo, "areas": areas}, profile, net, base, vary)


def test_runs_table_shows_the_required_demand_with_its_unit():
    """Rows carrying their requirement get a column per service with its unit; a sweep saved
    before rows carried it shows no such column (see the test above)."""
    from maps.curves import run_label, runs_table

    rows = [{"index": i, "params": {"target_year": y}, "status": "optimal",
             "proven_optimal": True, "gap": 0.0, "cost": 1e6, "sites": 2,
             "covered_share": {"childcare": 1.0, "eldercare": 1.0},
             "unmet": {"childcare": {"value": 0.0, "unit": "places"},
                       "eldercare": {"value": 0.0, "unit": "m2"}},
             "required": {"childcare": {"value": c, "unit": "places"},
                          "eldercare": {"value": e, "unit": "m2"}}}
            for i, (y, c, e) in enumerate(((2020, 600.5, 6500.0), (2035, 672.7, 7056.3)))]
    result = {"base": {"objective": "min_cost"}, "vary": {"target_year": []}, "runs": rows}
    en = runs_table(result, lang="en")
    assert en["Target year"].tolist() == [2020, 2035]
    assert run_label(rows[1], "zh") == "#2 · 目标年份（年） 2035"  # a year, not 2,035
    assert en["Child care: required (places)"].tolist() == [600.5, 672.7]
    assert en["Elder care: required (m²)"].tolist() == [6500.0, 7056.3]
    zh = runs_table(result, lang="zh")
    assert zh["托育需求（托位）"].tolist() == [600.5, 672.7]
