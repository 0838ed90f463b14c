// Ham learned by time (docs/policy.md, spamHamAfterMinutes): a site that does not mail still gets the
// server's scheduled check, and a member's post that stood a minute trains the spam filter as ham; on
// SQLite, and on PostgreSQL with two servers, where only the site's checkpoint writer submits the
// check. Both stores wait out their minute at once. The post's ledger is read from an export beside the
// running servers, as the store holds it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCore, serverMembers } from '../support/sync_node_client.mjs';
import { spawnKringServer } from '../support/kring_server.mjs';
import { until } from '../support/until.mjs';
import { freshPostgres } from '../support/test_postgres.mjs';

const secret = 'ham-by-time-secret-0123456789-abcdefgh';
const settings = { privilegeVoteUp: 0, privilegeComment: 0, newMemberUntilTrustLevel: 0, threadCreateMinTrustLevel: 0,
  spamHamAfterMinutes: 1 };
let core;
const cleanups = [];
before(async () => { core = await loadCore(process.env.KRING_WASM); });
after(() => { for (const cleanup of cleanups.reverse()) cleanup(); });

const directory = mkdtempSync(join(tmpdir(), 'kring-ham-by-time-'));
cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
const sites = join(directory, 'sites.json');
writeFileSync(sites, JSON.stringify({ sites: [{ id: 'shop', allowedOrigins: ['*'], tokenSecret: secret,
  adminKey: 'ham-by-time-admin-key-0123456789-abcdef', policy: { settings } }] }));
const kring = (...args) => spawnSync(process.env.KRING_SERVER, args, { encoding: 'utf8' });

async function serve(database) {
  const server = await spawnKringServer(process.env.KRING_SERVER, ['--port', '0', '--db', database, '--sites', sites,
    '--alert-check-ms', '250']);
  cleanups.push(() => server.child.kill('SIGKILL'));
  const members = serverMembers(core, server, { site: 'shop', secret });
  return { member: (sub, role = 'member') => members.member(sub, { role }), stop: members.stop };
}

// A member's post in a new thread, and a reader of its ledger in the store.
async function postThatStands(site, database, label) {
  const staff = await site.member('staff-sam', 'staff');
  const alice = await site.member('alice');
  await staff.submit({ kind: 'create_thread', key: 'tent', title: 'Trail tent', threadKind: 'discussion' });
  const post = await alice.submit({ kind: 'post', threadKey: 'tent', body: 'Does the tent fit two people?' });
  let exports = 0;
  return () => {
    const archive = join(directory, `${label}-${++exports}.jsonl`);
    const exported = kring('export', '--db', database, '--site', 'shop', '--to', archive);
    assert.equal(exported.status, 0, exported.stderr);
    const lines = readFileSync(archive, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
    rmSync(archive);
    const found = lines.find((line) => line.post?.id === post.id);
    assert.ok(found, `${label}: the post is in the archive`);
    return found.post.ledger;
  };
}

const slowly = (check) => async () => {
  await new Promise((resolve) => setTimeout(resolve, 500));
  return check();
};

test('a member\'s post that stood a minute trains the spam filter as ham, on SQLite and on PostgreSQL with two servers, where one submits the checks', async () => {
  const sqlite = `sqlite:${join(directory, 'kring.db')}`;
  const postgres = freshPostgres(`kring_ham_${process.pid}`);
  const alone = await serve(sqlite);
  const first = await serve(postgres.url);
  const second = await serve(postgres.url);
  const ledgers = {
    sqlite: await postThatStands(alone, sqlite, 'sqlite'),
    postgres: await postThatStands(first, postgres.url, 'postgres'),
  };
  // Through the other PostgreSQL server too: both servers serve the same post.
  await second.member('bob');
  for (const [store, ledger] of Object.entries(ledgers)) {
    assert.deepEqual([ledger().hamPending, ledger().spamTrained], [true, 0], `${store}: the post waits to train the filter`);
  }
  await Promise.all(Object.entries(ledgers).map(([store, ledger]) =>
    until(`${store}: the post that stood trains the filter as ham`, slowly(() => ledger().spamTrained === -1), 100_000)));
  for (const [store, ledger] of Object.entries(ledgers)) assert.equal(ledger().hamPending, false, store);

  // One server submitted the checks: the op ids name the server that made them.
  const checks = postgres.query(
    "SELECT convert_from(op_id, 'UTF8') FROM kring_ops WHERE site = 'shop' AND convert_from(op_id, 'UTF8') LIKE 'kring:alerts-%'")
    .split('\n').filter(Boolean);
  assert.ok(checks.length >= 1, 'the database holds the scheduled check');
  const servers = new Set(checks.map((id) => id.split('-')[1]));
  assert.equal(servers.size, 1, `one server submitted every check: ${checks.join(', ')}`);
  await Promise.all([alone.stop(), first.stop(), second.stop()]);
});
