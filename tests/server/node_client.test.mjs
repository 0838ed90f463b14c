// kring-server with Node clients that keep wasm replicas: what a browser widget does.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCore, signThreadTicket, signToken, SyncNodeClient } from '../support/sync_node_client.mjs';

const secret = 'node-test-secret-0123456789-abcdefghij';
let server;
let port;
let core;
let directory;

before(async () => {
  core = await loadCore(process.env.KRING_WASM);
  directory = mkdtempSync(join(tmpdir(), 'kring-node-test-'));
  writeFileSync(join(directory, 'sites.json'), JSON.stringify({ sites: [{ id: 'shop', allowedOrigins: ['*'],
    tokenSecret: secret, adminKey: 'node-test-admin-0123456789-abc', guestPosting: true,
    // The community rules' gates are lifted: these tests are about sync, not the rules.
    policy: { settings: { privilegeVoteUp: 0, privilegeVoteDown: 0, ratePostsTrust0: 1000000, duplicateWindowHours: 0,
      newMemberUntilTrustLevel: 0, spamHoldScore: 1000000, threadCreateMinTrustLevel: 0 } } }] }));
  server = spawn(process.env.KRING_SERVER, ['--port', '0', '--db', `sqlite:${join(directory, 'kring.db')}`,
    '--sites', join(directory, 'sites.json')], { stdio: ['ignore', 'pipe', 'ignore'] });
  port = await new Promise((resolve, reject) => {
    server.stdout.on('data', (chunk) => {
      const match = /listening on http:\/\/[^:]+:(\d+)/.exec(String(chunk));
      if (match) resolve(Number(match[1]));
    });
    server.on('exit', (code) => reject(new Error(`kring-server exited with ${code}`)));
  });
});

after(() => {
  server?.kill('SIGTERM');
  rmSync(directory, { recursive: true, force: true });
});

function member(sub, role = 'member') {
  const token = signToken({ site: 'shop', secret, sub, name: `Name of ${sub}`, role });
  return new SyncNodeClient(core, { port, site: 'shop', token, clientId: `node-${sub}-${Math.random()}` });
}

test('a post by one widget appears in another widget\'s replica, with the author from the token', async () => {
  const ann = member('ann');
  const bob = member('bob');
  await ann.connect();
  await bob.connect();
  await ann.subscribe('sku-1');
  await bob.subscribe('sku-1');
  await ann.submit({ kind: 'create_thread', key: 'sku-1', title: 'Shoe', threadKind: 'question' });
  const { id } = await ann.submit({ kind: 'post', threadKey: 'sku-1', body: 'Does it run small?' });
  await bob.next((message) => message.type === 'events' && message.opIds.includes(id));
  const view = bob.engine.threadView('sku-1');
  assert.equal(view.kind, 'question');
  assert.equal(view.posts.length, 1);
  assert.equal(view.posts[0].id, id);
  assert.equal(view.posts[0].authorId, 'ann');
  assert.equal(view.posts[0].body, 'Does it run small?');
  for (const order of ['top', 'newest', 'oldest']) {
    assert.equal(bob.engine.threadViewJson('sku-1', order), ann.engine.threadViewJson('sku-1', order));
  }
  // Each replica holds its own member's follow alone: ann started the thread, bob only reads it.
  assert.equal(ann.engine.following('sku-1', 'ann'), true);
  assert.equal(bob.engine.following('sku-1', 'bob'), false);
  assert.equal(bob.engine.following('sku-1', 'ann'), false, 'who follows reaches no one else');
  ann.close();
  bob.close();
});

test('a widget that reconnects with its last sequence catches up on what it missed', async () => {
  const ann = member('ann');
  const bob = member('bob');
  await ann.connect();
  await bob.connect();
  await ann.submit({ kind: 'create_thread', key: 'sku-2', title: 'Tent', threadKind: 'discussion' });
  await bob.subscribe('sku-2');
  const seen = bob.engine.lastSequence;
  bob.close();
  const first = await ann.submit({ kind: 'post', threadKey: 'sku-2', body: 'one' });
  const second = await ann.submit({ kind: 'post', threadKey: 'sku-2', body: 'two', parentId: first.id });

  const back = member('bob');
  back.engine.loadThreadSnapshot(bob.engine.threadSnapshot('sku-2'));  // the replica it kept
  await back.connect();
  const missed = await back.subscribe('sku-2', seen);
  assert.equal(missed.type, 'events');
  assert.deepEqual(missed.opIds, [first.id, second.id]);
  assert.deepEqual(back.engine.threadView('sku-2', 'oldest').posts.map((post) => post.body), ['one', 'two']);
  ann.close();
  back.close();
});

