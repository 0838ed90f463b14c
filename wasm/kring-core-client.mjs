// JavaScript face of the wasm core for a client (the <kring-thread> widget bundles this file alone):
// bytes in, bytes or JSON views out. One KringEngine per site. kring-core-api.mjs adds what servers,
// tests and tools call. The module factory is passed in so the same code runs in the browser and
// under Node.

export const lookup = (table, name) => (Object.hasOwn(table, name) ? table[name] : -1);
// The enum tables come from the core (generated from the schema): { role: { member: 0, … }, … }.
// makeOp's kinds: the typed maker (kring_op_<name>, kring.h) and its arguments after the op id: a
// field's name (a string, NUL-terminated), or a function of (op, enums) giving a number, a BigInt or a
// list of strings (a pointer array and its length).
export const OP_KINDS = {
  create_thread: ['create_thread', 'key', 'title', (op, e) => lookup(e.thread_kind, op.threadKind ?? 'discussion'), 'ticket'],
  post: ['post', 'threadKey', 'parentId', 'body'],
  edit: ['edit', 'postId', 'body'],
  delete: ['delete', 'postId'],
  vote: ['vote', 'postId', (op, e) => lookup(e.vote_direction, op.direction)],
  accept: ['accept', 'answerId'],
  unaccept: ['unaccept', 'answerId'],
  flag: ['flag', 'postId', (op, e) => lookup(e.flag_reason, op.reason ?? 'spam')],
  // target: a post id, thread key or member id (kring-core-api.mjs adds the actions with an argument).
  moderate: ['moderate', (op, e) => lookup(e.moderation_action, op.action), 'target', 'reason'],
  reading: ['reading', (op) => op.threadKeys ?? [], (op) => op.readThreadKeys ?? [], (op) => op.postsSeen ?? 0,
            (op) => op.secondsReading ?? 0],
  follow: ['follow', 'threadKey', (op) => (op.following === false ? 0 : 1)],
};
export const encoder = new TextEncoder();
export const decoder = new TextDecoder();

export class KringCore {
  static async load(createModule, options = {}) {
    return new this(await createModule(options));  // the full API's class when called on it
  }

  constructor(module) {
    this.module = module;
    this.sizeSlot = module._malloc(8);  // a result's size; the typed op makers' out pointer after it
    const pointer = module._kring_enum_tables(this.sizeSlot);
    // names.reason_code[19] === 'own_post'; enums.reason_code.own_post === 19.
    this.names = JSON.parse(decoder.decode(module.HEAPU8.subarray(pointer, pointer + module.HEAPU32[this.sizeSlot >> 2])));
    this.enums = Object.fromEntries(Object.entries(this.names).map(([table, names]) =>
      [table, Object.fromEntries(names.map((name, number) => [name, number]))]));
  }

  // The engine class this core makes: the full API's adds what servers and tests call.
  get Engine() { return KringEngine; }

  createEngine(siteId) {
    const handle = this.#withBytes(encoder.encode(siteId), (pointer, size) =>
      this.module._kring_engine_create(pointer, size));
    return new this.Engine(this, handle);
  }

  // Copies bytes into wasm memory for the duration of fn(pointer, size).
  #withBytes(bytes, fn) {
    const pointer = this.module._malloc(Math.max(bytes.length, 1));
    try {
      this.module.HEAPU8.set(bytes, pointer);
      return fn(pointer, bytes.length);
    } finally {
      this.module._free(pointer);
    }
  }

  withBytes(bytes, fn) { return this.#withBytes(bytes, fn); }

  // Copies several byte arrays (or strings, as UTF-8) in; fn receives (pointer, size) pairs, flat.
  withAll(items, fn, pairs = []) {
    if (items.length === 0) return fn(...pairs);
    const [first, ...rest] = items;
    const bytes = typeof first === 'string' ? encoder.encode(first) : first;
    return this.#withBytes(bytes, (pointer, size) => this.withAll(rest, fn, [...pairs, pointer, size]));
  }

  // Copies an engine-owned result out of wasm memory (it is valid until the next call).
  takeBytes(pointer) {
    if (!pointer) return null;
    const size = this.module.HEAPU32[this.sizeSlot >> 2];
    return this.module.HEAPU8.slice(pointer, pointer + size);
  }
}

export class KringEngine {
  constructor(core, handle) {
    this.core = core;
    this.module = core.module;
    this.handle = handle;
  }

