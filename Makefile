# Dataport: two commands.
#   make run   set up what is missing, build, start the portal on the embedded
#              S3 endpoint and SQLite, print its URL
#   make test  set up what is missing, run every check and test, including the
#              Playwright browser tests
SHELL := /bin/bash
.DEFAULT_GOAL := run

CARGO_BIN := $(HOME)/.cargo/bin
NODE_BIN := $(CURDIR)/end2end/node_modules/.bin
export PATH := $(CARGO_BIN):$(NODE_BIN):$(PATH)

CARGO_LEPTOS_VERSION := 0.3.10
WASM_BINDGEN_VERSION := 0.2.130
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Everything `make run` passes through to `dataport serve`.
DATAPORT_DATA_DIR ?= ./data
DATAPORT_LISTEN ?= 127.0.0.1:3000
DATAPORT_S3_LISTEN ?= 127.0.0.1:9000
export DATAPORT_DATA_DIR DATAPORT_LISTEN DATAPORT_S3_LISTEN
export LEPTOS_SITE_ROOT := target/site
# cargo-leptos builds with these; giving every cargo command the same ones
# lets tests, clippy and the site build share one set of compiled crates.
export RUSTFLAGS := --cfg erase_components
export LEPTOS_OUTPUT_NAME := dataport

.PHONY: run test bench bench-scale setup build site check unit e2e tools-rust tools-browser tools-python tools-postgres

run: setup build
	./target/debug/dataport serve

# The browser tests run the `dataport` binary that `cargo test` has just built;
# only the WASM site is built on top, so the server is compiled once.
test: setup check unit site e2e

setup: tools-rust tools-browser tools-python tools-postgres

# --- tools ------------------------------------------------------------------

tools-rust:
	@rustup target list --installed | grep -q '^wasm32-unknown-unknown$$' || rustup target add wasm32-unknown-unknown
	@wasm-bindgen --version 2>/dev/null | grep -q ' $(WASM_BINDGEN_VERSION)$$' || \
	  CARGO_RESOLVER_INCOMPATIBLE_RUST_VERSIONS=fallback cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION) --force
	@cargo leptos --version 2>/dev/null | grep -q ' $(CARGO_LEPTOS_VERSION)$$' || \
	  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
	  cargo install cargo-leptos@$(CARGO_LEPTOS_VERSION) --locked --force

# Debian's chromium for Playwright (never a downloaded browser), and the
# end2end npm packages, which also bring wasm-opt (npm binaryen) onto PATH.
tools-browser: end2end/node_modules/.installed
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }
	@# curl and jq run the README's API session in the tests.
	@{ command -v curl && command -v jq; } >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq curl jq; }

end2end/node_modules/.installed: end2end/package.json end2end/package-lock.json
	cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
	touch $@

# PostgreSQL: the client library the portal links, and the server that the
# tests start a throwaway cluster of (never a system service).
tools-postgres:
	@{ command -v pg_config && ls /usr/lib/postgresql/*/bin/initdb; } >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpq-dev postgresql; }

# moto in server mode plays AWS STS, IAM and S3 control-plane for the tests
# of role assumption; it lives in a project-local virtual environment.
MOTO_VERSION := 5.2.5
tools-python: .venv/.moto-$(MOTO_VERSION)

.venv/.moto-$(MOTO_VERSION):
	python3 -m venv .venv
	.venv/bin/pip install --quiet --disable-pip-version-check 'moto[server]==$(MOTO_VERSION)'
	touch $@

# --- build and checks -------------------------------------------------------

build:
	cargo leptos build
	node end2end/compress-site.mjs target/site

site:
	cargo leptos build --frontend-only
	node end2end/compress-site.mjs target/site

# The frontend crate is checked for the wasm32 target only: built for the
# host together with the server, cargo would merge the `ssr` and `hydrate`
# features of the app crate.
check:
	cargo fmt --all -- --check
	cargo clippy --workspace --exclude frontend --all-targets -- -D warnings
	cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

# Every Rust test on SQLite, then every test of the server (all that touch
# the database) again on a throwaway PostgreSQL that lives as long as they run.
unit:
	cargo test --workspace --exclude frontend
	server/tests/support/with-postgres.sh cargo test -p server --tests

e2e:
	cd end2end && npx playwright test

# Upload throughput and memory, on release builds (not part of `make test`).
bench: setup
	LEPTOS_SITE_ROOT=target/bench-site cargo leptos build --release
	node end2end/compress-site.mjs target/bench-site
	node end2end/bench/upload.mjs
	cargo test --release -p server --test audit_export_bench --test api_bench --test browser_bench -- --ignored --nocapture --test-threads 1

# Two replicas on a throwaway PostgreSQL, then one process on SQLite, under
# simulated users (not part of `make test`): requests per second, p50 and
# p99 latency per kind, errors, and the audit trail checked.
bench-scale: setup
	server/tests/support/with-postgres.sh cargo test --release -p server --test scale_bench -- --ignored --nocapture
