// Notifications end to end (docs/notifications.md): the real kring-server mails a real SMTP server
// (tests/support/smtp_sink.py, aiosmtpd), whose Python MIME parser reads every mail as a mail program
// would. Who is mailed what, in which language, with which threading and unsubscribe headers; the
// one-click unsubscribe; held, removed and erased words never mailed; the caps; a refusing relay; a relay
// that is down, and kill -9 between commit and delivery.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCore, signToken, SyncNodeClient } from '../support/sync_node_client.mjs';
import { spawnKringServer } from '../support/kring_server.mjs';
import { until } from '../support/until.mjs';
import { startSink as startSmtpSink, sunkMails as mails } from '../support/smtp_sink.mjs';

const secret = 'notifications-test-secret-0123456789-ab';
const adminKey = 'notifications-admin-0123456789-abcdef';
const settings = { privilegeVoteUp: 0, privilegeComment: 0, ratePostsTrust0: 1000000, ratePostsTrust1: 1000000, spamHoldScore: 1000000,
  newMemberUntilTrustLevel: 0, threadCreateMinTrustLevel: 0, staffDigestHourUtc: -1 };
const policy = { settings, watchedWords: [{ locale: '*', word: 'holdmeplease', action: 'require_approval' }] };
let core;
const cleanups = [];

before(async () => { core = await loadCore(process.env.KRING_WASM); });
after(() => { for (const cleanup of cleanups.reverse()) cleanup(); });

const startSink = (out, options = {}) => startSmtpSink(out, { ...options, cleanups });

// A community whose site mails through the sink. `extra`: more of the site's email settings; `siteExtra`
// more of the site's own, `moreSettings` more policy settings.
async function community({ extra = {}, refuse = [], serverArgs = [], siteExtra = {}, moreSettings = {} } = {}) {
  const directory = mkdtempSync(join(tmpdir(), 'kring-notify-test-'));
  cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
  const out = join(directory, 'mails.jsonl');
  const sink = await startSink(out, { refuse });
  const site = { id: 'shop', allowedOrigins: ['*'], tokenSecret: secret, adminKey,
    policy: { ...policy, settings: { ...settings, ...moreSettings } }, ...siteExtra,
    threadPages: 'https://shop.example/p/{thread}',
    // The unsubscribe link's origin is rewritten to the server's port by the test (it is known only once it listens).
    email: { smtpUrl: `smtp://127.0.0.1:${sink.port}`, requireTls: false, from: 'community@shop.example',
      fromName: 'Shop community', publicUrl: 'http://127.0.0.1', ...extra } };
  writeFileSync(join(directory, 'sites.json'), JSON.stringify({ sites: [site] }));
  const metricsKey = 'notifications-metrics-key-0123456789';
  writeFileSync(join(directory, 'metrics-key'), metricsKey);
  const args = ['--port', '0', '--db', `sqlite:${join(directory, 'kring.db')}`, '--sites', join(directory, 'sites.json'),
    '--metrics-key-file', join(directory, 'metrics-key'), '--outbox-first-retry-ms', '200', ...serverArgs];
  const start = async () => {
    const server = await spawnKringServer(process.env.KRING_SERVER, args, 'inherit');
    cleanups.push(() => server.child.kill('SIGKILL'));
    return server;
  };
  const world = { directory, out, sink, site, start, server: await start(), clients: [] };
  world.mails = () => mails(out);
  world.member = async (sub, { role = 'member', email = `${sub}@example.com`, locale, verified = true } = {}) => {
    const claims = email ? { email, email_verified: verified } : {};
    if (locale) claims.locale = locale;
    const token = signToken({ site: 'shop', secret, sub, name: `Name ${sub}`, role, claims });
    const client = new SyncNodeClient(core, { port: world.server.port, site: 'shop', token, clientId: `n-${sub}-${world.clients.length}` });
    client.raw = [];
    const connected = client.connect();
    client.socket.on('message', (data) => client.raw.push(Buffer.from(data)));
    client.welcome = await connected;
    world.clients.push(client);
    return client;
  };
  world.metric = async (name) => {
    const text = await (await fetch(`http://127.0.0.1:${world.server.port}/metrics`,
      { headers: { Authorization: `Bearer ${metricsKey}` } })).text();
    const match = new RegExp(`^${name} (\\d+)$`, 'm').exec(text);
    if (!match) throw new Error(`no ${name} in /metrics`);
    return Number(match[1]);
  };
  world.exportOf = async (memberId) => (await fetch(
    `http://127.0.0.1:${world.server.port}/api/sites/shop/members/${encodeURIComponent(memberId)}/export`,
    { headers: { Authorization: `Bearer ${adminKey}` } })).json();
  world.stop = async () => {
    for (const client of world.clients) client.close();
    world.server.child.kill('SIGTERM');
    await sink.stop();
  };
  return world;
}

const to = (mail) => mail.rcptTos.join(',');
const kindOf = (mail) => mail.headers['x-kring-notification'];
const summary = (list) => list.map((mail) => `${to(mail)} ${kindOf(mail)}`).sort();

