"""Scenario store in PostgreSQL with PostGIS: the store of the team server.

The same public interface as :class:`planning.scenarios.ScenarioStore` (``save``, ``list``,
``load``, ``delete`` per owner), for many sessions and processes writing at once:

- a scenario is saved in one transaction: its row, then its layers, every feature a row with a
  PostGIS ``geometry(Geometry, 4326)`` column (so layers can be queried spatially in the
  database) and its attributes as JSON; if anything fails nothing is stored;
- concurrent writers are safe: each save takes its scenario row with an upsert (a second save of
  the same id waits for the first), transactions that lose a serialisation race are retried;
- every query is filtered by ``owner``; a scenario of another owner is not visible.

Connections come from a pool shared by the threads of one process. The tables are created on
first use; the ``postgis`` extension is created too when the database user may do it (else a
database administrator runs ``CREATE EXTENSION postgis`` once). No Streamlit here.
"""

from __future__ import annotations

import builtins
import datetime as _dt
import json
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import geopandas as gpd
import psycopg
import shapely
from psycopg import sql
from psycopg_pool import ConnectionPool

from core.messages import Message
from errors import InputError, PlanningError
from planning.scenarios import (
    KINDS,
    Scenario,
    ScenarioNotFound,
    from_jsonable,
    to_jsonable,
)

#: Version 2 added the ``kind`` column (scenario or sweep, see :data:`planning.scenarios.KINDS`).
SCHEMA_VERSION = 2

_TABLES = """
CREATE TABLE IF NOT EXISTS meta (key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE IF NOT EXISTS scenarios (
    id text PRIMARY KEY,
    seq bigserial NOT NULL,
    owner text NOT NULL,
    name text NOT NULL,
    profile_id text,
    parameters json NOT NULL,
    results json NOT NULL,
    created text NOT NULL
);
CREATE INDEX IF NOT EXISTS scenarios_owner ON scenarios (owner, seq);
ALTER TABLE scenarios ADD COLUMN IF NOT EXISTS kind text NOT NULL DEFAULT 'scenario';
CREATE TABLE IF NOT EXISTS layers (
    scenario_id text NOT NULL REFERENCES scenarios (id) ON DELETE CASCADE,
    name text NOT NULL,
    ord integer NOT NULL,
    columns json NOT NULL,
    PRIMARY KEY (scenario_id, name)
);
CREATE TABLE IF NOT EXISTS features (
    scenario_id text NOT NULL,
    layer text NOT NULL,
    fid integer NOT NULL,
    properties json NOT NULL,
    geom geometry(Geometry, 4326),
    PRIMARY KEY (scenario_id, layer, fid),
    FOREIGN KEY (scenario_id, layer) REFERENCES layers (scenario_id, name) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS features_geom ON features USING gist (geom);
"""

#: Errors after which a transaction is simply run again.
_RETRY = (psycopg.errors.SerializationFailure, psycopg.errors.DeadlockDetected)
_ATTEMPTS = 5

T = TypeVar("T")


class StoreUnavailable(PlanningError):
    """The database of the team server cannot be reached or is not set up."""


def make_pool(dsn: str, *, schema: str | None = None, max_size: int = 10) -> ConnectionPool:
    """A connection pool for *dsn* whose connections use *schema* (then ``public``).

    Parameters
    ----------
    dsn : str
        ``postgresql://user@host/db`` or a libpq ``key=value`` string.
    schema : str, optional
        Tables are created and looked up in this schema (created when missing); PostGIS
        stays in ``public``. Lets tests and several teams share one database.
    max_size : int
        Most connections held open at once.
    """

    def configure(conn: psycopg.Connection[Any]) -> None:
        if schema:
            conn.execute(sql.SQL("SET search_path TO {}, public").format(sql.Identifier(schema)))
            conn.commit()

    try:
        # one plain connection first: a wrong address fails at once with libpq's own words
        psycopg.connect(dsn, connect_timeout=10).close()
        pool = ConnectionPool(dsn, min_size=1, max_size=max_size, configure=configure,
                              check=ConnectionPool.check_connection, open=False, timeout=60.0)
        pool.open(wait=True, timeout=30.0)
    except Exception as exc:
        raise StoreUnavailable(Message("accounts.db_unreachable", {"error": str(exc)})) from exc
    return pool


