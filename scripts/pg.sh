# Sourced by scripts that need a throwaway PostgreSQL: `pg_start` starts a cluster in
# a temporary directory on a free loopback port (as an unprivileged user, since
# initdb refuses root) and exports BATON_TEST_POSTGRES_URL; `pg_durable` restarts it
# with production durability, for the benchmarks; `pg_stop` removes it.
# Nothing is assumed of the system: no service, no existing cluster.

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
pg_dir=
pg_user=

pg_free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

pg_as_user() {
  if [ -n "$pg_user" ]; then runuser -u "$pg_user" -- "$@"; else "$@"; fi
}

pg_start() {
  if [ -z "$pg_bin" ]; then echo "pg: PostgreSQL server binaries not found (make setup installs them)" >&2; return 1; fi
  pg_dir=$(mktemp -d)
  if [ "$(id -u)" -eq 0 ]; then pg_user=nobody; chown "$pg_user" "$pg_dir"; fi
  local port; port=$(pg_free_port)
  pg_as_user "$pg_bin/initdb" -D "$pg_dir/data" -U baton --auth=trust -E UTF8 --no-sync >"$pg_dir/initdb.log" 2>&1 \
    || { cat "$pg_dir/initdb.log"; return 1; }
  pg_as_user "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 60 \
    -o "-p $port -k $pg_dir -c listen_addresses=127.0.0.1 -c max_connections=400 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null || { cat "$pg_dir/server.log"; return 1; }
  export PG_PORT=$port
  export BATON_TEST_POSTGRES_URL="postgres://baton@127.0.0.1:$port/postgres"
  echo "pg: throwaway PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
}

# The tests' cluster runs without durability (fsync, synchronous_commit and
# full_page_writes off, on the command line). The benchmarks restart it with
# PostgreSQL's defaults, all on: `ALTER SYSTEM` cannot turn them back on, since
# command-line settings outrank it.
pg_durable() {
  pg_as_user "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 600 -m fast \
    -o "-p $PG_PORT -k $pg_dir -c listen_addresses=127.0.0.1 -c max_connections=400" restart >/dev/null \
    || { cat "$pg_dir/server.log"; return 1; }
  local fsync
  fsync=$("$pg_bin/psql" -X -At -h 127.0.0.1 -p "$PG_PORT" -U baton -d postgres \
    -c "SELECT string_agg(setting, ' ') FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes')")
  [ "$fsync" = "on on on" ] || { echo "pg: durability still off ($fsync)" >&2; return 1; }
}

pg_stop() {
  if [ -n "$pg_dir" ] && [ -d "$pg_dir/data" ]; then
    pg_as_user "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true
  fi
  [ -n "$pg_dir" ] && rm -rf "$pg_dir"
  pg_dir=
}
