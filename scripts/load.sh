#!/usr/bin/env bash
# Refresh rotations per second, SQLite then PostgreSQL, with the same load command
# (benches/load/refresh_load.rs) against the release server. Usage: scripts/load.sh [seconds] [clients]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/pg.sh
seconds=${1:-10}
clients=${2:-16}
tmp=$(mktemp -d)
# Mails (verification, new devices) go to a throwaway folder, not ./outbox.
export BATON_OUTBOX="$tmp/outbox"
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  pg_stop
  rm -rf "$tmp"
}
trap cleanup EXIT

cargo build --release --features ssr --bin baton --example refresh_load -q

run_against() {
  local label=$1 url=$2 port
  port=$(pg_free_port)
  DATABASE_URL=$url LEPTOS_SITE_ADDR=127.0.0.1:$port BATON_LOG=baton=warn BATON_METRICS_ADDR= BATON_BREACHED_PASSWORDS_URL= BATON_SIGN_IN_BURST=100000000 target/release/baton &
  server_pid=$!
  until curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do sleep 0.1; done
  printf '%-11s ' "$label:"
  target/release/examples/refresh_load "http://127.0.0.1:$port" "$seconds" "$clients"
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true
  server_pid=
}

run_against SQLite "sqlite://$tmp/load.db"
pg_start >/dev/null
# The load runs against a cluster with production durability (fsync on), unlike the
# test cluster.
pg_durable
run_against PostgreSQL "$BATON_TEST_POSTGRES_URL"
