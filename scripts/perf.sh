#!/usr/bin/env bash
# `make perf`: Baton's performance table on this machine, with wrk from Debian against
# the release build. Each row is one run (DURATION, default 10s, after a 3s warm-up):
#   - refresh rotations/s, 16 sessions, on SQLite (synchronous=FULL) and on PostgreSQL
#     (a throwaway cluster with fsync on);
#   - Bearer GET /api/me at 16 connections, the same server's trivial JSON route
#     (GET /api/nope, a 404) as the ceiling, and /api/me's p99 at 64 connections;
#   - refreshes during a sign-in storm (16 clients signing in in a loop) against idle,
#     and the storm's own sign-ins/s and CPU alone;
#   - the bundle's bytes on the wire per encoding, brotli against the budget in the
#     README's table (past it the row says **over budget** and perf exits 1 at the end);
#     the server's RSS after the runs;
#   - `flood`: one client flooding sign-in beside 8 sessions refreshing, with the
#     in-memory shedding lifted, answering at once, and at its defaults: rotations
#     against idle, and the server CPU each flood request costs;
#   - `observe`: what the metrics cost, rotations and /api/me with metrics off and on,
#     alternating (OBSERVE_ROUNDS, default 3, of each), each on a fresh server.
# The request log is at WARN (BATON_LOG), and the per-address/per-session limits are
# lifted: the load comes from one address and 16 sessions rotating hundreds of times a
# second. The storm's sign-ins name 16 client addresses in X-Forwarded-For (the server
# trusts 127.0.0.1 as its proxy), as sixteen people behind a load balancer would.
# Usage: scripts/perf.sh [sqlite|postgres|observe|flood|bundle|all]
#        scripts/perf.sh profile [storm]   (make profile: where a rotation's CPU goes)
# `profile` runs the SQLite rotation load (during a sign-in storm with `storm`) and
# records it with `perf` for PROFILE_SECONDS (default 5): it prints each thread's
# share of the machine's CPU and the functions that use most of it themselves, and
# writes a flame graph of the server to target/perf/ (inferno, installed if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/pg.sh
. scripts/perf/common.sh
which=${1:-all}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-3s}
PASSWORD="perf test password"
tmp=$(mktemp -d)
# Mails (verification, new devices) go to a throwaway folder, not ./outbox.
export BATON_OUTBOX="$tmp/outbox"
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  pg_stop
  rm -rf "$tmp"
}
trap cleanup EXIT

# BATON_BIN: another build of the server to measure (default: make site's).
bin=${BATON_BIN:-target/release/baton}
[ -x "$bin" ] || { echo "perf: build the release site first (make site)"; exit 1; }

# The bundle's budget on the wire, brotli, in KB (1,024 bytes): the README's table says
# it, with the reason whenever a feature raised it; `make perf` says **over budget** past it.
budget=$(grep -o 'bundle budget, brotli | [0-9]*' README.md | grep -o '[0-9]*$')
[ -n "$budget" ] || { echo "perf: no bundle budget in README.md"; exit 1; }
over_budget=

