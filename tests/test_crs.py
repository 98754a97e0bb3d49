"""CRS handling: the GCJ-02 / BD-09 formulas, names, sanity checks, metric CRS."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely

from errors import CRSError
from geo.crs import (
    BD09,
    GCJ02,
    bd09_to_gcj02,
    bd09_to_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    local_metric_crs,
    out_of_china,
    resolve_crs,
    to_wgs84,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)

GEOD = pyproj.Geod(ellps="WGS84")


def metres(lon1, lat1, lon2, lat2) -> np.ndarray:
    return np.asarray(GEOD.inv(lon1, lat1, lon2, lat2)[2])


# Reference values published with the widely used implementations of the formulas
# (wandergis/coordtransform, as asserted in the unit tests of dromara/hutool
# CoordinateUtilTest, the last one checked there against tool.lu/coordinate).
def test_forward_formulas_match_published_values() -> None:
    lon, lat = wgs84_to_gcj02(116.404, 39.915)
    assert (float(lon), float(lat)) == pytest.approx((116.41024449916938, 39.91640428150164),
                                                     abs=1e-12)
    lon, lat = gcj02_to_bd09(116.404, 39.915)
    assert (float(lon), float(lat)) == pytest.approx((116.41036949371029, 39.92133699351022),
                                                     abs=1e-12)
    lon, lat = wgs84_to_bd09(122.99395597, 44.99804071)
    assert (float(lon), float(lat)) == pytest.approx((123.00636516028885, 45.0063690918959),
                                                     abs=1e-12)


def test_inverses_agree_with_published_one_step_inverses_to_decimetres() -> None:
    # the published inverses are one-step approximations; ours iterate, so they differ a bit
    lon, lat = bd09_to_gcj02(116.404, 39.915)
    assert metres(lon, lat, 116.39762729119315, 39.90865673957631) < 0.1
    lon, lat = gcj02_to_wgs84(116.404, 39.915)
    assert metres(lon, lat, 116.39775550083061, 39.91359571849836) < 0.5
    lon, lat = bd09_to_wgs84(116.404, 39.915)
    assert metres(lon, lat, 116.3913836995125, 39.907253214522164) < 0.5


def test_known_bd09_point_hand_computed() -> None:
    # BD-09 (116.404, 39.915) → GCJ-02 by the published inverse, written out by hand:
    # x = 116.404 - 0.0065, y = 39.915 - 0.006,
    # z = hypot(x, y) - 2e-5 sin(y·3000π/180), θ = atan2(y, x) - 3e-6 cos(x·3000π/180)
    x, y = 116.404 - 0.0065, 39.915 - 0.006
    xpi = np.pi * 3000.0 / 180.0
    z = np.hypot(x, y) - 0.00002 * np.sin(y * xpi)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * xpi)
    lon, lat = bd09_to_gcj02(116.404, 39.915)
    assert metres(lon, lat, z * np.cos(theta), z * np.sin(theta)) < 0.1
    # and going forward again gives the BD-09 point back exactly
    back = gcj02_to_bd09(lon, lat)
    assert float(back[0]) == pytest.approx(116.404, abs=1e-9)
    assert float(back[1]) == pytest.approx(39.915, abs=1e-9)


def test_gcj02_round_trip_under_half_a_metre_across_china() -> None:
    rng = np.random.default_rng(1)
    lon = rng.uniform(75.0, 134.0, 2000)
    lat = rng.uniform(18.0, 53.0, 2000)
    keep = ~out_of_china(lon, lat)
    lon, lat = lon[keep], lat[keep]
    g = wgs84_to_gcj02(lon, lat)
    shift = metres(lon, lat, *g)
    assert shift.max() > 100.0  # the shift is real …
    w = gcj02_to_wgs84(*g)
    assert metres(lon, lat, *w).max() < 0.5  # … and undone to well under half a metre
    assert metres(lon, lat, *w).max() < 0.001


def test_bd09_round_trip_and_vectorised_shapes() -> None:
    lon = np.array([[117.27, 116.40], [121.47, 113.26]])
    lat = np.array([[31.86, 39.90], [31.23, 23.13]])
    b = wgs84_to_bd09(lon, lat)
    assert b[0].shape == (2, 2)
    w = bd09_to_wgs84(*b)
    assert metres(lon.ravel(), lat.ravel(), w[0].ravel(), w[1].ravel()).max() < 0.5


def test_outside_china_gcj02_is_wgs84() -> None:
    lon, lat = np.array([2.35, -74.0, 139.7]), np.array([48.85, 40.7, 35.7])
    assert out_of_china(lon, lat).all()
    g = wgs84_to_gcj02(lon, lat)
    np.testing.assert_array_equal(g[0], lon)
    np.testing.assert_array_equal(gcj02_to_wgs84(lon, lat)[1], lat)


@pytest.mark.parametrize(
    "name, expected",
    [("wgs84", 4326), ("WGS 84", 4326), ("EPSG:4326", 4326), ("cgcs2000", 4490),
     ("4490", 4490), ("EPSG:4549", 4549), (32650, 32650), ("国家2000", 4490)],
)
def test_resolve_epsg_names(name, expected) -> None:
    crs = resolve_crs(name)
    assert isinstance(crs, pyproj.CRS) and crs.to_epsg() == expected


@pytest.mark.parametrize("name, expected", [("gcj02", GCJ02), ("GCJ-02", GCJ02),
                                            ("高德", GCJ02), ("bd09", BD09), ("BD-09", BD09),
                                            ("baidu", BD09)])
def test_resolve_web_datums(name, expected) -> None:
    assert resolve_crs(name) == expected


def test_resolve_unknown_and_baidu_mercator_raise() -> None:
    with pytest.raises(CRSError, match="not understood"):
        resolve_crs("mars2000")
    with pytest.raises(CRSError, match="Baidu Mercator"):
        resolve_crs("bd09mc")
    assert resolve_crs(None) is None


def _frame(geoms, crs=None) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"id": [str(i) for i in range(len(geoms))]}, geometry=geoms,
                            crs=crs)


def test_to_wgs84_shifts_gcj02_polygons_vertex_by_vertex() -> None:
    wgs_poly = shapely.box(117.26, 31.85, 117.27, 31.86)
    coords = shapely.get_coordinates(wgs_poly)
    g_lon, g_lat = wgs84_to_gcj02(coords[:, 0], coords[:, 1])
    gcj_poly = shapely.Polygon(np.column_stack([g_lon, g_lat]))
    out = to_wgs84(_frame([gcj_poly]), crs="gcj02", source="t")
    assert out.crs.to_epsg() == 4326
    back = shapely.get_coordinates(out.geometry.iloc[0])
    assert metres(back[:, 0], back[:, 1], coords[:, 0], coords[:, 1]).max() < 0.5
    assert out.attrs["source_crs"] == "gcj02"


def test_to_wgs84_without_any_crs_raises() -> None:
    with pytest.raises(CRSError, match="no coordinate reference system"):
        to_wgs84(_frame([shapely.Point(117.27, 31.86)]), source="areas.shp")


def test_projected_metres_declared_as_wgs84_raise_with_sample_values() -> None:
    frame = _frame([shapely.Point(39_500_000.0, 3_530_000.0)], crs=4326)
    with pytest.raises(CRSError) as err:
        to_wgs84(frame, source="areas.gpkg")
    text = str(err.value)
    assert "areas.gpkg" in text and "3.95e+07" in text and "not longitude/latitude" in text


def test_degrees_declared_as_projected_raise() -> None:
    frame = _frame([shapely.Point(117.27, 31.86), shapely.Point(117.28, 31.87)], crs=4549)
    with pytest.raises(CRSError, match="look like longitude/latitude"):
        to_wgs84(frame, source="x.shp")


def test_cgcs2000_outside_china_raises_and_names_swapped_axes() -> None:
    frame = _frame([shapely.Point(31.86, 117.27)], crs=4490)
    with pytest.raises(CRSError, match="swapped"):
        to_wgs84(frame, source="x.geojson")
    with pytest.raises(CRSError, match="outside China"):
        to_wgs84(_frame([shapely.Point(2.35, 48.85)]), crs="bd09", source="x.csv")


def test_gauss_kruger_zone_with_and_without_prefix() -> None:
    # CGCS2000 3-degree GK zone 39 (central meridian 117E): with the zone number in the
    # easting it is EPSG:4527, without it EPSG:4548.
    lon, lat = 117.27, 31.86
    e, n = pyproj.Transformer.from_crs(4326, 4548, always_xy=True).transform(lon, lat)
    out = to_wgs84(_frame([shapely.Point(e, n)], crs=4548), source="gk.shp")
    p = out.geometry.iloc[0]
    assert metres(p.x, p.y, lon, lat) < 0.01
    prefixed = to_wgs84(_frame([shapely.Point(39_000_000 + e, n)], crs=4527), source="gk.shp")
    assert metres(prefixed.geometry.iloc[0].x, prefixed.geometry.iloc[0].y, lon, lat) < 0.01
    with pytest.raises(CRSError, match="area of use"):
        to_wgs84(_frame([shapely.Point(e, n)], crs=4527), source="gk.shp")


def test_cgcs2000_lonlat_taken_as_wgs84_without_shift() -> None:
    out = to_wgs84(_frame([shapely.Point(117.27, 31.86)], crs=4490), source="x")
    assert out.crs.to_epsg() == 4326
    assert out.geometry.iloc[0].equals(shapely.Point(117.27, 31.86))


def test_user_crs_conflicting_with_the_file_is_an_error_unless_overridden() -> None:
    from geo.crs import CRSOverride

    pt = shapely.Point(*[float(v) for v in wgs84_to_gcj02(117.27, 31.86)])
    # a plain --crs only fills in files that declare none
    with pytest.raises(CRSError, match="declares EPSG:4326 but gcj02 was given"):
        to_wgs84(_frame([pt], crs=4326), crs="gcj02", source="x")
    out = to_wgs84(_frame([pt], crs=4326), crs=CRSOverride("gcj02"), source="x")
    assert metres(out.geometry.iloc[0].x, out.geometry.iloc[0].y, 117.27, 31.86) < 0.5
    assert any("overridden" in str(r) for r in out.attrs["repairs"])
    # the same CRS as declared is no conflict
    assert len(to_wgs84(_frame([pt], crs=4326), crs="wgs84", source="x")) == 1
    with pytest.raises(CRSError, match="declares projected"):
        to_wgs84(_frame([shapely.Point(500000.0, 3500000.0)], crs=32650),
                 crs=CRSOverride("gcj02"), source="x")


def test_local_metric_crs_is_the_utm_zone_of_the_centre() -> None:
    assert local_metric_crs(_frame([shapely.Point(117.27, 31.86)], crs=4326)).to_epsg() == 32650
    assert local_metric_crs(_frame([shapely.Point(116.4, 39.9)], crs=4326)).to_epsg() == 32650
    assert local_metric_crs(_frame([shapely.Point(113.3, 23.1)], crs=4326)).to_epsg() == 32649
    assert local_metric_crs(_frame([shapely.Point(-70.6, -33.4)], crs=4326)).to_epsg() == 32719
    projected = _frame([shapely.Point(500000.0, 3500000.0)], crs=32650)
    assert local_metric_crs(projected).to_epsg() == 32650
    with pytest.raises(CRSError):
        local_metric_crs(_frame([shapely.Point(0, 0)]))
