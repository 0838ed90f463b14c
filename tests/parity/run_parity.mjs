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
  '--snapshot', file('snapshot.bin'), '--views', file('views.bin'), '--keys', file('keys.txt')], { encoding: 'utf8' });
process.stdout.write(summary);

const createModule = (await import(pathToFileURL(args.wasm).href)).default;
const core = await KringCore.load(createModule, { wasmBinary: readFileSync(args.wasm.replace(/\.js$/, '.wasm')) });
const engine = core.createEngine('parity');

const ops = splitFrames(readFileSync(file('oplog.bin')));
const nativeOutcomes = splitFrames(readFileSync(file('outcomes.bin')));
if (ops.length < 10000) fail(`the log has ${ops.length} ops; the test needs at least 10,000`);
if (nativeOutcomes.length !== ops.length) fail(`native wrote ${nativeOutcomes.length} outcomes for ${ops.length} ops`);

ops.forEach((op, index) => {
  const outcome = engine.apply(op);
  if (!Buffer.from(outcome).equals(Buffer.from(nativeOutcomes[index]))) {
    fail(`op ${index}: wasm outcome (${outcome.length} bytes) differs from native (${nativeOutcomes[index].length} bytes)`);
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

console.log(`parity: ${ops.length} ops, ${keys.length} threads: outcomes, site snapshot, thread snapshots, views and metrics byte-identical`);

function fail(message) {
  console.error(`parity FAILED: ${message}`);
  process.exit(1);
}
