// The community manager console (/console) in Chromium against the real kring-server: sign-in and
// refusals, the queue (keyboard, bulk, undo, sanctions), the audit log's undo, the dashboard against a
// scenario counted by hand, CSV export, the policy editor and members. Registered by widget.test.mjs,
// so the whole browser suite shares one server and one Chromium.
import { seriousViolations } from './axe.mjs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCore, signToken, SyncNodeClient } from '../support/sync_node_client.mjs';

export const consoleSites = (secret) => {
  const settings = { privilegeVoteUp: 1, privilegeFlag: 1, ratePostsTrust0: 1000, ratePostsTrust1: 1000,
    spamHoldScore: 1000000, threadCreateMinTrustLevel: 0 };
  return [
    { id: 'console', allowedOrigins: ['*'], tokenSecret: secret, adminKey: 'console-admin-0123456789-abcdef', policy: { settings } },
    { id: 'console-metrics', allowedOrigins: ['*'], tokenSecret: secret, adminKey: 'console-admin-0123456789-abcdef', policy: { settings } },
    // Its webhook points at loopback without allowPrivateTargets: each delivery is refused at once and dead.
    { id: 'console-hooks', allowedOrigins: ['*'], tokenSecret: secret, adminKey: 'console-admin-0123456789-abcdef', policy: { settings },
      threadPages: 'https://shop.example/p/{thread}',
      webhooks: { endpoints: [{ url: 'http://127.0.0.1:9/hook', secrets: ['whsec_' + Buffer.alloc(24, 7).toString('base64')] }] } },
  ];
};

