#!/usr/bin/env bash
# The HTTP integration tests (tests/http), on SQLite and on a real, throwaway
# PostgreSQL, with real OpenID Providers (scripts/oidc.sh): `main`, an independent
# `second` issuer, and `short`, whose authorization codes expire after a second.
# Extra arguments go to the test binary's filter, e.g.
#   scripts/http.sh rotation::sqlite
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/pg.sh
. scripts/oidc.sh
trap 'pg_stop; oidc_stop' EXIT
pg_start
oidc_start main
oidc_start second
oidc_start short OIDC_CODE_TTL=1
# The integration tests mostly wait on sockets and timers: run more than one per core.
# TEST_PROFILE=release runs them from `make test`'s release build (scripts/test.sh).
RUST_TEST_THREADS="${RUST_TEST_THREADS:-6}" cargo test ${TEST_PROFILE:+--profile "$TEST_PROFILE"} --features ssr --test http -- "$@"
