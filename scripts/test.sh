#!/usr/bin/env bash
# `make test`: every check CI runs, in two lanes side by side, since on a clean clone
# most of the time is compiling and each lane leaves the cores idle at times (linking,
# wasm-bindgen and wasm-opt run on one core; the tests mostly wait on sockets,
# timers and the browser):
#   rust     formatting, clippy (server and browser builds), unit tests, the layering
#            check, then the HTTP tests on SQLite and PostgreSQL;
#   browser  the release site (server binary and WASM bundle), then Playwright.
# Cargo locks each profile's directory, not the whole target/, so the debug and
# release builds do not wait for each other. Compiling runs at a lower priority than
# the tests, so a test that waits on a timer is not starved by the other lane's build.
# Each lane's output is prefixed with its name; the script fails if either fails, and
# prints how long each step took.
set -uo pipefail
cd "$(dirname "$0")/.."

export PATH="$PWD/end2end/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
build() { nice -n 10 "$@"; }

step() { # NAME COMMAND… : runs it, prints its duration, and stops the lane on failure
  local name=$1 start=$SECONDS; shift
  echo "── $name"
  "$@" || { echo "── $name FAILED after $((SECONDS - start)) s"; return 1; }
  echo "── $name: $((SECONDS - start)) s"
}

rust_lane() {
  step "format" cargo fmt --check &&
    step "clippy (server)" build cargo clippy --features ssr --all-targets -- -D warnings &&
    step "clippy (browser)" build cargo clippy --features hydrate --lib --target wasm32-unknown-unknown -- -D warnings &&
    step "build tests" build cargo test --features ssr --lib --test architecture --test http --no-run &&
    step "unit tests" cargo test --features ssr --lib --test architecture &&
    step "HTTP tests" scripts/http.sh
}

browser_lane() {
  step "release site" build cargo leptos build --release --precompress &&
    step "Playwright" scripts/e2e.sh
}

start=$SECONDS
rust_lane 2>&1 | sed -u 's/^/[rust]    /' &
rust=$!
browser_lane 2>&1 | sed -u 's/^/[browser] /' &
browser=$!
status=0
wait "$rust" || { status=1; echo "test: the rust lane failed (lines marked [rust])"; }
wait "$browser" || { status=1; echo "test: the browser lane failed (lines marked [browser])"; }
echo "test: $((SECONDS - start)) s in all"
exit "$status"
