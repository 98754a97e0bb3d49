"""Shared test fixtures: paths to the real data in ../shared/data (skipped when absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"


def shared_file(relative: str) -> Path:
    """Path of a file in ../shared/data; skip the calling test when it is absent."""
    path = SHARED_DATA / relative
    if not path.exists():
        pytest.skip(f"real data not present: {path}")
    return path


@pytest.fixture
def nanjing_osm() -> Path:
    """Real OSM XML extract of Nanjing Xinjiekou."""
    return shared_file("osm/nanjing_xinjiekou.osm")


@pytest.fixture
def beijing_osm() -> Path:
    """Real OSM export of Beijing Haidian around BUPT."""
    return shared_file("osm/beijing_bupt.osm")


@pytest.fixture
def lianjia_csv() -> Path:
    """Real table of 480 Beijing residential communities (BD-09 points)."""
    return shared_file("communities/beijing_lianjia2018_communities.csv")


@pytest.fixture
def app_store(tmp_path, monkeypatch):
    """App tests: a scenario store of their own, and figures drawn without a display."""
    monkeypatch.setenv("YILAO_DATA_DIR", str(tmp_path / "store"))
    monkeypatch.setenv("MPLBACKEND", "Agg")


def demo_with_lone_compound(demo: dict) -> tuple:
    """The demo district plus a compound "LONE" 3 km east of it, on a 2-edge street fragment
    (100 m) joined to no other street: (areas, network). Shared by the hostile-input and the
    sweep tests of isolated fragments."""
    import geopandas as gpd
    import numpy as np
    import pandas as pd
    import shapely

    from geo import WalkNetwork, demo_paths, load_network

    base = load_network(demo_paths()["network"])
    assert base.n_components == 1
    x0, y0 = float(base.x.max()) + 3000.0, float(base.y.mean())
    net = WalkNetwork.from_arrays(
        np.concatenate([base.x, [x0, x0 + 50, x0 + 100]]),
        np.concatenate([base.y, [y0, y0, y0]]),
        np.concatenate([base.edge_u, [base.n_nodes, base.n_nodes + 1]]),
        np.concatenate([base.edge_v, [base.n_nodes + 1, base.n_nodes + 2]]), crs=base.crs)
    lone = demo["areas"].iloc[[0]].copy()
    lone["id"], lone["name"] = "LONE", "孤岛小区"
    lone = lone.set_geometry(gpd.GeoSeries([shapely.box(x0 + 20, y0 + 5, x0 + 80, y0 + 40)],
                                           crs=base.crs).to_crs(lone.crs).values)
    areas = gpd.GeoDataFrame(pd.concat([demo["areas"], lone], ignore_index=True),
                             crs=demo["areas"].crs)
    return areas, net
