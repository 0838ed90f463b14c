// Paged threads benchmark (docs/protocol.md, "Paged threads"): a discussion of 100,000 posts written by
// kring_seed_thread, served by the real kring-server on loopback. Measures what its first page costs a
// reader (the server-rendered fragment) and a member (<kring-thread> in headless Chromium: WebSocket
// bytes and time until the first page is visible, next to the 200-post thread), and the server's memory
// while 1,000 members page through it. Prints markdown tables. Exits non-zero only when it cannot
// measure (a missing build, a page that never shows the thread); missing a target is reported.
//
//   node tests/bench/paging_bench.mjs [--runs 5] [--members 1000] [--pages 20] [--concurrency 100]
//     [--posts 100000] [--server <kring-server>] [--seed <kring_seed_thread>] [--web <build/web>]
//     [--wasm <kring-core.js>] [--chromium /usr/bin/chromium]
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { createRequire } from 'node:module';
import { cpus, loadavg, release, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { parseArgs } from '../support/frames.mjs';
import { spawnKringServer } from '../support/kring_server.mjs';
import { loadCore, signToken, SyncNodeClient } from '../support/sync_node_client.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const args = parseArgs(process.argv.slice(2), {
  server: join(root, 'build/native/host-adapters/server/kring-server'),
  seed: join(root, 'build/native/tests/kring_seed_thread'),
  web: join(root, 'build/web'),
  wasm: join(root, 'build/wasm/wasm/kring-core.js'),
  chromium: '/usr/bin/chromium',
  runs: '5',
  members: '1000',
  pages: '20',
  concurrency: '100',
  posts: '100000',
});
const serverBinary = resolve(args.server);
const seedBinary = resolve(args.seed);
const webDir = resolve(args.web);
const wasmJs = resolve(args.wasm);
const runs = Number(args.runs);
const members = Number(args.members);
const pages = Number(args.pages);
const concurrency = Number(args.concurrency);
const BIG_POSTS = Number(args.posts);

const SITE = 'shop';
const BIG = 'bench-paged-thread';
const SMALL = 'bench-200-posts';
const SMALL_POSTS = 200;
const WAIT_MS = 30_000;
const SETTLE_MS = 500; // after kring:interactive, frames still counted as the first page's ("settled")
const CLIENTS_PER_CORE = 100; // replicas per wasm instance: 1,000 replicas of 20 pages stay far from 2 GB each
const TARGETS = { fragmentGzip: 100 * 1024, memberGzip: 300 * 1024, visibleMs: 300, hwmGrowth: 0.1 };

const secret = 'bench-secret-0123456789-abcdef-0123';
// The same policy kring_seed_thread writes by default (tests/bench/widget_bench.mjs's): nothing trips.
const sites = [
  {
    id: SITE,
    allowedOrigins: ['*'],
    tokenSecret: secret,
    adminKey: 'bench-admin-0123456789-abcdef',
    guestPosting: true,
    policy: {
      settings: { ratePostsTrust0: 1000, ratePostsTrust1: 1000, spamHoldScore: 1000000, threadCreateMinTrustLevel: 0 },
    },
  },
];

let directory;
const servers = [];
let browser;

function cleanup() {
  for (const server of servers.splice(0)) server.child.kill('SIGKILL');
  if (directory) rmSync(directory, { recursive: true, force: true });
  directory = undefined;
}
process.on('exit', cleanup);
for (const signal of ['SIGINT', 'SIGTERM'])
  process.on(signal, () => {
    cleanup();
    process.exit(130);
  });

// One store holding one thread, written by kring_seed_thread; its printed line parsed.
function seed(home, thread, posts) {
  mkdirSync(home, { recursive: true });
  const result = spawnSync(
    seedBinary,
    [
      '--db',
      join(home, 'kring.db'),
      '--site',
      SITE,
      '--thread',
      thread,
      '--kind',
      'discussion',
      '--posts',
      String(posts),
    ],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`kring_seed_thread failed: ${result.stderr}${result.stdout}`);
  const numbers = Object.fromEntries(
    [...result.stdout.matchAll(/([a-z_-]+) ([\d.]+)/g)].map(([, key, value]) => [key, Number(value)]),
  );
  return {
    posts,
    roots: numbers['top-level'],
    replies: numbers.replies,
    storeBytes: numbers.store_bytes,
    seconds: numbers.seconds,
  };
}

