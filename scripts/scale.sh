#!/usr/bin/env bash
# `make scale`: Baton with a million accounts, against an empty database, side by side.
#
# Two databases, migrated by the release server and filled by the seeder
# (benches/load/seed.rs): the full one with 1,000,000 accounts, 2,000,000 sessions
# holding 10,000,000 refresh tokens, 20,000,000 security events, passkeys, TOTP and
# administrators' actions (other sizes from ACCOUNTS, TOKENS, EVENTS, … as the seeder
# reads them); the empty one with only 100 accounts to sign in with. Both with one
# light argon2id hash (LIGHT_HASH, see the seeder), so that a sign-in's time is the
# server's work around the hash, which does not change with the data; the benchmark's
# own sign-ups hash in full.
#
# A server on each, both at once: their start-up to /readyz 200, then, alternating
# between them, refresh rotations (16 sessions), Bearer GET /api/me (16 connections)
# and sign-ins one after another; the activity page of scale-0 (100,000 events; first
# and second page) and an administrator's search by email prefix (rare and common),
# each at 4 connections; their RSS after these runs. Then, on the full database, its
# bytes (per account, per live session, the largest tables and indexes), and rotations
# while the server's retention sweep deletes millions of rows (BATON_RETENTION=
# $SWEEP_RETENTION) against rotations just before it. The table at the end puts both
# side by side against the goals of docs/PERFORMANCE.md.
#
# Usage: scripts/scale.sh [sqlite|postgres]
# SCALE_DIR: where the SQLite databases go (default: a temporary directory, removed at
# the end; the full one takes about 17 GB). SEEDED=1 with SCALE_DIR: its full database
# was seeded before (the sweep will have deleted what it deletes). BATON_BIN, SEED_BIN:
# other builds (default: the release builds; the seeder is built if need be).
# DURATION (10s) and WARMUP (3s) per wrk run.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/pg.sh
which=${1:-sqlite}
case "$which" in
  sqlite | postgres) ;;
  *) echo "usage: scripts/scale.sh [sqlite|postgres]" >&2; exit 2 ;;
esac
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-3s}
# The benchmark's own sign-ups; every seeded account has SCALE_PASSWORD.
PASSWORD="perf test password"
SCALE_PASSWORD="scale test password"
# In days: old enough to outlast the lifetimes the server checks it against, young
# enough that a quarter of the seeded window falls behind it.
SWEEP_RETENTION=${SWEEP_RETENTION:-67d}
tmp=$(mktemp -d)
bin=${BATON_BIN:-target/release/baton}
[ -x "$bin" ] || { echo "scale: build the release site first (make site)"; exit 1; }
. scripts/perf/common.sh
seed=${SEED_BIN:-target/release/examples/seed}
[ -n "${SEED_BIN:-}" ] || cargo build --release --features ssr --example seed -q

if [ -n "${SCALE_DIR:-}" ]; then
  dir=$SCALE_DIR; mkdir -p "$dir"
else
  dir=$tmp
fi
# Mails (new devices) of the servers started here go to a throwaway folder.
export BATON_OUTBOX="$tmp/outbox"
declare -A pids=() bases=() tokens=()
cleanup() {
  local status=$?
  # A failed step: what the server said.
  if [ "$status" -ne 0 ]; then
    for log in "$tmp"/*.log; do [ -f "$log" ] && { echo "scale: $log:"; tail -n 20 "$log"; }; done
    # And what was measured before the failure, which the temporary directory takes with it.
    for name in empty full sweep; do [ -s "$tmp/$name" ] && { echo "scale: measured ($name):"; cat "$tmp/$name"; }; done
  fi
  for pid in $server_pid "${pids[@]}"; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; done
  pg_stop
  rm -rf "$tmp"
  return 0
}
trap cleanup EXIT

# The two databases' URLs, and `sql NAME QUERY`: one value from one of them.
if [ "$which" = sqlite ]; then
  empty_url="sqlite://$dir/empty.db"
  full_url="sqlite://$dir/scale.db"
  sql() { sqlite3 "${1#sqlite://}" "$2"; }
else
  pg_start
  psql_pg() { "$pg_bin/psql" -q -X -h 127.0.0.1 -p "$PG_PORT" -U baton "$@"; }
  psql_pg -d postgres -c "CREATE DATABASE scale_empty" -c "CREATE DATABASE scale_full"
  empty_url="postgres://baton@127.0.0.1:$PG_PORT/scale_empty"
  full_url="postgres://baton@127.0.0.1:$PG_PORT/scale_full"
  sql() { psql_pg -d "${1##*/}" -At -c "$2"; }
