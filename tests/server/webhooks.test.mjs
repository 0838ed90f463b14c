// Webhooks end to end (docs/webhooks.md): the real kring-server POSTs to receivers this test runs on
// loopback, and the docs' own verifier (docs/examples/verify-webhook.mjs) checks every signature. Which
// events reach which endpoint, secret rotation, a forged request refused, the SSRF guard on loopback,
// and the answers that are not a 2xx: a redirect, a 100 MB answer, a timeout, a receiver that is down.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCore, signToken, SyncNodeClient } from '../support/sync_node_client.mjs';
import { spawnKringServer } from '../support/kring_server.mjs';
import { until } from '../support/until.mjs';
import { verifyWebhook } from '../../docs/examples/verify-webhook.mjs';

const secret = 'webhooks-test-secret-0123456789-abcdef';
const adminKey = 'webhooks-admin-0123456789-abcdef';
const metricsKey = 'webhooks-metrics-key-0123456789';
const newSecret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
const oldSecret = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
const settings = { privilegeVoteUp: 0, privilegeComment: 0, privilegeFlag: 0, ratePostsTrust0: 1000000,
  ratePostsTrust1: 1000000, spamHoldScore: 1000000, newMemberUntilTrustLevel: 0, threadCreateMinTrustLevel: 0 };
const policy = { settings, watchedWords: [{ locale: '*', word: 'holdmeplease', action: 'require_approval' }] };
let core;
const cleanups = [];

before(async () => { core = await loadCore(process.env.KRING_WASM); });
after(() => { for (const cleanup of cleanups.reverse()) cleanup(); });

// A receiver on loopback: each path answers as `behaviour` says; every request is kept, raw.
async function receiver() {
  const requests = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => { body += chunk; });
    request.on('end', () => {
      requests.push({ path: request.url, headers: request.headers, body });
      if (request.url === '/redirect') return response.writeHead(307, { location: '/elsewhere' }).end();
      if (request.url === '/slow') return;  // never answers
      if (request.url === '/huge') {
        // 100 MB, written as fast as it is read: the server cuts it at its limit.
        response.writeHead(200, { 'content-type': 'application/octet-stream' });
        const chunk = Buffer.alloc(1 << 20, 120);
        let left = 100;
        const more = () => {
          while (left > 0) {
            left -= 1;
            if (!response.write(chunk)) return response.once('drain', more);
          }
          response.end();
        };
        response.on('error', () => {});
        return more();
      }
      response.writeHead(204).end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => server.close());
  server.closeAllConnections?.();
  return { port: server.address().port, requests, server };
}

async function community(webhooks, serverArgs = []) {
  const directory = mkdtempSync(join(tmpdir(), 'kring-webhook-test-'));
  cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
  const site = { id: 'shop', allowedOrigins: ['*'], tokenSecret: secret, adminKey, policy,
    threadPages: 'https://shop.example/p/{thread}', webhooks };
  writeFileSync(join(directory, 'sites.json'), JSON.stringify({ sites: [site] }));
  writeFileSync(join(directory, 'metrics-key'), metricsKey);
  const start = () => spawnKringServer(process.env.KRING_SERVER, ['--port', '0', '--db', `sqlite:${join(directory, 'kring.db')}`,
    '--sites', join(directory, 'sites.json'), '--metrics-key-file', join(directory, 'metrics-key'),
    '--outbox-first-retry-ms', '100', ...serverArgs], 'inherit');
  let server = await start();
  cleanups.push(() => server.child.kill('SIGKILL'));
  const clients = [];
  const world = {
    async member(sub, role = 'member') {
      const token = signToken({ site: 'shop', secret, sub, name: `Name ${sub}`, role });
      const client = new SyncNodeClient(core, { port: server.port, site: 'shop', token, clientId: `w-${sub}` });
      await client.connect();
      clients.push(client);
      return client;
    },
    async metric(name) {
      const text = await (await fetch(`http://127.0.0.1:${server.port}/metrics`,
        { headers: { Authorization: `Bearer ${metricsKey}` } })).text();
      const match = new RegExp(`^${name} (\\d+)$`, 'm').exec(text);
      if (!match) throw new Error(`no ${name} in /metrics`);
      return Number(match[1]);
    },
    // The console API's dead letters (docs/notifications.md), with a credential.
    async deadLetters(credential = adminKey, retry = undefined) {
      const response = await fetch(`http://127.0.0.1:${server.port}/api/sites/shop/dead-letters`,
        { method: retry ? 'POST' : 'GET', headers: { Authorization: `Bearer ${credential}` },
          body: retry ? JSON.stringify(retry) : undefined });
      return { status: response.status, body: await response.json() };
    },
    port: () => server.port,
    database: join(directory, 'kring.db'),
    // The console API's webhook endpoints (docs/webhooks.md): GET, or POST `change`.
    async endpoints(change = undefined, credential = adminKey) {
      const response = await fetch(`http://127.0.0.1:${server.port}/api/sites/shop/webhooks`,
        { method: change ? 'POST' : 'GET', headers: { Authorization: `Bearer ${credential}` },
          body: change ? JSON.stringify(change) : undefined });
      return { status: response.status, body: await response.json() };
    },
    stop() {
      for (const client of clients) client.close();
      server.child.kill('SIGTERM');
    },
    // The same store and sites file on a new server process (its members connect again).
    async restart() {
      for (const client of clients.splice(0)) client.close();
      await new Promise((resolve) => { server.child.on('exit', resolve); server.child.kill('SIGTERM'); });
      const next = await start();
      cleanups.push(() => next.child.kill('SIGKILL'));
      server = next;
    },
  };
  return world;
}

