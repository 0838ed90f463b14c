// A Node client of kring-server that keeps a wasm replica: used by the demo seeding and the
// Node end-to-end test. Signs tokens like a host site would (docs/auth.md).
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import WebSocket from 'ws';
import { KringCore } from '../../wasm/kring-core-api.mjs';

export async function loadCore(wasmJsPath) {
  const createModule = (await import(pathToFileURL(wasmJsPath).href)).default;
  return KringCore.load(createModule, { wasmBinary: readFileSync(wasmJsPath.replace(/\.js$/, '.wasm')) });
}

// `claims`: more of the host's claims (email, email_verified, locale).
export function signToken({ site, secret, sub, name, role = 'member', seconds = 600, claims = {} }) {
  const part = (json) => Buffer.from(JSON.stringify(json)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const header = part({ alg: 'HS256', typ: 'JWT' });
  const payload = part({ sub, name, role, site, iat: now, exp: now + seconds, ...claims });
  const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}

// A host's approval of one thread (docs/protocol.md "Thread tickets"): the create_thread op's `ticket`.
export function signThreadTicket({ site, secret, key, kind = 'discussion', title }) {
  const part = (json) => Buffer.from(JSON.stringify(json)).toString('base64url');
  const input = `${part({ alg: 'HS256', typ: 'kring-thread' })}.${part({ site, key, kind, title })}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

export class SyncNodeClient {
  // A guest (no token) may pass the guestCredential of an earlier Welcome to come back as that guest.
  constructor(core, { port, site, token = '', clientId, guestCredential = '' }) {
    this.engine = core.createEngine(site);
    this.site = site;
    this.token = token;
    this.clientId = clientId;
    this.guestCredential = guestCredential;
    this.url = `ws://127.0.0.1:${port}/sync`;
    this.messages = [];
    this.waiters = [];
    this.counter = 0;
  }

  // Resolves with the Welcome, or rejects with the server's error.
  connect() {
    this.socket = new WebSocket(this.url);
    this.socket.binaryType = 'nodebuffer';
    this.socket.on('message', (data) => {
      const message = this.engine.receive(new Uint8Array(data));
      this.messages.push(message);
      for (const waiter of [...this.waiters]) waiter();
    });
    this.socket.on('close', () => { this.closed = true; for (const waiter of [...this.waiters]) waiter(); });
    this.socket.on('open', () => this.socket.send(
      this.engine.helloMessage(this.site, this.token, this.clientId, this.guestCredential)));
    return this.welcomed();
  }

  // Sends a fresh token for the same member; resolves with the new Welcome, or rejects with the error.
  refresh(token) {
    this.token = token;
    this.socket.send(this.engine.refreshTokenMessage(token));
    return this.welcomed();
  }

  welcomed() {
    return this.next((message) => message.type === 'welcome' || message.type === 'error').then((message) => {
      if (message.type === 'error') throw Object.assign(new Error(`${message.code}: ${message.message}`), { code: message.code });
      this.member = message.member;
      // A guest keeps its credential (renewed on each visit) to come back as the same guest.
      if (message.guestCredential) this.guestCredential = message.guestCredential;
      this.tokenExpiresAt = message.tokenExpiresAt;
      this.engine.setActor(message.member.id, message.member.displayName, message.member.role);
      return message;
    });
  }

  // The first message (already received or still to come) that matches, removed from the inbox.
  next(matches, timeoutMs = 5000) {
    return new Promise((resolve, reject) => {
      const check = () => {
        const index = this.messages.findIndex(matches);
        if (index >= 0) {
          done();
          resolve(this.messages.splice(index, 1)[0]);
        } else if (this.closed) {
          done();
          reject(new Error('connection closed'));
        }
      };
      const timer = setTimeout(() => { done(); reject(new Error('timed out')); }, timeoutMs);
      const done = () => { clearTimeout(timer); this.waiters = this.waiters.filter((waiter) => waiter !== check); };
      this.waiters.push(check);
      check();
    });
  }

  subscribe(threadKey, lastSequence = 0) {
    this.socket.send(this.engine.subscribeMessage(threadKey, lastSequence));
    return this.next((message) => (message.type === 'snapshot' || message.type === 'events') && message.threadKey === threadKey);
  }

  // Sends the op; resolves with the events that acknowledge it, or rejects with the rejection.
  submit(op) {
    const id = op.id ?? `${this.clientId}-${(this.counter += 1)}`;
    this.socket.send(this.engine.submitMessage(this.engine.makeOp({ ...op, id, time: Date.now() })));
    return this.next((message) => (message.type === 'events' && message.opIds.includes(id)) ||
      (message.type === 'rejected' && message.opId === id)).then((message) => {
      if (message.type === 'rejected') throw Object.assign(new Error(message.message), { code: message.code });
      return { id, message };
    });
  }

  close() { this.socket?.close(); }
}

// Signed-in clients of a running server (`server.port`) for `site`, each token signed with `secret`
// and carrying `fields` (role, claims); stop() closes them, then the server's process (`server.child`).
export function serverMembers(core, server, { site, secret }) {
  const clients = [];
  const member = async (sub, fields = {}) => {
    const client = new SyncNodeClient(core, { port: server.port, site, clientId: `${sub}-${clients.length}`,
      token: signToken({ site, secret, sub, name: `Name ${sub}`, ...fields }) });
    await client.connect();
    clients.push(client);
    return client;
  };
  const stop = () => new Promise((resolve) => {
    for (const client of clients) client.close();
    server.child.on('exit', resolve);
    server.child.kill('SIGTERM');
  });
  return { member, stop, port: server.port };
}
