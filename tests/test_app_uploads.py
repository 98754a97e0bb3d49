"""Uploads: zip checks before and while unpacking (paths, links, bombs, lying headers), size
limits, content keys, the decisions asked of the planner (rows without coordinates, area
types) and how they are recorded, the field preview's decoding."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box

from core.messages import Message
from errors import InputError
from planning.uploads import (
    UploadError,
    ZipLimits,
    check_zip,
    content_key,
    file_columns,
    fill_area_type,
    finish_upload,
    inspect_upload,
    read_layer_file,
    recognised_fields,
    safe_extract_zip,
    store_upload,
)


def _zip(members: dict[str, bytes], *, compression=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_traversal_and_absolute_paths_refused_before_writing(tmp_path) -> None:
    data = _zip({"ok.csv": b"a\n1\n", "../evil.txt": b"x", "/etc/evil": b"x",
                 "C:/win/evil": b"x"})
    with pytest.raises(UploadError) as err:
        safe_extract_zip(data, tmp_path / "out", name="bad.zip")
    msg = str(err.value)
    assert "3 problem(s) in bad.zip" in msg
    assert "'../evil.txt'" in msg and "absolute path" in msg
    assert not (tmp_path / "out").exists() and not (tmp_path / "evil.txt").exists()


def test_symlink_refused() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        info = zipfile.ZipInfo("link")
        info.external_attr = (0o120777 << 16)
        zf.writestr(info, "/etc/passwd")
    with pytest.raises(UploadError, match="symbolic link"):
        check_zip(buf.getvalue())


def test_zip_bomb_refused_by_ratio_and_total() -> None:
    bomb = _zip({"zeros.csv": b"0" * (20 * 1024 * 1024)})
    assert len(bomb) < 100_000
    with pytest.raises(UploadError, match="zip bomb"):
        check_zip(bomb)
    with pytest.raises(UploadError, match="exceeds the limit of 1,000,000"):
        check_zip(_zip({"a.csv": b"x" * 2_000_000}, compression=zipfile.ZIP_STORED),
                  limits=ZipLimits(max_total_bytes=1_000_000))


def test_not_a_zip_and_size_and_type_limits(tmp_path) -> None:
    with pytest.raises(UploadError, match="not a valid zip"):
        store_upload("x.zip", b"hello", tmp_path)
    with pytest.raises(UploadError) as err:
        store_upload("big.exe", b"x" * 101, tmp_path, max_bytes=100)
    assert "exceeds the upload limit of 100 bytes" in str(err.value)
    assert "unsupported file type .exe" in str(err.value)


def test_zipped_shapefile_is_read(tmp_path) -> None:
    gdf = gpd.GeoDataFrame(
        {"编号": ["A1", "A2"], "名称": ["甲小区", "乙小区"], "户数": [300, 500],
         "类型": ["新建", "老旧"]},
        geometry=[box(117.27, 31.86, 117.275, 31.865), box(117.28, 31.86, 117.285, 31.865)],
        crs=4326,
    )
    shp_dir = tmp_path / "shp"
    shp_dir.mkdir()
    gdf.to_file(shp_dir / "areas.shp", encoding="utf-8")
    members = {p.name: p.read_bytes() for p in shp_dir.iterdir()}
    path = store_upload("areas.zip", _zip(members), tmp_path / "work")
    assert path.name == "areas.shp"
    fields = dict(recognised_fields(["编号", "名称", "户数", "类型", "备注"]))
    assert fields == {"编号": "id", "名称": "name", "户数": "households", "类型": "area_type",
                      "备注": None}
    areas = read_layer_file(path, "areas")
    assert list(areas["id"]) == ["A1", "A2"]
    assert list(areas["area_type"]) == ["new", "old"]
    assert areas.crs.to_epsg() == 4326


def test_shapefile_without_dbf_refused(tmp_path) -> None:
    with pytest.raises(UploadError, match="lacks .dbf"):
        store_upload("a.zip", _zip({"a.shp": b"x", "a.shx": b"x"}), tmp_path)


def test_file_columns_of_csv_and_geopackage(tmp_path) -> None:
    csv = tmp_path / "areas.csv"
    csv.write_text("小区名称,户数,lon,lat\n甲,800,117.27,31.86\n", encoding="utf-8")
    assert file_columns(csv) == ["小区名称", "户数", "lon", "lat"]
    gdf = gpd.GeoDataFrame({"name": ["甲"], "households": [800]},
                           geometry=[box(117.27, 31.86, 117.28, 31.87)], crs=4326)
    gdf.to_file(tmp_path / "areas.gpkg", driver="GPKG")
    assert file_columns(tmp_path / "areas.gpkg") == ["name", "households"]



def _understated_zip(payload: bytes, declared: int) -> bytes:
    """A zip whose local and central headers both declare *declared* bytes for a.csv."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.csv", payload)
    data = bytearray(buf.getvalue())
    struct.pack_into("<I", data, 22, declared)  # local header: uncompressed size
    central = data.find(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, declared)
    return bytes(data)


