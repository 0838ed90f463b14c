// Widget benchmark, in headless Chromium against the real kring-server on loopback: the bytes a page
// loads for <kring-thread>, its time to interactive on a thread of 200 posts, and the page's total
// blocking time with and without it. Prints a markdown table. Exits non-zero only when it cannot
// measure (a missing build, a page that never becomes interactive); missing a target is reported.
//
//   node tests/bench/widget_bench.mjs [--runs 5] [--server <kring-server>] [--web <build/web>]
//     [--wasm <kring-core.js>] [--chromium /usr/bin/chromium]
import { createRequire } from 'node:module';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  web: join(root, 'build/web'),
  wasm: join(root, 'build/wasm/wasm/kring-core.js'),
  chromium: '/usr/bin/chromium',
  runs: '5',
});
const serverBinary = resolve(args.server);
const webDir = resolve(args.web);
const wasmJs = resolve(args.wasm);
const runs = Number(args.runs);

const SITE = 'shop';
const THREAD = 'bench-200-posts';
const POSTS = 200;
const REPLY_EVERY = 5;          // every 5th post answers an earlier one: 160 top-level, 40 replies
const AUTHORS = 8;
const SETTLE_MS = 3000;         // blocking time is counted until 3 s after load (or interactive, if later)
const WAIT_MS = 20_000;
const TTI_TARGET_MS = 300;      // docs/widget.md

const secret = 'bench-secret-0123456789-abcdef-0123';
// Like the browser test's `shop` site: members post as fast as the seeding wants, nothing is held.
const sites = [{ id: SITE, allowedOrigins: ['*'], tokenSecret: secret, adminKey: 'bench-admin-0123456789-abcdef',
  policy: { settings: { ratePostsTrust0: 1000, ratePostsTrust1: 1000, spamHoldScore: 1000000, threadCreateMinTrustLevel: 0 } } }];

let directory;
let server;
let browser;

function cleanup() {
  server?.child.kill('SIGKILL');
  server = undefined;
  if (directory) rmSync(directory, { recursive: true, force: true });
  directory = undefined;
}
// Whatever ends the process, the server and the temp dir go with it.
process.on('exit', cleanup);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => { cleanup(); process.exit(130); });

// Its log would break up the table: only its tail shows, if it dies.
function startKringServer(home) {
  return spawnKringServer(serverBinary, ['--address', '127.0.0.1', '--port', '0',
    '--db', `sqlite:${join(home, 'kring.db')}`, '--sites', join(home, 'sites.json'),
    '--static-dir', join(home, 'static'), '--widget-dir', webDir], 'pipe');
}

// Post bodies of varied length with some markdown, so rendering costs what a real thread's would.
function body(n) {
  const words = ['the', 'sole', 'grip', 'fits', 'true', 'to', 'size', 'after', 'a', 'month', 'of', 'trail', 'running',
    'mud', 'dry', 'comfortable', 'narrow', 'toe', 'box', 'laces', 'heel', 'cushioning', 'rocky', 'descent'];
  const length = 8 + ((n * 37) % 60);
  const text = Array.from({ length }, (_, i) => words[(n * 7 + i * 13) % words.length]).join(' ');
  return n % 4 === 0 ? `**Post ${n}.** ${text}\n\n- ${words[n % words.length]}\n- *${words[(n + 3) % words.length]}*`
    : `Post ${n}: ${text}.`;
}

