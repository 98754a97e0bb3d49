"""Uploads: zip checks before unpacking (paths, links, bombs), size limits, reading."""

from __future__ import annotations

import io
import zipfile

import geopandas as gpd
import pytest
from shapely.geometry import box

from planning.uploads import (
    UploadError,
    ZipLimits,
    check_zip,
    file_columns,
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

