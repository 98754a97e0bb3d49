#!/usr/bin/env bash
# The team server: the planning app for a bureau's intranet, with logins and the scenarios of
# everyone in PostgreSQL with PostGIS. One command:
#
#   bash scripts/team_server.sh                          # run it: http://THIS-HOST:8501
#   bash scripts/team_server.sh users add wang --admin   # manage accounts (same database)
#
# The database is YILAO_DATABASE_URL when set (an existing PostgreSQL with the postgis
# extension). Otherwise this script keeps its own PostgreSQL cluster in YILAO_PG_DIR (default
# /var/lib/yilao-yixiao/postgres as root, else ~/.local/share/yilao-yixiao/postgres), made on
# first use, reachable only through a unix socket in that folder, and stopped with the server.
# ADDRESS (default 0.0.0.0: the intranet) and PORT (default 8501) say where the app listens;
# put it behind the bureau's HTTPS proxy so that passwords never cross the network in clear.
# Extra arguments of the run go to streamlit.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
PY=.venv/bin/python

started_pg=""
stop_pg() {
  if [ -n "$started_pg" ]; then
    as_db_user "$bin/pg_ctl" -D "$started_pg" -m fast -w stop >/dev/null 2>&1 || true
  fi
}
as_db_user() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [ -z "${YILAO_DATABASE_URL:-}" ]; then
  if ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null \
     || ! compgen -G "/usr/share/postgresql/*/extension/postgis.control" >/dev/null; then
    if [ "$(id -u)" = 0 ]; then
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql postgis >/dev/null
    else
      echo "error: PostgreSQL with PostGIS is not installed: apt-get install postgresql postgis," \
           "or set YILAO_DATABASE_URL to an existing database" >&2
      exit 2
    fi
  fi
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  if [ "$(id -u)" = 0 ]; then
    dir=${YILAO_PG_DIR:-/var/lib/yilao-yixiao/postgres}
  else
    dir=${YILAO_PG_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/yilao-yixiao/postgres}
  fi
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres: "$dir"
  chmod 700 "$dir"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    echo "creating the scenario database in $dir"
    as_db_user "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
      >"$dir/initdb.log"
    fresh=1
  fi
  if ! as_db_user "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    as_db_user "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 120 \
      -o "-c listen_addresses='' -c unix_socket_directories='$dir'" start >/dev/null
    started_pg="$dir/data"
    trap stop_pg EXIT
    trap 'exit 130' INT TERM
  fi
  if [ -n "${fresh:-}" ]; then
    as_db_user "$bin/psql" -h "$dir" -U postgres -d postgres -q -v ON_ERROR_STOP=1 \
      -c "CREATE DATABASE yilao" >/dev/null
    as_db_user "$bin/psql" -h "$dir" -U postgres -d yilao -q -v ON_ERROR_STOP=1 \
      -c "CREATE EXTENSION postgis" >/dev/null
  fi
  export YILAO_DATABASE_URL="postgresql://postgres@/yilao?host=$dir"
fi
export YILAO_MODE=team

if [ "${1:-}" = "users" ]; then
  shift
  "$PY" -m planning users "$@"
  exit $?
fi

if ! "$PY" -c "
from planning.store_factory import open_accounts
accounts, closer = open_accounts()
n = len(accounts.list())
closer.close()
raise SystemExit(0 if n else 3)"; then
  echo "No user yet. Add the first administrator, then start the server again:" >&2
  echo "  bash scripts/team_server.sh users add NAME --admin" >&2
  exit 2
fi
echo "Starting the team server: open http://$(hostname -f 2>/dev/null || hostname):${PORT:-8501}"
"$PY" -m streamlit run app.py --server.headless true --server.address "${ADDRESS:-0.0.0.0}" \
  --server.port "${PORT:-8501}" --browser.gatherUsageStats false "$@"
