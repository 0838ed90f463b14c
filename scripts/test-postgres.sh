#!/usr/bin/env bash
# A private PostgreSQL server for the tests and benchmarks, on a free loopback port:
#   start DIR   writes DIR/url (postgresql://kring@127.0.0.1:PORT/postgres), DIR/port and DIR/home
#   stop DIR    ends it and removes its files (safe to repeat, or when nothing runs)
#   halt DIR    stops it but keeps its data (for fault tests); resume DIR starts it again on the same port
# initdb refuses root: as root the server runs as the postgres user the Debian package creates. That
# user may not be able to enter DIR (a clone under /root or a mktemp -d is 0700), so the data folder,
# socket and logs live in a folder of the server's own under /tmp, named in DIR/home.
set -euo pipefail
action="${1:-}"
[ $# -eq 2 ] || { echo "usage: $0 start|stop|halt|resume DIR" >&2; exit 2; }
dir="$(mkdir -p "$2" && cd "$2" && pwd)"
bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
as_owner=()
[ "$(id -u)" -ne 0 ] || as_owner=(runuser -u postgres --)
# The postgres user may not be able to read our working folder either.
cd /

# The server's own folder as DIR/home names it; only ever one that mktemp made, so that a stray
# or edited file cannot make stop remove something else.
home_of() {
  local home
  home="$(cat "$dir/home" 2>/dev/null || true)"
  case "$home" in /tmp/kring-postgres.??????) echo "$home" ;; *) ;; esac
}

# Starts the server in $1 on port $2 (the same settings for start and resume). fsync stays on: the
# tests claim durability. Enough connections for several servers and tests; WAL room for a
# million-post benchmark without a forced checkpoint every 45 s.
run_server() {
  "${as_owner[@]}" "$bin/pg_ctl" -D "$1/data" -l "$1/server.log" -w start \
    -o "-k $1 -p $2 -c listen_addresses=127.0.0.1 -c max_connections=200 -c max_wal_size=4GB" >/dev/null
}

stop_server() {
  local home
  home="$(home_of)"
  if [ -n "$home" ]; then
    if [ -f "$home/data/postmaster.pid" ]; then
      "${as_owner[@]}" "$bin/pg_ctl" -D "$home/data" -m fast -w stop >/dev/null || true
    fi
    rm -rf "$home"
  fi
  # A server of the older layout (data inside DIR) would otherwise outlive this change.
  if [ -f "$dir/data/postmaster.pid" ]; then
    "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
  fi
  rm -rf "$dir/data" "$dir/url" "$dir/port" "$dir/home" "$dir/initdb.log" "$dir/server.log"
}

case "$action" in
  start)
    stop_server
    home="$(mktemp -d /tmp/kring-postgres.XXXXXX)"
    # Recorded at once, so that stop cleans up even after a failed start.
    echo "$home" >"$dir/home"
    [ "$(id -u)" -ne 0 ] || chown postgres: "$home"
    if ! "${as_owner[@]}" "$bin/initdb" -D "$home/data" -A trust -U kring --no-sync >"$home/initdb.log" 2>&1; then
      echo "postgres: initdb failed (see $home/initdb.log)" >&2
      exit 1
    fi
    # A free loopback port: a random one, tried again when something holds it.
    started=""
    for attempt in 1 2 3 4 5; do
      port=$((20000 + RANDOM % 30000))
      (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && continue
      if run_server "$home" "$port"; then
        started=yes
        break
      fi
    done
    [ -n "$started" ] || { echo "postgres: could not start (see $home/server.log)" >&2; exit 1; }
    echo "$port" >"$dir/port"
    echo "postgresql://kring@127.0.0.1:$port/postgres" >"$dir/url"
    echo "postgres: $(cat "$dir/url")"
    ;;
  stop)
    stop_server
    ;;
  halt)
    home="$(home_of)"
    [ -n "$home" ] && [ -f "$home/data/postmaster.pid" ] || { echo "postgres: no server running for $dir" >&2; exit 1; }
    "${as_owner[@]}" "$bin/pg_ctl" -D "$home/data" -m fast -w stop >/dev/null
    ;;
  resume)
    home="$(home_of)"
    [ -n "$home" ] && [ -d "$home/data" ] && [ -f "$dir/port" ] || { echo "postgres: no halted server for $dir" >&2; exit 1; }
    # pg_ctl -w returns once the server accepts connections.
    run_server "$home" "$(cat "$dir/port")" || { echo "postgres: could not resume (see $home/server.log)" >&2; exit 1; }
    ;;
  *) echo "usage: $0 start|stop|halt|resume DIR" >&2; exit 2 ;;
esac
