"""Many places at once: the manifest is checked as a whole, every place is planned as its
own task, a failing place is reported in the summary and the others are written."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import pytest

from errors import InputError
from planning.batch import read_manifest, run_batch, summary_row, summary_table
from tests.conftest import ROOT

MANIFEST = """
[defaults]
service = "childcare"
objective = "min-cost"

[[places]]
name = "demo-childcare"
demo = true
straight_line = true

[[places]]
name = "demo-eldercare-tight"
demo = true
straight_line = true
service = "eldercare"
objective = "max-coverage"
budget = 100000
"""


def _write(tmp_path, text):
    path = tmp_path / "places.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_every_problem_of_the_manifest_is_reported_at_once(tmp_path):
    path = _write(tmp_path, """
[defaults]
colour = "red"

[[places]]
name = "a b"
areas = "missing.gpkg"

[[places]]
name = "x"
demo = true
objective = "cheapest"
budget = -3

[[places]]
name = "x"
demo = true
""")
    with pytest.raises(InputError) as err:
        read_manifest(path)
    codes = [p.code for p in err.value.problems]
    for code in ("sweep.manifest_unknown_key", "sweep.manifest_name", "sweep.file_missing",
                 "sweep.manifest_key", "sweep.manifest_value", "sweep.manifest_duplicate"):
        assert code in codes, codes
    text = err.value.render("en")
    assert "missing.gpkg" in text and "'cheapest'" in text and "'x' is used twice" in text


def test_a_manifest_that_is_not_toml_or_lists_no_place(tmp_path):
    with pytest.raises(InputError) as err:
        read_manifest(_write(tmp_path, "[[places]\nname="))
    assert err.value.problems[0].code == "sweep.manifest_toml"
    with pytest.raises(InputError) as err:
        read_manifest(_write(tmp_path, "[defaults]\nservice = 'both'\n"))
    assert err.value.problems[0].code == "sweep.manifest_no_places"
    with pytest.raises(InputError) as err:
        read_manifest(tmp_path / "nowhere.toml")
    assert err.value.problems[0].code == "sweep.manifest_missing"


def test_places_in_process_one_failing(tmp_path):
    places = read_manifest(_write(tmp_path, MANIFEST))
    assert [p.params.objective for p in places] == ["min_cost", "max_coverage"]
    seen = []
    outcomes = run_batch(places, workers=0, progress=lambda d, t, o: seen.append((d, t)))
    assert seen == [(1, 2), (2, 2)]
    ok, bad = outcomes
    assert ok.run is not None and ok.error is None
    assert bad.run is None and bad.error["type"] == "InfeasibleError"
    rows = [summary_row(o, p) for o, p in zip(outcomes, places, strict=True)]
    assert rows[0]["status"] == "optimal" and rows[0]["proven_optimal"]
    assert rows[0]["childcare_required_places"] > rows[0]["childcare_unmet_places"] >= 0
    assert rows[0]["method"] == "straight-line"
    assert rows[1]["status"] == "failed" and "side rules" in rows[1]["error"]
    table = summary_table(rows)
    assert list(table.columns[-2:]) == ["seconds", "error"]


@pytest.mark.slow
def test_batch_command_on_a_local_cluster(tmp_path):
    path = _write(tmp_path, MANIFEST)
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "planning", "batch", "--manifest", str(path),
                           "--workers", "2", "--out", str(out), "--lang", "en"], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 1, proc.stderr  # one place failed, the other was written
    assert "place demo-eldercare-tight failed" in proc.stdout
    result = json.loads((out / "demo-childcare" / "result.json").read_text(encoding="utf-8"))
    assert result["status"] == "optimal" and result["method"] == "straight-line"
    assert (out / "demo-childcare" / "sites.gpkg").is_file()
    assert not (out / "demo-eldercare-tight").exists()
    with open(out / "summary.csv", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert [r["place"] for r in rows] == ["demo-childcare", "demo-eldercare-tight"]
    assert [r["status"] for r in rows] == ["optimal", "failed"]


def test_bad_manifest_exits_2_and_writes_nothing(tmp_path):
    path = _write(tmp_path, "[[places]]\nname = 'a'\nprofile = 'nowhere'\n")
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "planning", "batch", "--manifest", str(path),
                           "--workers", "0", "--out", str(out)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert not out.exists()
