// kring.js: the only script a host page loads up front. It defines <kring-thread>. Reader first
// (docs/server-rendering.md): when an element nears the viewport it shows the thread the server
// rendered, kept current by the server's live changes, and fetches the widget and the wasm core only when
// the visitor acts or signs in (a `token`). `load="interactive"` loads the widget at once instead.
declare const KRING_THREAD_CHUNK: string;
declare const KRING_CORE_WASM: string;
import { ATTRIBUTES, readAttribute, type AttributeChange, type AttributeName } from './attributes';

interface Widget {
  connect(): void;
  disconnect(): void;
  attributesChanged(change: AttributeChange): void;
}
interface Chunk {
  mount(host: HTMLElement, focusComposer?: boolean): Widget;
  useWasm(response: Promise<Response>): void;
}
let chunk: Promise<Chunk> | undefined;
const url = (name: string) => new URL(name, import.meta.url).href;
const loadChunk = () =>
  (chunk ??= (() => {
    // The wasm core downloads alongside the widget's script, not after it.
    const wasm = fetch(url(KRING_CORE_WASM), { credentials: 'same-origin' });
    wasm.catch(() => {}); // when the widget cannot load either, its failure is the one reported
    return import(url(KRING_THREAD_CHUNK)).then((module: Chunk) => {
      module.useWasm(wasm);
      return module;
    });
  })());

// The server's change to its page of the thread, as it commits (host-adapters/server/src/render/page_changes.h).
interface PageChange {
  from: string;
  to: string;
  put: { id: string; parent: string; after: string; html: string }[];
  drop: string[];
}
const FRAGMENT = 'section.kring-thread';
// The server's HTML lies in the page's light DOM: a few rules so that it reads as a thread; the
// host's own CSS may restyle every class (docs/server-rendering.md).
let styled = false;
function styleFragments() {
  if (styled) return;
  styled = true;
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(
    'kring-thread{display:block}kring-thread .kring-meta{font-size:.875em}' +
      'kring-thread .kring-replies{margin-left:1rem;padding-left:.75rem;border-left:2px solid #8884}' +
      'kring-thread pre{overflow:auto}kring-thread :is(.kring-body,.kring-title){overflow-wrap:anywhere}' +
      'kring-thread .kring-title{font-weight:600}' +
      'kring-thread .kring-author{display:inline-block;max-width:16em;overflow:hidden;text-overflow:ellipsis;white-space:nowrap;vertical-align:bottom}' +
      'kring-thread .kring-body :is(blockquote,ul,ol) :is(blockquote,ul,ol) :is(blockquote,ul,ol) :is(blockquote,ul,ol){padding-left:0;margin-left:0;border-left:0}',
  );
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
}

class KringThreadElement extends HTMLElement {
  static observedAttributes = Object.keys(ATTRIBUTES);
  #widget?: Widget;
  #observer?: IntersectionObserver;
  #live?: EventSource;
  #inView?: boolean;
  #acted?: boolean;
  #actButton?: HTMLButtonElement;
  #getToken?: () => string | Promise<string>;

  constructor() {
    super();
    // A host may set getToken before this script upgraded the element: that own property would hide
    // the accessor below, so it goes through the accessor instead.
    const early = Object.getOwnPropertyDescriptor(this, 'getToken');
    if (early) {
      delete (this as { getToken?: unknown }).getToken;
      this.getToken = early.value;
    }
  }

