// The <kring-thread> widget proper, loaded by kring.js when the element nears the viewport.
// The wasm core keeps the replica (what the server sent) and predicts each op on a scratch copy of
// it; the page only displays. Rendering is lit-html into the host's shadow root.
import { render } from 'lit/html.js';
import { frameTemplate, type Frame } from './templates/frame';
import { MODERATOR_ROLES } from './templates/post';
import type { Screen, Ui } from './templates/screen';
import type { KringCore, KringEngine } from '../../../wasm/kring-core-client.mjs';
import { readAttribute, type AttributeChange } from './attributes';
import { loadCore } from './core-loader';
import { RenderedBodies } from './markdown';
import { ReadingBatches } from './reading';
declare const KRING_STYLES: string; // src/styles.css, minified by build.mjs
import { reasonText, translator, type Translate } from './strings';
import type { Member, Op, Outcome, Post, ThreadView } from './thread-types';
import { threadTree } from './thread-tree';
import { Connection, type KringHost } from './connection';
import { ProtocolError } from './kring-enums';
import { PendingOps, type PendingOp } from './pending-ops';

type Status = Frame['status'];

const PAGE_SIZE = 20; // top-level posts per "load more"
const EVENT_NAMES: Record<string, string> = {
  create_thread: 'kring:post',
  post: 'kring:post',
  edit: 'kring:post',
  delete: 'kring:post',
  vote: 'kring:vote',
  accept: 'kring:accept',
  unaccept: 'kring:accept',
  flag: 'kring:flag',
  moderate: 'kring:moderate',
  follow: 'kring:follow',
};

export { useWasm } from './core-loader';

const randomId = () =>
  Array.from(crypto.getRandomValues(new Uint8Array(9)), (b) => b.toString(36).padStart(2, '0')).join('');

const sheet = new CSSStyleSheet();
sheet.replaceSync(KRING_STYLES);

// `focusComposer`: the visitor's first action was to write (the loader's reader-first button).
export function mount(host: KringHost, focusComposer = false): ThreadWidget {
  const widget = new ThreadWidget(host);
  widget.connect();
  if (focusComposer) {
    requestAnimationFrame(() =>
      widget.host.shadowRoot?.querySelector<HTMLElement>('form[data-composer="root"] textarea')?.focus(),
    );
  }
  return widget;
}

export class ThreadWidget {
  #root: ShadowRoot;
  #core?: KringCore;
  replica?: KringEngine;
  readonly #connection = new Connection(this);
  #me?: Member;
  #following?: boolean;
  #mailSettings = ''; // the member's own preferences page (the Welcome's preferencesUrl)
  #readOnly = false;
  #tookOver = false; // the widget's posts replaced the server's rendering
  #needsTicket = false; // this member's first post of a new thread needs the host's ticket
  readonly #pending: PendingOps;
  #threadSequence = 0;
  readonly #pagesAsked = new Set<string>(); // lists whose next page is on its way
  #view?: ThreadView;
  #status: Status = { key: 'loading' };
  #notice?: { text: string; held?: boolean };
  #announcement = '';
  #knownPostIds = new Set<string>();
  readonly #bodies = new RenderedBodies();
  readonly #ui: Ui = { drafts: new Map(), previewing: new Set(), expanded: new Set(), flagReason: 'spam' };
  #shown = PAGE_SIZE;
  #order: string;
  readonly clientId = randomId();
  #renderQueued = false;
  #markedInteractive = false;
  readonly #reading: ReadingBatches;

  constructor(readonly host: KringHost) {
    this.#root = host.shadowRoot ?? host.attachShadow({ mode: 'open' });
    this.#root.adoptedStyleSheets = [sheet];
    this.#reading = new ReadingBatches(host, () => this.#flushReading());
    // Predictions run on a copy, so the replica itself only ever holds what the server sent; they
    // run only once signed in (the Welcome and this member known).
    this.#pending = new PendingOps(this.clientId, () => this.replica!.copy());
    this.#order = this.#kind === 'question' ? 'top' : 'oldest';
    this.requestRender();
  }

