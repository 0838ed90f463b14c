// JavaScript face of the wasm core: the client's (kring-core-client.mjs) and what servers, tests and
// tools call besides (site snapshots, op logs, metrics, notification intents).
import { KringCore as ClientCore, KringEngine as ClientEngine, OP_KINDS, decoder, encoder, lookup } from './kring-core-client.mjs';

const argument = (op) => Number(op.argument);
// The moderator actions with an argument, each with its own maker (target: a post id, thread key or
// member id; argument: 'spam' (reject), until ms, role number, trust level or new title), and undo.
const MODERATIONS = {
  reject_as_spam: ['reject_as_spam', 'target', 'reason'],
  suspend: ['suspend', 'target', (op) => BigInt(op.argument ?? 0), 'reason'],
  set_role: ['set_role', 'target', argument, 'reason'],
  set_trust_level: ['set_trust_level', 'target', argument, 'reason'],
  edit_title: ['edit_title', 'target', 'argument', 'reason'],
};
const ALL_OP_KINDS = {
  ...OP_KINDS,
  moderate: (op) => {
    const shape = lookup(MODERATIONS, op.action === 'reject' && op.argument === 'spam' ? 'reject_as_spam' : op.action);
    return shape === -1 ? OP_KINDS.moderate : shape;
  },
  undo: ['undo', 'moderationId', 'reason'],
};

export class KringEngine extends ClientEngine {
  get opKinds() { return ALL_OP_KINDS; }

  // Applies a framed op log inside wasm; returns { frames, accepted, undecodable } (kring_log_report)
  // or throws on a truncated log.
  applyLog(logBytes) {
    const report = this.module._malloc(16);
    try {
      const code = this.core.withBytes(logBytes, (pointer, size) =>
        this.module._kring_apply_log(this.handle, pointer, size, report));
      if (code) throw this.error(code);
      const [frames, accepted, undecodable] = this.module.HEAPU32.subarray(report >> 2);
      return { frames, accepted, undecodable };
    } finally {
      this.module._free(report);
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

  // The policy the engine holds (a replica's: its Welcome's), as JSON text (docs/policy.md).
  policyJson() {
    const bytes = this.core.takeBytes(this.module._kring_policy_json(this.handle, this.core.sizeSlot));
    return bytes && decoder.decode(bytes);
  }

  // Community metrics for [fromMs, toMs) as JSON text (docs/metrics.md); kind: null, 'discussion' or 'question'.
  metricsJson(fromMs, toMs, kind = null) {
    const bytes = this.core.takeBytes(this.module._kring_metrics_json(
      this.handle, BigInt(fromMs), BigInt(toMs), kind === null ? -1 : this.core.enums.thread_kind[kind], this.core.sizeSlot));
    return bytes && decoder.decode(bytes);
  }

  // Who is told of an op this engine has just applied (its bytes, and the outcome apply() gave), as the
  // JSON text of kring_notification_intents_json (docs/notifications.md); null when either does not decode.
  notificationIntentsJson(opBytes, outcomeBytes) {
    return this.core.withAll([opBytes, outcomeBytes], (opPointer, opSize, pointer, size) => {
      const bytes = this.core.takeBytes(this.module._kring_notification_intents_json(this.handle, opPointer, opSize,
        pointer, size, this.core.sizeSlot));
      return bytes && decoder.decode(bytes);
    });
  }

  // lastSequence 0 asks for a snapshot.
  subscribeMessage(threadKey, lastSequence = 0) {
    return this.core.withAll([threadKey], (pointer, size) => this.core.takeBytes(
      this.module._kring_encode_subscribe(this.handle, pointer, size, BigInt(lastSequence), this.core.sizeSlot)));
  }

  pingMessage(nonce) {
    return this.core.takeBytes(this.module._kring_encode_ping(this.handle, BigInt(nonce), this.core.sizeSlot));
  }

  get lastSequence() { return Number(this.module._kring_last_sequence(this.handle)); }

  // The highest sequence the replica holds of one thread: resubscribe to it with this.
  threadLastSequence(threadKey) {
    return Number(this.core.withBytes(encoder.encode(threadKey), (pointer, size) =>
      this.module._kring_thread_last_sequence(this.handle, pointer, size)));
  }
}

export class KringCore extends ClientCore {
  get Engine() { return KringEngine; }

  // Returns a KringEngine, or throws an Error with a `code` (the reason code's number).
  restoreEngine(snapshotBytes) {
    const reasonSlot = this.module._malloc(4);
    try {
      const handle = this.withBytes(snapshotBytes, (pointer, size) =>
        this.module._kring_engine_restore(pointer, size, reasonSlot));
      if (!handle) {
        const error = new Error('the site snapshot could not be restored');
        error.code = this.module.HEAPU32[reasonSlot >> 2];
        throw error;
      }
      return new this.Engine(this, handle);
    } finally {
      this.module._free(reasonSlot);
    }
  }
}
