#!/usr/bin/env bash
# The storage benchmark (kring_bench_storage) on PostgreSQL: a private database server in
# build/bench-pg, a fresh database, 1,000,000 posts (or $1), then the database's size.
set -euo pipefail
cd "$(dirname "$0")/.."
posts="${1:-1000000}"
bash scripts/test-postgres.sh start build/bench-pg >/dev/null
trap 'bash scripts/test-postgres.sh stop build/bench-pg' EXIT
server="$(cat build/bench-pg/url)"
url="${server%/*}/kring_storage"
psql "$server" -qc "DROP DATABASE IF EXISTS kring_storage" -c "CREATE DATABASE kring_storage"
build/native/tests/bench/kring_bench_storage "$posts" --store build/bench-storage-pg --fresh --server-flags "--db $url"
psql "$url" -Atc "SELECT 'PostgreSQL database MB after the last stop: ' || pg_database_size('kring_storage') / 1048576"
