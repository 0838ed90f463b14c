// `kring-server import` writing (docs/import.md): a Disqus export goes into a stopped server's SQLite
// store as the core's ImportPost ops, then the real server serves that history with its original
// times, states and authors; a second import adds nothing; a running server's store is refused; an
// import killed mid-way wrote nothing, and its rerun brings each post in once; a member who signs in
// with an imported author's verified e-mail takes that author's posts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCore, serverMembers, signToken, SyncNodeClient } from '../support/sync_node_client.mjs';
import { spawnKringServer } from '../support/kring_server.mjs';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/import');
const secret = 'import-write-test-secret-0123456789-abcd';
let core;
const cleanups = [];
before(async () => { core = await loadCore(process.env.KRING_WASM); });
after(() => { for (const cleanup of cleanups.reverse()) cleanup(); });

const directory = mkdtempSync(join(tmpdir(), 'kring-import-write-'));
cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
const sites = join(directory, 'sites.json');
writeFileSync(sites, JSON.stringify({ sites: [{ id: 'blog', allowedOrigins: ['*'], tokenSecret: secret,
  adminKey: 'import-write-admin-key-0123456789-ab' }] }));
const importInto = (store, file, ...more) => spawnSync(process.env.KRING_SERVER,
  ['import', '--format', 'disqus', file, '--db', `sqlite:${store}`, '--site', 'blog', '--sites', sites, ...more],
  { encoding: 'utf8' });
// The command's summary: its last line.
const summary = (done) => JSON.parse(done.stdout.trim().split('\n').at(-1));

async function serve(store) {
  const server = await spawnKringServer(process.env.KRING_SERVER, ['--port', '0', '--db', `sqlite:${store}`,
    '--sites', sites], process.env.KRING_DEBUG ? 'inherit' : 'pipe');
  cleanups.push(() => server.child.kill('SIGKILL'));
  const members = serverMembers(core, server, { site: 'blog', secret });
  return { member: (sub, claims = {}) => members.member(sub, { claims }), stop: members.stop, port: server.port };
}

const postsOf = (client, key) => JSON.parse(client.engine.threadViewJson(key, 'oldest')).posts;

test('a Disqus export into a stopped store: served with its times, states and authors; a second import adds nothing', async () => {
  const store = join(directory, 'blog.db');
  const first = importInto(store, join(fixtures, 'disqus_export.xml'));
  assert.equal(first.status, 0, first.stderr);
  const done = summary(first);
  assert.equal(done.event, 'import_done');
  // 10 posts read: two in the deleted page and one without a page left out, each said.
  assert.deepEqual([done.postsRead, done.imported, done.skipped, done.alreadyThere, done.refused, done.threadsCreated],
    [10, 7, 3, 0, 0, 2]);
  assert.match(first.stdout, /thread 1003: the page was deleted in the source: its 2 posts are left out/);

  const again = importInto(store, join(fixtures, 'disqus_export.xml'));
  assert.equal(again.status, 0, again.stderr);
  assert.deepEqual([summary(again).imported, summary(again).alreadyThere, summary(again).sequence],
    [0, 7, done.sequence], 'the second import adds nothing');

  const site = await serve(store);
  const reader = await site.member('reader');
  await reader.subscribe('/2012/03/hello-world');
  const posts = postsOf(reader, '/2012/03/hello-world');
  const first2001 = posts.find((post) => post.id === 'disqus-2001');
  assert.ok(first2001, 'the imported post is served');
  assert.equal(first2001.createdAt, Date.parse('2012-03-04T05:06:07Z'), 'with its original time');
  assert.match(first2001.body, /First! \*\*bold\*\*/);
  assert.equal(first2001.authorName, 'Alice');
  assert.match(first2001.authorId, /^imported:[0-9a-f]{24}$/, 'the author\'s id shows no e-mail');
  // A reader sees the visible posts; the spam and the deleted one are not readable.
  const readable = posts.filter((post) => post.state === 'visible').map((post) => post.id).sort();
  assert.deepEqual(readable, ['disqus-2001', 'disqus-2002', 'disqus-2003']);
  assert.equal(posts.find((post) => post.id === 'disqus-2003').parentId, 'disqus-2002');
  // The page Disqus closed is locked here.
  await reader.subscribe('/about');
  const about = JSON.parse(reader.engine.threadViewJson('/about', 'oldest'));
  assert.equal(about.state, 'locked');

  // Alice signs in with her verified address, in other letters' case: her two posts are hers now.
  const alice = await site.member('alice-at-host', { email: 'Alice@Example.com', email_verified: true });
  await alice.subscribe('/2012/03/hello-world');
  const claimed = postsOf(alice, '/2012/03/hello-world').filter((post) => post.authorId === 'alice-at-host');
  assert.deepEqual(claimed.map((post) => post.id).sort(), ['disqus-2001', 'disqus-2003']);
  // An unverified address claims nothing.
  const mallory = await site.member('mallory-at-host', { email: 'mallory@example.com', email_verified: false });
  await mallory.subscribe('/about');
  assert.ok(!postsOf(mallory, '/about').some((post) => post.authorId === 'mallory-at-host'));
  await site.stop();
});

