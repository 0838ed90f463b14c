#!/usr/bin/env bash
# The PostgreSQL backup recipe of docs/operations.md, run for real: a kring-server on a private
# PostgreSQL (scripts/test-postgres.sh) writes 60 threads with checkpoints and compaction, pg_dump of the
# kring_ tables is taken while it runs, pg_restore puts it in an empty database, and a server started on
# that one must hold the same site snapshot, byte for byte. Needs a built kring-server and the postgresql
# package (setup.sh installs it). Usage: bash scripts/check-postgres-backup.sh [path/to/kring-server]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
server="${1:-$root/build/native/host-adapters/server/kring-server}"
[ -x "$server" ] || { echo "check-postgres-backup: no kring-server at $server"; exit 2; }

work="$(mktemp -d /tmp/kring-pg-backup-XXXXXX)"
chmod 755 "$work"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  bash "$root/scripts/test-postgres.sh" stop "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

bash "$root/scripts/test-postgres.sh" start "$work/pg" >/dev/null
url="$(cat "$work/pg/url")"
base="${url%/postgres}"
psql -q "$url" -c "CREATE DATABASE kring_live" -c "CREATE DATABASE kring_restored"
key="backup-check-admin-0123456789"
cat >"$work/sites.json" <<JSON
{"sites":[{"id":"demo","allowedOrigins":["*"],"tokenSecret":"backup-check-secret-0123456789-abcdefgh",
 "adminKey":"$key","policy":{}}]}
JSON

# Starts a server on a database (in this shell, so that cleanup stops it); sets $port once it listens.
start_server() {
  "$server" --port 0 --db "$1" --sites "$work/sites.json" --checkpoint-every 20 --op-log-retention 5 \
    >"$work/$2.out" 2>"$work/$2.log" &
  pids+=($!)
  for _ in $(seq 100); do
    if grep -q listening "$work/$2.out" 2>/dev/null; then
      port="$(sed -n 's#.*:\([0-9]*\)/$#\1#p' "$work/$2.out")"
      return
    fi
    sleep 0.1
  done
  echo "check-postgres-backup: the $2 server did not start" >&2; exit 1
}
snapshot() { curl -sf -H "Authorization: Bearer $key" "http://127.0.0.1:$1/api/sites/demo/snapshot" -o "$2"; }

start_server "$base/kring_live" live
live="$port"
for i in $(seq 60); do
  curl -sf -o /dev/null -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
    -d "{\"key\":\"/p/$i\",\"title\":\"Thread $i\",\"kind\":\"question\"}" "http://127.0.0.1:$live/api/sites/demo/threads"
done
snapshot "$live" "$work/live.snapshot"
pg_dump --format=custom --table='kring_*' --file="$work/kring.dump" "$base/kring_live"
pg_restore --no-owner --dbname="$base/kring_restored" "$work/kring.dump"
start_server "$base/kring_restored" restored
restored="$port"
snapshot "$restored" "$work/restored.snapshot"
grep -o '"event":"site_loaded".*' "$work/restored.log"
if cmp -s "$work/live.snapshot" "$work/restored.snapshot"; then
  echo "check-postgres-backup: the restored database serves the same site snapshot ($(stat -c %s "$work/live.snapshot") bytes; dump $(stat -c %s "$work/kring.dump") bytes)"
else
  echo "check-postgres-backup: the snapshots differ"; exit 1
fi
