// Sign-in with an OpenID Connect provider's tokens, end to end (docs/auth.md, "OpenID Connect
// providers"): the real kring-server fetches the provider's JWKS from a loopback server, and a widget's
// WebSocket signs in with RS256 and ES256 tokens made here as a provider makes them. Roles map from the
// provider's claim; a key the provider rotates in is taken without a restart; a forged, misaddressed or
// algorithm-confused token is refused with bad_token.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import { createServer } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCore, SyncNodeClient } from '../support/sync_node_client.mjs';
import { spawnKringServer } from '../support/kring_server.mjs';

const issuer = 'https://tenant.example/';
const audience = 'kring-shop';
const secret = 'oidc-test-secret-0123456789-abcdefgh';
let core;
const cleanups = [];
before(async () => { core = await loadCore(process.env.KRING_WASM); });
after(() => { for (const cleanup of cleanups.reverse()) cleanup(); });

const rsa = (kid) => ({ kid, alg: 'RS256', ...generateKeyPairSync('rsa', { modulusLength: 2048 }) });
const ec = (kid) => ({ kid, alg: 'ES256', ...generateKeyPairSync('ec', { namedCurve: 'P-256' }) });
const jwk = (key) => ({ ...key.publicKey.export({ format: 'jwk' }), kid: key.kid, alg: key.alg, use: 'sig' });

// A token as the provider signs it: RS256 (PKCS#1 v1.5) or ES256 (r||s, the JWS form).
function providerToken(key, claims, header = {}) {
  const now = Math.floor(Date.now() / 1000);
  const part = (json) => Buffer.from(JSON.stringify(json)).toString('base64url');
  const input = `${part({ alg: key.alg, typ: 'JWT', kid: key.kid, ...header })}.${part({
    iss: issuer, aud: audience, iat: now, exp: now + 600, ...claims })}`;
  const signature = sign('sha256', Buffer.from(input),
    key.alg === 'ES256' ? { key: key.privateKey, dsaEncoding: 'ieee-p1363' } : key.privateKey);
  return `${input}.${signature.toString('base64url')}`;
}

