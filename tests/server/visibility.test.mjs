// Who sees what, read off the wire: each client's raw frames hold only what its viewer may see.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { loadCore, signToken, SyncNodeClient } from '../support/sync_node_client.mjs';
import { startServer } from '../support/kring_server.mjs';

const secret = 'visibility-test-secret-0123456789-abc';
let server;
let core;

before(async () => {
  core = await loadCore(process.env.KRING_WASM);
  server = await startServer(process.env.KRING_SERVER, [{ id: 'shop', allowedOrigins: ['*'], tokenSecret: secret,
    adminKey: 'visibility-admin-0123456789-abcdef', guestPosting: true,
    policy: {
      settings: { privilegeVoteUp: 0, privilegeVoteDown: 0, ratePostsTrust0: 1000000, spamHoldScore: 1000000,
        newMemberUntilTrustLevel: 0, preModerateBelowTrustLevel: 1, threadCreateMinTrustLevel: 0 },
      watchedWords: [{ locale: '*', word: 'crypto-giveaway', action: 'require_approval' }],
    } }]);
});

after(() => server?.stop());

// A client that keeps every raw frame it receives.
async function connect(sub, role = 'member') {
  const token = sub ? signToken({ site: 'shop', secret, sub, name: `Name ${sub}`, role }) : '';
  const client = new SyncNodeClient(core, { port: server.port, site: 'shop', token, clientId: `c-${sub || 'guest'}` });
  client.raw = [];
  const connected = client.connect();
  client.socket.on('message', (data) => client.raw.push(Buffer.from(data)));
  await connected;
  return client;
}

function holds(client, text) {
  return client.raw.some((frame) => frame.includes(Buffer.from(text)));
}

async function seen(client, opId) {
  await client.next((message) => message.type === 'events' && message.opIds.includes(opId)).catch((error) => {
    throw new Error(`${client.clientId} never saw ${opId}: ${error.message}`);
  });
}

