"""Both scenario stores, SQLite and PostgreSQL/PostGIS, pass the same tests.

(SQLite as the tool opens it: :class:`planning.store_sqlite.SQLiteScenarioStore`, the
:class:`planning.scenarios.ScenarioStore` whose writers queue across processes.)

Round trip, reopening, owners kept apart, one transaction per save (nothing half-written),
replacing, deleting, and concurrent writers losing nothing; then what only PostGIS has
(layers as geometry columns).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from geopandas.testing import assert_geodataframe_equal
from pg_fixtures import pg_schema, pg_url  # noqa: F401  (fixtures)
from shapely.geometry import Point, box

from errors import InputError
from planning.scenarios import Scenario, ScenarioNotFound
from planning.store_postgres import PostgresScenarioStore
from planning.store_sqlite import SQLiteScenarioStore

Factory = Callable[[], Any]


@pytest.fixture(params=["sqlite", "postgres"])
def open_store(request, tmp_path) -> Iterator[Factory]:
    """A function opening (again) one and the same store: a new connection each call."""
    opened: list[Any] = []
    if request.param == "sqlite":
        path = tmp_path / "store.sqlite"

        def make() -> Any:
            opened.append(SQLiteScenarioStore(path))
            return opened[-1]
    else:
        url = request.getfixturevalue("pg_url")
        schema = request.getfixturevalue("pg_schema")

        def make() -> Any:
            opened.append(PostgresScenarioStore(url, schema=schema, max_connections=4))
            return opened[-1]
    yield make
    for s in opened:
        s.close()


@pytest.fixture
def layers() -> dict[str, gpd.GeoDataFrame]:
    areas = gpd.GeoDataFrame(
        {"id": ["a1", "a2"], "name": ["甲", "乙"], "population": [1200.0, np.nan],
         "tags": [["old", "gated"], []]},
        geometry=[box(117.27, 31.86, 117.275, 31.865), box(117.28, 31.86, 117.285, 31.865)],
        crs=4326,
    )
    sites = gpd.GeoDataFrame(
        {"id": ["c1"], "capacity": [120.0]}, geometry=[Point(117.272, 31.862)], crs=4326
    )
    return {"areas": areas, "sites": sites}


def _scenario(layers, name="方案A", **kw) -> Scenario:
    return Scenario(
        name=name,
        profile_id="hefei",
        parameters={"service": "childcare", "minutes": 15.0, "p": np.int64(3)},
        results={
            "indicators": {"cost": 1.5e6, "share_covered": np.float64(0.9), "gap": float("nan")},
            "sites": pd.DataFrame({"id": ["c1"], "capacity": [120.0], "open": [True]}),
        },
        layers=layers,
        **kw,
    )


def test_roundtrip_and_reopen_after_restart(open_store, layers) -> None:
    store = open_store()
    sid = store.save(_scenario(layers), owner="alice")
    store.close()

    reopened = open_store()
    listed = reopened.list(owner="alice")
    assert [s["name"] for s in listed] == ["方案A"] and listed[0]["id"] == sid
    assert listed[0]["parameters"] == {"service": "childcare", "minutes": 15.0, "p": 3}
    sc = reopened.load(sid, owner="alice")
    assert (sc.id, sc.owner, sc.profile_id) == (sid, "alice", "hefei")
    assert sc.results["indicators"] == {"cost": 1.5e6, "share_covered": 0.9, "gap": None}
    pd.testing.assert_frame_equal(
        sc.results["sites"], pd.DataFrame({"id": ["c1"], "capacity": [120.0], "open": [True]}))
    expected_areas = layers["areas"].assign(tags=['["old", "gated"]', "[]"])
    assert_geodataframe_equal(sc.layers["areas"], expected_areas)
    assert_geodataframe_equal(sc.layers["sites"], layers["sites"])
    assert list(sc.layers) == ["areas", "sites"]
    assert reopened.load(sid, owner="alice", layers=False).layers == {}


def test_layers_in_another_crs_are_stored_in_wgs84(open_store, layers) -> None:
    store = open_store()
    projected = layers["sites"].to_crs(4547)  # CGCS2000 / 3-degree Gauss-Kruger CM 114E
    sid = store.save(_scenario({"sites": projected}), owner="alice")
    back = store.load(sid, owner="alice").layers["sites"]
    assert back.crs.to_epsg() == 4326
    assert back.geometry.iloc[0].distance(layers["sites"].geometry.iloc[0]) < 1e-9


def test_owners_are_kept_apart(open_store, layers) -> None:
    store = open_store()
    sid = store.save(_scenario(layers), owner="alice")
    assert store.list(owner="bob") == []
    with pytest.raises(ScenarioNotFound):
        store.load(sid, owner="bob")
    assert store.delete(sid, owner="bob") is False
    # bob cannot overwrite alice's scenario by reusing its id
    with pytest.raises(ScenarioNotFound):
        store.save(_scenario({}, name="hijack", id=sid), owner="bob")
    assert store.load(sid, owner="alice").name == "方案A"
    assert store.list(owner="bob") == []
    with pytest.raises(InputError):
        store.list(owner=" ")


def test_a_failed_save_stores_nothing(open_store, layers) -> None:
    store = open_store()
    no_crs = layers["sites"].set_crs(None, allow_override=True)
    with pytest.raises(InputError, match="no CRS"):
        store.save(_scenario({"areas": layers["areas"], "sites": no_crs}), owner="alice")
    with pytest.raises(TypeError):
        store.save(Scenario(name="B", results={"bad": object()}, layers=layers),
                   owner="alice")
    with pytest.raises(InputError):
        store.save(_scenario(layers, name=" "), owner="alice")
    assert store.list(owner="alice") == []

    # a failed replace keeps the old version whole
    sid = store.save(_scenario(layers), owner="alice")
    with pytest.raises(InputError):
        store.save(_scenario({"areas": layers["areas"], "sites": no_crs}, name="new", id=sid),
                   owner="alice")
    sc = store.load(sid, owner="alice")
    assert sc.name == "方案A" and list(sc.layers) == ["areas", "sites"]


def test_replace_and_delete(open_store, layers) -> None:
    store = open_store()
    first = store.save(_scenario(layers, name="A"), owner="alice")
    second = store.save(_scenario(layers, name="B"), owner="alice")
    store.save(_scenario({"sites": layers["sites"]}, name="A2", id=first), owner="alice")
    listed = store.list(owner="alice")
    assert [s["name"] for s in listed] == ["B", "A2"]  # a replaced scenario moves to the end
    assert list(store.load(first, owner="alice").layers) == ["sites"]
    assert store.delete(second, owner="alice") is True
    assert store.delete(second, owner="alice") is False
    with pytest.raises(ScenarioNotFound):
        store.load(second, owner="alice")
    assert [s["id"] for s in store.list(owner="alice")] == [first]


def _many_areas(n: int, seed: int) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    x = 117.2 + rng.random(n) * 0.1
    y = 31.8 + rng.random(n) * 0.1
    return gpd.GeoDataFrame(
        {"id": [f"A{i}" for i in range(n)], "population": rng.integers(100, 5000, n) * 1.0},
        geometry=[box(a, b, a + 0.001, b + 0.001) for a, b in zip(x, y, strict=True)],
        crs=4326,
    )


def test_concurrent_writers_lose_nothing(open_store) -> None:
    # one store (one connection or pool) per writer, as separate processes would have
    writers, saves = 4, 5
    stores = [open_store() for _ in range(writers)]
    areas = _many_areas(200, 1)
    errors: list[BaseException] = []
    ids: list[str] = []
    lock = threading.Lock()

    def work(k: int) -> None:
        for i in range(saves):
            try:
                sid = stores[k].save(Scenario(name=f"w{k}-{i}", layers={"areas": areas}),
                                     owner=f"user{k % 2}")
                with lock:
                    ids.append(sid)
            except BaseException as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    listed = stores[0].list(owner="user0") + stores[0].list(owner="user1")
    assert sorted(s["id"] for s in listed) == sorted(ids) and len(ids) == writers * saves
    last = next(s for s in listed if s["id"] == ids[-1])
    owner = "user0" if last in stores[0].list(owner="user0") else "user1"
    assert len(stores[1].load(ids[-1], owner=owner).layers["areas"]) == 200


def test_concurrent_replaces_of_one_scenario_leave_one_whole_version(open_store) -> None:
    stores = [open_store() for _ in range(3)]
    sid = stores[0].save(Scenario(name="v0", layers={"areas": _many_areas(50, 0)}),
                         owner="alice")
    errors: list[BaseException] = []

    def work(k: int) -> None:
        for i in range(4):
            try:
                n = 20 + 10 * k + i
                stores[k].save(Scenario(name=f"v{k}-{i}-{n}", id=sid,
                                        layers={"areas": _many_areas(n, k)}), owner="alice")
            except BaseException as exc:  # noqa: BLE001
                errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert [s["id"] for s in stores[0].list(owner="alice")] == [sid]
    sc = stores[0].load(sid, owner="alice")
    assert len(sc.layers["areas"]) == int(sc.name.rsplit("-", 1)[1])  # layers of that version


# ---- PostGIS only -----------------------------------------------------------------------------
def test_layers_are_postgis_geometry_columns(pg_url, pg_schema, layers) -> None:  # noqa: F811
    import psycopg

    with PostgresScenarioStore(pg_url, schema=pg_schema) as store:
        sid = store.save(_scenario(layers), owner="alice")
    with psycopg.connect(pg_url) as conn:
        conn.execute(f'SET search_path TO "{pg_schema}", public')
        kind = conn.execute(
            "SELECT type, srid FROM geometry_columns WHERE f_table_schema = %s"
            " AND f_table_name = 'features'", (pg_schema,)).fetchone()
        assert kind == ("GEOMETRY", 4326)
        hits = conn.execute(
            "SELECT layer, properties->>'id' FROM features WHERE scenario_id = %s AND"
            " ST_Intersects(geom, ST_SetSRID(ST_MakePoint(117.272, 31.862), 4326))"
            " ORDER BY layer", (sid,)).fetchall()
        assert hits == [("areas", "a1"), ("sites", "c1")]


def test_unreachable_database_is_a_planning_error() -> None:
    from planning.store_postgres import StoreUnavailable

    with pytest.raises(StoreUnavailable, match="cannot reach"):
        PostgresScenarioStore("postgresql://nobody@/nodb?host=/nonexistent&connect_timeout=1")


def _save_from_process(kind: str, target: str, schema: str | None, k: int, n: int,
                       out: Any) -> None:
    store = (SQLiteScenarioStore(target) if kind == "sqlite"
             else PostgresScenarioStore(target, schema=schema, max_connections=1))
    areas = _many_areas(200, k)
    ok = 0
    for i in range(n):
        try:
            store.save(Scenario(name=f"p{k}-{i}", layers={"areas": areas}), owner=f"p{k}")
            ok += 1
        except Exception as exc:  # noqa: BLE001 - reported to the parent
            out.put(f"{type(exc).__name__}: {exc}")
    store.close()
    out.put(ok)


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_writers_in_separate_processes_lose_nothing(kind, request, tmp_path) -> None:
    # the small version of benchmarks/load_store.py: processes, not threads, writing at once
    import multiprocessing as mp

    if kind == "sqlite":
        target, schema = str(tmp_path / "procs.sqlite"), None
    else:
        target, schema = request.getfixturevalue("pg_url"), request.getfixturevalue("pg_schema")
        PostgresScenarioStore(target, schema=schema, max_connections=1).close()  # the tables
    ctx = mp.get_context("fork")  # the test process has everything imported: quick to start
    out = ctx.Queue()
    procs, saves = 4, 4
    ps = [ctx.Process(target=_save_from_process, args=(kind, target, schema, k, saves, out))
          for k in range(procs)]
    for p in ps:
        p.start()
    reports = [out.get(timeout=120) for _ in range(procs)]
    for p in ps:
        p.join(timeout=30)
    assert reports == [saves] * procs
    store = (SQLiteScenarioStore(target) if kind == "sqlite"
             else PostgresScenarioStore(target, schema=schema, max_connections=1))
    try:
        assert sum(len(store.list(owner=f"p{k}")) for k in range(procs)) == procs * saves
        assert len(store.load(store.list(owner="p3")[-1]["id"], owner="p3")
                   .layers["areas"]) == 200
    finally:
        store.close()