test('a WordPress export: its pending comment waits in the moderation queue; a hostile file writes nothing', async () => {
  const store = join(directory, 'wordpress.db');
  const wordpress = spawnSync(process.env.KRING_SERVER, ['import', '--format', 'wordpress',
    join(fixtures, 'wordpress_export.xml'), '--db', `sqlite:${store}`, '--site', 'blog', '--sites', sites],
  { encoding: 'utf8' });
  assert.equal(wordpress.status, 0, wordpress.stderr);
  assert.deepEqual([summary(wordpress).imported, summary(wordpress).refused], [5, 0]);
  for (const hostile of ['xxe.xml', 'billion_laughs.xml', 'malformed.xml']) {
    const refused = importInto(store, join(fixtures, hostile));
    assert.equal(refused.status, 2, hostile);
    assert.match(refused.stderr, /nothing was written/, hostile);
  }
  const site = await serve(store);
  const queue = await (await fetch(`http://127.0.0.1:${site.port}/api/sites/blog/moderation`,
    { headers: { authorization: 'Bearer import-write-admin-key-0123456789-ab' } })).json();
  assert.deepEqual(queue.queue.map((item) => [item.postId, item.heldReason]), [['wordpress-102', 'imported_held']]);
  assert.equal(queue.queue[0].createdAt, Date.parse('2013-05-07T09:10:11Z'), 'at its original time');
  await site.stop();
});

test('a running server\'s store is refused; an import killed mid-way wrote nothing, and its rerun imports each post once', async () => {
  const store = join(directory, 'big.db');
  const site = await serve(store);
  const refused = importInto(store, join(fixtures, 'disqus_export.xml'));
  assert.equal(refused.status, 2);
  assert.match(refused.stderr, /in use by a running kring-server/);
  await site.stop();

  // 30,000 comments over 300 pages, each page's first comment answered by the next.
  const threads = 300;
  const posts = 30_000;
  const parts = ['<?xml version="1.0" encoding="utf-8"?>\n<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">'];
  for (let t = 0; t < threads; t++) {
    parts.push(`<thread dsq:id="${t}"><link>https://big.example/p/${t}</link><title>Page ${t}</title><isClosed>false</isClosed><isDeleted>false</isDeleted></thread>`);
  }
  for (let p = 0; p < posts; p++) {
    const parent = p >= threads ? `<parent dsq:id="${p % threads}"/>` : '';
    parts.push(`<post dsq:id="${p}"><message><![CDATA[<p>Comment ${p}</p>]]></message><createdAt>2020-01-01T00:00:${String(p % 60).padStart(2, '0')}Z</createdAt><isDeleted>false</isDeleted><isSpam>false</isSpam><author><email>u${p % 500}@big.example</email><name>User ${p % 500}</name><isAnonymous>false</isAnonymous></author><thread dsq:id="${p % threads}"/>${parent}</post>`);
  }
  parts.push('</disqus>\n');
  const big = join(directory, 'big.xml');
  writeFileSync(big, parts.join('\n'));

  // Killed as soon as it runs: whatever it had done, none of it is in the store.
  const killed = spawn(process.env.KRING_SERVER, ['import', '--format', 'disqus', big, '--db', `sqlite:${store}`,
    '--site', 'blog', '--sites', sites], { stdio: 'ignore' });
  await new Promise((resolve) => setTimeout(resolve, 150));
  killed.kill('SIGKILL');
  await new Promise((resolve) => killed.on('exit', resolve));
  const rerun = importInto(store, big);
  assert.equal(rerun.status, 0, rerun.stderr);
  assert.deepEqual([summary(rerun).imported, summary(rerun).alreadyThere, summary(rerun).membersCreated],
    [posts, 0, 500]);
  const third = importInto(store, big);
  assert.deepEqual([summary(third).imported, summary(third).alreadyThere], [0, posts]);

  const served = await serve(store);
  const reader = await served.member('reader');
  await reader.subscribe('/p/7');
  assert.equal(postsOf(reader, '/p/7').length, posts / threads, 'each post once');
  await served.stop();
});