test('an answer, an accepted answer and a followed thread\'s post each mail exactly who they should, as mail programs read it', async () => {
  const world = await community();
  const staff = await world.member('staff-sam', { role: 'staff', email: 'sam@shop.example' });
  const alice = await world.member('alice', { locale: 'nl-NL' });
  const bob = await world.member('bob');
  const carol = await world.member('carol', { email: '' });  // her host sent no address: she is mailed nothing
  await staff.submit({ kind: 'create_thread', key: 'boot', title: 'Trail boot', threadKind: 'question' });
  const question = await alice.submit({ kind: 'post', threadKey: 'boot', body: 'Is de zool **vervangbaar**?' });
  await until('the thread starter is told of the question', () => world.mails().length === 1);
  const answer = await bob.submit({ kind: 'post', threadKey: 'boot', parentId: question.id, body: 'Yes, any cobbler can <b>resole</b> it.' });
  await until('two mails for the answer', () => world.mails().length === 3);
  await alice.submit({ kind: 'accept', answerId: answer.id });
  await until('the answer\'s author is told', () => world.mails().length === 4);
  const comment = await carol.submit({ kind: 'post', threadKey: 'boot', parentId: answer.id, body: 'Mine was resoled twice.' });
  await until('three mails for the comment', () => world.mails().length === 7);
  await new Promise((resolve) => setTimeout(resolve, 1500));  // and nothing more comes
  const all = world.mails();
  assert.deepEqual(summary(all), [
    'alice@example.com answer', 'alice@example.com followed_thread',
    'bob@example.com answer_accepted', 'bob@example.com reply',
    'sam@shop.example followed_thread', 'sam@shop.example followed_thread', 'sam@shop.example followed_thread',
  ]);

  const toAlice = all.find((mail) => to(mail) === 'alice@example.com' && kindOf(mail) === 'answer');
  // Dutch, by her token's locale; the post's words in both parts, its Markdown rendered safely in HTML.
  assert.match(toAlice.headers.subject, /^Nieuw antwoord op je vraag: Trail boot$/);
  assert.equal(toAlice.headers['content-language'], 'nl');
  assert.match(toAlice.headers.from, /Shop community <community@shop\.example>/);
  assert.match(toAlice.headers.to, /alice@example\.com/);
  assert.match(toAlice.text, /Name bob schreef:/);
  assert.match(toAlice.text, /Yes, any cobbler can <b>resole<\/b> it\./);
  assert.match(toAlice.html, /any cobbler can &lt;b&gt;resole&lt;\/b&gt; it\./, 'the HTML part escapes what the text says');
  assert.ok(!toAlice.html.includes('<b>resole'));
  assert.ok(toAlice.text.includes(`https://shop.example/p/boot#kring-post-${answer.id}`));
  assert.ok(toAlice.html.includes(`href="https://shop.example/p/boot#kring-post-${answer.id}"`));
  // Threading: every mail of the thread answers one id; each has its own.
  const thread = new Set(all.map((mail) => mail.headers['in-reply-to']));
  assert.equal(thread.size, 1);
  assert.match([...thread][0], /^<kring\.thread\.[0-9a-f]{32}@shop\.example>$/);
  assert.equal(toAlice.headers.references, toAlice.headers['in-reply-to']);
  assert.equal(new Set(all.map((mail) => mail.headers['message-id'])).size, all.length);
  // One-click unsubscribe (RFC 8058) and what the mail is.
  assert.match(toAlice.headers['list-unsubscribe'], /^<http:\/\/127\.0\.0\.1\/unsubscribe\?site=shop&member=[^&]+&kind=answer&sig=[^>]+>$/);
  assert.equal(toAlice.headers['list-unsubscribe-post'], 'List-Unsubscribe=One-Click');
  assert.equal(toAlice.headers['auto-submitted'], 'auto-generated');

  const accepted = all.find((mail) => kindOf(mail) === 'answer_accepted');
  assert.equal(accepted.headers.subject, 'Your answer was accepted: Trail boot');
  assert.equal(accepted.headers['content-language'], 'en');
  const reply = all.find((mail) => kindOf(mail) === 'reply');
  assert.equal(reply.headers.subject, 'Name carol replied to your post in Trail boot');
  assert.ok(reply.text.includes('Mine was resoled twice.') && reply.text.includes(comment.id));

  // Addresses are the server's: no client ever received one.
  for (const client of world.clients) {
    for (const address of ['alice@example.com', 'bob@example.com', 'sam@shop.example']) {
      assert.ok(!client.raw.some((frame) => frame.includes(Buffer.from(address))), `${address} reached a client`);
    }
  }
  await world.stop();
});

test('follow and unfollow: a reader who follows a thread is mailed its new posts; unfollowed, not even their own post there follows them again', async () => {
  const world = await community();
  const staff = await world.member('staff-sam', { role: 'staff', email: 'sam@shop.example' });
  const rita = await world.member('rita');
  const bob = await world.member('bob');
  await staff.submit({ kind: 'create_thread', key: 'boots', title: 'Boots', threadKind: 'discussion' });
  await staff.submit({ kind: 'post', threadKey: 'boots', body: 'Tell us about your boots.' });
  await rita.subscribe('boots');
  assert.equal(rita.engine.following('boots', 'rita'), false, 'a reader follows nothing until they choose');
  await rita.submit({ kind: 'follow', threadKey: 'boots', following: true });
  assert.equal(rita.engine.following('boots', 'rita'), true, 'her replica holds her choice');
  await assert.rejects(rita.submit({ kind: 'follow', threadKey: 'boots', following: true }), { code: 'unchanged' });

  await bob.submit({ kind: 'post', threadKey: 'boots', body: 'FIRST-NEWS from bob' });
  const first = (mail) => mail.text.includes('FIRST-NEWS');
  await until('the first post mailed to its followers', () => world.mails().filter(first).length === 2);
  assert.deepEqual(summary(world.mails().filter(first)), ['rita@example.com followed_thread', 'sam@shop.example followed_thread']);

  await rita.submit({ kind: 'follow', threadKey: 'boots', following: false });
  assert.equal(rita.engine.following('boots', 'rita'), false);
  await rita.submit({ kind: 'post', threadKey: 'boots', body: 'RITA-WORDS, still not following' });
  await bob.submit({ kind: 'post', threadKey: 'boots', body: 'SECOND-NEWS from bob' });
  const second = (mail) => mail.text.includes('SECOND-NEWS');
  await until('the second post mailed to the starter', () => world.mails().some(second));
  await new Promise((resolve) => setTimeout(resolve, 1000));
  assert.deepEqual(summary(world.mails().filter(second)), ['sam@shop.example followed_thread']);
  // Bob posted there, so he follows: rita's post told him.
  assert.deepEqual(summary(world.mails().filter((mail) => mail.text.includes('RITA-WORDS'))),
    ['bob@example.com followed_thread', 'sam@shop.example followed_thread']);
  await world.stop();
});