def test_member_larger_than_its_header_stops_extraction_and_leaves_nothing(tmp_path) -> None:
    payload = b"lon,lat\n" + b"117.27,31.86\n" * 20_000  # 260,008 bytes
    data = _understated_zip(payload, 1000)
    assert zipfile.ZipFile(io.BytesIO(data)).infolist()[0].file_size == 1000
    with pytest.raises(UploadError) as err:
        safe_extract_zip(data, tmp_path / "out", name="lie.zip")
    assert err.value.render("zh") == (
        "lie.zip 中有 1 个问题：\n  - lie.zip: 压缩包内的文件 'a.csv' 实际大小超过头信息声明的 "
        "1,000 字节；已停止解压并删除解压出的文件")
    assert "holds more than the 1,000 bytes its header declares" in err.value.render("en")
    assert not (tmp_path / "out").exists()  # no truncated a.csv left behind
    # store_upload likewise leaves no folder of the upload
    with pytest.raises(UploadError):
        store_upload("lie.zip", data, tmp_path / "work")
    assert not list((tmp_path / "work").rglob("a.csv"))


def test_total_counted_while_extracting_removes_partial_files(tmp_path) -> None:
    from planning import uploads

    data = _zip({"a.csv": b"x" * 300, "b.csv": b"y" * 300}, compression=zipfile.ZIP_STORED)
    # the headers pass the check; the running count of the bytes really written stops it
    (tmp_path / "o").mkdir()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        a, b = zf.infolist()
        total = uploads._extract_member(zf, a, tmp_path / "o" / "a.csv", name="t.zip", total=0,
                                        limits=ZipLimits(max_total_bytes=500))
        assert total == 300
        with pytest.raises(UploadError, match="passes 500 bytes while extracting"):
            uploads._extract_member(zf, b, tmp_path / "o" / "b.csv", name="t.zip",
                                    total=total, limits=ZipLimits(max_total_bytes=500))


def test_same_name_new_content_is_stored_apart(tmp_path) -> None:
    first = "编号,户数,类型,经度,纬度\nA1,300,新建,117.27,31.86\n".encode()
    fixed = "编号,户数,类型,经度,纬度\nA1,320,新建,117.27,31.86\n".encode()
    p1 = store_upload("areas.csv", first, tmp_path)
    p2 = store_upload("areas.csv", fixed, tmp_path)
    assert p1 != p2 and p1.name == p2.name == "areas.csv"
    assert p1.parent.name == content_key(first) and len(content_key(first)) == 16
    assert p1.read_bytes() == first and p2.read_bytes() == fixed
    assert list(read_layer_file(p2, "areas", crs="wgs84")["households"]) == [320.0]
    assert store_upload("areas.csv", first, tmp_path) == p1  # same content: same key