test('into a running server through its admin API: readers see the history arrive; a second run adds nothing; only the admin key may', async () => {
  const store = join(directory, 'live.db');
  const server = await spawnKringServer(process.env.KRING_SERVER, ['--port', '0', '--db', `sqlite:${store}`,
    '--sites', sites]);
  cleanups.push(() => server.child.kill('SIGKILL'));
  const reader = new SyncNodeClient(core, { port: server.port, site: 'blog', clientId: 'live-reader',
    token: signToken({ site: 'blog', secret, sub: 'live-reader', name: 'Reader' }) });
  await reader.connect();
  await reader.subscribe('/2012/03/hello-world');
  const url = `http://127.0.0.1:${server.port}`;
  const upload = (...more) => new Promise((resolve) => {
    const child = spawn(process.env.KRING_SERVER, ['import', '--format', 'disqus', join(fixtures, 'disqus_export.xml'),
      '--server', url, '--site', 'blog', '--sites', sites, ...more], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => { stdout += chunk; });
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    child.on('exit', (status) => resolve({ status, stdout, stderr }));
  });
  const first = await upload();
  assert.equal(first.status, 0, first.stderr);
  assert.deepEqual([summary(first).imported, summary(first).alreadyThere, summary(first).skipped], [7, 0, 3]);
  // The open page got the posts as they were stored, with their original times.
  await reader.next(() => postsOf(reader, '/2012/03/hello-world').some((post) => post.id === 'disqus-2003'));
  const live = postsOf(reader, '/2012/03/hello-world').find((post) => post.id === 'disqus-2001');
  assert.equal(live.createdAt, Date.parse('2012-03-04T05:06:07Z'));
  const second = await upload();
  assert.equal(second.status, 0, second.stderr);
  assert.deepEqual([summary(second).imported, summary(second).alreadyThere], [0, 7]);

  // The route is the admins': a member's token and a body that is no ops are refused.
  const member = signToken({ site: 'blog', secret, sub: 'someone', name: 'Someone', role: 'moderator' });
  const refused = await fetch(`${url}/api/sites/blog/import`, { method: 'POST', body: Buffer.from([1, 2, 3]),
    headers: { authorization: `Bearer ${member}` } });
  assert.equal(refused.status, 403);
  const garbage = await fetch(`${url}/api/sites/blog/import`, { method: 'POST', body: Buffer.from([1, 2, 3, 4, 5]),
    headers: { authorization: 'Bearer import-write-admin-key-0123456789-ab' } });
  assert.equal(garbage.status, 400);
  assert.equal((await garbage.json()).error, 'malformed_import');
  reader.close();
  server.child.kill('SIGTERM');
});