export function registerConsoleTests(fixture) {
  const { secret, wasmJs, WAIT } = fixture;
  const adminKey = 'console-admin-0123456789-abcdef';
  const base = () => `http://127.0.0.1:${fixture.port}`;
  const token = (sub, role, site = 'console') => signToken({ site, secret, sub, name: `Name ${sub}`, role });
  let core;
  let clients = 0;  // each client's op ids are its clientId and a count: no two clients share one

  // A member acting through the sync protocol, as a widget would, following `threads`.
  async function member(sub, role = 'member', site = 'console', threads = []) {
    core ??= await loadCore(wasmJs);
    const client = new SyncNodeClient(core, { port: fixture.port, site, token: token(sub, role, site), clientId: `console-${sub}-${(clients += 1)}` });
    await client.connect();
    for (const thread of threads) await client.subscribe(thread);
    return client;
  }

  // The console for a host token handed over in the fragment (the host's own sign-in), or the sign-in form.
  // bypassCSP lets axe-core's script in.
  async function openConsole({ site = 'console', credential = '', lang = '', width = 1280, signedIn = true, bypassCSP = false } = {}) {
    const page = await fixture.newPage({ viewport: { width, height: 900 }, acceptDownloads: true, bypassCSP });
    const query = new URLSearchParams({ site });
    if (lang) query.set('lang', lang);
    await page.goto(`${base()}/console/?${query}${credential ? `#token=${encodeURIComponent(credential)}` : ''}`);
    if (credential && signedIn) await page.locator('[data-who]').waitFor({ timeout: WAIT });
    return page;
  }

  async function signInWithKey(page, site, key) {
    await page.locator('input[name="site"]').fill(site);
    await page.locator('input[name="credential"]').fill(key);
    await page.locator('button[type="submit"]').click();
  }

  const api = async (site, path, credential = adminKey) =>
    (await fetch(`${base()}/api/sites/${site}/${path}`, { headers: { Authorization: `Bearer ${credential}` } })).json();
  const queueItem = (page, postId) => page.locator(`#queue article[data-post-id="${postId}"]`);
  const noHorizontalScroll = (page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

  // Held: a new member's post over the link limit (newMemberMaxLinks 2).
  const linky = (n) => `Deal number ${n}: https://a.example/${n} https://b.example/${n} https://c.example/${n}`;

  test('console: nothing answers without credentials - no key, a wrong key, a member\'s token', async () => {
    for (const path of ['whoami', 'moderation', 'audit', 'unanswered', 'members', 'policy', 'metrics.csv?from=0&to=1']) {
      const response = await fetch(`${base()}/api/sites/console/${path}`);
      assert.equal(response.status, 401, path);
      assert.equal((await response.json()).error, 'credentials_required', path);
    }
    const forged = await fetch(`${base()}/api/sites/console/actions`, {
      method: 'POST', headers: { Authorization: 'Bearer not-the-key', 'Content-Type': 'application/json' },
      body: JSON.stringify({ moderate: { action: 'ban', memberId: 'anyone', reason: 'forged' } }) });
    assert.equal(forged.status, 401);
    const asMember = await fetch(`${base()}/api/sites/console/actions`, {
      method: 'POST', headers: { Authorization: `Bearer ${token('c-plain', 'member')}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ moderate: { action: 'ban', memberId: 'anyone', reason: 'not mine to do' } }) });
    assert.equal(asMember.status, 403);
    assert.equal((await asMember.json()).error, 'not_a_moderator');

    const page = await openConsole();
    assert.equal(await page.locator('nav').count(), 0);
    await signInWithKey(page, 'console', 'not-the-admin-key');
    await page.locator('[data-sign-in-error]', { hasText: 'bad_credentials' }).waitFor({ timeout: WAIT });
    const refused = await openConsole({ credential: token('c-plain', 'member'), signedIn: false });
    await refused.locator('[data-sign-in-error]', { hasText: 'not_a_moderator' }).waitFor({ timeout: WAIT });
    assert.equal(await refused.locator('nav').count(), 0);
    // The console is never framed by another page.
    const served = await fetch(`${base()}/console/`);
    assert.equal(served.headers.get('x-frame-options'), 'DENY');
    assert.match(served.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
  });

  test('console: a held post is approved from the queue with the keyboard and appears in the widget; screenshot of the queue', async () => {
    const thread = 'console-held';
    const staff = await member('c-staff', 'staff');
    await staff.submit({ kind: 'create_thread', key: thread, title: 'Which tent for two?', threadKind: 'discussion' });
    const newbie = await member('c-newbie', 'member', 'console', [thread]);
    const held = await newbie.submit({ kind: 'post', threadKey: thread, body: linky(1) });
    const reader = await fixture.openWidget({ sub: 'c-reader', thread, site: 'console' });
    assert.equal(await fixture.countPosts(reader, 'Deal number 1'), 0, 'a held post is not shown to readers');

    const page = await openConsole({ credential: token('c-mod', 'moderator') });
    const item = queueItem(page, held.id);
    await item.waitFor({ timeout: WAIT });
    assert.equal(await item.getAttribute('data-category'), 'held');
    assert.match(await item.locator('.why').innerText(), /new_member_limits/);
    assert.match(await item.locator('.author').innerText(), /Name c-newbie/);
    assert.ok(await noHorizontalScroll(page), 'the queue fits a laptop screen');
    await page.screenshot({ path: join(fixture.screenshots, 'console-queue.png'), fullPage: true });

    await item.locator('header time').click();
    await page.keyboard.press('a');
    await item.waitFor({ state: 'detached', timeout: WAIT });
    await fixture.postId(reader, 'Deal number 1');
    const audit = await api('console', 'audit');
    assert.ok(audit.some((entry) => entry.action === 'approve' && entry.postId === held.id && entry.actorId === 'c-mod'));
    for (const client of [staff, newbie]) client.close();
  });

  test('console: bulk reject, then undo from the notice brings every post back to the queue', async () => {
    const thread = 'console-bulk';
    const staff = await member('c-staff', 'staff');
    await staff.submit({ kind: 'create_thread', key: thread, title: 'Bulk', threadKind: 'discussion' });
    const newbie = await member('c-bulk', 'member', 'console', [thread]);
    const ids = [];
    for (const n of [21, 22, 23]) ids.push((await newbie.submit({ kind: 'post', threadKey: thread, body: linky(n) })).id);
    const page = await openConsole();
    await signInWithKey(page, 'console', adminKey);
    for (const id of ids) await queueItem(page, id).locator('input[type="checkbox"]').check();
    await page.locator('[data-selected]', { hasText: '3' }).waitFor({ timeout: WAIT });
    await page.locator('[data-bulk="reject"]').click();
    for (const id of ids) await queueItem(page, id).waitFor({ state: 'detached', timeout: WAIT });
    const rejected = (await api('console', 'audit')).filter((entry) => ids.includes(entry.postId) && entry.action === 'reject');
    assert.equal(rejected.length, 3);
    assert.ok(rejected.every((entry) => entry.actorId === 'kring:console'));

    await page.locator('[data-undo-notice]').click();
    for (const id of ids) await queueItem(page, id).waitFor({ timeout: WAIT });
    const after = (await api('console', 'audit')).filter((entry) => ids.includes(entry.postId) && entry.action === 'reject');
    assert.ok(after.every((entry) => entry.undone), 'each reject is undone in the audit log');
    const queue = (await api('console', 'moderation')).queue.filter((entry) => ids.includes(entry.postId));
    assert.deepEqual(queue.map((entry) => entry.state), ['pending_review', 'pending_review', 'pending_review']);
    for (const client of [staff, newbie]) client.close();
  });

  test('console: banning the author from the queue stops them posting; undo in the audit log lets them back', async () => {
    const thread = 'console-ban';
    const staff = await member('c-staff', 'staff');
    await staff.submit({ kind: 'create_thread', key: thread, title: 'Ban', threadKind: 'discussion' });
    const spammer = await member('c-spammer', 'member', 'console', [thread]);
    const held = await spammer.submit({ kind: 'post', threadKey: thread, body: linky(31) });
    const page = await openConsole({ credential: token('c-admin', 'admin') });
    const item = queueItem(page, held.id);
    await item.waitFor({ timeout: WAIT });
    await item.locator('[data-action="ban"]').click();
    await page.locator('#queue .error', { hasText: 'reason' }).waitFor({ timeout: WAIT });  // a ban needs a reason
    await page.locator('#queue-reason').fill('Link spam, three times');
    await item.locator('[data-action="ban"]').click();
    await page.locator('.notice').waitFor({ timeout: WAIT });
    await assert.rejects(spammer.submit({ kind: 'post', threadKey: thread, body: 'Still here?' }), (error) => error.code === 'member_banned');

    await page.locator('nav [data-panel="audit"]').click();
    await page.locator('#audit select[name="action"]').selectOption('ban');
    const row = page.locator('#audit tr[data-action="ban"]', { hasText: 'c-spammer' });
    await row.locator('[data-undo]').click();
    await page.locator('#audit tr.undone[data-action="ban"]', { hasText: 'c-spammer' }).waitFor({ timeout: WAIT });
    await spammer.submit({ kind: 'post', threadKey: thread, body: 'Back, and behaving' });
    for (const client of [staff, spammer]) client.close();
  });

  test('console: the dashboard shows a scenario\'s metrics as counted by hand; CSV exports parse; screenshot', async () => {
    const site = 'console-metrics';
    const thread = 'metrics-q';
    const staff = await member('m-staff', 'staff', site);
    await staff.submit({ kind: 'create_thread', key: thread, title: 'Trail Runner questions', threadKind: 'question' });
    const [ann, ben, cara, dan] = await Promise.all(['m-ann', 'm-ben', 'm-cara', 'm-dan'].map((sub) => member(sub, 'member', site, [thread])));
    await staff.subscribe(thread);
    const q1 = await ann.submit({ kind: 'post', threadKey: thread, body: 'Do they run true to size?' });
    const a1 = await staff.submit({ kind: 'post', threadKey: thread, parentId: q1.id, body: 'Yes, true to size.' });
    await ann.submit({ kind: 'accept', answerId: a1.id });
    const q2 = await ben.submit({ kind: 'post', threadKey: thread, body: 'Is there a wide version?' });
    const a2 = await cara.submit({ kind: 'post', threadKey: thread, parentId: q2.id, body: 'The 2E fits my wide feet.' });
    await ben.submit({ kind: 'vote', postId: a2.id, direction: 'up' });
    await dan.submit({ kind: 'post', threadKey: thread, body: 'Do they come in green?' });
    // By hand: 3 questions; 2 answered (66.6%), 1 solved (33.3%); first answers 1 by the community and
    // 1 by staff; the accepted one is staff's; 5 posted, all for the first time; Dan's waits; no
    // moderation. Cara is the one champion: +10 for Ben's up vote (staff and askers' +2 do not count).
    const page = await openConsole({ site, credential: token('m-mod', 'moderator', site) });
    await page.locator('nav [data-panel="dashboard"]').click();
    const metric = (name) => page.locator(`#dashboard [data-metric="${name}"] strong`).innerText();
    await page.locator('#dashboard [data-metric="questionsAsked"]').waitFor({ timeout: WAIT });
    assert.deepEqual({
      unanswered: await metric('unanswered'), questions: await metric('questionsAsked'),
      answerRate: await metric('answerRate'), solved: await metric('solved'), firstResponses: await metric('firstResponses'),
      accepted: await metric('accepted'), contributors: await metric('activeContributors'), newMembers: await metric('newMembers'),
      moderation: await metric('moderationActions'),
    }, { unanswered: '1', questions: '3', answerRate: '66.6%', solved: '33.3%', firstResponses: '1 / 1', accepted: '0 / 1',
      contributors: '5', newMembers: '5', moderation: '0' });
    await page.locator('#dashboard .chart canvas').first().waitFor({ timeout: WAIT });
    assert.equal(await page.locator('#dashboard .chart canvas').count(), 2);
    assert.ok(await noHorizontalScroll(page), 'the dashboard fits a laptop screen');
    await page.screenshot({ path: join(fixture.screenshots, 'console-dashboard.png'), fullPage: true });

    await page.locator('nav [data-panel="champions"]').click();
    const champions = page.locator('#champions tbody tr');
    await champions.first().waitFor({ timeout: WAIT });
    assert.deepEqual(await champions.evaluateAll((rows) => rows.map((row) => [row.dataset.memberId, row.children[1].textContent])),
      [['m-cara', '10']]);

    await page.locator('nav [data-panel="export"]').click();
    const csv = async (name) => {
      const [download] = await Promise.all([page.waitForEvent('download'), page.locator(`[data-export="${name}"]`).click()]);
      return readFileSync(await download.path(), 'utf8').trim().split(/\r?\n/).map((line) => line.split(','));
    };
    const summary = await csv('metrics-csv');
    assert.deepEqual(summary[0], ['metric', 'value']);
    const value = (name) => summary.find(([metricName]) => metricName === name)?.[1];
    assert.equal(value('questionsAsked'), '3');
    assert.equal(value('answerRate.count'), '2');
    assert.equal(value('answerRate.of'), '3');
    const days = await csv('days-csv');
    assert.deepEqual(days[0], ['date', 'questions', 'answers', 'moderationActions', 'newMembers']);
    const today = new Date().toISOString().slice(0, 10);
    assert.deepEqual(days.find(([date]) => date === today), [today, '3', '2', '0', '5']);
    assert.equal(days.length - 1, 30, 'one row for each day of the last 30');
    for (const client of [staff, ann, ben, cara, dan]) client.close();
  });

  test('console: a policy change is refused with its field named, then saved, audited and in effect at once', async () => {
    const thread = 'console-policy';
    const staff = await member('c-staff', 'staff');
    await staff.submit({ kind: 'create_thread', key: thread, title: 'Policy', threadKind: 'discussion' });
    const page = await openConsole();
    await signInWithKey(page, 'console', adminKey);
    await page.locator('nav [data-panel="policy"]').click();
    const links = page.locator('#policy input[name="newMemberMaxLinks"]');
    await links.waitFor({ timeout: WAIT });
    await links.fill('-5');
    await page.locator('#policy button[type="submit"]').click();
    await page.locator('#policy .error[data-field="newMemberMaxLinks"]').waitFor({ timeout: WAIT });
    assert.equal(await links.getAttribute('aria-invalid'), 'true');
    assert.equal((await api('console', 'policy')).settings.newMemberMaxLinks, 2, 'nothing of a refused policy is kept');

    await links.fill('5');
    await page.locator('#policy button[type="submit"]').click();
    await page.locator('#policy [data-saved]').waitFor({ timeout: WAIT });
    assert.equal((await api('console', 'policy')).settings.newMemberMaxLinks, 5);
    assert.ok((await api('console', 'audit')).some((entry) => entry.action === 'update_policy' && entry.actorId === 'kring:console'));
    // In effect at once: three links no longer hold a new member's post.
    const newbie = await member('c-policy-newbie', 'member', 'console', [thread]);
    const posted = await newbie.submit({ kind: 'post', threadKey: thread, body: linky(41) });
    const queue = (await api('console', 'moderation')).queue;
    assert.ok(!queue.some((entry) => entry.postId === posted.id && entry.category === 'held'));
    for (const client of [staff, newbie]) client.close();
  });

  test('console: an admin sees a dead webhook, why it died, and tries it again', async () => {
    const staff = await member('c-hooks', 'staff', 'console-hooks');
    await staff.submit({ kind: 'create_thread', key: 'hooked', title: 'Hooked', threadKind: 'discussion' });
    await staff.submit({ kind: 'post', threadKey: 'hooked', body: 'An event for the host' });
    staff.close();
    const page = await openConsole({ site: 'console-hooks', signedIn: false });
    await signInWithKey(page, 'console-hooks', adminKey);
    await page.locator('[data-who]').waitFor({ timeout: WAIT });
    await page.locator('nav [data-panel="deliveries"]').click();
    const row = page.locator('#deliveries li[data-dead^="webhook-"]').first();
    await row.waitFor({ timeout: WAIT });
    assert.match(await row.innerText(), /post\.created → http:\/\/127\.0\.0\.1:9\/hook refused: an endpoint must be https/);
    assert.match(await row.innerText(), /tries: 1/);
    await row.locator('button[data-retry]').click();
    await page.locator('text=It goes out again within a second.').waitFor({ timeout: WAIT });
    // Tried again: refused again at once, and dead with two tries now (the panel is read afresh).
    for (let waited = 0; !(await api('console-hooks', 'dead-letters')).webhooks.some((entry) => entry.attempts === 2); waited += 100) {
      assert.ok(waited < WAIT, 'the retry was tried within the delivery\'s poll');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await page.locator('nav [data-panel="queue"]').click();
    await page.locator('nav [data-panel="deliveries"]').click();
    await page.locator('#deliveries li[data-dead^="webhook-"]', { hasText: 'tries: 2' }).waitFor({ timeout: WAIT });
    // The delivery log lists it too, with its state and a button that sends it again.
    const logged = page.locator('#deliveries li[data-log^="webhook-"][data-state="dead"]', { hasText: 'tries: 2' }).first();
    await logged.waitFor({ timeout: WAIT });
    assert.match(await logged.innerText(), /post\.created → http:\/\/127\.0\.0\.1:9\/hook\s+dead/);
    await logged.locator('button[data-replay]').click();
    for (let waited = 0; !(await api('console-hooks', 'dead-letters')).webhookLog.some((entry) => entry.attempts === 3); waited += 100) {
      assert.ok(waited < WAIT, 'the replay was tried within the delivery\'s poll');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  test('console: an admin adds a webhook endpoint, sees its secret once, rotates it, and removes it; an endpoint from the sites file cannot be changed', async () => {
    const site = 'console-hooks';
    const fileUrl = 'http://127.0.0.1:9/hook';
    const url = 'https://hooks.example/kring';
    const endpointsNow = async () => (await api(site, 'webhooks')).endpoints;
    const before = await api(site, 'webhooks');
    assert.equal(before.editable, true, 'the test server stores in SQLite');
    assert.deepEqual(before.endpoints.map((endpoint) => [endpoint.url, endpoint.source]), [[fileUrl, 'file']]);
    assert.ok(before.eventTypes.includes('post.created') && before.eventTypes.includes('flag.raised'));

    const page = await openConsole({ site, signedIn: false, bypassCSP: true });
    await signInWithKey(page, site, adminKey);
    await page.locator('[data-who]').waitFor({ timeout: WAIT });
    await page.locator('nav [data-panel="deliveries"]').click();
    const panel = page.locator('#webhooks');
    const fileRow = panel.locator(`li[data-endpoint="${fileUrl}"]`);
    await fileRow.waitFor({ timeout: WAIT });
    assert.match(await fileRow.innerText(), /every event.*set in the sites file.*secrets: 1/s);
    assert.equal(await fileRow.locator('button').count(), 0, 'an endpoint from the sites file has no buttons');
    assert.equal(await panel.locator('[data-secret]').count(), 0);
    assert.equal(await panel.locator('input[name="webhook-event"]').count(), before.eventTypes.length);
    assert.deepEqual(await seriousViolations(page), [], 'the webhook endpoints panel');

    // Added through the form: its secret is shown, once.
    await panel.locator('input[name="webhook-url"]').fill(url);
    for (const type of ['post.created', 'flag.raised']) await panel.locator(`input[name="webhook-event"][value="${type}"]`).check();
    await panel.locator('form button[type="submit"]').click();
    const secret = panel.locator('code[data-secret]');
    await secret.waitFor({ timeout: WAIT });
    const first = await secret.innerText();
    assert.match(first, /^whsec_/);
    assert.match(await panel.locator('.secret').innerText(), /shown only this once/);
    const added = (await endpointsNow()).find((endpoint) => endpoint.url === url);
    assert.deepEqual({ source: added?.source, events: added?.events, secrets: added?.secrets },
      { source: 'console', events: ['post.created', 'flag.raised'], secrets: 1 });
    assert.ok(first.startsWith(added.secretHint), 'the list hints at the secret shown');
    const row = panel.locator(`li[data-endpoint="${url}"]`);
    await row.waitFor({ timeout: WAIT });
    assert.match(await row.innerText(), /post\.created, flag\.raised.*added here.*secrets: 1/s);
    assert.equal(await panel.locator('input[name="webhook-url"]').inputValue(), '', 'the form is emptied');
    assert.deepEqual(await seriousViolations(page), [], 'the webhook endpoints panel with a secret shown');

    // Rotated: a new secret is shown; the old one keeps signing until the next rotation.
    await row.locator(`button[data-rotate="${url}"]`).click();
    await page.waitForFunction((old) => {
      const shown = document.querySelector('#webhooks code[data-secret]');
      return shown && shown.textContent !== old;
    }, first, { timeout: WAIT });
    const second = await secret.innerText();
    assert.match(second, /^whsec_/);
    assert.notEqual(second, first);
    const rotated = (await endpointsNow()).find((endpoint) => endpoint.url === url);
    assert.equal(rotated?.secrets, 2);
    assert.ok(second.startsWith(rotated.secretHint), 'the new secret signs first');
    await row.locator('text=secrets: 2').waitFor({ timeout: WAIT });
    await page.screenshot({ path: join(fixture.screenshots, 'console-webhooks.png'), fullPage: true });

    // Refused: a loopback target over http, the reason in the alert; the secret is off the screen.
    await panel.locator('input[name="webhook-url"]').fill('http://127.0.0.1:8/x');
    await panel.locator('form button[type="submit"]').click();
    const alert = panel.locator('[role="alert"]');
    await alert.waitFor({ timeout: WAIT });
    assert.match(await alert.innerText(), /https|private|loopback/i);
    assert.equal(await panel.locator('[data-secret]').count(), 0);
    assert.ok(!(await endpointsNow()).some((endpoint) => endpoint.url === 'http://127.0.0.1:8/x'));

    // Remove asks first: dismissed (the fixture dismisses every dialog), the endpoint stays; accepted, it goes.
    const dialogsBefore = page.dialogs.length;
    await row.locator(`button[data-remove="${url}"]`).click();
    for (let waited = 0; page.dialogs.length === dialogsBefore; waited += 50) {
      assert.ok(waited < WAIT, 'Remove asks first');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.match(page.dialogs.at(-1), /Remove https:\/\/hooks\.example\/kring\?/);
    assert.ok((await endpointsNow()).some((endpoint) => endpoint.url === url), 'a dismissed confirm removes nothing');
    page.removeAllListeners('dialog');
    page.once('dialog', (dialog) => dialog.accept());
    await row.locator(`button[data-remove="${url}"]`).click();
    await row.waitFor({ state: 'detached', timeout: WAIT });
    assert.deepEqual((await endpointsNow()).map((endpoint) => endpoint.url), [fileUrl]);
    await fileRow.waitFor({ timeout: WAIT });
    assert.equal(await fileRow.locator('button').count(), 0);
  });

  test('console: in Dutch, a moderator finds a member, sets their trust level with a reason, and undoes it', async () => {
    const staff = await member('c-staff', 'staff');
    await staff.submit({ kind: 'create_thread', key: 'console-dutch', title: 'Hallo', threadKind: 'discussion' });
    const newbie = await member('c-dutch', 'member', 'console', ['console-dutch']);
    await newbie.submit({ kind: 'post', threadKey: 'console-dutch', body: 'Mijn eerste bericht' });
    for (const client of [staff, newbie]) client.close();
    const page = await openConsole({ credential: token('c-mod', 'moderator'), lang: 'nl' });
    assert.equal(await page.locator('nav [data-panel="queue"]').innerText().then((text) => text.split(' ')[0]), 'Wachtrij');
    await page.keyboard.press('6');
    await page.locator('#members input[name="q"]').fill('c-dutch');
    await page.locator('#members tr[data-member-id="c-dutch"] button').click();
    const detail = page.locator('#member[data-member-id="c-dutch"]');
    await detail.waitFor({ timeout: WAIT });
    await detail.locator('select[name="trustLevel"]').selectOption('2');
    await detail.locator('[data-change="trust"]').click();
    await detail.locator('.error', { hasText: 'reden' }).waitFor({ timeout: WAIT });
    await detail.locator('#member-reason').fill('Helpt veel nieuwe leden');
    await detail.locator('[data-change="trust"]').click();
    await detail.locator('[data-fact="trustLevel"]', { hasText: '2' }).waitFor({ timeout: WAIT });
    await page.locator('[data-undo-notice]').click();
    await detail.locator('[data-fact="trustLevel"]', { hasText: '0' }).waitFor({ timeout: WAIT });
  });
}

// The demo's console, as `make demo` seeds it: every panel shows the seeded work. One screenshot each.
export async function checkDemoConsole(browser, base, moderatorToken, screenshots) {
  // bypassCSP: axe-core is an injected script.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true, bypassCSP: true });
  const errors = [];
  const page = await context.newPage();
  page.on('pageerror', (error) => errors.push(String(error)));
  try {
    await page.goto(`${base}/console/?site=demo#token=${encodeURIComponent(moderatorToken)}`);
    await page.locator('[data-who]', { hasText: 'Mia' }).waitFor({ timeout: 10_000 });
    const panels = {
      queue: '#queue article[data-category="held"]',
      unanswered: '#unanswered li[data-post-id]',
      dashboard: '#dashboard .chart canvas',
      champions: '#champions tr[data-member-id="lieke"]',
      audit: '#audit tr[data-action="feature"]',
      members: '#members tr[data-member-id="nina"]',
      policy: '#policy input[name="newMemberMaxLinks"]',
      deliveries: '#deliveries h2',
      export: '#export [data-export="metrics-csv"]',
    };
    for (const [panel, shows] of Object.entries(panels)) {
      await page.locator(`nav [data-panel="${panel}"]`).click();
      await page.locator(shows).first().waitFor({ timeout: 10_000 });
      await page.screenshot({ path: `${screenshots}/demo-console-${panel}.png`, fullPage: true });
      assert.deepEqual(await seriousViolations(page), [], `the console's ${panel} panel`);
    }
    await page.locator('nav [data-panel="queue"]').click();
    await page.locator('#queue article[data-category="flagged"]').first().waitFor({ timeout: 10_000 });
  } finally {
    await context.close();
  }
  assert.deepEqual(errors, []);
}
