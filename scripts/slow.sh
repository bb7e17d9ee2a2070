#!/usr/bin/env bash
# `make slow`: a sign-in on a slow phone network, measured by Playwright in Chromium
# (end2end/slow/slow-network.spec.ts: Lighthouse's mobile profile, 150 ms round trip,
# 1.6 Mbit/s down, 750 kbit/s up, 4x CPU slowdown, a cold cache each run) against the
# release site (`make site`) on a fresh SQLite database, the server at its defaults
# but for the registration limit (the runs' accounts are made through the API).
# Prints the medians and each run. SLOW_RUNS (default 5).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x target/release/baton ] && [ -d target/site/pkg ] || { echo "slow: build the release site first (make site)"; exit 1; }
tmp=$(mktemp -d)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
env LEPTOS_SITE_ADDR="127.0.0.1:$port" DATABASE_URL="sqlite://$tmp/slow.db" BATON_OUTBOX="$tmp/outbox" \
  BATON_REGISTER_LIMIT=100000 BATON_TRUSTED_PROXIES=127.0.0.1 BATON_LOG=warn BATON_METRICS_ADDR= \
  BATON_BREACHED_PASSWORDS_URL= BATON_SHUTDOWN_DELAY=0s target/release/baton >"$tmp/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
export PATH="$PWD/end2end/node_modules/.bin:$PATH"
(cd end2end && BASE_URL="http://127.0.0.1:$port" SLOW_OUT="$tmp/slow.txt" npx playwright test -c slow.config.ts) ||
  { tail -n 40 "$tmp/server.log"; exit 1; }
echo
cat "$tmp/slow.txt"
