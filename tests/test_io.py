"""Reading planning inputs: formats, field names, encodings, CRSs, and every kind of bad input.

Each case writes a tiny file into tmp_path and reads it back through the public readers.
"""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyproj
import pytest
import shapely
from geopandas.testing import assert_geoseries_equal

from core.messages import Message
from errors import CRSError, InputError
from geo.crs import wgs84_to_bd09, wgs84_to_gcj02
from geo.io import (
    detect_dbf_encoding,
    parse_number_list,
    read_admin_units,
    read_areas,
    read_developments,
    read_facilities,
    read_points_or_polygons,
)

# warnings raised while *writing* the fixture files (no CRS on purpose; cut field names)
pytestmark = [
    pytest.mark.filterwarnings("ignore:'crs' was not provided:UserWarning"),
    pytest.mark.filterwarnings("ignore:Could not decode error message:RuntimeWarning"),
]

GEOD = pyproj.Geod(ellps="WGS84")
X0, Y0 = 117.27, 31.86  # somewhere in Hefei


def square(i: int, size: float = 0.002) -> shapely.Polygon:
    return shapely.box(X0 + i * 0.003, Y0, X0 + i * 0.003 + size, Y0 + size)


def areas_frame(**columns) -> gpd.GeoDataFrame:
    n = len(next(iter(columns.values())))
    geoms = columns.pop("geometry", [square(i) for i in range(n)])
    return gpd.GeoDataFrame(columns, geometry=geoms, crs=columns.pop("crs", 4326))


def write(gdf: gpd.GeoDataFrame, path: Path, **kw) -> Path:
    pyogrio.write_dataframe(gdf, path, **kw)
    return path


GOOD = dict(编号=["A1", "A2", "A3"], 名称=["幸福里小区", "锦绣花园", "和平新村"],
            常住人口=[3000.0, None, 1200.0], 户数=[1100.0, 800.0, None],
            类型=["新建", "老旧", "已建成"], 街道=["和平街道", "和平街道", "幸福街道"])


# --------------------------------------------------------------------------- good inputs


def test_gpkg_with_chinese_fields_maps_to_canonical_columns(tmp_path) -> None:
    path = write(areas_frame(**GOOD), tmp_path / "areas.gpkg")
    gdf = read_areas(path)
    assert list(gdf.columns[:6]) == ["id", "name", "population", "households", "area_type",
                                     "admin_unit"]
    assert list(gdf["id"]) == ["A1", "A2", "A3"]
    assert list(gdf["area_type"]) == ["new", "old", "old"]
    assert gdf["population"].iloc[0] == 3000.0 and math.isnan(gdf["population"].iloc[1])
    assert gdf["households"].iloc[1] == 800.0
    assert gdf.crs.to_epsg() == 4326
    assert gdf.attrs["source"] == str(path) and gdf.attrs["repairs"] == []


def test_geojson_with_english_fields(tmp_path) -> None:
    frame = areas_frame(ID=[1, 2], Name=["a", "b"], POP=[10, 20], Households=[4, 8],
                        type=["new", "OLD"], completion_year=[2015, 1990])
    gdf = read_areas(write(frame, tmp_path / "a.geojson", driver="GeoJSON"))
    assert list(gdf["id"]) == ["1", "2"]
    assert list(gdf["area_type"]) == ["new", "old"]
    assert str(gdf["completion_year"].dtype) == "Int64"
    assert list(gdf["completion_year"]) == [2015, 1990]


def test_gbk_shapefile_without_cpg_reads_chinese(tmp_path) -> None:
    path = write(areas_frame(**GOOD), tmp_path / "gbk.shp", encoding="GBK")
    (tmp_path / "gbk.cpg").unlink()
    assert detect_dbf_encoding(tmp_path / "gbk.dbf") == "GB18030"
    gdf = read_areas(path)
    assert list(gdf["name"]) == ["幸福里小区", "锦绣花园", "和平新村"]
    assert list(gdf["admin_unit"]) == ["和平街道", "和平街道", "幸福街道"]
    assert list(gdf["area_type"]) == ["new", "old", "old"]


