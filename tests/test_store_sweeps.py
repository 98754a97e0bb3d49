"""Sweeps saved like scenarios, on both stores (SQLite and PostgreSQL/PostGIS).

Round trip of a real sweep, scenarios and sweeps listed apart, the same ownership and sharing
rules on the team server, and stores written by the version before sweeps opened unchanged.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from typing import Any

import geopandas as gpd
import pytest
from argon2 import PasswordHasher
from pg_fixtures import pg_schema, pg_url  # noqa: F401  (fixtures)
from shapely.geometry import Point

from errors import InputError, PermissionDenied
from geo.demo import load_demo
from planning.accounts import TEAM
from planning.params import ScenarioParams
from planning.profiles import load_profile
from planning.scenarios import Scenario, ScenarioNotFound
from planning.store_factory import Settings, open_team
from planning.store_postgres import PostgresScenarioStore
from planning.store_sqlite import SQLiteScenarioStore
from planning.sweep import run_sweep, saved_sweep, sweep_result

CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)  # fast, for tests only


@pytest.fixture(scope="module")
def result() -> dict[str, Any]:
    """A real two-run budget sweep on the demo (straight-line distances: fast)."""
    d = load_demo()
    return run_sweep(areas=d["areas"], facilities=d["facilities"], candidates=d["candidates"],
                     network=None, profile=load_profile("hefei"),
                     base=ScenarioParams(objective="max_coverage"),
                     vary={"budget": [2e6, 4e6]}, workers=0)


@pytest.fixture(params=["sqlite", "postgres"])
def open_store(request, tmp_path) -> Iterator[Any]:
    """A function opening (again) one and the same store: a new connection each call."""
    opened: list[Any] = []
    if request.param == "sqlite":
        def make() -> Any:
            opened.append(SQLiteScenarioStore(tmp_path / "store.sqlite"))
            return opened[-1]
    else:
        url, schema = request.getfixturevalue("pg_url"), request.getfixturevalue("pg_schema")

        def make() -> Any:
            opened.append(PostgresScenarioStore(url, schema=schema, max_connections=2))
            return opened[-1]
    yield make
    for s in opened:
        s.close()


def _scenario(name: str = "方案A") -> Scenario:
    sites = gpd.GeoDataFrame({"id": ["c1"]}, geometry=[Point(117.27, 31.86)], crs=4326)
    return Scenario(name=name, parameters={"service": "childcare"}, layers={"sites": sites})


def test_sweep_round_trip_and_listed_apart_from_scenarios(open_store, result) -> None:
    store = open_store()
    sc_id = store.save(_scenario(), owner="alice")
    sw = saved_sweep(result, name="预算敏感性", profile_id="hefei")
    sw_id = store.save(sw, owner="alice")
    assert sw.kind == "sweep" and sw.id == sw_id
    again = open_store()  # another connection: what was committed
    assert [(s["id"], s["kind"]) for s in again.list(owner="alice")] == [(sc_id, "scenario")]
    sweeps = again.list(owner="alice", kind="sweep")
    assert [(s["id"], s["name"], s["kind"]) for s in sweeps] == [(sw_id, "预算敏感性", "sweep")]
    assert sweeps[0]["parameters"]["vary"] == {"budget": [2e6, 4e6]}
    assert [s["kind"] for s in again.list(owner="alice", kind=None)] == ["scenario", "sweep"]
    assert again.list(owner="bob", kind="sweep") == []
    rec = again.load(sw_id, owner="alice")
    assert rec.kind == "sweep" and rec.profile_id == "hefei" and rec.layers == {}
    back = sweep_result(rec)
    assert back == json.loads(json.dumps(result))  # every row, as it was computed
    assert [r["params"]["budget"] for r in back["runs"]] == [2e6, 4e6]
    assert again.load(sc_id, owner="alice").kind == "scenario"
    with pytest.raises(InputError, match="is not a saved sweep"):
        sweep_result(again.load(sc_id, owner="alice"))
    with pytest.raises(ScenarioNotFound):
        again.load(sw_id, owner="bob")
    # saved again under the same id: replaced, still one sweep
    sw.name = "预算敏感性（二）"
    assert again.save(sw, owner="alice") == sw_id
    assert [s["name"] for s in store.list(owner="alice", kind="sweep")] == ["预算敏感性（二）"]
    assert again.delete(sw_id, owner="alice")
    assert again.list(owner="alice", kind="sweep") == []
    assert len(again.list(owner="alice")) == 1


def test_an_unknown_kind_is_refused(open_store) -> None:
    store = open_store()
    bad = _scenario()
    bad.kind = "curve"
    with pytest.raises(InputError, match="kind must be one of scenario, sweep"):
        store.save(bad, owner="alice")
    with pytest.raises(InputError, match="kind must be one of"):
        store.list(owner="alice", kind="curve")
    assert store.list(owner="alice", kind=None) == []


@pytest.fixture(params=["sqlite", "postgres"])
def team(request, tmp_path) -> Iterator[Any]:
    if request.param == "sqlite":
        cfg = Settings(mode="team", store="sqlite", sqlite_path=tmp_path / "s.sqlite")
    else:
        cfg = Settings(mode="team", store="postgres",
                       database_url=request.getfixturevalue("pg_url"),
                       schema=request.getfixturevalue("pg_schema"))
    t = open_team(cfg, hasher=CHEAP)
    for name in ("alice", "bob"):
        t.accounts.add(name, f"{name}-password")
    yield t
    t.close()


def test_team_rules_for_sweeps_are_those_of_scenarios(team, result) -> None:
    st = team.store
    sid = st.save(saved_sweep(result, name="alice's sweep", profile_id="hefei"), owner="alice")
    assert st.list(owner="bob", kind="sweep") == []
    with pytest.raises(ScenarioNotFound):
        st.load(sid, owner="bob")
    st.share(sid, owner="alice", with_user=TEAM)  # read-only, with the whole team
    listed = st.list(owner="bob", kind="sweep")
    assert [(s["name"], s["access"], s["owner"]) for s in listed] == [
        ("alice's sweep", "read", "alice")]
    assert st.list(owner="bob") == []  # not among the scenarios
    assert sweep_result(st.load(sid, owner="bob"))["runs"] == json.loads(
        json.dumps(result["runs"]))
    rec = st.load(sid, owner="bob")
    rec.name = "bob's edit"
    with pytest.raises(PermissionDenied) as read_only:
        st.save(rec, owner="bob")
    assert str(read_only.value) == f"sweep {sid} is shared with you read-only; it cannot be changed"
    with pytest.raises(PermissionDenied) as not_owner:
        st.delete(sid, owner="bob")
    assert str(not_owner.value) == f"only the author of sweep {sid} may share or delete it"
    assert not_owner.value.render("zh") == f"只有敏感性分析的作者可以共享或删除敏感性分析 {sid}"
    st.share(sid, owner="alice", with_user="bob", can_edit=True)
    st.save(rec, owner="bob")  # editable now; it stays alice's
    assert [(s["name"], s["access"]) for s in st.list(owner="alice", kind="sweep")] == [
        ("bob's edit", "owner")]
    assert st.delete(sid, owner="alice")
    assert st.list(owner="bob", kind="sweep") == []


_V1_SQLITE = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE scenarios (id TEXT PRIMARY KEY, owner TEXT NOT NULL, name TEXT NOT NULL,
    profile_id TEXT, parameters TEXT NOT NULL, results TEXT NOT NULL, created TEXT NOT NULL);
INSERT INTO meta VALUES ('schema_version', '1');
INSERT INTO scenarios VALUES ('old1', 'alice', '旧方案', 'hefei', '{}', '{}', '2026-01-01');
"""


