// The wasm core as a client of kring-server: ops built with makeOp, sync messages encoded, and
// the server's answers received into the replica, which ends equal to the server's state. The
// server side is tests/wasm/sync_fixture.cpp (native), a stand-in for kring-server's sync.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { KringCore } from '../../wasm/kring-core-api.mjs';
import { splitFrames } from '../support/frames.mjs';
import { shapesOf } from '../support/ts_shapes.mjs';

const wasmPath = process.env.KRING_WASM;
const fixturePath = process.env.KRING_SYNC_FIXTURE;
let core;
let shapes;  // the widget's types (thread-types.ts), which receive()'s descriptions must match

before(async () => {
  assert.ok(fixturePath, 'KRING_SYNC_FIXTURE names the sync fixture (tests/CMakeLists.txt)');
  const createModule = (await import(pathToFileURL(wasmPath).href)).default;
  core = await KringCore.load(createModule, { wasmBinary: readFileSync(wasmPath.replace(/\.js$/, '.wasm')) });
  shapes = shapesOf('host-adapters/web/src/thread-types.ts');
});

function joinFrames(frames) {
  const parts = [];
  for (const frame of frames) {
    const size = Buffer.alloc(4);
    size.writeUInt32LE(frame.length);
    parts.push(size, Buffer.from(frame));
  }
  return Buffer.concat(parts);
}

// Sends the client's frames to the fixture; returns the server's frames and its site snapshot.
function runServer(clientFrames) {
  const dir = mkdtempSync(join(tmpdir(), 'kring-sync-'));
  const file = (name) => join(dir, name);
  writeFileSync(file('client.bin'), joinFrames(clientFrames));
  execFileSync(fixturePath, [file('client.bin'), file('server.bin'), file('site.bin')]);
  return { frames: splitFrames(readFileSync(file('server.bin'))), siteSnapshot: readFileSync(file('site.bin')) };
}

const T0 = 1_700_000_000_000;

// A session: alice asks on a product page, bob answers, alice accepts, a few mistakes on the way.
function session(client) {
  const frames = [];
  const ops = [];
  let clock = T0;
  const as = (id, name, role = 'member') => {
    client.setActor(id, name, role);
    frames.push(client.helloMessage('acme', `${id}|${name}|${role}`, 'tab-1'));
  };
  const submit = (op) => {
    const bytes = client.makeOp({ time: (clock += 1000), ...op });
    ops.push(bytes);
    frames.push(client.submitMessage(bytes));
  };
  as('alice', 'Alice');
  frames.push(client.pingMessage(2n ** 60n + 1n));
  submit({ kind: 'create_thread', id: 'c-1', key: '/sku-1', title: 'Sizes', threadKind: 'question' });
  submit({ kind: 'post', id: 'c-2', threadKey: '/sku-1', body: 'Does it run small?' });
  frames.push(client.subscribeMessage('/sku-1', 0));
  as('bob', 'Bob <staff>', 'staff');
  submit({ kind: 'post', id: 'c-3', threadKey: '/sku-1', parentId: 'c-2', body: 'No, true to size.' });
  submit({ kind: 'vote', id: 'c-4', postId: 'c-3', direction: 'up' });  // own post: rejected
  submit({ kind: 'post', id: 'c-5', threadKey: '/sku-1', parentId: 'c-3', body: 'Checked with the factory.' });
  as('alice', 'Alice');
  submit({ kind: 'vote', id: 'c-6', postId: 'c-3', direction: 'up' });
  submit({ kind: 'accept', id: 'c-7', answerId: 'c-3' });
  submit({ kind: 'edit', id: 'c-8', postId: 'c-2', body: 'Does it run small? I am between sizes.' });
  submit({ kind: 'vote', id: 'c-9', postId: 'c-5', direction: 'down' });
  submit({ kind: 'vote', id: 'c-10', postId: 'c-5', direction: 'none' });
  submit({ kind: 'unaccept', id: 'c-11', answerId: 'c-3' });
  submit({ kind: 'accept', id: 'c-12', answerId: 'c-3' });
  submit({ kind: 'create_thread', id: 'c-13', key: '/blog/hello', title: 'Hello', threadKind: 'discussion' });
  submit({ kind: 'post', id: 'c-14', threadKey: '/blog/hello', body: 'First!' });
  frames.push(client.subscribeMessage('/not-yet', 0));
  frames.push(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]));  // not a ClientMessage
  frames.push(client.helloMessage('acme', 'unsigned', 'tab-1'));
  as('bob', 'Bob <staff>', 'staff');
  submit({ kind: 'delete', id: 'c-15', postId: 'c-3' });  // the accepted answer
  submit({ kind: 'delete', id: 'c-16', postId: 'c-3' });  // again: rejected
  frames.push(client.refreshTokenMessage('bob|Bob <staff>|staff'));  // a fresh token: welcomed again
  return { frames, ops };
}

