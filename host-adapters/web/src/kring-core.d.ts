// Types for the Emscripten glue (aliased to the browser core's JS by build.mjs). The core's JS face
// has its own beside it: wasm/kring-core-client.d.mts.
declare module 'kring-core-web' {
  const createKringModule: (options?: Record<string, unknown>) => Promise<unknown>;
  export default createKringModule;
}