test('the preferences page: each kind at once, once a day or never, saved for good; the once-a-day mails go together at the day\'s time', async () => {
  const world = await community({ serverArgs: ['--mail-daily-period-ms', '4000'] });
  const staff = await world.member('staff-sam', { role: 'staff', email: 'sam@shop.example' });
  const alice = await world.member('alice');
  const bob = await world.member('bob');
  const carol = await world.member('carol');
  await staff.submit({ kind: 'create_thread', key: 'stove', title: 'Stove', threadKind: 'question' });
  const question = await alice.submit({ kind: 'post', threadKey: 'stove', body: 'Does it burn white gas?' });
  await bob.submit({ kind: 'post', threadKey: 'stove', parentId: question.id, body: 'FIRST-ANSWER: yes.' });
  const first = await until('alice\'s first answer, at once', () => world.mails().find((mail) => mail.text.includes('FIRST-ANSWER')));
  const all = /(http:\/\/\S*kind=all\S*)/.exec(first.text)[1];
  const here = new URL(all);
  const page = `http://127.0.0.1:${world.server.port}${here.pathname}${here.search}`;

  const shown = await (await fetch(page)).text();
  assert.match(shown, /name="answer" value="instant" checked/);
  assert.match(shown, /name="daily_digest" value="off"/);
  assert.doesNotMatch(shown, /name="daily_digest" value="daily"/, 'the digest is daily already');
  const post = (body) => fetch(page, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
  assert.equal((await post('answer=hourly&save=1')).status, 400, 'a value the form does not offer');
  assert.equal((await post('nonsense=off&save=1')).status, 400, 'a field the form does not offer');
  const forged = new URL(page);
  forged.searchParams.set('member', Buffer.from('bob').toString('base64url'));
  assert.equal((await fetch(forged, { method: 'POST', body: 'answer=off&save=1' })).status, 400, 'alice\'s link changes nothing of bob\'s');
  const saved = await post('answer=daily&reply=instant&followed_thread=off&save=1');
  assert.equal(saved.status, 200);
  assert.match(await saved.text(), /Saved/);
  const contact = (await world.exportOf('alice')).contact;
  assert.deepEqual([contact.dailyFor, contact.unsubscribedFrom], [['answer'], ['followed_thread']]);
  assert.match(await (await fetch(page)).text(), /name="answer" value="daily" checked/);

  // Two answers and a new post in her thread: the answers wait for the day's time, then go as one
  // mail; the thread's post she said never to is not mailed.
  const sentBefore = world.mails().filter((mail) => to(mail) === 'alice@example.com').length;
  await bob.submit({ kind: 'post', threadKey: 'stove', parentId: question.id, body: 'SECOND-ANSWER: and petrol.' });
  await carol.submit({ kind: 'post', threadKey: 'stove', parentId: question.id, body: 'THIRD-ANSWER: not kerosene.' });
  await carol.submit({ kind: 'post', threadKey: 'stove', body: 'A NEW-QUESTION of mine' });
  const hers = () => world.mails().filter((mail) => to(mail) === 'alice@example.com').slice(sentBefore);
  const burst = await until('the day\'s mail', () => hers().find((mail) => /^New posts for you: 2$/.test(mail.headers.subject)), 15000);
  assert.ok(burst.text.includes('SECOND-ANSWER') && burst.text.includes('THIRD-ANSWER'));
  await until('the starter\'s mail of the new question', () => world.mails().some((mail) => to(mail) === 'sam@shop.example' &&
    mail.text.includes('NEW-QUESTION')));
  await new Promise((resolve) => setTimeout(resolve, 1000));
  assert.equal(hers().length, 1, 'one mail for the day; nothing of the thread she said never to');
  await world.stop();
});

test('the widget is given the member\'s own preferences page: signed for them alone, in their mails\' language, and not to those the server mails nothing', async () => {
  const world = await community();
  const alice = await world.member('alice', { locale: 'nl' });
  const bob = await world.member('bob');
  const unproven = await world.member('uma', { verified: false });
  const silent = await world.member('sid', { email: '' });
  const guest = new SyncNodeClient(core, { port: world.server.port, site: 'shop', token: '', clientId: 'n-guest' });
  const guestWelcome = await guest.connect();
  world.clients.push(guest);
  assert.match(guestWelcome.member.id, /^guest:/);
  for (const [who, welcome] of [['a guest', guestWelcome], ['an unproven address', unproven.welcome], ['no address', silent.welcome]]) {
    assert.equal(welcome.preferencesUrl, '', `no preferences page for ${who}`);
  }
  const linkOf = (client) => {
    const link = new URL(client.welcome.preferencesUrl);
    assert.equal(link.protocol + link.hostname, 'http:127.0.0.1', 'on the site\'s publicUrl');
    assert.equal(Buffer.from(link.searchParams.get('member'), 'base64url').toString(), client.member.id);
    assert.equal(link.searchParams.get('kind'), 'all');
    return `http://127.0.0.1:${world.server.port}${link.pathname}${link.search}`;
  };
  const page = linkOf(alice);
  assert.notEqual(linkOf(bob), page);
  // Members the export knows: each has posted.
  const staff = await world.member('staff-sam', { role: 'staff', email: 'sam@shop.example' });
  await staff.submit({ kind: 'create_thread', key: 'lamp', title: 'Lamp', threadKind: 'discussion' });
  await alice.submit({ kind: 'post', threadKey: 'lamp', body: 'Mine flickers.' });
  await bob.submit({ kind: 'post', threadKey: 'lamp', body: 'Mine too.' });

  // Alice's mails are Dutch (her token's locale), and so is her page; bob's is English.
  const shown = await fetch(page);
  assert.equal(shown.status, 200);
  assert.equal(shown.headers.get('content-security-policy'),
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'", 'no script, framed by nobody');
  const form = await shown.text();
  assert.match(form, /<html lang="nl">/);
  assert.match(form, /<h1>Mailinstellingen<\/h1>/);
  assert.match(form, /Kies wat we je mailen, of stop alles\./);
  assert.match(form, /<legend>Antwoorden op je vragen<\/legend><label><input type="radio" name="answer" value="instant" checked> Direct/);
  assert.match(form, /<button>Alle mail stoppen<\/button>/, 'the button beside the form stops every kind');
  const english = await (await fetch(linkOf(bob))).text();
  assert.match(english, /<html lang="en">/);
  assert.match(english, /<legend>Answers to your questions<\/legend><label><input type="radio" name="answer" value="instant" checked> At once/);
  const saved = await fetch(page, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'answer=off&reply=daily&save=1' });
  assert.equal(saved.status, 200);
  assert.match(await saved.text(), /Opgeslagen: we mailen je zoals je koos\./);
  const contact = (await world.exportOf('alice')).contact;
  assert.deepEqual([contact.dailyFor, contact.unsubscribedFrom], [['reply'], ['answer']]);
  assert.deepEqual((await world.exportOf('bob')).contact.unsubscribedFrom, [], 'bob\'s choices are his own');
  await world.stop();
});

test('the site\'s defaults: a member who has not chosen gets replies never and followed threads once a day, until they choose', async () => {
  const world = await community({ extra: { defaults: { reply: 'off', followed_thread: 'daily' } },
    serverArgs: ['--mail-daily-period-ms', '4000'] });
  const staff = await world.member('staff-sam', { role: 'staff', email: 'sam@shop.example' });
  const alice = await world.member('alice');
  const bob = await world.member('bob');
  const hers = () => world.mails().filter((mail) => to(mail) === 'alice@example.com');
  await staff.submit({ kind: 'create_thread', key: 'kettle', title: 'Kettle', threadKind: 'discussion' });
  await staff.submit({ kind: 'create_thread', key: 'grill', title: 'Grill', threadKind: 'question' });
  const mine = await alice.submit({ kind: 'post', threadKey: 'kettle', body: 'Mine whistles.' });
  const question = await alice.submit({ kind: 'post', threadKey: 'grill', body: 'Gas or charcoal?' });
  await bob.submit({ kind: 'post', threadKey: 'kettle', parentId: mine.id, body: 'A-REPLY: descale it.' });
  await bob.submit({ kind: 'post', threadKey: 'kettle', body: 'A-NEW-POST in the kettle thread.' });
  await bob.submit({ kind: 'post', threadKey: 'grill', parentId: question.id, body: 'AN-ANSWER: charcoal.' });
  // An answer is at once (no default said otherwise); the thread's new post waits for the day's time.
  await until('the answer, at once', () => hers().some((mail) => mail.text.includes('AN-ANSWER')));
  const daily = await until('the followed thread\'s post, at the day\'s time',
    () => hers().find((mail) => mail.text.includes('A-NEW-POST')), 15000);
  assert.equal(daily.headers['x-kring-notification'], 'followed_thread');
  await new Promise((resolve) => setTimeout(resolve, 1000));
  assert.ok(!hers().some((mail) => mail.text.includes('A-REPLY')), 'the reply is not mailed: replies are off by default');

  // Her page shows the defaults as her choices; she takes replies at once from now on.
  const link = new URL(alice.welcome.preferencesUrl);
  const page = `http://127.0.0.1:${world.server.port}${link.pathname}${link.search}`;
  const form = await (await fetch(page)).text();
  assert.match(form, /name="reply" value="off" checked/);
  assert.match(form, /name="followed_thread" value="daily" checked/);
  assert.match(form, /name="answer" value="instant" checked/);
  const saved = await fetch(page, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'reply=instant&save=1' });
  assert.equal(saved.status, 200);
  const after = await (await fetch(page)).text();
  assert.match(after, /name="reply" value="instant" checked/);
  assert.match(after, /name="followed_thread" value="daily" checked/, 'a kind she did not name keeps the default');
  await bob.submit({ kind: 'post', threadKey: 'kettle', parentId: mine.id, body: 'SECOND-REPLY: or buy a new one.' });
  const reply = await until('the reply she chose to take', () => hers().find((mail) => mail.text.includes('SECOND-REPLY')));
  assert.equal(reply.headers['x-kring-notification'], 'reply');
  await world.stop();
});

