# Relm — the two commands of the quick start are `make run` and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

CARGO ?= cargo
CARGO_DENY_VERSION := 0.20.2
NPM ?= npm
# Debian/Ubuntu packages the build, the app and the tests need.
APT_PACKAGES := build-essential pkg-config libdbus-1-dev libssl-dev sqlite3 \
  libwebkit2gtk-4.1-dev librsvg2-dev xvfb webkit2gtk-driver xauth dbus \
  python3-icalendar python3-dateutil python3-venv faketime xdotool qpdf poppler-utils \
  jq unzip openssl git
TAURI_DRIVER_VERSION := 2.1.0
DEMO_DIR := $(CURDIR)/target/demo-data
RELM := $(CURDIR)/target/debug/relm
APP := $(CURDIR)/target/debug/relm-app
LIB_CRATES := relm-domain relm-store relm-identity relm-sync relm-report relm-connect relm-api relm-cli

.PHONY: run test deps ui build lint fmt bench bench-app bench-pages demo-reset help e2e tauri-driver screenshots bundle pyref

help:
	@echo "make run    install what is missing, build, and open the app on the demo workspace"
	@echo "make test   the whole suite: format, lints, Rust, UI and end-to-end tests"
	@echo "make bench  ledger, sync and policy benchmarks (release build; results in docs/BENCHMARKS.md)"
	@echo "make bench-app  the app on a large organization's workspace, beside a minimal Tauri app"
	@echo "make bench-pages  the backend calls behind each page on that workspace, in one process"

## Install missing system packages (as root, or with sudo; otherwise say what is needed).
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	command -v node >/dev/null || missing="$$missing nodejs npm"; \
	if [ -n "$$missing" ]; then \
	  if ! command -v apt-get >/dev/null; then echo "please install:$$missing (or your system's equivalents)"; exit 1; fi; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; \
	  else echo "missing packages:$$missing — run as root or install them with your package manager"; exit 1; fi; \
	  echo "installing:$$missing"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi
	@command -v $(CARGO) >/dev/null || { echo "Rust is missing: install it from https://rustup.rs"; exit 1; }

## The UI's packages and its build (ui/dist, embedded in the app).
ui: deps
	cd ui && $(NPM) ci --no-audit --no-fund --loglevel=error
	cd ui && $(NPM) run build --silent

build: ui
	$(CARGO) build -p relm-cli -p relm-app

## Build, seed the demo workspace (once) in target/demo-data, and open the app on it.
run: build
	@if [ ! -f "$(DEMO_DIR)/store/relm.db" ]; then $(RELM) --data-dir "$(DEMO_DIR)" demo >/dev/null; fi
	@$(RELM) --data-dir "$(DEMO_DIR)" status
	@if [ -z "$${DISPLAY:-}$${WAYLAND_DISPLAY:-}" ]; then \
	  echo "no display: start the app from a desktop session with"; \
	  echo "  $(APP) --data-dir $(DEMO_DIR)"; \
	else $(APP) --data-dir "$(DEMO_DIR)"; fi

demo-reset:
	rm -rf "$(DEMO_DIR)"

fmt:
	$(CARGO) fmt --all
	cd ui && npx prettier --write . ../tests/e2e ../tests/bench --ignore-path .prettierignore

lint: ui
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings
	@# Architecture invariant: no library crate depends on tauri.
	@for c in $(LIB_CRATES); do \
	  if $(CARGO) tree -p $$c --edges normal,build --prefix none | grep -qE '^tauri(-[a-z-]+)? v'; then \
	    echo "library crate $$c pulls tauri into its dependency tree"; exit 1; fi; done
	@# Licences of every dependency (deny.toml); cargo-deny is installed, pinned, when missing.
	@$(CARGO) deny --version 2>/dev/null | grep -q "$(CARGO_DENY_VERSION)" || \
	  $(CARGO) install cargo-deny --locked --version $(CARGO_DENY_VERSION)
	$(CARGO) deny --log-level error check licenses
	cd ui && npx prettier --check . ../tests/e2e ../tests/bench --ignore-path .prettierignore --log-level warn
	cd ui && $(NPM) run check --silent

## The independent iCalendar reader the calendar import is measured against (pinned, in a
## virtual environment under target/).
PYREF_STAMP := target/py/.installed
$(PYREF_STAMP): tests/python/requirements.txt | deps
	rm -rf target/py && /usr/bin/python3 -m venv target/py
	target/py/bin/pip install --quiet --disable-pip-version-check -r tests/python/requirements.txt
	touch $@