fi

fill() { # URL [SIZE=…]: migrated, then seeded
  local url=$1; shift
  if [ "$which" = sqlite ]; then rm -f "${url#sqlite://}" "${url#sqlite://}-wal" "${url#sqlite://}-shm"; fi
  BATON_LOG=warn DATABASE_URL="$url" "$bin" migrate >/dev/null
  env LIGHT_HASH=1 "$@" "$seed" "$url" | grep -E '^seed: [0-9,]+ rows|took'
}
fill "$empty_url" ACCOUNTS=100 SESSIONS=0 TOKENS=0 EVENTS=0 SCALE0_EVENTS=0 PASSKEYS=0 TOTP=0 ADMIN_ACTIONS=0
if [ "$which" = postgres ] || [ -z "${SEEDED:-}" ]; then
  started=$SECONDS
  fill "$full_url"
  echo "scale: the full database seeded in $((SECONDS - started)) s"
fi
if [ "$which" = postgres ]; then
  # Seeded without durability (pg_start's test cluster); measured with it, as in production.
  psql_pg -d scale_full -c "VACUUM ANALYZE" >/dev/null
  pg_durable
fi

# Both servers run side by side, and each row alternates between them, ROUNDS times
# (default 3; the medians count): this machine's speed drifts from minute to minute by
# more than the differences measured here.
ROUNDS=${ROUNDS:-3}
put() { echo "$2 $3" >>"$tmp/$1"; } # NAME KEY VALUE
puts() { # NAME ROW RESULT-LINE
  put "$1" "$2_rps" "$(field rps "$3")"; put "$1" "$2_p50" "$(field p50_ms "$3")"
  put "$1" "$2_p99" "$(field p99_ms "$3")"; put "$1" "$2_failed" "$(field failed "$3")"
}
on() { server_pid=${pids[$1]}; base=${bases[$1]}; } # NAME: the server the helpers talk to
for name in empty full; do
  url=empty_url; [ "$name" = full ] && url=full_url
  BATON_LOG=warn DATABASE_URL="${!url}" "$bin" users grant scale-10@example.com admin >/dev/null
  : >"$tmp/$name"
  # (Each with its own metrics listener: both run at once.)
  BATON_METRICS_ADDR="127.0.0.1:$(pg_free_port)" SERVER_LOG="$tmp/$name.log" start_server "${!url}"
  pids[$name]=$server_pid; bases[$name]=$base
  put "$name" startup_ms "$startup_ms"
  new_sessions 1 "$tmp/me"
  tokens[$name]=$access
done
# Nine password-only accounts (N % 10 == 0), one sign-in after another.
for n in 10 20 30 40 50 60 70 80 90; do echo "scale-$n@example.com"; done >"$tmp/signers"
for round in $(seq 1 "$ROUNDS"); do
  echo "scale: round $round of $ROUNDS"
  for name in empty full; do
    on "$name"
    prepare_rotations 16
    puts "$name" rotations "$(rotations 16)"
    puts "$name" me "$(get 16 /api/me 200 -H "Authorization: Bearer ${tokens[$name]}")"
    PASSWORD=$SCALE_PASSWORD sign_ins 1 "$WARMUP" "$tmp/signers" >/dev/null
    puts "$name" sign_in "$(PASSWORD=$SCALE_PASSWORD sign_ins 1 "$DURATION" "$tmp/signers" --latency | grep '^RESULT')"
  done
