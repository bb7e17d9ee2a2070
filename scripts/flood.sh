#!/usr/bin/env bash
# Sign-in latency while another address floods registration (benches/load/signin_under_flood.rs),
# against a fresh release server on SQLite: once with the default registration limit,
# once with the limit lifted, so that only the bounded hashing queue protects sign-in.
# Usage: scripts/flood.sh [registrations] [workers]
set -euo pipefail
cd "$(dirname "$0")/.."
flood=${1:-300}
workers=${2:-32}
tmp=$(mktemp -d)
# Mails (verification, new devices) go to a throwaway folder, not ./outbox.
export BATON_OUTBOX="$tmp/outbox"
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

cargo build --release --features ssr --bin baton --example signin_under_flood -q

run() {
  local label=$1; shift
  local port; port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  env DATABASE_URL="sqlite://$tmp/$label.db" LEPTOS_SITE_ADDR=127.0.0.1:$port BATON_LOG=baton=error BATON_METRICS_ADDR= BATON_BREACHED_PASSWORDS_URL= "$@" \
    target/release/baton &
  server_pid=$!
  until curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do sleep 0.1; done
  echo "== $label"
  target/release/examples/signin_under_flood "http://127.0.0.1:$port" "$flood" "$workers"
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true
  server_pid=
}

run "default limits"
run "registration limit lifted" BATON_REGISTER_LIMIT=1000000