test('a page that cannot read the member\'s contact shows no form with the defaults over her choices, and a one-click unsubscribe still goes through', async () => {
  const world = await community({ extra: { defaults: { reply: 'off' } } });
  const alice = await world.member('alice');
  const link = new URL(alice.welcome.preferencesUrl);
  const page = `http://127.0.0.1:${world.server.port}${link.pathname}${link.search}`;
  const post = (body) => fetch(page, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
  assert.equal((await post('reply=instant&save=1')).status, 200);
  assert.match(await (await fetch(page)).text(), /name="reply" value="instant" checked/, 'her choice, over the default');

  // The store's file moved away: the server's open connections go on, a new one cannot open it.
  const database = join(world.directory, 'kring.db');
  renameSync(database, `${database}.away`);
  try {
    const shown = await fetch(page);
    assert.equal(shown.status, 503);
    assert.match(await shown.text(), /Try again later\./);
    const stopped = await post('List-Unsubscribe=One-Click');
    assert.equal(stopped.status, 200);
    assert.match(await stopped.text(), /You are unsubscribed\./);
  } finally {
    renameSync(`${database}.away`, database);
  }
  const after = await (await fetch(page)).text();
  assert.match(after, /name="reply" value="off" checked/);
  assert.match(after, /name="answer" value="off" checked/, 'every kind stopped');
  await world.stop();
});

test('one-click unsubscribe: a GET only asks, a forged link is refused, the POST stops the next mail of that kind', async () => {
  const world = await community();
  const staff = await world.member('staff-sam', { role: 'staff', email: 'sam@shop.example' });
  const alice = await world.member('alice');
  const bob = await world.member('bob');
  await staff.submit({ kind: 'create_thread', key: 'tent', title: 'Tent', threadKind: 'question' });
  const question = await alice.submit({ kind: 'post', threadKey: 'tent', body: 'Does it fit two?' });
  await bob.submit({ kind: 'post', threadKey: 'tent', parentId: question.id, body: 'Two, snugly.' });
  const first = await until('alice\'s first answer mail', () => world.mails().find((mail) => to(mail) === 'alice@example.com'));
  const link = new URL(/^<(.*)>$/.exec(first.headers['list-unsubscribe'])[1]);
  const here = `http://127.0.0.1:${world.server.port}${link.pathname}${link.search}`;

  const page = await fetch(here);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<form method="post".*<button>Unsubscribe<\/button>/, 'a kind\'s link asks about that kind');
  const forged = new URL(here);
  forged.searchParams.set('member', Buffer.from('bob').toString('base64url'));
  const refused = await fetch(forged, { method: 'POST', body: 'List-Unsubscribe=One-Click' });
  assert.equal(refused.status, 400, 'a link signed for alice does not unsubscribe bob');

  await bob.submit({ kind: 'post', threadKey: 'tent', parentId: question.id, body: 'Second answer, after the GET' });
  await until('a GET unsubscribes nobody', () => world.mails().filter((mail) => to(mail) === 'alice@example.com').length === 2);

  const done = await fetch(here, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'List-Unsubscribe=One-Click' });
  assert.equal(done.status, 200);
  assert.match(await done.text(), /unsubscribed/);
  // Her data export says where she is mailed and what she left.
  assert.deepEqual((await world.exportOf('alice')).contact,
    { email: 'alice@example.com', language: 'en', undeliverable: false, unsubscribedFrom: ['answer'], dailyFor: [] });
  const sentBefore = world.mails().length;
  await bob.submit({ kind: 'post', threadKey: 'tent', parentId: question.id, body: 'Third answer, after the POST' });
  // The thread's starter is still told, so the op was delivered; alice's answer mail is not.
  await until('the starter\'s mail of the third answer', () => world.mails().length === sentBefore + 1);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const after = world.mails().slice(sentBefore);
  assert.deepEqual(summary(after), ['sam@shop.example followed_thread']);
  assert.ok(after[0].text.includes('Third answer, after the POST'));

  // One address gets 60 requests an hour (each is an HMAC check, a POST a write): then 429.
  const statuses = [];
  for (let i = 0; i < 60; i += 1) statuses.push((await fetch(here)).status);
  // Three requests were made above: 57 more are answered, then the address waits.
  assert.deepEqual([statuses.filter((status) => status === 200).length, statuses.filter((status) => status === 429).length],
    [57, 3]);
  assert.deepEqual(statuses.slice(57), [429, 429, 429]);
  const limited = await fetch(here, { method: 'POST', body: 'List-Unsubscribe=One-Click' });
  assert.equal(limited.status, 429);
  assert.equal(limited.headers.get('retry-after'), '3600');
  await world.stop();
});