done
for name in empty full; do
  on "$name"
  token=$(sign_in scale-0@example.com "$SCALE_PASSWORD")
  puts "$name" activity "$(get 4 /api/activity 200 -H "Authorization: Bearer $token")"
  next=$(curl -fsS -H "Authorization: Bearer $token" "$base/api/activity" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["next"] or "")')
  # (The empty database's scale-0 has no second page.)
  [ -z "$next" ] || puts "$name" activity_next "$(get 4 "/api/activity?before=$next" 200 -H "Authorization: Bearer $token")"
  token=$(sign_in scale-10@example.com "$SCALE_PASSWORD")
  puts "$name" search_rare "$(get 4 "/api/admin/users?q=scale-4242" 200 -H "Authorization: Bearer $token")"
  puts "$name" search_common "$(get 4 "/api/admin/users?q=scale-9" 200 -H "Authorization: Bearer $token")"
  put "$name" rss_mib "$(rss_mib)"
  put "$name" anon_mib "$(($(awk '/^RssAnon/ {print $2}' "/proc/$server_pid/status") / 1024))"
done
for name in empty full; do on "$name"; stop_server; done

# The bytes of the full database, as seeded: a year of use within the retention period.
accounts=$(sql "$full_url" "SELECT COUNT(*) FROM users")
now=$(now_ms)
live=$(sql "$full_url" "SELECT COUNT(*) FROM sessions WHERE revoked_at IS NULL AND expires_at > $now AND idle_expires_at > $now")
all_sessions=$(sql "$full_url" "SELECT COUNT(*) FROM sessions")
if [ "$which" = sqlite ]; then
  # dbstat: every table's and index's pages; the WAL is checkpointed into the file first.
  sql "$full_url" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
  sql "$full_url" "SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC" | tr '|' ' ' >"$tmp/relations"
  sql "$full_url" "SELECT name, tbl_name FROM sqlite_master WHERE type IN ('table', 'index')" | tr '|' ' ' >"$tmp/owners"
  total=$(stat -c %s "$dir/scale.db")
else
  sql "$full_url" "SELECT c.relname, pg_relation_size(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'i', 't') ORDER BY 2 DESC" | tr '|' ' ' >"$tmp/relations"
  sql "$full_url" "SELECT i.indexrelid::regclass::text, i.indrelid::regclass::text FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid \
    JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' \
    UNION ALL SELECT c.relname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
    WHERE n.nspname = 'public' AND c.relkind = 'r'" | tr '|' ' ' >"$tmp/owners"
  total=$(sql "$full_url" "SELECT pg_database_size(current_database())")
fi

