#!/usr/bin/env bash
# Starts a throwaway PostgreSQL 15 cluster on loopback for the tests (root, no systemd) and
# exports SIMGATE_TEST_POSTGRES_URL. Source it: `. .ci/start-postgres.sh`.
set -euo pipefail

PG_PORT="${SIMGATE_TEST_POSTGRES_PORT:-55432}"
PG_DIR="${SIMGATE_TEST_POSTGRES_DIR:-/tmp/simgate-ci-postgres}"

if ! command -v pg_createcluster >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  echo "Installing PostgreSQL from apt..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql >/dev/null
fi
PG_VERSION=$(ls /usr/lib/postgresql | sort -n | tail -n 1)

# A cluster left from an earlier run whose data directory is gone cannot start: drop it.
if pg_lsclusters -h 2>/dev/null | awk '{print $1, $2}' | grep -qx "$PG_VERSION simgate" && [ ! -f "$PG_DIR/PG_VERSION" ]; then
  pg_dropcluster --stop "$PG_VERSION" simgate || true
fi
if ! pg_lsclusters -h 2>/dev/null | awk '{print $1, $2}' | grep -qx "$PG_VERSION simgate"; then
  rm -rf "$PG_DIR"
  # Tests only: durability is not needed, speed is.
  pg_createcluster "$PG_VERSION" simgate -p "$PG_PORT" -d "$PG_DIR" --start-conf=manual -- -A trust >/dev/null
  printf "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\nmax_connections = 300\n" \
    >> "/etc/postgresql/$PG_VERSION/simgate/postgresql.conf"
fi
if ! pg_lsclusters -h | awk '$1 == "'"$PG_VERSION"'" && $2 == "simgate" {print $4}' | grep -q online; then
  pg_ctlcluster "$PG_VERSION" simgate start
fi

for _ in $(seq 1 50); do
  psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -c "SELECT 1" >/dev/null 2>&1 && break
  sleep 0.2
done
psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -tc "SELECT 1 FROM pg_database WHERE datname = 'simgate_test'" | grep -q 1 \
  || psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -c "CREATE DATABASE simgate_test" >/dev/null

export SIMGATE_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$PG_PORT/simgate_test"
echo "PostgreSQL $PG_VERSION ready at $SIMGATE_TEST_POSTGRES_URL"
