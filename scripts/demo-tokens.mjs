// Signs the demo's personas' tokens as a host site's backend would (docs/auth.md) and writes them
// where the demo pages fetch them; beside them demo-tickets.json, the thread tickets of the demo's
// pages (docs/protocol.md), so that a new member's first post there can create the thread.
// Usage: node scripts/demo-tokens.mjs <sites.json> <out.json>
import { createHmac } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const [sitesFile, outFile] = process.argv.slice(2);
const site = JSON.parse(readFileSync(sitesFile, 'utf8')).sites[0];
// Their addresses are verified by the shop, as a host's sign-in would: the demo mails them (to a local sink).
const personas = {
  newbie: { sub: 'nina', name: 'Nina', role: 'member', email: 'nina@shop.example' },
  regular: { sub: 'lieke', name: 'Lieke', role: 'member', email: 'lieke@shop.example', locale: 'nl-NL' },
  staff: { sub: 'sam', name: 'Sam (Acme support)', role: 'staff', email: 'sam@shop.example' },
  moderator: { sub: 'mod-mia', name: 'Mia (moderator)', role: 'moderator', email: 'mia@shop.example' },
};
// Demo tokens last most of a day (the sites file allows 24 h); a real site signs 5–15 minute tokens.
const lifetimeSeconds = 23 * 3600;
const part = (json) => Buffer.from(JSON.stringify(json)).toString('base64url');
const now = Math.floor(Date.now() / 1000);
const tokens = {};
for (const [persona, { sub, name, role, email, locale }] of Object.entries(personas)) {
  const header = part({ alg: 'HS256', typ: 'JWT' });
  const payload = part({ sub, name, role, site: site.id, iat: now, exp: now + lifetimeSeconds,
    email, email_verified: true, ...(locale ? { locale } : {}) });
  const signature = createHmac('sha256', site.tokenSecret).update(`${header}.${payload}`).digest('base64url');
  tokens[persona] = `${header}.${payload}.${signature}`;
}
writeFileSync(outFile, JSON.stringify(tokens));

// The threads of the demo's pages: key → kind and title, as the pages' <kring-thread> elements name them.
const pages = {
  'sku-trail-runner-2': { kind: 'question', title: 'Acme Trail Runner 2' },
  '/blog/first-ultra': { kind: 'discussion', title: 'Five trails for your first ultra' },
};
const tickets = {};
for (const [key, { kind, title }] of Object.entries(pages)) {
  const input = `${part({ alg: 'HS256', typ: 'kring-thread' })}.${part({ site: site.id, key, kind, title })}`;
  tickets[key] = { title, ticket: `${input}.${createHmac('sha256', site.tokenSecret).update(input).digest('base64url')}` };
}
writeFileSync(join(dirname(outFile), 'demo-tickets.json'), JSON.stringify(tickets));
