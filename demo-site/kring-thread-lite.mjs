// A small live thread for the demo pages, built on the wasm core's client API. The full widget
// (<kring-thread>, Lit, Shadow DOM) will replace it; this one shows the protocol working end to end.
// User text only ever reaches the page through textContent.
import createKringModule from '/kring/kring-core.js';
import { KringCore } from '/kring/kring-core-api.mjs';

const corePromise = KringCore.load(createKringModule);

function clientId() {
  let id = localStorage.getItem('kring-demo-client');
  if (!id) {
    id = crypto.randomUUID();
    localStorage.setItem('kring-demo-client', id);
  }
  return id;
}

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value);
  }
  for (const child of children) node.append(child);
  return node;
}

export async function mountThread(host) {
  const site = host.dataset.site;
  const threadKey = host.dataset.thread;
  const kind = host.dataset.kind ?? 'discussion';
  const core = await corePromise;
  const engine = core.createEngine(site);
  let me = null;
  let order = kind === 'question' ? 'top' : 'oldest';
  let counter = 0;
  const status = element('p', { class: 'kring-status', role: 'status' });
  const list = element('div', { class: 'kring-posts' });
  const newId = () => `${clientId().slice(0, 8)}-${Date.now().toString(36)}-${(counter += 1)}`;

  const socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/sync`);
  socket.binaryType = 'arraybuffer';
  const submit = (op) => socket.send(engine.submitMessage(engine.makeOp({ ...op, id: newId(), time: Date.now() })));

  function ensureThreadThen(op) {
    if (!engine.threadView(threadKey)) {
      submit({ kind: 'create_thread', key: threadKey, title: document.title, threadKind: kind });
    }
    submit(op);
  }

  function render() {
    const view = engine.threadView(threadKey, order, me?.id ?? '');
    list.replaceChildren();
    if (!view || view.posts.length === 0) {
      list.append(element('p', { class: 'kring-empty' }, kind === 'question' ? 'No questions yet: ask the first one.' : 'No comments yet.'));
      return;
    }
    for (const post of view.posts) list.append(renderPost(post, view));
  }

  function renderPost(post, view) {
    const label = kind === 'question' ? ['Question', 'Answer', 'Comment'][post.depth] ?? 'Reply' : 'Comment';
    const article = element('article', { class: `kring-post depth-${Math.min(post.depth, 4)}`, 'aria-label': `${label} by ${post.authorName}` });
    const header = element('header', {}, element('strong', {}, post.authorName || post.authorId),
      element('span', { class: 'kring-meta' }, ` · ${new Date(post.createdAt).toLocaleString()}`));
    if (post.accepted) header.append(element('span', { class: 'kring-accepted' }, ' ✓ Accepted answer'));
    const body = element('p', { class: 'kring-body' });
    body.textContent = post.state === 'removed' ? '[removed]' : post.body;
    const actions = element('div', { class: 'kring-actions' },
      element('button', { type: 'button', 'aria-pressed': String(post.myVote === 'up'), onclick: () => submit({ kind: 'vote', postId: post.id, direction: post.myVote === 'up' ? 'none' : 'up' }) }, `▲ ${post.score}`),
      element('button', { type: 'button', onclick: () => replyTo(post, article) }, kind === 'question' && post.depth === 0 ? 'Answer' : 'Reply'));
    if (kind === 'question' && post.depth === 1) {
      const question = view.posts.find((candidate) => candidate.id === post.parentId);
      if (question && me && question.authorId === me.id && !post.accepted) {
        actions.append(element('button', { type: 'button', onclick: () => submit({ kind: 'accept', answerId: post.id }) }, 'Accept'));
      }
    }
    article.append(header, body, actions);
    return article;
  }

  function composer(placeholder, onSend) {
    const text = element('textarea', { rows: '3', placeholder, 'aria-label': placeholder, maxlength: '20000' });
    const form = element('form', { class: 'kring-composer', onsubmit: (event) => {
      event.preventDefault();
      if (text.value.trim()) onSend(text.value);
      text.value = '';
    } }, text, element('button', { type: 'submit' }, 'Post'));
    return form;
  }

  function replyTo(post, article) {
    if (article.querySelector('form')) return;
    article.append(composer('Write a reply', (body) => ensureThreadThen({ kind: 'post', threadKey, parentId: post.id, body })));
  }

  const sort = element('select', { 'aria-label': 'Sort', onchange: (event) => { order = event.target.value; render(); } },
    ...['top', 'newest', 'oldest'].map((name) => {
      const option = element('option', { value: name }, name);
      if (name === order) option.selected = true;
      return option;
    }));
  host.replaceChildren(element('div', { class: 'kring-toolbar' }, sort), status,
    composer(kind === 'question' ? 'Ask a question about this product' : 'Join the discussion',
      (body) => ensureThreadThen({ kind: 'post', threadKey, parentId: '', body })),
    list);

  // The guest credential from an earlier visit brings this visitor back as the same guest.
  const credentialKey = `kring-demo-guest-${site}`;
  socket.addEventListener('open', () =>
    socket.send(engine.helloMessage(site, '', clientId(), localStorage.getItem(credentialKey) ?? '')));
  socket.addEventListener('close', () => { status.textContent = 'Disconnected. Reload to reconnect.'; });
  socket.addEventListener('message', (event) => {
    const message = engine.receive(new Uint8Array(event.data));
    if (message.type === 'welcome') {
      if (message.guestCredential) localStorage.setItem(credentialKey, message.guestCredential);
      me = message.member;
      engine.setActor(me.id, me.displayName, me.role);
      status.textContent = `Connected as ${me.displayName}.`;
      socket.send(engine.subscribeMessage(threadKey, 0));
    } else if (message.type === 'snapshot' || message.type === 'events') {
      render();
    } else if (message.type === 'rejected') {
      status.textContent = message.message;
    } else if (message.type === 'error') {
      // A stale or foreign credential: forget it, so the next visit starts as a new guest.
      if (message.code === 'bad_guest_credential') localStorage.removeItem(credentialKey);
      status.textContent = `${message.code}: ${message.message}`;
    }
  });
}

for (const host of document.querySelectorAll('[data-kring-thread]')) mountThread(host);
