#!/usr/bin/env bash
# `make scale`: Baton with a million accounts. A fresh database, migrated by the release
# server and filled by the seeder (benches/load/seed.rs: 1,000,000 accounts, 2,000,000
# sessions holding 10,000,000 refresh tokens, 20,000,000 security events, passkeys,
# TOTP, administrators' actions; other sizes from ACCOUNTS, SESSIONS, TOKENS, EVENTS, …
# as the seeder reads them), then its size. $SCALE_DB names it (the SQLite file, or the
# PostgreSQL URL) for the measurements against it.
# Usage: scripts/scale.sh [sqlite|postgres]
# SCALE_DIR: where the SQLite database goes (default: a temporary directory, removed at
# the end; a full seed takes about 17 GB). BATON_BIN, SEED_BIN: other builds of the
# server and the seeder (default: the release builds; the seeder is built if need be).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/pg.sh
which=${1:-sqlite}
case "$which" in
  sqlite | postgres) ;;
  *) echo "usage: scripts/scale.sh [sqlite|postgres]" >&2; exit 2 ;;
esac

bin=${BATON_BIN:-target/release/baton}
[ -x "$bin" ] || { echo "scale: build the release site first (make site)"; exit 1; }
seed=${SEED_BIN:-target/release/examples/seed}
[ -n "${SEED_BIN:-}" ] || cargo build --release --features ssr --example seed -q

if [ -n "${SCALE_DIR:-}" ]; then
  dir=$SCALE_DIR; mkdir -p "$dir"; own_dir=
else
  dir=$(mktemp -d); own_dir=$dir
fi
# Mails (new devices, verification) of the servers started against it go to a
# throwaway folder, not ./outbox.
export BATON_OUTBOX="$dir/outbox"
cleanup() {
  pg_stop
  [ -n "$own_dir" ] && rm -rf "$own_dir"
  return 0
}
trap cleanup EXIT

if [ "$which" = sqlite ]; then
  SCALE_DB="$dir/scale.db"
  rm -f "$SCALE_DB" "$SCALE_DB-wal" "$SCALE_DB-shm"
  url="sqlite://$SCALE_DB"
else
  pg_start
  SCALE_DB=$BATON_TEST_POSTGRES_URL
  url=$SCALE_DB
fi
export SCALE_DB

DATABASE_URL="$url" "$bin" migrate
started=$SECONDS
"$seed" "$url"
echo "scale: seeded in $((SECONDS - started)) s"

if [ "$which" = sqlite ]; then
  bytes=0
  for file in "$SCALE_DB" "$SCALE_DB-wal"; do
    [ -f "$file" ] && bytes=$((bytes + $(stat -c %s "$file")))
  done
  echo "scale: $SCALE_DB is $bytes bytes ($(numfmt --to=iec-i --suffix=B "$bytes"))"
else
  psql_pg() { "$pg_bin/psql" -q -h 127.0.0.1 -p "$PG_PORT" -U baton -d postgres "$@"; }
  echo "scale: the database is $(psql_pg -At -c "SELECT pg_database_size(current_database()) || ' bytes (' \
    || pg_size_pretty(pg_database_size(current_database())) || ')'")"
  echo "scale: its 10 largest relations:"
  psql_pg -c "SELECT c.relname AS relation, \
      CASE c.relkind WHEN 'i' THEN 'index' ELSE 'table' END AS kind, \
      pg_size_pretty(pg_relation_size(c.oid)) AS size \
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'i') \
    ORDER BY pg_relation_size(c.oid) DESC LIMIT 10"
fi

# TODO: the perf rows against it (servers on "$SCALE_DB"; PostgreSQL was seeded with
# pg_start's fsync=off: turn durability on first, as scripts/perf.sh does).
