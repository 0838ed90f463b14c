// Widget benchmark, in headless Chromium against the real kring-server on loopback: the bytes a page
// loads for <kring-thread>, its time to interactive on a thread of 200 posts, and the page's total
// blocking time with and without it; then a reader who never acts (reader first: docs/widget.md):
// bytes before the first post, the first 10 s, a new post reaching them, and their first action.
// Prints markdown tables. Exits non-zero only when it cannot
// measure (a missing build, a page that never becomes interactive); missing a target is reported.
//
//   node tests/bench/widget_bench.mjs [--runs 5] [--server <kring-server>] [--web <build/web>]
//     [--wasm <kring-core.js>] [--chromium /usr/bin/chromium]
import { createRequire } from 'node:module';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
// A widget file's size as served gzip (the build's Zopfli copy); anything else at gzip -9.
function servedGzip(url, bytes) {
  const path = new URL(url).pathname;
  const copy = join(webDir, path.replace(/^\/kring\//, '') + '.gz');
  return path.startsWith('/kring/') && existsSync(copy) ? statSync(copy).size : gzipSync(bytes, { level: 9 }).length;
}
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
  guestPosting: true,  // the reader is a guest
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
          gzip: servedGzip(response.url(), bytes), transferred: responseBodySize,
          encoding: (await response.headerValue('content-encoding')) ?? 'identity' });
      }
    }
    return result;
  } finally {
    await context.close();
  }
}

// Runs in the reader's page before its own scripts: when the first server-rendered post shows, and
// the long tasks.
function instrumentReader() {
  const reader = (window.__reader = { firstPost: null, longTasks: [] });
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) reader.longTasks.push({ start: entry.startTime, duration: entry.duration });
  }).observe({ type: 'longtask', buffered: true });
  const seen = new MutationObserver(() => {
    if (document.querySelector('kring-thread section.kring-thread article')) {
      seen.disconnect();
      reader.firstPost = performance.now();
    }
  });
  seen.observe(document, { childList: true, subtree: true });
}

const READER_WINDOW_MS = 10_000;

