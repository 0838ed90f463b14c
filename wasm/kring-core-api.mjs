// JavaScript face of the wasm core: bytes in, bytes or JSON views out. One KringEngine per site.
// The module factory is passed in so the same code runs in the browser and under Node.

const SORT_ORDERS = { top: 0, newest: 1, oldest: 2 };
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class KringCore {
  static async load(createModule, options = {}) {
    return new KringCore(await createModule(options));
  }

  constructor(module) {
    this.module = module;
    this.sizeSlot = module._malloc(4);
  }

  createEngine(siteId) {
    const handle = this.#withBytes(encoder.encode(siteId), (pointer, size) =>
      this.module._kring_engine_create(pointer, size));
    return new KringEngine(this, handle);
  }

  // Returns a KringEngine, or throws an Error with a `code` (the reason code's number).
  restoreEngine(snapshotBytes) {
    const reasonSlot = this.module._malloc(4);
    try {
      const handle = this.#withBytes(snapshotBytes, (pointer, size) =>
        this.module._kring_engine_restore(pointer, size, reasonSlot));
      if (!handle) {
        const error = new Error('the site snapshot could not be restored');
        error.code = this.module.HEAPU32[reasonSlot >> 2];
        throw error;
      }
      return new KringEngine(this, handle);
    } finally {
      this.module._free(reasonSlot);
    }
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

  // Applies a framed op log inside wasm; returns { frames, accepted } or throws on a truncated log.
  applyLog(logBytes) {
    const acceptedSlot = this.module._malloc(4);
    try {
      const frames = this.core.withBytes(logBytes, (pointer, size) =>
        Number(this.module._kring_apply_log(this.handle, pointer, size, acceptedSlot)));
      if (frames < 0) throw new Error(this.lastError());
      return { frames, accepted: this.module.HEAPU32[acceptedSlot >> 2] };
    } finally {
      this.module._free(acceptedSlot);
    }
  }

  siteSnapshot() {
    return this.core.takeBytes(this.module._kring_site_snapshot(this.handle, this.core.sizeSlot));
  }

  // null for an unknown thread
  threadSnapshot(threadKey) {
    return this.core.withBytes(encoder.encode(threadKey), (pointer, size) =>
      this.core.takeBytes(this.module._kring_thread_snapshot(this.handle, pointer, size, this.core.sizeSlot)));
  }

  // Throws an Error with `code` when the snapshot is refused; the replica is then unchanged.
  loadThreadSnapshot(snapshotBytes) {
    const code = this.core.withBytes(snapshotBytes, (pointer, size) =>
      this.module._kring_load_thread_snapshot(this.handle, pointer, size));
    if (code !== 0) {
      const error = new Error(this.lastError());
      error.code = code;
      throw error;
    }
  }

  // The thread's view model as JSON text, or null for an unknown thread.
  threadViewJson(threadKey, order = 'top', viewerId = '') {
    const key = encoder.encode(threadKey);
    const viewer = encoder.encode(viewerId);
    return this.core.withBytes(key, (keyPointer, keySize) =>
      this.core.withBytes(viewer, (viewerPointer, viewerSize) => {
        const pointer = this.module._kring_thread_view(this.handle, keyPointer, keySize, SORT_ORDERS[order] ?? 0,
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

  get lastSequence() { return Number(this.module._kring_last_sequence(this.handle)); }

  lastError() {
    const pointer = this.module._kring_last_error(this.handle);
    let end = pointer;
    while (this.module.HEAPU8[end] !== 0) end += 1;
    return decoder.decode(this.module.HEAPU8.subarray(pointer, end));
  }

  dispose() {
    if (this.handle) this.module._kring_engine_destroy(this.handle);
    this.handle = 0;
  }
}
