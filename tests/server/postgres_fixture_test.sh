#!/usr/bin/env bash
# The test PostgreSQL (scripts/test-postgres.sh) from a folder nobody else can enter, as a clone under
# /root is: start, halt, resume and stop must all work, and stop must leave nothing running or behind.
# Usage: bash postgres_fixture_test.sh path/to/test-postgres.sh
set -euo pipefail
script="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
[ -f "$script" ] || { echo "FAIL: no script at $1" >&2; exit 2; }

d="$(mktemp -d)"  # 0700, like root's home
cleanup() {
  bash "$script" stop "$d/pg" >/dev/null 2>&1 || true
  rm -rf "$d"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
answers() { psql -qAtX "$(cat "$d/pg/url")" -c 'select 1' 2>/dev/null | grep -qx 1; }

bash "$script" start "$d/pg" || fail "start in $d/pg"
for f in url port home; do [ -s "$d/pg/$f" ] || fail "start wrote no $d/pg/$f"; done
home="$(cat "$d/pg/home")"
port="$(cat "$d/pg/port")"
[ -d "$home" ] || fail "the server's folder $home does not exist"
answers || fail "psql cannot reach $(cat "$d/pg/url") after start"

bash "$script" halt "$d/pg" || fail "halt"
! answers || fail "psql still reaches the server after halt"
[ -d "$home/data" ] || fail "halt removed the data in $home"

bash "$script" resume "$d/pg" || fail "resume"
[ "$(cat "$d/pg/port")" = "$port" ] || fail "resume changed the port"
answers || fail "psql cannot reach the server after resume"

bash "$script" stop "$d/pg" || fail "stop"
[ ! -e "$home" ] || fail "stop left the server's folder $home"
! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || fail "port $port still answers after stop"
bash "$script" stop "$d/pg" || fail "a second stop"

echo "postgres fixture: start, halt, resume and stop work from a private folder"
