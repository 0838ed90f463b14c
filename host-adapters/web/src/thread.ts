// The <kring-thread> widget proper, loaded by kring.js when the element nears the viewport.
// The wasm core keeps the replica (what the server sent) and predicts each op on a scratch copy of
// it; the page only displays. Rendering is lit-html into the host's shadow root.
import { html, render, nothing, type TemplateResult } from 'lit/html.js';
import { unsafeHTML } from 'lit/directives/unsafe-html.js';
import { live } from 'lit/directives/live.js';
import type { KringCore, KringEngine } from '../../../wasm/kring-core-api.mjs';
import { ATTRIBUTES, readAttribute, type AttributeName } from './attributes';
import { loadCore } from './core-loader';
import { renderMarkdown } from './markdown';
import { ReadingTracker } from './reading';
declare const KRING_STYLES: string;  // src/styles.css, minified by build.mjs
import { reasonText, translator, type StringKey, type Translate } from './strings';
import { Connection, type KringHost } from './connection';

interface Post {
  id: string; parentId: string; authorId: string; authorName: string; authorRole: string;
  authorReputation: number; authorTrustLevel: number; body: string; createdAt: number; editedAt: number;
  state: string; score: number; accepted: boolean; depth: number; replyCount: number; myVote: string;
  featured: boolean; erased: boolean; heldReason: string;
}
interface ThreadView { key: string; kind: string; title: string; state: string; posts: Post[] }
interface Member { id: string; displayName: string; role: string; reputation: number; trustLevel: number }
interface Outcome { opId: string; status: 'accepted' | 'held' | 'rejected'; code: string; message: string }
interface PendingOp { id: string; kind: string; bytes: Uint8Array; detail: Record<string, unknown> }
interface TreeNode { post: Post; children: TreeNode[] }
type Op = Record<string, unknown> & { kind: string };
type Status = { key: StringKey; values?: Record<string, string>; error?: boolean; text?: string };

const COLLAPSE_DEPTH = 2;       // replies below this depth wait behind "show replies"
const PAGE_SIZE = 20;           // top-level posts per "load more"
const READING_BATCH_MS = 60_000;  // reading ops go out this often, and when the page is hidden
const MODERATOR_ROLES = new Set(['moderator', 'admin']);
const ACCEPTING_ROLES = new Set(['staff', 'moderator', 'admin']);
const EVENT_NAMES: Record<string, string> = {
  create_thread: 'kring:post', post: 'kring:post', edit: 'kring:post', delete: 'kring:post',
  vote: 'kring:vote', accept: 'kring:accept', unaccept: 'kring:accept', flag: 'kring:flag', moderate: 'kring:moderate',
};

export { useWasm } from './core-loader';

const randomId = () => Array.from(crypto.getRandomValues(new Uint8Array(9)), (b) => b.toString(36).padStart(2, '0')).join('');

const sheet = new CSSStyleSheet();
sheet.replaceSync(KRING_STYLES);

export function mount(host: KringHost): ThreadWidget {
  const widget = new ThreadWidget(host);
  widget.connect();
  return widget;
}