  // --- Attributes ---
  get site() {
    return readAttribute(this.host, 'site') ?? '';
  }
  get #thread() {
    return readAttribute(this.host, 'thread') ?? location.pathname;
  }
  get #kind() {
    return readAttribute(this.host, 'kind') === 'question' ? 'question' : 'discussion';
  }
  // The host's signed approval of this thread (docs/widget.md) and the title it was signed for.
  get #ticket() {
    return readAttribute(this.host, 'ticket') ?? '';
  }
  get #threadTitle() {
    return readAttribute(this.host, 'thread-title') ?? document.title.slice(0, 200);
  }
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
  get #t(): Translate {
    return translator(this.#lang);
  }
  get #isModerator() {
    return MODERATOR_ROLES.has(this.#me?.role ?? '');
  }

  attributesChanged(change: AttributeChange) {
    if (change === 'reconnect' && this.#core) {
      this.#reading.stop(); // what was read is the old thread's: the getters already name the new one
      this.disconnect();
      this.replica?.dispose();
      this.replica = this.#core.createEngine(this.site);
      this.#view = undefined;
      this.#bodies.clear();
      this.#pending.clear();
      this.#reading.forget();
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
    this.#reading.start();
    await this.#connection.open();
  }

  disconnect() {
    this.#flushReading();
    this.#reading.stop();
    this.#connection.close();
  }

  // Paged (docs/protocol.md): a big thread comes a page at a time, cut in the order shown.
  subscribeMessage() {
    return this.replica!.subscribePagedMessage(this.#thread, this.#threadSequence, this.#order);
  }

  // The next page of a list: the replies of postId, or ('') the top-level posts. One ask per list at a time.
  #loadPage(postId: string) {
    if (this.#pagesAsked.has(postId) || !this.#connection.ready) return;
    const bytes = this.replica!.loadPageMessage(this.#thread, postId);
    if (!bytes) return;
    this.#pagesAsked.add(postId);
    this.#send(bytes);
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
        this.#pagesAsked.clear(); // a page asked for on a connection that dropped never comes
        this.#me = message.member;
        this.#readOnly = message.readOnly;
        this.#needsTicket = message.needsTicketToStart;
        this.#mailSettings = message.preferencesUrl;
        replica.setActor(message.member.id, message.member.displayName, message.member.role);
        this.#connection.welcome(message.guestCredential, Number(message.tokenExpiresAt));
        performance.mark('kring:welcome');
        this.setStatus({ key: 'connectedAs', values: { name: this.#me!.displayName || this.#t('guest') } });
        // Ops the server may not have: it answers already_applied for those it stored.
        if (firstWelcome) {
          for (const op of this.#pending.all) this.#send(replica.submitMessage(op.bytes));
          for (const bytes of this.#reading.unacknowledged()) this.#send(replica.submitMessage(bytes));
        }
        break;
      }
      case 'snapshot_part':
        return; // the replica holds it until the last part
      case 'snapshot':
        if (message.threadKey === this.#thread) {
          this.#threadSequence = Math.max(message.continues ? this.#threadSequence : 0, message.lastSequence);
          this.#pagesAsked.clear();
          this.#connection.synced = true;
        }
        break;
      case 'events':
        if (message.rendered) this.#bodies.add(message.rendered);
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
          const text = message.code === ProtocolError.originNotAllowed ? this.#t('originRefused') : message.message;
          this.setStatus({ key: 'loading', error: true, text });
        }
        break;
      case 'invalid':
        // The replica refused what arrived: start again from a snapshot.
        this.#threadSequence = 0;
        this.#send(this.subscribeMessage());
        break;
    }
    this.#refreshView(message.type === 'events');
  }

  // The server's rendering stays in view until the widget can show every post as the server renders
  // it: synced, and each readable body's HTML arrived (it follows the snapshot). Then never again.
  #showingServerRendering(posts: Post[]) {
    if (this.#tookOver || !this.host.querySelector('section.kring-thread')) return false;
    this.#tookOver =
      this.#connection.synced &&
      posts.every((post) => !post.body || this.#bodies.forPost(post.id, post.editedAt, post.body));
    return !this.#tookOver;
  }

  // --- Ops: predicted by the core first, shown at once, reconciled with the server ---
  #perform(op: Op): boolean {
    const replica = this.replica;
    if (!replica || !this.#me) {
      this.#showNotice(this.#t('signInToPost'));
      return false;
    }
    const ops: Op[] = [];
    const threadKnown =
      replica.threadView(this.#thread) !== null || this.#pending.all.some((p) => p.kind === 'create_thread');
    if (op.kind === 'post' && !threadKnown) {
      ops.push({
        kind: 'create_thread',
        key: this.#thread,
        title: this.#threadTitle,
        threadKind: this.#kind,
        ticket: this.#ticket,
      });
    }
    ops.push(op);
    const accepted: PendingOp[] = [];
    for (const next of ops) {
      const id = this.#pending.nextId();
      const bytes = replica.makeOp({ ...next, id, time: Date.now() });
      // The server alone decides a follow (the widget's core keeps follows, not their rule).
      const outcome =
        next.kind === 'follow' ? ({ status: 'accepted' } as Outcome) : this.#pending.predict([...accepted], bytes);
      if (outcome.status === 'rejected') {
        this.#refused(id, next.kind, outcome.code, outcome.message, true);
        return false;
      }
      if (outcome.status === 'held')
        this.#pending.heldReasons.set(id, reasonText(this.#lang, outcome.code, outcome.message));
      accepted.push({ id, kind: next.kind, bytes, detail: { ...next } });
    }
    for (const op of accepted) {
      this.#pending.add(op);
      this.#send(replica.submitMessage(op.bytes));
    }
    this.#notice = undefined;
    this.#refreshView(false);
    return true;
  }

  #acknowledge(opId: string) {
    const read = this.#reading.acknowledge(opId);
    if (read) return this.emit('kring:read', read);
    const op = this.#pending.take(opId);
    if (!op) return;
    const post = this.replica
      ?.threadView(this.#thread, this.#order, this.#me?.id ?? '')
      ?.posts.find((p: Post) => p.id === opId);
    const state = post?.state === 'pending_review' ? 'held' : 'accepted';
    const heldReasons = this.#pending.heldReasons;
    if (state === 'held' && !heldReasons.has(opId)) heldReasons.set(opId, '');
    const postId = op.kind === 'post' ? opId : op.detail.postId;
    this.emit(EVENT_NAMES[op.kind] ?? 'kring:post', { ...op.detail, opId, kind: op.kind, state, postId });
  }

  #refuse(opId: string, code: string, message: string) {
    if (this.#reading.refuse(opId)) return;
    // The store refuses writes for now (database away, disk full): nothing was saved, so the op
    // stays pending and goes again, with the same id.
    if (code === 'store_unavailable' && this.#pending.find(opId)) {
      this.#showNotice(this.#t('savingRetried'));
      setTimeout(() => {
        const op = this.#pending.find(opId);
        if (op) this.#send(this.replica!.submitMessage(op.bytes));
      }, 3_000);
      return;
    }
    this.#refused(opId, this.#pending.take(opId)?.kind, code, message);
  }

  // An op refused, by the core's prediction (never sent) or by the server: said, and raised.
  #refused(opId: string, kind: string | undefined, code: string, message: string, predicted?: boolean) {
    const text = reasonText(this.#lang, code, message);
    this.#showNotice(this.#t('rejected', { message: text }));
    const detail: Record<string, unknown> = { opId, kind, code, message: text };
    if (predicted) detail.predicted = true;
    this.emit('kring:error', detail);
  }

  // --- Reading (reading.ts): a batch goes when this visitor is signed in on an open connection ---
  #flushReading() {
    const replica = this.replica;
    if (!replica || !this.#me || !this.#connection.ready) return;
    this.#send(this.#reading.take(replica, this.#thread, () => this.#pending.nextId()));
  }

  emit(name: string, detail: Record<string, unknown>) {
    this.host.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
  }

  // --- View ---
  #refreshView(announce: boolean) {
    if (!this.replica || !this.#me) return this.requestRender();
    const viewer = this.#me.id;
    const pending = this.#pending.all.length > 0;
    const engine = pending ? this.#pending.scratch() : this.replica;
    const view = engine.threadView(this.#thread, this.#order, viewer);
    // Guests have no address to be told at: no choice to offer them. A follow on its way shows at once.
    const follows = this.#pending.all.filter((op) => op.kind === 'follow');
    this.#following =
      view && !viewer.startsWith('guest:')
        ? ((follows[follows.length - 1]?.detail.following as boolean | undefined) ??
          engine.following(this.#thread, viewer))
        : undefined;
    if (pending) engine.dispose();
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
      const question = this.#kind === 'question';
      const posts = this.#view?.posts ?? [];
      const screen: Screen = {
        t: this.#t,
        question,
        thread: this.#thread,
        me: this.#me,
        readOnly: this.#readOnly,
        moderator: this.#isModerator,
        posts,
        pending: (postId) => this.#pending.find(postId),
        heldReasons: this.#pending.heldReasons,
        ui: this.#ui,
        perform: (op) => this.#perform(op),
        rerender: () => this.requestRender(),
        focus: (selector) => requestAnimationFrame(() => this.#root.querySelector<HTMLElement>(selector)?.focus()),
        loadReplies: (postId) => this.#loadPage(postId),
        bodyHtml: (post) => this.#bodies.forPost(post.id, post.editedAt, post.body),
        previewHtml: (markdown) =>
          this.#bodies.preview(markdown, (requestId, text) => {
            if (!this.#connection.ready) return false;
            this.#send(this.replica!.renderMessage(requestId, text));
            return true;
          }),
      };
      const frame: Frame = {
        view: this.#view,
        roots: threadTree(posts, question, this.#isModerator, this.#me?.id),
        lang: this.#lang,
        status: this.#status,
        connection: this.#connection,
        announcement: this.#announcement,
        notice: this.#notice,
        order: this.#order,
        shown: this.#shown,
        showServerRendering: this.#showingServerRendering(posts),
        // No thread yet, and this member's first post could not create it: said instead of a composer.
        notStarted: this.#connection.synced && !this.#view && this.#needsTicket && !this.#ticket,
        following: this.#following,
        mailSettings: this.#mailSettings,
        sort: (order) => {
          this.#order = order;
          // A thread held in part was cut in the old order: its first page in the new one replaces it.
          const view = this.#view;
          if (view && (view.unloadedTopLevel || view.posts.some((p) => p.unloadedReplies)) && this.#connection.ready) {
            this.#threadSequence = 0;
            this.#send(this.subscribeMessage());
          }
          this.#refreshView(false);
        },
        dismissNotice: () => {
          this.#notice = undefined;
          this.requestRender();
        },
        more: () => {
          this.#shown += PAGE_SIZE;
          if (this.#view?.unloadedTopLevel) this.#loadPage('');
          this.requestRender();
        },
      };
      render(frameTemplate(screen, frame), this.#root, { host: this });
      this.#reading.watch(this.#root.querySelectorAll('article[data-post-id]'));
      // For hosts and benchmarks: when the thread first stood on screen, interactive.
      if (this.#connection.synced && !this.#markedInteractive) {
        this.#markedInteractive = true;
        performance.mark('kring:interactive');
      }
    });
  }
}