  // Op bytes in, Outcome bytes out (kring.capnp). Malformed input yields a rejected Outcome.
  apply(opBytes) {
    return this.core.withBytes(opBytes, (pointer, size) =>
      this.core.takeBytes(this.module._kring_apply(this.handle, pointer, size, this.core.sizeSlot)));
  }

  // The thread's view model as JSON text, or null for an unknown thread.
  threadViewJson(threadKey, order = 'top', viewerId = '') {
    const key = encoder.encode(threadKey);
    const viewer = encoder.encode(viewerId);
    return this.core.withBytes(key, (keyPointer, keySize) =>
      this.core.withBytes(viewer, (viewerPointer, viewerSize) => {
        const pointer = this.module._kring_thread_view(this.handle, keyPointer, keySize, this.core.enums.sort_order[order] ?? 0,
          viewerPointer, viewerSize, this.core.sizeSlot);
        const bytes = this.core.takeBytes(pointer);
        return bytes && decoder.decode(bytes);
      }));
  }

  threadView(threadKey, order = 'top', viewerId = '') {
    const json = this.threadViewJson(threadKey, order, viewerId);
    return json && JSON.parse(json);
  }

  // An Outcome's bytes as { opId, status, code, message, events: [names] }, or null.
  describeOutcome(outcomeBytes) {
    return this.core.withBytes(outcomeBytes, (pointer, size) => {
      const bytes = this.core.takeBytes(this.module._kring_outcome_json(this.handle, pointer, size, this.core.sizeSlot));
      return bytes && JSON.parse(decoder.decode(bytes));
    });
  }

  // --- A client of kring-server: this engine is the client's replica. ---

  // The local member from the server's Welcome; role is a name ('member', …) or its number.
  setActor(memberId, displayName = '', role = 'member') {
    const roleNumber = typeof role === 'number' ? role : lookup(this.core.enums.role, role);
    const code = this.core.withAll([memberId, displayName], (idPointer, idSize, namePointer, nameSize) =>
      this.module._kring_set_actor(this.handle, idPointer, idSize, namePointer, nameSize, roleNumber));
    if (code !== 0) throw this.error(code);
  }

  // Op bytes signed by the actor: { kind: 'create_thread', id, key, title, threadKind: 'discussion' | 'question', ticket },
  // { kind: 'post', id, threadKey, parentId, body }, { kind: 'edit', id, postId, body },
  // { kind: 'delete', id, postId }, { kind: 'vote', id, postId, direction: 'up' | 'down' | 'none' },
  // { kind: 'accept' | 'unaccept', id, answerId }, { kind: 'flag', id, postId, reason: 'spam' | 'offensive' | … },
  // { kind: 'moderate', id, action: 'approve' | 'reject' | … | 'dismiss_flags', target, argument, reason },
  // { kind: 'undo', id, moderationId, reason }, { kind: 'reading', id, threadKeys: [..], readThreadKeys: [..], postsSeen, secondsReading },
  // { kind: 'follow', id, threadKey, following: true | false };
  // each with time (ms, Number or BigInt). Strings reach C NUL-terminated: one stops at its first NUL.
  // Throws on an unknown kind, thread kind or direction, and on a kind this build of the core does not make.
  makeOp(op) {
    let shape = lookup(this.opKinds, op.kind);
    if (typeof shape === 'function') shape = shape(op);
    if (shape === -1) throw new TypeError(`unknown op kind: ${op.kind}`);
    const [name, ...fields] = shape;
    const module = this.module;
    const maker = module[`_kring_op_${name}`];  // the widget's core leaves some out (wasm/CMakeLists.txt)
    if (!maker) throw new TypeError(`this build of the core makes no ${name} op`);
    const copies = [];
    const copy = (bytes) => {
      const pointer = module._malloc(bytes.length);
      copies.push(pointer);
      module.HEAPU8.set(bytes, pointer);  // after the malloc: memory growth replaces the views
      return pointer;
    };
    const text = (value) => copy(encoder.encode(`${value ?? ''}\0`));
    try {
      const args = [text(op.id), ...fields.flatMap((field) => {
        if (typeof field === 'string') return [text(op[field])];
        const value = field(op, this.core.enums);
        if (!Array.isArray(value)) return [value];
        const pointers = new Uint32Array(value.map(text));
        return [copy(new Uint8Array(pointers.buffer)), value.length];
      })];
      const slot = this.core.sizeSlot;
      maker(this.handle, ...args, BigInt(op.time ?? 0), slot + 4, slot);
      const bytes = this.core.takeBytes(module.HEAPU32[(slot >> 2) + 1]);
      if (!bytes) throw new TypeError(this.lastError());
      return bytes;
    } finally {
      copies.forEach((pointer) => module._free(pointer));
    }
  }

