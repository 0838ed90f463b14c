// Types for the Emscripten glue (aliased to the browser core's JS by build.mjs) and the core's JS face.
declare module 'kring-core-web' {
  const createKringModule: (options?: Record<string, unknown>) => Promise<unknown>;
  export default createKringModule;
}
declare module '../../../wasm/kring-core-api.mjs' {
  export class KringCore {
    static load(createModule: unknown, options?: Record<string, unknown>): Promise<KringCore>;
    createEngine(siteId: string): KringEngine;
  }
  export class KringEngine {
    apply(opBytes: Uint8Array): Uint8Array;
    threadSnapshot(threadKey: string): Uint8Array | null;
    loadThreadSnapshot(bytes: Uint8Array): void;
    threadView(threadKey: string, order?: string, viewerId?: string): any;
    describeOutcome(outcomeBytes: Uint8Array): any;
    setActor(memberId: string, displayName?: string, role?: string | number): void;
    makeOp(op: Record<string, unknown>): Uint8Array;
    helloMessage(siteId: string, token?: string, clientId?: string, guestCredential?: string): Uint8Array;
    refreshTokenMessage(token: string): Uint8Array;
    subscribeMessage(threadKey: string, lastSequence?: number): Uint8Array;
    submitMessage(opBytes: Uint8Array): Uint8Array | null;
    receive(bytes: Uint8Array): any;
    readonly lastSequence: number;
    dispose(): void;
  }
}