pyref: $(PYREF_STAMP)

## tauri-driver (WebDriver for Tauri apps), pinned.
tauri-driver: deps
	@command -v tauri-driver >/dev/null && tauri-driver --version 2>/dev/null | grep -q "$(TAURI_DRIVER_VERSION)" || \
	  $(CARGO) install tauri-driver --locked --version $(TAURI_DRIVER_VERSION)

## End-to-end tests of the real app under Xvfb (the app and the CLI must be built).
e2e: tauri-driver
	cd tests/e2e && $(NPM) ci --no-audit --no-fund --loglevel=error
	cd tests/e2e && env -u DISPLAY PATH="$$HOME/.cargo/bin:$$PATH" $(NPM) test

## A Linux installer (.deb), from a release build.
bundle: ui
	cd ui && $(NPM) run bundle --silent -- --bundles deb

## Screenshots of every page, both themes, both languages: target/screenshots/*.png.
screenshots: build tauri-driver
	cd tests/e2e && $(NPM) ci --no-audit --no-fund --loglevel=error
	cd tests/e2e && env -u DISPLAY PATH="$$HOME/.cargo/bin:$$PATH" node screenshots.mjs

## The whole suite. INSTA_UPDATE=no: snapshot changes fail instead of being written.
## CARGO_INCREMENTAL=0 (unless set): a one-off build keeps no incremental caches, which take
## 1.7 GB on a fresh machine; `make test CARGO_INCREMENTAL=1` keeps them between runs.
test: export CARGO_INCREMENTAL ?= 0
test: deps lint pyref
	$(CARGO) build -p relm-cli -p relm-app --locked
	$(CARGO) build -p relm-tests --bin relm-plant-strangers --locked
	INSTA_UPDATE=no $(CARGO) test --workspace --locked
	cd ui && $(NPM) test --silent
	$(MAKE) --no-print-directory e2e

bench: deps
	$(CARGO) bench -p relm-tests --bench ledger
	$(CARGO) bench -p relm-tests --bench sync
	$(CARGO) bench -p relm-tests --bench git_team
	$(CARGO) bench -p relm-tests --bench sbom
	$(CARGO) bench -p relm-tests --bench gates
	$(CARGO) bench -p relm-tests --bench calendar
	$(CARGO) bench -p relm-tests --bench risks
	$(CARGO) bench -p relm-tests --bench delivery
	$(CARGO) bench -p relm-tests --bench reports
	$(CARGO) bench -p relm-tests --bench connectors
	$(CARGO) bench -p relm-tests --bench growth

## The app on a large organization's workspace (1M events, 100k releases, 10k risks, 500
## calendar entries, 50 members), release builds, under Xvfb, beside the smallest Tauri app
## built the same way. The workspace is seeded anew as of today (RELM_BENCH_KEEP=1 keeps one
## already there); results on stdout and in target/bench/app.json.
BIG_DIR := $(CURDIR)/target/bench/big-workspace
bench-app: ui tauri-driver
	$(CARGO) build --release --locked -p relm-app -p relm-bench-minimal-app -p relm-tests --bins
	cd tests/e2e && $(NPM) ci --no-audit --no-fund --loglevel=error
	@if [ -z "$${RELM_BENCH_KEEP:-}" ] || [ ! -f "$(BIG_DIR)/store/relm.db" ]; then \
	  rm -rf "$(BIG_DIR)" && RELM_KEYRING=kernel target/release/relm-seed-big "$(BIG_DIR)"; fi
	env -u DISPLAY PATH="$$HOME/.cargo/bin:$$PATH" RELM_BENCH_DIR="$(BIG_DIR)" node tests/bench/app.mjs

## The backend calls behind each page on the same workspace (seeded if missing), in one process.
bench-pages:
	$(CARGO) build --release --locked -p relm-tests --bins
	@if [ ! -f "$(BIG_DIR)/store/relm.db" ]; then RELM_KEYRING=kernel target/release/relm-seed-big "$(BIG_DIR)"; fi
	RELM_KEYRING=kernel RELM_BENCH_DIR="$(BIG_DIR)" $(CARGO) bench --locked -p relm-tests --bench pages