// A guest who only reads for 10 s, then acts once. `poster` writes a post while they read.
async function readerRun(url, poster, run) {
  const context = await browser.newContext();
  try {
    await context.addInitScript(instrumentReader);
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    // The live stream never finishes, so Playwright has no size for it: its bytes as Chromium's
    // network layer counts them arriving (headers and events).
    const network = await context.newCDPSession(page);
    await network.send('Network.enable');
    const streams = new Set();
    let streamBytes = 0;
    network.on('Network.requestWillBeSent', (event) => {
      if (event.request.url.includes('/live/')) streams.add(event.requestId);
    });
    network.on('Network.dataReceived', (event) => {
      if (streams.has(event.requestId)) streamBytes += Math.max(event.encodedDataLength, event.dataLength);
    });
    const responses = [];
    page.on('response', (response) => responses.push(response));
    await page.goto(url, { waitUntil: 'load', timeout: WAIT_MS });
    await page.waitForFunction(() => window.__reader.firstPost !== null, null, { timeout: WAIT_MS });
    // A reply to the first post: the fragment holds the first page (50 top-level posts, oldest first),
    // so a new top-level post of this 160-post discussion would be on a later page.
    const text = `Written while a reader reads, run ${run}`;
    const firstPost = await page.evaluate(() => document.querySelector('kring-thread section.kring-thread article').dataset.postId);
    await poster.submit({ kind: 'post', threadKey: THREAD, parentId: firstPost, body: text });
    const committed = await page.evaluate(() => performance.now());
    const shown = await page.waitForFunction((wanted) => {
      const found = [...document.querySelectorAll('kring-thread section.kring-thread article')]
        .some((article) => article.textContent.includes(wanted));
      return found && performance.now();
    }, text, { timeout: WAIT_MS, polling: 20 });
    const newPost = (await shown.jsonValue()) - committed;
    const now = await page.evaluate(() => performance.now());
    await page.waitForTimeout(Math.max(0, READER_WINDOW_MS - now));
    const timing = await page.evaluate((windowMs) => ({
      firstPost: window.__reader.firstPost,
      htmlEnd: performance.getEntriesByType('navigation')[0].responseEnd,
      // The first fetch of each address (the loader asks for the fragment again when its stream opens).
      ends: Object.fromEntries(performance.getEntriesByType('resource').reverse().map((entry) => [entry.name, entry.responseEnd])),
      tbt: window.__reader.longTasks.filter((task) => task.start < windowMs)
        .reduce((sum, task) => sum + Math.max(0, task.duration - 50), 0),
    }), READER_WINDOW_MS);
    // Beyond the page's own HTML and the test page's script: what Kring made the reader fetch.
    let beforeFirstGzip = 0;
    let windowTransferred = 0;
    let wasm = 0;
    const counted = new Set();
    for (const response of responses) {
      const path = new URL(response.url()).pathname;
      if (response.request().resourceType() === 'document' || path === '/page.mjs' || path.includes('/live/')) continue;
      if (path.endsWith('.wasm') || /kring-thread\./.test(path)) wasm += 1;
      windowTransferred += (await response.request().sizes()).responseBodySize;
      const end = timing.ends[response.url()];
      if (end !== undefined && end <= timing.firstPost && response.status() === 200 && !counted.has(response.url())) {
        counted.add(response.url());
        beforeFirstGzip += servedGzip(response.url(), await response.body());
      }
    }
    windowTransferred += streamBytes;
    // The first action: the reader's button loads the widget and the core (cold cache).
    const acted = await page.evaluate(() => performance.now());
    await page.locator('kring-thread > button.kring-act').click();
    await page.locator('kring-thread section[data-connection="synced"]').waitFor({ timeout: WAIT_MS });
    await page.waitForFunction(() => document.querySelector('kring-thread').shadowRoot.activeElement?.tagName === 'TEXTAREA',
      null, { timeout: WAIT_MS });
    const widgetReady = (await page.evaluate(() => performance.now())) - acted;
    if (errors.length) throw new Error(`errors on ${url}: ${errors.join('; ')}`);
    return { firstPostAfterHtml: timing.firstPost - timing.htmlEnd, beforeFirstGzip, windowTransferred, wasm,
      tbt: timing.tbt, newPost, widgetReady };
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
    [`loader ${loader.name}, gzip`, kb(loader.gzip), `≤ ${kb(manifest.budgetsGzip.loader)}`],
    ...files.filter((file) => file !== loader).flatMap((file) => [
      [`${file.name}, raw`, kb(file.raw), ''],
      [`${file.name}, gzip`, kb(file.gzip), ''],
    ]),
    [`all ${files.length} files the widget page fetched under /kring/, raw`, kb(sum('raw')), ''],
    [`all ${files.length} files, gzip`, kb(sum('gzip')), `≤ ${kb(manifest.budgetsGzip.total)}`],
    [`all ${files.length} files, as transferred (${[...new Set(files.map((f) => f.encoding))].join(', ')})`, kb(sum('transferred')), ''],
    [`time to interactive: attach → kring:interactive, ${POSTS} posts, median of ${runs}`, spread(tti), `≤ ${TTI_TARGET_MS} ms`],
    ['  attach → kring:core-ready', spread(withWidget.map((r) => r.coreReady - r.attach)), ''],
    ['  attach → kring:welcome', spread(withWidget.map((r) => r.welcome - r.attach)), ''],
    ['  navigation start → kring:interactive', spread(withWidget.map((r) => r.interactive)), ''],
    [`total blocking time, page without the widget, median of ${runs}`, spread(tbtWithout), ''],
    [`total blocking time, page with the widget, median of ${runs}`, spread(tbtWith), ''],
    ['  long tasks with the widget, median count', String(median(withWidget.map((r) => r.longTasks))), ''],
  ];

  // The reader: a guest on the same page without the widget's eager load, and a member posting.
  const posterCore = await loadCore(wasmJs);
  const poster = new SyncNodeClient(posterCore, { port: server.port, site: SITE,
    token: signToken({ site: SITE, secret, sub: 'author-0', name: 'Author 0' }), clientId: 'bench-poster' });
  await poster.connect();
  await poster.subscribe(THREAD);
  const readerUrl = `${origin}/strict.html?${new URLSearchParams({ site: SITE, thread: THREAD, kind: 'discussion', reader: '1' })}`;
  const readers = [];
  try {
    await readerRun(readerUrl, poster, 'warm-up');
    for (let run = 0; run < runs; run += 1) readers.push(await readerRun(readerUrl, poster, run));
  } finally {
    poster.close();
  }
  const readerRows = [
    [`bytes before the first post is visible, beyond the page's HTML, gzip, median of ${runs}`,
      kb(median(readers.map((r) => r.beforeFirstGzip))), '≤ 20 KB'],
    ['first post visible after the page\'s HTML arrived (the loader fetches the fragment)',
      spread(readers.map((r) => r.firstPostAfterHtml)), '≤ 150 ms'],
    ['total blocking time in the first 10 s', spread(readers.map((r) => r.tbt)), '0 ms'],
    ['bytes transferred in the first 10 s (the live stream included), median',
      kb(median(readers.map((r) => r.windowTransferred))), '≤ 20 KB'],
    ['widget or wasm files fetched in the first 10 s (any run)', String(Math.max(...readers.map((r) => r.wasm))), '0'],
    ['a post written meanwhile: its commit → visible to the reader', spread(readers.map((r) => r.newPost)), '≤ 2 s'],
    ['first action (the button) → widget synced, composer focused (core loaded, cold cache)',
      spread(readers.map((r) => r.widgetReady)), '≤ 400 ms (to the action\'s prediction)'],
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
  console.log('');
  console.log('Reader first (a guest who only reads; the loader\'s default):');
  console.log('');
  console.log('| measure | value | target |');
  console.log('| --- | --- | --- |');
  for (const [measure, value, target] of readerRows) console.log(`| ${measure} | ${value} | ${target || '—'} |`);
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
