// Parity test: one seeded op log applied natively (C API) and in wasm (same C API under Node)
// must give the same outcome bytes for every op, the same site snapshot, and the same thread
// snapshots and views. Exits non-zero on the first difference, naming it.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { KringCore } from '../../wasm/kring-core-api.mjs';
import { splitFrames, parseArgs } from '../support/frames.mjs';

const args = parseArgs(process.argv.slice(2), { ops: '12000', seed: '42' });
mkdirSync(args.work, { recursive: true });
const file = (name) => join(args.work, name);

execFileSync(args.native, ['gen', '--seed', args.seed, '--ops', args.ops, '--out', file('oplog.bin')]);
const summary = execFileSync(args.native, ['replay', '--log', file('oplog.bin'), '--outcomes', file('outcomes.bin'),
  '--intents', file('intents.bin'),
  '--snapshot', file('snapshot.bin'), '--views', file('views.bin'), '--keys', file('keys.txt')], { encoding: 'utf8' });
process.stdout.write(summary);

const createModule = (await import(pathToFileURL(args.wasm).href)).default;
const core = await KringCore.load(createModule, { wasmBinary: readFileSync(args.wasm.replace(/\.js$/, '.wasm')) });
const engine = core.createEngine('parity');

const ops = splitFrames(readFileSync(file('oplog.bin')));
const nativeOutcomes = splitFrames(readFileSync(file('outcomes.bin')));
if (ops.length < 10000) fail(`the log has ${ops.length} ops; the test needs at least 10,000`);
if (nativeOutcomes.length !== ops.length) fail(`native wrote ${nativeOutcomes.length} outcomes for ${ops.length} ops`);

const nativeIntents = splitFrames(readFileSync(file('intents.bin')));
if (nativeIntents.length !== ops.length) fail(`native wrote ${nativeIntents.length} notification lists for ${ops.length} ops`);
const textOf = new TextDecoder();
ops.forEach((op, index) => {
  const outcome = engine.apply(op);
  if (!Buffer.from(outcome).equals(Buffer.from(nativeOutcomes[index]))) {
    fail(`op ${index}: wasm outcome (${outcome.length} bytes) differs from native (${nativeOutcomes[index].length} bytes)`);
  }
  // Who is told of it: the same members, kinds and posts.
  if ((engine.notificationIntentsJson(op, outcome) ?? 'null') !== textOf.decode(nativeIntents[index])) {
    fail(`op ${index}: wasm notification intents differ from native`);
  }
});

if (!Buffer.from(engine.siteSnapshot()).equals(readFileSync(file('snapshot.bin')))) fail('site snapshots differ');

const keys = readFileSync(file('keys.txt'), 'utf8').split('\n').filter(Boolean);
const nativeViews = splitFrames(readFileSync(file('views.bin')));
const encoder = new TextEncoder();
let at = 0;
const expect = (bytes, what) => {
  if (!Buffer.from(bytes).equals(Buffer.from(nativeViews[at++]))) fail(`${what} differs`);
};
for (const key of keys) {
  expect(engine.threadSnapshot(key), `the snapshot of thread ${key}`);
  for (const order of ['top', 'newest', 'oldest']) expect(encoder.encode(engine.threadViewJson(key, order, 'm5')), `the ${order} view of thread ${key}`);
}
for (const kind of [null, 'discussion', 'question']) {
  expect(encoder.encode(engine.metricsJson(0, 2 ** 50, kind)), `metrics (${kind ?? 'all'})`);
}
if (at !== nativeViews.length) fail(`native wrote ${nativeViews.length} view frames, wasm compared ${at}`);

console.log(`parity: ${ops.length} ops, ${keys.length} threads: outcomes, notification intents, site snapshot, thread snapshots, views and metrics byte-identical`);

// Partial replicas: the same server messages (paged snapshots, continuing pages, events about posts
// not loaded) must leave a wasm replica saying, showing and asking for exactly what the native one did.
process.stdout.write(execFileSync(args.native, ['paged', '--log', file('oplog.bin'), '--messages', file('messages.bin'),
  '--views', file('paged_views.bin'), '--asks', file('paged_asks.bin'), '--keys', file('paged_keys.txt')],
{ encoding: 'utf8' }));
const replica = core.createEngine('replica');
const followed = readFileSync(file('paged_keys.txt'), 'utf8').split('\n').filter(Boolean);
const messages = splitFrames(readFileSync(file('messages.bin')));
const pagedViews = splitFrames(readFileSync(file('paged_views.bin')));
const askFrames = splitFrames(readFileSync(file('paged_asks.bin')));
const decoder = new TextDecoder();
const asks = new Map();
for (let i = 0; i < askFrames.length; i += 2) {
  const [index, key, parent] = decoder.decode(askFrames[i]).split('|');
  asks.set(Number(index), { key, parent, bytes: askFrames[i + 1] });
}
let viewAt = 0;
let asked = 0;
messages.forEach((message, index) => {
  const ask = asks.get(index);
  if (ask) {
    const bytes = replica.loadPageMessage(ask.key, ask.parent);
    if (!bytes || !Buffer.from(bytes).equals(Buffer.from(ask.bytes))) fail(`the page asked for before message ${index} differs`);
    asked += 1;
  }
  const said = replica.receive(message);
  const native = JSON.parse(decoder.decode(pagedViews[viewAt++]));
  if (JSON.stringify(said) !== JSON.stringify(native)) fail(`message ${index}: wasm said ${JSON.stringify(said).slice(0, 200)}`);
  for (const key of followed) {
    const view = replica.threadViewJson(key, 'oldest', 'm5');
    if (view === null) continue;
    if (view !== decoder.decode(pagedViews[viewAt++])) fail(`message ${index}: the view of ${key} differs`);
  }
});
if (viewAt !== pagedViews.length || asked !== asks.size) fail(`native recorded ${pagedViews.length} views and ${asks.size} pages asked, wasm compared ${viewAt} and ${asked}`);
console.log(`parity: a paged replica of ${followed.length} threads: ${messages.length} messages, ${asked} pages asked, every view byte-identical`);

function fail(message) {
  console.error(`parity FAILED: ${message}`);
  process.exit(1);
}