def test_gbk_shapefile_with_cpg_and_explicit_encoding(tmp_path) -> None:
    path = write(areas_frame(**GOOD), tmp_path / "cpg.shp", encoding="GBK")
    assert (tmp_path / "cpg.cpg").read_text().strip().upper() == "GBK"
    assert list(read_areas(path)["name"])[1] == "锦绣花园"
    (tmp_path / "cpg.cpg").unlink()
    assert list(read_areas(path, encoding="GBK")["name"])[2] == "和平新村"


def test_utf8_shapefile_without_cpg_and_cut_field_names(tmp_path) -> None:
    # '常住人口' is 12 bytes in UTF-8: the .dbf's 10-byte limit cuts it inside a character
    path = write(areas_frame(**GOOD), tmp_path / "u.shp", encoding="UTF-8")
    with pytest.raises(InputError, match="rows A3: population missing"):
        read_areas(path)  # 常住人口 is lost to the cut (A3 has no households): it says so
    assert len(read_areas(path, require_demand=False)) == 3  # read for the estimate
    (tmp_path / "u.cpg").unlink(missing_ok=True)
    assert detect_dbf_encoding(tmp_path / "u.dbf") == "UTF-8"
    frame = areas_frame(**{("人口" if k == "常住人口" else k): v for k, v in GOOD.items()})
    path = write(frame, tmp_path / "v.shp", encoding="UTF-8")
    (tmp_path / "v.cpg").unlink(missing_ok=True)
    gdf = read_areas(path)
    assert list(gdf["name"]) == ["幸福里小区", "锦绣花园", "和平新村"]
    assert list(gdf["population"].fillna(-1)) == [3000.0, -1, 1200.0]
    assert Message("geo.file.dbf_read_as", {"encoding": "UTF-8"}) in gdf.attrs["notes"]
    assert "no .cpg: attribute table read as UTF-8" in map(str, gdf.attrs["notes"])
    assert "没有 .cpg 文件：属性表按 UTF-8 读取" in (n.render("zh") for n in gdf.attrs["notes"])


def test_csv_wkt_column(tmp_path) -> None:
    df = pd.DataFrame({"id": ["a", "b"], "households": [10, 20], "area_type": ["new", "old"],
                       "WKT": [square(0).wkt, square(1).wkt]})
    path = tmp_path / "a.csv"
    df.to_csv(path, index=False)
    gdf = read_areas(path, crs="wgs84")
    assert gdf.geometry.iloc[0].equals(square(0))
    assert gdf.attrs["source_crs"] == "EPSG:4326"


def test_csv_lon_lat_in_gbk_with_chinese_headers(tmp_path) -> None:
    path = tmp_path / "pts.csv"
    path.write_bytes("小区名称,户数,经度,纬度,小区类型\n幸福里,300,117.27,31.86,老旧\n"
                     "锦绣花园,500,117.28,31.87,新建\n".encode("gbk"))
    gdf = read_areas(path, crs="wgs84")
    assert list(gdf["name"]) == ["幸福里", "锦绣花园"]
    assert list(gdf["id"]) == ["1", "2"]  # no id column: row numbers, and it says so
    assert any("row numbers" in str(n) for n in gdf.attrs["notes"])
    assert gdf.geometry.iloc[1].equals(shapely.Point(117.28, 31.87))


def test_csv_lon_lat_without_crs_is_refused(tmp_path) -> None:
    path = tmp_path / "pts.csv"
    path.write_text("id,households,lng,lat,area_type\na,3,117.27,31.86,new\n")
    with pytest.raises(CRSError, match="no crs was given"):
        read_areas(path)