test('makeOp builds ops the engine applies, and refuses unknown kinds and values', () => {
  const engine = core.createEngine('acme');
  engine.setActor('u1', 'Ann', 'staff');  // under the default rules only staff (or the host) create threads
  const created = engine.describeOutcome(engine.apply(engine.makeOp({ kind: 'create_thread', id: 'o-1', key: '/t',
    title: 'T', threadKind: 'question', time: T0 })));
  assert.equal(created.status, 'accepted');
  assert.deepEqual(created.events, ['member_joined', 'thread_created', 'follow_changed']);
  const post = engine.describeOutcome(engine.apply(engine.makeOp({ kind: 'post', id: 'o-2', threadKey: '/t',
    body: 'Question?', time: BigInt(T0 + 1000) })));
  assert.equal(post.status, 'accepted');
  const own = engine.describeOutcome(engine.apply(engine.makeOp({ kind: 'vote', id: 'o-3', postId: 'o-2',
    direction: 'up', time: T0 + 2000 })));
  assert.equal(own.code, 'own_post');
  const view = engine.threadView('/t', 'top', 'u1');
  assert.equal(view.kind, 'question');
  assert.equal(view.posts[0].authorName, 'Ann');
  assert.equal(view.posts[0].createdAt, T0 + 1000);
  const read = engine.describeOutcome(engine.apply(engine.makeOp({ kind: 'reading', id: 'o-4', threadKeys: ['/t'],
    postsSeen: 1, secondsReading: 40, time: T0 + 3000 })));
  assert.equal(read.status, 'accepted');

  assert.throws(() => engine.makeOp({ kind: 'bogus', id: 'x', time: T0 }), TypeError);
  assert.throws(() => engine.makeOp({ kind: 'toString', id: 'x', time: T0 }), TypeError);
  assert.throws(() => engine.makeOp({ kind: 'vote', id: 'x', postId: 'o-2', direction: 'sideways', time: T0 }),
    /out of range/);
  assert.throws(() => engine.makeOp({ kind: 'create_thread', id: 'x', key: '/u', threadKind: 'poll', time: T0 }),
    /out of range/);
  assert.throws(() => engine.makeOp({ kind: 'post', id: 'x', threadKey: '/t', body: 'b', time: -1 }), /negative/);
  // A role outside enum kring_role: KRING_ERROR_OUT_OF_RANGE (-3), a caller's mistake rather than a member the core refuses.
  assert.throws(() => engine.setActor('u2', 'Bo', 'emperor'), (error) => error.code === -3 && /out of range/.test(error.message));
  assert.throws(() => engine.setActor('', 'Nobody'), (error) => error.code === core.enums.reason_code.invalid_member);
});

