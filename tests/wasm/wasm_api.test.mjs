// The wasm core as JavaScript sees it: bad input gives typed errors (this also proves kj's
// exceptions work in wasm), good input gives views and snapshots that round-trip.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { KringCore } from '../../wasm/kring-core-api.mjs';
import { splitFrames } from '../support/frames.mjs';

const wasmPath = process.env.KRING_WASM;
const nativeTool = process.env.KRING_PARITY_NATIVE;
let core;
let log;

before(async () => {
  const createModule = (await import(pathToFileURL(wasmPath).href)).default;
  core = await KringCore.load(createModule, { wasmBinary: readFileSync(wasmPath.replace(/\.js$/, '.wasm')) });
  // The tables come from the schema through the core: spot-check a few numbers the wire has always used.
  assert.equal(core.enums.reason_code.malformed_snapshot, 27);
  assert.equal(core.names.reason_code[19], 'own_post');
  assert.deepEqual(core.names.role, ['member', 'moderator', 'staff', 'admin']);
  const file = join(mkdtempSync(join(tmpdir(), 'kring-wasm-test-')), 'oplog.bin');
  execFileSync(nativeTool, ['gen', '--seed', '11', '--ops', '400', '--out', file]);
  log = readFileSync(file);
});

function loadedEngine() {
  const engine = core.createEngine('test');
  const { frames, accepted } = engine.applyLog(log);
  assert.equal(frames, 400);
  assert.ok(accepted > 100, `only ${accepted} ops accepted`);
  return engine;
}

test('garbage op bytes are rejected as malformed and the engine keeps working', () => {
  const engine = core.createEngine('test');
  for (const garbage of [new Uint8Array(0), new Uint8Array(7), Uint8Array.from({ length: 64 }, (_, i) => (i * 37) & 255)]) {
    const outcome = engine.describeOutcome(engine.apply(garbage));
    assert.equal(outcome.status, 'rejected');
    assert.equal(outcome.code, 'malformed_op');
    assert.ok(outcome.message.length > 0);
  }
  const first = engine.describeOutcome(engine.apply(splitFrames(log)[0]));
  assert.equal(first.status, 'accepted');
  // The generated log starts with the admin setting the site's policy.
  assert.deepEqual(first.events, ['member_joined', 'policy_changed', 'moderation_recorded']);
});

test('a truncated op log is refused with a message', () => {
  const engine = core.createEngine('test');
  assert.throws(() => engine.applyLog(log.subarray(0, log.length - 3)), /ends inside a frame/);
});

test('a garbage site snapshot is refused with malformed_snapshot', () => {
  assert.throws(() => core.restoreEngine(new Uint8Array(64).fill(0xff)), (error) => error.code === core.enums.reason_code.malformed_snapshot);
});

test('a site snapshot restores to an engine with the same snapshot', () => {
  const engine = loadedEngine();
  const snapshot = engine.siteSnapshot();
  const restored = core.restoreEngine(snapshot);
  assert.deepEqual(restored.siteSnapshot(), snapshot);
  assert.equal(restored.lastSequence, engine.lastSequence);
  assert.ok(engine.lastSequence > 0);
});

test('thread views list posts in order and are null for unknown threads', () => {
  const engine = loadedEngine();
  assert.equal(engine.threadView('no-such-thread'), null);
  const view = engine.threadView('/products/sku-100', 'oldest');
  assert.equal(view.key, '/products/sku-100');
  assert.ok(view.posts.length > 0);
  const roots = view.posts.filter((post) => post.depth === 0);
  for (let i = 1; i < roots.length; i += 1) assert.ok(roots[i - 1].createdAt <= roots[i].createdAt);
  const newest = engine.threadView('/products/sku-100', 'newest').posts.filter((post) => post.depth === 0);
  assert.deepEqual(newest.map((post) => post.id).reverse(), roots.map((post) => post.id));
});

test('a thread snapshot loads into a replica that then shows the same thread', () => {
  const engine = loadedEngine();
  const replica = core.createEngine('test');
  replica.loadThreadSnapshot(engine.threadSnapshot('/products/sku-100'));
  assert.equal(replica.threadViewJson('/products/sku-100', 'top', 'm5'), engine.threadViewJson('/products/sku-100', 'top', 'm5'));
  assert.deepEqual(replica.threadSnapshot('/products/sku-100'), engine.threadSnapshot('/products/sku-100'));
});

test('a garbage thread snapshot is refused and leaves the replica as it was', () => {
  const engine = loadedEngine();
  const replica = core.createEngine('test');
  replica.loadThreadSnapshot(engine.threadSnapshot('/products/sku-100'));
  const before = replica.siteSnapshot();
  assert.throws(() => replica.loadThreadSnapshot(new Uint8Array(24).fill(3)),
    (error) => error.code === core.enums.reason_code.malformed_snapshot && error.message.length > 0);
  assert.deepEqual(replica.siteSnapshot(), before);
});
