"""Scenario store: scenarios (inputs, profile, parameters, results) in one SQLite file.

A scenario is saved in one transaction (never half-written), reopened after a restart, and
every query is filtered by ``owner`` so that the sessions of different users stay apart. Layers
are stored as GeoJSON (EPSG:4326) text, results as JSON. No Streamlit here.

Besides scenarios the store keeps scenario sweeps (:data:`KINDS`): a record's ``kind`` is
``'scenario'`` or ``'sweep'`` (the curve and the table of runs of
:func:`planning.sweep.run_sweep`, no layers). They are saved, loaded, deleted and shared like
scenarios; :meth:`ScenarioStore.list` lists one kind at a time (scenarios unless asked), so
that the pages that compare or export scenarios never meet a sweep.

The default file is ``$YILAO_DATA_DIR/scenarios.sqlite``, else
``$XDG_DATA_HOME/yilao-yixiao/scenarios.sqlite`` (``~/.local/share/...``).
"""

from __future__ import annotations

import builtins
import datetime as _dt
import json
import os
import sqlite3
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from core.fileio import json_safe
from errors import InputError
from planning.summaries import ComparisonRow, comparison_rows, comparison_table

__all__ = [
    "AREA_DEMAND_COLUMNS", "KINDS", "ComparisonRow", "SAVED_AREA_COLUMNS", "Scenario",
    "ScenarioNotFound", "ScenarioStore", "comparison_rows", "comparison_table", "default_path",
    "demand_columns", "from_jsonable", "saved_scenario", "to_jsonable",
]

#: Version 2 added the ``kind`` column (older files get it, as ``'scenario'``, when opened).
SCHEMA_VERSION = 2