test('client messages: submit refuses bytes that are not an op', () => {
  const engine = core.createEngine('acme');
  assert.equal(engine.submitMessage(new Uint8Array(0)), null);
  assert.equal(engine.submitMessage(new Uint8Array(16).fill(7)), null);
  assert.ok(engine.lastError().length > 0);
  engine.setActor('u1', 'Ann');
  assert.ok(engine.submitMessage(engine.makeOp({ kind: 'delete', id: 'd-1', postId: 'p', time: 0 })).length > 0);
  assert.ok(engine.subscribeMessage('/t', 2n ** 64n - 1n).length > 0);
  assert.ok(engine.helloMessage('acme').length > 0);
  assert.ok(engine.helloMessage('acme', '', 'tab-1', 'kg1.credential').length > engine.helloMessage('acme').length);
  assert.ok(engine.refreshTokenMessage('a.b.c').length > 0);
});

const nameAndRole = ({ id, displayName, role }) => ({ id, displayName, role });

// A thread snapshot is what the engine's member may see (kring.h): compare two engines as each of
// the session's members sees them.
function assertSameProjections(engine, other, key) {
  for (const [id, name, role] of [['alice', 'Alice', 'member'], ['bob', 'Bob <staff>', 'staff']]) {
    engine.setActor(id, name, role);
    other.setActor(id, name, role);
    assert.deepEqual(engine.threadSnapshot(key), other.threadSnapshot(key), `snapshot of ${key} as ${id}`);
  }
}

test('a replica follows the server through a whole session and ends equal to it', () => {
  const client = core.createEngine('acme');
  const { frames, ops } = session(client);
  const server = runServer(frames);
  const received = server.frames.map((frame) => client.receive(frame));
  // Each description is the widget's ServerMessage exactly (an error's code one of the schema's).
  for (const message of received) assert.deepEqual(shapes.problems(message, 'ServerMessage'), [], message.type);
  // The fixture server sends its snapshot in 512-byte parts: the replica joins them.
  assert.ok(received.some((message) => message.type === 'snapshot_part'));
  const whole = received.filter((message) => message.type !== 'snapshot_part');
  const summary = whole.map((message) => (
    message.type === 'events' ? `events ${message.opIds.join(',')}`
      : message.type === 'rejected' ? `rejected ${message.opId} ${message.code}` : message.type));
  assert.deepEqual(summary, [
    'welcome', 'pong', 'events c-1', 'events c-2', 'snapshot',
    'welcome', 'events c-3', 'rejected c-4 own_post', 'events c-5',
    'welcome', 'events c-6', 'events c-7', 'events c-8', 'events c-9', 'events c-10', 'events c-11', 'events c-12',
    'events c-13', 'events c-14', 'events ', 'error', 'error',
    'welcome', 'events c-15', 'rejected c-16 post_removed', 'welcome',
  ]);

  assert.deepEqual(whole[0].member, { id: 'alice', displayName: 'Alice', role: 'member', reputation: 1,
    trustLevel: 0, state: 'active', stateUntil: 0 });
  // The Welcome's policy is the replica's: the fixture's site opens votes to everyone.
  const policy = JSON.parse(client.policyJson());
  assert.equal(policy.settings.privilegeVoteUp, 0);
  assert.deepEqual(policy.watchedWords, []);
  assert.equal(whole[0].guestCredential, '');
  assert.equal(whole[0].tokenExpiresAt, 0);
  assert.equal(whole[1].nonce, 2n ** 60n + 1n);
  assert.equal(whole[4].threadKey, '/sku-1');
  assert.equal(whole[4].lastSequence, 2);
  assert.deepEqual(nameAndRole(whole[5].member), { id: 'bob', displayName: 'Bob <staff>', role: 'staff' });
  assert.equal(whole[6].threadKey, '/sku-1');
  assert.equal(whole[6].fromSequence, 3);
  assert.equal(whole[6].lastSequence, 3);
  assert.equal(whole[19].threadKey, '/not-yet');
  assert.deepEqual(whole[19].opIds, []);
  assert.equal(whole[20].code, 'malformed_frame');
  assert.equal(whole[21].code, 'bad_token');
  assert.ok(whole[21].message.length > 0);
  assert.deepEqual(nameAndRole(whole[25].member), { id: 'bob', displayName: 'Bob <staff>', role: 'staff' });
  assert.equal(whole[25].tokenExpiresAt, 1_700_000_600_000);

  // The replica is the server, thread by thread; the server engine comes from its site snapshot.
  const truth = core.restoreEngine(server.siteSnapshot);
  assert.equal(client.lastSequence, truth.lastSequence);
  // Each followed thread's own last sequence: the highest of the Events messages it received.
  const lastOf = (key) => Math.max(...received.filter((m) => m.threadKey === key && m.lastSequence !== undefined)
    .map((m) => m.lastSequence));
  for (const key of ['/sku-1', '/blog/hello']) assert.equal(client.threadLastSequence(key), lastOf(key));
  assert.equal(client.threadLastSequence('/never-followed'), 0);
  for (const key of ['/sku-1', '/blog/hello']) {
    assertSameProjections(client, truth, key);
    for (const order of ['top', 'newest', 'oldest']) {
      for (const viewer of ['', 'alice', 'bob']) {
        assert.equal(client.threadViewJson(key, order, viewer), truth.threadViewJson(key, order, viewer));
      }
    }
  }
  const answer = client.threadView('/sku-1', 'top', 'alice').posts.find((post) => post.id === 'c-3');
  assert.equal(answer.state, 'removed');
  assert.equal(answer.accepted, false);
  assert.equal(answer.myVote, 'up');
  assert.equal(client.threadView('/not-yet'), null);

  // The same op bytes predict the server's verdicts on a local engine that knows the site's
  // rules from a Welcome.
  const local = core.createEngine('acme');
  local.receive(server.frames[0]);
  const verdicts = ops.map((op) => local.describeOutcome(local.apply(op)).status);
  const rejected = received.filter((message) => message.type === 'rejected').map((message) => message.opId);
  assert.deepEqual(verdicts.map((status, i) => (status === 'rejected' ? `c-${i + 1}` : null)).filter(Boolean), rejected);
});

