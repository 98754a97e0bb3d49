#!/usr/bin/env bash
# The test command of the README: set up .venv with the dev requirements, then run pytest.
# Extra arguments go to pytest (e.g. `bash scripts/test.sh -m slow`).
# A throw-away PostgreSQL with PostGIS is started for the tests of the team server's store and
# stopped afterwards, also when tests fail or the run is interrupted.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --dev
.venv/bin/python -m ruff check .
.venv/bin/python -m mypy

pgdir=$(mktemp -d "${TMPDIR:-/tmp}/yilao-pg.XXXXXX")
stop_pg() { bash scripts/pg_test_server.sh stop "$pgdir" || true; }
trap stop_pg EXIT
trap 'exit 130' INT TERM
if url=$(bash scripts/pg_test_server.sh start "$pgdir"); then
  export YILAO_TEST_DATABASE_URL="$url"
else
  echo "note: could not start PostgreSQL; its tests are skipped (and fail when CI is set)" >&2
fi
.venv/bin/python -m pytest "$@"
