// Mails and webhooks with several servers over one PostgreSQL database (docs/notifications.md,
// docs/webhooks.md): every server derives each op's outbox and webhook rows into the database, a row
// written twice is one row, and only the server holding the site's checkpoint lock delivers them; so
// each mail and each event goes out once whichever server took the op. When that server is killed
// between commit and delivery another takes the lock and delivers what was left, a second copy only
// with the Message-ID it had. A one-click unsubscribe sent to one server holds for the mails the other
// delivers; a member's export shows their address, and an erasure takes it and their mails out of the
// database. The same SMTP sink (tests/support/smtp_sink.py) and Standard Webhooks verifier
// (docs/examples/verify-webhook.mjs) as the SQLite tests; the rows are read with psql.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCore, signToken, SyncNodeClient } from '../support/sync_node_client.mjs';
import { spawnKringServer } from '../support/kring_server.mjs';
import { until } from '../support/until.mjs';
import { startSink as startSmtpSink, sunkMails as mails } from '../support/smtp_sink.mjs';
import { freshPostgres } from '../support/test_postgres.mjs';
import { verifyWebhook } from '../../docs/examples/verify-webhook.mjs';

const secret = 'notifications-pg-secret-0123456789-abcd';
const adminKey = 'notifications-pg-admin-0123456789-abcd';
const metricsKey = 'notifications-pg-metrics-key-0123456789';
const hookSecret = `whsec_${Buffer.alloc(32, 5).toString('base64')}`;
const settings = { privilegeVoteUp: 0, privilegeComment: 0, ratePostsTrust0: 1000000, ratePostsTrust1: 1000000, spamHoldScore: 1000000,
  newMemberUntilTrustLevel: 0, threadCreateMinTrustLevel: 0, staffDigestHourUtc: -1 };
let core;
let databases = 0;
const cleanups = [];

before(async () => { core = await loadCore(process.env.KRING_WASM); });
after(() => { for (const cleanup of cleanups.reverse()) cleanup(); });

const startSink = (out, options = {}) => startSmtpSink(out, { ...options, cleanups });
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// A webhook receiver on loopback that keeps every request, raw, and answers 204.
async function receiver() {
  const requests = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => { body += chunk; });
    request.on('end', () => {
      requests.push({ path: request.url, headers: request.headers, body });
      response.writeHead(204).end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => { server.closeAllConnections?.(); server.close(); });
  return { port: server.address().port, requests };
}

// The application_name of the connection holding the site's checkpoint lock, once one holds it.
// Of this test's database alone: the test run's other databases have servers of their own.
const holderQuery = "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid " +
  "WHERE l.locktype = 'advisory' AND l.granted AND a.application_name LIKE '%checkpoints' " +
  'AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())';

