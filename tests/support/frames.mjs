// Helpers shared by the Node tests and benchmarks.

// Splits an op log or outcome file: each frame is [u32 little-endian size][bytes].
export function splitFrames(buffer) {
  const frames = [];
  let at = 0;
  while (at < buffer.length) {
    if (buffer.length - at < 4) throw new Error('truncated frame header');
    const size = buffer.readUInt32LE(at);
    at += 4;
    if (buffer.length - at < size) throw new Error('truncated frame');
    frames.push(new Uint8Array(buffer.buffer, buffer.byteOffset + at, size));
    at += size;
  }
  return frames;
}

// --name value pairs into an object, with defaults.
export function parseArgs(argv, defaults = {}) {
  const args = { ...defaults };
  for (let i = 0; i + 1 < argv.length; i += 2) args[argv[i].replace(/^--/, '')] = argv[i + 1];
  return args;
}
