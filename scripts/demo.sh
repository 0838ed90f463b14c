#!/usr/bin/env bash
# make demo: builds what is needed, writes a demo site config with fresh secrets (once), seeds
# sample threads into an embedded SQLite file (once) and runs kring-server in the foreground.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
demo="$root/build/demo"
port="${KRING_DEMO_PORT:-8080}"
mkdir -p "$demo"

if [ ! -f "$demo/sites.json" ]; then
  secret=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
  admin=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
  # A new community: votes and comments open to everyone (the default gates need reputation that
  # a fresh demo has nobody with); the other rules are the defaults (docs/policy.md).
  cat > "$demo/sites.json" <<JSON
{"sites":[{"id":"demo","allowedOrigins":["http://localhost:$port","http://127.0.0.1:$port"],
  "tokenSecret":"$secret","adminKey":"$admin","guestPosting":true,
  "policy":{"settings":{"privilegeVoteUp":1,"privilegeComment":1,"privilegeFlag":1},
            "watchedWords":[{"locale":"*","word":"viagra","action":"block"}]}}]}
JSON
fi
# The pages follow the port this run serves on, whatever port wrote the sites file first.
sed -i "s|\"allowedOrigins\":\[[^]]*\]|\"allowedOrigins\":[\"http://localhost:$port\",\"http://127.0.0.1:$port\"]|" "$demo/sites.json"
# The widget (make web) is served at /kring/; the pages and the personas' tokens, signed here as a
# host site's backend would, at /.
rm -rf "$demo/kring" "$demo/site"
cp -r "$root/build/web" "$demo/kring"
cp -r "$root/demo-site" "$demo/site"
node "$root/scripts/demo-tokens.mjs" "$demo/sites.json" "$demo/site/demo-tokens.json"

server=("$root/build/native/host-adapters/server/kring-server" --address 127.0.0.1 --port "$port"
        --db "sqlite:$demo/kring.db" --sites "$demo/sites.json" --static-dir "$demo/site" --widget-dir "$demo/kring")

if [ ! -f "$demo/.seeded" ]; then
  "${server[@]}" > "$demo/seed-server.out" 2> "$demo/seed-server.log" &
  pid=$!
  for _ in $(seq 50); do grep -q listening "$demo/seed-server.out" 2>/dev/null && break; sleep 0.1; done
  seeded=0
  node "$root/scripts/seed-demo.mjs" --port "$port" --sites "$demo/sites.json" --wasm "$root/build/wasm/wasm/kring-core.js" && seeded=1
  kill -TERM "$pid"; wait "$pid" || true
  [ "$seeded" = 1 ] || { echo "seeding the demo failed; see $demo/seed-server.log" >&2; exit 1; }
  touch "$demo/.seeded"
fi

echo
echo "  Kring demo: open http://localhost:$port/  (product Q&A)  and  http://localhost:$port/blog.html  (comments)"
echo "  Admin key for /api/sites/demo/...: $(sed -n 's/.*"adminKey":"\([^"]*\)".*/\1/p' "$demo/sites.json")"
echo "  Stop with Ctrl-C. Data: $demo/kring.db"
echo
exec "${server[@]}"
