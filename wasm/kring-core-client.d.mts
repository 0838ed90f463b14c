// Types of kring-core-client.mjs for the widget's TypeScript (tsc reads this beside the .mjs). The
// views and messages are the widget's types, which tests/wasm/view_types.test.mjs holds against
// what the core returns.
import type { Outcome, ServerMessage, ThreadView } from '../host-adapters/web/src/thread-types';

export class KringCore {
  static load(createModule: unknown, options?: Record<string, unknown>): Promise<KringCore>;
  createEngine(siteId: string): KringEngine;
}
export class KringEngine {
  apply(opBytes: Uint8Array): Uint8Array;
  threadView(threadKey: string, order?: string, viewerId?: string): ThreadView | null;
  following(threadKey: string, memberId: string): boolean;
  describeOutcome(outcomeBytes: Uint8Array): Outcome;
  setActor(memberId: string, displayName?: string, role?: string | number): void;
  makeOp(op: Record<string, unknown>): Uint8Array;
  helloMessage(siteId: string, token?: string, clientId?: string, guestCredential?: string): Uint8Array;
  refreshTokenMessage(token: string): Uint8Array;
  subscribePagedMessage(threadKey: string, lastSequence?: number, order?: string): Uint8Array;
  loadPageMessage(threadKey: string, parentId?: string): Uint8Array | null;
  renderMessage(requestId: string, markdown: string): Uint8Array;
  submitMessage(opBytes: Uint8Array): Uint8Array | null;
  receive(bytes: Uint8Array): ServerMessage;
  copy(): KringEngine;
  dispose(): void;
}
