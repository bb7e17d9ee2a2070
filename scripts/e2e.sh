#!/usr/bin/env bash
# Runs the Playwright suite against the release build. Three servers, each on a free
# loopback port with a throwaway SQLite database:
#   BASE_URL    short lifetimes (access tokens live 3 s), so the suite sees tokens
#               expire and renew, again and again;
#   STEADY_URL  the default 15-minute access tokens, for tests that count requests
#               and must not meet a scheduled renewal in the middle;
#   SUDO_URL    sensitive actions want a sign-in of the last 3 seconds, so the
#               re-authentication prompt can be seen without waiting ten minutes.
# Every test signs up from 127.0.0.1, so the per-address limits are lifted here.
# Mail: the steady server sends through a real SMTP conversation to the suite's own
# listener (end2end/smtp-inbox.mjs), the other two write their mails as files; either
# way each server's mails land in a folder of its own, which the suite reads
# (BASE_OUTBOX, STEADY_OUTBOX, SUDO_OUTBOX) as a person reads their inbox.
# The steady server also offers "Continue with Test ID", a real OpenID Provider on
# loopback (scripts/oidc.sh).
# Waits for /healthz, runs the suite headless in Chromium, stops the servers, and
# exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

tmp=$(mktemp -d)
. scripts/oidc.sh
cleanup() {
  oidc_stop
  for pidfile in "$tmp"/*.pid; do
    [ -e "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    kill -TERM "$pid" 2>/dev/null || true
    # SIGTERM drains requests in flight; give it a moment before giving up on it.
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  done
  rm -rf "$tmp"
}
trap cleanup EXIT

# start_server NAME VAR=VALUE… : starts a server, prints its URL once it answers
# (it runs in a command substitution, so the pid goes to a file for cleanup).
start_server() {
  local name=$1; shift
  local port; port=$(free_port)
  env LEPTOS_SITE_ADDR="127.0.0.1:$port" DATABASE_URL="sqlite://$tmp/$name.db" BATON_OUTBOX="$tmp/$name-outbox" \
    BATON_CLOCK_LEEWAY=0s BATON_LOGIN_MAX_FAILURES=1000 BATON_REGISTER_LIMIT=100000 BATON_RESET_LIMIT=100000 BATON_SIGN_IN_BURST=100000 BATON_LOG="${BATON_LOG:-baton=info,tower_http=warn}" BATON_METRICS_ADDR= BATON_BREACHED_PASSWORDS_URL= BATON_SHUTDOWN_DELAY=0s \
    "$@" target/release/baton >"$tmp/$name.log" 2>&1 &
  echo $! >"$tmp/$name.pid"
  for _ in $(seq 1 100); do
    if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then
      echo "http://127.0.0.1:$port"
      return
    fi
    sleep 0.1
  done
  cat "$tmp/$name.log" >&2
  echo "e2e: the $name server did not start" >&2
  return 1
}

smtp_port=$(free_port)
node end2end/smtp-inbox.mjs "$smtp_port" "$tmp/steady-outbox" >"$tmp/smtp.log" 2>&1 &
echo $! >"$tmp/smtp.pid"
for _ in $(seq 1 100); do
  grep -q listening "$tmp/smtp.log" 2>/dev/null && break
  sleep 0.1
done

# A real OpenID Provider (end2end/oidc-provider.mjs) for "Continue with Test ID" on the
# steady server, configured as an operator would: a [[baton.providers]] table in a
# settings file, its secret in BATON_PROVIDER_TEST_SECRET.
oidc_start e2e
cat >"$tmp/providers.toml" <<TOML
[[baton.providers]]
id = "test"
name = "Test ID"
issuer = "$BATON_TEST_OIDC_E2E"
client_id = "baton"
TOML

BASE_URL=$(start_server short BATON_ACCESS_TTL=3s)
STEADY_URL=$(start_server steady BATON_SMTP_URL="smtp://127.0.0.1:$smtp_port?tls=none" \
  BATON_CONFIG="$tmp/providers.toml" BATON_PROVIDER_TEST_SECRET=baton-test-secret)
SUDO_URL=$(start_server sudo BATON_REAUTH_WINDOW=3s)
BASE_OUTBOX="$tmp/short-outbox" STEADY_OUTBOX="$tmp/steady-outbox" SUDO_OUTBOX="$tmp/sudo-outbox"
export BASE_URL STEADY_URL SUDO_URL BASE_OUTBOX STEADY_OUTBOX SUDO_OUTBOX
# The command line on each server's database, as an operator runs it (`baton users
# grant EMAIL admin` makes the suite's administrators).
BATON_BIN="$PWD/target/release/baton" BASE_DATABASE_URL="sqlite://$tmp/short.db"
STEADY_DATABASE_URL="sqlite://$tmp/steady.db" SUDO_DATABASE_URL="sqlite://$tmp/sudo.db"
export BATON_BIN BASE_DATABASE_URL STEADY_DATABASE_URL SUDO_DATABASE_URL

# The browser and the suite run in the idle scheduling class, the class the server's
# password hashers run in: on these two shared cores the browser is the "other work on
# the machine", and as an ordinary process it left the hashers almost no CPU, so a
# sign-up could wait past the suite's 10 s (CI saw it). In one class they share the
# cores fairly, and the server's request threads still come first, as in production.
status=0
(cd end2end && chrt --idle 0 npx playwright test "$@") || status=$?
if [ "$status" -ne 0 ]; then
  for name in short steady sudo; do
    echo "---- $name server log (last 40 lines) ----"
    tail -n 40 "$tmp/$name.log"
  done
  # A mail the suite waited for in vain: what the sender and the SMTP listener said.
  echo "---- steady server's mail lines (last 20) ----"
  grep -i 'mail' "$tmp/steady.log" | tail -n 20 || true
  echo "---- SMTP listener ($(find "$tmp/steady-outbox" -name '*.eml' | wc -l) mails received) ----"
  tail -n 20 "$tmp/smtp.log"
  # Last, so that a log cut to its end still says which test failed and why.
  echo "---- failed tests ----"
  cat end2end/test-results/failures.txt 2>/dev/null || echo "(no summary: Playwright stopped before reporting)"
fi
exit "$status"