test('held words are mailed only once approved (to the moderators before, to review them), and words removed or erased while a mail waited are never mailed', async () => {
  const world = await community();
  const staff = await world.member('staff-sam', { role: 'staff', email: 'sam@shop.example' });
  const admin = await world.member('admin-ada', { role: 'admin', email: '' });
  const moderator = await world.member('mod-mia', { role: 'moderator', email: 'mia@shop.example' });
  await moderator.submit({ kind: 'create_thread', key: 'mods', title: 'Moderators', threadKind: 'discussion' });
  const alice = await world.member('alice');
  const erin = await world.member('erin');
  const dave = await world.member('dave');
  await staff.submit({ kind: 'create_thread', key: 'stove', title: 'Stove', threadKind: 'question' });
  const question = await alice.submit({ kind: 'post', threadKey: 'stove', body: 'Does it burn alcohol?' });
  await until('the starter\'s mail', () => world.mails().length === 1);

  const held = await dave.submit({ kind: 'post', threadKey: 'stove', parentId: question.id, body: 'holdmeplease HELD-WORDS' });
  assert.equal(held.message.type, 'events');
  // The next post tells the asker and the thread's followers, dave among them (he posted, if held).
  await erin.submit({ kind: 'post', threadKey: 'stove', parentId: question.id, body: 'Only gas. MARKER-ONE' });
  const withText = (words) => world.mails().filter((mail) => mail.text.includes(words) && kindOf(mail) !== 'post_queued');
  await until('the mails of the post after the held one', () => withText('MARKER-ONE').length === 3);
  assert.deepEqual(summary(withText('MARKER-ONE')),
    ['alice@example.com answer', 'dave@example.com followed_thread', 'sam@shop.example followed_thread']);
  // Held, it is mailed to the moderator alone, who may read it and decides; the admin has no address.
  await until('the moderator hears of the held post', () => world.mails().some((mail) => kindOf(mail) === 'post_queued'));
  const queued = world.mails().filter((mail) => mail.raw.includes('HELD-WORDS'));
  assert.deepEqual(summary(queued), ['mia@shop.example post_queued']);
  assert.equal(queued[0].headers.subject, 'A post waits for review in Stove');
  await admin.submit({ kind: 'moderate', action: 'approve', target: held.id, reason: 'fine' });
  await until('the approved post\'s mails', () => withText('HELD-WORDS').length === 3);
  assert.deepEqual(summary(withText('HELD-WORDS')),
    ['alice@example.com answer', 'erin@example.com followed_thread', 'sam@shop.example followed_thread']);

  // The relay goes away: what is posted now waits in the outbox. Meanwhile one post is removed and its
  // author erased; when the relay is back only what everyone may still read is mailed.
  await world.sink.stop();
  const skippedBefore = await world.metric('kring_mail_skipped_total');
  const gone = await erin.submit({ kind: 'post', threadKey: 'stove', parentId: question.id, body: 'ERASED-WORDS from erin' });
  const removed = await dave.submit({ kind: 'post', threadKey: 'stove', parentId: question.id, body: 'REMOVED-WORDS from dave' });
  const kept = await alice.submit({ kind: 'post', threadKey: 'stove', parentId: question.id, body: 'KEPT-WORDS from alice' });
  await until('a retry while the relay is down', async () => (await world.metric('kring_mail_retried_total')) > 0);
  await admin.submit({ kind: 'moderate', action: 'reject', target: removed.id, reason: 'off topic' });
  await admin.submit({ kind: 'moderate', action: 'erase', target: 'erin', reason: 'asked to be forgotten' });
  const sink = await startSink(world.out, { port: world.sink.port });
  world.sink = sink;
  // Erased, erin is mailed nothing more: her address left the store with the rest of her.
  await until('the kept post\'s mails', () => withText('KEPT-WORDS').length === 2, 20_000);
  assert.deepEqual(summary(withText('KEPT-WORDS')), ['dave@example.com followed_thread', 'sam@shop.example followed_thread']);
  // erin's post told alice, sam and dave; dave's alice and sam (and erin): at least five skipped, not sent.
  let skipped = 0;
  await until('the taken-back mails are skipped', async () => {
    skipped = (await world.metric('kring_mail_skipped_total')) - skippedBefore;
    return skipped >= 5;
  }, 20_000).catch(() => {});
  assert.ok(skipped >= 5, `five mails skipped, saw ${skipped}`);
  for (const words of ['ERASED-WORDS', 'REMOVED-WORDS']) {
    assert.ok(!world.mails().some((mail) => mail.raw.includes(words)), `${words} were mailed`);
  }
  assert.ok(gone.id && kept.id);
  await world.stop();
  const stored = spawnSync('/usr/bin/python3', ['-c', `import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print(db.execute("SELECT COUNT(*) FROM member_contacts WHERE member = 'erin'").fetchone()[0],
      db.execute("SELECT COUNT(*) FROM member_contacts WHERE member = 'alice'").fetchone()[0],
      db.execute("SELECT COUNT(*) FROM outbox WHERE recipient = 'erin'").fetchone()[0])`, join(world.directory, 'kring.db')],
  { encoding: 'utf8' });
  assert.equal(stored.stdout.trim(), '0 1 0', `erin's address and mails are gone, alice's address stays: ${stored.stderr}`);
});

