# Relm — the two commands of the quick start are `make run` and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

CARGO ?= cargo
# Debian/Ubuntu packages the build and the tests need.
APT_PACKAGES := build-essential pkg-config libdbus-1-dev sqlite3
DEMO_DIR := $(CURDIR)/target/demo-data
RELM := $(CURDIR)/target/debug/relm

.PHONY: run test deps build lint fmt bench demo-reset help

help:
	@echo "make run    install what is missing, build, and open the demo workspace"
	@echo "make test   the whole suite: format, lints, all tests"
	@echo "make bench  ledger benchmarks (release build; results go in docs/BENCHMARKS.md)"

## Install missing system packages (as root, or with sudo; otherwise say what is needed).
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if ! command -v apt-get >/dev/null; then echo "please install:$$missing (or your system's equivalents)"; exit 1; fi; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; \
	  else echo "missing packages:$$missing — run as root or install them with your package manager"; exit 1; fi; \
	  echo "installing:$$missing"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi
	@command -v $(CARGO) >/dev/null || { echo "Rust is missing: install it from https://rustup.rs"; exit 1; }

build: deps
	$(CARGO) build -p relm-cli

## Build, seed the demo workspace (once) in target/demo-data, and show it.
run: build
	@if [ ! -f "$(DEMO_DIR)/relm.db" ]; then $(RELM) --data-dir "$(DEMO_DIR)" demo; \
	 else $(RELM) --data-dir "$(DEMO_DIR)" status; fi
	@$(RELM) --data-dir "$(DEMO_DIR)" release list --limit 15
	@echo; echo "try: $(RELM) --data-dir $(DEMO_DIR) release show <ID>   |   audit verify   |   --help"

demo-reset:
	rm -rf "$(DEMO_DIR)"

fmt:
	$(CARGO) fmt --all

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings
	@# Architecture invariant: no library crate depends on tauri.
	@if $(CARGO) tree --workspace --edges normal,build --prefix none | grep -qE '^tauri(-[a-z-]+)? v'; then \
	  echo "a library crate pulls tauri into its dependency tree"; exit 1; fi

## The whole suite. INSTA_UPDATE=no: snapshot changes fail instead of being written.
test: deps lint
	$(CARGO) build -p relm-cli --locked
	INSTA_UPDATE=no $(CARGO) test --workspace --locked

bench: deps
	$(CARGO) bench -p relm-tests --bench ledger
	$(CARGO) bench -p relm-tests --bench sync
