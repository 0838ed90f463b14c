// The visitor's own ops: each predicted by the core on a scratch engine before it is sent, then
// kept, shown as "Sending…", until the server acknowledges or refuses it; sent again after a
// reconnect. The replica itself only ever holds what the server sent.
import type { KringEngine } from '../../../wasm/kring-core-client.mjs';
import type { Outcome } from './thread-types';

export interface PendingOp {
  id: string;
  kind: string;
  bytes: Uint8Array;
  detail: Record<string, unknown>;
}

export class PendingOps {
  readonly heldReasons = new Map<string, string>(); // why a post waits, in its author's words
  #ops: PendingOp[] = [];
  #counter = 0;
  readonly #clientId: string;
  readonly #copyReplica: () => KringEngine;

  // copyReplica: a fresh engine holding what the replica holds, the site's rules and this member.
  constructor(clientId: string, copyReplica: () => KringEngine) {
    this.#clientId = clientId;
    this.#copyReplica = copyReplica;
  }

  get all(): readonly PendingOp[] {
    return this.#ops;
  }

  nextId() {
    return `${this.#clientId}-${(this.#counter += 1).toString(36)}`;
  }

  find(opId: string) {
    return this.#ops.find((op) => op.id === opId);
  }

  add(op: PendingOp) {
    this.#ops.push(op);
  }

  // The op, no longer pending (acknowledged or refused), or undefined when it was not.
  take(opId: string) {
    const index = this.#ops.findIndex((op) => op.id === opId);
    return index < 0 ? undefined : this.#ops.splice(index, 1)[0];
  }

  clear() {
    this.#ops = [];
  }

  // A copy of the replica with the pending ops applied: predictions and the pending view run there.
  scratch(): KringEngine {
    const scratch = this.#copyReplica();
    for (const op of this.#ops) scratch.apply(op.bytes);
    return scratch;
  }

  // What the server would say to `bytes` after the pending ops and `alsoPending`.
  predict(alsoPending: PendingOp[], bytes: Uint8Array): Outcome {
    const scratch = this.scratch();
    try {
      for (const op of alsoPending) scratch.apply(op.bytes);
      return scratch.describeOutcome(scratch.apply(bytes));
    } finally {
      scratch.dispose();
    }
  }
}