// A site that mails through the sink and calls one webhook endpoint on the receiver, served by two
// servers, A and B, over a fresh database (or A alone). A starts first, so it takes the site's
// checkpoint lock (pg_sequencer.cpp asks for it before taking ops) and delivers while it lives; the
// test checks that.
async function community({ servers = 2 } = {}) {
  const directory = mkdtempSync(join(tmpdir(), 'kring-notify-pg-test-'));
  cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
  const out = join(directory, 'mails.jsonl');
  const sink = await startSink(out);
  const hub = await receiver();
  const database = freshPostgres(`kring_notify_${process.pid}_${++databases}`);
  const site = { id: 'shop', allowedOrigins: ['*'], tokenSecret: secret, adminKey, policy: { settings },
    threadPages: 'https://shop.example/p/{thread}',
    // The unsubscribe link's origin is rewritten to a server's port by the test (known once it listens).
    email: { smtpUrl: `smtp://127.0.0.1:${sink.port}`, requireTls: false, from: 'community@shop.example',
      fromName: 'Shop community', publicUrl: 'http://127.0.0.1' },
    webhooks: { endpoints: [{ url: `http://127.0.0.1:${hub.port}/hook`, secrets: [hookSecret] }],
      allowPrivateTargets: ['127.0.0.1'] } };
  writeFileSync(join(directory, 'sites.json'), JSON.stringify({ sites: [site] }));
  writeFileSync(join(directory, 'metrics-key'), metricsKey);
  const args = ['--port', '0', '--db', database.url, '--sites', join(directory, 'sites.json'),
    '--metrics-key-file', join(directory, 'metrics-key'), '--outbox-first-retry-ms', '200'];
  const start = async (name) => {
    // Its log piped: a server that refuses to start says why in the test's failure.
    const server = await spawnKringServer(process.env.KRING_SERVER, args, 'pipe');
    cleanups.push(() => server.child.kill('SIGKILL'));
    server.name = name;
    return server;
  };
  const world = { directory, out, sink, hub, database, clients: [], servers: [] };
  // The server holding the checkpoint lock, from psql (its pid is in its connection's name), or null.
  world.holder = () => {
    const names = database.lines(holderQuery);
    if (names.length !== 1) return null;
    const pid = Number(/^kring-server (\d+) checkpoints$/.exec(names[0])?.[1]);
    return world.servers.find((server) => server.child.pid === pid && server.child.exitCode === null) ?? null;
  };
  // Both servers' connections are in the database, by the names they give them (opened_store.cpp).
  const connected = (server) => database.count("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() " +
    `AND application_name = 'kring-server ${server.child.pid} sequencer'`);
  world.A = await start('A');
  world.servers.push(world.A);
  await until('A is connected to the database', () => connected(world.A) >= 1);
  await until('A holds the site\'s checkpoint lock', () => world.holder() === world.A);
  world.start = start;
  if (servers === 2) {
    world.B = await start('B');
    world.servers.push(world.B);
    await until('B is connected to the database', () => connected(world.B) >= 1);
  }
  world.mails = () => mails(out);
  world.member = async (server, sub, { role = 'member', email = `${sub}@example.com`, locale } = {}) => {
    const claims = email ? { email, email_verified: true } : {};
    if (locale) claims.locale = locale;
    const token = signToken({ site: 'shop', secret, sub, name: `Name ${sub}`, role, claims });
    const client = new SyncNodeClient(core, { port: server.port, site: 'shop', token,
      clientId: `npg-${sub}-${server.name}-${world.clients.length}` });
    client.welcome = await client.connect();
    world.clients.push(client);
    return client;
  };
  world.metric = async (server, name) => {
    const text = await (await fetch(`http://127.0.0.1:${server.port}/metrics`,
      { headers: { Authorization: `Bearer ${metricsKey}` } })).text();
    const match = new RegExp(`^${name} (\\d+)$`, 'm').exec(text);
    if (!match) throw new Error(`no ${name} in /metrics`);
    return Number(match[1]);
  };
  world.exportText = async (server, memberId) => (await fetch(
    `http://127.0.0.1:${server.port}/api/sites/shop/members/${encodeURIComponent(memberId)}/export`,
    { headers: { Authorization: `Bearer ${adminKey}` } })).text();
  world.exportOf = async (server, memberId) => JSON.parse(await world.exportText(server, memberId));
  world.stop = async () => {
    for (const client of world.clients) client.close();
    for (const server of world.servers) if (server.child.exitCode === null) server.child.kill('SIGTERM');
    await world.sink.stop();
  };
  return world;
}

// Resolves once `client`'s server serves `postId` in `threadKey`: ops taken by the other server reach
// this one through the database, and an op that names a post its server does not hold yet is refused.
async function served(client, threadKey, postId) {
  await client.subscribe(threadKey);
  await until(`the post ${postId} is served by ${client.clientId}'s server`,
    () => JSON.stringify(client.engine.threadView(threadKey) ?? {}).includes(postId));
}

// Another session holding `table` in `mode`: EXCLUSIVE lets it be read and makes every write to it
// wait; ACCESS EXCLUSIVE makes reads wait too.
async function lockTable(url, table, mode = 'EXCLUSIVE') {
  const psql = spawn('psql', [url, '-Atq'], { stdio: ['pipe', 'pipe', 'inherit'] });
  cleanups.push(() => psql.kill('SIGKILL'));
  await new Promise((resolve, reject) => {
    let seen = '';
    psql.stdout.on('data', (chunk) => {
      seen += chunk;
      if (seen.includes('locked')) resolve();
    });
    psql.on('exit', (code) => reject(new Error(`psql exited with ${code}`)));
    psql.stdin.write(`BEGIN; LOCK TABLE ${table} IN ${mode} MODE; SELECT 'locked';\n`);
  });
  return () => new Promise((resolve) => {
    psql.removeAllListeners('exit');
    psql.on('exit', resolve);
    psql.stdin.end('ROLLBACK;\n');
  });
}

