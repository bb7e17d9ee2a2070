#!/usr/bin/env bash
# `make image`: Baton's container image (Containerfile), built and then tested.
#
#   build  the static binary (x86_64-unknown-linux-musl), a context holding it, the
#          release site (target/site, built first by `make site` or `make test`'s
#          build) and an empty data folder; `podman build` of the Containerfile.
#   test   the image as a runtime would use it, without a runtime (`podman run` needs
#          cgroups these machines do not give): `podman image mount`, a check that it
#          holds only the binary and the site, then its binary under `chroot` as the
#          image's user with the image's own environment, a fresh folder bound on
#          /data: `/readyz` 200, a sign-up and a sign-in, `baton healthcheck` 0, the
#          database in /data, and exit 0 on SIGTERM.
#
# Usage: scripts/image.sh [build|test|all]   (default all; IMAGE_TAG names the image)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/pg.sh # pg_free_port
what=${1:-all}
tag=${IMAGE_TAG:-localhost/baton:latest}
triple=x86_64-unknown-linux-musl
context=target/image
user=65532

build() {
  [ -f target/release/hash.txt ] && [ -d target/site/pkg ] ||
    { echo "image: build the release site first (make site)"; exit 1; }
  # LEPTOS_OUTPUT_NAME: Leptos reads it at compile time, as cargo-leptos sets it.
  LEPTOS_OUTPUT_NAME=baton cargo build --release --target "$triple" --features ssr --bin baton
  local binary="target/$triple/release/baton"
  if readelf -l "$binary" | grep -q INTERP; then
    echo "image: $binary is not static"; exit 1
  fi
  rm -rf "$context"
  mkdir -p "$context/data"
  strip -o "$context/baton" "$binary"
  cp target/release/hash.txt "$context/"
  cp -r target/site "$context/site"
  # --format docker: the OCI format has no HEALTHCHECK.
  podman build --quiet --format docker -f Containerfile -t "$tag" "$context" >/dev/null
  echo "image: $tag, $(podman image inspect --format '{{.Size}}' "$tag" | numfmt --to=iec-i --suffix=B)" \
    "(binary $(stat -c %s "$context/baton" | numfmt --to=iec-i --suffix=B)," \
    "site $(du -sb "$context/site" | cut -f1 | numfmt --to=iec-i --suffix=B))"
}

test_image() {
  # Not local: the EXIT trap runs after this function has returned.
  root= data= pid=
  local port metrics_port
  root=$(podman image mount "$tag")
  data=$(mktemp -d)
  cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
    umount "$root/data" 2>/dev/null || true
    podman image unmount "$tag" >/dev/null 2>&1 || true
    rm -rf "$data"
  }
  trap cleanup EXIT

  # Only the binary, its hash file and the site (and the empty volume folder).
  local extra
  extra=$(cd "$root" && find . -mindepth 1 \( -path ./site -o -path ./data \) -prune -o \
    -not -path ./baton -not -path ./hash.txt -print)
  [ -z "$(ls -A "$root/data")" ] || { echo "image: /data is not empty in the image"; exit 1; }
  [ -z "$extra" ] || { echo "image: unexpected files in the image:"; echo "$extra"; exit 1; }
  [ "$(podman image inspect --format '{{.Config.User}}' "$tag")" = "$user:$user" ] ||
    { echo "image: not run as $user"; exit 1; }
  podman image inspect --format '{{json .Config.Healthcheck}}' "$tag" | grep -q '"/baton","healthcheck"' ||
    { echo "image: no HEALTHCHECK running /baton healthcheck"; exit 1; }

  chown "$user:$user" "$data"
  mount --bind "$data" "$root/data"
  local env=()
  mapfile -t env < <(podman image inspect --format '{{range .Config.Env}}{{println .}}{{end}}' "$tag" | sed '/^$/d')
  port=$(pg_free_port)
  metrics_port=$(pg_free_port)
  # The image's environment, and a free port instead of its 3000 (others may use it).
  # A plain command, not a function: started in the background it is then exec'd, so
  # `$!` is the server itself (env and chroot exec it) and gets the SIGTERM below.
  local in_image=(env -i "${env[@]}" LEPTOS_SITE_ADDR="0.0.0.0:$port" BATON_METRICS_ADDR="127.0.0.1:$metrics_port"
    BATON_SHUTDOWN_DELAY=0s chroot --userspec="$user:$user" "$root")
  "${in_image[@]}" /baton serve >"$data.log" 2>&1 &
  pid=$!
  local base="http://127.0.0.1:$port"
  for _ in $(seq 1 100); do curl -fsS "$base/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
  curl -fsS "$base/readyz" >/dev/null || { echo "image: /readyz never answered 200"; cat "$data.log"; exit 1; }

  local email="image-$RANDOM@example.com" password="image test password 2026"
  curl -fsS --data-urlencode "email=$email" --data-urlencode "password=$password" "$base/api/auth/register" |
    grep -q '"access_token"' || { echo "image: sign-up failed"; exit 1; }
  curl -fsS --data-urlencode "email=$email" --data-urlencode "password=$password" "$base/api/auth/login" |
    grep -q '"access_token"' || { echo "image: sign-in failed"; exit 1; }
  curl -fsS "$base/login" | grep -q '<html' || { echo "image: the sign-in page is not served"; exit 1; }
  "${in_image[@]}" /baton healthcheck >/dev/null || { echo "image: baton healthcheck failed"; exit 1; }
  [ -s "$data/baton.db" ] || { echo "image: no database in /data"; exit 1; }

  kill -TERM "$pid"
  local status=0
  wait "$pid" || status=$?
  pid=
  [ "$status" = 0 ] || { echo "image: exit $status after SIGTERM"; cat "$data.log"; exit 1; }
  rm -f "$data.log"
  echo "image: served /readyz, a sign-up and a sign-in from /data under chroot as $user; exit 0 on SIGTERM"
}

case $what in
  build) build ;;
  test) test_image ;;
  all) build; test_image ;;
  *) echo "usage: scripts/image.sh [build|test|all]"; exit 2 ;;
esac