  get opKinds() { return OP_KINDS; }

  // ClientMessage bytes, one per WebSocket binary frame. A guest (no token) passes the
  // guestCredential of an earlier Welcome to come back as the same guest.
  helloMessage(siteId, token = '', clientId = '', guestCredential = '') {
    return this.core.withAll([siteId, token, clientId, guestCredential], (...pairs) =>
      this.core.takeBytes(this.module._kring_encode_hello(this.handle, ...pairs, this.core.sizeSlot)));
  }

  // A fresh token before the Welcome's tokenExpiresAt; the server answers with a new Welcome.
  refreshTokenMessage(token) {
    return this.core.withAll([token], (pointer, size) => this.core.takeBytes(
      this.module._kring_encode_refresh_token(this.handle, pointer, size, this.core.sizeSlot)));
  }

  // Markdown for the server to render (the composer's preview): answered by a `rendered` message.
  renderMessage(requestId, markdown) {
    return this.core.withAll([requestId, markdown], (idPointer, idSize, pointer, size) => this.core.takeBytes(
      this.module._kring_encode_render(this.handle, idPointer, idSize, pointer, size, this.core.sizeSlot)));
  }

  // Protocol 3: the snapshot is the thread's first page in `order` ('top' | 'newest' | 'oldest').
  subscribePagedMessage(threadKey, lastSequence = 0, order = 'top') {
    return this.core.withAll([threadKey], (pointer, size) => this.core.takeBytes(
      this.module._kring_encode_subscribe_paged(this.handle, pointer, size, BigInt(lastSequence),
        this.core.enums.sort_order[order] ?? 0, this.core.sizeSlot)));
  }

  // The next page of parentId's replies ('': the top-level posts); null when the replica holds them all.
  loadPageMessage(threadKey, parentId = '') {
    return this.core.withAll([threadKey, parentId], (pointer, size, parentPointer, parentSize) => this.core.takeBytes(
      this.module._kring_encode_load_page(this.handle, pointer, size, parentPointer, parentSize, this.core.sizeSlot)));
  }

  // null when the bytes are not an op.
  submitMessage(opBytes) {
    return this.core.withBytes(opBytes, (pointer, size) =>
      this.core.takeBytes(this.module._kring_encode_submit(this.handle, pointer, size, this.core.sizeSlot)));
  }

  // Takes one ServerMessage (snapshots and events go into the replica) and describes it:
  // { type: 'welcome' | 'snapshot' | 'snapshot_part' | 'events' | 'rejected' | 'error' | 'pong' | 'invalid', … } (kring.h).
  // A pong's nonce is a BigInt, as pingMessage takes it.
  receive(messageBytes) {
    const text = this.core.withBytes(messageBytes, (pointer, size) =>
      decoder.decode(this.core.takeBytes(this.module._kring_receive(this.handle, pointer, size, this.core.sizeSlot))));
    const message = JSON.parse(text);
    if (message.type === 'pong') message.nonce = BigInt(/"nonce":(\d+)/.exec(text)[1]);
    return message;
  }

  // Whether a new post in the thread tells the member; a replica knows it of its own member only.
  following(threadKey, memberId) {
    return this.core.withAll([threadKey, memberId], (keyPointer, keySize, idPointer, idSize) =>
      this.module._kring_thread_following(this.handle, keyPointer, keySize, idPointer, idSize) === 1);
  }

  lastError() {
    const pointer = this.module._kring_last_error(this.handle);
    let end = pointer;
    while (this.module.HEAPU8[end] !== 0) end += 1;
    return decoder.decode(this.module.HEAPU8.subarray(pointer, end));
  }

  error(code) {
    const error = new Error(this.lastError());
    error.code = code;
    return error;
  }

  // An independent copy: the same state and local member (predictions run on one).
  copy() {
    return new this.constructor(this.core, this.module._kring_engine_copy(this.handle));
  }

  dispose() {
    if (this.handle) this.module._kring_engine_destroy(this.handle);
    this.handle = 0;
  }
}