test('held, edited and removed text, voters, flaggers, audit reasons and watched words reach only those who may see them',
  async () => {
    const sam = await connect('staff-sam', 'staff');
    const mod = await connect('mod-mia', 'moderator');
    const ann = await connect('author-ann');
    const bob = await connect('member-bob');
    const guest = await connect('');
    const voter = await connect('voter-vic');
    const flagger = await connect('flagger-fay', 'staff');
    const key = 'sku-visibility';
    await sam.submit({ kind: 'create_thread', key, title: 'Boots', threadKind: 'question' });
    const readers = [mod, ann, bob, guest, voter];
    for (const client of [sam, ...readers]) await client.subscribe(key);
    const others = [bob, guest, voter];  // neither the author nor a moderator
    // Ops reach each connection in order: once a staff post arrives everywhere, so has all before it.
    let markers = 0;
    const sync = async () => {
      const marker = await sam.submit({ kind: 'post', threadKey: key, body: `Staff marker ${(markers += 1)}` });
      for (const client of readers) await seen(client, marker.id);
    };

    // A new member's question is held for review: its text reaches the author and the moderator only.
    const heldText = 'HELD-TEXT my phone is 555-0199';
    const held = await ann.submit({ kind: 'post', threadKey: key, body: heldText });
    const marker = await sam.submit({ kind: 'post', threadKey: key, body: 'Voted on and flagged' });
    await sync();
    assert.ok(holds(ann, heldText) && holds(mod, heldText));
    for (const client of others) assert.ok(!holds(client, heldText), 'a held post reached a reader');
    assert.ok(!holds(bob, 'pre_moderated'));

    // Votes count for everyone; the voter's id goes to the voter and the moderator only.
    await voter.submit({ kind: 'vote', postId: marker.id, direction: 'down' });
    await sync();  // the voter's acknowledgement may reach it before the moderator has the vote
    assert.ok(holds(mod, 'voter-vic'));
    for (const client of [ann, bob, guest]) assert.ok(!holds(client, 'voter-vic'), 'a voter id reached a reader');
    assert.equal(bob.engine.threadView(key, 'oldest').posts.find((post) => post.id === marker.id).score, -1);

    // Approval brings the text to everyone; the moderator's reason and id stay in the audit log.
    await mod.submit({ kind: 'moderate', action: 'approve', target: held.id, reason: 'AUDIT-REASON fine by the rules' });
    await sync();
    for (const client of others) assert.ok(holds(client, heldText));
    assert.equal(bob.engine.threadView(key, 'oldest').posts.find((post) => post.id === held.id).body, heldText);
    assert.ok(holds(mod, 'AUDIT-REASON'));
    for (const client of [ann, ...others]) {
      assert.ok(!holds(client, 'AUDIT-REASON'), 'an audit reason reached a member');
      assert.ok(!holds(client, 'mod-mia'), 'a moderator id reached a member');
    }

    // A flag is the flagger's and the moderators' business.
    await flagger.submit({ kind: 'flag', postId: marker.id, reason: 'off_topic' });
    await sync();
    assert.ok(holds(mod, 'flagger-fay'));
    for (const client of [ann, ...others]) assert.ok(!holds(client, 'flagger-fay'), 'a flagger id reached a member');

    // Edited-out text stays with the moderators: a fresh snapshot for a member lacks it.
    const edited = await sam.submit({ kind: 'post', threadKey: key, body: 'Fits true. EDITED-OUT sentence.' });
    await sam.submit({ kind: 'edit', postId: edited.id, body: 'Fits true.' });
    await sync();

    // Removal as spam: no one but moderators holds the text, in live events or a fresh snapshot.
    await mod.submit({ kind: 'moderate', action: 'reject', target: held.id, argument: 'spam',
      reason: 'REMOVAL-REASON spam' });
    await sync();
    assert.equal(bob.engine.threadView(key, 'oldest').posts.find((post) => post.id === held.id).body, '');

    const lateMember = await connect('late-lou');
    const lateModerator = await connect('late-mod', 'moderator');
    for (const client of [lateMember, lateModerator]) await client.subscribe(key);
    assert.ok(!holds(lateMember, heldText), 'removed text in a fresh snapshot');
    assert.ok(!holds(lateMember, 'EDITED-OUT'), 'edited-out text in a fresh snapshot');
    assert.ok(!holds(lateMember, 'voter-vic') && !holds(lateMember, 'flagger-fay'));
    assert.ok(holds(lateModerator, heldText) && holds(lateModerator, 'EDITED-OUT'));

    // The watched words and the spam thresholds are the moderators' alone.
    for (const client of [ann, ...others, lateMember]) {
      assert.ok(!holds(client, 'crypto-giveaway'), 'a watched word reached a member');
      assert.ok(!holds(client, 'spamHoldScore'), 'a spam threshold reached a member');
    }
    assert.ok(holds(mod, 'crypto-giveaway'));
    for (const client of [sam, mod, ann, bob, guest, voter, flagger, lateMember, lateModerator]) client.close();
  });

test('a sanction reaches the sanctioned member and the moderators, not the other readers', async () => {
  const mod = await connect('mod-max', 'moderator');
  const target = await connect('target-tom');
  const bystander = await connect('bystander-bea');
  const key = 'sku-sanction';
  await mod.submit({ kind: 'create_thread', key, title: 'Tents' });
  for (const client of [mod, target, bystander]) await client.subscribe(key);
  const hello = await target.submit({ kind: 'post', threadKey: key, body: 'hello' });
  await seen(bystander, hello.id);
  const before = { target: target.raw.length, bystander: bystander.raw.length };
  const suspend = await mod.submit({ kind: 'moderate', action: 'suspend', target: 'target-tom',
    argument: String(Date.now() + 3_600_000), reason: 'SANCTION-REASON cooling off' });
  const marker = await mod.submit({ kind: 'post', threadKey: key, body: 'marker' });
  await seen(target, marker.id);
  await seen(bystander, marker.id);
  assert.equal(target.raw.length - before.target, 2, 'the member hears of their sanction');
  assert.equal(bystander.raw.length - before.bystander, 1, 'a bystander does not');
  for (const client of [target, bystander]) {
    assert.ok(!holds(client, suspend.id) && !holds(client, 'SANCTION-REASON'));
  }
  await assert.rejects(target.submit({ kind: 'post', threadKey: key, body: 'still here?' }),
    (error) => error.code === 'member_suspended');
  for (const client of [mod, target, bystander]) client.close();
});
