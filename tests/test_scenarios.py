"""Scenario store: round trip, owners kept apart, atomic saves, reopen after restart."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from geopandas.testing import assert_geodataframe_equal
from shapely.geometry import Point, box

from errors import InputError
from planning.scenarios import (
    Scenario,
    ScenarioNotFound,
    ScenarioStore,
    default_path,
    from_jsonable,
    to_jsonable,
)


@pytest.fixture
def layers() -> dict[str, gpd.GeoDataFrame]:
    areas = gpd.GeoDataFrame(
        {"id": ["a1", "a2"], "name": ["甲", "乙"], "population": [1200.0, np.nan]},
        geometry=[box(117.27, 31.86, 117.275, 31.865), box(117.28, 31.86, 117.285, 31.865)],
        crs=4326,
    )
    sites = gpd.GeoDataFrame(
        {"id": ["c1"], "capacity": [120.0]}, geometry=[Point(117.272, 31.862)], crs=4326
    )
    return {"areas": areas, "sites": sites}


def _scenario(layers, name="方案A") -> Scenario:
    return Scenario(
        name=name,
        profile_id="hefei",
        parameters={"service": "childcare", "minutes": 15.0, "p": np.int64(3)},
        results={
            "indicators": {"cost": 1.5e6, "share_covered": np.float64(0.9), "gap": float("nan")},
            "sites": pd.DataFrame({"id": ["c1"], "capacity": [120.0], "open": [True]}),
        },
        layers=layers,
    )


def test_roundtrip_and_reopen_after_restart(tmp_path, layers) -> None:
    path = tmp_path / "store.sqlite"
    store = ScenarioStore(path)
    sid = store.save(_scenario(layers), owner="alice")
    store.close()

    reopened = ScenarioStore(path)  # a new connection, as after a restart
    listed = reopened.list(owner="alice")
    assert [s["name"] for s in listed] == ["方案A"] and listed[0]["id"] == sid
    sc = reopened.load(sid, owner="alice")
    assert sc.profile_id == "hefei"
    assert sc.parameters == {"service": "childcare", "minutes": 15.0, "p": 3}
    assert sc.results["indicators"] == {"cost": 1.5e6, "share_covered": 0.9, "gap": None}
    pd.testing.assert_frame_equal(
        sc.results["sites"], pd.DataFrame({"id": ["c1"], "capacity": [120.0], "open": [True]})
    )
    assert_geodataframe_equal(sc.layers["areas"], layers["areas"], check_less_precise=True)
    assert list(sc.layers) == ["areas", "sites"]
    reopened.close()


def test_owners_are_kept_apart(tmp_path, layers) -> None:
    store = ScenarioStore(tmp_path / "s.sqlite")
    sid = store.save(_scenario(layers), owner="alice")
    store.save(_scenario(layers, name="B"), owner="bob")
    assert [s["name"] for s in store.list(owner="bob")] == ["B"]
    with pytest.raises(ScenarioNotFound, match=sid):
        store.load(sid, owner="bob")
    assert store.delete(sid, owner="bob") is False
    assert len(store.list(owner="alice")) == 1
    # bob cannot overwrite alice's scenario by reusing its id
    hijack = _scenario(layers, name="hijack")
    hijack.id = sid
    with pytest.raises(ScenarioNotFound, match="does not belong"):
        store.save(hijack, owner="bob")
    assert store.load(sid, owner="alice").name == "方案A"
    with pytest.raises(InputError, match="owner"):
        store.list(owner="")


def test_failed_save_stores_nothing(tmp_path, layers) -> None:
    store = ScenarioStore(tmp_path / "s.sqlite")
    bad = _scenario(layers)
    # the scenario row and the first layer are written before the bad layer fails
    bad.layers = {"areas": layers["areas"], "broken": "not a layer"}  # type: ignore[dict-item]
    with pytest.raises(TypeError, match="broken"):
        store.save(bad, owner="alice")
    assert store.list(owner="alice") == []
    assert store._conn.execute("SELECT COUNT(*) FROM layers").fetchone() == (0,)

    # a failed re-save keeps the previous version whole
    good = _scenario(layers)
    sid = store.save(good, owner="alice")
    good.results = {"x": object()}
    with pytest.raises(TypeError, match="cannot store"):
        store.save(good, owner="alice")
    sc = store.load(sid, owner="alice")
    assert "indicators" in sc.results and set(sc.layers) == {"areas", "sites"}


def test_delete_and_resave_replaces(tmp_path, layers) -> None:
    store = ScenarioStore(tmp_path / "s.sqlite")
    sc = _scenario(layers)
    sid = store.save(sc, owner="u")
    sc.name = "renamed"
    assert store.save(sc, owner="u") == sid
    assert [s["name"] for s in store.list(owner="u")] == ["renamed"]
    assert store.delete(sid, owner="u") is True
    assert store.list(owner="u") == []
    assert store._conn.execute("SELECT COUNT(*) FROM layers").fetchone() == (0,)


def test_layer_without_crs_is_refused(tmp_path, layers) -> None:
    store = ScenarioStore(":memory:")
    sc = _scenario({"areas": layers["areas"].set_crs(None, allow_override=True)})
    with pytest.raises(InputError, match="no CRS"):
        store.save(sc, owner="u")
    assert store.list(owner="u") == []


def test_default_path_env(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("YILAO_DATA_DIR", str(tmp_path))
    assert default_path() == tmp_path / "scenarios.sqlite"


def test_jsonable() -> None:
    assert to_jsonable({"a": np.float32(1.5), "b": [np.int8(2)], "c": np.inf}) == {
        "a": 1.5, "b": [2], "c": None}
    df = pd.DataFrame({"x": [1.0, np.nan]})
    back = from_jsonable(to_jsonable(df))
    assert back["x"].iloc[0] == 1.0 and pd.isna(back["x"].iloc[1])


def test_concurrent_saves_from_threads(tmp_path, layers) -> None:
    from concurrent.futures import ThreadPoolExecutor

    store = ScenarioStore(tmp_path / "s.sqlite")
    with ThreadPoolExecutor(max_workers=4) as pool:
        ids = list(pool.map(lambda k: store.save(_scenario(layers, name=f"S{k}"),
                                                 owner=f"user{k % 2}"), range(12)))
    assert len(set(ids)) == 12
    assert len(store.list(owner="user0")) == len(store.list(owner="user1")) == 6