# profile [storm]: the rotation load recorded, see the top of this file.
profile() {
  local storm=${1:-} out=target/perf seconds=${PROFILE_SECONDS:-5} storm_pid=
  need perf linux-perf
  command -v inferno-flamegraph >/dev/null ||
    { echo "perf: installing inferno $INFERNO_VERSION"; cargo install inferno --version "$INFERNO_VERSION" --locked -q; }
  mkdir -p "$out"
  start_server "sqlite://$tmp/perf.db"
  prepare_rotations 16
  if [ -n "$storm" ]; then
    new_sessions 16 "$tmp/storm"
    sign_ins 16 "$((seconds + 8))s" "$tmp/storm.emails" >/dev/null &
    storm_pid=$!
  fi
  wrk -t1 -c16 -d"$WARMUP" -s scripts/perf/rotate.lua "$base/api/auth/refresh" -- "$tmp/warm" >/dev/null
  wrk -t1 -c16 -d"$((seconds + 4))s" --latency -s scripts/perf/rotate.lua "$base/api/auth/refresh" -- "$tmp/sessions" >"$tmp/wrk.out" &
  local wrk_pid=$!
  sleep 2
  # The whole machine without call stacks (who uses the cores), and the server with
  # DWARF call stacks (Rust builds keep no frame pointers) for the flame graph.
  perf record -q -a -F 999 -o "$tmp/all.data" -- sleep "$seconds" >/dev/null 2>&1 &
  local all_pid=$!
  perf record -q -F 499 --call-graph dwarf,16384 -p "$server_pid" -o "$tmp/server.data" -- sleep "$seconds" >/dev/null 2>&1
  wait "$all_pid" "$wrk_pid" ${storm_pid:+"$storm_pid"}
  echo "rotations while recorded: $(grep '^RESULT' "$tmp/wrk.out" | cut -d' ' -f4-)"
  # (sed, not head, below: head would end perf early, which pipefail counts as failure.)
  echo; echo "CPU of the machine by thread:"
  perf report -i "$tmp/all.data" --no-children --sort comm --stdio 2>/dev/null | grep '%' | grep -v '^#' | sed -n 1,8p
  echo; echo "the server's functions by their own CPU (of the server's):"
  perf report -i "$tmp/server.data" --no-children -g none --sort sym --stdio 2>/dev/null |
    grep '%' | grep -v '^#' | sed -n "1,${PROFILE_TOP:-20}p" | cut -c1-150
  local svg="$out/rotation${storm:+-storm}.svg"
  # --no-inline: resolving inlined frames through addr2line takes many minutes.
  perf script --no-inline -i "$tmp/server.data" 2>/dev/null | inferno-collapse-perf 2>/dev/null |
    inferno-flamegraph --title "Baton: refresh rotations${storm:+ during a sign-in storm}, SQLite" >"$svg"
  echo; echo "flame graph: $svg"
  stop_server
}

# observe: metrics off against on, side by side in one run (the request log is at
# WARN in both, as in every row here). Medians of the rounds, and on against off.
observe() {
  local rounds=${OBSERVE_ROUNDS:-3} mode addr rot me
  : >"$tmp/observe"
  for round in $(seq 1 "$rounds"); do
    for mode in off on; do
      addr=
      [ "$mode" = on ] && addr="127.0.0.1:$(pg_free_port)"
      BATON_METRICS_ADDR=$addr start_server "sqlite://$tmp/observe-$round-$mode.db"
      prepare_rotations 16
      rot=$(rotations 16)
      new_sessions 1 "$tmp/me"
      me=$(get 16 /api/me 200 -H "Authorization: Bearer $access")
      if [ "$mode" = on ]; then # the metrics were recorded, not skipped
        curl -fsS "http://$addr/metrics" | grep -q '^baton_refreshes_total{result="rotated"}' ||
          { echo "perf: no rotation metrics"; exit 1; }
      fi
      stop_server
      echo "$mode $(field rps "$rot") $(field rps "$me")" >>"$tmp/observe"
    done
  done
  python3 - "$tmp/observe" <<'PY'
import statistics, sys
runs = [line.split() for line in open(sys.argv[1])]
def med(mode, i): return statistics.median(float(r[i]) for r in runs if r[0] == mode)
for name, i in (("refresh rotations/s, SQLite, 16 sessions", 1), ("Bearer GET /api/me req/s, 16 connections", 2)):
    off, on = med("off", i), med("on", i)
    each = lambda mode: ", ".join(f"{float(r[i]):,.0f}" for r in runs if r[0] == mode)
    print(f"| {name}, metrics off / on (median of {len(runs)//2}) | {off:,.0f} / {on:,.0f}: on costs {100*(off-on)/off:+.1f} % (off {each('off')}; on {each('on')}) |")
PY
}

