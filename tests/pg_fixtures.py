"""Fixtures for tests that need PostgreSQL with PostGIS (imported by those test modules).

The server: ``$YILAO_TEST_DATABASE_URL`` when set (``scripts/test.sh`` starts one with
``scripts/pg_test_server.sh`` and sets it); otherwise this module starts a throw-away one the
same way for the test session and stops it at the end. When no server can be started the tests
are skipped, except in CI (``CI`` set), where they fail: there they must run.

Every test gets a schema of its own, dropped afterwards.
"""

from __future__ import annotations

import atexit
import os
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "pg_test_server.sh"


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL is needed in CI and could not be used: {reason}")
    pytest.skip(f"no PostgreSQL for the tests: {reason}")


_started: dict[str, str] = {}  # one server per test process, whichever module asks first


def _stop(folder: str) -> None:
    subprocess.run(["bash", str(SCRIPT), "stop", folder], capture_output=True, check=False)


def _start() -> str:
    """Start the server once; return its URL or raise RuntimeError with the reason."""
    if "url" in _started:
        return _started["url"]
    if "error" in _started:
        raise RuntimeError(_started["error"])
    folder = tempfile.mkdtemp(prefix="yilao-pg-")
    atexit.register(_stop, folder)
    try:
        done = subprocess.run(["bash", str(SCRIPT), "start", folder], capture_output=True,
                              text=True, timeout=180, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        _started["error"] = str(exc)
        raise RuntimeError(_started["error"]) from exc
    if done.returncode != 0 or not done.stdout.strip():
        _started["error"] = done.stderr.strip()[-2000:] or f"exit status {done.returncode}"
        raise RuntimeError(_started["error"])
    _started["url"] = done.stdout.strip().splitlines()[-1]
    return _started["url"]


@pytest.fixture(scope="session")
def pg_url() -> str:
    """URL of a PostgreSQL database with PostGIS, for the whole test session."""
    given = os.environ.get("YILAO_TEST_DATABASE_URL")
    if given:
        return given
    try:
        return _start()
    except RuntimeError as exc:
        _unavailable(str(exc))
        raise


@pytest.fixture
def pg_schema(pg_url: str) -> Iterator[str]:
    """A fresh schema name in the test database (dropped after the test)."""
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    yield name
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