async function startServer(home) {
  const server = await spawnKringServer(
    serverBinary,
    [
      '--address',
      '127.0.0.1',
      '--port',
      '0',
      '--db',
      `sqlite:${join(home, 'kring.db')}`,
      '--sites',
      join(directory, 'sites.json'),
      '--static-dir',
      join(directory, 'static'),
      '--widget-dir',
      webDir,
      '--max-connections-per-ip',
      '2000',
      '--max-connections',
      '5000',
      '--ops-per-second',
      '1000000',
      '--ops-burst',
      '1000000',
      '--member-ops-per-second',
      '1000000',
      '--member-ops-burst',
      '1000000',
    ],
    'pipe',
  );
  servers.push(server);
  return server;
}

// The server's memory (kB) from /proc: its high-water mark and what it holds now.
function memory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)[1]);
  // utime and stime (fields 14 and 15 of stat, after the parenthesized name), in clock ticks of 10 ms.
  const [utime, stime] = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ').slice(11, 13).map(Number);
  return { hwm: field('VmHWM'), rss: field('VmRSS'), cpu: (utime + stime) / 100 };
}

function fetchRaw(url, headers) {
  return new Promise((resolveGet, reject) => {
    const started = performance.now();
    httpGet(url, { headers }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () =>
        resolveGet({
          status: response.statusCode,
          encoding: response.headers['content-encoding'] ?? 'identity',
          body: Buffer.concat(chunks),
          ms: performance.now() - started,
        }),
      );
    }).on('error', reject);
  });
}

// 1. The reader: the fragment as the server sends it to a client that takes gzip, and without.
async function readerFragment(port, thread) {
  const url = `http://127.0.0.1:${port}/sites/${SITE}/threads/${encodeURIComponent(thread)}`;
  const gzip = await fetchRaw(url, { 'accept-encoding': 'gzip' });
  const again = await fetchRaw(url, { 'accept-encoding': 'gzip' });
  const raw = await fetchRaw(url, {});
  if (gzip.status !== 200 || raw.status !== 200) throw new Error(`GET ${url}: HTTP ${gzip.status}, ${raw.status}`);
  const html = raw.body.toString('utf8');
  return {
    sent: gzip.body.length,
    encoding: gzip.encoding,
    raw: raw.body.length,
    gzip9: gzipSync(raw.body, { level: 9 }).length,
    articles: (html.match(/<article /g) ?? []).length,
    more: /data-kring-more="(\d+)"/.exec(html)?.[1] ?? '0',
    firstMs: gzip.ms,
    againMs: again.ms,
  };
}

// Runs in each page before its own scripts: when the Subscribe leaves, every frame that arrives (time,
// size), and what the shadow root holds when the widget marks kring:interactive.
function instrumentMember(threadKey) {
  const bench = (window.__bench = { subscribeAt: null, received: [], atInteractive: null });
  const key = new TextEncoder().encode(threadKey);
  const holdsKey = (bytes) => {
    outer: for (let i = 0; i + key.length <= bytes.length; i += 1) {
      for (let j = 0; j < key.length; j += 1) if (bytes[i + j] !== key[j]) continue outer;
      return true;
    }
    return false;
  };
  const Native = window.WebSocket;
  const send = Native.prototype.send;
  // The Subscribe is the first frame naming the thread (the Hello names the site, token and client).
  Native.prototype.send = function (data) {
    if (bench.subscribeAt === null) {
      const bytes =
        data instanceof ArrayBuffer
          ? new Uint8Array(data)
          : ArrayBuffer.isView(data)
            ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
            : null;
      if (bytes && holdsKey(bytes)) bench.subscribeAt = performance.now();
    }
    return send.call(this, data);
  };
  // Registered before the widget's onmessage, so a frame is counted before the widget handles it.
  window.WebSocket = class extends Native {
    constructor(...rest) {
      super(...rest);
      this.addEventListener('message', (event) =>
        bench.received.push({ at: performance.now(), bytes: event.data.byteLength ?? event.data.length }),
      );
    }
  };
  const mark = performance.mark.bind(performance);
  performance.mark = (name, options) => {
    if (name === 'kring:interactive' && !bench.atInteractive) {
      const shadow = document.querySelector('kring-thread')?.shadowRoot;
      bench.atInteractive = {
        at: performance.now(),
        frames: bench.received.length,
        articles: shadow?.querySelectorAll('article[data-post-id]').length ?? 0,
        count: shadow?.querySelector('[part~="count"]')?.textContent.trim() ?? '',
      };
    }
    return mark(name, options);
  };
}