test('caps: a reply storm mails one member at most memberMailsPerHour in the window; what waited comes in one mail, none lost', async () => {
  // The cap's window shortened to 4 s (a test aid; an hour in production).
  const world = await community({ extra: { memberMailsPerHour: 3 }, serverArgs: ['--mail-cap-window-ms', '4000'] });
  const alice = await world.member('alice');
  const bob = await world.member('bob', { email: '' });
  await alice.submit({ kind: 'create_thread', key: 'storm', title: 'Storm', threadKind: 'discussion' });
  const root = await alice.submit({ kind: 'post', threadKey: 'storm', body: 'Start' });
  const started = Date.now();
  for (let i = 0; i < 8; i += 1) await bob.submit({ kind: 'post', threadKey: 'storm', parentId: root.id, body: `Reply ${i}` });
  const toAlice = () => world.mails().filter((mail) => to(mail) === 'alice@example.com');
  const quoted = () => [...new Set(toAlice().flatMap((mail) => [...mail.text.matchAll(/Reply (\d)/g)].map((m) => m[1])))];
  await until('every reply mailed', () => quoted().length === 8, 15_000);
  const mails = toAlice();
  // Each reply once, in at most three mails in the first window and the rest together after it.
  assert.deepEqual(quoted().sort(), ['0', '1', '2', '3', '4', '5', '6', '7']);
  assert.equal(mails.flatMap((mail) => [...mail.text.matchAll(/Reply \d/g)]).length, 8, 'no reply twice');
  const firstWindow = mails.filter((mail) => mail.receivedAt - started < 4000);
  assert.ok(firstWindow.length <= 3, `${firstWindow.length} mails in the first window`);
  const burst = mails.find((mail) => /^New posts for you: \d$/.test(mail.headers.subject));
  assert.ok(burst, 'what waited came as one mail');
  assert.match(burst.headers['list-unsubscribe'], /unsubscribe\?site=shop/);
  assert.ok(mails.length <= 4 && mails.length >= 2, `${mails.length} mails`);
  assert.equal(await world.metric('kring_mail_skipped_total'), 0, 'nothing was dropped');
  await world.stop();
});

