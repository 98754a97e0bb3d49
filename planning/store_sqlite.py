"""The SQLite scenario store, safe with several writing processes.

:class:`planning.scenarios.ScenarioStore` serialises the threads of one process, but separate
processes (two app servers, command-line runs, scripts) on one file meet only in SQLite's busy
handler: it polls, is not fair, and gives up after its timeout, so under load some saves failed
with "database is locked" (8 processes × 20 saves of 1,000-area scenarios lost 10–11 saves).

:class:`SQLiteScenarioStore` queues writers instead: each save and delete first takes an
exclusive lock on a file beside the database (``scenarios.sqlite.lock``, :func:`fcntl.flock`;
released by the system if the process dies), so that writers wait their turn rather than time
out; readers are not queued (WAL lets them read while one writes). SQLite's own busy timeout is
raised to cover the rest (a checkpoint, a writer that does not use this class). The interface and
the file are those of :class:`ScenarioStore`. No Streamlit here.
"""

from __future__ import annotations

import builtins
import fcntl
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from planning.scenarios import Scenario, ScenarioStore

BUSY_TIMEOUT_MS = 120_000
_ATTEMPTS = 5


class SQLiteScenarioStore(ScenarioStore):
    """:class:`ScenarioStore` whose saves and deletes queue across processes (see above).

    Parameters
    ----------
    path : path-like, optional
        The database file (default :func:`planning.scenarios.default_path`), or ``":memory:"``.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None):
        super().__init__(path)
        self._conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        self._lock_path = None if self.path == ":memory:" else Path(self.path + ".lock")

    @contextmanager
    def _writer_turn(self) -> Iterator[None]:
        """Hold the thread lock and the file lock of the writers."""
        with self._lock:
            if self._lock_path is None:
                yield
                return
            fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                yield
            finally:
                os.close(fd)  # releases the lock

    def _retry(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        for attempt in range(_ATTEMPTS):
            try:
                return fn(*args, **kwargs)
            except sqlite3.OperationalError as exc:
                busy = "locked" in str(exc) or "busy" in str(exc)
                if not busy or attempt == _ATTEMPTS - 1:
                    raise
                time.sleep(0.2 * (attempt + 1))
        raise AssertionError("unreachable")

    def save(self, scenario: Scenario, *, owner: str) -> str:
        """Save *scenario* for *owner* in one transaction, after the writers before it."""
        with self._writer_turn():
            return str(self._retry(self._save_unlocked, scenario, owner=owner))

    def delete(self, scenario_id: str, *, owner: str) -> bool:
        """Delete a scenario of *owner*, after the writers before it."""
        with self._writer_turn():
            return bool(self._retry(self._delete_unlocked, scenario_id, owner=owner))

    def list(self, *, owner: str, kind: str | None = "scenario"
             ) -> builtins.list[dict[str, Any]]:
        """Records of *owner* of *kind*, oldest first (see :meth:`ScenarioStore.list`)."""
        return self._retry(super().list, owner=owner, kind=kind)  # type: ignore[no-any-return]

    def load(self, scenario_id: str, *, owner: str, layers: bool = True) -> Scenario:
        """Scenario *scenario_id* of *owner* (see :meth:`ScenarioStore.load`)."""
        return self._retry(super().load, scenario_id,  # type: ignore[no-any-return]
                           owner=owner, layers=layers)