def test_csv_gcj02_and_bd09_points_come_back_in_wgs84(tmp_path) -> None:
    lon = np.array([117.27, 117.29])
    lat = np.array([31.86, 31.84])
    for name, fwd in (("gcj02", wgs84_to_gcj02), ("bd09", wgs84_to_bd09)):
        x, y = fwd(lon, lat)
        path = tmp_path / f"{name}.csv"
        pd.DataFrame({"id": ["a", "b"], "households": [1, 2], "area_type": ["new", "new"],
                      "lon": x, "lat": y}).to_csv(path, index=False, float_format="%.10f")
        gdf = read_areas(path, crs=name)
        dist = GEOD.inv(gdf.geometry.x.to_numpy(), gdf.geometry.y.to_numpy(), lon, lat)[2]
        assert np.max(dist) < 0.5, name
        assert gdf.attrs["source_crs"] == name


def test_coordinate_column_suffix_must_agree_with_crs(tmp_path) -> None:
    path = tmp_path / "lj.csv"
    path.write_text("id,households,lon_bd09,lat_bd09\n1,10,116.41,39.87\n")
    with pytest.raises(CRSError, match="bd09"):
        read_developments(path)
    with pytest.raises(CRSError, match="say bd09"):
        read_developments(path, crs="gcj02", area_type="old")
    assert read_developments(path, crs="bd09", area_type="old").attrs["source_crs"] == "bd09"


def test_projected_cgcs2000_gauss_kruger_file(tmp_path) -> None:
    frame = areas_frame(**GOOD).to_crs(4548)  # CGCS2000 3-degree GK, CM 117E, no prefix
    gdf = read_areas(write(frame, tmp_path / "gk.gpkg"))
    assert gdf.crs.to_epsg() == 4326
    c = shapely.get_coordinates(gdf.geometry.iloc[0])
    e = shapely.get_coordinates(square(0))
    assert np.max(GEOD.inv(c[:, 0], c[:, 1], e[:, 0], e[:, 1])[2]) < 0.01
    assert gdf.attrs["source_crs"] == "EPSG:4548"


def test_developments_csv_without_geometry(tmp_path) -> None:
    path = tmp_path / "devs.csv"
    path.write_text(
        "项目编号,项目名称,类型,户数,人口,托位,养老用房面积,养老用房各处面积,各托育点托位\n"
        "D1,甲,新建,1000,,30,300,\"200，100\",30\n"
        "D2,乙,老旧,500,1300,10,100,100,\"5、5\"\n", encoding="utf-8")
    gdf = read_developments(path)
    assert gdf.attrs["has_geometry"] is False
    assert gdf.geometry.isna().all() and gdf.crs.to_epsg() == 4326
    assert list(gdf["eldercare_site_areas_m2"]) == ["200,100", "100"]
    assert list(gdf["childcare_site_places"]) == ["30", "5,5"]
    assert list(gdf["childcare_places"]) == [30.0, 10.0]
    assert list(gdf["eldercare_area_m2"]) == [300.0, 100.0]


def test_parse_number_list() -> None:
    assert parse_number_list("200,150") == [200.0, 150.0]
    assert parse_number_list("200， 150、 50") == [200.0, 150.0, 50.0]
    assert parse_number_list([1, 2.5]) == [1.0, 2.5]
    assert parse_number_list("") is None and parse_number_list(None) is None
    with pytest.raises(ValueError, match="'abc' is not a number"):
        parse_number_list("200,abc")


def test_explicit_field_mapping_and_thousands_separators(tmp_path) -> None:
    path = tmp_path / "x.csv"
    path.write_text('code_x,hh,area_type\nq1,"1,250",new\n')
    gdf = read_developments(path, fields={"code_x": "id", "hh": "households"})
    assert gdf["id"].iloc[0] == "q1" and gdf["households"].iloc[0] == 1250.0