def _csv(tmp_path, text: str, name: str = "areas.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_rows_without_coordinates_listed_and_dropped_only_on_confirmation(tmp_path) -> None:
    path = _csv(tmp_path, "编号,户数,类型,经度,纬度\nA1,300,新建,117.27,31.86\n"
                          "A2,200,老旧,,\nA3,250,老旧,abc,31.87\nA4,100,新建,117.28,31.87\n")
    # the reader without the option: every such row is a problem (the CLI's behaviour)
    with pytest.raises(InputError) as err:
        read_layer_file(path, "areas", crs="wgs84")
    text = err.value.render("en")
    assert "not a number: 'abc'" in text and "rows A2, A3: empty or missing geometry" in text
    check = inspect_upload(path, "areas", crs="wgs84")
    assert check.no_coordinates == ["A2", "A3"] and check.area_type_missing == []
    with pytest.raises(UploadError) as err:
        finish_upload(check, confirm_drop=False)
    assert "2 row(s) without coordinates: A2, A3; confirm their exclusion" in str(err.value)
    gdf = finish_upload(check, confirm_drop=True)
    assert list(gdf["id"]) == ["A1", "A4"]
    note = Message("geo.read.dropped_no_coordinates", {"n": 2, "rows": ["A2", "A3"]})
    assert note in gdf.attrs["notes"]
    assert note.render("zh") == ("经规划师确认，排除 2 行没有坐标的记录（坐标为空或不是数字）："
                                 "A2、A3")


def test_area_type_missing_default_or_from_completion_year(tmp_path) -> None:
    path = _csv(tmp_path, "编号,户数,建成年份,经度,纬度\nA1,300,2015,117.27,31.86\n"
                          "A2,200,1995,117.28,31.86\nA3,250,,117.28,31.87\n")
    check = inspect_upload(path, "areas", crs="wgs84")
    assert check.area_type_missing == ["A1", "A2", "A3"] and check.has_completion_year
    with pytest.raises(UploadError,
                       match=r"3 row\(s\) without an area type \(area_type / 新旧\): A1, A2, A3;"):
        finish_upload(check, confirm_drop=False)
    new = finish_upload(check, confirm_drop=False, area_type="new")
    assert list(new["area_type"]) == ["new", "new", "new"]
    assert new.attrs["notes"][-1].render("zh") == (
        "3 行没有新旧类型，按规划师的选择设为新建：A1、A2、A3")
    by_year = finish_upload(check, confirm_drop=False, area_type="old", cutoff_year=2010)
    assert list(by_year["area_type"]) == ["new", "old", "old"]
    assert by_year.attrs["notes"][-1].render("en") == (
        "3 row(s) without an area type derived from the completion year (cut-off year 2010, "
        "set by the planner): 1 built in or after 2010 are new, 1 built before are old; "
        "1 without a year set to old (built): A1, A2, A3")
    assert check.layer["area_type"].isna().all()  # the check itself is left as read


def test_fill_area_type_keeps_given_types_and_needs_a_year_column(tmp_path) -> None:
    path = _csv(tmp_path, "编号,户数,类型,经度,纬度\nA1,300,新建,117.27,31.86\n"
                          "A2,200,,117.28,31.86\n")
    gdf = read_layer_file(path, "areas", crs="wgs84")
    assert list(fill_area_type(gdf, default="old")["area_type"]) == ["new", "old"]
    with pytest.raises(UploadError, match="no completion-year column"):
        fill_area_type(gdf, default="old", cutoff_year=2000)


def test_developments_without_area_type_can_be_filled(tmp_path) -> None:
    path = _csv(tmp_path, "编号,户数\nD1,300\nD2,100\n", name="devs.csv")
    with pytest.raises(InputError, match="area_type"):
        read_layer_file(path, "developments")
    check = inspect_upload(path, "developments")
    assert check.area_type_missing == ["D1", "D2"] and not check.has_completion_year
    gdf = finish_upload(check, confirm_drop=False, area_type="old")
    assert list(gdf["area_type"]) == ["old", "old"]


def test_layer_notes_reach_the_run_notes(tmp_path) -> None:
    from geo import load_demo
    from planning.params import ScenarioParams
    from planning.profiles import DEFAULT_PROFILE, load_profile
    from planning.runs import layer_notes, run_scenario

    demo = load_demo()
    note = Message("planning.upload.area_type_default",
                   {"n": 1, "area_type": Message("policy.area_new"), "rows": ["X"]})
    areas = demo["areas"].copy()
    areas.attrs = {**demo["areas"].attrs, "notes": [note]}
    assert layer_notes(areas, None, demo["candidates"]) == [note]
    run = run_scenario(areas=areas, facilities=demo["facilities"],
                       candidates=demo["candidates"], network=None,
                       profile=load_profile(DEFAULT_PROFILE),
                       params=ScenarioParams(service="childcare", objective="min_cost"))
    assert run.notes[0] == note
    assert run.results()["notes"][0] == note
    # … and into the exports: the Excel workbook's notes sheet
    from openpyxl import load_workbook

    from maps.bundle import scenario_bundle

    xlsx = scenario_bundle(run=run, lang="zh")["xlsx"]
    sheet = load_workbook(io.BytesIO(xlsx))["说明"]
    assert sheet.cell(2, 1).value == "1 行没有新旧类型，按规划师的选择设为新建：X"


def test_maps_fit_the_planners_layers_not_a_demo_network_beside_them() -> None:
    import folium
    from shapely.geometry import LineString, Point

    from maps.folium_map import build_map

    areas = gpd.GeoDataFrame({"id": ["A1", "A2"], "households": [1.0, 2.0]},
                             geometry=[Point(116.30, 39.90), Point(116.31, 39.91)], crs=4326)
    far = gpd.GeoDataFrame({"id": [1]}, geometry=[LineString([(117.2, 31.8), (117.3, 31.9)])],
                           crs=4326)
    m = build_map(areas=areas, network_edges=far, basemap="offline")
    fits = [c for c in m._children.values() if isinstance(c, folium.map.FitBounds)]
    assert [f.bounds for f in fits] == [[[39.90, 116.30], [39.91, 116.31]]]


def test_field_preview_decodes_gbk_shapefile_without_cpg_as_the_reader(tmp_path) -> None:
    gdf = gpd.GeoDataFrame({"编号": ["A1"], "小区名称": ["甲小区"], "户数": [300]},
                           geometry=[box(117.27, 31.86, 117.275, 31.865)], crs=4326)
    gdf.to_file(tmp_path / "a.shp", encoding="GBK")
    (tmp_path / "a.cpg").unlink(missing_ok=True)
    assert file_columns(tmp_path / "a.shp") == ["编号", "小区名称", "户数"]
    import geo

    raw, _ = geo.read_layer(tmp_path / "a.shp")
    assert [c for c in raw.columns if c != "geometry"] == file_columns(tmp_path / "a.shp")


def test_field_preview_decodes_gbk_csv(tmp_path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes("编号,户数,经度,纬度\nA1,300,117.27,31.86\n".encode("gbk"))
    assert file_columns(path) == ["编号", "户数", "经度", "纬度"]


# ---- the data page (AppTest)

def _data_page(monkeypatch, tmp_path):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("YILAO_DATA_DIR", str(tmp_path / "store"))
    monkeypatch.setenv("YILAO_UPLOAD_DIR", str(tmp_path / "uploads"))
    root = Path(__file__).resolve().parents[1]
    at = AppTest.from_file(str(root / "pages" / "data.py"), default_timeout=120)
    at.session_state["owner"] = "tester"
    at.session_state["lang"] = "zh"
    return at


AREAS_CSV = ("编号,户数,经度,纬度\nA1,300,117.27,31.86\nA2,200,,\nA3,250,117.28,31.87\n"
             ).encode()


def test_page_asks_exclusion_and_area_type_then_records_them(monkeypatch, tmp_path) -> None:
    at = _data_page(monkeypatch, tmp_path)
    at.session_state["pending_upload"] = ("areas.csv", AREAS_CSV)
    at.run()
    at.selectbox(key="upload_crs").set_value("wgs84").run()
    warnings = [w.value for w in at.warning]
    assert "1 行没有坐标（坐标为空或不是数字）：A2" in warnings
    assert any(w.startswith("2 行没有新旧类型（area_type / 新旧）：A1、A3") for w in warnings)
    at.button(key="read_upload").click().run()  # not confirmed: nothing loaded
    assert "1 行没有坐标：A2；确认排除后才能读取" in " ".join(e.value for e in at.error)
    assert at.session_state["data"]["source"] == "demo"
    at.checkbox(key="upload_confirm_drop").check()
    at.radio(key="upload_area_choice").set_value("old")
    at.button(key="read_upload").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert [s.value for s in at.success] == ["已读取 2 条记录：居住区"]
    areas = at.session_state["data"]["layers"]["areas"]
    assert list(areas["id"]) == ["A1", "A3"] and list(areas["area_type"]) == ["old", "old"]
    assert [n.code for n in areas.attrs["notes"]][-2:] == [
        "geo.read.dropped_no_coordinates", "planning.upload.area_type_default"]
    # what is still demo is said, and can be cleared
    shown = " ".join(w.value for w in at.warning)
    assert ("以下图层仍是示例数据（合成城区），不是您上传的："
            "开发项目、现状设施、候选点、街道、路网") in shown
    at.button(key="upload_clear_demo").click().run()
    d = at.session_state["data"]
    assert set(d["layers"]) == {"areas"} and d["network_path"] is None
    assert not [w for w in at.warning if "示例数据" in w.value]
    at.button(key="upload_reset_demo").click().run()
    assert at.session_state["data"]["source"] == "demo"
    assert len(at.session_state["data"]["layers"]["areas"]) == 71


def test_page_reads_a_corrected_file_of_the_same_name_afresh(monkeypatch, tmp_path) -> None:
    at = _data_page(monkeypatch, tmp_path)
    bad = "编号,户数,类型,经度,纬度\nA1,-5,新建,117.27,31.86\n".encode()
    good = "编号,户数,类型,经度,纬度\nA1,500,新建,117.27,31.86\n".encode()
    at.session_state["pending_upload"] = ("areas.csv", bad)
    at.run()
    at.selectbox(key="upload_crs").set_value("wgs84").run()
    assert at.error and "-5" in at.error[0].value
    at.session_state["pending_upload"] = ("areas.csv", good)
    at.run()
    assert not at.error, [e.value for e in at.error]
    at.button(key="read_upload").click().run()
    assert list(at.session_state["data"]["layers"]["areas"]["households"]) == [500.0]


def test_failed_network_upload_leaves_the_session_usable(monkeypatch, tmp_path) -> None:
    at = _data_page(monkeypatch, tmp_path)
    at.run()
    demo_net = at.session_state["data"]["network_path"]
    at.session_state["pending_upload"] = ("streets.osm", b"<osm><broken")
    at.selectbox(key="upload_kind").set_value("network").run()
    at.button(key="read_upload").click().run()
    assert not at.exception
    assert len(at.error) == 1
    assert at.session_state["data"]["network_path"] == demo_net  # nothing replaced
    at.button(key="upload_reset").click().run()
    assert not at.error and "upload_path" not in at.session_state
    assert at.session_state["data"]["network_path"] == demo_net


def test_cli_plan_drops_rows_without_coordinates_only_when_asked(tmp_path, capsys) -> None:
    import json

    from geo import demo_paths, load_demo
    from planning.cli import main

    areas = load_demo()["areas"].head(20)
    centres = areas.to_crs(3857).geometry.centroid.to_crs(4326)
    lines = ["编号,户数,类型,经度,纬度"] + [
        f"{i},{int(h)},{t},{p.x:.6f},{p.y:.6f}"
        for i, h, t, p in zip(areas["id"], areas["households"], areas["area_type"], centres,
                              strict=True)] + ["X1,100,老旧,,", "X2,100,老旧,—,—"]
    csv = _csv(tmp_path, "\n".join(lines) + "\n")
    gpkg = str(demo_paths()["gpkg"])
    out = tmp_path / "r.json"
    base = ["plan", "--profile", "hefei", "--areas", str(csv), "--crs", "wgs84", "--sites", gpkg,
            "--sites-layer",
            "candidate_sites", "--straight-line", "--service", "childcare", "--out", str(out)]
    assert main(base) == 2
    assert "rows X1, X2: empty or missing geometry" in capsys.readouterr().err
    assert not out.exists()
    assert main([*base, "--drop-missing-coordinates"]) == 0
    notes = json.loads(out.read_text())["notes"]
    dropped = [n for n in notes if n["code"] == "geo.read.dropped_no_coordinates"]
    assert [(n["args"]["n"], n["args"]["rows"]) for n in dropped] == [(2, ["X1", "X2"])]
