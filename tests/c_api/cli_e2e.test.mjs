// kring-cli, a native client on the C API alone, and a Node client over the wasm core follow one
// thread through a real kring-server: each sees the other's posts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { startServer } from '../support/kring_server.mjs';
import { loadCore, signToken, SyncNodeClient } from '../support/sync_node_client.mjs';

const secret = 'c-api-test-secret-0123456789-abcdefghij';
const site = 'shop';
let server;
let core;

before(async () => {
  core = await loadCore(process.env.KRING_WASM);
  server = await startServer(process.env.KRING_SERVER, [{ id: site, allowedOrigins: ['*'], tokenSecret: secret,
    adminKey: 'c-api-test-admin-0123456789-abcd', guestPosting: true,
    // The rules' gates are lifted: this test is about the clients, not the rules.
    policy: { settings: { ratePostsTrust0: 1000000, duplicateWindowHours: 0, newMemberUntilTrustLevel: 0,
      spamHoldScore: 1000000, threadCreateMinTrustLevel: 0 } } }]);
});

after(() => server?.stop());

const token = (sub) => signToken({ site, secret, sub, name: `Name of ${sub}` });

// Runs kring-cli to completion; resolves with { code, stdout, stderr }.
function cli(args) {
  return new Promise((resolve) => {
    const child = execFile(process.env.KRING_CLI,
      ['--server', `ws://127.0.0.1:${server.port}/sync`, '--site', site, ...args], { timeout: 60000 },
      (error, stdout, stderr) => resolve({ code: error ? error.code : 0, stdout, stderr }));
    child.stdin.end();
  });
}

test('kring-cli and a Node client see each other\'s posts', async () => {
  const ann = new SyncNodeClient(core, { port: server.port, site, token: token('ann'), clientId: 'node-ann' });
  await ann.connect();
  await ann.subscribe('sku-cli');
  await ann.submit({ kind: 'create_thread', key: 'sku-cli', title: 'Boots', threadKind: 'discussion' });

  // kring-cli posts, then waits for Ann's answer; Ann answers once she sees its post.
  const running = cli(['--thread', 'sku-cli', '--token', token('bob'), '--post', 'Hello from C',
    '--wait-for', 'Hello from Node', '--timeout', '20']);
  const fromC = () => ann.engine.threadView('sku-cli')?.posts.find((post) => post.body === 'Hello from C');
  await ann.next((message) => message.type === 'events' && fromC() !== undefined, 20000);
  assert.equal(fromC().authorId, 'bob');
  await ann.submit({ kind: 'post', threadKey: 'sku-cli', parentId: fromC().id, body: 'Hello from Node' });

  const { code, stdout, stderr } = await running;
  assert.equal(code, 0, stderr);
  assert.match(stdout, /signed in as Name of bob \(bob\)/);
  assert.match(stdout, /\] Name of bob: Hello from C/);
  assert.match(stdout, /\n {2}\[[^\]]+\] Name of ann: Hello from Node/);  // a reply, indented
  ann.close();
});

test('kring-cli as a guest reads the thread, and times out with exit 3 on what never comes', async () => {
  const guest = await cli(['--thread', 'sku-cli', '--wait-for', 'Hello from Node', '--timeout', '10']);
  assert.equal(guest.code, 0, guest.stderr);
  assert.match(guest.stdout, /signed in as .*\(guest:/);
  const waiting = await cli(['--thread', 'sku-cli', '--wait-for', 'never posted', '--timeout', '1']);
  assert.equal(waiting.code, 3);
  assert.match(waiting.stderr, /timed out/);
});

test('kring-cli reports a rejected post and a refused token with exit 2', async () => {
  const rejected = await cli(['--thread', 'no-such-thread', '--token', token('cy'), '--post', 'Into the void']);
  assert.equal(rejected.code, 2);
  assert.match(rejected.stderr, /rejected unknown_thread/);
  const refused = await cli(['--thread', 'sku-cli', '--token', 'not.a.token', '--post', 'x']);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /server error/);
});