def test_facilities_service_filter_and_defaults(tmp_path) -> None:
    pts = [shapely.Point(X0 + i * 0.001, Y0) for i in range(3)]
    frame = gpd.GeoDataFrame({"编号": ["F1", "F2", "F3"], "服务类型": ["托育", "养老", "托育"],
                              "容量": [60, 300, 90], "性质": ["普惠", "公办", "民办"]},
                             geometry=pts, crs=4326)
    path = write(frame, tmp_path / "fac.gpkg")
    every = read_facilities(path)
    assert list(every["service"]) == ["childcare", "eldercare", "childcare"]
    assert list(every["status"]) == ["existing"] * 3
    assert list(every["kind"]) == ["puhui", "public", "market"]
    assert any("existing" in str(n) for n in every.attrs["notes"])
    cc = read_facilities(path, service="childcare")
    assert list(cc["id"]) == ["F1", "F3"] and list(cc["capacity"]) == [60.0, 90.0]
    no_service = write(frame.drop(columns=["服务类型"]), tmp_path / "ec.gpkg")
    assert list(read_facilities(no_service, service="eldercare")["service"]) == ["eldercare"] * 3
    with pytest.raises(InputError, match="no service column"):
        read_facilities(no_service)


def test_facilities_capacity_checks(tmp_path) -> None:
    pts = [shapely.Point(X0 + i * 0.001, Y0) for i in range(2)]
    frame = gpd.GeoDataFrame({"id": ["F1", "C1"], "service": ["childcare", "childcare"],
                              "status": ["existing", "candidate"], "capacity": [None, 0],
                              "min_capacity": [0, 200], "max_capacity": [0, 100]},
                             geometry=pts, crs=4326)
    with pytest.raises(InputError) as err:
        read_facilities(write(frame, tmp_path / "f.gpkg"))
    text = str(err.value)
    assert "rows F1: existing facility without capacity" in text
    assert "rows C1: min_capacity is larger than max_capacity" in text


def test_admin_units_and_points_or_polygons(tmp_path) -> None:
    frame = gpd.GeoDataFrame({"街道": ["和平街道", "幸福街道"], "code": ["J1", "J2"]},
                             geometry=[square(0, 0.01), square(5, 0.01)], crs=4326)
    path = write(frame, tmp_path / "admin.gpkg")
    units = read_admin_units(path, fields={"code": "id", "街道": "name"})
    assert list(units["id"]) == ["J1", "J2"] and list(units["name"]) == ["和平街道", "幸福街道"]
    generic = read_points_or_polygons(path, id_field="code")
    assert list(generic["id"]) == ["J1", "J2"]
    with pytest.raises(InputError, match="no column 'nope'"):
        read_points_or_polygons(path, id_field="nope")


def test_multi_layer_geopackage_needs_a_layer_unless_default(tmp_path) -> None:
    path = tmp_path / "multi.gpkg"
    write(areas_frame(**GOOD), path, layer="one")
    write(areas_frame(**GOOD), path, layer="two", append=True)
    with pytest.raises(InputError, match="say which one with layer="):
        read_areas(path)
    assert len(read_areas(path, layer="two")) == 3
    with pytest.raises(InputError, match="no layer 'three'"):
        read_areas(path, layer="three")
    write(areas_frame(**GOOD), path, layer="residential_areas", append=True)
    assert read_areas(path).attrs["layer"] == "residential_areas"


# --------------------------------------------------------------------------- bad inputs


def test_invalid_polygon_is_repaired_and_reported(tmp_path) -> None:
    bowtie = shapely.Polygon([(X0, Y0), (X0 + 0.002, Y0 + 0.002), (X0 + 0.002, Y0),
                              (X0, Y0 + 0.002)])
    assert not bowtie.is_valid
    frame = areas_frame(id=["bow", "ok"], households=[10, 20], area_type=["new", "new"],
                        geometry=[bowtie, square(1)])
    gdf = read_areas(write(frame, tmp_path / "bow.gpkg"))
    fixed = gdf.geometry.iloc[0]
    assert fixed.is_valid and fixed.geom_type == "MultiPolygon"
    # the repaired bow-tie is two triangles of a quarter of the square each
    assert fixed.area == pytest.approx(0.5 * 0.002 * 0.002, rel=1e-6)
    assert len(gdf.attrs["repairs"]) == 1
    repair = gdf.attrs["repairs"][0]
    assert repair.code == "geo.geometry.repaired" and repair.args["row"] == "bow"
    assert str(repair).startswith("row bow: invalid geometry (Self-intersection")
    assert "repaired with make_valid" in str(repair)
    assert repair.render("zh").startswith("第 bow 行：无效几何（Self-intersection")