// 2 and 3. One member's page load in a fresh context: the frames CDP saw arrive on /sync until the first
// page was visible, and the time from the Subscribe to it.
async function memberRun(url, thread) {
  const context = await browser.newContext();
  try {
    await context.addInitScript(instrumentMember, thread);
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    const sockets = new Set();
    const received = [];
    const sent = [];
    cdp.on('Network.webSocketCreated', (event) => {
      if (new URL(event.url).pathname === '/sync') sockets.add(event.requestId);
    });
    const payload = (response) => Buffer.from(response.payloadData, response.opcode === 1 ? 'utf8' : 'base64');
    cdp.on('Network.webSocketFrameReceived', (event) => {
      if (sockets.has(event.requestId)) received.push({ at: event.timestamp, bytes: payload(event.response) });
    });
    cdp.on('Network.webSocketFrameSent', (event) => {
      if (sockets.has(event.requestId)) sent.push({ at: event.timestamp, bytes: payload(event.response) });
    });
    await page.goto(url, { waitUntil: 'load', timeout: WAIT_MS });
    await page.waitForFunction(() => window.__bench.atInteractive !== null, null, { timeout: WAIT_MS });
    // CDP's events of the frames already handled, and what follows the first page at once (its rendered bodies).
    await page.waitForTimeout(SETTLE_MS);
    const bench = await page.evaluate(() => window.__bench);
    const events = await page.evaluate(() =>
      (window.kringEvents ?? []).filter((e) => e.name === 'kring:error').map((e) => JSON.stringify(e.detail)),
    );
    errors.push(...events);
    if (errors.length) throw new Error(`errors on ${url}: ${errors.join('; ')}`);
    if (sockets.size !== 1) throw new Error(`expected one /sync WebSocket, CDP saw ${sockets.size}`);
    const shown = bench.atInteractive;
    if (!shown.articles) throw new Error(`at kring:interactive the widget showed no post: ${JSON.stringify(shown)}`);
    if (bench.subscribeAt === null) throw new Error('the page never sent a Subscribe naming the thread');
    const before = received.slice(0, shown.frames);
    if (before.length !== shown.frames) throw new Error(`CDP saw ${before.length} frames, the page ${shown.frames}`);
    const pageBytes = bench.received.slice(0, shown.frames).reduce((sum, frame) => sum + frame.bytes, 0);
    const raw = before.reduce((sum, frame) => sum + frame.bytes.length, 0);
    if (raw !== pageBytes) throw new Error(`CDP counted ${raw} B before interactive, the page ${pageBytes} B`);
    const key = Buffer.from(thread);
    const subscribe = sent.find((frame) => frame.bytes.includes(key));
    return {
      raw,
      frames: shown.frames,
      gzip: gzipSync(Buffer.concat(before.map((frame) => frame.bytes))).length,
      settledFrames: received.length,
      settledRaw: received.reduce((sum, frame) => sum + frame.bytes.length, 0),
      settledGzip: gzipSync(Buffer.concat(received.map((frame) => frame.bytes))).length,
      visible: shown.at - bench.subscribeAt,
      // On CDP's clock: the Subscribe leaving to the last frame of the first page arriving.
      network: subscribe && before.length ? (before.at(-1).at - subscribe.at) * 1000 : NaN,
      articles: shown.articles,
      count: shown.count,
    };
  } finally {
    await context.close();
  }
}

async function memberRuns(origin, thread) {
  const url = () =>
    `${origin}/strict.html?${new URLSearchParams({
      site: SITE,
      thread,
      kind: 'discussion',
      token: signToken({ site: SITE, secret, sub: 'reader', name: 'Reader' }),
    })}`;
  await memberRun(url(), thread); // warm-up, not counted: cold caches
  const results = [];
  for (let run = 0; run < runs; run += 1) results.push(await memberRun(url(), thread));
  return results;
}

// Runs `task(i)` for i in [0, count) with at most `limit` at once.
async function pool(count, limit, task) {
  let next = 0;
  const worker = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
}