# The sweep: the server's own (retention.rs), which starts a minute after the server
# does, here with BATON_RETENTION=$SWEEP_RETENTION so that millions of rows are behind
# it. Rotations just before it, and while it runs; then the rows it deleted meanwhile
# (the server stops after the run: the rest of the sweep is more of the same).
# behind URL: the rows behind the sweep's cutoff (counted at the sweep's start, so the
# rows the rotations add meanwhile do not count).
behind() {
  local c=$cutoff
  sql "$1" "SELECT (SELECT COUNT(*) FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id \
      WHERE s.revoked_at < $c OR s.idle_expires_at < $c OR s.expires_at < $c) \
    + (SELECT COUNT(*) FROM sessions WHERE revoked_at < $c OR idle_expires_at < $c OR expires_at < $c) \
    + (SELECT COUNT(*) FROM audit_events WHERE at < $c) + (SELECT COUNT(*) FROM admin_actions WHERE at < $c)"
}
echo "scale: the sweep"
started=$(now_ms)
cutoff=$((started + 60000 - ${SWEEP_RETENTION%d} * 86400000))
before_rows=$(behind "$full_url")
BATON_RETENTION=$SWEEP_RETENTION BATON_LOG="warn,baton::server::retention=info" start_server "$full_url"
prepare_rotations 16
idle=$(rotations 16)
new_sessions 17 "$tmp/sessions"
while [ $(($(now_ms) - started)) -lt 61000 ]; do sleep 0.2; done
during=$(wrk -t1 -c16 -d"$DURATION" --latency -s scripts/perf/rotate.lua "$base/api/auth/refresh" -- "$tmp/sessions" | grep '^RESULT')
swept_ms=$(($(now_ms) - started - 60000))
sweeping=yes
grep -q "deleted ended sessions" "$tmp/server.log" && sweeping=no
stop_server
after_rows=$(behind "$full_url")
{
  echo "sweep_idle_rps $(field rps "$idle")"; echo "sweep_idle_p99 $(field p99_ms "$idle")"
  echo "sweep_during_rps $(field rps "$during")"; echo "sweep_during_p99 $(field p99_ms "$during")"
  echo "sweep_failed $(field failed "$during")"; echo "sweep_idle_failed $(field failed "$idle")"
  echo "sweep_still_running $sweeping"
  echo "sweep_deleted $((before_rows - after_rows))"; echo "sweep_behind $before_rows"
  echo "sweep_seconds $((swept_ms / 1000))"
} >"$tmp/sweep"

python3 - "$tmp" "$which" "$accounts" "$live" "$all_sessions" "$total" "$SWEEP_RETENTION" "$ROUNDS" <<'PY'
import statistics, sys
tmp, which, accounts, live, all_sessions, total, retention = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:7]), sys.argv[7]
def load(name):
    values = {}
    for line in open(f"{tmp}/{name}"):
        key, value = line.split()
        values.setdefault(key, []).append(value)
    # The median of the rounds (a failure count: the sum; a word: the last).
    return {k: (str(sum(int(x) for x in v)) if k.endswith("_failed") else
                str(statistics.median(float(x) for x in v)) if v[0].replace(".", "", 1).isdigit() else v[-1])
            for k, v in values.items()}
e, f, s = load("empty"), load("full"), load("sweep")
n = lambda d, k: float(d[k])
db = "SQLite (synchronous=FULL)" if which == "sqlite" else "PostgreSQL (fsync on)"
print(f"\n== make scale, {db}: an empty database against {accounts:,} accounts (wrk; the first three rows' "
      f"figures are medians of {sys.argv[8]} alternating runs)\n")
print("| metric | empty database | full database | full against empty | goal |")
print("|---|---|---|---|---|")
def verdict(ok): return "met" if ok else "**not met**"
def ratio_row(label, key, unit, higher_better, goal, bound):
    a, b = n(e, key), n(f, key)
    r = b / a if a else float("inf")
    shown = f"{100*r:.0f} %" if higher_better else f"{r:.2f}x"
    ok = r >= bound if higher_better else r <= bound
    print(f"| {label} | {a:,.2f} {unit} | {b:,.2f} {unit} | {shown} | {goal}: {verdict(ok)} |".replace(".00 ", " "))
def abs_row(label, key, unit, goal, bound):
    b = n(f, key)
    if key not in e:
        print(f"| {label} | none | {b:,.2f} {unit} | | {goal}: {verdict(b <= bound)} |")
        return
    a = n(e, key)
    print(f"| {label} | {a:,.2f} {unit} | {b:,.2f} {unit} | {b/a if a else 0:.2f}x | {goal}: {verdict(b <= bound)} |")
