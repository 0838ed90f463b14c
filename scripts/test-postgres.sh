#!/usr/bin/env bash
# A private PostgreSQL server for the tests and benchmarks, on a free loopback port, in a folder of
# its own: `start DIR` writes DIR/url (postgresql://kring@127.0.0.1:PORT/postgres); `stop DIR` ends it.
# initdb refuses root: as root the server runs as the postgres user the Debian package creates.
set -euo pipefail
action="$1"
dir="$(mkdir -p "$2" && cd "$2" && pwd)"
bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
as_owner=()
[ "$(id -u)" -ne 0 ] || as_owner=(runuser -u postgres --)

case "$action" in
  start)
    if [ -f "$dir/data/postmaster.pid" ]; then "$0" stop "$dir"; fi
    rm -rf "$dir/data" "$dir/url"
    [ "$(id -u)" -ne 0 ] || chown postgres "$dir"
    "${as_owner[@]}" "$bin/initdb" -D "$dir/data" -A trust -U kring --no-sync >"$dir/initdb.log"
    # A free loopback port: a random one, tried again when something holds it.
    started=""
    for attempt in 1 2 3 4 5; do
      port=$((20000 + RANDOM % 30000))
      (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && continue
      # fsync stays on: the tests claim durability. Enough connections for several servers and tests;
      # WAL room for a million-post benchmark without a forced checkpoint every 45 s.
      if "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w start \
        -o "-k $dir -p $port -c listen_addresses=127.0.0.1 -c max_connections=200 -c max_wal_size=4GB" >/dev/null; then
        started=yes
        break
      fi
    done
    [ -n "$started" ] || { echo "postgres: could not start (see $dir/server.log)" >&2; exit 1; }
    echo "postgresql://kring@127.0.0.1:$port/postgres" >"$dir/url"
    echo "postgres: $(cat "$dir/url")"
    ;;
  stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
      "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
    fi
    rm -rf "$dir/data" "$dir/url"
    ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
