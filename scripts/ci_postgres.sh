#!/usr/bin/env bash
# Start a throw-away PostgreSQL server on 127.0.0.1 for the store tests.
#
# Installs Debian's postgresql package when no server binaries are found, initialises a
# cluster in a temporary directory as the postgres user, starts it on 127.0.0.1:$PGPORT
# (default 54329), creates the database "hjemmetjeneste_test" and prints one line for eval:
#
#   eval "$(bash scripts/ci_postgres.sh)"   # sets HJEMMETJENESTE_TEST_POSTGRES_URL
#
# Everything else goes to stderr. When it starts a server it also exports
# HJEMMETJENESTE_TEST_POSTGRES_DATA, its data directory; stop that server (and remove the
# directory) with: bash scripts/ci_postgres.sh stop "$HJEMMETJENESTE_TEST_POSTGRES_DATA".
set -euo pipefail

PGPORT="${PGPORT:-54329}"
DB_NAME="hjemmetjeneste_test"

find_bindir() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    if [[ -x "$dir/initdb" && -x "$dir/pg_ctl" ]]; then
      echo "$dir"
    fi
  done | sort -V | tail -n 1
}

as_postgres() {
  if [[ "$(id -u)" == "0" ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

BINDIR="$(find_bindir)"
if [[ "${1:-}" == "stop" ]]; then
  DATA_DIR="${2:?usage: ci_postgres.sh stop DATA_DIR}"
  as_postgres "$BINDIR/pg_ctl" -D "$DATA_DIR" -m fast -w stop >&2
  rm -rf "$DATA_DIR"
  exit 0
fi
if [[ -z "$BINDIR" ]]; then
  echo "ci_postgres: installing PostgreSQL from Debian packages" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
  BINDIR="$(find_bindir)"
fi
if [[ -z "$BINDIR" ]]; then
  echo "ci_postgres: no PostgreSQL server binaries found after installing" >&2
  exit 1
fi

if [[ "$(id -u)" == "0" ]] && ! id postgres >/dev/null 2>&1; then
  useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
fi

# Reuse a server already answering on the port (e.g. a second run in the same session).
if "$BINDIR/pg_isready" -q -h 127.0.0.1 -p "$PGPORT"; then
  echo "ci_postgres: reusing the server on 127.0.0.1:$PGPORT" >&2
else
  DATA_DIR="$(mktemp -d /tmp/hjemmetjeneste-pg.XXXXXX)"
  if [[ "$(id -u)" == "0" ]]; then
    chown postgres:postgres "$DATA_DIR"
  fi
  as_postgres "$BINDIR/initdb" -D "$DATA_DIR" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >&2
  as_postgres "$BINDIR/pg_ctl" -D "$DATA_DIR" -l "$DATA_DIR/server.log" -w -t 60 \
    -o "-h 127.0.0.1 -p $PGPORT -k $DATA_DIR -c fsync=off" start >&2
  echo "ci_postgres: server started, data directory $DATA_DIR" >&2
  echo "export HJEMMETJENESTE_TEST_POSTGRES_DATA=$DATA_DIR"
fi

if ! "$BINDIR/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -tAc \
  "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'" | grep -q 1; then
  "$BINDIR/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres "$DB_NAME"
fi

echo "export HJEMMETJENESTE_TEST_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:$PGPORT/$DB_NAME"
