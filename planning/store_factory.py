"""Which scenario store and which accounts to use, from the environment.

``YILAO_MODE``
    ``local`` (default): the single-user tool on one's own computer, today's behaviour: no
    login, scenarios in the SQLite file :func:`planning.scenarios.default_path`, kept apart
    per browser id (:class:`planning.store_sqlite.SQLiteScenarioStore`).
    ``team``: the team server: login required, scenarios per user and shared on purpose
    (:class:`planning.team_store.TeamStore`), in PostgreSQL with PostGIS.
``YILAO_DATABASE_URL``
    The PostgreSQL database of the team server, e.g. ``postgresql://planner@dbhost/yilao``
    (a password is best kept in ``~/.pgpass`` or ``PGPASSWORD``, not in the URL).
``YILAO_DB_SCHEMA``
    Optional schema of the tables (default ``public``).
``YILAO_STORE``
    ``postgres`` (default in team mode) or ``sqlite`` (a team server for a handful of users
    without a database server: the accounts and scenarios in the SQLite file).

No Streamlit here.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.messages import Message
from errors import PlanningError

MODES = ("local", "team")
STORES = ("sqlite", "postgres")


class ConfigError(PlanningError):
    """A setting of the environment that makes no sense."""


@dataclass(frozen=True)
class Settings:
    """The settings read from the environment (see the module docstring)."""

    mode: str = "local"
    store: str = "sqlite"
    database_url: str | None = None
    schema: str | None = None
    sqlite_path: Path | None = None

    @property
    def team(self) -> bool:
        """Whether this is the team server (login required)."""
        return self.mode == "team"


def settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read :class:`Settings` from *env* (default ``os.environ``)."""
    from planning.scenarios import default_path

    env = os.environ if env is None else env
    mode = (env.get("YILAO_MODE") or "local").strip().lower()
    if mode not in MODES:
        raise ConfigError(Message("accounts.bad_mode", {"mode": mode}))
    url = (env.get("YILAO_DATABASE_URL") or "").strip() or None
    default_store = "postgres" if mode == "team" else "sqlite"
    store = (env.get("YILAO_STORE") or default_store).strip().lower()
    if store not in STORES:
        raise ConfigError(Message("accounts.bad_store", {"store": store}))
    if store == "postgres" and not url:
        raise ConfigError(Message("accounts.team_needs_db", {}))
    sqlite_path = None
    if store == "sqlite":
        base = env.get("YILAO_DATA_DIR")
        sqlite_path = Path(base) / "scenarios.sqlite" if base else default_path()
    return Settings(mode=mode, store=store, database_url=url,
                    schema=(env.get("YILAO_DB_SCHEMA") or "").strip() or None,
                    sqlite_path=sqlite_path)


def open_store(cfg: Settings | None = None) -> Any:
    """The scenario store itself (no access rules): SQLite or PostgreSQL."""
    cfg = cfg or settings()
    if cfg.store == "postgres":
        from planning.store_postgres import PostgresScenarioStore

        return PostgresScenarioStore(cfg.database_url, schema=cfg.schema)
    from planning.store_sqlite import SQLiteScenarioStore

    return SQLiteScenarioStore(cfg.sqlite_path)


@dataclass
class Team:
    """What the team server holds open: the store with its rules, the accounts, the raw store."""

    store: Any  # TeamStore
    accounts: Any  # Accounts
    raw: Any  # ScenarioStore or PostgresScenarioStore

    def close(self) -> None:
        """Close the store (and the pool of connections with it)."""
        self.raw.close()


def open_team(cfg: Settings | None = None, *, hasher: Any = None) -> Team:
    """The accounts and the access-checked store on the configured database.

    The accounts share the scenario store's database: its PostgreSQL pool, or its SQLite file.
    """
    from planning.accounts import Accounts, PostgresDb, SqliteDb
    from planning.team_store import TeamStore

    cfg = cfg or settings()
    raw = open_store(cfg)
    db: Any = PostgresDb(raw.pool) if cfg.store == "postgres" else SqliteDb(raw.path)
    accounts = Accounts(db, hasher=hasher)
    return Team(store=TeamStore(raw, accounts), accounts=accounts, raw=raw)


def open_accounts(cfg: Settings | None = None) -> tuple[Any, Any]:
    """``(accounts, closer)`` for the admin command: the accounts and what to close after."""
    team = open_team(cfg)
    return team.accounts, team
