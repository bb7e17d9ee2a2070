# Baton: `make run` serves the app, `make test` runs every check. Both install what is
# missing first (scripts/setup.sh), so they work on a fresh machine.
include scripts/tools.env

SHELL := /bin/bash
# wasm-opt from the npm package binaryen must win over Debian's much older one.
export PATH := $(CURDIR)/end2end/node_modules/.bin:$(or $(CARGO_HOME),$(HOME)/.cargo)/bin:$(PATH)

.PHONY: setup run watch test lint unit e2e site bench load

setup:
	@scripts/setup.sh

## Build the release site and serve it on http://127.0.0.1:3000 with ./baton.db.
run: setup site
	target/release/baton

## Development server with live reload.
watch: setup
	cargo leptos watch

## Everything CI checks: formatting, lints, unit + integration tests, the browser suite.
test: setup lint unit e2e

lint:
	cargo fmt --check
	cargo clippy --features ssr --all-targets -- -D warnings
	cargo clippy --features hydrate --lib --target wasm32-unknown-unknown -- -D warnings

unit:
	scripts/unit.sh

site:
	cargo leptos build --release

e2e: site
	scripts/e2e.sh

## Criterion benchmarks of token issue/verify and of a rotation.
bench:
	cargo bench --features ssr --bench tokens

## Refresh rotations per second on SQLite and on PostgreSQL, same load command.
load: setup
	scripts/load.sh