const to = (mail) => mail.rcptTos.join(',');
const kindOf = (mail) => mail.headers['x-kring-notification'];
const summary = (list) => list.map((mail) => `${to(mail)} ${kindOf(mail)}`).sort();
const unsubscribeLink = (mail, server) => {
  const link = new URL(/^<(.*)>$/.exec(mail.headers['list-unsubscribe'])[1]);
  return `http://127.0.0.1:${server.port}${link.pathname}${link.search}`;
};

test('two servers over one database: each mail and each webhook event goes out once, whichever server took the op, and every row is stored once and sent', async () => {
  const world = await community();
  assert.equal(world.holder(), world.A, 'A delivers');
  const staff = await world.member(world.A, 'staff-sam', { role: 'staff', email: 'sam@shop.example' });
  const aliceOnA = await world.member(world.A, 'alice');
  const bob = await world.member(world.B, 'bob');
  const aliceOnB = await world.member(world.B, 'alice');
  await staff.submit({ kind: 'create_thread', key: 'boot', title: 'Trail boot', threadKind: 'question' });
  const question = await aliceOnA.submit({ kind: 'post', threadKey: 'boot', body: 'Is the sole replaceable?' });
  await until('the thread starter is told of the question', () => world.mails().length === 1);
  await served(bob, 'boot', question.id);
  const answer = await bob.submit({ kind: 'post', threadKey: 'boot', parentId: question.id, body: 'Yes, any cobbler can resole it.' });
  await until('two mails for the answer', () => world.mails().length === 3);
  await aliceOnB.submit({ kind: 'accept', answerId: answer.id });
  await until('the answer\'s author is told', () => world.mails().length === 4);
  const types = () => world.hub.requests.map((request) => JSON.parse(request.body).type).sort();
  await until('three events at the endpoint', () => world.hub.requests.length === 3);
  await pause(1500);  // and nothing more comes, from either server

  // What the same flow mails on SQLite (notifications.test.mjs), each mail once.
  const all = world.mails();
  assert.deepEqual(summary(all), ['alice@example.com answer', 'bob@example.com answer_accepted',
    'sam@shop.example followed_thread', 'sam@shop.example followed_thread']);
  assert.equal(new Set(all.map((mail) => mail.headers['message-id'])).size, all.length, 'each mail its own Message-ID');
  const toAlice = all.find((mail) => kindOf(mail) === 'answer');
  assert.equal(toAlice.headers.subject, 'New answer to your question: Trail boot');
  assert.ok(toAlice.text.includes('Yes, any cobbler can resole it.'));
  assert.ok(toAlice.text.includes(`https://shop.example/p/boot#kring-post-${answer.id}`));
  assert.match(toAlice.headers['list-unsubscribe'], /^<http:\/\/127\.0\.0\.1\/unsubscribe\?site=shop&member=[^&]+&kind=answer&sig=[^>]+>$/);
  assert.equal(new Set(all.map((mail) => mail.headers['in-reply-to'])).size, 1, 'one thread of mails');

  // Each event once, each signed, each with its own webhook-id.
  assert.deepEqual(types(), ['answer.accepted', 'post.created', 'post.created']);
  for (const request of world.hub.requests) {
    assert.equal(request.path, '/hook');
    assert.match(request.headers['webhook-id'], /^msg_[0-9a-f]{32}$/);
    assert.ok(verifyWebhook(hookSecret, request.headers, request.body).data);
  }
  assert.equal(new Set(world.hub.requests.map((request) => request.headers['webhook-id'])).size, 3);
  const accepted = world.hub.requests.map((request) => JSON.parse(request.body)).find((event) => event.type === 'answer.accepted');
  assert.equal(accepted.data.postId, answer.id);

  // In the database: each server applied every op and wrote its rows, yet each is one row, sent (state 1).
  const { lines } = world.database;
  await until('every outbox row is marked sent', () =>
    lines("SELECT state FROM outbox WHERE site = 'shop'").every((state) => state === '1'));
  assert.deepEqual(lines("SELECT recipient || ' ' || state FROM outbox WHERE site = 'shop' ORDER BY 1"),
    ['alice 1', 'bob 1', 'staff-sam 1', 'staff-sam 1']);
  await until('every webhook row is marked sent', () =>
    lines("SELECT state FROM webhook_deliveries WHERE site = 'shop'").every((state) => state === '1'));
  assert.deepEqual(lines("SELECT type || ' ' || state FROM webhook_deliveries WHERE site = 'shop' ORDER BY 1"),
    ['answer.accepted 1', 'post.created 1', 'post.created 1']);
  assert.deepEqual(lines("SELECT member || ' ' || email FROM member_contacts WHERE site = 'shop' ORDER BY 1"),
    ['alice alice@example.com', 'bob bob@example.com', 'staff-sam sam@shop.example']);
  await world.stop();
});

