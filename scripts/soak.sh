#!/usr/bin/env bash
# `make soak`: does anything grow without bound? Ten minutes (SOAK, e.g. 600s) of
# refresh rotations (16 sessions) and Bearer GET /api/me (16 connections) at once,
# against the release build on SQLite, printing the server's RSS every 30 seconds.
# Every cache is bounded (access-token checks, accounts, revoked sessions); the RSS
# should level off after the first minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
SOAK=${SOAK:-600s}
PASSWORD="perf test password"
tmp=$(mktemp -d)
# Mails (verification, new devices) go to a throwaway folder, not ./outbox.
export BATON_OUTBOX="$tmp/outbox"
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
command -v wrk >/dev/null || { echo "soak: installing wrk"; apt-get install -y -qq wrk >/dev/null; }
[ -x target/release/baton ] || { echo "soak: build the release site first (make site)"; exit 1; }

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# One access token serves the whole /api/me half: it must outlive the soak (a 15-minute
# token turned every call of a 25-minute soak after its 15th minute into a 401).
env DATABASE_URL="sqlite://$tmp/soak.db" LEPTOS_SITE_ADDR="127.0.0.1:$port" BATON_LOG=warn BATON_METRICS_ADDR= BATON_BREACHED_PASSWORDS_URL= \
  BATON_ACCESS_TTL=1d BATON_REFRESH_LIMIT=100000000 BATON_REGISTER_LIMIT=100000000 BATON_SIGN_IN_BURST=100000000 target/release/baton >"$tmp/server.log" 2>&1 &
server_pid=$!
base="http://127.0.0.1:$port"
for _ in $(seq 1 200); do curl -fsS "$base/healthz" >/dev/null 2>&1 && break; sleep 0.05; done

: >"$tmp/sessions"
for _ in $(seq 1 17); do
  email="soak-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')@example.com"
  body=$(curl -fsS -D "$tmp/headers" --data-urlencode "email=$email" --data-urlencode "password=$PASSWORD" "$base/api/auth/register")
  grep -io '__Host-refresh_token=[^;]*' "$tmp/headers" | head -1 | cut -d= -f2 >>"$tmp/sessions"
  access=$(sed -E 's/.*"access_token":"([^"]+)".*/\1/' <<<"$body")
done

rss() { echo $(($(ps -o rss= -p "$server_pid") / 1024)); }
echo "soak: $SOAK of rotations and /api/me; RSS before: $(rss) MiB"
wrk -t1 -c16 -d"$SOAK" -s scripts/perf/rotate.lua "$base/api/auth/refresh" -- "$tmp/sessions" | grep '^RESULT' &
rotations=$!
wrk -t1 -c16 -d"$SOAK" -s scripts/perf/plain.lua -H "Authorization: Bearer $access" "$base/api/me" -- 200 | grep '^RESULT' &
me=$!
start=$SECONDS
while kill -0 "$rotations" 2>/dev/null; do
  sleep 30
  kill -0 "$server_pid" || { echo "soak: the server died"; cat "$tmp/server.log"; exit 1; }
  echo "soak: $((SECONDS - start)) s, RSS $(rss) MiB, database $(du -sm "$tmp" | cut -f1) MiB"
done
wait "$rotations" "$me"
echo "soak: RSS after: $(rss) MiB"
