// The socket to kring-server: Hello and Subscribe when it opens, reconnects with backoff and jitter,
// the guest's credential kept per site, and the token refreshed a minute before it ends.
import type { KringEngine } from '../../../wasm/kring-core-client.mjs';
import { readAttribute } from './attributes';
import { ProtocolError } from './kring-enums';
import type { StringKey } from './strings';

const MAX_BACKOFF_MS = 30_000;
// Errors after which retrying cannot help: the page must change, not the network.
const FATAL_ERRORS = new Set<string>([
  ProtocolError.originNotAllowed,
  ProtocolError.unknownSite,
  ProtocolError.guestsNotAllowed,
  ProtocolError.unsupportedProtocol,
]);

export interface KringHost extends HTMLElement {
  getToken?: () => string | Promise<string>;
}

// What the connection asks of the widget that owns it.
export interface ConnectionOwner {
  readonly host: KringHost;
  readonly site: string;
  readonly serverUrl: string;
  readonly clientId: string;
  readonly replica?: KringEngine;
  subscribeMessage(): Uint8Array; // Subscribe from the last sequence the replica holds
  onMessage(bytes: Uint8Array): void;
  connect(): void; // again, after a pause
  setStatus(status: { key: StringKey }): void;
  emit(name: string, detail: Record<string, unknown>): void;
}

export class Connection {
  welcomed = false;
  synced = false; // the thread's snapshot or catch-up arrived on this connection
  attempts = 0;
  stopped = false;
  #socket?: WebSocket;
  #retryTimer?: ReturnType<typeof setTimeout>;
  #refreshTimer?: ReturnType<typeof setTimeout>;

  readonly #owner: ConnectionOwner;

  constructor(owner: ConnectionOwner) {
    this.#owner = owner;
  }

  // Welcomed on an open socket: what is sent now reaches the server as this member.
  get ready() {
    return this.welcomed && this.#socket?.readyState === WebSocket.OPEN;
  }

  // Hello → Welcome → Subscribe from the last sequence; the owner resubmits what is pending.
  async open() {
    const owner = this.#owner;
    if (this.stopped || this.#socket) return;
    owner.setStatus({ key: this.attempts ? 'reconnecting' : 'connecting' });
    let token = '';
    try {
      token = await this.#token();
    } catch (error) {
      owner.emit('kring:error', { code: 'get_token_failed', message: String(error) });
    }
    if (this.stopped || this.#socket) return;
    const socket = new WebSocket(owner.serverUrl);
    socket.binaryType = 'arraybuffer';
    this.#socket = socket;
    this.welcomed = false;
    socket.onopen = () => {
      const credential = token ? '' : (localStorage.getItem(this.#credentialKey) ?? '');
      socket.send(owner.replica!.helloMessage(owner.site, token, owner.clientId, credential));
      // Subscribe may follow Hello at once (docs/protocol.md): the thread comes one round trip sooner.
      socket.send(owner.subscribeMessage());
    };
    socket.onmessage = (event) => {
      if (this.#socket === socket) owner.onMessage(new Uint8Array(event.data as ArrayBuffer));
    };
    socket.onclose = () => {
      if (this.#socket !== socket) return;
      this.#socket = undefined;
      this.welcomed = false;
      this.synced = false;
      clearTimeout(this.#refreshTimer);
      if (!this.stopped) this.#scheduleReconnect();
    };
  }

  close() {
    this.stopped = true;
    clearTimeout(this.#retryTimer);
    clearTimeout(this.#refreshTimer);
    const socket = this.#socket;
    this.#socket = undefined;
    socket?.close();
  }

  send(bytes: Uint8Array | null) {
    if (bytes && this.ready) this.#socket!.send(bytes);
  }

  welcome(guestCredential: string, tokenExpiresAt: number) {
    if (guestCredential) localStorage.setItem(this.#credentialKey, guestCredential);
    this.welcomed = true;
    this.attempts = 0;
    this.#scheduleTokenRefresh(tokenExpiresAt);
  }

  // The server's error (it closes the connection next): true when retrying cannot help.
  failed(code: string): boolean {
    if (code === ProtocolError.badGuestCredential) localStorage.removeItem(this.#credentialKey);
    const fatal =
      FATAL_ERRORS.has(code) || (code === ProtocolError.badToken && typeof this.#owner.host.getToken !== 'function');
    if (fatal) this.stopped = true;
    return fatal;
  }

  get #credentialKey() {
    return `kring-guest-${this.#owner.site}`;
  }

  async #token(): Promise<string> {
    const host = this.#owner.host;
    if (typeof host.getToken === 'function') return String((await host.getToken()) ?? '');
    return readAttribute(host, 'token') ?? '';
  }

  #scheduleReconnect() {
    // Exponential backoff with jitter, so a restarted server is not hit by every tab at once.
    const ceiling = Math.min(MAX_BACKOFF_MS, 500 * 2 ** this.attempts);
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    this.attempts += 1;
    this.#owner.setStatus({ key: 'reconnecting' });
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => this.#owner.connect(), delay);
  }

  #scheduleTokenRefresh(expiresAt: number) {
    clearTimeout(this.#refreshTimer);
    if (!expiresAt || typeof this.#owner.host.getToken !== 'function') return;
    // A minute ahead; without getToken the server closes with token_expired and we reconnect.
    const wait = Math.max(5_000, expiresAt - Date.now() - 60_000);
    this.#refreshTimer = setTimeout(async () => {
      try {
        this.send(this.#owner.replica!.refreshTokenMessage(await this.#token()));
      } catch (error) {
        this.#owner.emit('kring:error', { code: 'get_token_failed', message: String(error) });
      }
    }, wait);
  }
}
