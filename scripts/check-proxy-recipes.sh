#!/usr/bin/env bash
# Runs packaging/nginx.conf and packaging/Caddyfile for real in front of a kring-server on loopback and
# checks through each: /healthz over HTTPS, a widget file's headers (ETag and Vary as the server sent
# them, 304 on revalidation), a WebSocket upgrade on /sync answered 101, a body over 1 MiB refused, and
# no console or console API on the public address.
# Installs nothing: needs nginx (nginx-light), caddy, openssl and curl from Debian, and a built
# kring-server (cmake --build build/native --target kring-server). Exits non-zero on any failure.
# Usage: bash scripts/check-proxy-recipes.sh [path/to/kring-server]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
server="${1:-$root/build/native/host-adapters/server/kring-server}"

for tool in nginx caddy openssl curl; do
  command -v "$tool" >/dev/null || { echo "check-proxy-recipes: $tool is missing (apt-get install nginx-light caddy openssl curl)"; exit 2; }
done
[ -x "$server" ] || { echo "check-proxy-recipes: no kring-server at $server (cmake --build build/native --target kring-server)"; exit 2; }

work="$(mktemp -d /tmp/kring-proxy-check-XXXXXX)"
chmod 755 "$work"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# A free loopback port: a random one, tried again when something holds it.
free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 30000))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && continue
    echo "$port"; return
  done
}
wait_port() {
  for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done
  echo "check-proxy-recipes: nothing listens on port $1 ($2)"; return 1
}

failures=0
check() {  # check <what> <command…>: prints ok/FAIL, counts failures
  local what="$1"; shift
  if "$@"; then echo "  ok   $what"; else echo "  FAIL $what"; failures=$((failures + 1)); fi
}

# The server, with a site and a small widget build (a loader, a hashed file, their .gz copies).
origin="https://shop.example"
cat >"$work/sites.json" <<JSON
{"sites":[{"id":"demo","allowedOrigins":["$origin"],"tokenSecret":"proxy-check-secret-0123456789-abcdefghij",
 "adminKey":"proxy-check-admin-0123456789","guestPosting":true,"policy":{}}]}
