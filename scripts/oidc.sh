# Sourced by scripts that need real OpenID Providers: `oidc_start NAME [VAR=VALUE…]`
# starts end2end/oidc-provider.mjs (oidc-provider, OpenID Certified) on a free loopback
# port with the given environment, and exports BATON_TEST_OIDC_<NAME> (upper-cased) as
# its issuer URL; `oidc_stop` stops every instance started. Each instance has its own
# keys and accounts, so two of them are two independent issuers. Needs node and
# `npm install` in end2end/ (make setup); logs go to a temporary directory.

oidc_dir=
oidc_pids=()

oidc_free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

oidc_start() {
  local name=$1; shift
  local script; script="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/end2end/oidc-provider.mjs"
  if [ ! -d "$(dirname "$script")/node_modules/oidc-provider" ]; then
    echo "oidc: end2end/node_modules/oidc-provider missing (npm install in end2end/)" >&2; return 1
  fi
  [ -n "$oidc_dir" ] || oidc_dir=$(mktemp -d)
  local port; port=$(oidc_free_port)
  local log="$oidc_dir/$name.log"
  env "$@" node "$script" "$port" >"$log" 2>&1 &
  oidc_pids+=($!)
  local i
  for i in $(seq 100); do
    if grep -q listening "$log" 2>/dev/null; then
      local var; var="BATON_TEST_OIDC_$(echo "$name" | tr '[:lower:]' '[:upper:]')"
      export "$var=http://127.0.0.1:$port"
      echo "oidc: provider '$name' on http://127.0.0.1:$port"
      return 0
    fi
    if ! kill -0 "${oidc_pids[-1]}" 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "oidc: provider '$name' did not start:" >&2; cat "$log" >&2
  return 1
}

oidc_stop() {
  local pid
  for pid in "${oidc_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${oidc_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  oidc_pids=()
  [ -n "$oidc_dir" ] && rm -rf "$oidc_dir"
  oidc_dir=
}