test('a relay that refuses an address for good (5xx) marks it undeliverable: no second try, no further mail', async () => {
  const world = await community({ refuse: ['gone@example.com:550'] });
  const gone = await world.member('gone', { email: 'gone@example.com' });
  const bob = await world.member('bob', { email: '' });
  await gone.submit({ kind: 'create_thread', key: 'bounce', title: 'Bounce', threadKind: 'discussion' });
  const root = await gone.submit({ kind: 'post', threadKey: 'bounce', body: 'Start' });
  await bob.submit({ kind: 'post', threadKey: 'bounce', parentId: root.id, body: 'One' });
  await until('the refusal is dead-lettered', async () => (await world.metric('kring_mail_dead_total')) === 1);
  await bob.submit({ kind: 'post', threadKey: 'bounce', parentId: root.id, body: 'Two' });
  await until('the next one is skipped', async () => (await world.metric('kring_mail_skipped_total')) >= 1);
  assert.equal(await world.metric('kring_mail_dead_total'), 1, 'the address was not tried again');
  assert.equal(await world.metric('kring_mail_retried_total'), 0);
  assert.equal(world.mails().length, 0);
  await world.stop();
});

test('kill -9 between commit and delivery loses no mail: the next start sends each with the Message-ID it had', async () => {
  const world = await community();
  const alice = await world.member('alice');
  let bob = await world.member('bob', { email: '' });
  await alice.submit({ kind: 'create_thread', key: 'crash', title: 'Crash', threadKind: 'discussion' });
  const root = await alice.submit({ kind: 'post', threadKey: 'crash', body: 'Start' });
  for (let round = 0; round < 10; round += 1) {
    await world.sink.stop();  // the relay is away: the mails wait in the outbox
    const reply = await bob.submit({ kind: 'post', threadKey: 'crash', parentId: root.id, body: `ROUND-${round}` });
    assert.equal(reply.message.type, 'events', 'acknowledged: the op and its outbox rows are stored');
    world.server.child.kill('SIGKILL');
    await new Promise((resolve) => world.server.child.once('exit', resolve));
    world.sink = await startSink(world.out, { port: world.sink.port });
    world.server = await world.start();
    await until(`round ${round}'s mail`, () => world.mails().some((mail) => mail.text.includes(`ROUND-${round}`)), 20_000);
    bob = await world.member('bob', { email: '' });
  }
  const all = world.mails().filter((mail) => to(mail) === 'alice@example.com');
  const rounds = new Map();
  for (const mail of all) {
    const round = /ROUND-(\d+)/.exec(mail.text)[1];
    rounds.set(round, [...(rounds.get(round) ?? []), mail.headers['message-id']]);
  }
  assert.equal(rounds.size, 10, 'every round was mailed');
  for (const [round, ids] of rounds) assert.equal(new Set(ids).size, 1, `round ${round}: a second copy has the same Message-ID`);
  await world.stop();
});