#: What a record of the store is: a scenario (one run) or a sweep (many runs, a curve).
KINDS: tuple[str, ...] = ("scenario", "sweep")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS scenarios (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    name TEXT NOT NULL,
    profile_id TEXT,
    parameters TEXT NOT NULL,
    results TEXT NOT NULL,
    created TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'scenario'
);
CREATE INDEX IF NOT EXISTS scenarios_owner ON scenarios(owner, created);
CREATE TABLE IF NOT EXISTS layers (
    scenario_id TEXT NOT NULL REFERENCES scenarios(id) ON DELETE CASCADE,
    owner TEXT NOT NULL,
    name TEXT NOT NULL,
    geojson TEXT NOT NULL,
    PRIMARY KEY (scenario_id, name)
);
"""


class ScenarioNotFound(InputError):
    """No scenario with this id for this owner."""


def default_path() -> Path:
    """Default location of the store (see the module docstring)."""
    base = os.environ.get("YILAO_DATA_DIR")
    if base:
        return Path(base) / "scenarios.sqlite"
    xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(xdg) / "yilao-yixiao" / "scenarios.sqlite"


def to_jsonable(value: Any) -> Any:
    """Convert results (frames, numpy values, NaN, messages) into plain JSON values.

    DataFrames become ``{"__frame__": [records]}`` so that :func:`from_jsonable` gives a
    DataFrame back; dates their ISO text; anything else is cleaned by
    :func:`core.fileio.json_safe` (numpy numbers, NaN and infinities as ``null``, structured
    messages as their ``{"code", "args", "text"}`` form).

    Raises
    ------
    TypeError
        For a value with no JSON form (it would come back as meaningless text).
    """
    if isinstance(value, gpd.GeoDataFrame):
        value = pd.DataFrame(value.drop(columns=value.geometry.name))
    if isinstance(value, pd.DataFrame):
        return {"__frame__": [to_jsonable(r) for r in value.to_dict(orient="records")],
                "__columns__": [str(c) for c in value.columns]}
    if isinstance(value, pd.Series):
        return to_jsonable(value.to_dict())
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | np.ndarray):
        return [to_jsonable(v) for v in value]
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, _dt.date | _dt.datetime | pd.Timestamp):
        return value.isoformat()
    if (value is None or isinstance(value, bool | int | float | str | np.generic)
            or callable(getattr(value, "to_json", None))):
        return json_safe(value)
    raise TypeError(f"cannot store a value of type {type(value).__name__} in a scenario: {value!r}")


def from_jsonable(value: Any) -> Any:
    """Inverse of :func:`to_jsonable` for frames."""
    if isinstance(value, dict):
        if "__frame__" in value:
            return pd.DataFrame(value["__frame__"], columns=value.get("__columns__"))
        return {k: from_jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_jsonable(v) for v in value]
    return value


@dataclass
class Scenario:
    """One scenario: what went in and what came out.

    Parameters
    ----------
    name : str
        Shown in lists and comparisons.
    profile_id : str
        Policy profile used.
    parameters : dict
        Service, objective, minutes, speed, budget or p, candidate set, solver options …
    results : dict
        Indicators and tables (DataFrames allowed; stored as JSON).
    layers : dict of GeoDataFrame
        Input and output layers (areas, sites, …), stored as GeoJSON in EPSG:4326.
    kind : {'scenario', 'sweep'}
        What the record is (:data:`KINDS`).
    """

    name: str
    profile_id: str | None = None
    parameters: dict[str, Any] = field(default_factory=dict)
    results: dict[str, Any] = field(default_factory=dict)
    layers: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    id: str | None = None
    owner: str | None = None
    created: str | None = None
    kind: str = "scenario"


#: Each service's requirement column of the areas and its unit (:data:`core.vocab.SERVICE_UNITS`).
AREA_DEMAND_COLUMNS: dict[str, tuple[str, str]] = {
    "childcare": ("childcare_places_required", "places"),
    "eldercare": ("eldercare_area_required_m2", "m2")}

#: Columns of the residential areas kept with a saved scenario (its maps need no more):
#: the shortfall, coverage and requirement of each service (scenarios saved before the
#: requirement was kept lack it; :func:`demand_columns` says which).
SAVED_AREA_COLUMNS: tuple[str, ...] = ("id", "name", "population", "shortfall",
                                       "childcare_unmet", "eldercare_unmet",
                                       *(c for c, _ in AREA_DEMAND_COLUMNS.values()),
                                       "coverage", "fully_served", "geometry")


def saved_scenario(run: Any, *, name: str, profile_id: str | None,
                   candidates: gpd.GeoDataFrame | None = None) -> Scenario:
    """The scenario to save for a finished run: its parameters, results and map layers.

    Parameters
    ----------
    run : planning.runs.ScenarioRun
        The run (``params``, ``results()``, ``areas``, ``site_layer``, ``service_areas``).
    name : str
        The planner's name for it.
    profile_id : str, optional
        The policy profile the run used.
    candidates : GeoDataFrame, optional
        The candidate sites offered to the run, kept as a layer.

    Returns
    -------
    Scenario
        Not saved yet: pass it to :meth:`ScenarioStore.save`.
    """
    areas_cols = [c for c in SAVED_AREA_COLUMNS if c in run.areas.columns]
    results = dict(run.results())
    results["area_demand"] = {svc: {"column": col, "unit": unit}
                              for svc, (col, unit) in AREA_DEMAND_COLUMNS.items()
                              if col in areas_cols}
    return Scenario(name=name, profile_id=profile_id, parameters=run.params,
                    results=results,
                    layers={"areas": run.areas[areas_cols], "sites": run.site_layer,
                            "service_areas": run.service_areas, "candidates": candidates})


def demand_columns(scenario: Scenario) -> dict[str, dict[str, str]]:
    """The requirement columns a saved scenario's areas carry, per service.

    Returns
    -------
    dict
        Service → ``{"column", "unit"}`` (``places`` or ``m2``); empty for a scenario saved
        before requirements were kept (its maps cannot be coloured by demand).
    """
    areas = scenario.layers.get("areas")
    cols = set(areas.columns) if areas is not None else set()
    return {svc: {"column": col, "unit": unit}
            for svc, (col, unit) in AREA_DEMAND_COLUMNS.items() if col in cols}


def _layer_json(name: str, gdf: gpd.GeoDataFrame) -> str:
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise TypeError(f"layer {name!r} is not a GeoDataFrame")
    if gdf.crs is None:
        raise InputError([f"layer {name!r} has no CRS; it cannot be stored"])
    if gdf.crs.to_epsg() != 4326:
        gdf = gdf.to_crs(4326)
    frame = gdf.copy()
    for col in frame.columns:
        if col != frame.geometry.name and frame[col].dtype == object:
            frame[col] = frame[col].map(
                lambda v: json.dumps(to_jsonable(v)) if isinstance(v, list | tuple | dict) else v
            )
    return str(frame.to_json(na="null", drop_id=True))


class ScenarioStore:
    """Scenarios in one SQLite file.

    Parameters
    ----------
    path : path-like, optional
        The database file; default :func:`default_path`. ``":memory:"`` for a throw-away one.

    Examples
    --------
    >>> store = ScenarioStore(":memory:")
    >>> sid = store.save(Scenario(name="A", parameters={"p": 2}), owner="u1")
    >>> [s["name"] for s in store.list(owner="u1")], store.list(owner="u2")
    (['A'], [])
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        if path is None:
            path = default_path()
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        # one connection shared by the app's sessions (threads): a lock serialises its use
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(self.path, timeout=10.0, check_same_thread=False,
                                     isolation_level=None)
        self._conn.execute("PRAGMA foreign_keys = ON")
        if self.path != ":memory:":
            self._conn.execute("PRAGMA journal_mode = WAL")
        self._conn.executescript(_SCHEMA)
        columns = {r[1] for r in self._conn.execute("PRAGMA table_info(scenarios)")}
        if "kind" not in columns:  # a file of schema version 1: every record a scenario
            self._conn.execute(
                "ALTER TABLE scenarios ADD COLUMN kind TEXT NOT NULL DEFAULT 'scenario'")
        self._conn.execute(
            "INSERT INTO meta(key, value) VALUES ('schema_version', ?)"
            " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (str(SCHEMA_VERSION),),
        )

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    def __enter__(self) -> ScenarioStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def save(self, scenario: Scenario, *, owner: str) -> str:
        """Save *scenario* for *owner* in one transaction; return its id.

        A scenario with the same id (and owner) is replaced. If anything fails — a layer that
        cannot be serialised, a result that is not JSON, a database error — nothing is stored.
        """
        with self._lock:
            return self._save_unlocked(scenario, owner=owner)

    def list(self, *, owner: str, kind: str | None = "scenario"
             ) -> builtins.list[dict[str, Any]]:
        """Records of *owner* of this *kind* (every kind when None), oldest first: id, name,
        profile_id, created, parameters, kind."""
        with self._lock:
            return self._list_unlocked(owner=owner, kind=kind)

    def load(self, scenario_id: str, *, owner: str, layers: bool = True) -> Scenario:
        """Scenario *scenario_id* of *owner* (layers as GeoDataFrames, tables as DataFrames).

        Raises
        ------
        ScenarioNotFound
            If there is no such scenario for this owner (another user's is not visible).
        """
        with self._lock:
            return self._load_unlocked(scenario_id, owner=owner, layers=layers)

    def delete(self, scenario_id: str, *, owner: str) -> bool:
        """Delete a scenario of *owner*; return whether one was deleted."""
        with self._lock:
            return self._delete_unlocked(scenario_id, owner=owner)

    @staticmethod
    def _check_kind(kind: str | None, *, none_ok: bool = False) -> str | None:
        if (kind is None and none_ok) or kind in KINDS:
            return kind
        raise InputError([f"kind must be one of {', '.join(KINDS)}, not {kind!r}"])

    @staticmethod
    def _check_owner(owner: str) -> str:
        if not isinstance(owner, str) or not owner.strip():
            raise InputError(["owner must be a non-empty string (the user or session id)"])
        return owner

    def _save_unlocked(self, scenario: Scenario, *, owner: str) -> str:
        """Save *scenario* for *owner* in one transaction; return its id.

        A scenario with the same id (and owner) is replaced. If anything fails — a layer that
        cannot be serialised, a result that is not JSON, a database error — nothing is stored.
        """
        owner = self._check_owner(owner)
        self._check_kind(scenario.kind)
        if not str(scenario.name).strip():
            raise InputError(["a scenario needs a name"])
        sid = scenario.id or uuid.uuid4().hex
        created = _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")
        cur = self._conn.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            row = cur.execute("SELECT owner FROM scenarios WHERE id = ?", (sid,)).fetchone()
            if row is not None and row[0] != owner:
                raise ScenarioNotFound([f"scenario {sid} does not belong to this user"])
            cur.execute("DELETE FROM scenarios WHERE id = ? AND owner = ?", (sid, owner))
            cur.execute(
                "INSERT INTO scenarios(id, owner, name, profile_id, parameters, results, created,"
                " kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    sid,
                    owner,
                    str(scenario.name),
                    scenario.profile_id,
                    json.dumps(to_jsonable(scenario.parameters), ensure_ascii=False),
                    json.dumps(to_jsonable(scenario.results), ensure_ascii=False,
                               allow_nan=False),
                    created,
                    scenario.kind,
                ),
            )
            for name, gdf in scenario.layers.items():
                if gdf is None:
                    continue
                cur.execute(
                    "INSERT INTO layers(scenario_id, owner, name, geojson) VALUES (?, ?, ?, ?)",
                    (sid, owner, str(name), _layer_json(str(name), gdf)),
                )
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        scenario.id, scenario.owner, scenario.created = sid, owner, created
        return sid

    def _list_unlocked(self, *, owner: str, kind: str | None = "scenario"
                       ) -> builtins.list[dict[str, Any]]:
        """Records of *owner* of *kind* (every kind when None), oldest first."""
        owner = self._check_owner(owner)
        kind = self._check_kind(kind, none_ok=True)
        rows = self._conn.execute(
            "SELECT id, name, profile_id, created, parameters, kind FROM scenarios"
            " WHERE owner = ? AND (? IS NULL OR kind = ?) ORDER BY created, rowid",
            (owner, kind, kind),
        ).fetchall()
        return [
            {"id": r[0], "name": r[1], "profile_id": r[2], "created": r[3],
             "parameters": json.loads(r[4]), "kind": r[5]}
            for r in rows
        ]

    def _load_unlocked(self, scenario_id: str, *, owner: str, layers: bool = True) -> Scenario:
        """Scenario *scenario_id* of *owner* (layers as GeoDataFrames, tables as DataFrames).

        Raises
        ------
        ScenarioNotFound
            If there is no such scenario for this owner (another user's is not visible).
        """
        owner = self._check_owner(owner)
        row = self._conn.execute(
            "SELECT id, name, profile_id, parameters, results, created, kind FROM scenarios"
            " WHERE id = ? AND owner = ?",
            (scenario_id, owner),
        ).fetchone()
        if row is None:
            raise ScenarioNotFound([f"no saved scenario with id {scenario_id!r} for this user"])
        gdfs: dict[str, gpd.GeoDataFrame] = {}
        if layers:
            for name, text in self._conn.execute(
                "SELECT name, geojson FROM layers WHERE scenario_id = ? AND owner = ?"
                " ORDER BY rowid",
                (scenario_id, owner),
            ):
                data = json.loads(text)
                if data.get("features"):
                    gdf = gpd.GeoDataFrame.from_features(data["features"], crs=4326)
                    cols = [c for c in gdf.columns if c != "geometry"] + ["geometry"]
                    gdfs[name] = gdf[cols]
                else:
                    gdfs[name] = gpd.GeoDataFrame(geometry=[], crs=4326)
        return Scenario(
            id=row[0], name=row[1], profile_id=row[2],
            parameters=from_jsonable(json.loads(row[3])),
            results=from_jsonable(json.loads(row[4])),
            layers=gdfs, owner=owner, created=row[5], kind=row[6],
        )

    def _delete_unlocked(self, scenario_id: str, *, owner: str) -> bool:
        """Delete a scenario of *owner*; return whether one was deleted."""
        owner = self._check_owner(owner)
        cur = self._conn.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            cur.execute("DELETE FROM layers WHERE scenario_id = ? AND owner = ?",
                        (scenario_id, owner))
            n = cur.execute("DELETE FROM scenarios WHERE id = ? AND owner = ?",
                            (scenario_id, owner)).rowcount
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        return n > 0
