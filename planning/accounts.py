"""Accounts of the team server: users, roles, passwords, and who may see which scenario.

- A user has a name, a role (``user``: a planner; ``admin``: may also add and remove users)
  and a password kept only as an argon2id hash (:mod:`argon2`, the RFC 9106 profile).
- A scenario belongs to its author. Its author may share it on purpose with one colleague or
  with the whole team (:data:`TEAM`), read-only or editable; nobody else sees it, admins
  included (they manage accounts, not plans).
- Users and shares live in the same database as the scenarios: the SQLite file in local mode,
  PostgreSQL on the team server (:class:`SqliteDb`, :class:`PostgresDb`).

:class:`planning.team_store.TeamStore` applies these rules in front of a scenario store. No
Streamlit here.
"""

from __future__ import annotations

import builtins
import datetime as _dt
import re
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from core.messages import Message
from errors import AuthError

ROLES: tuple[str, ...] = ("user", "admin")
#: Grantee meaning every user of the server.
TEAM = "*"
MIN_PASSWORD = 8
_NAME = re.compile(r"[\w.\-]{1,64}")

_TABLES = (
    "CREATE TABLE IF NOT EXISTS users ("
    " name TEXT PRIMARY KEY, role TEXT NOT NULL, password_hash TEXT NOT NULL,"
    " created TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS shares ("
    " scenario_id TEXT NOT NULL, owner TEXT NOT NULL, grantee TEXT NOT NULL,"
    " can_edit INTEGER NOT NULL, PRIMARY KEY (scenario_id, grantee))",
    "CREATE INDEX IF NOT EXISTS shares_grantee ON shares (grantee)",
)


# ---- a thin layer over the two databases ----------------------------------------------------
class Cursor(Protocol):
    """What the SQL below needs of a cursor."""

    @property
    def rowcount(self) -> int: ...  # noqa: D102

    def fetchone(self) -> Any: ...  # noqa: D102

    def fetchall(self) -> builtins.list[Any]: ...  # noqa: D102


class Tx(Protocol):
    """One transaction: ``execute(sql, params)`` with ``%s`` placeholders."""

    def execute(self, query: str, params: Sequence[Any] = ()) -> Cursor: ...  # noqa: D102


class Db(Protocol):
    """A database the accounts can live in."""

    def transaction(self) -> Any: ...  # noqa: D102 - a context manager giving a Tx


