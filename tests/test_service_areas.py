"""Service areas: reachable street segments within the budget, buffered, per site/dissolved."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from errors import SnapError
from geo.network import WalkNetwork
from geo.reach import Reach
from geo.service_areas import service_areas

UTM = "EPSG:32650"
X0, Y0 = 500000.0, 3500000.0


def _line_network() -> WalkNetwork:
    """A straight street 0..1000 m along x, nodes every 100 m."""
    x = X0 + np.arange(11) * 100.0
    return WalkNetwork.from_arrays(x, np.full(11, Y0), np.arange(10), np.arange(1, 11), crs=UTM)


def test_line_service_area_is_a_buffered_segment() -> None:
    net = _line_network()
    # site 10 m off the street at x=450: budget 5 min × 60 = 300 m, minus 10 m walked
    site = gpd.GeoDataFrame({"id": ["s"]}, geometry=[shapely.Point(X0 + 450, Y0 + 10)], crs=UTM)
    sa = service_areas(net, site, reach=Reach(5, 60), buffer_m=50)
    assert sa.crs.to_epsg() == 4326 and sa["minutes"].tolist() == [5.0]
    # reachable: x in [450-290, 450+290] = [160, 740]; buffered by 50: 680 × 100 + circle ends
    expected = shapely.LineString([(X0 + 160, Y0), (X0 + 740, Y0)]).buffer(50)
    got = sa.to_crs(UTM).geometry.iloc[0]
    # (unioned per-segment buffers differ from one buffer only by cap facets)
    assert sa["area_m2"].iloc[0] == pytest.approx(expected.area, rel=1e-3)
    assert got.symmetric_difference(expected).area < 100.0
    # a larger budget reaches the ends of the street (1000 m long) and no further
    sa = service_areas(net, site, reach=[Reach(5, 60), Reach(15, 60)], buffer_m=50)
    whole = shapely.LineString([(X0, Y0), (X0 + 1000, Y0)]).buffer(50)
    assert sa.to_crs(UTM).geometry.iloc[1].symmetric_difference(whole).area < 100.0


def test_grid_partial_edges_and_dissolve() -> None:
    # 3×3 grid, 100 m; site at the centre node: 150 m reaches 4 full spokes + 50 m on 8 edges
    n = 3
    xs, ys = np.meshgrid(np.arange(n) * 100.0 + X0, np.arange(n) * 100.0 + Y0)
    edges = [(i * n + j, i * n + j + 1) for i in range(n) for j in range(n - 1)]
    edges += [(i * n + j, (i + 1) * n + j) for i in range(n - 1) for j in range(n)]
    e = np.array(edges)
    net = WalkNetwork.from_arrays(xs.ravel(), ys.ravel(), e[:, 0], e[:, 1], crs=UTM)
    sites = gpd.GeoDataFrame({"id": ["c", "corner"]},
                             geometry=[shapely.Point(X0 + 100, Y0 + 100), shapely.Point(X0, Y0)],
                             crs=UTM)
    sa = service_areas(net, sites, reach=Reach(2.5, 60), buffer_m=1)
    c = sa[sa["site_id"] == "c"].to_crs(UTM).geometry.iloc[0]
    # street length reached: 4 × 100 + 8 × 50 = 800 m; buffered 1 m ≈ 2 × 800 m²
    assert c.area == pytest.approx(2 * 800, rel=0.02)
    d = service_areas(net, sites, reach=Reach(2.5, 60), buffer_m=1, dissolve=True)
    assert d["sites"].tolist() == [2]
    assert d["area_m2"].iloc[0] >= sa["area_m2"].max()


def test_site_off_network_raises_or_is_listed() -> None:
    net = _line_network()
    sites = gpd.GeoDataFrame({"id": ["ok", "far"]},
                             geometry=[shapely.Point(X0 + 10, Y0), shapely.Point(X0, Y0 + 5000)],
                             crs=UTM)
    with pytest.raises(SnapError, match="far"):
        service_areas(net, sites, max_snap_m=100)
    sa = service_areas(net, sites, max_snap_m=100, drop_unsnapped=True)
    assert set(sa["site_id"]) == {"ok"} and sa.attrs["unsnapped"] == ["far"]