export class ThreadWidget {
  #root: ShadowRoot;
  #core?: KringCore;
  replica?: KringEngine;
  #welcomeBytes?: Uint8Array;
  readonly #connection = new Connection(this);
  #me?: Member;
  #pending: PendingOp[] = [];
  #threadSequence = 0;
  #view?: ThreadView;
  #status: Status = { key: 'loading' };
  #notice?: { text: string; held?: boolean };
  #announcement = '';
  #heldReasons = new Map<string, string>();
  #knownPostIds = new Set<string>();
  #drafts = new Map<string, string>();
  #previewing = new Set<string>();
  #replyingTo?: string;
  #editing?: string;
  #flagging?: string;
  #flagReason = 'spam';
  #expanded = new Set<string>();
  #shown = PAGE_SIZE;
  #order: string;
  #opCounter = 0;
  readonly clientId = randomId();
  #renderQueued = false;
  #markedInteractive = false;
  #reader?: ReadingTracker;
  #readingTimer?: ReturnType<typeof setInterval>;
  #threadEntered = false;  // this page view's entry into the thread was reported
  #readingOps = new Map<string, { bytes: Uint8Array; detail: Record<string, unknown> }>();
  readonly #onVisibility = () => {
    this.#reader?.update();
    if (document.visibilityState === 'hidden') this.#flushReading();
  };

  constructor(readonly host: KringHost) {
    this.#root = host.shadowRoot ?? host.attachShadow({ mode: 'open' });
    this.#root.adoptedStyleSheets = [sheet];
    this.#order = this.#kind === 'question' ? 'top' : 'oldest';
    this.requestRender();
  }

  // --- Attributes ---
  get site() { return readAttribute(this.host, 'site') ?? ''; }
  get #thread() { return readAttribute(this.host, 'thread') ?? location.pathname; }
  get #kind() { return readAttribute(this.host, 'kind') === 'question' ? 'question' : 'discussion'; }
  // The host's signed approval of this thread (docs/widget.md) and the title it was signed for.
  get #ticket() { return readAttribute(this.host, 'ticket') ?? ''; }
  get #threadTitle() { return readAttribute(this.host, 'thread-title') ?? document.title.slice(0, 200); }
  get #lang() {
    return readAttribute(this.host, 'lang') || this.host.closest('[lang]')?.getAttribute('lang') || 'en';
  }
  get serverUrl() {
    // By default the server that served this script: the widget and /sync come from one place.
    const url = new URL(readAttribute(this.host, 'server') || '/sync', import.meta.url);
    if (url.protocol === 'http:') url.protocol = 'ws:';
    if (url.protocol === 'https:') url.protocol = 'wss:';
    return url.href;
  }
  get #t(): Translate { return translator(this.#lang); }
  // Dates by hand: the first Intl.DateTimeFormat costs ~100 ms of ICU set-up, a third of the budget
  // for showing a thread.
  #formatDate(time: Date) {
    const pad = (n: number) => String(n).padStart(2, '0');
    return `${time.getDate()} ${this.#t('months').split(' ')[time.getMonth()]} ${time.getFullYear()}, ${pad(time.getHours())}:${pad(time.getMinutes())}`;
  }
  get #isModerator() { return MODERATOR_ROLES.has(this.#me?.role ?? ''); }

  attributesChanged(name: AttributeName) {
    if (ATTRIBUTES[name] === 'reconnect' && this.#core) {
      this.#stopReading();  // what was read is the old thread's: the getters already name the new one
      this.disconnect();
      this.replica?.dispose();
      this.replica = this.#core.createEngine(this.site);
      this.#view = undefined;
      this.#pending = [];
      this.#readingOps.clear();
      this.#threadEntered = false;
      this.#threadSequence = 0;
      this.#knownPostIds.clear();
      this.connect();
    }
    this.requestRender();
  }

  // --- Connection: the core first, then the socket (connection.ts) ---
  async connect() {
    this.#connection.stopped = false;
    try {
      this.#core ??= await loadCore();
      performance.mark('kring:core-ready');
    } catch (error) {
      this.setStatus({ key: 'loading', error: true, text: String(error) });
      this.emit('kring:error', { code: 'core_load_failed', message: String(error) });
      return;
    }
    this.replica ??= this.#core.createEngine(this.site);
    this.#startReading();
    await this.#connection.open();
  }

  disconnect() {
    this.#flushReading();
    this.#stopReading();
    this.#connection.close();
  }

  subscribeMessage() {
    return this.replica!.subscribeMessage(this.#thread, this.#threadSequence);
  }

  #send(bytes: Uint8Array | null) {
    this.#connection.send(bytes);
  }

  onMessage(bytes: Uint8Array) {
    const replica = this.replica!;
    const message = replica.receive(bytes);
    switch (message.type) {
      case 'welcome': {
        const firstWelcome = !this.#connection.welcomed;
        this.#welcomeBytes = bytes;
        this.#me = message.member;
        replica.setActor(message.member.id, message.member.displayName, message.member.role);
        this.#connection.welcome(message.guestCredential, Number(message.tokenExpiresAt));
        performance.mark('kring:welcome');
        this.setStatus({ key: 'connectedAs', values: { name: this.#me!.displayName || this.#t('guest') } });
        // Ops the server may not have: it answers already_applied for those it stored.
        if (firstWelcome) {
          for (const op of this.#pending) this.#send(replica.submitMessage(op.bytes));
          for (const op of this.#readingOps.values()) this.#send(replica.submitMessage(op.bytes));
        }
        break;
      }
      case 'snapshot_part':
        return;  // the replica holds it until the last part
      case 'snapshot':
        if (message.threadKey === this.#thread) {
          this.#threadSequence = message.lastSequence;
          this.#connection.synced = true;
        }
        break;
      case 'events':
        if (message.threadKey === this.#thread) {
          this.#threadSequence = Math.max(this.#threadSequence, message.lastSequence);
          this.#connection.synced = true;
        }
        for (const opId of message.opIds) this.#acknowledge(opId);
        break;
      case 'rejected':
        if (message.code === 'already_applied') this.#acknowledge(message.opId);
        else this.#refuse(message.opId, message.code, message.message);
        break;
      case 'error':
        this.emit('kring:error', { code: message.code, message: message.message });
        if (this.#connection.failed(message.code)) {
          const text = message.code === 'origin_not_allowed' ? this.#t('originRefused') : message.message;
          this.setStatus({ key: 'loading', error: true, text });
        }
        break;
      case 'invalid':
        // The replica refused what arrived: start again from a snapshot.
        this.#threadSequence = 0;
        this.#send(replica.subscribeMessage(this.#thread, 0));
        break;
    }
    this.#refreshView(message.type === 'events');
  }

  // --- Ops: predicted by the core first, shown at once, reconciled with the server ---
  #perform(op: Op): boolean {
    const replica = this.replica;
    if (!replica || !this.#me || !this.#welcomeBytes) {
      this.#showNotice(this.#t('signInToPost'));
      return false;
    }
    const ops: Op[] = [];
    const threadKnown = replica.threadView(this.#thread) !== null || this.#pending.some((p) => p.kind === 'create_thread');
    if (op.kind === 'post' && !threadKnown) {
      ops.push({ kind: 'create_thread', key: this.#thread, title: this.#threadTitle, threadKind: this.#kind, ticket: this.#ticket });
    }
    ops.push(op);
    const accepted: PendingOp[] = [];
    for (const next of ops) {
      const id = this.#nextOpId();
      const bytes = replica.makeOp({ ...next, id, time: Date.now() });
      const outcome = this.#predict([...accepted], bytes);
      if (outcome.status === 'rejected') {
        const text = reasonText(this.#lang, outcome.code, outcome.message);
        this.#showNotice(this.#t('rejected', { message: text }));
        this.emit('kring:error', { opId: id, kind: next.kind, code: outcome.code, message: text, predicted: true });
        return false;
      }
      if (outcome.status === 'held') this.#heldReasons.set(id, reasonText(this.#lang, outcome.code, outcome.message));
      accepted.push({ id, kind: next.kind, bytes, detail: { ...next } });
    }
    for (const op of accepted) {
      this.#pending.push(op);
      this.#send(replica.submitMessage(op.bytes));
    }
    this.#notice = undefined;
    this.#refreshView(false);
    return true;
  }

  // A fresh engine holding what the replica holds, the site's rules and this member: predictions
  // and the pending view run there, so the replica itself only ever holds what the server sent.
  #scratch(): KringEngine {
    const scratch = this.#core!.createEngine(this.site);
    scratch.receive(this.#welcomeBytes!);
    scratch.setActor(this.#me!.id, this.#me!.displayName, this.#me!.role);
    const snapshot = this.replica!.threadSnapshot(this.#thread);
    if (snapshot) scratch.loadThreadSnapshot(snapshot);
    for (const op of this.#pending) scratch.apply(op.bytes);
    return scratch;
  }

  #predict(alsoPending: PendingOp[], bytes: Uint8Array): Outcome {
    const scratch = this.#scratch();
    try {
      for (const op of alsoPending) scratch.apply(op.bytes);
      return scratch.describeOutcome(scratch.apply(bytes));
    } finally {
      scratch.dispose();
    }
  }

  #acknowledge(opId: string) {
    const reading = this.#readingOps.get(opId);
    if (reading) {
      this.#readingOps.delete(opId);
      return this.emit('kring:read', { ...reading.detail, opId });
    }
    const index = this.#pending.findIndex((op) => op.id === opId);
    if (index < 0) return;
    const [op] = this.#pending.splice(index, 1);
    const post = this.replica?.threadView(this.#thread, this.#order, this.#me?.id ?? '')?.posts.find((p: Post) => p.id === opId);
    const state = post?.state === 'pending_review' ? 'held' : 'accepted';
    if (state === 'held' && !this.#heldReasons.has(opId)) this.#heldReasons.set(opId, '');
    const postId = op.kind === 'post' ? opId : op.detail.postId;
    this.emit(EVENT_NAMES[op.kind] ?? 'kring:post', { ...op.detail, opId, kind: op.kind, state, postId });
  }

  #refuse(opId: string, code: string, message: string) {
    // A reading batch the server refuses (rate limited, say) is not the visitor's to fix.
    if (this.#readingOps.delete(opId)) return;
    // The store refuses writes for now (database away, disk full): nothing was saved, so the op
    // stays pending and goes again, with the same id.
    if (code === 'store_unavailable' && this.#pending.some((op) => op.id === opId)) {
      this.#showNotice(this.#t('savingRetried'));
      setTimeout(() => {
        const op = this.#pending.find((pending) => pending.id === opId);
        if (op) this.#send(this.replica!.submitMessage(op.bytes));
      }, 3_000);
      return;
    }
    const index = this.#pending.findIndex((op) => op.id === opId);
    const op = index >= 0 ? this.#pending.splice(index, 1)[0] : undefined;
    const text = reasonText(this.#lang, code, message);
    this.#showNotice(this.#t('rejected', { message: text }));
    this.emit('kring:error', { opId, kind: op?.kind, code, message: text });
  }

  #nextOpId() {
    return `${this.clientId}-${(this.#opCounter += 1).toString(36)}`;
  }

  // --- Reading: batched, sent every READING_BATCH_MS, when the page is hidden and on disconnect ---
  #startReading() {
    if (this.#reader) return;
    this.#reader = new ReadingTracker(this.host);
    document.addEventListener('visibilitychange', this.#onVisibility);
    this.#readingTimer = setInterval(() => this.#flushReading(), READING_BATCH_MS);
  }

  #stopReading() {
    this.#reader?.stop();
    this.#reader = undefined;
    document.removeEventListener('visibilitychange', this.#onVisibility);
    clearInterval(this.#readingTimer);
  }

  #flushReading() {
    const replica = this.replica;
    if (!this.#reader || !replica || !this.#me || !this.#connection.ready) return;
    const batch = this.#reader.take();
    // A thread no one has posted in yet has nothing to read.
    if (replica.threadView(this.#thread) === null) return;
    const entering = !this.#threadEntered;
    if (!entering && batch.postsSeen === 0 && batch.seconds === 0) return;
    const detail = {
      threadKeys: entering ? [this.#thread] : [],
      readThreadKeys: !entering && batch.postsSeen > 0 ? [this.#thread] : [],
      postsSeen: batch.postsSeen,
      secondsReading: batch.seconds,
    };
    const id = this.#nextOpId();
    const bytes = replica.makeOp({ kind: 'reading', ...detail, id, time: Date.now() });
    this.#threadEntered = true;
    this.#readingOps.set(id, { bytes, detail });
    this.#send(replica.submitMessage(bytes));
  }

  emit(name: string, detail: Record<string, unknown>) {
    this.host.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
  }

  // --- View ---
  #refreshView(announce: boolean) {
    if (!this.replica || !this.#me) return this.requestRender();
    const viewer = this.#me.id;
    let view: ThreadView | null;
    if (this.#pending.length === 0) {
      view = this.replica.threadView(this.#thread, this.#order, viewer);
    } else {
      const scratch = this.#scratch();
      view = scratch.threadView(this.#thread, this.#order, viewer);
      scratch.dispose();
    }
    this.#view = view ?? undefined;
    const posts = this.#view?.posts ?? [];
    if (announce) {
      const fresh = posts.filter((p) => !this.#knownPostIds.has(p.id) && p.authorId !== viewer && p.body);
      if (fresh.length) this.#announcement = fresh.map((p) => this.#t('newPostBy', { name: p.authorName })).join('. ');
    }
    // Only posts with readable text count as known: a held post approved later is announced then.
    for (const post of posts) if (post.body) this.#knownPostIds.add(post.id);
    this.requestRender();
  }

  setStatus(status: Status) {
    this.#status = status;
    this.requestRender();
  }

  #showNotice(text: string, held = false) {
    this.#notice = { text, held };
    this.requestRender();
  }

  requestRender() {
    if (this.#renderQueued) return;
    this.#renderQueued = true;
    queueMicrotask(() => {
      this.#renderQueued = false;
      render(this.#template(), this.#root, { host: this });
      this.#reader?.watch(this.#root.querySelectorAll('article[data-post-id]'));
      // For hosts and benchmarks: when the thread first stood on screen, interactive.
      if (this.#connection.synced && !this.#markedInteractive) {
        this.#markedInteractive = true;
        performance.mark('kring:interactive');
      }
    });
  }

  #tree(posts: Post[]): TreeNode[] {
    const nodes = new Map<string, TreeNode>();
    const roots: TreeNode[] = [];
    for (const post of posts) {
      const node = { post, children: [] };
      nodes.set(post.id, node);
      const parent = post.parentId ? nodes.get(post.parentId) : undefined;
      (parent ? parent.children : roots).push(node);
    }
    const prune = (list: TreeNode[]): TreeNode[] => {
      const kept = list.map((n) => ({ post: n.post, children: prune(n.children) })).filter((n) => this.#isShown(n));
      // Q&A: the accepted answer comes first, whatever the order.
      if (this.#kind === 'question') kept.sort((a, b) => Number(b.post.accepted) - Number(a.post.accepted));
      return kept;
    };
    return prune(roots);
  }

  // A post with no readable text and no replies (held for someone else, removed) is not shown at all.
  #isShown(node: TreeNode) {
    const post = node.post;
    if (post.body || node.children.length || this.#isModerator) return true;
    return post.authorId === this.#me?.id && post.state !== 'removed' && post.state !== 'spam';
  }

  #template(): TemplateResult {
    const t = this.#t;
    const question = this.#kind === 'question';
    const roots = this.#tree(this.#view?.posts ?? []);
    const locked = this.#view?.state === 'locked';
    const visibleCount = (this.#view?.posts ?? []).filter((p) => p.body && p.state === 'visible').length;
    const count = question ? t('questions', { n: roots.length }) : t('comments', { n: visibleCount });
    const title = question ? t('questionTitle') : t('discussionTitle');
    const statusText = this.#status.text ?? t(this.#status.key, this.#status.values);
    const { synced, welcomed, attempts } = this.#connection;
    const connection = this.#status.error ? 'error' : synced ? 'synced' : welcomed ? 'connected'
      : attempts ? 'reconnecting' : 'connecting';
    return html`
      <section class="root" part="root" aria-label=${title} lang=${this.#lang} data-connection=${connection}>
        <div class="header" part="header">
          <h2 part="title">${title}</h2>
          <span class="count" part="count">${count}</span>
          <label part="sort-label">${t('sortLabel')}
            <select part="sort" @change=${(e: Event) => { this.#order = (e.target as HTMLSelectElement).value; this.#refreshView(false); }}>
              ${(['top', 'newest', 'oldest'] as const).map((name) => html`<option value=${name} ?selected=${this.#order === name}>
                ${t(name === 'top' ? 'sortTop' : name === 'newest' ? 'sortNewest' : 'sortOldest')}</option>`)}
            </select>
          </label>
          ${this.#isModerator && this.#view ? html`<button type="button" part="moderate-lock"
              @click=${() => this.#perform({ kind: 'moderate', action: locked ? 'unlock' : 'lock', target: this.#thread, reason: 'from the thread widget' })}>
              ${locked ? t('unlock') : t('lock')}</button>` : nothing}
        </div>
        <p class="status ${this.#status.error ? 'error' : ''}" part="status" role=${this.#status.error ? 'alert' : 'status'}>${statusText}</p>
        <div class="visually-hidden" aria-live="polite" part="live">${this.#announcement}</div>
        ${this.#notice ? html`<div class="notice ${this.#notice.held ? 'held' : ''}" part="notice" role="alert">
            <span>${this.#notice.text}</span>
            <button type="button" aria-label=${t('dismiss')} @click=${() => { this.#notice = undefined; this.requestRender(); }}>×</button>
          </div>` : nothing}
        ${locked ? html`<p class="tombstone" part="locked">${t('locked')}</p>`
          : this.#composer('root', question ? 'composeQuestion' : 'composeDiscussion', question ? 'ask' : 'post',
            (body) => this.#perform({ kind: 'post', threadKey: this.#thread, parentId: '', body }))}
        <div class="posts" part="posts">
          ${roots.length === 0 && this.#view !== undefined || (roots.length === 0 && welcomed)
            ? html`<p class="tombstone" part="empty">${question ? t('emptyQuestions') : t('empty')}</p>` : nothing}
          ${roots.slice(0, this.#shown).map((node) => this.#renderNode(node, locked))}
        </div>
        ${roots.length > this.#shown ? html`<button type="button" class="more" part="load-more"
            @click=${() => { this.#shown += PAGE_SIZE; this.requestRender(); }}>${t('loadMore', { n: roots.length - this.#shown })}</button>` : nothing}
      </section>`;
  }

  #composer(key: string, placeholderKey: StringKey, submitKey: StringKey, submit: (body: string) => boolean,
    onCancel?: () => void): TemplateResult {
    const t = this.#t;
    const draft = this.#drafts.get(key) ?? '';
    const previewing = this.#previewing.has(key);
    const send = () => {
      const body = (this.#drafts.get(key) ?? '').trim();
      if (!body) return;
      if (submit(body)) {
        this.#drafts.delete(key);
        this.#previewing.delete(key);
        this.requestRender();
      }
    };
    const togglePreview = (on: boolean) => {
      if (on) this.#previewing.add(key); else this.#previewing.delete(key);
      this.requestRender();
    };
    return html`
      <form class="composer" part="composer" data-composer=${key} @submit=${(e: Event) => { e.preventDefault(); send(); }}>
        <div class="tabs" part="composer-tabs">
          <button type="button" part="composer-tab" aria-pressed=${String(!previewing)} @click=${() => togglePreview(false)}>${t('write')}</button>
          <button type="button" part="composer-tab" aria-pressed=${String(previewing)} @click=${() => togglePreview(true)}>${t('preview')}</button>
        </div>
        ${previewing
          ? html`<div class="preview body" part="preview" aria-label=${t('preview')}>${draft.trim()
              ? unsafeHTML(renderMarkdown(draft)) : t('nothingToPreview')}</div>`
          : html`<textarea part="textarea" maxlength="20000" aria-label=${t(placeholderKey)} placeholder=${t(placeholderKey)}
              .value=${live(draft)}
              @input=${(e: Event) => this.#drafts.set(key, (e.target as HTMLTextAreaElement).value)}
              @keydown=${(e: KeyboardEvent) => {
                if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); send(); }
                if (e.key === 'Escape' && onCancel) { e.preventDefault(); onCancel(); }
              }}></textarea>`}
        <div class="row">
          ${onCancel ? html`<button type="button" part="cancel" @click=${onCancel}>${t('cancel')}</button>` : nothing}
          <button type="submit" class="primary" part="submit">${t(submitKey)}</button>
        </div>
      </form>`;
  }

  #renderNode(node: TreeNode, locked: boolean): TemplateResult {
    const t = this.#t;
    const post = node.post;
    const me = this.#me;
    const mine = post.authorId === me?.id;
    const pending = this.#pending.some((op) => op.id === post.id);
    const held = post.state === 'pending_review';
    const gone = post.state === 'removed' || post.state === 'spam';
    const readable = Boolean(post.body) && !gone;
    const question = this.#kind === 'question';
    const role = question ? (['question', 'answer', 'comment'][post.depth] ?? 'comment') : 'comment';
    const classes = ['post', role, post.accepted ? 'accepted' : '', pending ? 'pending' : '', held ? 'held' : '',
      post.featured ? 'featured' : ''].filter(Boolean).join(' ');
    const answers = question && post.depth === 0 ? node.children.length : 0;
    const askedBy = question && post.depth === 1 ? this.#view?.posts.find((p) => p.id === post.parentId)?.authorId : undefined;
    const mayAccept = post.depth === 1 && question && readable && (askedBy === me?.id || ACCEPTING_ROLES.has(me?.role ?? ''));
    const replyKey: StringKey = question ? (post.depth === 0 ? 'answer' : 'comment') : 'reply';
    const mayReply = readable && !locked && !(question && post.depth >= 2);
    const collapsed = post.depth >= COLLAPSE_DEPTH && node.children.length > 0 && !this.#expanded.has(post.id);
    const time = new Date(post.createdAt);
    const nameId = `author-${post.id}`;
    // Why it waits: the author's prediction in their words, else the reason code the view gives
    // its author and moderators.
    const heldText = gone || post.state === 'visible' ? ''
      : this.#heldReasons.get(post.id) || (post.heldReason && post.heldReason !== 'none'
        ? t('heldFor', { reason: post.heldReason.replace(/_/g, ' ') }) : '');
    return html`
      <article class=${classes} part="post ${role}${post.accepted ? ' accepted' : ''}${held ? ' held' : ''}"
          data-post-id=${post.id} data-state=${post.state} aria-labelledby=${nameId}>
        <header class="meta" part="post-meta">
          <span class="author" part="author" id=${nameId}>${post.authorName || post.authorId}</span>
          ${post.authorRole === 'staff' ? html`<span class="badge staff" part="badge badge-staff">${t('staff')}</span>` : nothing}
          ${MODERATOR_ROLES.has(post.authorRole) ? html`<span class="badge" part="badge badge-moderator">${t('moderator')}</span>` : nothing}
          <span class="badge" part="badge badge-reputation" title=${t('reputation', { n: post.authorReputation })}
            aria-label=${t('reputation', { n: post.authorReputation })}>${post.authorReputation}</span>
          <span class="badge" part="badge badge-trust" title=${t('trustLevel', { n: post.authorTrustLevel })}
            aria-label=${t('trustLevel', { n: post.authorTrustLevel })}>TL${post.authorTrustLevel}</span>
          <time datetime=${time.toISOString()}>${this.#formatDate(time)}</time>
          ${post.editedAt ? html`<span>(${t('edited')})</span>` : nothing}
          ${post.featured ? html`<span class="badge featured" part="badge badge-featured">★ ${t('featured')}</span>` : nothing}
          ${post.accepted ? html`<span class="badge accepted" part="badge badge-accepted">✓ ${t('accepted')}</span>` : nothing}
          ${question && post.depth === 0 ? html`
            <span class="badge" part="badge badge-answers">${answers === 1 ? t('oneAnswer') : t('answers', { n: answers })}</span>
            <span class="badge ${answers ? 'answered' : 'unanswered'}" part="badge badge-${answers ? 'answered' : 'unanswered'}">
              ${answers ? t('answered') : t('unanswered')}</span>` : nothing}
          ${held ? html`<span class="badge held" part="badge badge-held">${t('held')}</span>` : nothing}
          ${pending ? html`<span class="badge" part="badge badge-pending">${t('sending')}</span>` : nothing}
        </header>
        ${readable
          ? html`<div class="body" part="body">${unsafeHTML(renderMarkdown(post.body))}</div>`
          : html`<p class="tombstone" part="tombstone">${post.erased ? t('erased') : gone ? t('removed') : held ? t('held') : t('hidden')}</p>`}
        ${heldText ? html`<p class="reason" part="held-reason">${heldText}</p>` : nothing}
        ${readable ? this.#actions(post, { mine, mayAccept, mayReply, replyKey }) : nothing}
        ${this.#flagging === post.id ? this.#flagForm(post) : nothing}
        ${this.#editing === post.id ? this.#composer(`edit-${post.id}`, 'composeEdit', 'save', (body) => {
            const done = this.#perform({ kind: 'edit', postId: post.id, body });
            if (done) this.#closeComposer(post.id, 'edit');
            return done;
          }, () => this.#closeComposer(post.id, 'edit')) : nothing}
        ${this.#replyingTo === post.id ? this.#composer(`reply-${post.id}`,
            question ? (post.depth === 0 ? 'composeAnswer' : 'composeComment') : 'composeReply', replyKey, (body) => {
              const done = this.#perform({ kind: 'post', threadKey: this.#thread, parentId: post.id, body });
              if (done) this.#closeComposer(post.id, 'reply');
              return done;
            }, () => this.#closeComposer(post.id, 'reply')) : nothing}
        ${this.#isModerator ? this.#moderatorTools(post) : nothing}
        ${node.children.length ? (collapsed
          ? html`<button type="button" part="show-replies" @click=${() => { this.#expanded.add(post.id); this.requestRender(); }}>
              ${t('showReplies', { n: node.children.length })}</button>`
          : html`<div class="replies" part="replies">${node.children.map((child) => this.#renderNode(child, locked))}</div>`)
          : nothing}
      </article>`;
  }

  #actions(post: Post, { mine, mayAccept, mayReply, replyKey }:
    { mine: boolean; mayAccept: boolean; mayReply: boolean; replyKey: StringKey }): TemplateResult {
    const t = this.#t;
    const vote = (direction: string) => this.#perform({ kind: 'vote', postId: post.id, direction: post.myVote === direction ? 'none' : direction });
    // Guests read and post; votes and flags need a member (the server refuses them: sign_in_required).
    const guest = this.#me?.id.startsWith('guest:') ?? false;
    return html`<div class="actions" part="actions">
      <button type="button" part="vote-up" aria-pressed=${String(post.myVote === 'up')} ?disabled=${mine || guest}
        aria-label="${t('voteUp')}, ${t('score', { n: post.score })}" @click=${() => vote('up')}>▲</button>
      <span part="score" aria-hidden="true">${post.score}</span>
      <button type="button" part="vote-down" aria-pressed=${String(post.myVote === 'down')} ?disabled=${mine || guest}
        aria-label=${t('voteDown')} @click=${() => vote('down')}>▼</button>
      ${mayReply ? html`<button type="button" part="reply" @click=${() => { this.#replyingTo = post.id; this.requestRender(); this.#focusComposer(`reply-${post.id}`); }}>${t(replyKey)}</button>` : nothing}
      ${mayAccept ? html`<button type="button" part="accept" @click=${() => this.#perform({ kind: post.accepted ? 'unaccept' : 'accept', answerId: post.id })}>
          ${post.accepted ? t('unaccept') : t('accept')}</button>` : nothing}
      <span class="spacer"></span>
      ${mine ? html`
        <button type="button" part="edit" @click=${() => { this.#editing = post.id; this.#drafts.set(`edit-${post.id}`, post.body); this.requestRender(); this.#focusComposer(`edit-${post.id}`); }}>${t('edit')}</button>
        <button type="button" part="delete" @click=${() => this.#perform({ kind: 'delete', postId: post.id })}>${t('delete')}</button>`
        : guest ? nothing : html`<button type="button" part="flag" aria-expanded=${String(this.#flagging === post.id)}
            @click=${() => { this.#flagging = this.#flagging === post.id ? undefined : post.id; this.requestRender(); }}>${t('flag')}</button>`}
    </div>`;
  }

  #flagForm(post: Post): TemplateResult {
    const t = this.#t;
    const reasons: [string, StringKey][] = [['spam', 'flagSpam'], ['offensive', 'flagOffensive'], ['off_topic', 'flagOffTopic'], ['other', 'flagOther']];
    return html`<form class="actions" part="flag-form" @submit=${(e: Event) => {
        e.preventDefault();
        if (this.#perform({ kind: 'flag', postId: post.id, reason: this.#flagReason })) this.#flagging = undefined;
        this.requestRender();
      }}>
      <label>${t('flagReason')}
        <select part="flag-reason" @change=${(e: Event) => { this.#flagReason = (e.target as HTMLSelectElement).value; }}>
          ${reasons.map(([value, key]) => html`<option value=${value} ?selected=${this.#flagReason === value}>${t(key)}</option>`)}
        </select></label>
      <button type="submit" part="flag-submit">${t('sendFlag')}</button>
    </form>`;
  }

  #moderatorTools(post: Post): TemplateResult {
    const t = this.#t;
    const act = (action: string) => this.#perform({ kind: 'moderate', action, target: post.id, reason: 'from the thread widget' });
    const gone = post.state === 'removed' || post.state === 'spam';
    return html`<div class="mod" part="moderator-tools" role="group" aria-label=${t('moderatorTools')}>
      ${post.state !== 'visible' && !gone ? html`<button type="button" part="moderate-approve" @click=${() => act('approve')}>${t('approve')}</button>` : nothing}
      ${post.state === 'visible' ? html`<button type="button" part="moderate-hide" @click=${() => act('hide')}>${t('hide')}</button>` : nothing}
      ${!gone ? html`<button type="button" part="moderate-remove" @click=${() => act('reject')}>${t('remove')}</button>` : nothing}
      ${post.state === 'visible' && !post.featured ? html`<button type="button" part="moderate-feature" @click=${() => act('feature')}>${t('feature')}</button>` : nothing}
    </div>`;
  }

  // A closed reply or edit box hands keyboard focus back to the button that opened it.
  #closeComposer(postId: string, part: 'reply' | 'edit') {
    if (part === 'reply') this.#replyingTo = undefined; else this.#editing = undefined;
    this.requestRender();
    requestAnimationFrame(() => this.#root.querySelector<HTMLElement>(
      `article[data-post-id="${CSS.escape(postId)}"] > .actions > [part~="${part}"]`)?.focus());
  }

  #focusComposer(key: string) {
    requestAnimationFrame(() => this.#root.querySelector<HTMLTextAreaElement>(`form[data-composer="${CSS.escape(key)}"] textarea`)?.focus());
  }
}
