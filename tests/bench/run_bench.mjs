// Core benchmark: the same generated op logs applied natively and in wasm (under Node).
// Prints a table of ops/s and the wasm/native ratio. Run by `make bench`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { KringCore } from '../../wasm/kring-core-api.mjs';
import { parseArgs } from '../support/frames.mjs';

const args = parseArgs(process.argv.slice(2));
const work = mkdtempSync(join(tmpdir(), 'kring-bench-'));
try {
  const native = JSON.parse(execFileSync(args.native, ['--write-logs', work], { encoding: 'utf8' }));
  const createModule = (await import(pathToFileURL(args.wasm).href)).default;
  const core = await KringCore.load(createModule, { wasmBinary: readFileSync(args.wasm.replace(/\.js$/, '.wasm')) });

  const rows = native.map((result) => {
    const log = readFileSync(join(work, `${result.workload}.bin`));
    let best = 0;
    for (let run = 0; run < 3; run += 1) {
      const engine = core.createEngine('bench');
      const start = performance.now();
      const { frames } = engine.applyLog(log);
      const rate = frames / ((performance.now() - start) / 1000);
      engine.dispose();
      best = Math.max(best, rate);
    }
    return { ...result, wasmOpsPerSecond: best };
  });

  const format = (n) => Math.round(n).toLocaleString('en-US').padStart(12);
  console.log(`machine: ${cpus()[0].model}, ${cpus().length} cores; node ${process.version}; best of 3 runs`);
  console.log('workload      ops   native apply  native full     wasm full   wasm/native (full)');
  for (const row of rows) {
    console.log(`${row.workload.padEnd(8)} ${String(row.ops).padStart(7)} ${format(row.applyOpsPerSecond)} ` +
      `${format(row.decodeApplyEncodeOpsPerSecond)} ${format(row.wasmOpsPerSecond)}   ` +
      `${(row.wasmOpsPerSecond / row.decodeApplyEncodeOpsPerSecond).toFixed(2)}`);
  }
  console.log('apply = Engine::apply on decoded ops; full = decode op bytes + apply + encode outcome bytes (kring_apply_log)');
} finally {
  rmSync(work, { recursive: true, force: true });
}
