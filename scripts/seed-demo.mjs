// Seeds the demo site with a product Q&A and a blog discussion, through the real server.
import { readFileSync } from 'node:fs';
import { loadCore, signThreadTicket, signToken, SyncNodeClient } from '../tests/support/sync_node_client.mjs';
import { parseArgs } from '../tests/support/frames.mjs';

const args = parseArgs(process.argv.slice(2));
const site = JSON.parse(readFileSync(args.sites, 'utf8')).sites[0];
const core = await loadCore(args.wasm);
const people = {
  noor: { name: 'Noor', role: 'member' },
  // Sam's verified address is the one the imported history (demo-history.mjs) has for Sam: signing
  // in claims those answers as his (docs/import.md).
  sam: { name: 'Sam (Acme support)', role: 'staff', email: 'sam.acme@example.com' },
  lieke: { name: 'Lieke', role: 'member' },
  ravi: { name: 'Ravi', role: 'member' },
  nina: { name: 'Nina', role: 'member' },
  'mod-mia': { name: 'Mia (moderator)', role: 'moderator' },
};
const clients = {};
for (const [sub, person] of Object.entries(people)) {
  const claims = person.email ? { email: person.email, email_verified: true } : {};
  const token = signToken({ site: site.id, secret: site.tokenSecret, sub, name: person.name, role: person.role, claims });
  clients[sub] = new SyncNodeClient(core, { port: Number(args.port), site: site.id, token, clientId: `seed-${sub}` });
  await clients[sub].connect();
  // Like a widget on the page: follow the threads, so every replica holds what it acts on.
  await clients[sub].subscribe('sku-trail-runner-2');
  await clients[sub].subscribe('/blog/first-ultra');
}
const { noor, sam, lieke, ravi, nina, 'mod-mia': mia } = clients;
// The imported history (demo.sh) may have brought a page's thread in already: the new posts join it.
const created = (submitted) => submitted.catch((error) => { if (error.code !== 'thread_exists') throw error; });

await created(sam.submit({ kind: 'create_thread', key: 'sku-trail-runner-2', title: 'Acme Trail Runner 2', threadKind: 'question' }));
const fit = await noor.submit({ kind: 'post', threadKey: 'sku-trail-runner-2', body: 'Do these run true to size? I wear 42 in most road shoes.' });
const fitAnswer = await lieke.submit({ kind: 'post', threadKey: 'sku-trail-runner-2', parentId: fit.id, body: 'Mine fit like my road shoes, maybe a little narrow at the toes.' });
const staffAnswer = await sam.submit({ kind: 'post', threadKey: 'sku-trail-runner-2', parentId: fit.id, body: 'They are true to size. If you are between sizes, take the larger one: the toe box is snug.' });
await noor.submit({ kind: 'accept', answerId: staffAnswer.id });
await ravi.submit({ kind: 'vote', postId: staffAnswer.id, direction: 'up' });
await noor.submit({ kind: 'vote', postId: fitAnswer.id, direction: 'up' });
await lieke.submit({ kind: 'post', threadKey: 'sku-trail-runner-2', parentId: staffAnswer.id, body: 'Good to know, thanks!' });
const waterproof = await ravi.submit({ kind: 'post', threadKey: 'sku-trail-runner-2', body: 'Is there a waterproof version?' });
await sam.submit({ kind: 'post', threadKey: 'sku-trail-runner-2', parentId: waterproof.id, body: 'Not yet; a GTX version is planned for the autumn.' });

// A new member starts the blog's thread with the ticket the blog page carries (demo-tokens.mjs).
const blog = { key: '/blog/first-ultra', title: 'Five trails for your first ultra', kind: 'discussion' };
await created(lieke.submit({ kind: 'create_thread', key: blog.key, title: blog.title, threadKind: blog.kind,
  ticket: signThreadTicket({ site: site.id, secret: site.tokenSecret, ...blog }) }));
const comment = await lieke.submit({ kind: 'post', threadKey: '/blog/first-ultra', body: 'Ran the second one last spring: lovely, and the café is real.' });
await ravi.submit({ kind: 'post', threadKey: '/blog/first-ultra', parentId: comment.id, body: 'How long did it take you?' });
await lieke.submit({ kind: 'post', threadKey: '/blog/first-ultra', parentId: comment.id, body: 'About seven hours with a long lunch.' });

// What a community manager finds in the console (/console): a question nobody has answered, a new
// member's post held for its links, a post staff flagged, and a moderator's praise in the audit log.
await ravi.submit({ kind: 'post', threadKey: 'sku-trail-runner-2', body: 'Do they come in a wide fit? My feet are 2E.' });
await nina.submit({ kind: 'post', threadKey: 'sku-trail-runner-2',
  body: 'Cheapest Trail Runner 2 deals: https://deals.example/1 https://deals.example/2 https://deals.example/3' });
const offTopic = await nina.submit({ kind: 'post', threadKey: '/blog/first-ultra', body: 'Anyone selling a used bike?' });
await sam.submit({ kind: 'flag', postId: offTopic.id, reason: 'off_topic' });
await mia.submit({ kind: 'moderate', action: 'feature', target: fitAnswer.id, reason: 'A clear, first-hand answer on fit' });

// The imported month's questions (demo.sh, --history): staff accept an answer to every other one
// that has some, as a brand's staff would mark the best, so the dashboard's "solved" and champions
// have a month behind them too.
if (args.history) {
  const keys = [...readFileSync(args.history, 'utf8').matchAll(/<link>[^<]*\/products\/([^<]+)<\/link>/g)]
    .map(([, slug]) => (slug === 'trail-runner-2' ? 'sku-trail-runner-2' : `/products/${slug}`));
  let accepted = 0;
  for (const key of keys) {
    await sam.subscribe(key);
    const posts = JSON.parse(sam.engine.threadViewJson(key, 'oldest')).posts;
    const questions = posts.filter((post) => post.depth === 0 && post.state === 'visible');
    for (const [index, question] of questions.entries()) {
      const answer = posts.find((post) => post.parentId === question.id && post.state === 'visible' &&
        post.authorId !== question.authorId);
      if (index % 2 === 1 || !answer || posts.some((post) => post.accepted && post.parentId === question.id)) continue;
      // Within the server's per-member op rate: wait and try again when it says so.
      for (let attempt = 0; ; attempt++) {
        try {
          await sam.submit({ kind: 'accept', answerId: answer.id });
          break;
        } catch (error) {
          if (error.code !== 'rate_limited' || attempt === 20) throw error;
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      }
      accepted += 1;
    }
  }
  console.log(`accepted ${accepted} answers in the imported history`);
}

for (const client of Object.values(clients)) client.close();
console.log('seeded the demo site: one product Q&A, one blog discussion, and work for the console');
