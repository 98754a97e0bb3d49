#!/usr/bin/env bash
# A throw-away local PostgreSQL with PostGIS for the tests and the load test.
#
#   bash scripts/pg_test_server.sh start DIR   # new cluster in DIR, prints its connection URL
#   bash scripts/pg_test_server.sh stop DIR    # stop it and delete DIR
#
# The server listens on a unix socket in DIR only (no TCP port), trusts local connections and
# runs with fsync off: it is for tests, never for data anyone wants to keep. As root the server
# runs as the `postgres` system user (Debian's postgresql package creates it).
# Installs nothing: scripts/setup.sh --dev installs Debian's postgresql and postgis.
set -euo pipefail
action=${1:?usage: pg_test_server.sh start|stop DIR}
dir=${2:?usage: pg_test_server.sh start|stop DIR}
port=${PGTEST_PORT:-5432}   # only names the socket file; nothing listens on TCP
db=${PGTEST_DB:-yilao_test}

bindir() {
  if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
    pg_config --bindir
    return
  fi
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$d" ] || { echo "PostgreSQL is not installed (apt-get install postgresql postgis)" >&2; exit 1; }
  echo "$d"
}

as_db_user() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

case "$action" in
  start)
    bin=$(bindir)
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres: "$dir"
    chmod 700 "$dir"
    as_db_user "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
      >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    as_db_user "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses='' -c unix_socket_directories='$dir' -p $port \
          -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
      start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    as_db_user "$bin/psql" -h "$dir" -p "$port" -U postgres -d postgres -q -v ON_ERROR_STOP=1 \
      -c "CREATE DATABASE $db" >/dev/null
    as_db_user "$bin/psql" -h "$dir" -p "$port" -U postgres -d "$db" -q -v ON_ERROR_STOP=1 \
      -c "CREATE EXTENSION postgis" >/dev/null
    echo "postgresql://postgres@/$db?host=$dir&port=$port"
    ;;
  stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
      as_db_user "$(bindir)/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: pg_test_server.sh start|stop DIR" >&2
    exit 2
    ;;
esac