test('garbage and events the replica refuses are invalid and leave it unchanged', () => {
  const client = core.createEngine('acme');
  const { frames } = session(client);
  const server = runServer(frames);
  const messages = server.frames.map((frame) => client.receive(frame));
  const before = client.siteSnapshot();

  for (const garbage of [new Uint8Array(0), new Uint8Array(5), new Uint8Array(64).fill(0xee)]) {
    const message = client.receive(garbage);
    assert.equal(message.type, 'invalid');
    assert.ok(message.message.length > 0);
  }
  // c-3's events again: the replica holds that post already.
  const c3 = messages.findIndex((message) => message.type === 'events' && message.opIds.includes('c-3'));
  const again = client.receive(server.frames[c3]);
  assert.equal(again.type, 'invalid');
  assert.deepEqual(shapes.problems(again, 'ServerMessage'), []);
  assert.match(again.message, /c-3/);
  assert.deepEqual(client.siteSnapshot(), before);
});

test('a replica that subscribed late gets the thread from its snapshot, then the events', () => {
  // The first client does everything; a second replica only takes the snapshot and what follows.
  const author = core.createEngine('acme');
  const { frames } = session(author);
  const server = runServer(frames);
  const late = core.createEngine('acme');
  const messages = server.frames.map((frame) => author.receive(frame));
  const snapshotAt = messages.findIndex((message) => message.type === 'snapshot_part' || message.type === 'snapshot');
  for (const frame of server.frames.slice(snapshotAt)) {
    const message = late.receive(frame);
    assert.notEqual(message.type, 'invalid', message.message);
  }
  assertSameProjections(late, author, '/sku-1');
  assert.equal(late.threadViewJson('/sku-1', 'top', 'bob'), author.threadViewJson('/sku-1', 'top', 'bob'));
});
