#!/usr/bin/env bash
# Writes brotli (quality 11) and gzip (-9) copies of the bundle next to each file in
# the site's pkg folder, once, at build time: the server (tower-http's ServeDir,
# through leptos_axum) then sends the best one the browser accepts, with no
# compression work per download. Usage: scripts/precompress.sh [target/site/pkg]
set -euo pipefail
cd "$(dirname "$0")/.."
pkg=${1:-target/site/pkg}
for f in "$pkg"/*.wasm "$pkg"/*.js "$pkg"/*.css; do
  [ -e "$f" ] || continue
  brotli -f -q 11 -o "$f.br" "$f"
  gzip -f -9 -k -n "$f"
done
