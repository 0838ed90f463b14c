# Kring: every target installs what it needs first (scripts/setup.sh is idempotent).
SHELL := /bin/bash
export NODE_PATH := /usr/share/nodejs
JOBS ?= $(shell nproc)

.PHONY: all setup native wasm fuzz test bench spam-eval demo clean

all: native wasm

setup:
	@bash scripts/setup.sh

native: setup
	@cmake --preset native >/dev/null
	@cmake --build build/native -j $(JOBS)

wasm: setup
	@cmake --preset wasm >/dev/null
	@cmake --build build/wasm -j $(JOBS)

fuzz: setup
	@cmake --preset fuzz >/dev/null
	@cmake --build build/fuzz -j $(JOBS)

test: native wasm fuzz
	@ctest --test-dir build/native --output-on-failure -j $(JOBS)

# Spam filter precision and recall on the SpamAssassin public corpus (docs/spam-evaluation.md).
spam-eval: native
	@node tests/spam/spam-corpus.mjs build/native/spam-corpus.jsonl
	@build/native/tests/spam/kring_spam_eval build/native/spam-corpus.jsonl

bench: native wasm
	@node tests/bench/run_bench.mjs --native build/native/tests/bench/kring_bench_core --wasm build/wasm/wasm/kring-core.js
	@build/native/tests/bench/kring_bench_server 10000

demo: setup wasm
	@cmake --preset native >/dev/null
	@cmake --build build/native -j $(JOBS) --target kring-server
	@bash scripts/demo.sh

clean:
	@rm -rf build/native build/wasm build/fuzz