// The thread the widget will show, posted through the server by several members.
async function seedThread(port) {
  const core = await loadCore(wasmJs);
  const clients = [];
  try {
    for (let i = 0; i < AUTHORS; i += 1) {
      const token = signToken({ site: SITE, secret, sub: `author-${i}`, name: `Author ${i}` });
      const client = new SyncNodeClient(core, { port, site: SITE, token, clientId: `bench-seed-${i}` });
      clients.push(client);
      await client.connect();
    }
    await clients[0].submit({ kind: 'create_thread', key: THREAD, title: 'Benchmark thread', threadKind: 'discussion' });
    // Like a widget: follow the thread, or a replica cannot take in a reply to a post it never saw.
    for (const client of clients) await client.subscribe(THREAD);
    const roots = [];
    for (let n = 1; n <= POSTS; n += 1) {
      const reply = n % REPLY_EVERY === 0;
      const { id } = await clients[n % AUTHORS].submit({ kind: 'post', threadKey: THREAD,
        parentId: reply ? roots[(n * 11) % roots.length] : '', body: body(n) });
      if (!reply) roots.push(id);
    }
    return { roots: roots.length, replies: POSTS - roots.length };
  } finally {
    for (const client of clients) client.close();
  }
}

// Runs in each page before its own scripts.
function instrument() {
  const bench = (window.__bench = { longTasks: [], atInteractive: null });
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) bench.longTasks.push({ start: entry.startTime, duration: entry.duration });
  }).observe({ type: 'longtask', buffered: true });
  // The loader sets no mark when the element is attached: mark it here (a mutation record comes at
  // the end of the script that appended it).
  const attach = new MutationObserver((records) => {
    const added = records.some((record) => [...record.addedNodes].some((node) =>
      node.nodeName === 'KRING-THREAD' || node.querySelector?.('kring-thread')));
    if (added) {
      attach.disconnect();
      performance.mark('bench:attach');
    }
  });
  attach.observe(document, { childList: true, subtree: true });
  // What the shadow root held at the moment the widget called itself interactive, not a bit later.
  const mark = performance.mark.bind(performance);
  performance.mark = (name, options) => {
    if (name === 'kring:interactive') {
      const shadow = document.querySelector('kring-thread')?.shadowRoot;
      bench.atInteractive = { articles: shadow?.querySelectorAll('article[data-post-id]').length ?? 0,
        count: shadow?.querySelector('[part~="count"]')?.textContent.trim() ?? '' };
    }
    return mark(name, options);
  };
}

// In the page: waits for kring:interactive (with the widget), then until the end of the blocking
// time window, and reads the marks and long tasks.
async function collect({ widget, settle, wait }) {
  if (widget) {
    await new Promise((resolveMark, reject) => {
      const timer = setTimeout(() => reject(new Error(`no kring:interactive after ${wait} ms`)), wait);
      const check = () => {
        if (performance.getEntriesByName('kring:interactive').length) {
          clearTimeout(timer);
          resolveMark();
        }
      };
      new PerformanceObserver(check).observe({ type: 'mark' });
      check();
    });
  }
  const at = (name) => performance.getEntriesByName(name)[0]?.startTime ?? null;
  const loadEnd = performance.getEntriesByType('navigation')[0].loadEventEnd;
  const end = Math.max(loadEnd + settle, at('kring:interactive') ?? 0);
  // A long task is reported once it ends: wait a little past the window.
  await new Promise((done) => setTimeout(done, Math.max(0, end - performance.now()) + 200));
  const inWindow = window.__bench.longTasks.filter((task) => task.start < end);
  return {
    attach: at('bench:attach'), coreReady: at('kring:core-ready'), welcome: at('kring:welcome'),
    interactive: at('kring:interactive'), loadEnd, windowEnd: end,
    tbt: inWindow.reduce((sum, task) => sum + Math.max(0, task.duration - 50), 0),
    longTasks: inWindow.length, atInteractive: window.__bench.atInteractive,
    errors: (window.kringEvents ?? []).filter((event) => event.name === 'kring:error').map((event) => JSON.stringify(event.detail)),
  };
}