class SqliteDb:
    """Accounts in a SQLite file (normally the scenario store's file).

    Parameters
    ----------
    path : path-like
        The database file, or ``":memory:"``.
    """

    def __init__(self, path: str | Path):
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(self.path, timeout=30.0, check_same_thread=False,
                                     isolation_level=None)
        if self.path != ":memory:":
            self._conn.execute("PRAGMA journal_mode = WAL")
        with self.transaction() as tx:
            for statement in _TABLES:
                tx.execute(statement)

    class _Tx:
        def __init__(self, conn: sqlite3.Connection):
            self.conn = conn

        def execute(self, query: str, params: Sequence[Any] = ()) -> Cursor:
            return self.conn.execute(query.replace("%s", "?"), tuple(params))

    @contextmanager
    def transaction(self) -> Iterator[SqliteDb._Tx]:
        """``BEGIN IMMEDIATE`` … ``COMMIT`` (``ROLLBACK`` on any error)."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._Tx(self._conn)
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()


class PostgresDb:
    """Accounts in PostgreSQL, through a connection pool (shared with the scenario store).

    Parameters
    ----------
    pool : psycopg_pool.ConnectionPool
        An open pool (:func:`planning.store_postgres.make_pool`).
    """

    def __init__(self, pool: Any):
        self.pool = pool
        with self.transaction() as tx:
            tx.execute("SELECT pg_advisory_xact_lock(hashtext('yilao-yixiao accounts'))")
            for statement in _TABLES:
                tx.execute(statement)

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        """One transaction on a pooled connection (a psycopg connection is a Tx)."""
        with self.pool.connection() as conn, conn.transaction():
            yield conn

    def close(self) -> None:
        """Nothing to do: the pool belongs to whoever made it."""


# ---- users ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class User:
    """A user of the team server."""

    name: str
    role: str = "user"
    created: str = ""

    @property
    def is_admin(self) -> bool:
        """Whether the user may manage accounts."""
        return self.role == "admin"


@dataclass(frozen=True)
class Share:
    """A scenario shared by *owner* with *grantee* (a user name or :data:`TEAM`)."""

    scenario_id: str
    owner: str
    grantee: str
    can_edit: bool


class LoginThrottle:
    """Slows down password guessing: after *free* failed logins for one name within *window*
    seconds, every further try for that name first waits, doubling up to *max_wait* seconds.

    Kept in the memory of the server process (the team server is one process).
    """

    def __init__(self, *, free: int = 5, window: float = 900.0, max_wait: float = 30.0,
                 clock: Any = time.monotonic):
        self.free, self.window, self.max_wait, self.clock = free, window, max_wait, clock
        self._failures: dict[str, builtins.list[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, name: str) -> builtins.list[float]:
        now = self.clock()
        recent = [t for t in self._failures.get(name, []) if now - t < self.window]
        if recent:
            self._failures[name] = recent
        else:
            self._failures.pop(name, None)
        return recent

    def delay(self, name: str) -> float:
        """Seconds to wait before checking a password for *name*."""
        with self._lock:
            extra = len(self._recent(name)) - self.free
        return 0.0 if extra < 0 else float(min(2.0 ** extra, self.max_wait))

    def failed(self, name: str) -> None:
        """Record a failed login for *name*."""
        with self._lock:
            self._recent(name)
            self._failures.setdefault(name, []).append(self.clock())
            if len(self._failures) > 10_000:  # bounded memory under a spray of names
                self._failures.pop(next(iter(self._failures)))

    def succeeded(self, name: str) -> None:
        """Forget the failures of *name*."""
        with self._lock:
            self._failures.pop(name, None)


def default_hasher() -> PasswordHasher:
    """The password hasher: argon2id with argon2-cffi's defaults (RFC 9106 low-memory)."""
    return PasswordHasher()


def check_name(name: str) -> str:
    """*name* stripped, or :class:`AuthError` when it is not a valid user name."""
    if not isinstance(name, str) or not _NAME.fullmatch(name.strip()):
        raise AuthError(Message("accounts.bad_name", {"name": str(name)}))
    return name.strip()


