// Builds the widget into build/web/: the loader kring.js (unhashed, tiny), the widget chunk and the
// browser wasm core under content-hashed names, each with .gz and .br copies. Prints sizes and
// exits non-zero when a budget (docs/widget.md) is exceeded.
import { build, transform } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const coreDir = process.env.KRING_WEB_CORE_DIR ?? join(root, 'build/wasm/wasm');
const outDir = process.env.KRING_WEB_OUT ?? join(root, 'build/web');
const LOADER_BUDGET_GZIP = 5 * 1024;
const TOTAL_BUDGET_GZIP = 150 * 1024;

const coreJs = join(coreDir, 'kring-core-web.js');
const coreWasm = join(coreDir, 'kring-core-web.wasm');
for (const file of [coreJs, coreWasm]) {
  if (!existsSync(file)) {
    console.error(`web: ${file} is missing: build the wasm target kring-core-web first (make wasm)`);
    process.exit(1);
  }
}

const hashOf = (bytes) => createHash('sha256').update(bytes).digest('hex').slice(0, 10);
// The .gz files are written by Zopfli (Debian's zopfli): gzip any browser reads, about 5% smaller than
// zlib's level 9. The budgets are checked on these same bytes.
const scratch = mkdtempSync(join(tmpdir(), 'kring-web-'));
const gzipped = new Map();
const gzip = (bytes) => {
  const key = hashOf(bytes);
  if (!gzipped.has(key)) {
    const file = join(scratch, key);
    writeFileSync(file, bytes);
    gzipped.set(key, execFileSync('zopfli', ['-c', file], { maxBuffer: 64 << 20 }));
  }
  return gzipped.get(key);
};
const brotli = (bytes) => brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } });

async function bundle(entry, define) {
  const result = await build({
    entryPoints: [join(here, entry)], bundle: true, format: 'esm', target: 'es2022', minify: true,
    write: false, legalComments: 'none', define, alias: { 'kring-core-web': coreJs },
    logLevel: 'warning',
  });
  return result.outputFiles[0].contents;
}

const wasm = readFileSync(coreWasm);
const wasmName = `kring-core.${hashOf(wasm)}.wasm`;
const css = (await transform(readFileSync(join(here, 'src/styles.css'), 'utf8'), { loader: 'css', minify: true })).code;
const thread = await bundle('src/thread.ts', {
  KRING_CORE_WASM: JSON.stringify(`./${wasmName}`),
  KRING_STYLES: JSON.stringify(css),
});
const threadName = `kring-thread.${hashOf(thread)}.js`;
const loader = await bundle('src/loader.ts', {
  KRING_THREAD_CHUNK: JSON.stringify(`./${threadName}`),
  KRING_CORE_WASM: JSON.stringify(`./${wasmName}`),
});

rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
const files = { 'kring.js': loader, [threadName]: thread, [wasmName]: wasm };
for (const [name, bytes] of Object.entries(files)) {
  writeFileSync(join(outDir, name), bytes);
  writeFileSync(join(outDir, `${name}.gz`), gzip(bytes));
  writeFileSync(join(outDir, `${name}.br`), brotli(bytes));
}
// The console (docs/console.md) at build/web/console/: served by kring-server at /console; its own
// bundle, not part of what a page embedding the widget loads.
const consoleDir = join(outDir, 'console');
mkdirSync(consoleDir);
const consoleJs = await bundle('console/main.ts', {});
const consoleCss = Buffer.from((await transform(
  readFileSync(join(here, 'node_modules/uplot/dist/uPlot.min.css'), 'utf8') + readFileSync(join(here, 'console/styles.css'), 'utf8'),
  { loader: 'css', minify: true })).code);
const consoleJsName = `console.${hashOf(consoleJs)}.js`;
const consoleCssName = `console.${hashOf(consoleCss)}.css`;
const consoleHtml = Buffer.from(readFileSync(join(here, 'console/index.html'), 'utf8')
  .replace('KRING_CONSOLE_JS', consoleJsName).replace('KRING_CONSOLE_CSS', consoleCssName));
for (const [name, bytes] of Object.entries({ 'index.html': consoleHtml, [consoleJsName]: consoleJs, [consoleCssName]: consoleCss })) {
  writeFileSync(join(consoleDir, name), bytes);
  writeFileSync(join(consoleDir, `${name}.gz`), gzip(bytes));
  writeFileSync(join(consoleDir, `${name}.br`), brotli(bytes));
}

// The files in load order, and the budgets (tests/bench/widget_bench.mjs reads both from here).
writeFileSync(join(outDir, 'manifest.json'), JSON.stringify({ loader: 'kring.js', thread: threadName, wasm: wasmName,
  budgetsGzip: { loader: LOADER_BUDGET_GZIP, total: TOTAL_BUDGET_GZIP } }, null, 2));

const rows = [
  ['loader JS (kring.js)', loader],
  [`widget JS (${threadName}, with the core's glue and CSS)`, thread],
  ['  of which CSS', Buffer.from(css)],
  [`wasm core (${wasmName})`, wasm],
];
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
for (const [label, bytes] of rows) {
  console.log(`web size: ${label.padEnd(64)} raw ${kb(bytes.length).padStart(9)}  gzip ${kb(gzip(bytes).length).padStart(8)}  br ${kb(brotli(bytes).length).padStart(8)}`);
}
console.log(`web size: ${'console (JS + CSS, with uPlot and lit)'.padEnd(64)} raw ${kb(consoleJs.length + consoleCss.length).padStart(9)}  gzip ${kb(gzip(consoleJs).length + gzip(consoleCss).length).padStart(8)}`);
const loaderGzip = gzip(loader).length;
const total = [loader, thread, wasm].reduce((sum, bytes) => sum + bytes.length, 0);
const totalGzip = [loader, thread, wasm].reduce((sum, bytes) => sum + gzip(bytes).length, 0);
console.log(`web size: ${'everything the page loads for the widget'.padEnd(64)} raw ${kb(total).padStart(9)}  gzip ${kb(totalGzip).padStart(8)}  (budget ${kb(TOTAL_BUDGET_GZIP)} gzip; loader ${kb(LOADER_BUDGET_GZIP)})`);

let failed = false;
if (loaderGzip > LOADER_BUDGET_GZIP) {
  console.error(`web: the loader is ${kb(loaderGzip)} gzip, over its ${kb(LOADER_BUDGET_GZIP)} budget`);
  failed = true;
}
if (totalGzip > TOTAL_BUDGET_GZIP) {
  console.error(`web: the widget is ${kb(totalGzip)} gzip, ${kb(totalGzip - TOTAL_BUDGET_GZIP)} over its ${kb(TOTAL_BUDGET_GZIP)} budget`);
  failed = true;
}
rmSync(scratch, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
