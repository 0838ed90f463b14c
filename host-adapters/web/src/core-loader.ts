// The wasm core, loaded once per page: it compiles while it downloads, from the loader's fetch when
// there is one.
import createKringModule from 'kring-core-web';
import { KringCore } from '../../../wasm/kring-core-client.mjs';

declare const KRING_CORE_WASM: string;

let corePromise: Promise<KringCore> | undefined;
let prefetchedWasm: Promise<Response> | undefined;

// The loader's download of the wasm core, started with this script's.
export function useWasm(response: Promise<Response>) {
  prefetchedWasm ??= response;
}

export function loadCore(): Promise<KringCore> {
  corePromise ??= new Promise<KringCore>((resolve, reject) => {
    const wasmUrl = new URL(KRING_CORE_WASM, import.meta.url).href;
    KringCore.load(createKringModule, {
      locateFile: () => wasmUrl,
      // Compiles while it downloads; Emscripten's own loader would fetch it again.
      instantiateWasm(
        imports: WebAssembly.Imports,
        receive: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void,
      ) {
        const response = prefetchedWasm ?? fetch(wasmUrl, { credentials: 'same-origin' });
        WebAssembly.instantiateStreaming(response, imports).then(
          (result) => receive(result.instance, result.module),
          reject,
        );
        return {};
      },
    }).then(resolve, reject);
  });
  return corePromise;
}