def test_empty_and_missing_geometry(tmp_path) -> None:
    frame = areas_frame(id=["e", "n", "ok"], households=[1, 2, 3], area_type=["new"] * 3,
                        geometry=[shapely.Polygon(), None, square(2)])
    path = write(frame, tmp_path / "empty.gpkg")
    with pytest.raises(InputError) as err:
        read_areas(path)
    assert "field 'geometry' rows e, n: empty or missing geometry" in str(err.value)
    kept = read_areas(path, skip_empty=True)
    assert list(kept["id"]) == ["ok"]
    assert "skipped 2 row(s) without geometry" in str(kept.attrs["notes"][0])


def test_missing_crs(tmp_path) -> None:
    path = write(areas_frame(**GOOD).set_crs(None, allow_override=True), tmp_path / "nocrs.shp",
                 encoding="GBK")
    assert not (tmp_path / "nocrs.prj").exists()
    with pytest.raises(CRSError) as err:
        read_areas(path)
    assert "nocrs.shp" in str(err.value) and "no coordinate reference system" in str(err.value)
    assert len(read_areas(path, crs="cgcs2000")) == 3


def test_wrong_crs_projected_coordinates_declared_as_wgs84(tmp_path) -> None:
    frame = areas_frame(**GOOD).to_crs(4548).set_crs(4326, allow_override=True)
    with pytest.raises(CRSError) as err:
        read_areas(write(frame, tmp_path / "wrong.gpkg"))
    assert "wrong.gpkg" in str(err.value) and "not longitude/latitude" in str(err.value)


def test_negative_population_and_nothing_to_derive_from(tmp_path) -> None:
    frame = areas_frame(id=["neg", "none", "hh", "ok"], population=[-5.0, None, None, 100.0],
                        households=[None, None, 40.0, None], area_type=["new"] * 4)
    with pytest.raises(InputError) as err:
        read_areas(write(frame, tmp_path / "pop.gpkg"))
    text = str(err.value)
    assert "field 'population' rows neg: negative values -5.0" in text
    assert ("field 'population' rows neg, none: population missing (or negative) and no "
            "households or floor area to derive it from") in text
    assert "hh" not in text.split("rows ")[-1].split(":")[0].split(", ")


def test_floor_area_alone_is_enough(tmp_path) -> None:
    frame = areas_frame(id=["f"], 建筑面积=[35000.0], area_type=["new"])
    gdf = read_areas(write(frame, tmp_path / "fa.gpkg"))
    assert gdf["floor_area_m2"].iloc[0] == 35000.0


def test_duplicate_and_missing_ids(tmp_path) -> None:
    frame = areas_frame(id=["a", "b", "a", None], households=[1, 2, 3, 4],
                        area_type=["new"] * 4)
    with pytest.raises(InputError) as err:
        read_areas(write(frame, tmp_path / "dup.gpkg"))
    text = str(err.value)
    assert "field 'id' rows a: duplicate ids" in text
    assert "missing id in 1 row(s) (row numbers 4)" in text


def test_unknown_area_type(tmp_path) -> None:
    frame = areas_frame(id=["x", "y", "z"], households=[1, 2, 3], 类型=["新新", "老旧", ""])
    path = write(frame, tmp_path / "type.gpkg")
    with pytest.raises(InputError) as err:
        read_areas(path)
    assert "field 'area_type' rows x: unknown area_type '新新'" in str(err.value)
    # developments need an area type in every row
    with pytest.raises(InputError) as err:
        read_developments(path)
    assert "rows z: missing area_type" in str(err.value)


def test_empty_layer(tmp_path) -> None:
    frame = areas_frame(**GOOD).iloc[:0]
    path = write(frame, tmp_path / "nothing.gpkg")
    with pytest.raises(InputError, match="empty layer: no rows"):
        read_areas(path)


