"""``python -m planning plan`` on CSV tables: result.json keys, values and input errors."""

from __future__ import annotations

import json
import re

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


def test_whole_places_unless_continuous_capacity(tmp_path):
    # one area needing 52.4 in reach of one site (fixed 100, unit 1): whole places give
    # capacity 53 and cost 153; --continuous-capacity gives 52.4 and 152.4
    paths = {}
    for name, text in (("demand", "id,demand\na,52.4\n"),
                       ("sites", "id,fixed_cost,unit_cost,min_capacity,max_capacity,"
                                 "existing_capacity\nS1,100,1,0,150,0\n"),
                       ("times", "origin_id,destination_id,minutes\na,S1,5\n")):
        paths[name] = tmp_path / f"{name}.csv"
        paths[name].write_text(text, encoding="utf-8")
    code, out = _run(paths, tmp_path, "--objective", "min-cost")
    d = json.loads(out.read_text())
    assert code == 0 and d["objective"] == pytest.approx(153.0)
    assert d["sites"][0]["capacity"] == pytest.approx(53.0)
    code, out = _run(paths, tmp_path, "--objective", "min-cost", "--continuous-capacity")
    d = json.loads(out.read_text())
    assert code == 0 and d["objective"] == pytest.approx(152.4)
    assert d["sites"][0]["capacity"] == pytest.approx(52.4)


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


# --------------------------------------------------------------------------- map form