def test_a_store_of_the_version_before_sweeps_opens_unchanged(tmp_path, result) -> None:
    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as conn:
        conn.executescript(_V1_SQLITE)
    with SQLiteScenarioStore(path) as store:
        assert [(s["id"], s["kind"]) for s in store.list(owner="alice")] == [
            ("old1", "scenario")]
        store.save(saved_sweep(result, name="s", profile_id="hefei"), owner="alice")
        assert len(store.list(owner="alice", kind="sweep")) == 1
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'"
                            ).fetchone() == ("2",)


def test_a_postgres_store_of_the_version_before_sweeps_opens_unchanged(
        pg_url, pg_schema, result) -> None:  # noqa: F811
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{pg_schema}"')
        conn.execute(f'CREATE TABLE "{pg_schema}".scenarios (id text PRIMARY KEY, '
                     "seq bigserial NOT NULL, owner text NOT NULL, name text NOT NULL, "
                     "profile_id text, parameters json NOT NULL, results json NOT NULL, "
                     "created text NOT NULL)")
        conn.execute(f'INSERT INTO "{pg_schema}".scenarios (id, owner, name, parameters, '
                     "results, created) VALUES ('old1', 'alice', '旧方案', '{}', '{}', "
                     "'2026-01-01')")
    with PostgresScenarioStore(pg_url, schema=pg_schema, max_connections=2) as store:
        assert [(s["id"], s["kind"]) for s in store.list(owner="alice")] == [
            ("old1", "scenario")]
        store.save(saved_sweep(result, name="s", profile_id="hefei"), owner="alice")
        assert [s["kind"] for s in store.list(owner="alice", kind=None)] == [
            "scenario", "sweep"]
