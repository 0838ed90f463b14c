// Verifies a Kring webhook in Node, as the Standard Webhooks specification says (docs/webhooks.md).
// Copy it into your receiver; Kring's own tests run this very file against kring-server.
import { createHmac, timingSafeEqual } from 'node:crypto';

// `secret`: the endpoint's "whsec_…" from the sites file. `headers`: the request's headers (lower-case
// names, as Node gives them). `body`: the raw body as received, before any JSON parsing.
// Returns the parsed event, or throws when the request is not Kring's.
export function verifyWebhook(secret, headers, body, nowSeconds = Math.floor(Date.now() / 1000)) {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  if (!id || !timestamp || !signatures) throw new Error('missing webhook headers');
  // Refuse old (and future) messages: a captured request cannot be replayed later.
  if (!/^\d+$/.test(timestamp) || Math.abs(nowSeconds - Number(timestamp)) > 300) throw new Error('stale timestamp');
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest();
  // Several signatures while secrets rotate: one that matches is enough.
  const matches = signatures.split(' ').some((entry) => {
    const [version, signature] = entry.split(',');
    if (version !== 'v1' || !signature) return false;
    const given = Buffer.from(signature, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!matches) throw new Error('bad signature');
  return JSON.parse(body);
}