test('kill -9 of the delivering server between commit and delivery loses no mail: the other takes over and sends each, a second copy with the same Message-ID', async () => {
  const world = await community();
  // The holder, as the database says, and the other server.
  const holder = await until('the site\'s checkpoint lock is held', () => world.holder());
  const other = world.servers.find((server) => server !== holder);
  assert.ok(holder && other && holder !== other, 'the holder is one of the two servers');
  const alice = await world.member(other, 'alice');
  const bobOnOther = await world.member(other, 'bob', { email: '' });
  const bobOnHolder = await world.member(holder, 'bob', { email: '' });
  await alice.submit({ kind: 'create_thread', key: 'crash', title: 'Crash', threadKind: 'discussion' });
  const root = await alice.submit({ kind: 'post', threadKey: 'crash', body: 'Start' });
  await served(bobOnHolder, 'crash', root.id);

  await world.sink.stop();  // the relay is away: the mails wait in the outbox
  const rounds = 6;
  for (let round = 0; round < rounds; round += 1) {
    const bob = round % 2 === 0 ? bobOnOther : bobOnHolder;
    const reply = await bob.submit({ kind: 'post', threadKey: 'crash', parentId: root.id, body: `ROUND-${round}` });
    assert.equal(reply.message.type, 'events', 'acknowledged: the op is stored');
  }
  const { count } = world.database;
  await until('each reply\'s mail to alice is stored, waiting', () =>
    count("SELECT count(*) FROM outbox WHERE site = 'shop' AND recipient = 'alice' AND state = 0") === rounds);
  // The holder tried and the relay was away; the other server tried nothing: it does not deliver.
  await until('a retry while the relay is down', async () => (await world.metric(holder, 'kring_mail_retried_total')) > 0);
  assert.equal(await world.metric(other, 'kring_mail_retried_total'), 0, 'only the holder delivers');
  assert.equal(count("SELECT count(*) FROM outbox WHERE site = 'shop' AND recipient = 'alice'"), rounds, 'one row each');
  assert.equal(world.mails().length, 0);

  holder.child.kill('SIGKILL');
  await new Promise((resolve) => (holder.child.exitCode !== null ? resolve() : holder.child.once('exit', resolve)));
  world.sink = await startSink(world.out, { port: world.sink.port });
  await until('the other server takes the lock', () => world.holder() === other, 20_000);
  // What waited for alice goes together (a burst, burstMail): a mail may carry several rounds.
  const roundsIn = (mail) => [...mail.text.matchAll(/ROUND-(\d+)/g)].map((match) => match[1]);
  await until('every round mailed', () => new Set(world.mails().flatMap(roundsIn)).size === rounds, 30_000);
  await until('every row of alice\'s marked sent', () =>
    count("SELECT count(*) FROM outbox WHERE site = 'shop' AND recipient = 'alice' AND state = 1") === rounds, 20_000);
  await pause(1500);  // and nothing more comes

  const all = world.mails();
  assert.ok(all.every((mail) => to(mail) === 'alice@example.com' && kindOf(mail) === 'reply'), summary(all).join(', '));
  // A second copy of a mail (sent by the holder before it died, sent again by the other) has the
  // Message-ID and the rounds of the first; each round is in the mails of one Message-ID only.
  const roundsById = new Map();
  const idOfRound = new Map();
  for (const mail of all) {
    const id = mail.headers['message-id'];
    const carried = roundsIn(mail).sort().join(',');
    if (roundsById.has(id)) assert.equal(carried, roundsById.get(id), `a second copy of ${id} carries the same rounds`);
    roundsById.set(id, carried);
    for (const round of roundsIn(mail)) {
      assert.ok(!idOfRound.has(round) || idOfRound.get(round) === id, `round ${round} went under one Message-ID`);
      idOfRound.set(round, id);
    }
  }
  assert.equal(idOfRound.size, rounds, 'every round was mailed');
  // The webhook events too: the ones the holder sent before it died, the rest after; a second copy
  // of an event only with the same webhook-id.
  await until('each reply\'s event', () => new Set(world.hub.requests.map((request) => JSON.parse(request.body).data.postId)).size >= rounds + 1);
  const idsByEvent = new Map();
  for (const request of world.hub.requests) {
    const event = verifyWebhook(hookSecret, request.headers, request.body);
    const key = `${event.type} ${event.data.postId}`;
    idsByEvent.set(key, new Set([...(idsByEvent.get(key) ?? []), request.headers['webhook-id']]));
  }
  for (const [key, ids] of idsByEvent) assert.equal(ids.size, 1, `${key}: one webhook-id`);
  await world.stop();
});

