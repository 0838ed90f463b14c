// Kring's archive end to end (docs/archive.md): a site written through the real server is exported
// from its SQLite store, imported into an empty one, and exported again byte for byte the same; a
// server on the new store serves the same threads and takes new posts after them. Importing twice,
// or a damaged archive, writes nothing and says why.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCore, serverMembers } from '../support/sync_node_client.mjs';
import { spawnKringServer } from '../support/kring_server.mjs';
import { until } from '../support/until.mjs';

const secret = 'archive-test-secret-0123456789-abcdefgh';
const settings = { privilegeVoteUp: 0, privilegeComment: 0, newMemberUntilTrustLevel: 0, threadCreateMinTrustLevel: 0 };
let core;
const cleanups = [];
before(async () => { core = await loadCore(process.env.KRING_WASM); });
after(() => { for (const cleanup of cleanups.reverse()) cleanup(); });

const directory = mkdtempSync(join(tmpdir(), 'kring-archive-test-'));
cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
writeFileSync(join(directory, 'sites.json'), JSON.stringify({ sites: [{ id: 'shop', allowedOrigins: ['*'],
  tokenSecret: secret, adminKey: 'archive-admin-key-0123456789-abcdef', policy: { settings } }] }));
const kring = (...args) => spawnSync(process.env.KRING_SERVER, args, { encoding: 'utf8' });

async function serve(store, { sites = join(directory, 'sites.json'), args = [] } = {}) {
  const server = await spawnKringServer(process.env.KRING_SERVER, ['--port', '0', '--db', `sqlite:${store}`,
    '--sites', sites, ...args]);
  cleanups.push(() => server.child.kill('SIGKILL'));
  const members = serverMembers(core, server, { site: 'shop', secret });
  return { member: (sub, role = 'member') => members.member(sub, { role }), stop: members.stop };
}

test('export, import into an empty store, export again: the same bytes, and the site goes on from where it was', async () => {
  const first = join(directory, 'first.db');
  const site = await serve(first);
  const staff = await site.member('staff-sam', 'staff');
  const alice = await site.member('alice');
  const bob = await site.member('bob');
  await staff.submit({ kind: 'create_thread', key: 'boot', title: 'Trail boot', threadKind: 'question' });
  await staff.subscribe('boot');
  const question = await alice.submit({ kind: 'post', threadKey: 'boot', body: 'Is the sole **replaceable**? ü 😀' });
  const answer = await staff.submit({ kind: 'post', threadKey: 'boot', parentId: question.id, body: 'Yes, by any cobbler.' });
  await bob.submit({ kind: 'vote', postId: answer.id, direction: 'up' });
  await alice.submit({ kind: 'accept', answerId: answer.id });
  await bob.submit({ kind: 'edit', postId: (await bob.submit({ kind: 'post', threadKey: 'boot', parentId: question.id,
    body: 'Mine was resoled.' })).id, body: 'Mine was resoled twice.' });
  await site.stop();

  const archive = join(directory, 'shop.jsonl');
  const exported = kring('export', '--db', `sqlite:${first}`, '--site', 'shop', '--to', archive);
  assert.equal(exported.status, 0, exported.stderr);
  const summary = JSON.parse(exported.stdout);
  assert.equal(summary.event, 'export_done');
  assert.deepEqual([summary.threads, summary.posts], [1, 3]);
  const lines = readFileSync(archive, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
  assert.equal(lines[0].kring, 'site-archive');
  assert.ok(lines.some((line) => line.post?.body === 'Is the sole **replaceable**? ü 😀'), 'the words, as written');

  const second = join(directory, 'second.db');
  const dry = kring('import', '--format', 'kring', archive, '--dry-run');
  assert.equal(dry.status, 0, dry.stderr);
  assert.equal(JSON.parse(dry.stdout).posts, 3);
  const imported = kring('import', '--format', 'kring', archive, '--db', `sqlite:${second}`);
  assert.equal(imported.status, 0, imported.stderr);
  assert.equal(JSON.parse(imported.stdout).event, 'import_done');
  const again = join(directory, 'again.jsonl');
  assert.equal(kring('export', '--db', `sqlite:${second}`, '--site', 'shop', '--to', again).status, 0);
  assert.ok(readFileSync(again).equals(readFileSync(archive)), 'the imported site exports the same bytes');

  // Imported twice: refused, nothing written.
  const twice = kring('import', '--format', 'kring', archive, '--db', `sqlite:${second}`);
  assert.equal(twice.status, 2);
  assert.match(twice.stderr, /already holds site shop/);

  // A server on the new store serves the thread, with its accepted answer, and takes new posts.
  const moved = await serve(second);
  const reader = await moved.member('carol');
  const snapshot = await reader.subscribe('boot');
  assert.equal(snapshot.type, 'snapshot');
  const view = JSON.parse(reader.engine.threadViewJson('boot', 'oldest'));
  assert.deepEqual(view.posts.map((post) => post.body), ['Is the sole **replaceable**? ü 😀', 'Yes, by any cobbler.',
    'Mine was resoled twice.']);
  assert.ok(view.posts.find((post) => post.id === answer.id).accepted);
  const later = await reader.submit({ kind: 'post', threadKey: 'boot', parentId: question.id, body: 'Same here.' });
  assert.ok(later.message.lastSequence > summary.sequence, 'new ops come after the archive\'s');
  await moved.stop();
});

test('a damaged or hostile archive is refused whole, naming the line, and writes nothing', () => {
  const good = join(directory, 'shop.jsonl');
  const text = readFileSync(good, 'utf8');
  const cases = [
    ['truncated', text.slice(0, text.length - 7), /line \d+/],
    ['an unknown field', text.replace('"body":', '"bodyy":'), /line \d+: post\.body/],
    ['another format', '{"kring":"something-else","version":1}\n', /line 1/],
    ['a newer version', text.replace('"version":4', '"version":5'), /version/],
  ];
  for (const [index, [name, content, reason]] of cases.entries()) {
    const file = join(directory, `bad-${index}.jsonl`);
    writeFileSync(file, content);
    const store = join(directory, `bad-${index}.db`);
    const done = kring('import', '--format', 'kring', file, '--db', `sqlite:${store}`);
    assert.equal(done.status, 2, name);
    assert.match(done.stderr, reason, name);
    assert.equal(kring('export', '--db', `sqlite:${store}`, '--site', 'shop', '--to', join(directory, 'none.jsonl')).status,
      2, `${name}: nothing of the site was written`);
  }
});
