#!/usr/bin/env bash
# make demo: builds what is needed, keeps the demo site's secrets (made once), writes its sites file
# for the port of this run, seeds sample threads into an embedded SQLite file (once), runs kring-server
# (the community server, on the next port) and, in the foreground, the demo shop: a host application
# of its own on its own origin (demo-site/shop.mjs).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
demo="$root/build/demo"
port="${KRING_DEMO_PORT:-8080}"
if ! [[ "$port" =~ ^[0-9]{1,5}$ ]] || [ "$port" -lt 1 ] || [ "$port" -gt 65533 ]; then
  echo "KRING_DEMO_PORT must be a port number from 1 to 65533 (the community server and the mail sink take the next two), not \"$port\"" >&2
  exit 2
fi
community=$((port + 1))
mailport=$((port + 2))  # the local SMTP sink the demo's mails go to
mkdir -p "$demo"

# The secrets outlive a run (the store's guest credentials are signed with them); the origins
# follow the port, so that `KRING_DEMO_PORT=9090 make demo` after `make demo` lets its pages in.
secrets="$demo/secrets.json"
if [ ! -f "$secrets" ]; then
  if [ -f "$demo/sites.json" ]; then  # written by an earlier demo.sh, secrets and origins together
    node -e 'const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).sites[0];
             console.log(JSON.stringify({ tokenSecret: s.tokenSecret, adminKey: s.adminKey }));' \
      "$demo/sites.json" > "$secrets.tmp"
  else
    secret=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
    admin=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
    echo "{\"tokenSecret\":\"$secret\",\"adminKey\":\"$admin\"}" > "$secrets.tmp"
  fi
  chmod 600 "$secrets.tmp"
  mv "$secrets.tmp" "$secrets"
fi
# A new community: votes and comments open to everyone (the default gates need reputation that
# a fresh demo has nobody with); the other rules are the defaults (docs/policy.md).
# Its members are mailed what they are told (docs/notifications.md) through a local SMTP sink.
node -e 'const [file, port, community, mailport] = process.argv.slice(1);
  const { tokenSecret, adminKey } = JSON.parse(require("fs").readFileSync(file, "utf8"));
  console.log(JSON.stringify({ sites: [{ id: "demo",
    allowedOrigins: [`http://localhost:${port}`, `http://127.0.0.1:${port}`],
    tokenSecret, adminKey, guestPosting: true,
    threadPages: `http://localhost:${port}/threads/{thread}`,
    email: { smtpUrl: `smtp://127.0.0.1:${mailport}`, requireTls: false, from: "community@shop.example",
             fromName: "Acme community", publicUrl: `http://127.0.0.1:${community}` },
    policy: { settings: { privilegeVoteUp: 1, privilegeComment: 1, privilegeFlag: 1 },
              watchedWords: [{ locale: "*", word: "viagra", action: "block" }] } }] }));' \
  "$secrets" "$port" "$community" "$mailport" > "$demo/sites.json.tmp"
mv "$demo/sites.json.tmp" "$demo/sites.json"
# The widget (make web) is served by kring-server at /kring/; the shop's pages and the personas' tokens,
# signed here as a host site's backend would, by the shop.
rm -rf "$demo/kring" "$demo/site"
cp -r "$root/build/web" "$demo/kring"
cp -r "$root/demo-site" "$demo/site"
node "$root/scripts/demo-tokens.mjs" "$demo/sites.json" "$demo/site/demo-tokens.json"

server=("$root/build/native/host-adapters/server/kring-server" --address 127.0.0.1 --port "$community"
        --db "sqlite:$demo/kring.db" --sites "$demo/sites.json" --widget-dir "$demo/kring")

# The mail sink, from here until the shop stops: each mail it takes is a .eml file (any mail program
# opens it) and a line of mails.jsonl.
mkdir -p "$demo/mails"
/usr/bin/python3 "$root/tests/support/smtp_sink.py" --port "$mailport" --out "$demo/mails.jsonl" \
  --eml-dir "$demo/mails" > "$demo/mail-sink.out" 2> "$demo/mail-sink.log" &
