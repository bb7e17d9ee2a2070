# The helpers `make perf` (scripts/perf.sh) and `make scale` (scripts/scale.sh) share:
# a release server started on a database, sessions signed up on it, and wrk runs against
# it, each printing one RESULT line (scripts/perf/result.lua). Sourced; the script sets
# `tmp` (a scratch directory), `bin` (the server), PASSWORD, DURATION and WARMUP.

need() { # COMMAND DEBIAN-PACKAGE
  command -v "$1" >/dev/null || { echo "perf: installing $2"; apt-get install -y -qq "$2" >/dev/null; }
}
need wrk wrk

server_pid=
cores=$(nproc)
ticks=$(getconf CLK_TCK)
field() { grep -o "$1=[^ ]*" <<<"$2" | cut -d= -f2; }
cpu_ticks() { awk '{print $14+$15}' "/proc/$server_pid/stat"; }
now_ms() { date +%s%3N; }

# start_server URL: the server on a free port, the per-address and per-session limits
# lifted (the load comes from one address and sessions rotating hundreds of times a
# second), the request log at WARN; other BATON_* settings pass through from the
# caller's environment. Returns once /readyz answers 200, with $startup_ms the time
# from the process' start to that answer. Its log goes to $SERVER_LOG (default
# $tmp/server.log).
start_server() {
  local url=$1 started log=${SERVER_LOG:-$tmp/server.log}
  port=$(pg_free_port)
  started=$(now_ms)
  env DATABASE_URL="$url" LEPTOS_SITE_ADDR="127.0.0.1:$port" BATON_BREACHED_PASSWORDS_URL= BATON_LOG="${BATON_LOG:-warn}" BATON_SHUTDOWN_DELAY=0s \
    BATON_REFRESH_LIMIT=100000000 BATON_REGISTER_LIMIT=100000000 BATON_LOGIN_MAX_FAILURES=100000000 \
    BATON_SIGN_IN_BURST="${BATON_SIGN_IN_BURST:-100000000}" BATON_SIGN_IN_PAUSE="${BATON_SIGN_IN_PAUSE:-1s}" \
    BATON_TRUSTED_PROXIES=127.0.0.1 \
    "$bin" >"$log" 2>&1 &
  server_pid=$!
  base="http://127.0.0.1:$port"
  for _ in $(seq 1 1000); do
    if curl -fsS "$base/readyz" >/dev/null 2>&1; then
      startup_ms=$(($(now_ms) - started))
      return
    fi
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.01
  done
  cat "$log"; exit 1
}

stop_server() {
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=
}

rss_mib() { echo $(( $(ps -o rss= -p "$server_pid") / 1024 )); }

# new_sessions N FILE: N accounts signed up; their refresh tokens in FILE (and emails
# in FILE.emails, the last access token in $access).
# Each from an address of its own (X-Forwarded-For), as people sign up.
registered=0
new_sessions() {
  : >"$2"; : >"$2.emails"
  for _ in $(seq 1 "$1"); do
    local email="perf-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')@example.com"
    local body
    registered=$((registered + 1))
    body=$(curl -fsS -D "$tmp/headers" --data-urlencode "email=$email" --data-urlencode "password=$PASSWORD" \
      -H "X-Forwarded-For: 10.7.$((registered / 250)).$((registered % 250 + 1))" "$base/api/auth/register")
    grep -io '__Host-refresh_token=[^;]*' "$tmp/headers" | head -1 | cut -d= -f2 >>"$2"
    echo "$email" >>"$2.emails"
    access=$(sed -E 's/.*"access_token":"([^"]+)".*/\1/' <<<"$body")
  done
}

# sign_in EMAIL PASSWORD: the access token of a fresh sign-in.
sign_in() {
  curl -fsS --data-urlencode "email=$1" --data-urlencode "password=$2" -H "X-Forwarded-For: 10.8.0.1" \
    "$base/api/auth/login" | sed -E 's/.*"access_token":"([^"]+)".*/\1/'
}

prepare_rotations() { # CONNS: fresh sessions for a warm-up and for the measured run
  # One more than connections: wrk asks for one request more than it has connections.
  new_sessions "$(($1 + 1))" "$tmp/warm"
  new_sessions "$(($1 + 1))" "$tmp/sessions"
}

rotations() { # CONNS -> RESULT line of a measured run after a warm-up (prepare first)
  wrk -t1 -c"$1" -d"$WARMUP" -s scripts/perf/rotate.lua "$base/api/auth/refresh" -- "$tmp/warm" >/dev/null
  wrk -t1 -c"$1" -d"$DURATION" --latency -s scripts/perf/rotate.lua "$base/api/auth/refresh" -- "$tmp/sessions" |
    grep '^RESULT'
}

get() { # CONNS PATH EXPECTED-STATUS [header]
  local conns=$1 path=$2 expect=$3; shift 3
  wrk -t1 -c"$conns" -d"$WARMUP" "$@" "$base$path" >/dev/null
  wrk -t1 -c"$conns" -d"$DURATION" --latency -s scripts/perf/plain.lua "$@" "$base$path" -- "$expect" | grep '^RESULT'
}

# sign_ins CONNS DURATION EMAILS [wrk options]: CONNS clients signing in in a loop with
# the accounts in the file EMAILS (all with $PASSWORD).
sign_ins() {
  local conns=$1 duration=$2 emails=$3; shift 3
  wrk -t1 -c"$conns" -d"$duration" "$@" -s scripts/perf/login.lua "$base/api/auth/login" -- "$emails" "$PASSWORD"
}

row() { printf '| %s | %s |\n' "$1" "$2"; }
rate() { printf "%s/s (p50 %s ms, p99 %s ms)" "$(field rps "$1")" "$(field p50_ms "$1")" "$(field p99_ms "$1")"; }