// 4. Members paging through the thread: connections, paged subscribes, pages one after another each.
async function pagingMembers(server) {
  const pid = server.child.pid;
  const stages = [{ stage: 'server started (site loaded), no member', ...memory(pid), seconds: 0, pages: 0 }];
  const cores = [];
  for (let i = 0; i < Math.ceil(members / CLIENTS_PER_CORE); i += 1) cores.push(await loadCore(wasmJs));
  const clients = [];
  const waitPage = (client, continues) =>
    client
      .next(
        (m) => m.type === 'error' || (m.type === 'snapshot' && m.threadKey === BIG && m.continues === continues),
        WAIT_MS,
      )
      .then((message) => {
        if (message.type === 'error') throw new Error(`${message.code}: ${message.message}`);
        client.messages.length = 0; // the rendered bodies and anything else: not kept
        return message;
      });
  const open = async (i) => {
    const client = new SyncNodeClient(cores[Math.floor(i / CLIENTS_PER_CORE)], {
      port: server.port,
      site: SITE,
      token: signToken({ site: SITE, secret, sub: `member-${i}`, name: `Member ${i}` }),
      clientId: `paging-${i}`,
    });
    client.bytes = 0;
    clients[i] = client;
    await client.connect();
    client.socket.on('message', (data) => (client.bytes += data.length));
    client.socket.send(client.engine.subscribePagedMessage(BIG, 0, 'oldest'));
    await waitPage(client, false);
  };
  const started = performance.now();
  try {
    await open(0);
    stages.push({
      stage: 'one member subscribed',
      ...memory(pid),
      seconds: (performance.now() - started) / 1000,
      pages: 0,
    });
    await pool(members - 1, concurrency, (i) => open(i + 1));
    const subscribed = performance.now();
    stages.push({
      stage: `${members} members subscribed paged ('oldest')`,
      ...memory(pid),
      seconds: (subscribed - started) / 1000,
      pages: members,
    });
    let loaded = 0;
    let from = 0;
    for (const upTo of [5, 10, 20, pages].filter((n, i, all) => n <= pages && all.indexOf(n) === i)) {
      const phaseStart = performance.now();
      await pool(members, concurrency, async (i) => {
        const client = clients[i];
        for (let page = from; page < upTo; page += 1) {
          const message = client.engine.loadPageMessage(BIG, '');
          if (!message)
            throw new Error(`member ${i}: the replica says it holds every top-level post after ${page} pages`);
          client.socket.send(message);
          await waitPage(client, true);
          loaded += 1;
        }
      });
      stages.push({
        stage: `after ${upTo} pages each`,
        ...memory(pid),
        seconds: (performance.now() - started) / 1000,
        pages: members * (upTo - from),
        phaseSeconds: (performance.now() - phaseStart) / 1000,
      });
      from = upTo;
    }
    const pagingSeconds = (performance.now() - subscribed) / 1000;
    const view = clients[0].engine.threadView(BIG, 'oldest');
    const topLevel = view.posts.filter((post) => !post.parentId).length;
    const bytes = clients.reduce((sum, client) => sum + client.bytes, 0);
    return { stages, loaded, pagingSeconds, totalSeconds: (performance.now() - started) / 1000, view, topLevel, bytes };
  } finally {
    // No frame may reach a replica once it is gone.
    for (const client of clients) {
      client?.socket?.removeAllListeners('message');
      client?.socket?.terminate();
      client?.engine.dispose();
    }
  }
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const ms = (n) => `${Math.round(n)} ms`;
const spread = (values) =>
  `${ms(median(values))} (min ${Math.round(Math.min(...values))}, max ${Math.round(Math.max(...values))})`;
const kb = (n) => `${(n / 1024).toFixed(1)} KB (${Math.round(n).toLocaleString('en-US')} B)`;
const mb = (kB) => `${(kB / 1024).toFixed(1)} MB`;
const met = (ok) => (ok ? 'met' : '**missed**');
const table = (rows, header = ['measure', 'value', 'target']) => {
  console.log(`| ${header.join(' | ')} |`);
  console.log(`| ${header.map(() => '---').join(' | ')} |`);
  for (const row of rows) console.log(`| ${row.map((cell) => cell || '—').join(' | ')} |`);
  console.log('');
};

async function main() {
  for (const [name, value] of Object.entries({ runs, members, pages, concurrency, posts: BIG_POSTS })) {
    if (!Number.isInteger(value) || value < 1)
      throw new Error(`--${name} must be a positive integer, not ${args[name]}`);
  }
  for (const file of [
    serverBinary,
    seedBinary,
    join(webDir, 'manifest.json'),
    wasmJs,
    wasmJs.replace(/\.js$/, '.wasm'),
    args.chromium,
  ]) {
    if (!existsSync(file)) {
      throw new Error(
        `${file} is missing: build it first (make native wasm web; cmake --build build/native --target kring_seed_thread)`,
      );
    }
  }
  const { chromium } = createRequire(join(root, 'host-adapters/web/package.json'))('playwright-core');
  const loadBefore = loadavg();
  directory = mkdtempSync(join(tmpdir(), 'kring-paging-bench-'));
  writeFileSync(join(directory, 'sites.json'), JSON.stringify({ sites }));
  cpSync(join(root, 'tests/browser/pages'), join(directory, 'static'), { recursive: true });

  const big = seed(join(directory, 'big'), BIG, BIG_POSTS);
  const small = seed(join(directory, 'small'), SMALL, SMALL_POSTS);
  const bigServer = await startServer(join(directory, 'big'));

  // 4 first, on a server that has not loaded the thread yet.
  const paging = await pagingMembers(bigServer);

  const smallServer = await startServer(join(directory, 'small'));
  const fragmentBig = await readerFragment(bigServer.port, BIG);
  const fragmentSmall = await readerFragment(smallServer.port, SMALL);

  browser = await chromium.launch({
    executablePath: args.chromium,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const memberBig = await memberRuns(`http://127.0.0.1:${bigServer.port}`, BIG);
  const memberSmall = await memberRuns(`http://127.0.0.1:${smallServer.port}`, SMALL);

  const [core] = cpus();
  console.log(
    `machine: ${core.model}, ${cpus().length} cores; Linux ${release()}; load average before ` +
      `${loadBefore.map((n) => n.toFixed(2)).join(' ')}, after ${loadavg()
        .map((n) => n.toFixed(2))
        .join(' ')}; ` +
      `node ${process.version}; Chromium ${browser.version()}`,
  );
  console.log('');
  const describe = (s) =>
    `${s.posts.toLocaleString('en-US')} posts (${s.roots.toLocaleString('en-US')} top-level, ${s.replies.toLocaleString('en-US')} replies)`;
  console.log(
    `Thread: a discussion of ${describe(big)}, seeded by kring_seed_thread in ${big.seconds} s ` +
      `(store ${mb(big.storeBytes / 1024)}); the small one: ${describe(small)}.`,
  );
  console.log('');

  console.log('Reader: the server-rendered fragment, GET /sites/{site}/threads/{key}:');
  console.log('');
  const f = fragmentBig;
  table([
    [
      `${BIG_POSTS.toLocaleString('en-US')}-post thread, bytes sent with Accept-Encoding: gzip (Content-Encoding: ${f.encoding})`,
      kb(f.sent),
      `≤ ${kb(TARGETS.fragmentGzip)}: ${met(f.sent <= TARGETS.fragmentGzip)}`,
    ],
    ['  the same, without Accept-Encoding (raw HTML)', kb(f.raw), ''],
    ['  raw HTML through gzip -9', kb(f.gzip9), ''],
    [
      '  posts in it; top-level posts left for later (data-kring-more)',
      `${f.articles}; ${Number(f.more).toLocaleString('en-US')}`,
      '',
    ],
    ['  first GET (renders it), a second GET', `${ms(f.firstMs)}, ${ms(f.againMs)}`, ''],
    [
      `${SMALL_POSTS}-post thread, bytes sent gzip (${fragmentSmall.encoding}); raw`,
      `${kb(fragmentSmall.sent)}; ${kb(fragmentSmall.raw)}`,
      '',
    ],
    [
      `ratio ${BIG_POSTS.toLocaleString('en-US')} / ${SMALL_POSTS} posts, bytes sent`,
      (f.sent / fragmentSmall.sent).toFixed(2),
      '',
    ],
  ]);

  console.log(
    `Member: <kring-thread load="interactive" token=…> on strict.html (strict CSP), headless, a fresh context per ` +
      `load, one warm-up load not counted, median of ${runs}. Bytes: WebSocket frames received (CDP ` +
      'Network.webSocketFrameReceived) until kring:interactive; gzip = the frames concatenated through zlib (level 6); ' +
      'the server does not compress WebSocket frames, so raw is what crossed the wire.',
  );
  console.log('');
  const bigRaw = median(memberBig.map((r) => r.raw));
  const bigGzip = median(memberBig.map((r) => r.gzip));
  const smallRaw = median(memberSmall.map((r) => r.raw));
  const smallGzip = median(memberSmall.map((r) => r.gzip));
  const visible = memberBig.map((r) => r.visible);
  table([
    [
      `${BIG_POSTS.toLocaleString('en-US')}-post thread: WebSocket bytes received until the first page is visible, gzip`,
      kb(bigGzip),
      `≤ ${kb(TARGETS.memberGzip)}: ${met(bigGzip <= TARGETS.memberGzip)}`,
    ],
    ['  the same, raw (as sent)', kb(bigRaw), ''],
    [
      '  frames; posts in the shadow root at kring:interactive; its count',
      `${median(memberBig.map((r) => r.frames))}; ` +
        `${median(memberBig.map((r) => r.articles))}; "${memberBig[0].count}"`,
      '',
    ],
    [
      `  with what arrived up to ${SETTLE_MS} ms after it (the page's rendered bodies follow it), gzip; raw; frames`,
      `${kb(median(memberBig.map((r) => r.settledGzip)))}; ${kb(median(memberBig.map((r) => r.settledRaw)))}; ` +
        `${median(memberBig.map((r) => r.settledFrames))}`,
      '',
    ],
    [`${SMALL_POSTS}-post thread: the same, gzip; raw`, `${kb(smallGzip)}; ${kb(smallRaw)}`, ''],
    [
      `  ratio ${BIG_POSTS.toLocaleString('en-US')} / ${SMALL_POSTS} posts, gzip; raw`,
      `${(bigGzip / smallGzip).toFixed(2)}; ${(bigRaw / smallRaw).toFixed(2)}`,
      '',
    ],
    [
      `${BIG_POSTS.toLocaleString('en-US')}-post thread: Subscribe sent → first page visible (kring:interactive)`,
      spread(visible),
      `≤ ${TARGETS.visibleMs} ms: ${met(median(visible) <= TARGETS.visibleMs)}`,
    ],
    [
      '  Subscribe sent → last frame of the first page received (CDP clock)',
      spread(memberBig.map((r) => r.network)),
      '',
    ],
    [`${SMALL_POSTS}-post thread: Subscribe sent → first page visible`, spread(memberSmall.map((r) => r.visible)), ''],
  ]);

  const subscribedAt = paging.stages.find((s) => s.stage.includes('members subscribed'));
  const last = paging.stages.at(-1);
  const growth = last.hwm / subscribedAt.hwm - 1;
  console.log(
    `Server memory (/proc/<pid>/status) while ${members.toLocaleString('en-US')} members (signed tokens, one ` +
      `connection each, Node SyncNodeClient replicas) page through the thread: a paged subscribe in 'oldest' order, then ` +
      `${pages} pages of the top-level list one after another (loadPage, awaiting the continuing snapshot), at most ` +
      `${concurrency} members at once.`,
  );
  console.log('');
  table(
    paging.stages.map((s, i) => [
      s.stage,
      mb(s.hwm),
      mb(s.rss),
      `${s.seconds.toFixed(1)} s`,
      `${s.cpu.toFixed(1)} s`,
      s.phaseSeconds
        ? `${Math.round(s.pages / s.phaseSeconds)} pages/s`
        : i === 2
          ? `${Math.round(s.pages / (s.seconds || 1))} subscribes/s`
          : '',
    ]),
    ['stage', 'VmHWM', 'VmRSS', 'elapsed', 'server CPU (user + system)', 'rate'],
  );
  table([
    [
      `VmHWM after ${pages} pages vs after the subscribes`,
      `${growth >= 0 ? '+' : ''}${(growth * 100).toFixed(1)}% ` + `(${mb(subscribedAt.hwm)} → ${mb(last.hwm)})`,
      `flat, within ~${TARGETS.hwmGrowth * 100}%: ${met(growth <= TARGETS.hwmGrowth)}`,
    ],
    [
      `pages loaded; paging time; pages/s`,
      `${paging.loaded.toLocaleString('en-US')}; ${paging.pagingSeconds.toFixed(1)} s; ` +
        `${Math.round(paging.loaded / paging.pagingSeconds)}`,
      '',
    ],
    ['total (connect, subscribe, page)', `${paging.totalSeconds.toFixed(1)} s`, ''],
    [
      'bytes received by all members (all frames), per page incl. first',
      kb(paging.bytes / (paging.loaded + members)),
      '',
    ],
    [
      `member 0's replica: posts held; top-level held; top-level left (unloadedTopLevel)`,
      `${paging.view.posts.length.toLocaleString('en-US')}; ${paging.topLevel.toLocaleString('en-US')}; ` +
        `${paging.view.unloadedTopLevel.toLocaleString('en-US')}`,
      '',
    ],
  ]);
}

try {
  await main();
} catch (error) {
  console.error(`paging bench: ${error.stack ?? error}`);
  process.exitCode = 1;
} finally {
  await browser?.close().catch(() => {});
  cleanup();
}