# flood SHEDDING: one client flooding sign-in (16 connections, one account, its right
# password, as fast as it can, from one address) beside 8 sessions refreshing. SHEDDING
# `on` keeps the in-memory shedding at its defaults (BATON_SIGN_IN_BURST, _RATE,
# _PAUSE); `unpaused` answers its refusals at once (what a refusal itself costs);
# `off` lifts it, so that only the database limits and the hashing queue stand in the way.
flood_rows() {
  local shedding=$1 email idle t0 alone used during flood_pid
  case $shedding in
    on) BATON_SIGN_IN_BURST=20 start_server "sqlite://$tmp/flood-$shedding.db" ;;
    unpaused) BATON_SIGN_IN_BURST=20 BATON_SIGN_IN_PAUSE=0s start_server "sqlite://$tmp/flood-$shedding.db" ;;
    off) start_server "sqlite://$tmp/flood-$shedding.db" ;;
  esac
  new_sessions 1 "$tmp/flooder"
  email=$(head -1 "$tmp/flooder.emails")
  prepare_rotations 8
  idle=$(rotations 8)
  row "shedding $shedding: refresh rotations, SQLite, 8 sessions, idle" "$(rate "$idle")"
  t0=$(cpu_ticks)
  alone=$(wrk -t1 -c16 -d"$DURATION" -s scripts/perf/flood.lua "$base/api/auth/login" -- "$email" "$PASSWORD" | grep '^FLOOD')
  used=$(($(cpu_ticks) - t0))
  row "shedding $shedding: one client flooding sign-in alone, 16 connections" \
    "$(field rps "$alone")/s answered (200: $(field s200 "$alone"), 429: $(field s429 "$alone"), 503: $(field s503 "$alone")), server CPU $(python3 -c "print(f'{1000*$used/$ticks/max(1,$(field total "$alone")):.3f}')") ms a request"
  prepare_rotations 8
  wrk -t1 -c16 -d"$(( ${DURATION%s} + 4 ))s" -s scripts/perf/flood.lua "$base/api/auth/login" -- "$email" "$PASSWORD" >"$tmp/flood.out" &
  flood_pid=$!
  sleep 1
  during=$(rotations 8)
  wait "$flood_pid"
  row "shedding $shedding: refresh rotations during the flood" "$(rate "$during")"
  row "shedding $shedding: during the flood, refresh p99 against idle / throughput against idle" \
    "$(python3 -c "print(f'{$(field p99_ms "$during")/$(field p99_ms "$idle"):.2f}x / {100*$(field rps "$during")/$(field rps "$idle"):.0f} %')")"
  stop_server
}

