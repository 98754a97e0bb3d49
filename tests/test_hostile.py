"""Hostile and careless inputs to the commands: exit status 2, a clear message, nothing written.

Each case is a command line that once ended in a traceback or a misleading result. The checks:
the exit status, a message that names the option, file or value, no Python traceback, and no
file left behind (existing outputs untouched, no temporary files).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from planning.cli import main

TABLES = {
    "demand.csv": "id,demand\na,5\n",
    "sites.csv": "id,fixed_cost,unit_cost,min_capacity,max_capacity,existing_capacity\n"
                 "s,1,1,0,10,0\n",
    "times.csv": "origin_id,destination_id,minutes\na,s,3\n",
    "empty.csv": "",
}


@pytest.fixture()
def tables(tmp_path: Path) -> Path:
    for name, text in TABLES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def _table_plan(d: Path, *extra: str, demand: str = "demand.csv",
                out: str = "out/result.json") -> list[str]:
    return ["plan", "--demand", str(d / demand), "--sites", str(d / "sites.csv"),
            "--travel-times", str(d / "times.csv"), "--out", str(d / out), *extra]


def _files(d: Path) -> set[str]:
    return {p.relative_to(d).as_posix() for p in d.rglob("*")}


@pytest.mark.parametrize(("extra", "says"), [
    (["--minutes", "nan"], "--minutes: must be a finite number"),
    (["--minutes", "inf"], "--minutes: must be a finite number"),
    (["--minutes", "-3"], "--minutes: must be a number > 0"),
    (["--time-limit", "-1"], "--time-limit: must be a number > 0"),
    (["--time-limit", "0"], "--time-limit: must be a number > 0"),
    (["--gap", "2"], "--gap: must be a number from 0 to 1"),
    (["--p", "0"], "--p: must be a whole number >= 1"),
    (["--budget", "abc"], "--budget: not a number"),
])
def test_bad_options_are_usage_errors(tables: Path, capsys, extra: list[str],
                                      says: str) -> None:
    before = _files(tables)
    with pytest.raises(SystemExit) as exc:
        main(_table_plan(tables, *extra))
    err = capsys.readouterr().err
    assert exc.value.code == 2 and says in err and "Traceback" not in err
    assert _files(tables) == before


def test_access_boundary_spacing_must_be_positive(tmp_path: Path, capsys) -> None:
    for value in ("0", "-5"):
        with pytest.raises(SystemExit) as exc:
            main(["access", "--demo", "--boundary-spacing", value,
                  "--out", str(tmp_path / "p.csv")])
        assert exc.value.code == 2
        assert "--boundary-spacing: must be a number > 0" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_empty_csv_is_named(tables: Path, capsys) -> None:
    before = _files(tables)
    assert main(_table_plan(tables, demand="empty.csv")) == 2
    err = capsys.readouterr().err
    assert "empty.csv" in err and "is empty" in err and "Traceback" not in err
    assert _files(tables) == before


def test_output_that_is_a_folder(tables: Path, capsys) -> None:
    (tables / "out").mkdir()
    before = _files(tables)
    assert main(_table_plan(tables, out="out")) == 2
    err = capsys.readouterr().err
    assert "is a folder" in err and "Traceback" not in err
    assert _files(tables) == before


def test_output_that_cannot_be_written(tables: Path, capsys) -> None:
    blocker = tables / "blocker"
    blocker.write_text("a file where a folder is needed")
    assert main(_table_plan(tables, out="blocker/result.json")) == 2
    err = capsys.readouterr().err
    assert "cannot write" in err and "blocker" in err and "Traceback" not in err
    assert blocker.read_text() == "a file where a folder is needed"


def test_a_failed_plan_keeps_the_earlier_result(tables: Path, capsys) -> None:
    out = tables / "out" / "result.json"
    assert main(_table_plan(tables)) == 0
    first = out.read_text()
    assert json.loads(first)["status"] == "optimal"
    assert main(_table_plan(tables, demand="empty.csv")) == 2
    assert out.read_text() == first
    assert sorted(p.name for p in out.parent.iterdir()) == ["result.json"]


def test_messages_in_chinese_on_request(tables: Path, capsys, monkeypatch) -> None:
    (tables / "out").mkdir()
    monkeypatch.setenv("PLANNING_LANG", "zh")
    assert main(_table_plan(tables, out="out")) == 2
    assert "是一个文件夹" in capsys.readouterr().err


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_names_that_look_like_formulas_stay_text(tmp_path: Path, suffix: str) -> None:
    dev = tmp_path / "dev.csv"
    dev.write_text(
        "id,name,area_type,population,childcare_places,eldercare_area_m2\n"
        'D1,"=HYPERLINK(""http://x"",""点我"")",new,1000,10,300\n'
        "D2,@SUM(A1),new,1000,10,300\n", encoding="utf-8")
    out = tmp_path / f"report{suffix}"
    assert main(["check", "--profile", "hefei", "--developments", str(dev),
                 "--out", str(out)]) in (0, 1)
    if suffix == ".xlsx":
        import openpyxl

        wb = openpyxl.load_workbook(out)
        cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
        texts = [c.value for c in cells if isinstance(c.value, str)]
        assert "'=HYPERLINK(\"http://x\",\"点我\")" in texts and "'@SUM(A1)" in texts
        assert not any(c.data_type == "f" for c in cells)
    else:
        text = out.read_text(encoding="utf-8-sig")
        assert "'=HYPERLINK" in text and "'@SUM(A1)" in text
        assert ",=HYPERLINK" not in text and ",@SUM" not in text


def test_crs_option_never_silently_overrides_a_declared_crs(tmp_path: Path, capsys) -> None:
    from geo import load_demo

    demo = load_demo()
    areas, sites = tmp_path / "areas.geojson", tmp_path / "sites.geojson"
    demo["areas"].to_file(areas, driver="GeoJSON")
    demo["facilities"].to_file(sites, driver="GeoJSON")
    out = tmp_path / "cov.json"
    base = ["coverage", "--profile", "hefei", "--areas", str(areas), "--facilities", str(sites),
            "--straight-line", "--out", str(out)]
    assert main([*base, "--crs", "gcj02"]) == 2
    err = capsys.readouterr().err
    assert "declares EPSG:4326 but gcj02 was given" in err and "--crs-override" in err
    assert not out.exists()
    assert main([*base, "--crs", "gcj02", "--crs-override"]) == 0
    assert out.exists()


def test_a_site_layer_without_status_is_an_error(tmp_path: Path, capsys) -> None:
    from geo import load_demo

    demo = load_demo()
    areas, sites = tmp_path / "areas.geojson", tmp_path / "sites.geojson"
    demo["areas"].to_file(areas, driver="GeoJSON")
    demo["candidates"].drop(columns=["status"]).to_file(sites, driver="GeoJSON")
    out = tmp_path / "out" / "r.json"
    assert main(["plan", "--profile", "hefei", "--areas", str(areas), "--sites", str(sites),
                 "--straight-line", "--out", str(out)]) == 2
    assert "no status column" in capsys.readouterr().err
    assert not out.parent.exists()


def test_infinite_population_is_an_error_and_huge_compounds_a_warning(tmp_path: Path,
                                                                       capsys) -> None:
    dev = tmp_path / "dev.csv"
    out = tmp_path / "report.json"
    dev.write_text("id,name,area_type,population,childcare_places,eldercare_area_m2\n"
                   "D1,甲,new,inf,10,300\n", encoding="utf-8")
    assert main(["check", "--profile", "hefei", "--developments", str(dev),
                 "--out", str(out)]) == 2
    err = capsys.readouterr().err  # inf is no population: the row is named, nothing written
    assert "rows D1" in err and "population" in err and not out.exists()
    dev.write_text("id,name,area_type,households,childcare_places,eldercare_area_m2\n"
                   "D1,甲,new,2000000,10,300\n", encoding="utf-8")
    # implausible is a warning, not an error: the check runs (1: a development fails a rule)
    assert main(["check", "--profile", "hefei", "--developments", str(dev),
                 "--out", str(out)]) in (0, 1)
    d = json.loads(out.read_text())
    warnings = d["developments"][0]["warnings"]
    assert any(w["code"] == "planning.implausible" and "D1=2,000,000" in w["text"]
               for w in warnings)


def test_an_area_alone_on_a_street_fragment_says_so_in_the_plan() -> None:
    """The demo district plus a compound 3 km east of it whose lanes (a 2-edge fragment,
    100 m) join no other street: its unmet 托位 say "isolated street fragment", and the
    run's notes name it; the demo's own areas keep their reasons."""
    from geo import load_demo
    from planning.params import ScenarioParams
    from planning.profiles import load_profile
    from planning.runs import run_scenario
    from tests.conftest import demo_with_lone_compound

    demo = load_demo()
    areas, net = demo_with_lone_compound(demo)
    run = run_scenario(areas=areas, facilities=demo["facilities"],
                       candidates=demo["candidates"], network=net,
                       profile=load_profile("hefei"), params=ScenarioParams())
    reasons = run.unmet.set_index("id")["reason"]
    assert reasons["LONE"] == "isolated street fragment"
    assert (reasons.drop("LONE") != "isolated street fragment").all()
    notes = [n for n in run.notes if n.code == "geo.unreached.areas_on_fragments"]
    assert [n.render("en") for n in notes] == [
        "childcare: 1 residential area(s) on street fragments not connected to the main "
        "network, with no facility or candidate site on them, so their demand cannot be met "
        "within walking reach: LONE"]


def test_scenario_workbook_keeps_formulas_inert(tmp_path) -> None:
    """A site name typed as a formula reaches the scenario workbook (plan --excel, 导出) as text."""
    import openpyxl
    import pandas as pd

    from maps.export import write_excel

    path = tmp_path / "t.xlsx"
    write_excel({"sites": pd.DataFrame({"name": ['=HYPERLINK("http://x","y")', "锦城"]})}, path)
    cell = openpyxl.load_workbook(path)["sites"]["A2"]
    assert cell.data_type != "f" and cell.value == '\'=HYPERLINK("http://x","y")'


def test_outputs_move_into_place_all_or_none(tmp_path, monkeypatch) -> None:
    """When the second move fails, the first destination gets its earlier file back and
    nothing stray is left: the earlier outputs stand as they were."""
    import os

    import core.fileio as fileio
    from errors import OutputError

    a, b = tmp_path / "a.json", tmp_path / "b.csv"
    a.write_text("old a", encoding="utf-8")
    b.write_text("old b", encoding="utf-8")
    real, calls = os.replace, []

    def failing_replace(src, dst):
        calls.append((src, dst))
        if str(dst) == str(b) and str(src).endswith("b.csv"):  # the new b moving in
            raise OSError(28, "No space left on device", str(dst))
        return real(src, dst)

    monkeypatch.setattr(fileio.os, "replace", failing_replace)
    with pytest.raises(OutputError, match="No space left"):
        fileio.write_outputs({a: lambda p: p.write_text("new a", encoding="utf-8"),
                              b: lambda p: p.write_text("new b", encoding="utf-8")})
    assert a.read_text(encoding="utf-8") == "old a" and b.read_text(encoding="utf-8") == "old b"
    assert sorted(x.name for x in tmp_path.iterdir()) == ["a.json", "b.csv"]