// One page load in a fresh context (no cache, no stored guest credential). With `files`, also the
// widget's files as fetched under /kring/.
async function loadPage(url, { widget, files = false }) {
  const context = await browser.newContext();
  try {
    await context.addInitScript(instrument);
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    const responses = [];
    page.on('response', (response) => {
      if (new URL(response.url()).pathname.startsWith('/kring/')) responses.push(response);
    });
    await page.goto(url, { waitUntil: 'load', timeout: WAIT_MS });
    const result = await page.evaluate(collect, { widget, settle: SETTLE_MS, wait: WAIT_MS });
    errors.push(...result.errors);
    if (errors.length) throw new Error(`errors on ${url}: ${errors.join('; ')}`);
    if (files) {
      result.files = [];
      for (const response of responses) {
        if (response.status() !== 200) throw new Error(`${response.url()}: HTTP ${response.status()}`);
        const bytes = await response.body();
        const { responseBodySize } = await response.request().sizes();
        result.files.push({ name: new URL(response.url()).pathname.replace('/kring/', ''), raw: bytes.length,
          gzip: gzipSync(bytes, { level: 9 }).length, transferred: responseBodySize,
          encoding: (await response.headerValue('content-encoding')) ?? 'identity' });
      }
    }
    return result;
  } finally {
    await context.close();
  }
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const ms = (n) => `${Math.round(n)} ms`;
const spread = (values) => `${ms(median(values))} (min ${Math.round(Math.min(...values))}, max ${Math.round(Math.max(...values))})`;
const kb = (n) => `${(n / 1024).toFixed(1)} KB (${n.toLocaleString('en-US')} B)`;

async function main() {
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, not ${args.runs}`);
  const manifestPath = join(webDir, 'manifest.json');
  for (const file of [serverBinary, manifestPath, wasmJs, wasmJs.replace(/\.js$/, '.wasm'), args.chromium]) {
    if (!existsSync(file)) throw new Error(`${file} is missing: build it first (make native wasm web)`);
  }
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const { chromium } = createRequire(join(root, 'host-adapters/web/package.json'))('playwright-core');

  const loadBefore = loadavg();
  directory = mkdtempSync(join(tmpdir(), 'kring-widget-bench-'));
  writeFileSync(join(directory, 'sites.json'), JSON.stringify({ sites }));
  const staticDir = join(directory, 'static');
  mkdirSync(staticDir);
  cpSync(join(root, 'tests/browser/pages'), staticDir, { recursive: true });
  // The baseline: the same strict page without Kring (no loader, no page script creating the element).
  const strict = readFileSync(join(staticDir, 'strict.html'), 'utf8');
  const blank = strict.replace(/^\s*<script[^>]*src="\/(page\.mjs|kring\/kring\.js)"[^>]*><\/script>\n/gm, '');
  if (/<script/.test(blank)) throw new Error('strict.html changed: could not strip its scripts for the baseline page');
  writeFileSync(join(staticDir, 'blank.html'), blank);

  server = await startKringServer(directory);
  const origin = `http://127.0.0.1:${server.port}`;
  const seeded = await seedThread(server.port);

  browser = await chromium.launch({
    executablePath: args.chromium,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const widgetUrl = () => `${origin}/strict.html?${new URLSearchParams({ site: SITE, thread: THREAD, kind: 'discussion',
    token: signToken({ site: SITE, secret, sub: 'reader', name: 'Reader' }) })}`;
  const blankUrl = `${origin}/blank.html`;

  // One of each first, not counted: the server's first snapshot of the thread, cold disk caches.
  await loadPage(blankUrl, { widget: false });
  await loadPage(widgetUrl(), { widget: true });
  const withWidget = [];
  const without = [];
  // Interleaved, so a change in the machine's load falls on both alike.
  for (let run = 0; run < runs; run += 1) {
    without.push(await loadPage(blankUrl, { widget: false }));
    const result = await loadPage(widgetUrl(), { widget: true, files: run === 0 });
    const shown = result.atInteractive;
    if (!shown || shown.articles < 20 || !new RegExp(`\\b${POSTS}\\b`).test(shown.count)) {
      throw new Error(`at kring:interactive the widget showed ${JSON.stringify(shown)}, not the ${POSTS}-post thread`);
    }
    if (result.attach === null) throw new Error('the page never attached <kring-thread>');
    withWidget.push(result);
  }

  // In the manifest's order (loader, widget, wasm), not the order the responses came in.
  const order = [manifest.loader, manifest.thread, manifest.wasm];
  const rank = (file) => (order.includes(file.name) ? order.indexOf(file.name) : order.length);
  const files = withWidget[0].files.sort((a, b) => rank(a) - rank(b));
  const sum = (key) => files.reduce((total, file) => total + file[key], 0);
  const loader = files.find((file) => file.name === manifest.loader);
  if (!loader) throw new Error(`the page did not fetch the loader ${manifest.loader}`);
  const tti = withWidget.map((r) => r.interactive - r.attach);
  const tbtWith = withWidget.map((r) => r.tbt);
  const tbtWithout = without.map((r) => r.tbt);

  const rows = [
    [`loader ${loader.name}, raw`, kb(loader.raw), ''],
    [`loader ${loader.name}, gzip -9`, kb(loader.gzip), `≤ ${kb(manifest.budgetsGzip.loader)}`],
    ...files.filter((file) => file !== loader).flatMap((file) => [
      [`${file.name}, raw`, kb(file.raw), ''],
      [`${file.name}, gzip -9`, kb(file.gzip), ''],
    ]),
    [`all ${files.length} files the widget page fetched under /kring/, raw`, kb(sum('raw')), ''],
    [`all ${files.length} files, gzip -9`, kb(sum('gzip')), `≤ ${kb(manifest.budgetsGzip.total)}`],
    [`all ${files.length} files, as transferred (${[...new Set(files.map((f) => f.encoding))].join(', ')})`, kb(sum('transferred')), ''],
    [`time to interactive: attach → kring:interactive, ${POSTS} posts, median of ${runs}`, spread(tti), `≤ ${TTI_TARGET_MS} ms`],
    ['  attach → kring:core-ready', spread(withWidget.map((r) => r.coreReady - r.attach)), ''],
    ['  attach → kring:welcome', spread(withWidget.map((r) => r.welcome - r.attach)), ''],
    ['  navigation start → kring:interactive', spread(withWidget.map((r) => r.interactive)), ''],
    [`total blocking time, page without the widget, median of ${runs}`, spread(tbtWithout), ''],
    [`total blocking time, page with the widget, median of ${runs}`, spread(tbtWith), ''],
    ['  long tasks with the widget, median count', String(median(withWidget.map((r) => r.longTasks))), ''],
  ];

  const [core] = cpus();
  console.log(`machine: ${core.model}, ${cpus().length} cores; Linux ${release()}; ` +
    `load average before ${loadBefore.map((n) => n.toFixed(2)).join(' ')}, after ${loadavg().map((n) => n.toFixed(2)).join(' ')}; ` +
    `node ${process.version}; Chromium ${browser.version()}`);
  console.log('');
  console.log('| measure | value | target |');
  console.log('| --- | --- | --- |');
  for (const [measure, value, target] of rows) {
    console.log(`| ${measure} | ${value} | ${target || '—'} |`);
  }
  console.log('');
  console.log(`Thread of ${POSTS} posts (${seeded.roots} top-level, ${seeded.replies} replies) by ${AUTHORS} members; ` +
    `read by a member on strict.html (strict CSP), headless, a fresh browser context per load, one warm-up load of each ` +
    `page not counted. Attach = the page script appending <kring-thread>; at kring:interactive the shadow root held ` +
    `${median(withWidget.map((r) => r.atInteractive.articles))} posts (median) and said "${withWidget[0].atInteractive.count}". ` +
    `Blocking time: sum of (long task − 50 ms) from navigation to 3 s after load, or to kring:interactive if later; ` +
    `the page without the widget is strict.html without its scripts.`);
  const unfetched = order.filter((name) => !files.some((file) => file.name === name));
  if (unfetched.length) console.log(`note: in ${manifestPath} but not fetched by the page: ${unfetched.join(', ')}`);
}

try {
  await main();
} catch (error) {
  console.error(`widget bench: ${error.stack ?? error}`);
  process.exitCode = 1;
} finally {
  await browser?.close().catch(() => {});
  cleanup();
}