def test_non_numeric_numbers(tmp_path) -> None:
    path = tmp_path / "nn.csv"
    path.write_text("id,population,households,area_type,elderly_share\n"
                    "a,lots,10,new,0.2\nb,100,ten,old,1.5\n")
    with pytest.raises(InputError) as err:
        read_developments(path)
    text = str(err.value)
    assert "field 'population' rows a: not a number: 'lots'" in text
    assert "field 'households' rows b: not a number: 'ten'" in text
    assert "field 'elderly_share' rows b: a share must lie between 0 and 1, got 1.5" in text


def test_two_columns_for_one_field(tmp_path) -> None:
    frame = areas_frame(id=["a"], 人口=[10], population=[12], households=[4],
                        area_type=["new"])
    with pytest.raises(InputError) as err:
        read_areas(write(frame, tmp_path / "twice.gpkg"))
    assert "columns '人口', 'population' all map to 'population'" in str(err.value)


def test_every_problem_is_reported_at_once(tmp_path) -> None:
    frame = areas_frame(id=["a", "a", "c"], population=[-1.0, 5.0, None],
                        households=[None, 2.0, None], area_type=["新新", "new", "old"],
                        geometry=[square(0), shapely.Polygon(), square(2)],
                        crs=None)
    path = write(frame, tmp_path / "all.shp")
    with pytest.raises(CRSError) as err:  # a CRS problem among them → CRSError (an InputError)
        read_areas(path)
    fields = {p.field for p in err.value.problems}
    assert {"id", "geometry", "population", "area_type"} <= fields
    assert any("no coordinate reference system" in str(p.message) for p in err.value.problems)
    assert isinstance(err.value, InputError)


def test_lines_are_not_areas(tmp_path) -> None:
    frame = areas_frame(id=["l"], households=[3], area_type=["new"],
                        geometry=[shapely.LineString([(X0, Y0), (X0 + 0.01, Y0)])])
    with pytest.raises(InputError, match="geometry type 'LineString' not allowed"):
        read_areas(write(frame, tmp_path / "line.gpkg"))


def test_missing_file() -> None:
    with pytest.raises(InputError, match="file not found"):
        read_areas("/nonexistent/areas.gpkg")


def test_output_geometry_equals_input_for_wgs84(tmp_path) -> None:
    frame = areas_frame(**GOOD)
    gdf = read_areas(write(frame, tmp_path / "same.gpkg"))
    assert_geoseries_equal(gdf.geometry, frame.geometry.reset_index(drop=True),
                           check_less_precise=True)


def test_every_geo_message_is_in_the_catalog_and_renders_in_both_languages() -> None:
    """Codes used in geo/ exist; zh and en take the same arguments; both render."""
    import re
    import string
    from pathlib import Path

    from core.catalog import MESSAGES
    from core.messages import render

    used = set()
    patterns = []  # codes built in f-strings, e.g. f"geo.unreached.beyond_limit_{side}"
    root = Path(__file__).resolve().parents[1]
    for path in [*root.joinpath("geo").glob("*.py"), *root.joinpath("planning").rglob("*.py")]:
        text = path.read_text("utf-8")
        used |= set(re.findall(r"\"(geo\.[a-z_]+\.[a-z_.]+)\"", text))
        patterns += [re.sub(r"\\\{[a-z_]+\\\}", "[a-z_]+", re.escape(f))
                     for f in re.findall(r"f\"(geo\.[a-z_]+\.[a-z_.{}]+)\"", text)]
    assert len(used) > 60
    assert used - set(MESSAGES) == set()
    geo_codes = [c for c in MESSAGES if c.startswith("geo.")]
    built = {c for c in geo_codes if any(re.fullmatch(p, c) for p in patterns)}
    assert set(geo_codes) == used | built  # no template left unused
    for code in geo_codes:
        names = {lang: {f for _, f, _, _ in string.Formatter().parse(MESSAGES[code][lang]) if f}
                 for lang in ("zh", "en")}
        assert names["zh"] == names["en"], code
        args = {n: "X" for n in names["en"]}
        assert render(code, args, "zh") and render(code, args, "en")
