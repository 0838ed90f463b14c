// The demo shop: a host application of its own (Node, no framework) on its own origin, as a customer
// runs one beside kring-server (docs/server-rendering.md, "Embedding it"). It serves the shop's pages
// and the tokens its backend signed (scripts/demo-tokens.mjs), and writes the community server's
// address into them. The product page includes the thread as kring-server rendered it, inside
// <kring-thread>, so a crawler's plain GET holds its questions, answers and QAPage data (embed a);
// the blog page leaves the element empty and kring.js fetches the thread (embed b).
// Usage: node demo-site/shop.mjs --port 8080 --kring http://localhost:8081 --dir <the pages>
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { port: { type: 'string', default: '8080' }, kring: { type: 'string' }, dir: { type: 'string' },
    address: { type: 'string', default: '127.0.0.1' } },
});
const kring = new URL(values.kring).origin;
const types = { '.html': 'text/html; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json' };
const FRAGMENT_TIMEOUT_MS = 1500;

// The thread as kring-server rendered it, or nothing: the page then renders without it and the
// loader fetches it in the browser, so a slow community server never holds the shop's page up.
async function fragment(site, thread) {
  try {
    const response = await fetch(`${kring}/sites/${encodeURIComponent(site)}/threads/${encodeURIComponent(thread)}`,
      { signal: AbortSignal.timeout(FRAGMENT_TIMEOUT_MS) });
    return response.ok ? await response.text() : '';
  } catch {
    return '';
  }
}

// Each <kring-thread … data-include> gets its thread's fragment between its tags.
async function includeThreads(html) {
  const elements = [...html.matchAll(/<kring-thread([^>]*) data-include><\/kring-thread>/g)];
  for (const [element, attributes] of elements) {
    const site = /site="([^"]+)"/.exec(attributes)?.[1] ?? '';
    const thread = /thread="([^"]+)"/.exec(attributes)?.[1] ?? '';
    html = html.replace(element, `<kring-thread${attributes}>${await fragment(site, thread)}</kring-thread>`);
  }
  return html;
}

// /threads/{key}: the page that shows the thread, the sites file's threadPages (notification mails
// link there; the browser keeps the #kring-post-… fragment through the redirect).
async function threadPage(key) {
  for (const page of ['index.html', 'blog.html']) {
    const html = await readFile(join(values.dir, page), 'utf8').catch(() => '');
    if ([...html.matchAll(/<kring-thread[^>]* thread="([^"]+)"/g)].some(([, thread]) => thread === key)) {
      return page === 'index.html' ? '/' : `/${page}`;
    }
  }
  return null;
}

const shop = createServer(async (request, response) => {
  const path = new URL(request.url, 'http://shop').pathname;
  if (path.startsWith('/threads/')) {
    let key = null;
    try { key = decodeURIComponent(path.slice('/threads/'.length)); } catch { /* a malformed escape: not found */ }
    const page = key === null ? null : await threadPage(key);
    if (page) response.writeHead(302, { location: page }).end();
    else response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
    return;
  }
  const file = normalize(path === '/' ? '/index.html' : path);
  const type = types[extname(file)];
  if (!type || file.includes('..') || file === '/shop.mjs' || (request.method !== 'GET' && request.method !== 'HEAD')) {
    response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
    return;
  }
  let body;
  try {
    body = await readFile(join(values.dir, file), 'utf8');
  } catch {
    response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
    return;
  }
  if (type.startsWith('text/html')) body = await includeThreads(body.replaceAll('{{KRING}}', kring));
  response.writeHead(200, { 'content-type': type, 'cache-control': 'no-cache' });
  response.end(request.method === 'HEAD' ? undefined : body);
});
shop.listen(Number(values.port), values.address, () =>
  console.log(`shop listening on http://${values.address}:${shop.address().port}`));
