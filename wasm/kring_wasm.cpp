// The wasm module exports the C API of host-adapters/c (kring.h) and nothing else; the list of
// exports lives in wasm/CMakeLists.txt. Emscripten needs one source of the executable's own.
#include "kring/kring.h"
