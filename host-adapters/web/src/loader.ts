// kring.js: the only script a host page loads up front. It defines <kring-thread> and fetches the
// widget and the wasm core only when an element nears the viewport (never before first paint).
declare const KRING_THREAD_CHUNK: string;
declare const KRING_CORE_WASM: string;
import { ATTRIBUTES, type AttributeChange, type AttributeName } from './attributes';

interface Widget {
  connect(): void;
  disconnect(): void;
  attributesChanged(change: AttributeChange): void;
}
interface Chunk {
  mount(host: HTMLElement): Widget;
  useWasm(response: Promise<Response>): void;
}
let chunk: Promise<Chunk> | undefined;
const url = (name: string) => new URL(name, import.meta.url).href;
const loadChunk = () =>
  (chunk ??= (() => {
    // The wasm core downloads alongside the widget's script, not after it.
    const wasm = fetch(url(KRING_CORE_WASM), { credentials: 'same-origin' });
    return import(url(KRING_THREAD_CHUNK)).then((module: Chunk) => {
      module.useWasm(wasm);
      return module;
    });
  })());

class KringThreadElement extends HTMLElement {
  static observedAttributes = Object.keys(ATTRIBUTES);
  private widget?: Widget;
  private observer?: IntersectionObserver;
  // Set by the host page (possibly before this script upgrades the element, hence `declare`: no
  // class field may overwrite it): called for each connection and before the token expires.
  declare getToken?: () => string | Promise<string>;

  connectedCallback() {
    if (this.widget) return this.widget.connect();
    this.observer ??= new IntersectionObserver(
      (entries) => {
        if (!entries.some((entry) => entry.isIntersecting)) return;
        this.observer?.disconnect();
        loadChunk().then(
          (module) => {
            if (this.isConnected && !this.widget) this.widget = module.mount(this);
          },
          (error) =>
            this.dispatchEvent(
              new CustomEvent('kring:error', {
                bubbles: true,
                composed: true,
                detail: { code: 'load_failed', message: String(error) },
              }),
            ),
        );
      },
      { rootMargin: '600px' },
    );
    this.observer.observe(this);
  }

  disconnectedCallback() {
    this.observer?.disconnect();
    this.observer = undefined;
    this.widget?.disconnect();
  }

  attributeChangedCallback(name: string, before: string | null, after: string | null) {
    // The widget is told what the change does (the table stays in this script alone).
    if (before !== after) this.widget?.attributesChanged(ATTRIBUTES[name as AttributeName]);
  }
}

if (!customElements.get('kring-thread')) customElements.define('kring-thread', KringThreadElement);