abs_row("start-up to /readyz 200", "startup_ms", "ms", "≤ 1,000 ms", 1000)
ratio_row("refresh rotations, 16 sessions", "rotations_rps", "/s", True, "≥ 90 %", 0.90)
ratio_row("refresh rotation p99", "rotations_p99", "ms", False, "≤ 1.2x", 1.2)
ratio_row("Bearer GET /api/me, 16 connections", "me_rps", "/s", True, "≥ 95 %", 0.95)
ratio_row("sign-in p50, one client, light hash (the server's work around argon2id)", "sign_in_p50", "ms", False, "≤ 1.1x", 1.1)
abs_row("activity, first page, scale-0 (100,000 events), p99 at 4 connections", "activity_p99", "ms", "≤ 10 ms", 10)
abs_row("activity, second page (keyset cursor), p99", "activity_next_p99", "ms", "≤ 10 ms", 10)
abs_row("admin search, rare prefix (scale-4242: 111 matches), p99", "search_rare_p99", "ms", "≤ 10 ms", 10)
abs_row("admin search, common prefix (scale-9: 111,111 matches), p99", "search_common_p99", "ms", "≤ 10 ms", 10)
ratio_row("server RSS after these runs", "rss_mib", "MiB", False, "≤ 1.2x", 1.2)
print(f"| of which anonymous memory (the rest: mapped files) | {n(e, 'anon_mib'):,.0f} MiB | {n(f, 'anon_mib'):,.0f} MiB | {n(f, 'anon_mib')/n(e, 'anon_mib'):.2f}x | |")
failures = {f"{name} {k[:-7]}": int(d[k]) for name, d in (("empty", e), ("full", f), ("sweep", s)) for k in d
            if k.endswith("_failed") and int(d[k])}
shown = ", ".join(f"{k}: {v}" for k, v in failures.items()) or "none"
print(f"| failed requests in these runs | | | {shown} | none: {verdict(not failures)} |")
ir, dr, ip, dp = n(s, "sweep_idle_rps"), n(s, "sweep_during_rps"), n(s, "sweep_idle_p99"), n(s, "sweep_during_p99")
still = s["sweep_still_running"] == "yes"
print(f"| rotations while the retention sweep runs (BATON_RETENTION={retention}; it deleted {int(float(s['sweep_deleted'])):,} of the {int(float(s['sweep_behind'])):,} rows behind it "
      f"in its first {int(float(s['sweep_seconds']))} s{'' if still else ', **and ended before the run did**'}): throughput | "
      f"{ir:,.0f}/s before | {dr:,.0f}/s during | {100*dr/ir:.0f} % | ≥ 80 %: {verdict(dr/ir >= 0.8 and still)} |")
print(f"| the same: p99 | {ip:.2f} ms before | {dp:.2f} ms during | {dp/ip:.2f}x | ≤ 2x: {verdict(dp/ip <= 2 and still)} |")

# Bytes: every table with its indexes, per account and per live session.
sizes = [(name, int(size)) for name, size in (line.split() for line in open(f"{tmp}/relations"))]
owner = dict(line.split() for line in open(f"{tmp}/owners"))
by_table = {}
for name, size in sizes:
    by_table[owner.get(name, name)] = by_table.get(owner.get(name, name), 0) + size
accounts_bytes = sum(by_table.get(t, 0) for t in ("users", "passkeys", "totp", "known_devices", "known_browsers"))
session_bytes = by_table.get("sessions", 0) + by_table.get("refresh_tokens", 0)
print(f"\nThe full database as seeded: {total:,} bytes ({total/2**30:.1f} GiB), {total/accounts:,.0f} bytes per account in all.")
print(f"- accounts (users, passkeys, TOTP, known devices and browsers, with their indexes): {accounts_bytes/accounts:,.0f} bytes per account")
print(f"- sessions and refresh tokens with their indexes: {session_bytes/max(live,1):,.0f} bytes per live session "
      f"({live:,} live of {all_sessions:,} kept: ended ones stay for the retention period), {session_bytes/max(all_sessions,1):,.0f} per kept session")
print("\n| largest tables and indexes | bytes | share |\n|---|---|---|")
for name, size in sizes[:12]:
    print(f"| {name}{'' if owner.get(name, name) == name else ' (index of ' + owner[name] + ')'} | {size:,} | {100*size/total:.1f} % |")
PY