// A post's ledger as `kring-server export` writes it, read beside the running server.
function exportedLedger(world, postId) {
  const archive = join(world.directory, `export-${Date.now()}.jsonl`);
  const exported = spawnSync(process.env.KRING_SERVER,
    ['export', '--db', `sqlite:${join(world.directory, 'kring.db')}`, '--site', 'shop', '--to', archive], { encoding: 'utf8' });
  assert.equal(exported.status, 0, exported.stderr);
  const lines = readFileSync(archive, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
  const post = lines.find((line) => line.post?.id === postId);
  assert.ok(post, `post ${postId} is in the archive`);
  return post.post.ledger;
}

test('a question nobody answered within unansweredAlertMinutes mails the site\'s staff and moderators once, and calls question.unanswered; the same check teaches the spam filter the posts that stood', async () => {
  const calls = [];
  const receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => { body += chunk; });
    request.on('end', () => { calls.push(JSON.parse(body)); response.end('ok'); });
  });
  await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => receiver.close());
  const hook = `http://127.0.0.1:${receiver.address().port}/hook`;
  const world = await community({
    moreSettings: { unansweredAlertMinutes: 1, spamHamAfterMinutes: 1 },
    siteExtra: { webhooks: { endpoints: [{ url: hook, secrets: [`whsec_${Buffer.alloc(32, 3).toString('base64')}`],
      events: ['question.unanswered'] }], allowPrivateTargets: ['127.0.0.1'] } },
    serverArgs: ['--alert-check-ms', '250'],
  });
  const staff = await world.member('staff-sam', { role: 'staff', email: 'sam@shop.example' });
  const moderator = await world.member('mod-mia', { role: 'moderator', email: 'mia@shop.example', locale: 'nl' });
  const alice = await world.member('alice');
  const bob = await world.member('bob');
  // The moderator is a member the site knows once she has acted; a discussion's opening post never alerts.
  await moderator.submit({ kind: 'create_thread', key: 'news', title: 'News', threadKind: 'discussion' });
  await moderator.submit({ kind: 'post', threadKey: 'news', body: 'Welcome, everyone.' });
  await staff.submit({ kind: 'create_thread', key: 'tent', title: 'Trail tent', threadKind: 'question' });
  await staff.subscribe('tent');  // the staff member answers in it, as the widget would: subscribed
  const waiting = await alice.submit({ kind: 'post', threadKey: 'tent', body: 'Does it fit **two**?' });
  const answered = await bob.submit({ kind: 'post', threadKey: 'tent', body: 'Is the pole aluminium?' });
  await staff.submit({ kind: 'post', threadKey: 'tent', parentId: answered.id, body: 'Yes, 7001 aluminium.' });
  const alerts = () => world.mails().filter((mail) => kindOf(mail) === 'unanswered_question');
  assert.equal(alerts().length, 0, 'no alert before the minute has passed');
  // A member's post waits to train the filter as ham; the staff's answer trained it at once.
  assert.deepEqual([exportedLedger(world, waiting.id).hamPending, exportedLedger(world, waiting.id).spamTrained], [true, 0]);

  await until('the staff member and the moderator are alerted', () => alerts().length === 2, 90_000);
  for (const post of [waiting, answered]) {
    assert.deepEqual([exportedLedger(world, post.id).hamPending, exportedLedger(world, post.id).spamTrained], [false, -1],
      'a post that stood the minute trained the filter as ham');
  }
  await until('the endpoint is called', () => calls.length === 1, 10_000);
  await new Promise((resolve) => setTimeout(resolve, 1500));  // checks keep running: nothing comes twice
  const sent = alerts();
  assert.deepEqual(summary(sent), ['mia@shop.example unanswered_question', 'sam@shop.example unanswered_question']);
  const toSam = sent.find((mail) => to(mail) === 'sam@shop.example');
  const toMia = sent.find((mail) => to(mail) === 'mia@shop.example');
  assert.equal(toSam.headers.subject, 'A question waits for an answer in Trail tent');
  assert.equal(toMia.headers.subject, 'Een vraag wacht op antwoord in Trail tent');
  assert.match(toSam.text, /Does it fit \*\*two\*\*\?/);
  assert.match(toSam.text, new RegExp(`https://shop\\.example/p/tent#kring-post-${waiting.id}`));
  assert.match(toSam.text, /you answer or moderate for this community/);
  assert.equal(calls.length, 1);
  assert.equal(calls[0].type, 'question.unanswered');
  assert.equal(calls[0].data.postId, waiting.id);
  assert.equal(calls[0].data.threadKey, 'tent');
  assert.equal(world.mails().filter((mail) => to(mail) === 'alice@example.com' && kindOf(mail) === 'unanswered_question').length, 0);
  await world.stop();
});

test('the staff\'s daily digest: one mail a day to each who speaks for the site, with the day\'s counts, the questions waiting and the review queue', async () => {
  // Hour 0: the first check of the day past midnight calls for it, whatever the time the test runs.
  const world = await community({ moreSettings: { staffDigestHourUtc: 0, unansweredAlertMinutes: 0 },
    serverArgs: ['--alert-check-ms', '1500'] });
  const staff = await world.member('staff-sam', { role: 'staff', email: 'sam@shop.example' });
  const moderator = await world.member('mod-mia', { role: 'moderator', email: 'mia@shop.example', locale: 'nl' });
  const alice = await world.member('alice');
  const dave = await world.member('dave');
  await moderator.submit({ kind: 'create_thread', key: 'news', title: 'News', threadKind: 'discussion' });
  await staff.submit({ kind: 'create_thread', key: 'pack', title: 'Day pack', threadKind: 'question' });
  const waiting = await alice.submit({ kind: 'post', threadKey: 'pack', body: 'Is it waterproof?' });
  await dave.submit({ kind: 'post', threadKey: 'news', body: 'holdmeplease cheap bags' });
  const digests = () => world.mails().filter((mail) => kindOf(mail) === 'daily_digest');
  await until('the digest for the staff member and the moderator', () => digests().length === 2, 20_000);
  await new Promise((resolve) => setTimeout(resolve, 3500));  // two more checks: once a day is once
  const sent = digests();
  assert.deepEqual(summary(sent), ['mia@shop.example daily_digest', 'sam@shop.example daily_digest']);
  const toSam = sent.find((mail) => to(mail) === 'sam@shop.example');
  const toMia = sent.find((mail) => to(mail) === 'mia@shop.example');
  assert.equal(toSam.headers.subject, 'The day in shop — new posts: 1, questions waiting: 1');
  assert.equal(toMia.headers.subject, 'De dag in shop — nieuwe berichten: 1, wachtende vragen: 1');
  assert.match(toSam.text, /^New posts in the last 24 hours: 1 \(questions: 1\)\.\r?$/m);
  assert.match(toSam.text, /The questions waiting longest:\r?\n- Day pack \(0 h\): https:\/\/shop\.example\/p\/pack#kring-post-/);
  assert.ok(toSam.text.includes(`#kring-post-${waiting.id}`));
  assert.match(toSam.text, /^Posts waiting for review in the console: 1\r?$/m);
  assert.match(toMia.text, /^Berichten die op beoordeling wachten in de console: 1\r?$/m);
  assert.ok(!toSam.raw.includes('holdmeplease'), 'the digest counts the queue; it does not quote it');
  assert.match(toSam.headers['list-unsubscribe'], /unsubscribe/);
  await world.stop();
});
