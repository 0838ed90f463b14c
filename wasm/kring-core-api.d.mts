// kring-core-api.mjs adds to the client's classes what servers, tests and tools call; the widget's
// TypeScript uses the client's alone (kring-core-client.d.mts).
export { KringCore, KringEngine } from './kring-core-client.mjs';
