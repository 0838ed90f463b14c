// Writes two Disqus exports (docs/import.md) holding ~60 days of the demo shop's community history:
// product Q&A pages (questions, answers, comments: at most 3 levels) and blog discussions (up to 4 levels).
// Deterministic for a given --seed and --end-ms. Plain Node, no dependencies. Usage:
//   node scripts/demo-history.mjs --end-ms <epoch ms> --questions QA.xml --discussions BLOG.xml [--seed N] [--base-url URL]
// Note: the Disqus reader ignores <isApproved>, so posts written "not approved" here read as visible.
import { writeFileSync } from 'node:fs';

const args = { seed: '1', 'base-url': 'http://localhost:8080' };
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
const end = Number(args['end-ms']);
if (!Number.isSafeInteger(end) || end <= 0 || !args.questions || !args.discussions) {
  console.error('usage: node scripts/demo-history.mjs --end-ms <epoch ms> --questions QA.xml --discussions BLOG.xml [--seed N] [--base-url URL]');
  process.exit(2);
}
const base = args['base-url'].replace(/\/+$/, '');
const MIN = 60_000, HOUR = 60 * MIN, DAY = 24 * HOUR, start = end - 60 * DAY;

let state = (Number(args.seed) >>> 0) ^ 0x9e3779b9;  // mulberry32
const rand = () => {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = Math.imul(state ^ (state >>> 15), 1 | state);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
const pick = (list) => list[Math.floor(rand() * list.length)];
const logUniform = (lo, hi) => Math.round(Math.exp(Math.log(lo) + rand() * (Math.log(hi) - Math.log(lo))));
const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

// Members: [username, name]. The first two are staff; one-timers post once; regulars come back.
const staff = [['sam_acme', 'Sam (Acme support)'], ['priya_acme', 'Priya (Acme support)']];
const regulars = [['noor', 'Noor'], ['lieke', 'Lieke'], ['ravi', 'Ravi'], ['zoe_runs', 'Zoë'], ['juergen_k', 'Jürgen'],
  ['soeren', 'Søren'], ['chloe_trail', 'Chloé'], ['lukasz', 'Łukasz'], ['jose_m', 'José M.'], ['ayse', 'Ayşe'],
  ['marta_hikes', 'Marta'], ['tom_b', 'Tom B.'], ['hana', 'Hana'], ['oskar', 'Oskar'], ['fatima', 'Fatima'],
  ['dan_ultra', 'Dan'], ['ines', 'Inês'], ['kenji', 'Kenji'], ['emma_r', 'Emma R.'], ['bjorn', 'Bjørn'],
  ['grace', 'Grace'], ['mateo', 'Mateo']];
const oneTimers = [['nina', 'Nina'], ['pete_w', 'Pete'], ['amelie', 'Amélie'], ['rob_k', 'Rob K.'], ['sofia', 'Sofia'],
  ['will_h', 'Will'], ['eva_n', 'Eva'], ['yusuf', 'Yusuf'], ['clara', 'Clara'], ['niall', 'Niall'],
  ['anja', 'Anja'], ['lars', 'Lars'], ['mei', 'Mei'], ['paulo', 'Paulo'], ['renee', 'Renée'], ['hugo', 'Hugo']];
// A regular is around for a window of days (some all 60, some a few weeks), so retention curves differ.
const windows = new Map(regulars.map(([u]) => { const a = start + rand() * 45 * DAY; return [u, [a, a + int(12, 60) * DAY]]; }));
let nextOneTimer = 0;
function member(t, not = []) {
  if (rand() < 0.12 && nextOneTimer < oneTimers.length) return { user: oneTimers[nextOneTimer++] };
  const around = regulars.filter(([u]) => { const [a, b] = windows.get(u); return t >= a && t <= b && !not.includes(u); });
  return { user: pick(around.length ? around : regulars.filter(([u]) => !not.includes(u))) };
}

const products = [
  ['trail-runner-2', 'Acme Trail Runner 2', 's', 5], ['summit-gtx-boot', 'Summit GTX Hiking Boot', 's', 3],
  ['stormshell-jacket', 'Stormshell Rain & Wind Jacket', 'w', 3], ['merino-base-layer', 'Merino 180 Base Layer', 'w', 2],
  ['ultra-vest-12', 'Ultra Vest 12', 'e', 3], ['ridgeline-25-pack', 'Ridgeline 25 L Pack', 'e', 2],
  ['lumen-400-headlamp', 'Lumen 400 Headlamp', 'e', 2], ['carbon-trek-poles', 'Carbon Trek Poles', 'e', 1]];
// Topics pair questions with answers that fit them; `kinds`: s shoes, w clothing, e equipment.
const topics = [
  { kinds: 'swe', q: ['Does the {p} come in other colours? The photos only show one.', 'Are more colours of the {p} coming this season?',
    'Is the colour on the product photos accurate? It looks brighter on my screen than in the video.'],
  a: ['Right now only the colours on this page. We expect two more in about {w} weeks.', 'I have the dark one: it is a little darker than the photo, more charcoal than black.',
    'New colours usually arrive in spring; sign up for the stock alert on this page.'] },
  { kinds: 'sw', q: ['Do the {p} run true to size? I wear {s} in most road shoes.', 'I am between sizes ({s} and a half). Size up or down for the {p}?',
    'How does the sizing of the {p} compare with the previous version?', 'What size would you recommend for a {c} cm chest?'],
  a: ['True to size for me: I wear {s} in everything and the {s} fits.', 'Size up if you are between sizes, the fit is on the snug side.',
    'Same sizing as the old version, but the toe box / cut is a bit roomier now.', 'I went half a size up and it is perfect with thicker socks.',
    'Check the size chart tab: it lists the measurements in cm. If in doubt, exchanges are free.'] },
  { kinds: 's', q: ['Are the {p} OK for wide feet? Mine are 2E.', 'How is the grip of the {p} on wet rock and roots?', 'How many km do you get out of the {p} before the sole is done?',
    'Is there a waterproof (GTX) version of the {p}?', 'Can I use my own insoles in the {p}? I need orthotics.', 'What is the drop of the {p}? The page does not say.'],
  a: ['The lugs are 5 mm and grip well on wet rock. Roots are OK, polished roots still slippery like with any shoe.', 'I am at {k}0 km on mine and the outsole still looks fine.',
    'Not yet; a waterproof version is planned for the autumn.', 'Yes, the insole comes out and my orthotics fit without problems.',
    'The drop is 6 mm (stack 32/26). We will add it to the page, thanks for noticing.', 'They have a medium width. With 2E feet I would try the wide version first.'] },
  { kinds: 'w', q: ['Is the {p} really waterproof, or just water resistant?', 'How should I wash the {p}? Is the dryer OK?', 'Does the {p} breathe well enough for running uphill?',
    'Is the {p} warm enough on its own at around 0°C?'],
  a: ['Fully taped seams, 20k mm. I have stood in a downpour for an hour and stayed dry.', 'Wash at 30°C with a tech wash, no softener. A low dryer cycle renews the DWR.',
    'For steep climbs I open the pit zips and it is fine; it is not a magic membrane though.', 'At 0°C I wear it with a light fleece on top. On its own only when moving.'] },
  { kinds: 'e', q: ['How long does the battery of the {p} last on the medium setting?', 'Does the {p} fit a 2 L bladder?', 'What does the {p} weigh with everything attached?',
    'Will the {p} bounce when running downhill? My old one did.', 'Can the {p} be carried on a plane in hand luggage?'],
  a: ['About {h} hours on medium in my tests, a bit less when it is cold.', 'A 2 L bladder fits; with a 3 L one it gets tight.', 'I weighed mine: {g} g with everything on it.',
    'Once the straps are tightened it does not bounce at all, even on steep descents.', 'Yes, it is fine in hand luggage. Airlines only ask about spare lithium batteries.',
    'With the load lifters snug it sits close to the back, no bouncing for me.'] },
  { kinds: 'swe', q: ['How long is the warranty on the {p}?', 'Can I return the {p} if I have worn it outside once?', 'When will the {p} be back in stock in size {s}?',
    'Do you ship the {p} to Norway? Checkout does not show it.', 'Is the {p} worth it compared with the cheaper model?', 'Is there a discount for running clubs on the {p}?'],
  a: ['Two years against defects, and we repair what we can after that.', 'Returns are accepted within 30 days if it is clean and not damaged; one short test run is fine.',
    'Size {s} is due back in about {w} weeks. Use the stock alert button and you will get an e-mail.', 'We ship to Norway since last month; the checkout should list it now.',
    'For me yes: the cheaper one lasted one season, this one is in its second.', 'Yes, clubs get 10% off. Write to us from the club\'s address and we set it up.'] },
];
const thanks = ['Thanks, that helps!', 'Great, ordered the {s} then.', 'Good to know, thank you.', 'Thanks! Do you know if that is also true for the older version?',
  'That matches my experience too.', 'Perfect, that was my main worry.', 'Thanks, quick answer as always.', 'Hmm, mine was different, but maybe I got a bad batch.',
  'Same here, fully agree.', 'Thank you, I will try that first.'];
const blogs = [['first-ultra', 'Five trails for your first ultra', 'ultras'], ['winter-layering', 'Layering for winter runs', 'winter running'],
  ['headlamp-guide', 'Choosing a headlamp for night trails', 'night running'], ['care-for-your-shoes', 'Make your trail shoes last longer', 'shoe care']];
const blogComments = ['Ran the second one last spring: lovely, and the café at the end is real.', 'Great write-up on {t}. I wish I had read this before my first attempt.',
  'I would add: test everything on long training runs first. Nothing new on race day!', 'Anyone doing {t} with a club? Looking for people near Utrecht.',
  'The photos are beautiful. Which camera do you use?', 'Good tips. One thing I disagree with: I think the <b>pace advice</b> is too conservative.',
  'Bookmarked. Will report back after my next long run.', 'We did this last weekend, the path after the bridge is closed for repairs at the moment.',
  'My biggest lesson about {t}: eat before you are hungry.', 'Could you do a follow-up on nutrition? That is where I always struggle.',
  'This is exactly the kind of post I come here for. Thanks Acme!', 'Any advice for {t} with bad knees?',
  'I tried this and it worked better than expected.<br>Still a bit sore the day after though.', 'Great post, but a gear list with weights would be super useful.',
  'I have been doing {t} for ten years and still learned something here.', 'How do you handle {t} when the weather turns?',
  'Printed the checklist and put it on the fridge.', 'Slightly off topic: will there be a group run at the shop again?',
  'Agree with most of it. For me poles made the biggest difference.', 'Nice to see a post that is not only about selling stuff.'];
const blogReplies = ['Same question here!', 'About seven hours with a long lunch.', 'Thanks, good point.', 'I asked the same at the shop, they said next month.',
  'Depends on the weather mostly.', 'Haha, been there.', 'Let us know how it goes!', 'I had the same problem; smaller steps on the climbs helped.', 'Good call, will try it.', 'Not sure I agree, but fair.'];

const html = (text, fill) => '<p>' + text.replace(/\{(\w)\}/g, (_, k) => esc(String(fill[k]))).replace(/\n/g, '</p><p>') + '</p>';
const fillFor = (name) => ({ p: name, s: int(38, 46), c: int(88, 112), k: int(3, 12) * 10, w: int(2, 6), h: int(5, 14), g: int(180, 620), m: int(2, 18) });
const seen = new Set();
const frames = {  // openers and closers around a template, so that texts seldom repeat
  q: [['', 'Hi! ', 'Quick question: ', 'Hello, ', 'Thinking of buying this. '], ['', ' Thanks!', ' Thanks in advance.', '\nI mostly run {k} km a week on forest trails.', ' Planning a trip in {w} weeks.']],
  a: [['', 'Good question! ', 'From my own experience: ', 'I had the same doubt. ', 'Short answer: ', 'Hi! '], ['', ' Hope that helps.', ' Happy with my {p} so far.', '\nEnjoy!', ' Mine is {m} months old now.', ' (I am {s} EU for reference.)']],
  s: [['', 'Hi! ', 'Thanks for asking. ', 'Good question. '], ['', ' Let us know if anything else is unclear.', '\nHappy trails!', ' You can also mail support@acme.example.']],
  c: [['', 'Ah, ', 'Ok! '], ['', ' 👍', ' Cheers!', ' Will report back.', ' Much appreciated.']],
  b: [['', 'Love this. ', 'Hi all, '], ['', ' Thanks for sharing!', '\n(Customer since {y}.)', ' See you on the trails.']] };
function text(list, fill, frame) {  // a template with its blanks filled, not used before when possible
  let body = '';
  const [pre, post] = frames[frame];
  for (let i = 0; i < 20 && (!body || seen.has(body)); ++i) {
    const [opener, core] = [pick(pre), pick(list)];
    body = html(opener + (opener.endsWith(', ') ? core[0].toLowerCase() + core.slice(1) : core) + pick(post), fill);
  }
  seen.add(body);
  return body;
}
const spamTexts = ['BEST PRICES on running shoes!!! 80% OFF today only: <a href="http://cheap-shoes.example/deal">http://cheap-shoes.example/deal</a>',
  'Make $500 a day from home, click <a href="http://easy-money.example/start">here</a> <a href="http://easy-money.example/now">here</a> and <a href="http://easy-money.example/go">here</a>',
  'replica watches cheap cheap <a href="http://watches.example/">watches.example</a> free shipping!!!', 'Crypto signals group, 1000% guaranteed <a href="https://t.example/join">join now</a>'];
const spammers = [['', 'Best Deals'], ['', 'Cheap Shoes Outlet'], ['', 'Money Maker'], ['', 'crypto_king']];

function build(kind) {
  const threads = [], posts = [];
  const post = (thread, parent, t, user, body, extra = {}) => {
    const p = { thread, parent, t: Math.round(Math.min(t, end - MIN) / 1000) * 1000, user, body, ...extra };
    posts.push(p);
    return p;
  };
  if (kind === 'qa') {
    const weighted = products.flatMap((p) => Array(p[3]).fill(p));
    for (const [slug, name] of products) threads.push({ slug, name, url: `${base}/products/${slug}`, t: start - int(1, 20) * DAY });
    for (let i = 0; i < 118; ++i) {
      const [slug, name, pkind] = pick(weighted);
      const thread = threads.find((th) => th.slug === slug);
      const topic = pick(topics.filter((tp) => tp.kinds.includes(pkind)));
      const t = start + 60 * DAY * Math.sqrt(rand());  // denser in recent weeks
      const fill = fillFor(name);
      const asker = member(t);
      const q = post(thread, null, t, asker.user, text(topic.q, fill, 'q'));
      if (i % 7 === 3 || i % 41 === 0) continue;  // never answered: 17 of 118 (the order is random)
      let at = t;
      for (let n = 0, count = 1 + (rand() < 0.45) + (rand() < 0.15); n < count; ++n) {
        at += logUniform(4 * MIN, n === 0 ? 2 * DAY : DAY);
        if (at >= end) break;
        const answerer = rand() < (n === 0 ? 0.5 : 0.2) ? pick(staff) : member(at, [asker.user[0]]).user;
        const a = post(thread, q, at, answerer, text(topic.a, fill, staff.includes(answerer) ? 's' : 'a'));
        if (rand() < 0.35) {
          const ct = at + logUniform(10 * MIN, DAY);
          if (ct < end) post(thread, a, ct, rand() < 0.7 ? asker.user : member(ct, [answerer[0]]).user, text(thanks, fill, 'c'));
        }
      }
    }
  } else {
    blogs.forEach(([slug, name, topic], b) => {
      const thread = { slug, name, url: `${base}/blog/${slug}`, t: start + (2 + b * 17) * DAY + int(8, 11) * HOUR };
      threads.push(thread);
      const reply = (parent, depth) => {
        const rt = parent.t + logUniform(15 * MIN, 2 * DAY);
        if (rt >= end) return;
        const r = post(thread, parent, rt, rand() < 0.1 ? pick(staff) : member(rt, [parent.user[0]]).user, text(blogReplies, { t: topic, y: int(2012, 2023) }, 'c'));
        if (depth < 3 && rand() < 0.35) reply(r, depth + 1);
      };
      for (let i = 0, count = int(9, 14); i < count; ++i) {
        const t = thread.t + logUniform(10 * MIN, Math.max(20 * MIN, Math.min(20 * DAY, end - thread.t)));
        const c = post(thread, null, t, member(t).user, text(blogComments, { t: topic, y: int(2012, 2023) }, 'b'));
        if (rand() < 0.45) reply(c, 1);
      }
    });
  }
  // Moderation history: spam (top level), a few deleted, a few never approved, a couple of guests.
  const real = posts.slice();
  for (let i = 0; i < (kind === 'qa' ? 4 : 3); ++i) {
    const th = pick(threads);
    post(th, null, Math.max(th.t, start) + rand() * (end - Math.max(th.t, start)), pick(spammers), '<p>' + pick(spamTexts) + '</p>', { spam: true, approved: false });
  }
  const pickReal = (ok) => { let p; do p = pick(real); while (p.spam || p.deleted || p.approved === false || p.anonymous || !ok(p)); return p; };
  for (let i = 0; i < (kind === 'qa' ? 4 : 2); ++i) pickReal(() => true).deleted = true;
  for (let i = 0; i < 3; ++i) {
    const p = pickReal((x) => !staff.includes(x.user));
    p.approved = false;
    p.body += '<p>I wrote more about it here: <a href="https://trailnotes.example/review">trailnotes.example/review</a></p>';
  }
  const parents = new Set(posts.map((p) => p.parent));
  for (const name of kind === 'qa' ? ['Guest runner', 'Kim'] : ['Anonymous hiker']) {
    const p = pickReal((x) => !staff.includes(x.user) && !parents.has(x));
    p.user = ['', name];
    p.anonymous = true;
  }
  return { threads, posts };
}

function write(file, { threads, posts }, firstThreadId, firstPostId) {
  threads.forEach((th, i) => { th.id = String(firstThreadId + i * 7); });
  posts.sort((a, b) => a.t - b.t);
  posts.forEach((p, i) => { p.id = String(firstPostId + i * 3 + (i % 2)); });
  const author = (user, anonymous) => ['    <author>', anonymous || !user[0] ? `      <name>${esc(user[1])}</name>`
    : `      <email>${user[0].replace(/_/g, '.')}@example.com</email>\n      <name>${esc(user[1])}</name>`,
    `      <isAnonymous>${anonymous || !user[0]}</isAnonymous>`, ...(anonymous || !user[0] ? [] : [`      <username>${user[0]}</username>`]), '    </author>'];
  const out = ['<?xml version="1.0" encoding="utf-8"?>',
    '<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://disqus.com/api/schemas/1.0/disqus.xsd http://disqus.com/api/schemas/1.0/disqus-internals.xsd">',
    '  <category dsq:id="4100001">', '    <forum>acme-shop</forum>', '    <title>General</title>', '    <isDefault>true</isDefault>', '  </category>'];
  for (const th of threads) {
    out.push(`  <thread dsq:id="${th.id}">`, `    <id>${th.slug}</id>`, '    <forum>acme-shop</forum>', '    <category dsq:id="4100001" />',
      `    <link>${esc(th.url)}</link>`, `    <title>${esc(th.name)}</title>`, '    <message />', `    <createdAt>${iso(th.t)}</createdAt>`,
      ...author(staff[0], false), '    <ipAddress>192.0.2.1</ipAddress>', '    <isClosed>false</isClosed>', '    <isDeleted>false</isDeleted>', '  </thread>');
  }
  for (const p of posts) {
    out.push(`  <post dsq:id="${p.id}">`, '    <id />', `    <message><![CDATA[${p.body.replace(/]]>/g, ']]]]><![CDATA[>')}]]></message>`,
      `    <createdAt>${iso(p.t)}</createdAt>`, `    <isDeleted>${!!p.deleted}</isDeleted>`, `    <isSpam>${!!p.spam}</isSpam>`,
      `    <isApproved>${p.approved !== false}</isApproved>`, ...author(p.user, !!p.anonymous),
      `    <ipAddress>${p.spam ? '198.51.100' : '192.0.2'}.${(Number(p.id) % 250) + 2}</ipAddress>`,
      `    <thread dsq:id="${p.thread.id}" />`, ...(p.parent ? [`    <parent dsq:id="${p.parent.id}" />`] : []), '  </post>');
  }
  out.push('</disqus>', '');
  writeFileSync(file, out.join('\n'));
  const states = { spam: posts.filter((p) => p.spam).length, deleted: posts.filter((p) => p.deleted).length,
    unapproved: posts.filter((p) => p.approved === false && !p.spam).length, anonymous: posts.filter((p) => p.anonymous).length };
  console.log(`${file}: ${threads.length} threads, ${posts.length} posts (${JSON.stringify(states)})`);
}

write(args.questions, build('qa'), 7210000001, 5610000001);
write(args.discussions, build('blog'), 7290000001, 5690000001);
