#!/usr/bin/env bash
# Installs whatever `make run` / `make test` need and is missing. Idempotent: every step
# first checks whether its tool is already there at the right version, so a warm run
# takes a second. Everything comes from the Rust crate, npm or Debian registries; no
# step downloads a binary from anywhere else (cargo-leptos is built with
# `no_downloads`, Playwright uses Debian's Chromium, wasm-opt comes from npm).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=tools.env
. scripts/tools.env

log() { printf '\033[1msetup:\033[0m %s\n' "$*"; }
need_root() { if [ "$(id -u)" -ne 0 ]; then echo sudo; fi; }

apt_install() {
  log "installing Debian packages: $*"
  $(need_root) apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $(need_root) apt-get install -y -qq "$@" >/dev/null
}

# 1. Chromium for Playwright (Playwright's own browser download is unreachable here),
#    a Korean font for it (a bare machine has none, and the Korean screenshots would
#    show empty boxes), and curl, which the test scripts use to wait for a server.
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
[ -d /usr/share/fonts/truetype/nanum ] || missing+=(fonts-nanum)
command -v curl >/dev/null 2>&1 || missing+=(curl)
if [ ${#missing[@]} -gt 0 ]; then
  apt_install "${missing[@]}"
fi

# 2. PostgreSQL server binaries, for the store tests that run against a real PostgreSQL.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  apt_install postgresql
fi

# 2b. The container image (`make image`, which `make test` runs): podman builds it, and
#     musl-gcc compiles the C parts (SQLite, ring) of the static binary.
missing=()
command -v podman >/dev/null 2>&1 || missing+=(podman)
command -v musl-gcc >/dev/null 2>&1 || missing+=(musl-tools)
if [ ${#missing[@]} -gt 0 ]; then
  apt_install "${missing[@]}"
fi

# 3. The WASM target, and the static (musl) one for the container image.
if ! rustup target list --installed | grep -qx x86_64-unknown-linux-musl; then
  log "adding the x86_64-unknown-linux-musl target"
  rustup target add x86_64-unknown-linux-musl
fi
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# 4. cargo-leptos, built without its tool downloads.
if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
  log "building cargo-leptos $CARGO_LEPTOS_VERSION (about half an hour on 2 cores, once)"
  if ! cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --features no_downloads; then
    # On rustc 1.95 the locked install fails on cargo-util-schemas wanting rustc 1.96.
    # The failed attempt left the crate source in the registry: build it from a copy
    # with that one dependency pinned back.
    src=$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/cargo-leptos-"$CARGO_LEPTOS_VERSION" | head -n 1)
    tmp=$(mktemp -d)
    cp -r "$src" "$tmp/cargo-leptos"
    (cd "$tmp/cargo-leptos" &&
      cargo update -p cargo-util-schemas --precise "$CARGO_LEPTOS_SCHEMAS_FALLBACK" &&
      cargo install --path . --locked --features no_downloads)
    rm -rf "$tmp"
  fi
fi

# 5. wasm-bindgen-cli at exactly the version of the wasm-bindgen crate in Cargo.lock:
#    the two must match or the generated JS glue does not fit the wasm.
wbg=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if [ -z "$wbg" ]; then echo "setup: no wasm-bindgen in Cargo.lock" >&2; exit 1; fi
if ! wasm-bindgen --version 2>/dev/null | grep -q " $wbg\$"; then
  log "building wasm-bindgen-cli $wbg"
  # Not --locked: its lock file names a webpki-roots release the index no longer has.
  CARGO_RESOLVER_INCOMPATIBLE_RUST_VERSIONS=fallback cargo install wasm-bindgen-cli --version "$wbg" --force
fi

# 6. Playwright and wasm-opt (binaryen) from npm, pinned in end2end/package-lock.json.
if [ ! -d end2end/node_modules ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
  log "npm ci in end2end/"
  (cd end2end && npm ci --no-audit --no-fund)
fi

log "ready"
