#!/usr/bin/env bash
# `make test`: every check CI runs. On a clean clone nearly all of the time is
# compiling, so `make test` compiles each dependency once:
#
#   1. formatting;
#   2. one release build, linted: cargo-leptos builds the site (server binary and WASM
#      bundle) and, through --bin-cargo-args, every test and bench target in the same
#      cargo run, so the server and the tests share one build of every dependency
#      (with dev-dependencies' features, which a build that includes tests turns on
#      for the whole run). clippy-driver compiles our own crate as cargo's workspace
#      wrapper, which is how `cargo clippy` runs it too: the lints of
#      `cargo clippy --all-targets` on the server build and of `cargo clippy --lib` on
#      the browser build, with `-D warnings`, without the check-only build of every
#      dependency that `cargo clippy` would add;
#   3. the unit tests and the layering check, from that build;
#   4. the HTTP tests (SQLite and PostgreSQL), then Playwright. One after the other:
#      Playwright keeps both cores over 90 % busy on its own (measured), so side by side
#      each suite's timeouts would be the other's;
#   5. the container image, built and served under chroot (below).
#
# The server side is built at opt-level 1 (CARGO_PROFILE_RELEASE_OPT_LEVEL below),
# except the hashing and signing crates Cargo.toml keeps at 3: on a clean clone that
# took the build from 1,430 to 1,154 s (cargo --timings, same machine), and the tests
# wait on sockets, timers and argon2, not on the rest of the code. The browser bundle
# keeps its own size-optimised profile (turning its LTO off saved only 18 s). So these
# binaries are slower than `make site`'s, which `make perf` measures; `make check` /
# `make http` / `make e2e` are the same checks one at a time, in the dev profile.
# Prints how long each step took; fails if any step fails.
set -uo pipefail
cd "$(dirname "$0")/.."

export PATH="$PWD/end2end/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
# Every cargo command below must see the same environment, or cargo rebuilds: the
# wrapper and its arguments, and the output name cargo-leptos sets (Leptos reads it
# at compile time).
export RUSTC_WORKSPACE_WRAPPER=clippy-driver
export CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"
export LEPTOS_OUTPUT_NAME=baton
export CARGO_PROFILE_RELEASE_OPT_LEVEL=1

step() { # NAME COMMAND… : runs it, prints its duration, fails on failure
  local name=$1 start=$SECONDS; shift
  echo "── $name"
  "$@" || { echo "── $name FAILED after $((SECONDS - start)) s"; return 1; }
  echo "── $name: $((SECONDS - start)) s"
}

start=$SECONDS
finish() { echo "test: $((SECONDS - start)) s in all"; exit "$1"; }

step "format" cargo fmt --check || finish 1
# (Building the bundle and the server side by side, `--frontend-only` beside
# `--server-only`, was tried: on a clean clone the build took 1,488 s against 1,277 and
# 1,392 s one after the other, so the overlap buys nothing measurable on two cores.)
step "release build, linted" cargo leptos build --release --precompress \
  --bin-cargo-args=--tests --bin-cargo-args=--benches || finish 1
step "unit tests" cargo test --release --features ssr --lib --test architecture || finish 1
TEST_PROFILE=release step "HTTP tests" scripts/http.sh || finish 1
step "Playwright" scripts/e2e.sh || finish 1
# 5. The container image (scripts/image.sh): the static (musl) build of the server,
#    `podman build`, and the image's binary served under chroot. Last, and alone: its
#    compile would take the cores the suites' timeouts count on. At opt-level 0: a
#    second build of every dependency for another target (about 10 minutes at
#    opt-level 1 on two cores), to check that the image builds and serves, not how
#    fast (the hashing and signing crates stay at 3, Cargo.toml). Skipped only where
#    podman is missing (scripts/setup.sh installs it).
if command -v podman >/dev/null 2>&1; then
  CARGO_PROFILE_RELEASE_OPT_LEVEL=0 step "container image" scripts/image.sh || finish 1
else
  echo "── container image: skipped, no podman"
fi
finish 0