test('a rejected op comes back with its reason code and message', async () => {
  const ann = member('ann');
  await ann.connect();
  await ann.submit({ kind: 'create_thread', key: 'sku-3', title: 'Pack' });
  const { id } = await ann.submit({ kind: 'post', threadKey: 'sku-3', body: 'mine' });
  await assert.rejects(ann.submit({ kind: 'vote', postId: id, direction: 'up' }),
    (error) => error.code === 'own_post' && /own post/.test(error.message));
  ann.close();
});

test('a forged token is refused with bad_token', async () => {
  const forged = new SyncNodeClient(core, { port, site: 'shop', clientId: 'x',
    token: signToken({ site: 'shop', secret: 'wrong-secret-0123456789-abcdefghijkl', sub: 'eve', name: 'Eve' }) });
  await assert.rejects(forged.connect(), /bad_token/);
});

test('a guest can post where the site allows guests, and comes back with its credential', async () => {
  const guest = new SyncNodeClient(core, { port, site: 'shop', clientId: 'visitor-7' });
  const welcome = await guest.connect();
  assert.match(welcome.member.id, /^guest:[A-Za-z0-9_-]{22}$/);
  assert.ok(guest.guestCredential.startsWith('kg1.'));
  assert.equal(welcome.tokenExpiresAt, 0);
  // Guests create no thread on their own: the page carries the host's ticket for it.
  await guest.submit({ kind: 'create_thread', key: 'sku-4', title: 'Hat',
    ticket: signThreadTicket({ site: 'shop', secret, key: 'sku-4', title: 'Hat' }) });
  const { id } = await guest.submit({ kind: 'post', threadKey: 'sku-4', body: 'Warm?' });
  guest.close();

  const back = new SyncNodeClient(core, { port, site: 'shop', clientId: 'visitor-7-back',
    guestCredential: guest.guestCredential });
  assert.equal((await back.connect()).member.id, welcome.member.id);
  await back.submit({ kind: 'edit', postId: id, body: 'Is it warm?' });
  back.close();

  const forged = new SyncNodeClient(core, { port, site: 'shop', clientId: 'x',
    guestCredential: `${guest.guestCredential.slice(0, -1)}${guest.guestCredential.endsWith('A') ? 'B' : 'A'}` });
  await assert.rejects(forged.connect(), /bad_guest_credential/);
});

test('a signed-in widget refreshes its token on the same connection; another member\'s token is refused', async () => {
  const ann = member('ann');
  const first = await ann.connect();
  assert.ok(first.tokenExpiresAt > Date.now());
  const renewed = await ann.refresh(signToken({ site: 'shop', secret, sub: 'ann', name: 'Ann B.', seconds: 900 }));
  assert.equal(renewed.member.displayName, 'Ann B.');
  assert.ok(renewed.tokenExpiresAt > first.tokenExpiresAt);
  await assert.rejects(ann.refresh(signToken({ site: 'shop', secret, sub: 'bob', name: 'Bob' })),
    (error) => error.code === 'bad_token');
});

test('a member\'s follow reaches their next snapshot, whole or paged, and no one else\'s', async () => {
  const ann = member('ann');
  const rita = member('rita');
  await ann.connect();
  await rita.connect();
  await ann.submit({ kind: 'create_thread', key: 'sku-follow', title: 'Jacket', threadKind: 'discussion' });
  await ann.submit({ kind: 'post', threadKey: 'sku-follow', body: 'Warm enough?' });
  await rita.subscribe('sku-follow');
  await rita.submit({ kind: 'follow', threadKey: 'sku-follow', following: true });
  assert.equal(rita.engine.following('sku-follow', 'rita'), true);
  rita.close();
  for (const paged of [false, true]) {
    const again = member('rita');
    await again.connect();
    again.socket.send(paged ? again.engine.subscribePagedMessage('sku-follow', 0, 'top')
      : again.engine.subscribeMessage('sku-follow', 0));
    await again.next((message) => message.type === 'snapshot' && message.threadKey === 'sku-follow');
    assert.equal(again.engine.following('sku-follow', 'rita'), true, paged ? 'paged' : 'whole');
    assert.equal(again.engine.following('sku-follow', 'ann'), false, 'ann\'s own follow is hers alone');
    again.close();
  }
  const bob = member('bob');
  await bob.connect();
  await bob.subscribe('sku-follow');
  assert.equal(bob.engine.following('sku-follow', 'rita'), false);
  ann.close();
  bob.close();
});
