// The whole import at scale (docs/import.md, "Figures"): kring_bench_import writes a Disqus export
// (10,000 threads, a third of the posts replies) and times its parsing; then `kring-server import`
// writes it into a new SQLite store (wall time and the process's VmHWM, polled), the store's size is
// read, and kring-server starts on it (time until it listens, and its VmHWM then). Prints a table.
// Usage: node tests/bench/import_bench.mjs --bench BIN --server BIN [--posts 1000000]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from '../support/frames.mjs';

const args = parseArgs(process.argv.slice(2), { posts: '1000000' });
const directory = mkdtempSync(join(tmpdir(), 'kring-import-bench-'));
const file = join(directory, 'disqus.xml');
const store = join(directory, 'kring.db');
const sites = join(directory, 'sites.json');
writeFileSync(sites, JSON.stringify({ sites: [{ id: 'bench', allowedOrigins: ['*'],
  tokenSecret: 'import-bench-secret-0123456789-abcdefgh', adminKey: 'import-bench-admin-0123456789-abcd' }] }));

const hwmKb = (pid) => {
  try {
    return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;  // it has exited
  }
};
// Runs a command, polling its peak memory; resolves with seconds, the last VmHWM seen, and its output.
function measured(command, commandArgs, until) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, commandArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let hwm = 0;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearInterval(poll);
      resolve({ seconds: Number(process.hrtime.bigint() - started) / 1e9, hwmKb: hwm, out, child });
    };
    const poll = setInterval(() => { hwm = Math.max(hwm, hwmKb(child.pid)); }, 25);
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (until && until.test(out)) {
        hwm = Math.max(hwm, hwmKb(child.pid));
        finish();
      }
    });
    child.stderr.on('data', (chunk) => { out += chunk; });
    child.on('error', reject);
    child.on('exit', finish);
  });
}

try {
  const parse = spawnSync(args.bench, [args.posts, file, '--keep'], { encoding: 'utf8' });
  if (parse.status !== 0) throw new Error(`kring_bench_import failed: ${parse.stderr}`);
  const fileMiB = statSync(file).size / 2 ** 20;
  const imported = await measured(args.server, ['import', '--format', 'disqus', file, '--db', `sqlite:${store}`,
    '--site', 'bench', '--sites', sites]);
  const summary = JSON.parse(imported.out.trim().split('\n').filter((line) => line.startsWith('{')).at(-1));
  if (summary.event !== 'import_done') throw new Error(`the import failed: ${imported.out.slice(-2000)}`);
  const storeMiB = ['', '-wal'].map((suffix) => store + suffix).filter(existsSync)
    .reduce((sum, path) => sum + statSync(path).size, 0) / 2 ** 20;
  const started = await measured(args.server, ['--port', '0', '--db', `sqlite:${store}`, '--sites', sites],
    /listening/);
  started.child.kill('SIGKILL');

  console.log(parse.stdout.trim());
  console.log();
  console.log('| measure | value |\n|---|---|');
  console.log(`| export | ${fileMiB.toFixed(1)} MiB, ${summary.postsRead} posts |`);
  console.log(`| kring-server import (read, apply, one checkpoint) | ${imported.seconds.toFixed(1)} s, ` +
    `${Math.round(summary.imported / imported.seconds)} posts/s (target ≤ 60 s) |`);
  console.log(`| imported / refused / skipped | ${summary.imported} / ${summary.refused} / ${summary.skipped} |`);
  console.log(`| import VmHWM | ${(imported.hwmKb / 1024).toFixed(0)} MiB (target ≤ 1 GiB) |`);
  console.log(`| store size | ${storeMiB.toFixed(1)} MiB |`);
  console.log(`| kring-server start-up on it (to listening) | ${started.seconds.toFixed(1)} s, ` +
    `VmHWM ${(started.hwmKb / 1024).toFixed(0)} MiB |`);
} finally {
  rmSync(directory, { recursive: true, force: true });
}