  // Set by the host page at any time: called for each connection and before the token expires.
  // Setting it signs in as the token attribute does (the widget connects again).
  get getToken() {
    return this.#getToken;
  }
  set getToken(value: (() => string | Promise<string>) | undefined) {
    if (value === this.#getToken) return;
    this.#getToken = value;
    this.#widget?.attributesChanged(ATTRIBUTES.token);
    if (value) this.#signIn();
  }

  connectedCallback() {
    if (this.#widget) return this.#widget.connect();
    this.#observer ??= new IntersectionObserver(
      (entries) => {
        this.#inView = entries.some((entry) => entry.isIntersecting);
        if (!this.#inView || this.#widget) return;
        if (this.#acted || readAttribute(this, 'load') === 'interactive') return this.#act(false);
        this.#read();
      },
      { rootMargin: '600px' },
    );
    this.#observer.observe(this);
  }

  disconnectedCallback() {
    this.#observer?.disconnect();
    this.#observer = undefined;
    this.#live?.close();
    this.#live = undefined;
    this.#widget?.disconnect();
  }

  attributeChangedCallback(name: string, before: string | null, after: string | null) {
    // The widget is told what the change does (the table stays in this script alone).
    if (before !== after) this.#widget?.attributesChanged(ATTRIBUTES[name as AttributeName]);
    if (name === 'token' && after) this.#signIn();
  }

  // Signing in is acting: a member with a token gets the widget once the element is near the view.
  #signIn() {
    if (this.#acted) return;
    this.#acted = true;
    if (this.#inView) this.#act(false);
  }

  // The server's page of the thread (`threads`) or its live changes (`live`), from any origin the site allows.
  // Beside the socket's address, so a server behind a path prefix (`wss://example.com/kring/sync`)
  // is asked under it (`https://example.com/kring/sites/…`).
  #pageUrl(route: string) {
    const base = new URL(readAttribute(this, 'server') || '/sync', import.meta.url);
    base.protocol = base.protocol.replace(/^ws/, 'http');
    const site = encodeURIComponent(readAttribute(this, 'site') ?? '');
    return new URL(
      `sites/${site}/${route}/${encodeURIComponent(readAttribute(this, 'thread') ?? location.pathname)}`,
      base,
    );
  }

  // Shows the server's rendering (the host's, when it put one in the element) and the button that
  // loads the widget, then follows the server's live changes to it. A server that cannot answer
  // gets the widget at once, as without reader-first.
  #read() {
    if (this.#live) return;
    styleFragments();
    this.#button();
    this.#fetchPage(true);
    const live = (this.#live = new EventSource(this.#pageUrl('live')));
    // Whatever changed while the stream was closed (or before it opened) comes with the page.
    live.onopen = () => this.#fetchPage();
    live.onmessage = (event) => this.#apply(JSON.parse(event.data)) || this.#fetchPage();
  }

  #fetchPage(first?: boolean) {
    fetch(this.#pageUrl('threads'), { cache: 'no-cache' })
      .then((response) => (response.ok ? response.text() : response.status === 404 ? '' : Promise.reject()))
      .then(
        (html) => {
          const current = this.querySelector<HTMLElement>(FRAGMENT);
          if (!html || this.#acted || current?.dataset.kringVersion === /data-kring-version="(\w*)"/.exec(html)?.[1])
            return;
          // Parsed in a template: nothing in it runs (the JSON-LD is data either way).
          const template = document.createElement('template');
          template.innerHTML = html;
          if (current) current.replaceWith(template.content);
          else this.prepend(template.content);
        },
        () => first && !this.querySelector(FRAGMENT) && this.#act(false),
      );
  }

  // A live change to the page shown (docs/server-rendering.md, "Live"); false when it does not
  // follow what is shown, and the page is fetched instead.
  #apply(change: PageChange) {
    const section = this.querySelector<HTMLElement>(FRAGMENT);
    if (this.#acted || section?.dataset.kringVersion !== change.from) return false;
    const post = (id: string) => section.querySelector('#' + CSS.escape('kring-post-' + id));
    const replies = ':scope>.kring-replies';
    // A change that does not fit throws before the version moves: the next one fetches the page.
    for (const id of change.drop) post(id)?.remove();
    for (const { id, parent, after, html } of change.put) {
      const template = document.createElement('template');
      template.innerHTML = html;
      const fresh = template.content.firstElementChild!;
      // A post shown already stays the same node, with the replies it shows (the rendering names
      // their list, empty, when there are any).
      let node = post(id);
      if (node) {
        const kept = node.querySelector(replies);
        if (kept) fresh.querySelector(replies)?.replaceWith(kept);
        node.className = fresh.className;
        node.replaceChildren(...fresh.childNodes);
      } else node = fresh;
      const previous = after && post(after);
      const list = parent ? post(parent)!.querySelector(replies)! : section;
      // First: before the list's first article (the section's JSON-LD stays first).
      if (previous) previous.after(node);
      else list.insertBefore(node, list.querySelector(':scope>article'));
    }
    section.dataset.kringVersion = change.to;
    return true;
  }

  #button() {
    if (this.#actButton) return;
    // closest() starts at the element: its own lang first, then the page's.
    const dutch = this.closest('[lang]')?.getAttribute('lang')?.startsWith('nl');
    const question = readAttribute(this, 'kind') === 'question';
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'kring-act';
    button.textContent = question
      ? dutch
        ? 'Stel een vraag'
        : 'Ask a question'
      : dutch
        ? 'Praat mee'
        : 'Join the discussion';
    button.addEventListener('click', () => this.#act(true));
    this.append((this.#actButton = button));
  }

  // The visitor acts: the widget and the core load, and take over the element.
  #act(focusComposer: boolean) {
    this.#acted = true;
    this.#live?.close();
    this.#live = undefined;
    this.#actButton?.remove();
    loadChunk().then(
      (module) => {
        if (this.isConnected && !this.#widget) this.#widget = module.mount(this, focusComposer);
      },
      (error) => {
        // Said in the element, not only to the page's scripts: most often the community server does
        // not let this page's origin load the widget (allowedOrigins, docs/auth.md).
        const notice = document.createElement('p');
        notice.className = 'kring-error';
        notice.setAttribute('role', 'alert');
        notice.textContent = `The discussion could not load from ${new URL(url(KRING_THREAD_CHUNK)).origin}: it may not allow this page (${location.origin}) in its allowedOrigins.`;
        this.append(notice);
        this.dispatchEvent(
          new CustomEvent('kring:error', {
            bubbles: true,
            composed: true,
            detail: { code: 'load_failed', message: String(error) },
          }),
        );
      },
    );
  }
}

if (!customElements.get('kring-thread')) customElements.define('kring-thread', KringThreadElement);