test('each event reaches the endpoints that want it, signed with every secret; the docs\' verifier refuses a forgery', async () => {
  const hub = await receiver();
  const world = await community({
    endpoints: [
      { url: `http://127.0.0.1:${hub.port}/all`, secrets: [newSecret, oldSecret] },
      { url: `http://127.0.0.1:${hub.port}/accepted`, secrets: [newSecret], events: ['answer.accepted'] },
    ],
    allowPrivateTargets: ['127.0.0.1'],
  });
  const staff = await world.member('staff-sam', 'staff');
  const mod = await world.member('mod-mia', 'admin');
  const alice = await world.member('alice');
  const bob = await world.member('bob');
  await staff.submit({ kind: 'create_thread', key: 'boot', title: 'Boot', threadKind: 'question' });
  for (const client of [staff, mod, alice, bob]) await client.subscribe('boot');
  const question = await alice.submit({ kind: 'post', threadKey: 'boot', body: 'Resoleable?' });
  const answer = await bob.submit({ kind: 'post', threadKey: 'boot', parentId: question.id, body: 'Yes.' });
  const held = await bob.submit({ kind: 'post', threadKey: 'boot', parentId: question.id, body: 'holdmeplease buy now' });
  await mod.submit({ kind: 'moderate', action: 'approve', target: held.id, reason: 'fine after all' });
  await mod.submit({ kind: 'moderate', action: 'reject', target: held.id, reason: 'no, spam' });
  await alice.submit({ kind: 'accept', answerId: answer.id });
  await staff.submit({ kind: 'flag', postId: answer.id, reason: 'off_topic' });
  await mod.submit({ kind: 'moderate', action: 'ban', target: 'bob', reason: 'spam' });

  const typesAt = (path) => hub.requests.filter((request) => request.path === path).map((request) => JSON.parse(request.body).type);
  await until('eight events at /all', () => typesAt('/all').length >= 8);
  await until('the accepted answer at /accepted', () => typesAt('/accepted').length >= 1);
  await new Promise((resolve) => setTimeout(resolve, 500));  // and nothing more comes
  assert.deepEqual(typesAt('/all').sort(), ['answer.accepted', 'flag.raised', 'member.sanctioned', 'post.approved',
    'post.created', 'post.created', 'post.held', 'post.removed'].sort());
  assert.deepEqual(typesAt('/accepted'), ['answer.accepted']);

  for (const request of hub.requests) {
    // Either secret verifies (rotation); the docs' code is what a receiver runs.
    const event = verifyWebhook(newSecret, request.headers, request.body);
    if (request.path === '/all') verifyWebhook(oldSecret, request.headers, request.body);
    assert.match(request.headers['webhook-id'], /^msg_[0-9a-f]{32}$/);
    assert.equal(request.headers['content-type'], 'application/json');
    assert.ok(event.timestamp && event.data);
  }
  const first = hub.requests[0];
  assert.throws(() => verifyWebhook(newSecret, first.headers, first.body.replace('}', ',"x":1}')), /bad signature/);
  assert.throws(() => verifyWebhook(`whsec_${Buffer.alloc(32, 1).toString('base64')}`, first.headers, first.body), /bad signature/);
  assert.throws(() => verifyWebhook(newSecret, { ...first.headers, 'webhook-timestamp': String(Math.floor(Date.now() / 1000) - 3600) },
    first.body), /stale/);

  const byType = (type) => hub.requests.filter((request) => request.path === '/all').map((request) => JSON.parse(request.body))
    .find((event) => event.type === type);
  const created = byType('post.created');
  assert.equal(created.data.threadKey, 'boot');
  assert.ok(['Resoleable?', 'Yes.'].includes(created.data.body));
  assert.match(created.data.url, /^https:\/\/shop\.example\/p\/boot#kring-post-/);
  assert.equal(byType('post.held').data.postId, held.id);
  assert.equal(byType('answer.accepted').data.postId, answer.id);
  assert.deepEqual({ id: byType('member.sanctioned').data.memberId, state: byType('member.sanctioned').data.state },
    { id: 'bob', state: 'banned' });
  assert.equal(byType('flag.raised').data.postId, answer.id);

  // The delivery log in the console API: every delivery with its state, the newest first; a delivered
  // one sent again on an admin's word reaches the endpoint again with the same webhook-id.
  const { status, body } = await world.deadLetters();
  assert.equal(status, 200);
  assert.equal(body.webhookLog.length, hub.requests.length);
  assert.ok(body.webhookLog.every((row) => row.state === 'sent' && row.attempts === 1 && row.doneAt > 0));
  assert.deepEqual(body.webhookLog.map((row) => row.id), [...body.webhookLog.map((row) => row.id)].sort((a, b) => b - a));
  const flagged = body.webhookLog.find((row) => row.type === 'flag.raised');
  assert.equal(flagged.subject, answer.id);
  const firstTry = hub.requests.find((request) => JSON.parse(request.body).type === 'flag.raised');
  const replayed = await world.deadLetters(adminKey, { kind: 'webhook', id: flagged.id });
  assert.deepEqual([replayed.status, replayed.body], [200, { retrying: true }]);
  await until('the replay arrives', () => hub.requests.filter((request) => JSON.parse(request.body).type === 'flag.raised').length === 2);
  const again = hub.requests.filter((request) => JSON.parse(request.body).type === 'flag.raised')[1];
  assert.equal(again.headers['webhook-id'], firstTry.headers['webhook-id']);
  verifyWebhook(newSecret, again.headers, again.body);
  await until('the log says it went twice', async () =>
    (await world.deadLetters()).body.webhookLog.find((row) => row.id === flagged.id).attempts === 2);
  // A mail is tried again only when dead: the site has none.
  const refused = await world.deadLetters(adminKey, { kind: 'mail', id: flagged.id });
  assert.deepEqual([refused.status, refused.body.error], [404, 'not_dead']);
  world.stop();
});

test('an admin sets an endpoint in the console: events reach it signed with the secret shown once, rotation signs with both, it outlives a restart, and removing it stops them', async () => {
  const hub = await receiver();
  const fileUrl = `http://127.0.0.1:${hub.port}/file`;
  const consoleUrl = `http://127.0.0.1:${hub.port}/console`;
  const world = await community({ endpoints: [{ url: fileUrl, secrets: [newSecret], events: ['flag.raised'] }],
    allowPrivateTargets: ['127.0.0.1'] });
  const listed = await world.endpoints();
  assert.equal(listed.status, 200);
  assert.equal(listed.body.editable, true);
  assert.equal(listed.body.eventTypes.length, 8);
  assert.deepEqual(listed.body.endpoints, [{ url: fileUrl, events: ['flag.raised'], source: 'file',
    secretHint: newSecret.slice(0, 10), secrets: 1 }]);
  // Admins only; and what may not be an endpoint is refused, naming the field.
  const moderator = signToken({ site: 'shop', secret, sub: 'mod-moe', name: 'Moe', role: 'moderator' });
  assert.deepEqual([(await world.endpoints(undefined, moderator)).status, (await world.endpoints(undefined, moderator)).body.error],
    [403, 'admins_only']);
  const refusals = [
    [{ action: 'add', url: 'https://10.0.0.5/hook' }, 400, 'invalid_webhook', 'url', /private/],
    [{ action: 'add', url: 'https://[::1]:8443/hook' }, 400, 'invalid_webhook', 'url', /loopback/],
    [{ action: 'add', url: 'https://localhost/hook' }, 400, 'invalid_webhook', 'url', /loopback/],
    [{ action: 'add', url: 'http://hooks.example/hook' }, 400, 'invalid_webhook', 'url', /https/],
    [{ action: 'add', url: 'https://hooks.example/hook', events: ['post.exploded'] }, 400, 'invalid_webhook', 'events', /event type/],
    [{ action: 'add', url: fileUrl }, 409, 'endpoint_exists', 'url', /already|has an endpoint/],
    [{ action: 'rotate', url: fileUrl }, 409, 'from_sites_file', 'url', /sites file/],
    [{ action: 'remove', url: 'https://hooks.example/none' }, 404, 'unknown_endpoint', 'url', /no endpoint/],
  ];
  for (const [change, status, error, field, message] of refusals) {
    const refused = await world.endpoints(change);
    assert.deepEqual([refused.status, refused.body.error, refused.body.field], [status, error, field], JSON.stringify(change));
    assert.match(refused.body.message, message);
  }
  // What is not a change at all: no JSON, no url, an action there is none of.
  for (const body of ['{"action": "add", "url": ', '{"action": "add"}', '{"action": "purge", "url": "https://hooks.example/x"}']) {
    const response = await fetch(`http://127.0.0.1:${world.port()}/api/sites/shop/webhooks`,
      { method: 'POST', headers: { Authorization: `Bearer ${adminKey}` }, body });
    assert.deepEqual([response.status, (await response.json()).error], [400, 'bad_request'], body);
  }
  assert.equal((await world.endpoints()).body.endpoints.length, 1, 'nothing refused was added');

  const added = await world.endpoints({ action: 'add', url: consoleUrl, events: ['post.created'] });
  assert.equal(added.status, 200);
  const firstSecret = added.body.secret;
  assert.match(firstSecret, /^whsec_[A-Za-z0-9+/]{43}=$/);
  assert.deepEqual(added.body.endpoint, { url: consoleUrl, events: ['post.created'], source: 'console',
    secretHint: firstSecret.slice(0, 10), secrets: 1 });
  assert.equal((await world.endpoints()).body.endpoints[1].url, consoleUrl);

  const alice = await world.member('alice');
  const staff = await world.member('staff-sam', 'staff');
  await staff.submit({ kind: 'create_thread', key: 'hooks', title: 'Hooks', threadKind: 'discussion' });
  const at = (path) => hub.requests.filter((request) => request.path === path);
  await alice.submit({ kind: 'post', threadKey: 'hooks', body: 'The first' });
  await until('the first post at the console endpoint', () => at('/console').length === 1);
  assert.equal(verifyWebhook(firstSecret, at('/console')[0].headers, at('/console')[0].body).type, 'post.created');
  assert.throws(() => verifyWebhook(newSecret, at('/console')[0].headers, at('/console')[0].body), /bad signature/);

  const rotated = await world.endpoints({ action: 'rotate', url: consoleUrl });
  assert.equal(rotated.status, 200);
  const secondSecret = rotated.body.secret;
  assert.notEqual(secondSecret, firstSecret);
  assert.equal(rotated.body.endpoint.secrets, 2);
  await alice.submit({ kind: 'post', threadKey: 'hooks', body: 'The second' });
  await until('the second post at the console endpoint', () => at('/console').length === 2);
  for (const key of [secondSecret, firstSecret]) verifyWebhook(key, at('/console')[1].headers, at('/console')[1].body);

  await world.restart();
  const after = (await world.endpoints()).body.endpoints;
  assert.deepEqual(after.map((endpoint) => [endpoint.url, endpoint.source, endpoint.secrets, endpoint.secretHint]),
    [[fileUrl, 'file', 1, newSecret.slice(0, 10)], [consoleUrl, 'console', 2, secondSecret.slice(0, 10)]]);
  const back = await world.member('alice-again');
  await back.submit({ kind: 'post', threadKey: 'hooks', body: 'After the restart' });
  await until('a post after the restart at the console endpoint', () => at('/console').length === 3);
  verifyWebhook(secondSecret, at('/console')[2].headers, at('/console')[2].body);

  const removed = await world.endpoints({ action: 'remove', url: consoleUrl });
  assert.deepEqual([removed.status, removed.body], [200, { removed: consoleUrl }]);
  const last = await back.submit({ kind: 'post', threadKey: 'hooks', body: 'After the removal' });
  const flagger = await world.member('staff-flo', 'staff');
  await flagger.submit({ kind: 'flag', postId: last.id, reason: 'off_topic' });
  await until('the flag at the file endpoint, after the post', () => at('/file').length === 1);
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(at('/console').length, 3, 'nothing reaches a removed endpoint');
  assert.deepEqual((await world.endpoints()).body.endpoints.map((endpoint) => endpoint.url), [fileUrl]);
  world.stop();
});

test('a console write that waits for the store\'s lock waits off the io thread: the server answers others meanwhile, then the write lands', async () => {
  const world = await community({ endpoints: [] });
  // Another process (an operator's sqlite3 shell, a backup) holds the store's write lock until told.
  const holder = spawn('/usr/bin/python3', ['-c', `
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute('BEGIN IMMEDIATE')
print('locked', flush=True)
sys.stdin.readline()
db.execute('ROLLBACK')
`, world.database], { stdio: ['pipe', 'pipe', 'inherit'] });
  cleanups.push(() => holder.kill('SIGKILL'));
  await new Promise((resolve, reject) => {
    holder.stdout.on('data', (chunk) => { if (String(chunk).includes('locked')) resolve(); });
    holder.on('exit', (code) => reject(new Error(`the lock holder exited with ${code}`)));
  });
  let added;
  const adding = world.endpoints({ action: 'add', url: 'https://hooks.example/late' }).then((answer) => { added = answer; });
  await new Promise((resolve) => setTimeout(resolve, 300));
  // Served by the io thread: before, it waited behind the write (until the store gave up, 5 s).
  const metrics = await fetch(`http://127.0.0.1:${world.port()}/metrics`, { headers: { Authorization: `Bearer ${metricsKey}` } });
  assert.equal(metrics.status, 200);
  assert.equal(added, undefined, 'the write still waits for the lock');
  holder.stdin.end('release\n');
  await adding;
  assert.equal(added.status, 200, JSON.stringify(added.body));
  assert.deepEqual((await world.endpoints()).body.endpoints.map((endpoint) => endpoint.url), ['https://hooks.example/late']);
  world.stop();
});

test('SSRF: an endpoint on loopback is refused unless the site names it, and nothing reaches it', async () => {
  const hub = await receiver();
  const world = await community({ endpoints: [
    { url: `http://127.0.0.1:${hub.port}/all`, secrets: [newSecret] },
    { url: `https://localhost:${hub.port}/all`, secrets: [newSecret] },
  ] });
  const alice = await world.member('alice');
  await alice.submit({ kind: 'create_thread', key: 'ssrf', title: 'SSRF', threadKind: 'discussion' });
  await alice.submit({ kind: 'post', threadKey: 'ssrf', body: 'Hello' });
  await until('both refused', async () => (await world.metric('kring_webhook_dead_total')) === 2);
  assert.equal(await world.metric('kring_webhook_delivered_total'), 0);
  assert.equal(await world.metric('kring_webhook_retried_total'), 0, 'a refused target is not tried again');
  assert.equal(hub.requests.length, 0);
  world.stop();
});

test('a redirect is not followed, a 100 MB answer is cut, a timeout and a receiver that is down are retried, then dead; the console lists the dead and retries one', async () => {
  const hub = await receiver();
  const down = await receiver();
  const downPort = down.port;
  await new Promise((resolve) => down.server.close(resolve));
  const world = await community({
    endpoints: [
      { url: `http://127.0.0.1:${hub.port}/redirect`, secrets: [newSecret] },
      { url: `http://127.0.0.1:${hub.port}/huge`, secrets: [newSecret] },
      { url: `http://127.0.0.1:${hub.port}/slow`, secrets: [newSecret] },
      { url: `http://127.0.0.1:${downPort}/down`, secrets: [newSecret] },
    ],
    allowPrivateTargets: ['127.0.0.1'],
  }, ['--outbox-give-up-after-ms', '2500', '--webhook-timeout-ms', '400']);
  const alice = await world.member('alice');
  await alice.submit({ kind: 'create_thread', key: 'faults', title: 'Faults', threadKind: 'discussion' });
  await alice.submit({ kind: 'post', threadKey: 'faults', body: 'Hello' });
  await until('the 100 MB answer counts as delivered', async () => (await world.metric('kring_webhook_delivered_total')) === 1);
  await until('the other three dead', async () => (await world.metric('kring_webhook_dead_total')) === 3, 20_000);
  assert.ok((await world.metric('kring_webhook_retried_total')) >= 3, 'each was tried more than once');
  assert.equal(hub.requests.filter((request) => request.path === '/elsewhere').length, 0, 'no redirect was followed');
  assert.equal(hub.requests.filter((request) => request.path === '/huge').length, 1);
  assert.ok(hub.requests.filter((request) => request.path === '/redirect').length >= 2);
  // The same event on every try: one webhook-id.
  const ids = new Set(hub.requests.filter((request) => request.path === '/slow').map((request) => request.headers['webhook-id']));
  assert.equal(ids.size, 1);

  // The dead letters: the site's admins see each one and why; the receiver that was down is back,
  // and a retry from the console delivers its event, with the same webhook-id as before.
  const dead = await world.deadLetters();
  assert.equal(dead.status, 200);
  assert.deepEqual(dead.body.webhooks.map((row) => new URL(row.url).pathname).sort(), ['/down', '/redirect', '/slow']);
  assert.ok(dead.body.webhooks.every((row) => row.outcome.startsWith('gave up: ') && row.attempts >= 2));
  assert.deepEqual(dead.body.mails, []);
  const moderator = signToken({ site: 'shop', secret, sub: 'mod', name: 'Mod', role: 'moderator' });
  assert.equal((await world.deadLetters(moderator)).status, 403, 'the admins\' alone');
  const back = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => { body += chunk; });
    request.on('end', () => { down.requests.push({ path: request.url, headers: request.headers, body }); response.writeHead(204).end(); });
  });
  await new Promise((resolve) => back.listen(downPort, '127.0.0.1', resolve));
  cleanups.push(() => back.close());
  const row = dead.body.webhooks.find((entry) => entry.url.endsWith('/down'));
  assert.equal((await world.deadLetters(adminKey, { kind: 'webhook', id: row.id })).status, 200);
  await until('the retried event delivered', async () => (await world.metric('kring_webhook_delivered_total')) === 2);
  assert.equal(down.requests.length, 1);
  assert.ok(verifyWebhook(newSecret, down.requests[0].headers, down.requests[0].body), 'signed as ever');
  const after = await world.deadLetters();
  assert.deepEqual(after.body.webhooks.map((entry) => new URL(entry.url).pathname).sort(), ['/redirect', '/slow']);
  // Delivered now, it is no longer dead, but the delivery log may send it again: a replay, with the
  // same webhook-id. Nothing of another kind is tried on its id.
  assert.equal(after.body.webhookLog.find((entry) => entry.id === row.id).state, 'sent');
  assert.equal((await world.deadLetters(adminKey, { kind: 'webhook', id: row.id })).status, 200);
  await until('the replay delivered', async () => (await world.metric('kring_webhook_delivered_total')) === 3);
  assert.equal(down.requests.length, 2);
  assert.equal(down.requests[1].headers['webhook-id'], down.requests[0].headers['webhook-id']);
  assert.equal((await world.deadLetters(adminKey, { kind: 'mail', id: row.id })).status, 404);
  world.stop();
});
