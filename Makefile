# The two commands of README.md. Both install whatever is missing first (.ci/setup).
SHELL := /bin/bash
.PHONY: run test build

## make run: build the release site and start BillionMail on http://127.0.0.1:8080
run: build
	@source "$${BM_TOOLS_ENV:-$$HOME/.cache/billionmail/tools.env}" && \
	  BM_SITE_ROOT="$${BM_SITE_ROOT:-$(CURDIR)/target/site}" exec "$$CARGO_TARGET_DIR/release/billionmail" serve

## make build: release build of the server, the wasm bundle (opt-level z + wasm-opt) and the CSS
build:
	@.ci/setup
	@source "$${BM_TOOLS_ENV:-$$HOME/.cache/billionmail/tools.env}" && \
	  cargo leptos build --release $${BM_LIB_CARGO_ARGS:+--lib-cargo-args=$$BM_LIB_CARGO_ARGS}

## make test: every test (lint, unit, integration against PostgreSQL, browser end-to-end)
test:
	@.ci/test
