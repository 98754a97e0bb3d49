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