test('the preferences link is in the Welcome of either server, and a one-click unsubscribe sent to one server stops the mail the other delivers', async () => {
  const world = await community();
  assert.equal(world.holder(), world.A, 'A delivers; the unsubscribe goes to B');
  const staff = await world.member(world.B, 'staff-sam', { role: 'staff', email: 'sam@shop.example' });
  const alice = await world.member(world.B, 'alice');
  const bob = await world.member(world.A, 'bob');
  // Her mail-settings page, signed for her, on the site's publicUrl.
  assert.ok(alice.welcome.preferencesUrl, 'B\'s Welcome carries her preferences page');
  const link = new URL(alice.welcome.preferencesUrl);
  assert.equal(link.protocol + link.hostname, 'http:127.0.0.1');
  assert.equal(Buffer.from(link.searchParams.get('member'), 'base64url').toString(), 'alice');
  assert.equal(link.searchParams.get('kind'), 'all');
  assert.ok(bob.welcome.preferencesUrl, 'and A\'s Welcome carries bob\'s');
  const page = await fetch(`http://127.0.0.1:${world.B.port}${link.pathname}${link.search}`);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /name="answer" value="instant" checked/);

  await staff.submit({ kind: 'create_thread', key: 'tent', title: 'Tent', threadKind: 'question' });
  const question = await alice.submit({ kind: 'post', threadKey: 'tent', body: 'Does it fit two?' });
  await served(bob, 'tent', question.id);
  await bob.submit({ kind: 'post', threadKey: 'tent', parentId: question.id, body: 'FIRST-ANSWER: two, snugly.' });
  const first = await until('alice\'s first answer mail', () =>
    world.mails().find((mail) => to(mail) === 'alice@example.com' && mail.text.includes('FIRST-ANSWER')));
  assert.equal(kindOf(first), 'answer');
  await until('the starter\'s mail of the first answer', () =>
    world.mails().some((mail) => to(mail) === 'sam@shop.example' && mail.text.includes('FIRST-ANSWER')));

  const done = await fetch(unsubscribeLink(first, world.B), { method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
  assert.equal(done.status, 200);
  assert.match(await done.text(), /unsubscribed/);
  // Stored in the database: the other server's export of her says so.
  assert.deepEqual((await world.exportOf(world.A, 'alice')).contact,
    { email: 'alice@example.com', language: 'en', undeliverable: false, unsubscribedFrom: ['answer'], dailyFor: [] });

  const sentBefore = world.mails().length;
  await bob.submit({ kind: 'post', threadKey: 'tent', parentId: question.id, body: 'SECOND-ANSWER: three if friendly.' });
  // The thread's starter is still told, so A delivered the op's mails; alice's answer mail is not sent.
  await until('the starter\'s mail of the second answer', () =>
    world.mails().slice(sentBefore).some((mail) => to(mail) === 'sam@shop.example' && mail.text.includes('SECOND-ANSWER')));
  await pause(1000);
  assert.deepEqual(summary(world.mails().slice(sentBefore)), ['sam@shop.example followed_thread']);
  assert.equal(world.holder(), world.A, 'A delivered it');
  await world.stop();
});

test('a member\'s export shows their address from either server; an erasure through one takes their address and their mails out of the database', async () => {
  const world = await community();
  const staff = await world.member(world.A, 'staff-sam', { role: 'staff', email: 'sam@shop.example' });
  const alice = await world.member(world.A, 'alice');
  const bob = await world.member(world.B, 'bob');
  const admin = await world.member(world.B, 'admin-ada', { role: 'admin', email: '' });
  await staff.submit({ kind: 'create_thread', key: 'lamp', title: 'Lamp', threadKind: 'question' });
  const question = await alice.submit({ kind: 'post', threadKey: 'lamp', body: 'Why does mine flicker?' });
  await served(bob, 'lamp', question.id);
  await bob.submit({ kind: 'post', threadKey: 'lamp', parentId: question.id, body: 'FIRST-ANSWER: the contacts.' });
  await until('alice\'s answer mail', () => world.mails().some((mail) => to(mail) === 'alice@example.com'));
  for (const server of world.servers) {
    assert.deepEqual((await world.exportOf(server, 'alice')).contact,
      { email: 'alice@example.com', language: 'en', undeliverable: false, unsubscribedFrom: [], dailyFor: [] }, server.name);
  }

  // One of her mails waits when she is erased: the relay is away.
  const { count } = world.database;
  const hers = (table, column) => count(`SELECT count(*) FROM ${table} WHERE site = 'shop' AND ${column} = 'alice'`);
  await world.sink.stop();
  const second = await bob.submit({ kind: 'post', threadKey: 'lamp', parentId: question.id, body: 'SECOND-ANSWER: or the bulb.' });
  await served(staff, 'lamp', second.id);  // both servers applied it, so both wrote its rows
  await until('her second mail waits', () =>
    count("SELECT count(*) FROM outbox WHERE site = 'shop' AND recipient = 'alice' AND state = 0") === 1);
  assert.equal(hers('member_contacts', 'member'), 1, 'her address is stored');
  assert.ok(hers('outbox', 'recipient') >= 2, 'her mails, sent and waiting, are stored');

  await admin.submit({ kind: 'moderate', action: 'erase', target: 'alice', reason: 'asked to be forgotten' });
  await until('her address and her mails leave the database', () =>
    hers('member_contacts', 'member') === 0 && hers('outbox', 'recipient') === 0, 20_000);
  assert.equal(count("SELECT count(*) FROM member_contacts WHERE site = 'shop' AND member = 'bob'"), 1, 'bob\'s address stays');

  // The relay is back: what is posted now reaches the starter; nothing reaches her.
  world.sink = await startSink(world.out, { port: world.sink.port });
  await bob.submit({ kind: 'post', threadKey: 'lamp', body: 'AFTER-ERASURE: a new question of mine' });
  await until('the starter\'s mail of the post after the erasure', () =>
    world.mails().some((mail) => to(mail) === 'sam@shop.example' && mail.text.includes('AFTER-ERASURE')), 20_000);
  await pause(1500);
  assert.ok(!world.mails().some((mail) => to(mail) === 'alice@example.com' && mail.raw.includes('SECOND-ANSWER')),
    'the erased member\'s waiting mail was not sent');
  assert.equal(hers('outbox', 'recipient'), 0, 'and no row of hers came back');
  for (const server of world.servers) {
    assert.ok(!(await world.exportText(server, 'alice')).includes('alice@example.com'), `${server.name}: her address is gone`);
  }
  await world.stop();
});

test('a lone server killed between an op\'s commit and its outbox rows\' makes them again when it restarts: the mail and the webhooks still go', async () => {
  const world = await community({ servers: 1 });
  const { count } = world.database;
  // An endpoint set in the console too: the restart reads it before it makes the replayed ops' rows.
  const consoleUrl = `http://127.0.0.1:${world.hub.port}/console`;
  const added = await fetch(`http://127.0.0.1:${world.A.port}/api/sites/shop/webhooks`, { method: 'POST',
    headers: { Authorization: `Bearer ${adminKey}` }, body: JSON.stringify({ action: 'add', url: consoleUrl, events: ['post.created'] }) });
  assert.equal(added.status, 200, 'the console endpoint is added');
  const alice = await world.member(world.A, 'alice');
  const bob = await world.member(world.A, 'bob', { email: '' });
  await alice.submit({ kind: 'create_thread', key: 'held', title: 'Held rows', threadKind: 'discussion' });
  const root = await alice.submit({ kind: 'post', threadKey: 'held', body: 'Start' });
  await until('alice\'s address is stored', () =>
    count("SELECT count(*) FROM member_contacts WHERE site = 'shop' AND member = 'alice'") === 1);

  // The server's outbox writes wait behind another session; its ops do not (they go to the log).
  const release = await lockTable(world.database.url, 'outbox');
  const reply = await bob.submit({ kind: 'post', threadKey: 'held', parentId: root.id, body: 'WHILE-HELD' });
  assert.equal(reply.message.type, 'events', 'acknowledged: the op is stored');
  await pause(1000);
  assert.equal(count("SELECT count(*) FROM outbox WHERE site = 'shop' AND recipient = 'alice'"), 0,
    'the reply\'s row is not written yet');
  world.A.child.kill('SIGKILL');
  await new Promise((resolve) => (world.A.child.exitCode !== null ? resolve() : world.A.child.once('exit', resolve)));
  await release();

  // The restart replays the ops after its checkpoint (there is none: every op), and makes their rows.
  world.A = await world.start('A');
  world.servers.push(world.A);
  const mail = await until('the reply\'s mail', () => world.mails().find((sent) => sent.text.includes('WHILE-HELD')), 20_000);
  assert.equal(to(mail), 'alice@example.com');
  assert.equal(kindOf(mail), 'reply');
  assert.equal(count("SELECT count(*) FROM outbox WHERE site = 'shop' AND recipient = 'alice'"), 1, 'one row');
  // The reply's post.created, to the sites file's endpoint and to the console's.
  const reached = (path) => world.hub.requests.some((request) => request.path === path &&
    JSON.parse(request.body).data.postId === reply.id);
  await until('the reply\'s event at both endpoints', () => reached('/hook') && reached('/console'), 20_000);
  await world.stop();
});

test('member ids with quotes and backslashes are written to the outbox as they are (the rows go as arrays)', async () => {
  const world = await community({ servers: 1 });
  const odd = 'o"brien \\ "x"';
  const asker = await world.member(world.A, odd, { email: 'obrien@example.com' });
  const bob = await world.member(world.A, 'bob', { email: '' });
  await asker.submit({ kind: 'create_thread', key: 'odd', title: 'Odd ids', threadKind: 'discussion' });
  const root = await asker.submit({ kind: 'post', threadKey: 'odd', body: 'Start' });
  await bob.submit({ kind: 'post', threadKey: 'odd', parentId: root.id, body: 'ODD-REPLY' });
  const mail = await until('the reply\'s mail', () => world.mails().find((sent) => sent.text.includes('ODD-REPLY')), 20_000);
  assert.equal(to(mail), 'obrien@example.com');
  assert.deepEqual(world.database.lines("SELECT recipient FROM outbox WHERE site = 'shop'"), [odd]);
  assert.deepEqual(world.database.lines("SELECT member FROM member_contacts WHERE site = 'shop'"), [odd]);
  await world.stop();
});

test('a member\'s preferences page waits for the database off the io thread: every other op goes on meanwhile', async () => {
  const world = await community({ servers: 1 });
  const alice = await world.member(world.A, 'alice');
  const bob = await world.member(world.A, 'bob', { email: '' });
  await alice.submit({ kind: 'create_thread', key: 'slow', title: 'Slow store', threadKind: 'discussion' });
  await until('alice\'s address is stored', () =>
    world.database.count("SELECT count(*) FROM member_contacts WHERE site = 'shop' AND member = 'alice'") === 1);
  const link = new URL(alice.welcome.preferencesUrl);
  const url = `http://127.0.0.1:${world.A.port}${link.pathname}${link.search}`;

  // Her contact cannot be read until the other session lets go (well within the server's 5 s lock timeout).
  const release = await lockTable(world.database.url, 'member_contacts', 'ACCESS EXCLUSIVE');
  let settled = false;
  const page = fetch(url).then(async (response) => { settled = true; return { status: response.status, body: await response.text() }; });
  await pause(300);  // the page's read is under way, waiting for the lock
  const started = Date.now();
  await bob.submit({ kind: 'post', threadKey: 'slow', body: 'Still answered at once' });
  const took = Date.now() - started;
  assert.equal(settled, false, 'the page still waits for the store');
  assert.ok(took < 1000, `bob's op was acknowledged while the page waited (${took} ms)`);
  await release();
  const answered = await page;
  assert.equal(answered.status, 200);
  assert.match(answered.body, /name="reply" value="instant" checked/, 'her form, with her choices');
  await world.stop();
});