bundle_rows() { # the bundle's bytes on the wire, per encoding; brotli against the budget
  local pkg=target/site/pkg encoding total f n verdict
  [ -d "$pkg" ] || return 0
  for encoding in raw gz br; do
    total=0
    for f in "$pkg"/*.wasm "$pkg"/*.js "$pkg"/*.css; do
      case $encoding in
        raw) n=$(stat -c %s "$f") ;;
        gz) n=$( ([ -f "$f.gz" ] && cat "$f.gz" || gzip -9 -c "$f") | wc -c) ;;
        br) n=$( ([ -f "$f.br" ] && cat "$f.br" || brotli -c -q 11 "$f" 2>/dev/null || echo) | wc -c) ;;
      esac
      total=$((total + n))
    done
    verdict=
    # Brotli is what browsers fetch: past the budget the row says so, and perf fails.
    if [ "$encoding" = br ] && [ "$total" -gt $((budget * 1024)) ]; then
      verdict=" **over budget** ($budget KB, README): $(((total - budget * 1024 + 1023) / 1024)) KB over"
      over_budget=1
    elif [ "$encoding" = br ]; then
      verdict=", within the budget of $budget KB (README)"
    fi
    row "bundle on the wire (wasm + js + css), $encoding" "$total bytes ($((total / 1024)) KiB)$verdict"
  done
}

if [ "$which" = flood ]; then
  echo "| metric | measured |"; echo "|---|---|"
  flood_rows off
  flood_rows unpaused
  flood_rows on
  exit 0
elif [ "$which" = bundle ]; then
  echo "| metric | measured |"; echo "|---|---|"
  bundle_rows
  [ -z "$over_budget" ] || { echo; echo "perf: the bundle is over its budget (README.md)"; exit 1; }
  exit 0
elif [ "$which" = profile ]; then
  profile "${2:-}"
  exit 0
fi

echo "== Baton on $(nproc) cores, wrk $(wrk --version 2>&1 | head -1 | awk '{print $2}'), $DURATION per run"
echo
echo "| metric | measured |"
echo "|---|---|"

if [ "$which" = all ] || [ "$which" = sqlite ]; then
  start_server "sqlite://$tmp/perf.db"
  prepare_rotations 16
  idle=$(rotations 16)
  row "refresh rotations, SQLite synchronous=FULL, 16 sessions" "$(rate "$idle") , failed $(field failed "$idle")"

  new_sessions 1 "$tmp/me"
  me=$(get 16 /api/me 200 -H "Authorization: Bearer $access")
  trivial=$(get 16 /api/nope 404)
  ratio=$(python3 -c "print(f'{100*$(field rps "$me")/$(field rps "$trivial"):.0f}')")
  row "Bearer GET /api/me, 16 connections" "$(rate "$me"), failed $(field failed "$me")"
  row "trivial JSON route (GET /api/nope), 16 connections" "$(rate "$trivial")"
  row "/api/me against the trivial route" "$ratio %"
  me64=$(get 64 /api/me 200 -H "Authorization: Bearer $access")
  row "Bearer GET /api/me, 64 connections" "$(rate "$me64")"

  # Sign-ins alone: their rate and the CPU they use.
  new_sessions 16 "$tmp/storm"
  t0=$(cpu_ticks); s0=$(date +%s.%N)
  alone=$(sign_ins 16 "$DURATION" "$tmp/storm.emails" --latency | grep '^RESULT')
  used=$(python3 -c "print(f'{100*($(cpu_ticks)-$t0)/$ticks/($(date +%s.%N)-$s0)/$cores:.0f}')")
  row "sign-ins alone, 16 clients" "$(rate "$alone"), server CPU $used % of $cores cores"

  # Refreshes while the storm runs.
  prepare_rotations 16
  sign_ins 16 "$(( ${DURATION%s} + 4 ))s" "$tmp/storm.emails" >"$tmp/storm.out" &
  storm_pid=$!
  sleep 1
  during=$(rotations 16)
  wait "$storm_pid"
  storm=$(grep '^RESULT' "$tmp/storm.out")
  row "refresh rotations during the sign-in storm" "$(rate "$during")"
  row "sign-ins during it" "$(rate "$storm")"
  row "storm: refresh p99 against idle / throughput against idle" \
    "$(python3 -c "print(f'{$(field p99_ms "$during")/$(field p99_ms "$idle"):.2f}x / {100*$(field rps "$during")/$(field rps "$idle"):.0f} %')")"
  row "server RSS after these runs" "$(rss_mib) MiB"
  stop_server

  bundle_rows
fi

if [ "$which" = all ] || [ "$which" = observe ]; then
  observe
fi

if [ "$which" = all ]; then
  flood_rows off
  flood_rows unpaused
  flood_rows on
fi

if [ "$which" = all ] || [ "$which" = postgres ]; then
  pg_start >/dev/null
  # Production durability, unlike the test cluster.
  pg_durable
  start_server "$BATON_TEST_POSTGRES_URL"
  prepare_rotations 16
  pg=$(rotations 16)
  row "refresh rotations, PostgreSQL fsync on, 16 sessions" "$(rate "$pg"), failed $(field failed "$pg")"
  row "server RSS after the PostgreSQL run" "$(rss_mib) MiB"
  stop_server
fi

if [ -n "$over_budget" ]; then
  echo
  echo "perf: the bundle is over its budget: make it smaller, or raise the budget in README.md with the reason"
  exit 1
fi