JSON
mkdir -p "$work/widget"
printf 'import "./kring-thread.0a1b2c3d.js";\n%.0s' $(seq 200) >"$work/widget/kring.js"
printf 'export const thread = 1;\n' >"$work/widget/kring-thread.0a1b2c3d.js"
for f in "$work"/widget/*.js; do gzip -9 -k "$f"; done
kport="$(free_port)"
"$server" --address 127.0.0.1 --port "$kport" --db "sqlite:$work/kring.db" --sites "$work/sites.json" \
  --widget-dir "$work/widget" --trusted-proxy 127.0.0.1 >"$work/server.out" 2>"$work/server.log" &
pids+=($!)
wait_port "$kport" kring-server

# A throwaway certificate for localhost.
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
  -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null

# nginx: the recipe as written, with this run's ports, name and certificate, in a minimal main file.
nport="$(free_port)"; nredirect="$(free_port)"
sed -e "s#127.0.0.1:8080#127.0.0.1:$kport#" \
    -e "s#listen 443 ssl http2;#listen 127.0.0.1:$nport ssl http2;#" \
    -e "s#listen 80;#listen 127.0.0.1:$nredirect;#" \
    -e "/listen \[::\]/d" \
    -e "s#community.example.com;#localhost;#" \
    -e "s#/etc/letsencrypt/live/community.example.com/fullchain.pem#$work/cert.pem#" \
    -e "s#/etc/letsencrypt/live/community.example.com/privkey.pem#$work/key.pem#" \
    "$root/packaging/nginx.conf" >"$work/nginx-site.conf"
cat >"$work/nginx-main.conf" <<CONF
user $(id -un);
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 256; }
http {
  access_log $work/nginx-access.log;
  client_body_temp_path $work/nginx-body;
  proxy_temp_path $work/nginx-proxy;
  fastcgi_temp_path $work/nginx-fastcgi;
  uwsgi_temp_path $work/nginx-uwsgi;
  scgi_temp_path $work/nginx-scgi;
  include $work/nginx-site.conf;
}
CONF
nginx -t -q -p "$work" -e "$work/nginx-error.log" -c "$work/nginx-main.conf"
nginx -p "$work" -e "$work/nginx-error.log" -c "$work/nginx-main.conf"
wait_port "$nport" nginx

# Caddy: the recipe as written, with this run's address and certificate; its admin API and state stay out of the way.
cport="$(free_port)"
{
  printf '{\n\tadmin off\n\tauto_https disable_redirects\n\tstorage file_system %s\n}\n\n' "$work/caddy-data"
  sed -e "s#^community.example.com {#https://localhost:$cport {\n\ttls $work/cert.pem $work/key.pem#" \
      -e "s#127.0.0.1:8080#127.0.0.1:$kport#" "$root/packaging/Caddyfile"
} >"$work/Caddyfile"
HOME="$work" XDG_DATA_HOME="$work" XDG_CONFIG_HOME="$work" \
  caddy run --config "$work/Caddyfile" --adapter caddyfile >"$work/caddy.log" 2>&1 &
pids+=($!)
wait_port "$cport" caddy

# What the server itself answers for the loader: the headers each proxy must pass unchanged.
direct_etag="$(curl -s -D - -o /dev/null -H 'Accept-Encoding: gzip' -H "Origin: $origin" \
  "http://127.0.0.1:$kport/kring/kring.js" | tr -d '\r' | sed -n 's/^[Ee][Tt][Aa][Gg]: //p')"
[ -n "$direct_etag" ] || { echo "check-proxy-recipes: kring-server sent no ETag"; exit 1; }

header() { tr -d '\r' <"$1" | sed -n "s/^$2: //Ip" | head -1; }

check_proxy() {
  local name="$1" port="$2" base="https://localhost:$2"
  local tls=(--cacert "$work/cert.pem" --resolve "localhost:$port:127.0.0.1" -s --max-time 10)
  echo "$name (https://localhost:$port → kring-server :$kport)"
  local h="$work/$name.headers" b="$work/$name.body"

  check "GET /healthz over HTTPS is 200 ok" \
    bash -c "[ \"\$(curl $(printf '%q ' "${tls[@]}") -o '$b' -w '%{http_code}' '$base/healthz')\" = 200 ] && grep -q '\"status\":\"ok\"' '$b'"

  curl "${tls[@]}" -D "$h" -o "$b" -H 'Accept-Encoding: gzip' -H "Origin: $origin" "$base/kring/kring.js" || true
  check "widget file: the server's ETag unchanged" [ "$(header "$h" etag)" = "$direct_etag" ]
  check "widget file: Vary names Origin and Accept-Encoding" \
    bash -c "grep -qi '^vary:.*origin' '$h' && grep -qi '^vary:.*accept-encoding' '$h'"
  check "widget file: the server's gzip copy, not re-compressed" [ "$(header "$h" content-encoding)" = gzip ]
  check "widget file: Access-Control-Allow-Origin for the page" [ "$(header "$h" access-control-allow-origin)" = "$origin" ]
  check "widget file: If-None-Match answers 304" \
    [ "$(curl "${tls[@]}" -o /dev/null -w '%{http_code}' -H 'Accept-Encoding: gzip' -H "If-None-Match: $direct_etag" "$base/kring/kring.js")" = 304 ]

  # curl waits on the upgraded connection until --max-time; the status line is what counts.
  curl "${tls[@]}" --max-time 2 --http1.1 -D "$h" -o /dev/null -H 'Connection: Upgrade' -H 'Upgrade: websocket' \
    -H 'Sec-WebSocket-Version: 13' -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==' -H "Origin: $origin" \
    "$base/sync" || true
  check "WebSocket upgrade on /sync answered 101" bash -c "head -1 '$h' | grep -q ' 101'"
  check "WebSocket accept key is the server's" \
    [ "$(header "$h" sec-websocket-accept)" = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" ]

  check "a 2 MiB body is refused with 413" \
    [ "$(head -c 2097152 /dev/zero | curl "${tls[@]}" -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
         --data-binary @- "$base/")" = 413 ]
  check "the console API is not answered on the public address (404)" \
    [ "$(curl "${tls[@]}" -o /dev/null -w '%{http_code}' "$base/api/sites/demo/whoami")" = 404 ]
  check "the console is not answered on the public address (404)" \
    [ "$(curl "${tls[@]}" -o /dev/null -w '%{http_code}' "$base/console/")" = 404 ]
}

start=$(date +%s%N)
check_proxy nginx "$nport"
check_proxy caddy "$cport"
check "kring-server is alive after both" bash -c "curl -sf http://127.0.0.1:$kport/healthz >/dev/null"
echo "checks took $(( ($(date +%s%N) - start) / 1000000 )) ms"
if [ "$failures" -gt 0 ]; then
  echo "check-proxy-recipes: $failures check(s) failed; logs: nginx-error.log, caddy.log, server.log"
  tail -5 "$work/nginx-error.log" "$work/caddy.log" "$work/server.log" 2>/dev/null || true
  exit 1
fi
echo "check-proxy-recipes: nginx and Caddy recipes pass"