class PostgresScenarioStore:
    """Scenarios in PostgreSQL with PostGIS (see the module docstring).

    Parameters
    ----------
    dsn : str, optional
        Connection URL; or give *pool*.
    pool : psycopg_pool.ConnectionPool, optional
        An open pool (shared with :class:`planning.accounts.Accounts`, for instance).
    schema : str, optional
        Schema of the tables (default: the connection's search path, normally ``public``).
    max_connections : int
        Size of the pool made from *dsn*.
    """

    def __init__(self, dsn: str | None = None, *, pool: ConnectionPool | None = None,
                 schema: str | None = None, max_connections: int = 10):
        if pool is None:
            if not dsn:
                raise StoreUnavailable(Message("accounts.team_needs_db", {}))
            pool = make_pool(dsn, schema=schema, max_size=max_connections)
            self._own_pool = True
        else:
            self._own_pool = False
        self.pool = pool
        self.schema = schema
        ensure_schema(self.pool, schema=schema)

    # ---- life cycle ---------------------------------------------------------------------
    def close(self) -> None:
        """Close the pool (when this store made it)."""
        if self._own_pool:
            self.pool.close()

    def __enter__(self) -> PostgresScenarioStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[psycopg.Connection[Any]]:
        with self.pool.connection() as conn, conn.transaction():
            yield conn

    def _retrying(self, fn: Callable[[psycopg.Connection[Any]], T]) -> T:
        for attempt in range(_ATTEMPTS):
            try:
                with self._transaction() as conn:
                    return fn(conn)
            except _RETRY:
                if attempt == _ATTEMPTS - 1:
                    raise
                time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")

    # ---- the interface of ScenarioStore ---------------------------------------------------
    def save(self, scenario: Scenario, *, owner: str) -> str:
        """Save *scenario* for *owner* in one transaction; return its id.

        A scenario with the same id (and owner) is replaced; one of another owner is not
        touched (:class:`ScenarioNotFound`). If anything fails — a layer that cannot be
        serialised, a result that is not JSON, a database error — nothing is stored.
        """
        owner = _check_owner(owner)
        _check_kind(scenario.kind)
        if not str(scenario.name).strip():
            raise InputError(["a scenario needs a name"])
        sid = scenario.id or uuid.uuid4().hex
        created = _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")
        parameters = json.dumps(to_jsonable(scenario.parameters), ensure_ascii=False)
        results = json.dumps(to_jsonable(scenario.results), ensure_ascii=False, allow_nan=False)
        layers = [(str(name), _layer_rows(str(name), gdf))
                  for name, gdf in scenario.layers.items() if gdf is not None]

        def run(conn: psycopg.Connection[Any]) -> None:
            row = conn.execute(
                "INSERT INTO scenarios (id, owner, name, profile_id, parameters, results, created,"
                " kind) VALUES (%s, %s, %s, %s, %s::json, %s::json, %s, %s)"
                " ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind,"
                " profile_id = EXCLUDED.profile_id, parameters = EXCLUDED.parameters,"
                " results = EXCLUDED.results, created = EXCLUDED.created, seq = DEFAULT"
                " WHERE scenarios.owner = EXCLUDED.owner RETURNING id",
                (sid, owner, str(scenario.name), scenario.profile_id, parameters, results,
                 created, scenario.kind),
            ).fetchone()
            if row is None:
                raise ScenarioNotFound([f"scenario {sid} does not belong to this user"])
            conn.execute("DELETE FROM layers WHERE scenario_id = %s", (sid,))
            for ord_, (name, (columns, rows)) in enumerate(layers):
                conn.execute(
                    "INSERT INTO layers (scenario_id, name, ord, columns) VALUES"
                    " (%s, %s, %s, %s::json)",
                    (sid, name, ord_, json.dumps(columns, ensure_ascii=False)),
                )
                with conn.cursor().copy(
                    "COPY features (scenario_id, layer, fid, properties, geom) FROM STDIN"
                ) as copy:
                    for fid, (props, geom) in enumerate(rows):
                        copy.write_row((sid, name, fid, props, geom))

        self._retrying(run)
        scenario.id, scenario.owner, scenario.created = sid, owner, created
        return sid

    def list(self, *, owner: str, kind: str | None = "scenario"
             ) -> builtins.list[dict[str, Any]]:
        """Records of *owner* of this *kind* (every kind when None), oldest first: id, name,
        profile_id, created, parameters, kind."""
        owner = _check_owner(owner)
        kind = _check_kind(kind, none_ok=True)
        with self.pool.connection() as conn:
            rows = conn.execute(
                "SELECT id, name, profile_id, created, parameters::text, kind FROM scenarios"
                " WHERE owner = %s AND (%s::text IS NULL OR kind = %s::text) ORDER BY seq",
                (owner, kind, kind),
            ).fetchall()
        return [{"id": r[0], "name": r[1], "profile_id": r[2], "created": r[3],
                 "parameters": json.loads(r[4]), "kind": r[5]} for r in rows]

    def load(self, scenario_id: str, *, owner: str, layers: bool = True) -> Scenario:
        """Scenario *scenario_id* of *owner* (layers as GeoDataFrames, tables as DataFrames).

        Raises
        ------
        ScenarioNotFound
            If there is no such scenario for this owner (another user's is not visible).
        """
        owner = _check_owner(owner)
        gdfs: dict[str, gpd.GeoDataFrame] = {}
        # one snapshot: a save committed meanwhile is seen whole or not at all
        with self.pool.connection() as conn, conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            row = conn.execute(
                "SELECT id, name, profile_id, parameters::text, results::text, created, kind"
                " FROM scenarios WHERE id = %s AND owner = %s",
                (scenario_id, owner),
            ).fetchone()
            if row is None:
                raise ScenarioNotFound(
                    [f"no saved scenario with id {scenario_id!r} for this user"])
            if layers:
                names = conn.execute(
                    "SELECT name FROM layers WHERE scenario_id = %s ORDER BY ord",
                    (scenario_id,),
                ).fetchall()
                for (name,) in names:
                    feats = conn.execute(
                        "SELECT properties::text, ST_AsBinary(geom) FROM features"
                        " WHERE scenario_id = %s AND layer = %s ORDER BY fid",
                        (scenario_id, name),
                    ).fetchall()
                    gdfs[name] = _layer_frame(feats)
        return Scenario(
            id=row[0], name=row[1], profile_id=row[2],
            parameters=from_jsonable(json.loads(row[3])),
            results=from_jsonable(json.loads(row[4])),
            layers=gdfs, owner=owner, created=row[5], kind=row[6],
        )

    def delete(self, scenario_id: str, *, owner: str) -> bool:
        """Delete a scenario of *owner* (its layers with it); return whether one was deleted."""
        owner = _check_owner(owner)

        def run(conn: psycopg.Connection[Any]) -> bool:
            cur = conn.execute("DELETE FROM scenarios WHERE id = %s AND owner = %s",
                               (scenario_id, owner))
            return cur.rowcount > 0

        return self._retrying(run)