def check_password(password: str) -> str:
    """*password*, or :class:`AuthError` when it is too short."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise AuthError(Message("accounts.password_short", {"min": MIN_PASSWORD}))
    return password


def check_role(role: str) -> str:
    """*role*, or :class:`AuthError` when it is not one of :data:`ROLES`."""
    if role not in ROLES:
        raise AuthError(Message("accounts.bad_role", {"role": role, "choices": list(ROLES)}))
    return role


class Accounts:
    """Users and shares in *db*.

    Parameters
    ----------
    db : SqliteDb or PostgresDb
        Where they live.
    hasher : argon2.PasswordHasher, optional
        Default :func:`default_hasher` (tests pass a cheaper one).
    """

    def __init__(self, db: Db, *, hasher: PasswordHasher | None = None):
        self.db = db
        self.hasher = hasher or default_hasher()
        self.throttle = LoginThrottle()
        self._dummy_hash: str | None = None

    @property
    def _dummy(self) -> str:
        """A hash to check unknown names against, so that they take as long as known ones."""
        if self._dummy_hash is None:
            self._dummy_hash = self.hasher.hash("not a password of anyone")
        return self._dummy_hash

    # users
    def add(self, name: str, password: str, *, role: str = "user") -> User:
        """Add a user; :class:`AuthError` if the name is taken or anything is invalid."""
        name, role = check_name(name), check_role(role)
        digest = self.hasher.hash(check_password(password))
        created = _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")
        with self.db.transaction() as tx:
            # ON CONFLICT: two admins adding one name at once get one user and one error
            n = tx.execute("INSERT INTO users (name, role, password_hash, created)"
                           " VALUES (%s, %s, %s, %s) ON CONFLICT (name) DO NOTHING",
                           (name, role, digest, created)).rowcount
        if n != 1:
            raise AuthError(Message("accounts.user_exists", {"name": name}))
        return User(name, role, created)

    def get(self, name: str) -> User | None:
        """The user *name*, or None."""
        with self.db.transaction() as tx:
            row = tx.execute("SELECT name, role, created FROM users WHERE name = %s",
                             (name,)).fetchone()
        return User(row[0], row[1], row[2]) if row else None

    def list(self) -> builtins.list[User]:
        """Every user, by name."""
        with self.db.transaction() as tx:
            rows = tx.execute("SELECT name, role, created FROM users ORDER BY name").fetchall()
        return [User(r[0], r[1], r[2]) for r in rows]

    def remove(self, name: str) -> None:
        """Remove a user and withdraw every share they gave or got.

        Their scenarios stay in the store (a bureau's work outlives an account). The last admin
        cannot be removed.
        """
        with self.db.transaction() as tx:
            row = tx.execute("SELECT role FROM users WHERE name = %s", (name,)).fetchone()
            if row is None:
                raise AuthError(Message("accounts.no_user", {"name": name}))
            self._keep_an_admin(tx, name, row[0])
            tx.execute("DELETE FROM users WHERE name = %s", (name,))
            tx.execute("DELETE FROM shares WHERE owner = %s OR grantee = %s", (name, name))

    def set_password(self, name: str, password: str) -> None:
        """Give *name* a new password."""
        digest = self.hasher.hash(check_password(password))
        with self.db.transaction() as tx:
            n = tx.execute("UPDATE users SET password_hash = %s WHERE name = %s",
                           (digest, name)).rowcount
        if n == 0:
            raise AuthError(Message("accounts.no_user", {"name": name}))

    def set_role(self, name: str, role: str) -> None:
        """Make *name* a ``user`` or an ``admin`` (the last admin stays one)."""
        role = check_role(role)
        with self.db.transaction() as tx:
            row = tx.execute("SELECT role FROM users WHERE name = %s", (name,)).fetchone()
            if row is None:
                raise AuthError(Message("accounts.no_user", {"name": name}))
            if role != "admin":
                self._keep_an_admin(tx, name, row[0])
            tx.execute("UPDATE users SET role = %s WHERE name = %s", (role, name))

    @staticmethod
    def _keep_an_admin(tx: Tx, name: str, role: str) -> None:
        if role == "admin":
            admins = tx.execute("SELECT count(*) FROM users WHERE role = 'admin'").fetchone()[0]
            if admins <= 1:
                raise AuthError(Message("accounts.last_admin", {"name": name}))

    def authenticate(self, name: str, password: str) -> User:
        """The user, when *password* is theirs; else :class:`AuthError` (the same for an unknown
        name and a wrong password, and taking the same time). Repeated failures for one name
        are slowed down (:class:`LoginThrottle`)."""
        key = str(name).strip()
        wait = self.throttle.delay(key)
        if wait:
            time.sleep(wait)
        with self.db.transaction() as tx:
            row = tx.execute("SELECT name, role, created, password_hash FROM users"
                             " WHERE name = %s", (key,)).fetchone()
        digest = row[3] if row else self._dummy
        try:
            self.hasher.verify(digest, str(password))
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            self.throttle.failed(key)
            raise AuthError(Message("accounts.login_failed", {})) from None
        if row is None:  # the dummy cannot match, but never let it log anyone in
            self.throttle.failed(key)
            raise AuthError(Message("accounts.login_failed", {}))
        self.throttle.succeeded(key)
        if self.hasher.check_needs_rehash(digest):
            with self.db.transaction() as tx:
                tx.execute("UPDATE users SET password_hash = %s WHERE name = %s",
                           (self.hasher.hash(str(password)), row[0]))
        return User(row[0], row[1], row[2])

    # shares
    def share(self, scenario_id: str, *, owner: str, grantee: str, can_edit: bool) -> Share:
        """Record that *owner* shares *scenario_id* with *grantee* (replacing an earlier share).

        The caller (:class:`planning.team_store.TeamStore`) has checked that *owner* owns it.
        """
        if grantee == owner:
            raise AuthError(Message("accounts.share_self", {}))
        with self.db.transaction() as tx:
            if grantee != TEAM and not tx.execute(
                    "SELECT 1 FROM users WHERE name = %s", (grantee,)).fetchone():
                raise AuthError(Message("accounts.no_user", {"name": grantee}))
            tx.execute("DELETE FROM shares WHERE scenario_id = %s AND grantee = %s",
                       (scenario_id, grantee))
            tx.execute("INSERT INTO shares (scenario_id, owner, grantee, can_edit)"
                       " VALUES (%s, %s, %s, %s)",
                       (scenario_id, owner, grantee, int(bool(can_edit))))
        return Share(scenario_id, owner, grantee, bool(can_edit))

    def unshare(self, scenario_id: str, *, owner: str, grantee: str) -> bool:
        """Withdraw a share; return whether there was one."""
        with self.db.transaction() as tx:
            n = tx.execute("DELETE FROM shares WHERE scenario_id = %s AND owner = %s"
                           " AND grantee = %s", (scenario_id, owner, grantee)).rowcount
        return n > 0

    def forget_scenario(self, scenario_id: str, *, owner: str) -> None:
        """Withdraw every share of a deleted scenario."""
        with self.db.transaction() as tx:
            tx.execute("DELETE FROM shares WHERE scenario_id = %s AND owner = %s",
                       (scenario_id, owner))

    def shares_of(self, scenario_id: str, *, owner: str) -> builtins.list[Share]:
        """Shares *owner* gave of *scenario_id*."""
        with self.db.transaction() as tx:
            rows = tx.execute("SELECT scenario_id, owner, grantee, can_edit FROM shares"
                              " WHERE scenario_id = %s AND owner = %s ORDER BY grantee",
                              (scenario_id, owner)).fetchall()
        return [Share(r[0], r[1], r[2], bool(r[3])) for r in rows]

    def shared_with(self, user: str) -> builtins.list[Share]:
        """Shares *user* receives (by name or as one of the team), the strongest per scenario.

        Their own scenarios are left out.
        """
        with self.db.transaction() as tx:
            rows = tx.execute("SELECT scenario_id, owner, grantee, can_edit FROM shares"
                              " WHERE (grantee = %s OR grantee = %s) AND owner <> %s",
                              (user, TEAM, user)).fetchall()
        best: dict[str, Share] = {}
        for r in rows:
            s = Share(r[0], r[1], r[2], bool(r[3]))
            if s.scenario_id not in best or (s.can_edit and not best[s.scenario_id].can_edit):
                best[s.scenario_id] = s
        return builtins.list(best.values())

    def access(self, scenario_id: str, *, user: str) -> Share | None:
        """The strongest share of *scenario_id* that *user* receives, or None."""
        with self.db.transaction() as tx:
            rows = tx.execute("SELECT scenario_id, owner, grantee, can_edit FROM shares"
                              " WHERE scenario_id = %s AND (grantee = %s OR grantee = %s)"
                              " AND owner <> %s ORDER BY can_edit DESC",
                              (scenario_id, user, TEAM, user)).fetchall()
        return Share(rows[0][0], rows[0][1], rows[0][2], bool(rows[0][3])) if rows else None
