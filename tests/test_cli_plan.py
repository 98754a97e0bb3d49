"""``python -m planning plan`` on CSV tables: result.json keys, values and input errors."""

from __future__ import annotations

import json

import pytest

from planning.cli import main

DEMAND = "id,demand\na,60\nb,50\nc,40\n"
SITES = ("id,fixed_cost,unit_cost,min_capacity,max_capacity,existing_capacity\n"
         "S1,100,1,0,150,0\nS2,120,1,0,150,0\n")
TIMES = ("origin_id,destination_id,minutes\na,S1,5\na,S2,10\nb,S1,8\nb,S2,3\nc,S2,4\n"
         "c,S1,16\n")


@pytest.fixture
def files(tmp_path):
    paths = {}
    for name, text in (("demand", DEMAND), ("sites", SITES), ("times", TIMES)):
        paths[name] = tmp_path / f"{name}.csv"
        paths[name].write_text(text, encoding="utf-8")
    return paths


def _run(files, tmp_path, *extra):
    out = tmp_path / "result.json"
    code = main(["plan", "--demand", str(files["demand"]), "--sites", str(files["sites"]),
                 "--travel-times", str(files["times"]), "--out", str(out), *extra])
    return code, out


def test_min_cost_json(files, tmp_path):
    # c -> S1 is 16 min, cut off by --minutes 15: S2 alone serves all 150 for 120 + 150 = 270
    code, out = _run(files, tmp_path, "--objective", "min-cost", "--minutes", "15")
    assert code == 0
    d = json.loads(out.read_text())
    assert list(d) == ["status", "proven_optimal", "objective", "bound", "gap", "seconds",
                       "sites", "assignments", "unmet"]
    assert d["status"] == "optimal" and d["proven_optimal"] is True
    assert d["objective"] == pytest.approx(270.0)
    assert {s["id"]: s["open"] for s in d["sites"]} == {"S1": False, "S2": True}
    assert set(d["sites"][0]) == {"id", "open", "capacity"}
    assert sum(a["amount"] for a in d["assignments"]) == pytest.approx(150.0)
    assert d["unmet"] == []


def test_min_time_and_coverage(files, tmp_path):
    # p = 1 within 15 min: S2 (60*10 + 50*3 + 40*4 = 910)
    code, out = _run(files, tmp_path, "--objective", "min-time", "--p", "1", "--minutes", "15")
    assert code == 0 and json.loads(out.read_text())["objective"] == pytest.approx(910.0)
    code, out = _run(files, tmp_path, "--objective", "max-coverage", "--budget", "150")
    # budget 150: S1 + 50 places (reaches a, b, c at 16 min without cutoff) -> 50 covered
    assert code == 0 and json.loads(out.read_text())["objective"] == pytest.approx(50.0)


def test_bad_input_lists_rows(files, tmp_path, capsys):
    files["demand"].write_text("id,demand\na,-60\nb,50\nc,40\n", encoding="utf-8")
    files["times"].write_text("origin_id,destination_id,minutes\na,S1,5\nx,S2,1\nb,S9,2\n",
                              encoding="utf-8")
    code, out = _run(files, tmp_path, "--objective", "min-cost")
    assert code == 2 and not out.exists()
    err = capsys.readouterr().err
    assert "3 problem(s)" in err
    assert "field 'demand' rows a: must be >= 0" in err
    assert "origin_id not in demand.csv: x" in err and "rows 3" in err
    assert "destination_id not in sites.csv: S9" in err and "rows 4" in err


def test_missing_columns_and_infeasible(files, tmp_path, capsys):
    files["sites"].write_text("id,fixed_cost\nS1,1\nS2,1\n", encoding="utf-8")
    code, _ = _run(files, tmp_path, "--objective", "min-cost")
    assert code == 2
    assert "missing column(s) unit_cost, min_capacity" in capsys.readouterr().err
    files["sites"].write_text(SITES.replace("150", "50"), encoding="utf-8")
    code, out = _run(files, tmp_path, "--objective", "min-cost", "--minutes", "15")
    assert code == 2 and not out.exists()
    assert "capacity in reach is 100" in capsys.readouterr().err
