# Baton: `make run` serves the app, `make test` runs every check. Both install what is
# missing first (scripts/setup.sh), so they work on a fresh machine. `make help` lists
# every target.
include scripts/tools.env

SHELL := /bin/bash
# wasm-opt from the npm package binaryen must win over Debian's much older one.
export PATH := $(CURDIR)/end2end/node_modules/.bin:$(or $(CARGO_HOME),$(HOME)/.cargo)/bin:$(PATH)

.PHONY: help setup run watch test check fmt lint unit http e2e screenshots site image bench load flood perf scale slow profile soak

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-11s %s\n", $$1, $$2}'

setup: ## Install whatever is missing (tools pinned in scripts/tools.env)
	@scripts/setup.sh

run: setup site ## Build the release site and serve http://127.0.0.1:3000 with ./baton.db
	target/release/baton

watch: setup ## Development server with live reload (cargo leptos watch)
	cargo leptos watch

test: setup ## Everything CI checks: one linted release build, then unit, HTTP and browser tests (scripts/test.sh)
	scripts/test.sh

check: lint unit ## Formatting, clippy on both builds, unit tests (quick, no database server)

fmt: ## Format the code
	cargo fmt

lint: ## Formatting check, and clippy on the server and the browser builds with -D warnings
	cargo fmt --check
	cargo clippy --features ssr --all-targets -- -D warnings
	cargo clippy --features hydrate --lib --target wasm32-unknown-unknown -- -D warnings

unit: ## Unit tests next to the code, and the layering check (tests/architecture.rs)
	cargo test --features ssr --lib --test architecture

http: ## HTTP tests against real servers, on SQLite and a throwaway PostgreSQL
	scripts/http.sh

site: ## The release site (server binary and precompressed bundle), as make run serves it
	cargo leptos build --release --precompress

image: setup site ## The container image (Containerfile, podman): a static binary and the site FROM scratch, then tested under chroot
	scripts/image.sh

e2e: site ## The Playwright suite in Chromium against the release build
	scripts/e2e.sh

screenshots: site ## Pictures of every page (desktop and 360 px, en/ko, light/dark) in end2end/screenshots/
	SCREENSHOTS=1 scripts/e2e.sh screenshots.spec.ts

bench: ## Criterion benchmarks of token issue/verify and of a rotation
	cargo bench --features ssr --bench tokens

load: setup ## Refresh rotations per second on SQLite and on PostgreSQL, same load command
	scripts/load.sh

flood: setup ## Sign-in latency while another address floods registration
	scripts/flood.sh

perf: setup site ## The performance table: rotations, /api/me, storms, bundle bytes, RSS
	scripts/perf.sh

scale: setup site ## A million accounts against an empty database, side by side (SQLite; scripts/scale.sh postgres for PostgreSQL)
	scripts/scale.sh

slow: setup site ## A sign-in on a slow phone network (Playwright, Lighthouse's mobile profile, 4x CPU), cold cache
	scripts/slow.sh

profile: setup site ## Where a rotation's CPU goes (perf, a flame graph in target/perf/); STORM=1 during a sign-in storm
	scripts/perf.sh profile $(if $(STORM),storm)

soak: setup site ## Ten minutes of rotations and /api/me, the server's RSS every 30 s
	scripts/soak.sh
