# A throwaway PostgreSQL for the server tests, sourced by tests/run.sh.
# Starts a cluster in a temporary folder on 127.0.0.1 with a free port, exports
# LABOUR_SURVEY_TEST_PG for the tests, and stops and removes it when the shell exits.
# Set LABOUR_SURVEY_TEST_PG yourself to use a PostgreSQL you already run (a superuser URL).

start_test_postgres() {
  [ -n "${LABOUR_SURVEY_TEST_PG:-}" ] && return 0
  local bindir
  bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  if [ -z "$bindir" ]; then
    echo "PostgreSQL is not installed: the PostgreSQL server tests will be skipped" >&2
    return 0
  fi
  PG_TEST_DIR=$(mktemp -d /tmp/labour-survey-pg.XXXXXX)
  local port as=()
  port=$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  # PostgreSQL refuses to run as root: as root, run it as the postgres user the package made.
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres "$PG_TEST_DIR"
    as=(runuser -u postgres --)
  fi
  "${as[@]}" "$bindir/initdb" -D "$PG_TEST_DIR/data" -U postgres -A trust --no-sync -E UTF8 >"$PG_TEST_DIR/initdb.log" 2>&1 \
    || { cat "$PG_TEST_DIR/initdb.log" >&2; return 1; }
  "${as[@]}" "$bindir/pg_ctl" -D "$PG_TEST_DIR/data" -l "$PG_TEST_DIR/server.log" -w \
    -o "-p $port -k $PG_TEST_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null \
    || { cat "$PG_TEST_DIR/server.log" >&2; return 1; }
  PG_TEST_CTL=("${as[@]}" "$bindir/pg_ctl" -D "$PG_TEST_DIR/data" -m immediate stop)
  export LABOUR_SURVEY_TEST_PG="postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
  trap stop_test_postgres EXIT
}

stop_test_postgres() {
  [ -n "${PG_TEST_DIR:-}" ] || return 0
  "${PG_TEST_CTL[@]}" >/dev/null 2>&1 || true
  rm -rf "$PG_TEST_DIR"
}
