#!/usr/bin/env bash
# Runs the Playwright suite against the release build: starts target/release/baton on a
# free loopback port with a throwaway SQLite database and short token lifetimes (so the
# suite sees access tokens expire and renew), waits for /healthz, runs the suite
# headless in Chromium, then stops the server. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

tmp=$(mktemp -d)
port=$(free_port)
server_pid=
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" && wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

export LEPTOS_SITE_ADDR="127.0.0.1:$port"
export DATABASE_URL="sqlite://$tmp/e2e.db"
export BATON_ACCESS_TTL="${BATON_ACCESS_TTL:-3s}"
export BATON_CLOCK_LEEWAY="${BATON_CLOCK_LEEWAY:-0s}"
export BATON_LOGIN_MAX_FAILURES="${BATON_LOGIN_MAX_FAILURES:-1000}"
export RUST_LOG="${RUST_LOG:-baton=info,tower_http=warn}"

target/release/baton >"$tmp/server.log" 2>&1 &
server_pid=$!

for _ in $(seq 1 100); do
  if curl -fsS "http://$LEPTOS_SITE_ADDR/healthz" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$server_pid" 2>/dev/null; then cat "$tmp/server.log"; echo "e2e: server exited" >&2; exit 1; fi
  sleep 0.1
done

status=0
(cd end2end && BASE_URL="http://$LEPTOS_SITE_ADDR" npx playwright test) || status=$?
if [ "$status" -ne 0 ]; then
  echo "---- server log (last 80 lines) ----"
  tail -n 80 "$tmp/server.log"
fi
exit "$status"
