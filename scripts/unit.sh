#!/usr/bin/env bash
# Rust unit and HTTP integration tests, on SQLite and on a real, throwaway PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/pg.sh
trap pg_stop EXIT
pg_start
# The integration tests mostly wait on sockets and timers: run more than one per core.
RUST_TEST_THREADS="${RUST_TEST_THREADS:-6}" cargo test --features ssr "$@"