def ensure_schema(pool: ConnectionPool, *, schema: str | None = None) -> None:
    """Create the extension (when allowed), the schema and the tables if missing.

    Serialised with an advisory lock, so that processes starting together do not race.
    """
    try:
        with pool.connection() as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(hashtext('yilao-yixiao schema'))")
            has_postgis = conn.execute(
                "SELECT 1 FROM pg_extension WHERE extname = 'postgis'").fetchone()
            if not has_postgis:
                conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
            if schema:
                conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(
                    sql.Identifier(schema)))
            for statement in _TABLES.split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute("INSERT INTO meta (key, value) VALUES ('schema_version', %s)"
                         " ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                         (str(SCHEMA_VERSION),))
    except psycopg.errors.InsufficientPrivilege as exc:
        raise StoreUnavailable(Message("accounts.db_no_postgis", {"error": str(exc)})) from exc
    except psycopg.OperationalError as exc:
        raise StoreUnavailable(Message("accounts.db_unreachable", {"error": str(exc)})) from exc


def _check_kind(kind: str | None, *, none_ok: bool = False) -> str | None:
    if (kind is None and none_ok) or kind in KINDS:
        return kind
    raise InputError([f"kind must be one of {', '.join(KINDS)}, not {kind!r}"])


def _check_owner(owner: str) -> str:
    if not isinstance(owner, str) or not owner.strip():
        raise InputError(["owner must be a non-empty string (the user or session id)"])
    return owner


def _layer_rows(name: str, gdf: gpd.GeoDataFrame
                ) -> tuple[builtins.list[str], builtins.list[tuple[str, str | None]]]:
    """Columns and rows (attributes as JSON text, geometry as hex EWKB) of a layer."""
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise TypeError(f"layer {name!r} is not a GeoDataFrame")
    if gdf.crs is None:
        raise InputError([f"layer {name!r} has no CRS; it cannot be stored"])
    if gdf.crs.to_epsg() != 4326:
        gdf = gdf.to_crs(4326)
    frame = gdf.copy()
    geom_col = frame.geometry.name
    for col in frame.columns:
        if col != geom_col and frame[col].dtype == object:
            frame[col] = frame[col].map(
                lambda v: json.dumps(to_jsonable(v)) if isinstance(v, list | tuple | dict) else v
            )
    # the attributes go through GeoJSON exactly as in the SQLite store, so both give the
    # same frames back; the geometry goes as binary (no loss of precision)
    geoms = frame.geometry.values
    attributes = gpd.GeoDataFrame(  # without the geometry, which goes separately
        frame.drop(columns=geom_col),
        geometry=gpd.GeoSeries([None] * len(frame), index=frame.index), crs=4326)
    features = json.loads(attributes.to_json(na="null", drop_id=True))["features"]
    wkb = shapely.to_wkb(shapely.set_srid(geoms, 4326), hex=True, include_srid=True)
    rows = [
        (json.dumps(f.get("properties") or {}, ensure_ascii=False),
         None if g is None or shapely.is_empty(g) else str(w))
        for f, g, w in zip(features, geoms, wkb, strict=True)
    ]
    return [str(c) for c in frame.columns if c != geom_col], rows


def _layer_frame(feats: builtins.list[tuple[str, bytes | None]]) -> gpd.GeoDataFrame:
    """A layer back from its rows, as :meth:`GeoDataFrame.from_features` would build it."""
    if not feats:
        return gpd.GeoDataFrame(geometry=[], crs=4326)
    rows = []
    for props, wkb in feats:
        row: dict[str, Any] = {"geometry": shapely.from_wkb(wkb) if wkb is not None else None}
        row.update(json.loads(props))
        rows.append(row)
    gdf = gpd.GeoDataFrame(rows, crs=4326)
    cols = [c for c in gdf.columns if c != "geometry"] + ["geometry"]
    return gdf[cols]
