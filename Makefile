# Kring: every target installs what it needs first (scripts/setup.sh is idempotent).
SHELL := /bin/bash
export NODE_PATH := /usr/share/nodejs
JOBS ?= $(shell nproc)

.PHONY: all setup native wasm web fuzz test bench bench-large spam-eval demo format clean

all: native wasm

setup:
	@bash scripts/setup.sh

native: setup
	@cmake --preset native >/dev/null
	@cmake --build build/native -j $(JOBS)

wasm: setup
	@cmake --preset wasm >/dev/null
	@cmake --build build/wasm -j $(JOBS)

# The <kring-thread> widget (host-adapters/web) into build/web/: type-checks, bundles, compresses and
# fails when a size budget is exceeded (docs/widget.md).
web: wasm
	@cd host-adapters/web && node_modules/.bin/tsc --noEmit -p . && node build.mjs

fuzz: setup
	@cmake --preset fuzz >/dev/null
	@cmake --build build/fuzz -j $(JOBS)

# Each phase in turn, then every test, and a table of each phase's time (scripts/test.sh).
test:
	@JOBS=$(JOBS) bash scripts/test.sh

# Formats the C, C++ and TypeScript sources (.clang-format, .prettierrc.json, .editorconfig).
format:
	@bash scripts/format.sh

# Spam filter precision and recall on the SpamAssassin public corpus (docs/spam-evaluation.md).
spam-eval: native
	@node tests/spam/spam-corpus.mjs build/native/spam-corpus.jsonl
	@build/native/tests/spam/kring_spam_eval build/native/spam-corpus.jsonl

# The benchmarks are not built by `native` (the tests need none of them): each target builds its own.
bench: native wasm web
	@cmake --build build/native -j $(JOBS) --target kring_bench_core kring_bench_server kring_bench_cluster kring_bench_console kring_bench_render kring_bench_readers kring_seed_thread
	@node tests/bench/run_bench.mjs --native build/native/tests/bench/kring_bench_core --wasm build/wasm/wasm/kring-core.js
	@build/native/tests/bench/kring_bench_server 10000
	@build/native/tests/bench/kring_bench_cluster
	@build/native/tests/bench/kring_bench_console
	@build/native/tests/bench/kring_bench_render
	@build/native/tests/bench/kring_bench_readers 10000
	@node tests/bench/widget_bench.mjs
	@node tests/bench/paging_bench.mjs
	@node tests/bench/notifications_bench.mjs

# Minutes long: issue 14's storage benchmark, 1,000,000 posts into kring-server's store (docs/operations.md,
# Storage), on SQLite, then on PostgreSQL; then a 1,000,000-comment Disqus export imported (docs/import.md). The SQLite store is kept in build/bench-storage/; a rerun
# measures only its start-ups and memory. PostgreSQL's is written afresh each time.
bench-large: native
	@cmake --build build/native -j $(JOBS) --target kring_bench_storage kring_bench_import
	@build/native/tests/bench/kring_bench_storage
	@bash scripts/bench-storage-postgres.sh
	@node tests/bench/import_bench.mjs --bench build/native/tests/bench/kring_bench_import --server build/native/host-adapters/server/kring-server

demo: setup web
	@cmake --preset native >/dev/null
	@cmake --build build/native -j $(JOBS) --target kring-server
	@bash scripts/demo.sh

clean:
	@rm -rf build/native build/wasm build/fuzz build/web