def test_map_form_demo_end_to_end(tmp_path, capsys):
    import geopandas as gpd

    out = tmp_path / "out" / "result.json"
    code = main(["plan", "--demo", "--service", "eldercare", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    d = json.loads(out.read_text())
    assert list(d)[:9] == ["status", "proven_optimal", "objective", "bound", "gap", "seconds",
                           "sites", "assignments", "unmet"]
    assert d["status"] == "optimal" and d["proven_optimal"] is True
    assert d["profile"] == "hefei" and d["method"] == "network"
    # minutes and speed default from the profile (the elderly walking speed for elder care)
    from planning.profiles import load_profile

    prof = load_profile("hefei")
    cut = d["cutoffs"]["eldercare"]
    assert (cut["minutes"], cut["speed_m_per_min"]) == (
        prof.param("eldercare_service_minutes"), prof.param("elderly_walking_speed_m_per_min"))
    assert (cut["minutes_basis"], cut["speed_basis"]) == ("local_plan", "tool_default")
    # the demo has areas out of reach: each unmet area says why
    assert d["unmet"] and all(u["reason"] for u in d["unmet"])
    served = sum(a["amount"] for a in d["assignments"])
    unmet = sum(u["amount"] for u in d["unmet"])
    assert served + unmet == pytest.approx(d["indicators"]["eldercare"]["required"], rel=1e-6)
    # rules applied, each with its source
    rules = {r["rule"]: r for r in d["rules_applied"]}
    assert rules["eldercare_min_site_new"]["applied"] and "350" in rules[
        "eldercare_min_site_new"]["source"]
    assert rules["eldercare_complex_per_street"]["applied"]
    # outputs beside --out: the GeoPackage holds the chosen sites
    gpkg = tmp_path / "out" / "result_sites.gpkg"
    html = tmp_path / "out" / "result_map.html"
    assert d["outputs"] == {"sites": str(gpkg), "map": str(html)}
    sites = gpd.read_file(gpkg, layer="sites")
    proposed = {s["id"] for s in d["sites"] if s["open"] and s["status"] == "proposed"}
    assert proposed and set(sites.loc[sites["status"] == "proposed", "id"]) == proposed
    assert set(sites.loc[sites["status"] == "existing", "id"]) == {
        s["id"] for s in d["sites"] if s["status"] == "existing"}
    assert sites.crs.to_epsg() == 4326
    text = html.read_text(encoding="utf-8")
    assert "L.map(" in text or "L.map" in text
    assert "<script src=" not in text and "<link href=\"http" not in text


def test_map_form_both_writes_geojson(tmp_path):
    import geopandas as gpd

    out = tmp_path / "r.json"
    gj = tmp_path / "chosen.geojson"
    code = main(["plan", "--demo", "--service", "both", "--no-side-rules", "--out", str(out),
                 "--sites-out", str(gj), "--map-out", str(tmp_path / "m.html")])
    assert code == 0
    d = json.loads(out.read_text())
    assert d["solver"]["both"]["model"] == "joint siting" and d["status"] == "optimal"
    assert d["side_rules_applied"] is False
    assert all(not r["applied"] for r in d["rules_applied"]
               if r["kind"].startswith("facilities_per"))
    assert set(gpd.read_file(gj)["service"]) == {"childcare", "eldercare"}
    assert d["joint_sites"] and (tmp_path / "m.html").exists()
    # the map draws the run's sites as the app does: each place named by its site id (one
    # marker for a site shared by both services), not by a service's row id
    html = (tmp_path / "m.html").read_text(encoding="utf-8")
    popups = " ".join(json.loads(p) for p in re.findall(
        r'bindPopup\(("(?:[^"\\]|\\.)*")', html[html.index("</head>"):]))
    shown = re.findall(r"<th>id</th><td>([^<]*)</td>", popups)
    assert sorted(shown) == sorted({s["site_id"] for s in d["sites"] if s["open"]})


def test_map_form_bad_inputs_exit_2_without_output(tmp_path, capsys):
    from geo.demo import demo_paths

    gpkg = str(demo_paths()["gpkg"])
    out = tmp_path / "result.json"
    code = main(["plan", "--profile", "atlantis", "--areas", gpkg, "--areas-layer",
                 "residential_areas", "--sites", gpkg, "--sites-layer", "candidate_sites",
                 "--network", str(tmp_path / "missing.osm"), "--service", "childcare",
                 "--out", str(out)])
    assert code == 2
    err = capsys.readouterr().err
    assert "2 problem(s)" in err and "atlantis" in err
    assert "--network file not found" in err and "missing.osm" in err
    assert list(tmp_path.iterdir()) == []
    # the same files with a known profile and no network: asks for one, writes nothing
    code = main(["plan", "--profile", "hefei", "--areas", gpkg, "--sites", gpkg,
                 "--out", str(out)])
    assert code == 2 and "needs --network FILE" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_no_plan_is_never_reported_as_a_plan(tmp_path, capsys) -> None:
    """A solve stopped before any plan gives exit 2, status only: no coverage, cost, unmet."""
    out = tmp_path / "result.json"
    code = main(["plan", "--demo", "--service", "childcare", "--time-limit", "0.001",
                 "--out", str(out), "--lang", "en"])
    err = capsys.readouterr().err
    assert code == 1 and "found no plan" in err  # not 2: the input was fine
    d = json.loads(out.read_text())
    assert d["status"] == "no solution" and d["no_plan"] is True
    assert d["sites"] is None and d["unmet"] is None and d["assignments"] is None
    ind = d["indicators"]
    assert ind["total"]["share_covered"] is None and ind["total"]["cost"] is None
    assert ind["childcare"]["unmet"] is None and ind["childcare"]["required"] > 600
    # the sites layer and the map are not written
    assert sorted(p.name for p in tmp_path.iterdir()) == ["result.json"]


# ---------------------------------------------------------------- no silent zero demand

def test_plan_stops_where_the_plan_states_no_demand_figure(tmp_path, capsys):
    # Xuanhan's plan states no elder-care floor area: demand is unknown, not zero (audit H4)
    out = tmp_path / "x" / "r.json"
    assert main(["plan", "--demo", "--profile", "xuanhan", "--service", "eldercare",
                 "--straight-line", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "eldercare_area_per_100_households" in err and "--eldercare-per-100-households" in err
    assert "not taken as zero" in err
    assert not (tmp_path / "x").exists()
    # Suizhou's old areas: 「按标补齐」 with no figure, for child care as well
    assert main(["plan", "--demo", "--profile", "suizhou", "--service", "childcare",
                 "--straight-line", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "childcare_places_per_1000" in err and "old" in err
    assert not (tmp_path / "x").exists()


def test_plan_with_the_planners_figure_says_so(tmp_path):
    out = tmp_path / "r.json"
    assert main(["plan", "--demo", "--profile", "xuanhan", "--service", "eldercare",
                 "--eldercare-per-100-households", "20", "--straight-line",
                 "--out", str(out)]) == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    demand_rules = [r for r in doc["rules_applied"]
                    if r["kind"] == "eldercare_area_per_100_households"]
    assert {r["area_type"] for r in demand_rules} == {"new", "old"}
    assert all(r["basis"] == "planner" and r["value"] == 20 for r in demand_rules)
    assert doc["indicators"]["eldercare"]["required"] > 0
    # the elder-care circle is Xuanhan's own (15 min), the walking speed a tool default
    cut = doc["cutoffs"]["eldercare"]
    assert (cut["minutes"], cut["minutes_basis"], cut["speed_basis"]) == (
        15, "local_plan", "tool_default")
    assert "15分钟养老服务圈" in cut["minutes_source"]


def test_plan_labels_a_circle_the_plan_does_not_state_as_a_tool_default(tmp_path):
    out = tmp_path / "r.json"
    assert main(["plan", "--demo", "--profile", "hefei", "--service", "childcare",
                 "--straight-line", "--persons-per-household", "3", "--out",
                 str(out)]) == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["cutoffs"]["childcare"]["minutes_basis"] == "tool_default"
    assert doc["parameters_used"]["persons_per_household"]["value"] == 3
    assert doc["parameters_used"]["persons_per_household"]["basis"] == "planner"
    assert any(n["code"] == "policy.cutoff_basis" for n in doc["notes"])


def test_plan_writes_the_report_excel_and_figure_of_the_export_page(tmp_path) -> None:
    import openpyxl

    out = tmp_path / "result.json"
    paths = {"--report": tmp_path / "report.pdf", "--excel": tmp_path / "result.xlsx",
             "--figure": tmp_path / "map.png"}
    args = ["plan", "--demo", "--service", "both", "--straight-line", "--out", str(out)]
    for flag, path in paths.items():
        args += [flag, str(path)]
    assert main(args) == 0
    report = paths["--report"].read_bytes()
    assert report.startswith(b"%PDF") and b"WenQuanYiZenHei" in report  # the font is embedded
    assert paths["--figure"].read_bytes().startswith(b"\x89PNG")
    wb = openpyxl.load_workbook(paths["--excel"])
    assert len(wb.sheetnames) >= 3
    # a bad suffix is refused before anything is computed or written
    bad = tmp_path / "again.json"
    assert main(["plan", "--demo", "--out", str(bad), "--report", str(tmp_path / "r.docx")]) == 2
    assert not bad.exists()