// The provider's JWKS endpoint on loopback, serving whatever `keys` holds when asked; counts its fetches.
async function provider(keys) {
  const served = { keys, fetches: 0 };
  const server = createServer((request, response) => {
    served.fetches += 1;
    response.setHeader('Content-Type', 'application/json');
    response.end(JSON.stringify({ keys: served.keys.map(jwk) }));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => server.close());
  served.url = `http://127.0.0.1:${server.address().port}/.well-known/jwks.json`;
  return served;
}

// `source`: the oidc key source, { jwksUrl } or { jwksFile }.
async function shop(source) {
  const directory = mkdtempSync(join(tmpdir(), 'kring-oidc-test-'));
  cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
  const site = { id: 'shop', allowedOrigins: ['*'], tokenSecret: secret, adminKey: 'oidc-admin-key-0123456789-abcdef',
    oidc: { issuer, audience, ...source, ...(source.jwksUrl ? { allowHttpJwksFrom: ['127.0.0.1'] } : {}),
      claims: { name: 'preferred_username', rolePath: 'realm_access.roles', roles: { 'shop-admin': 'admin', support: 'staff' } } } };
  writeFileSync(join(directory, 'sites.json'), JSON.stringify({ sites: [site] }));
  const server = await spawnKringServer(process.env.KRING_SERVER,
    ['--port', '0', '--db', `sqlite:${join(directory, 'kring.db')}`, '--sites', join(directory, 'sites.json')], 'inherit');
  cleanups.push(() => server.child.kill('SIGKILL'));
  let clients = 0;
  // The Welcome's member, or the server's refusal as an Error with its code.
  const signIn = async (token) => {
    const client = new SyncNodeClient(core, { port: server.port, site: 'shop', token, clientId: `oidc-${(clients += 1)}` });
    cleanups.push(() => client.close());
    const welcome = await client.connect();
    return { client, member: welcome.member };
  };
  return { server, signIn, directory };
}

test('RS256 and ES256 tokens from the provider sign members in, with names and roles from its claims', async () => {
  const signing = rsa('rsa-1');
  const curve = ec('ec-1');
  const jwks = await provider([signing, curve]);
  const { signIn } = await shop({ jwksUrl: jwks.url });
  assert.ok(jwks.fetches >= 1, 'the server fetched the provider\'s keys at start-up');

  const { client, member } = await signIn(providerToken(signing, { sub: 'auth0|ada', preferred_username: 'Ada',
    realm_access: { roles: ['offline_access', 'support'] } }));
  assert.deepEqual([member.id, member.displayName, member.role], ['auth0|ada', 'Ada', 'staff']);
  // Signed in, she acts: the server takes her op as the member her token names.
  const created = await client.submit({ kind: 'create_thread', key: 'tent', title: 'Tent', threadKind: 'question' });
  assert.ok(created.id);

  const admin = await signIn(providerToken(curve, { sub: 'kc-7', preferred_username: 'Grace',
    realm_access: { roles: ['support', 'shop-admin'] } }));
  assert.deepEqual([admin.member.id, admin.member.role], ['kc-7', 'admin'], 'the strongest mapped role wins');
  const plain = await signIn(providerToken(curve, { sub: 'kc-8', name: 'ignored', realm_access: { roles: ['guest'] } }));
  assert.deepEqual([plain.member.displayName, plain.member.role], ['kc-8', 'member'], 'no preferred_username: the sub');
});

test('forged, misaddressed and algorithm-confused tokens are refused, each saying which check failed', async () => {
  const signing = rsa('rsa-1');
  const jwks = await provider([signing]);
  const { signIn } = await shop({ jwksUrl: jwks.url });
  const refusal = async (token) => {
    const error = await signIn(token).then(() => null, (caught) => caught);
    assert.ok(error, 'the server signed it in');
    assert.equal(error.code, 'bad_token');
    return error.message;
  };
  const claims = { sub: 'mallory' };
  assert.match(await refusal(providerToken(signing, { ...claims, aud: 'another-app' })), /audience/);
  assert.match(await refusal(providerToken(signing, { ...claims, iss: 'https://evil.example/' })), /issuer/);
  assert.match(await refusal(providerToken(rsa('rsa-1'), claims)), /signature/);  // same kid, another key
  assert.match(await refusal(providerToken(signing, { ...claims, exp: Math.floor(Date.now() / 1000) - 60 })), /expired/);
  // alg none, and an HS256 token whose HMAC key is the provider's public key.
  const part = (json) => Buffer.from(JSON.stringify(json)).toString('base64url');
  const body = part({ iss: issuer, aud: audience, sub: 'mallory', site: 'shop', exp: Math.floor(Date.now() / 1000) + 600 });
  assert.match(await refusal(`${part({ alg: 'none', typ: 'JWT' })}.${body}.`), /HS256, RS256 and ES256/);
  const publicPem = signing.publicKey.export({ format: 'pem', type: 'spki' });
  const confused = `${part({ alg: 'HS256', typ: 'JWT' })}.${body}`;
  assert.match(await refusal(`${confused}.${createHmac('sha256', publicPem).update(confused).digest('base64url')}`), /signature/);
  // An RS256 header on the site's EC key would be refused too; here: an ES256 token naming the RSA key.
  const impostor = { ...ec('rsa-1') };
  assert.match(await refusal(providerToken(impostor, claims)), /RS256/);
});

test('a key rotated into the JWKS file is taken without a restart; forged kids do not make the server hammer the provider', async () => {
  const first = rsa('2026-11');
  const directory = mkdtempSync(join(tmpdir(), 'kring-oidc-keys-'));
  cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
  const file = join(directory, 'jwks.json');
  writeFileSync(file, JSON.stringify({ keys: [jwk(first)] }));
  const { signIn } = await shop({ jwksFile: file });
  assert.equal((await signIn(providerToken(first, { sub: 'before' }))).member.id, 'before');
  const next = rsa('2026-12');
  const early = await signIn(providerToken(next, { sub: 'rotated' })).then(() => null, (caught) => caught);
  assert.match(early?.message ?? '', /no key 2026-12/, 'the next key is unknown before it is published');
  writeFileSync(file, JSON.stringify({ keys: [jwk(first), jwk(next)] }));  // the operator publishes it
  await new Promise((resolve) => setTimeout(resolve, 1200));  // files are looked at once a second
  assert.equal((await signIn(providerToken(next, { sub: 'rotated', preferred_username: 'Rota' }))).member.id, 'rotated');
  assert.equal((await signIn(providerToken(first, { sub: 'still' }))).member.id, 'still', 'the old key still signs in');

  // A provider's JWKS URL: tokens naming made-up kids are refused, and the provider is asked at most
  // once a minute (here: not again after the start-up fetch).
  const jwks = await provider([first]);
  const url = await shop({ jwksUrl: jwks.url });
  const fetchesAtStart = jwks.fetches;
  assert.ok(fetchesAtStart >= 1);
  for (let i = 0; i < 5; i += 1) {
    const error = await url.signIn(providerToken(rsa(`forged-${i}`), { sub: 'mallory' })).then(() => null, (caught) => caught);
    assert.equal(error?.code, 'bad_token');
    assert.match(error.message, /no key forged-/);
  }
  assert.ok(jwks.fetches <= fetchesAtStart + 1, `${jwks.fetches - fetchesAtStart} fetches for 5 forged kids`);
  assert.equal((await url.signIn(providerToken(first, { sub: 'known' }))).member.id, 'known');
});