sink=$!
trap 'kill -TERM "$sink" 2>/dev/null; wait "$sink" 2>/dev/null || true' EXIT INT TERM
for _ in $(seq 50); do grep -q listening "$demo/mail-sink.out" 2>/dev/null && break; sleep 0.1; done
grep -q listening "$demo/mail-sink.out" || { echo "the mail sink did not start; see $demo/mail-sink.log" >&2; exit 1; }

# Starts the community server for seeding, in the background ($pid), and waits until it listens.
seed_server() {
  "${server[@]}" > "$demo/seed-server.out" 2> "$demo/seed-server.log" &
  pid=$!
  for _ in $(seq 50); do grep -q listening "$demo/seed-server.out" 2>/dev/null && break; sleep 0.1; done
  grep -q listening "$demo/seed-server.out" || { echo "kring-server did not start; see $demo/seed-server.log" >&2; exit 1; }
}

if [ ! -f "$demo/.seeded" ]; then
  # A first start writes the sites file's policy into the new site; then, with the server stopped,
  # about 60 days of the shop's history come in through kring-server import (docs/import.md) as a
  # Disqus export would bring them: the product Q&A as question threads (the Trail Runner's on the
  # shop's page), the blog's comments as discussions. The console's dashboard then shows a month.
  seed_server
  kill -TERM "$pid"; wait "$pid" || true
  node "$root/scripts/demo-history.mjs" --end-ms "$(( $(date +%s) * 1000 - 3600000 ))" --base-url "http://localhost:$port" \
    --questions "$demo/history-qa.xml" --discussions "$demo/history-blog.xml"
  printf 'http://localhost:%s/products/trail-runner-2\tsku-trail-runner-2\n' "$port" > "$demo/history-mapping.tsv"
  importer=("${server[0]}" import --format disqus --db "sqlite:$demo/kring.db" --site demo --sites "$demo/sites.json")
  "${importer[@]}" "$demo/history-qa.xml" --thread-kind question --mapping "$demo/history-mapping.tsv" > "$demo/import.out"
  "${importer[@]}" "$demo/history-blog.xml" >> "$demo/import.out"
  echo "imported the demo's history: $(grep -c '"event":"import_done"' "$demo/import.out") files; see $demo/import.out"
  seed_server
  seeded=0
  node "$root/scripts/seed-demo.mjs" --port "$community" --sites "$demo/sites.json" --wasm "$root/build/wasm/wasm/kring-core.js" \
    --history "$demo/history-qa.xml" && seeded=1
  kill -TERM "$pid"; wait "$pid" || true
  [ "$seeded" = 1 ] || { echo "seeding the demo failed; see $demo/seed-server.log" >&2; exit 1; }
  touch "$demo/.seeded"
fi

# The community server in the background, stopped with the shop.
"${server[@]}" > "$demo/server.out" 2> "$demo/server.log" &
kring=$!
trap 'kill -TERM "$kring" "$sink" 2>/dev/null; wait "$kring" "$sink" 2>/dev/null || true' EXIT INT TERM
for _ in $(seq 50); do grep -q listening "$demo/server.out" 2>/dev/null && break; sleep 0.1; done
grep -q listening "$demo/server.out" || { echo "kring-server did not start; see $demo/server.log" >&2; exit 1; }

echo
echo "  Kring demo shop: open http://localhost:$port/  (product Q&A, the thread in the page's HTML)"
echo "                   and  http://localhost:$port/blog.html  (comments, fetched by kring.js)"
echo "  Community server: http://127.0.0.1:$community/  (kring-server; its log: $demo/server.log)"
echo "  Community console: http://127.0.0.1:$community/console/?site=demo  (the demo pages' header links to it as Mia, moderator)"
echo "  Admin key for the console and /api/sites/demo/...: $(node -p 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).adminKey' "$secrets")"
echo "  Mails the community sends (to a local SMTP sink on port $mailport): $demo/mails/*.eml"
echo "  Stop with Ctrl-C. Data: $demo/kring.db"
echo
node "$root/demo-site/shop.mjs" --port "$port" --kring "http://127.0.0.1:$community" --dir "$demo/site"
